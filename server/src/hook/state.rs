//! Per-session state: one small JSON file per session, read and written under a lock, replaced
//! atomically, bounded in size, and pruned after 30 days.
//!
//! The state dir is shared with the original plugin (`~/.claude/security`), so this hook's files carry
//! their own prefix and never touch the original's.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::failure::{Code, Failure};
use super::switches::env_value;

const PREFIX: &str = "sg-lsp-session-";
/// A state file larger than this is not ours to trust.
const MAX_STATE_BYTES: u64 = 1024 * 1024;
/// Bounds of the lists kept in a session file.
const MAX_SHOWN: usize = 2000;
const MAX_TOUCHED: usize = 200;
const MAX_TOUCHED_PATH: usize = 1024;
const MAX_BASH_SEEN: usize = 64;
/// How long a Bash `tool_use_id` is remembered (Claude Code runs one hook per matching `if` rule
/// at about the same time).
const BASH_SEEN_TTL: u64 = 10 * 60;
/// Files older than this are deleted.
const PRUNE_AGE: Duration = Duration::from_secs(30 * 24 * 3600);
/// A lock held longer than this belongs to a dead process.
const STALE_LOCK: Duration = Duration::from_secs(10);
/// How long to wait for another hook of the same session to finish with the state.
const LOCK_WAIT: Duration = Duration::from_millis(300);

/// `SECURITY_WARNINGS_STATE_DIR`, else `$CLAUDE_CONFIG_DIR/security`, else `~/.claude/security`.
pub(crate) fn state_dir() -> Option<PathBuf> {
    if let Some(dir) = env_value("SECURITY_WARNINGS_STATE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(config) = env_value("CLAUDE_CONFIG_DIR") {
        return Some(Path::new(&config).join("security"));
    }
    let home = env_value("HOME").or_else(|| env_value("USERPROFILE"))?;
    Some(Path::new(&home).join(".claude").join("security"))
}

/// What one session remembers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct SessionData {
    pub(crate) version: u32,
    /// De-duplication keys of pattern findings already reported, oldest first.
    pub(crate) shown: Vec<String>,
    /// Paths edited since the last review (for the Stop review).
    pub(crate) touched: Vec<String>,
    /// The git baseline of the current turn.
    pub(crate) baseline: Option<Baseline>,
    pub(crate) stop: StopState,
    /// Bash `tool_use_id`s already handled, with the time they were seen.
    pub(crate) bash_seen: Vec<(String, u64)>,
    pub(crate) commit: CommitState,
}

/// The commit review's rate limit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct CommitState {
    /// When the reviews of the last hour started (at most `commit::MAX_PER_HOUR`).
    pub(crate) reviews: Vec<u64>,
    /// When the rate-limit note was last said (once per window).
    pub(crate) rate_noted: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Baseline {
    /// A commit object holding HEAD plus the dirty files at the start of the turn.
    pub(crate) sha: String,
    /// HEAD at that moment.
    pub(crate) head: String,
    pub(crate) at: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct StopState {
    /// Reviews fired in a row by Stop hooks of this turn.
    pub(crate) fires: u32,
    pub(crate) last_fire: u64,
    /// When a Stop review started and has not reported back yet (0: none running).
    pub(crate) running: u64,
}

impl SessionData {
    /// Marks a finding as reported; false when it already was.
    pub(crate) fn mark_shown(&mut self, key: &str) -> bool {
        if self.shown.iter().any(|k| k == key) {
            return false;
        }
        self.shown.push(key.to_owned());
        let excess = self.shown.len().saturating_sub(MAX_SHOWN);
        self.shown.drain(..excess);
        true
    }

    pub(crate) fn touch(&mut self, path: &str) {
        if path.len() > MAX_TOUCHED_PATH || self.touched.iter().any(|p| p == path) {
            return;
        }
        self.touched.push(path.to_owned());
        let excess = self.touched.len().saturating_sub(MAX_TOUCHED);
        self.touched.drain(..excess);
    }

    /// Claims a Bash `tool_use_id`; false when another hook run already did.
    pub(crate) fn claim_bash(&mut self, id: &str, now: u64) -> bool {
        self.bash_seen.retain(|(_, at)| now.saturating_sub(*at) < BASH_SEEN_TTL);
        if self.bash_seen.iter().any(|(seen, _)| seen == id) {
            return false;
        }
        self.bash_seen.push((id.to_owned(), now));
        let excess = self.bash_seen.len().saturating_sub(MAX_BASH_SEEN);
        self.bash_seen.drain(..excess);
        true
    }
}

/// The session file, locked while this value lives.
pub(crate) struct Session {
    path: PathBuf,
    _lock: Lock,
    pub(crate) data: SessionData,
}

impl Session {
    /// Locks and reads the session file, creating the state dir when needed. A corrupt file is
    /// replaced by an empty state, reported in the second value.
    pub(crate) fn open(dir: &Path, key: &str) -> Result<(Session, Option<Failure>), Failure> {
        fs::create_dir_all(dir).map_err(|e| unwritable(dir, &e))?;
        maybe_prune(dir);
        let path = dir.join(format!("{PREFIX}{key}.json"));
        let lock = Lock::acquire(&path.with_extension("lock"))?;
        let mut note = None;
        let data = match read_bounded(&path) {
            Ok(None) => SessionData::default(),
            Ok(Some(bytes)) => serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                note = Some(Failure::new(
                    Code::StateCorrupt,
                    "the session state file was corrupt; started afresh",
                ));
                SessionData::default()
            }),
            Err(e) => {
                note = Some(Failure::new(
                    Code::StateCorrupt,
                    format!("the session state file was unreadable ({e}); started afresh"),
                ));
                SessionData::default()
            }
        };
        Ok((Session { path, _lock: lock, data }, note))
    }

    /// Writes the state atomically (a temporary file renamed over the old one) and unlocks.
    pub(crate) fn save(mut self) -> Result<(), Failure> {
        self.data.version = 1;
        let bytes = serde_json::to_vec(&self.data).unwrap_or_default();
        let temp = self.path.with_extension(format!("tmp.{}", std::process::id()));
        let written = private_file(&temp)
            .and_then(|mut file| file.write_all(&bytes))
            .and_then(|()| fs::rename(&temp, &self.path));
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(unwritable(&self.path, &e));
        }
        Ok(())
    }
}

