//! `UserPromptSubmit`: records the turn's git baseline, a commit object of HEAD plus the dirty files,
//! for the Stop review to diff against.
//!
//! The user's index, stash and refs are never touched: the snapshot is built in a temporary copy of
//! the index (`GIT_INDEX_FILE`) and written as an unreferenced commit (git's gc collects it).

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::failure::{Code, Failure};
use super::input::Payload;
use super::state::{Baseline, Session, now};
use super::{Context, Reply};

/// All git work of one baseline must finish within this (`UserPromptSubmit` hooks time out at 30 s).
const GIT_BUDGET: Duration = Duration::from_secs(10);
/// Untracked files taken into the snapshot: at most this many, each at most this large.
const MAX_UNTRACKED: usize = 200;
const MAX_UNTRACKED_BYTES: u64 = 1024 * 1024;

pub(crate) fn user_prompt_submit(context: &Context, payload: &Payload) -> Reply {
    let mut reply = Reply::default();
    if !context.switches.stop_review {
        reply.fact("skip", "stop_review_off");
        return reply;
    }
    let Some(cwd) = payload.cwd.clone().or_else(|| context.project_dir.clone()) else {
        reply.fact("skip", "no_cwd");
        return reply;
    };
    let Some(dir) = &context.state_dir else {
        reply.problems.push(Failure::new(
            Code::StateUnwritable,
            "no state dir (HOME is unset); set SECURITY_WARNINGS_STATE_DIR",
        ));
        return reply;
    };
    let (mut session, note) = match Session::open(dir, &payload.session_key()) {
        Ok(opened) => opened,
        Err(failure) => {
            reply.problems.push(failure);
            return reply;
        }
    };
    reply.problems.extend(note);
    // A new prompt starts a new turn: its fires count afresh (a review still running keeps its mark).
    session.data.stop =
        super::state::StopState { running: session.data.stop.running, ..super::state::StopState::default() };
    let reviewing = super::stop::running(session.data.stop.running, now());
    if (!session.data.touched.is_empty() || reviewing) && session.data.baseline.is_some() {
        // The previous turn's changes were not reviewed yet (or their review is still running): keep
        // its baseline so they still are.
        reply.fact("baseline", "kept");
    } else {
        match capture(&cwd) {
            Ok(Some(baseline)) => {
                reply.fact("baseline", if baseline.sha == baseline.head { "head" } else { "snapshot" });
                session.data.baseline = Some(baseline);
            }
            Ok(None) => {
                reply.fact("baseline", "none");
                session.data.baseline = None;
            }
            Err(failure) => {
                session.data.baseline = None;
                reply.problems.push(failure);
            }
        }
    }
    if let Err(failure) = session.save() {
        reply.problems.push(failure);
    }
    reply
}

/// The baseline of the work tree at `cwd`: `None` outside a repository or before the first commit.
pub(crate) fn capture(cwd: &Path) -> Result<Option<Baseline>, Failure> {
    let git = Git { cwd: cwd.to_owned(), deadline: Instant::now() + GIT_BUDGET, index: None };
    let Ok(head) = git.text(["rev-parse", "--verify", "-q", "HEAD^{commit}"]) else { return Ok(None) };
    let index_path = git.text(["rev-parse", "--path-format=absolute", "--git-path", "index"])?;
    let temp = TempFile::new("index");
    if Path::new(&index_path).exists() {
        // Copying keeps git's stat cache: only changed files are hashed again.
        std::fs::copy(&index_path, &temp.0)
            .map_err(|e| git_failure(&format!("cannot copy the index ({e})")))?;
    } else {
        git.run_with(None, ["read-tree", "HEAD"], Some(&temp.0))?;
    }
    let git = Git { index: Some(temp.0.clone()), ..git };
    git.text(["add", "--update", "--", ":/"])?;
    let untracked = git.bytes(["ls-files", "--others", "--exclude-standard", "-z", "--", ":/"])?;
    let top = PathBuf::from(git.text(["rev-parse", "--show-toplevel"])?);
    let small: Vec<u8> = untracked
        .split(|&b| b == 0)
        .filter(|path| !path.is_empty())
        .take(MAX_UNTRACKED)
        .filter(|path| {
            let path = top.join(String::from_utf8_lossy(path).as_ref());
            std::fs::metadata(path).is_ok_and(|meta| meta.is_file() && meta.len() <= MAX_UNTRACKED_BYTES)
        })
        .flat_map(|path| path.iter().copied().chain([0]))
        .collect();
    if !small.is_empty() {
        let top_git = Git { cwd: top, ..git.clone() };
        top_git.run_with(
            Some(&small),
            ["add", "--pathspec-from-file=-", "--pathspec-file-nul", "--"],
            None,
        )?;
    }
    let tree = git.text(["write-tree"])?;
    let head_tree = git.text(["rev-parse", "HEAD^{tree}"])?;
    let sha = if tree == head_tree {
        head.clone()
    } else {
        git.text(["commit-tree", &tree, "-p", &head, "-m", "sg-lsp turn baseline"])?
    };
    Ok(Some(Baseline { sha, head, at: now() }))
}

