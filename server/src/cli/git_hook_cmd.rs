//! `sg-lsp install-git-hook`: the opt-in pre-commit hook that runs the commit review on the staged
//! changes. The hook is a small POSIX sh script marked with [`SIGNATURE`]; it blocks the commit
//! (exit 1) only on error-severity (critical/high) findings, never when the review could not run (no
//! credentials, network, cooldown: one line, exit 0), and names `git commit --no-verify` as the
//! escape hatch. An existing hook that is not ours is replaced only with `--force`, and kept as
//! `pre-commit.sg-lsp-backup` (which our hook runs first); `--uninstall` removes only our hook and
//! restores the backup. Installing twice changes nothing.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::git::Repo;

/// The line that marks a hook as ours.
pub(super) const SIGNATURE: &str = "# sg-lsp: pre-commit hook installed by `sg-lsp install-git-hook`";
/// The hook's file name in the hooks directory.
const HOOK: &str = "pre-commit";
/// Where a replaced hook is kept.
const BACKUP: &str = "pre-commit.sg-lsp-backup";

#[derive(Debug, Args)]
pub struct GitHookArgs {
    /// Replace an existing pre-commit hook that sg-lsp did not install (kept as
    /// `pre-commit.sg-lsp-backup`, and still run before the review).
    #[arg(long, conflicts_with = "uninstall")]
    pub force: bool,
    /// Remove sg-lsp's hook (restoring a hook it replaced); other hooks are left alone.
    #[arg(long)]
    pub uninstall: bool,
    /// A path inside the repository (default: the current directory).
    #[arg(short = 'C', value_name = "PATH")]
    pub path: Option<PathBuf>,
}

/// Quotes `text` for sh: single quotes, with each `'` written as `'\''`.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The hook script, running `exe` (falling back to `sg-lsp` on PATH when it is gone).
fn script(exe: Option<&Path>) -> String {
    let exe = exe.map_or_else(|| "sg-lsp".to_owned(), |path| sh_quote(&path.to_string_lossy()));
    format!(
        r#"#!/bin/sh
{SIGNATURE}
# Reviews the staged changes with sg-lsp's agentic commit review. Blocks the commit only on
# error-severity (critical/high) findings; when the review cannot run (no credentials, network,
# cooldown) it says so in one line and lets the commit through.
# Skip it once:  git commit --no-verify        Remove it:  sg-lsp install-git-hook --uninstall

hooks_dir=$(dirname "$0")
if [ -x "$hooks_dir/{BACKUP}" ]; then
    "$hooks_dir/{BACKUP}" "$@" || exit $?
fi

sg_lsp={exe}
if [ ! -x "$sg_lsp" ]; then
    sg_lsp=sg-lsp
fi
if ! command -v "$sg_lsp" >/dev/null 2>&1; then
    echo "sg-lsp pre-commit: sg-lsp not found; the commit goes ahead unreviewed" >&2
    exit 0
fi

"$sg_lsp" review-commit --staged --fail-on error --git-hook
status=$?
case $status in
    0) exit 0 ;;
    1)
        echo "sg-lsp pre-commit: commit blocked by the error-severity findings above. Fix them, or commit anyway with: git commit --no-verify" >&2
        exit 1
        ;;
    2) exit 0 ;; # the review could not run; sg-lsp said why in one line
    *)
        echo "sg-lsp pre-commit: the review stopped (exit $status); the commit goes ahead" >&2
        exit 0
        ;;
esac
"#
    )
}

fn is_ours(path: &Path) -> bool {
    fs::read(path)
        .is_ok_and(|bytes| String::from_utf8_lossy(&bytes).lines().any(|line| line.trim() == SIGNATURE))
}

