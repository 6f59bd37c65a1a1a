//! The debug log: one line per hook run with the event, the outcome and failure codes.
//!
//! `SECURITY_GUIDANCE_DEBUG_LOG`, else `<state dir>/log.txt`; mode 0600; rotated to `.1` at 1 MiB.
//! It never holds file contents, diffs or keys: only names, counts, codes and the failure details
//! (which are written not to hold them either).

use std::fmt::Write as _;
use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::switches::env_value;
use super::{Context, Reply};

const ROTATE_AT: u64 = 1024 * 1024;

/// Appends the run's line. Logging never fails the hook.
pub(crate) fn record(context: &Context, event: &str, reply: &Reply) {
    let Some(path) = log_path(context) else { return };
    let mut line = format!(
        "{} pid={} event={event} exit={} elapsed_ms={}",
        crate::clock::rfc3339(crate::clock::now()),
        std::process::id(),
        reply.exit,
        context.started.elapsed().as_millis()
    );
    if let Some((vm_peak, rss_peak)) = super::limits::peaks() {
        let _ = write!(line, " vm_peak_kib={vm_peak} rss_peak_kib={rss_peak}");
    }
    if let Some((loaded, considered)) = context.rules_loaded.get() {
        let _ = write!(line, " rules={loaded}/{considered}");
    }
    for (key, value) in &reply.facts {
        let _ = write!(line, " {key}={}", value.replace(char::is_whitespace, "_"));
    }
    for problem in &reply.problems {
        let _ = write!(line, " failure={} detail={:?}", problem.code.as_str(), problem.detail);
    }
    line.push('\n');
    let _ = append(&path, &line);
}

fn log_path(context: &Context) -> Option<PathBuf> {
    env_value("SECURITY_GUIDANCE_DEBUG_LOG")
        .map(PathBuf::from)
        .or_else(|| Some(context.state_dir.as_ref()?.join("log.txt")))
}

pub(crate) fn append(path: &Path, line: &str) -> std::io::Result<()> {
    if fs::metadata(path).is_ok_and(|meta| meta.len() >= ROTATE_AT) {
        let mut rotated = path.as_os_str().to_owned();
        rotated.push(".1");
        fs::rename(path, rotated)?;
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        options.mode(0o600);
        // A log created by something else with wider permissions is narrowed.
        if let Ok(meta) = fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
        }
    }
    options.open(path)?.write_all(line.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_at_one_mebibyte_with_private_permissions() {
        let dir = std::env::temp_dir().join(format!("sg-lsp-log-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let path = dir.join("log.txt");
        append(&path, "first\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        fs::write(&path, vec![b'x'; ROTATE_AT as usize]).unwrap();
        append(&path, "after\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "after\n");
        assert_eq!(fs::metadata(dir.join("log.txt.1")).unwrap().len(), ROTATE_AT);
        fs::remove_dir_all(&dir).unwrap();
    }
}