/// A temporary file path, removed (with a git `.lock` beside it) on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(what: &str) -> TempFile {
        use std::sync::atomic::{AtomicU32, Ordering};
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        TempFile(std::env::temp_dir().join(format!("sg-lsp-{what}-{}-{nanos}-{n}", std::process::id())))
    }

    fn create(what: &str, contents: &[u8]) -> Result<TempFile, Failure> {
        let file = TempFile::new(what);
        std::fs::write(&file.0, contents)
            .map_err(|e| git_failure(&format!("cannot write a temporary file ({e})")))?;
        Ok(file)
    }

    fn open(&self) -> Result<File, Failure> {
        File::open(&self.0).map_err(|e| git_failure(&format!("cannot open a temporary file ({e})")))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        let mut lock = self.0.as_os_str().to_owned();
        lock.push(".lock");
        let _ = std::fs::remove_file(lock);
    }
}

#[derive(Clone)]
struct Git {
    cwd: PathBuf,
    deadline: Instant,
    /// The temporary index, once there is one.
    index: Option<PathBuf>,
}

impl Git {
    fn text<const N: usize>(&self, args: [&str; N]) -> Result<String, Failure> {
        let out = self.bytes(args)?;
        Ok(String::from_utf8_lossy(&out).trim().to_owned())
    }

    fn bytes<const N: usize>(&self, args: [&str; N]) -> Result<Vec<u8>, Failure> {
        self.run_with(None, args, None)
    }

    /// Runs git with fixed, side-effect-free settings; `stdin` is fed to it; `index` overrides the
    /// temporary index.
    fn run_with<const N: usize>(
        &self,
        stdin: Option<&[u8]>,
        args: [&str; N],
        index: Option<&Path>,
    ) -> Result<Vec<u8>, Failure> {
        let mut command = Command::new("git");
        command
            .current_dir(&self.cwd)
            .args([
                "-c",
                "core.fsmonitor=false",
                "-c",
                "core.hooksPath=/dev/null",
                "-c",
                "core.quotePath=false",
            ])
            .args(["-c", "gc.auto=0", "-c", "maintenance.auto=false"])
            .args(args)
            .env("GIT_OPTIONAL_LOCKS", "0")
            .env("GIT_TERMINAL_PROMPT", "0")
            // commit-tree needs an identity; this one never reaches a ref.
            .env("GIT_AUTHOR_NAME", "sg-lsp")
            .env("GIT_AUTHOR_EMAIL", "sg-lsp@localhost")
            .env("GIT_COMMITTER_NAME", "sg-lsp")
            .env("GIT_COMMITTER_EMAIL", "sg-lsp@localhost")
            .env_remove("GIT_INDEX_FILE");
        if let Some(index) = index.or(self.index.as_deref()) {
            command.env("GIT_INDEX_FILE", index);
        }
        let output = run_until(command, stdin, self.deadline)?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let first = stderr.lines().next().unwrap_or("no message");
            return Err(git_failure(&format!("git {} failed: {first}", args_summary(&args))));
        }
        Ok(output.stdout)
    }
}

fn args_summary<S: AsRef<OsStr>>(args: &[S]) -> String {
    args.first().map(|a| a.as_ref().to_string_lossy().into_owned()).unwrap_or_default()
}

fn git_failure(detail: &str) -> Failure {
    Failure::new(Code::Git, format!("no baseline for this turn: {detail}"))
}

/// Runs a command to completion, killing it at the deadline. Output goes to temporary files rather
/// than pipes, so a single thread can poll for exit without the child blocking on a full pipe.
fn run_until(mut command: Command, stdin: Option<&[u8]>, deadline: Instant) -> Result<Output, Failure> {
    let input = stdin.map(|bytes| TempFile::create("stdin", bytes)).transpose()?;
    let out = TempFile::create("stdout", b"")?;
    let err = TempFile::create("stderr", b"")?;
    let writable = |file: &TempFile| {
        OpenOptions::new()
            .write(true)
            .open(&file.0)
            .map_err(|e| git_failure(&format!("cannot open a temporary file ({e})")))
    };
    command.stdout(writable(&out)?).stderr(writable(&err)?);
    command.stdin(match &input {
        Some(file) => Stdio::from(file.open()?),
        None => Stdio::null(),
    });
    let mut child = command.spawn().map_err(|e| git_failure(&format!("cannot run git ({e})")))?;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(git_failure("git took too long"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(git_failure(&format!("waiting for git failed ({e})"))),
        }
    };
    let read = |file: &TempFile| {
        std::fs::read(&file.0).map_err(|e| git_failure(&format!("cannot read git output ({e})")))
    };
    Ok(Output { status, stdout: read(&out)?, stderr: read(&err)? })
}