/// Creates (truncates) a file readable by its owner only: state holds paths of the user's projects.
fn private_file(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

fn unwritable(path: &Path, error: &std::io::Error) -> Failure {
    Failure::new(
        Code::StateUnwritable,
        format!(
            "cannot write state in {} ({error}); warnings are not de-duplicated (set SECURITY_WARNINGS_STATE_DIR)",
            path.display()
        ),
    )
}

/// The file's bytes, `None` when it does not exist; an oversized file is an error.
fn read_bounded(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    match fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
        Ok(meta) if meta.len() > MAX_STATE_BYTES => {
            return Err(std::io::Error::other(format!("{} bytes is over the limit", meta.len())));
        }
        Ok(_) => {}
    }
    fs::read(path).map(Some)
}

/// An exclusive lock file (`O_EXCL`), removed on drop; works the same on every platform.
struct Lock(PathBuf);

impl Lock {
    fn acquire(path: &Path) -> Result<Lock, Failure> {
        let deadline = std::time::Instant::now() + LOCK_WAIT;
        loop {
            match OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(mut file) => {
                    let _ = write!(file, "{}", std::process::id());
                    return Ok(Lock(path.to_owned()));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if age(path).is_some_and(|age| age > STALE_LOCK) {
                        let _ = fs::remove_file(path);
                        continue;
                    }
                    if std::time::Instant::now() >= deadline {
                        return Err(Failure::new(
                            Code::StateLocked,
                            "another sg-lsp hook held the session state; warnings are not de-duplicated this time",
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(unwritable(path, &e)),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

fn age(path: &Path) -> Option<Duration> {
    SystemTime::now().duration_since(fs::metadata(path).ok()?.modified().ok()?).ok()
}

/// On about one run in ten, deletes this hook's state files (and leftovers) older than 30 days.
fn maybe_prune(dir: &Path) {
    if now_nanos() % 10 != 0 {
        return;
    }
    prune(dir, PRUNE_AGE);
}

pub(crate) fn prune(dir: &Path, older_than: Duration) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(PREFIX) {
            continue;
        }
        if age(&entry.path()).is_some_and(|age| age > older_than) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Seconds since the Unix epoch.
pub(crate) use crate::clock::now;

fn now_nanos() -> u32 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sg-lsp-state-test-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn round_trips_and_bounds_the_lists() {
        let dir = temp_dir("round");
        let (mut session, note) = Session::open(&dir, "s1").unwrap();
        assert!(note.is_none());
        for i in 0..MAX_SHOWN + 5 {
            assert!(session.data.mark_shown(&format!("k{i}")));
        }
        assert!(!session.data.mark_shown(&format!("k{}", MAX_SHOWN + 4)));
        assert_eq!(session.data.shown.len(), MAX_SHOWN);
        assert_eq!(session.data.shown[0], "k5");
        session.save().unwrap();
        let (session, _) = Session::open(&dir, "s1").unwrap();
        assert_eq!(session.data.shown.len(), MAX_SHOWN);
        drop(session);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn corrupt_state_starts_afresh_with_a_note() {
        let dir = temp_dir("corrupt");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("sg-lsp-session-s.json"), "{not json").unwrap();
        let (session, note) = Session::open(&dir, "s").unwrap();
        assert_eq!(session.data, SessionData::default());
        assert_eq!(note.unwrap().code, Code::StateCorrupt);
        drop(session);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_held_lock_times_out_and_a_stale_one_is_broken() {
        let dir = temp_dir("lock");
        let (held, _) = Session::open(&dir, "s").unwrap();
        assert_eq!(Session::open(&dir, "s").err().unwrap().code, Code::StateLocked);
        drop(held);
        assert!(Session::open(&dir, "s").is_ok());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bash_ids_are_claimed_once_and_expire() {
        let mut data = SessionData::default();
        assert!(data.claim_bash("t1", 100));
        assert!(!data.claim_bash("t1", 101));
        assert!(data.claim_bash("t1", 100 + BASH_SEEN_TTL));
    }

    #[test]
    fn prunes_only_old_files_of_this_hook() {
        let dir = temp_dir("prune");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("sg-lsp-session-old.json"), "{}").unwrap();
        fs::write(dir.join("security_warnings_state_x.json"), "{}").unwrap();
        prune(&dir, Duration::ZERO);
        assert!(!dir.join("sg-lsp-session-old.json").exists());
        assert!(dir.join("security_warnings_state_x.json").exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