#[cfg(unix)]
fn make_executable(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> io::Result<()> {
    Ok(())
}

/// Installs or removes the hook; `Ok(code)` is the exit code (0 done, 2 refused or failed, said in
/// one line on stderr).
pub(super) fn run(args: &GitHookArgs) -> anyhow::Result<u8> {
    let start = match &args.path {
        Some(path) => path.clone(),
        None => std::env::current_dir()?,
    };
    let repo = match Repo::discover(&start) {
        Ok(repo) => repo,
        Err(error) => {
            eprintln!("sg-lsp install-git-hook: {error} (run it inside a repository, or pass -C PATH)");
            return Ok(2);
        }
    };
    let dir = repo.hooks_dir();
    let hook = dir.join(HOOK);
    let backup = dir.join(BACKUP);
    let result = if args.uninstall { uninstall(&hook, &backup) } else { install(&hook, &backup, args.force) };
    match result {
        Ok(message) => {
            eprintln!("{message}");
            Ok(0)
        }
        Err(message) => {
            eprintln!("sg-lsp install-git-hook: {message}");
            Ok(2)
        }
    }
}

fn install(hook: &Path, backup: &Path, force: bool) -> Result<String, String> {
    let exe = std::env::current_exe().ok().and_then(|exe| exe.canonicalize().ok());
    let text = script(exe.as_deref());
    let exists = hook.symlink_metadata().is_ok();
    let mut kept = false;
    if exists && !is_ours(hook) {
        if !force {
            return Err(format!(
                "{} exists and was not installed by sg-lsp; rerun with --force to replace it (it is kept as {BACKUP} and still runs first)",
                hook.display()
            ));
        }
        if backup.symlink_metadata().is_ok() {
            return Err(format!(
                "{} already exists; move it away before replacing {} with --force",
                backup.display(),
                hook.display()
            ));
        }
        fs::rename(hook, backup)
            .map_err(|error| format!("cannot keep {} as {BACKUP}: {error}", hook.display()))?;
        kept = true;
    } else if exists && fs::read_to_string(hook).is_ok_and(|current| current == text) {
        make_executable(hook)
            .map_err(|error| format!("cannot make {} executable: {error}", hook.display()))?;
        return Ok(format!("sg-lsp pre-commit hook already installed: {}", hook.display()));
    }
    if let Some(parent) = hook.parent() {
        fs::create_dir_all(parent).map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
    }
    // A symlinked hook of ours is replaced by a file rather than written through.
    if exists && !kept {
        let _ = fs::remove_file(hook);
    }
    fs::write(hook, &text).map_err(|error| format!("cannot write {}: {error}", hook.display()))?;
    make_executable(hook).map_err(|error| format!("cannot make {} executable: {error}", hook.display()))?;
    let mut message = format!(
        "installed the sg-lsp pre-commit hook: {}\nit blocks commits with error-severity findings; skip it once with `git commit --no-verify`",
        hook.display()
    );
    if kept {
        let _ = write!(message, "\nthe previous hook was kept as {} and runs first", backup.display());
    }
    Ok(message)
}

fn uninstall(hook: &Path, backup: &Path) -> Result<String, String> {
    let exists = hook.symlink_metadata().is_ok();
    if exists && !is_ours(hook) {
        return Err(format!("{} was not installed by sg-lsp; left alone", hook.display()));
    }
    if exists {
        fs::remove_file(hook).map_err(|error| format!("cannot remove {}: {error}", hook.display()))?;
    }
    if backup.symlink_metadata().is_ok() {
        fs::rename(backup, hook)
            .map_err(|error| format!("cannot restore {} from {BACKUP}: {error}", hook.display()))?;
        return Ok(format!(
            "removed the sg-lsp pre-commit hook and restored the previous one: {}",
            hook.display()
        ));
    }
    if exists {
        Ok(format!("removed the sg-lsp pre-commit hook: {}", hook.display()))
    } else {
        Ok(format!("no sg-lsp pre-commit hook at {}; nothing to remove", hook.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_quotes_the_path_and_carries_the_signature() {
        let text = script(Some(Path::new("/opt/it's here/sg-lsp")));
        assert!(text.starts_with("#!/bin/sh\n"));
        assert!(text.lines().any(|line| line == SIGNATURE));
        assert!(text.contains(r"sg_lsp='/opt/it'\''s here/sg-lsp'"), "{text}");
        assert!(text.contains("review-commit --staged --fail-on error"));
        assert!(text.contains("git commit --no-verify"));
        assert!(script(None).contains("sg_lsp=sg-lsp\n"));
    }
}
