//! Under an address-space limit (`ulimit -v`) the hook runs its work in a child process and watches
//! it: an allocation failure aborts a process (neither Rust nor tree-sitter can recover from one), so
//! when the child dies the parent, which holds nothing but the event, tries again with less — without
//! the rules that have no literals, then without the tree, then both — and, if nothing fits, says so in
//! one stderr line and exits 0. Without a limit none of this happens: the hook works in-process.
//!
//! Only the file-tool events have lesser modes to fall back to. Any other event gets one child: a
//! Stop review killed by a signal or out of memory would die the same way again, so it is not
//! retried; its death writes a cooldown marker (`oom` / `signal_killed:N`) and the next Stops skip
//! with a one-line note until the window ends (SPEC §4).
//!
//! A commit review (`PostToolUse` of a Bash commit) is supervised the same way, with its own cooldown
//! layer (`commit-review`).
//!
//! The slim `sg-lsp-hook` hands review events (Stop and commit reviews) to the full `sg-lsp` the same
//! way ([`delegate`]), and a review killed there is handled alike.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use super::failure::{Code, Failure};
use crate::llm::cooldown;

/// The environment variable that makes a hook process a supervised child, holding its [`Mode`].
pub(crate) const CHILD_ENV: &str = "SG_HOOK_CHILD";

/// How much a (child) hook process may attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Everything: the whole-file tree and every rule that can match.
    Full,
    /// The tree, but only the rules whose literals occur in the file (the rules without literals have
    /// the largest regexes).
    Literal,
    /// No syntax tree: regex rules only.
    RegexOnly,
    /// Regex rules only, and only those whose literals occur in the file.
    Minimal,
}

impl Mode {
    const ALL: [Mode; 4] = [Mode::Full, Mode::Literal, Mode::RegexOnly, Mode::Minimal];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::Literal => "literal",
            Mode::RegexOnly => "regex-only",
            Mode::Minimal => "minimal",
        }
    }

    /// The mode this process was started in (`Full` when it is not a supervised child).
    pub(crate) fn from_env() -> Mode {
        match std::env::var(CHILD_ENV).as_deref() {
            Ok("literal") => Mode::Literal,
            Ok("regex-only") => Mode::RegexOnly,
            Ok("minimal") => Mode::Minimal,
            _ => Mode::Full,
        }
    }
}

/// Whether this process should supervise a child rather than work itself.
pub(crate) fn wanted() -> bool {
    std::env::var_os(CHILD_ENV).is_none() && super::limits::address_space_limit().is_some()
}

/// What the supervisor ends with: the successful child's output, or the failures of all of them.
pub(crate) struct Supervised {
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
    pub(crate) exit: u8,
    /// Children that died, as (mode, how).
    pub(crate) deaths: Vec<(&'static str, String)>,
}

/// The event's name and tool, read without keeping anything else of the payload (it can hold a
/// whole file, and under `ulimit -v` every copy counts).
#[derive(Deserialize, Default)]
struct Peek {
    #[serde(default)]
    hook_event_name: String,
    #[serde(default)]
    tool_name: String,
    #[serde(default)]
    tool_input: PeekInput,
}

/// A Bash call's command (nothing else of the tool input is kept).
#[derive(Deserialize, Default)]
struct PeekInput {
    #[serde(default)]
    command: Option<String>,
}

/// Which review an event asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Review {
    /// `Stop` / `SubagentStop`: the diff review.
    Stop,
    /// `PostToolUse` of a Bash `git commit` / `gt create` / `gt modify`: the commit review.
    Commit,
}

impl Peek {
    fn review(&self) -> Option<Review> {
        match (self.hook_event_name.as_str(), self.tool_name.as_str()) {
            ("Stop" | "SubagentStop", _) => Some(Review::Stop),
            ("PostToolUse", "Bash")
                if super::review::commit_command(self.tool_input.command.as_deref().unwrap_or_default())
                    .is_some() =>
            {
                Some(Review::Commit)
            }
            _ => None,
        }
    }
}

fn peek(event: &[u8]) -> Peek {
    serde_json::from_slice(event).unwrap_or_default()
}

/// Whether the event asks for an LLM review (`Stop`, `SubagentStop`, a Bash commit's `PostToolUse`).
pub(crate) fn is_review_event(event: &[u8]) -> bool {
    peek(event).review().is_some()
}

/// Whether the event is a file-tool scan, which has lesser modes to fall back to.
fn has_lesser_modes(peek: &Peek) -> bool {
    matches!(peek.hook_event_name.as_str(), "PreToolUse" | "PostToolUse")
        && matches!(peek.tool_name.as_str(), "Write" | "Edit" | "MultiEdit" | "NotebookEdit")
}

/// Runs the event in children, from the fullest mode down, until one finishes. `Err` when no child
/// could be started at all (the caller then works in-process).
pub(crate) fn run(event: &[u8]) -> Result<Supervised, Failure> {
    let exe = std::env::current_exe()
        .map_err(|e| Failure::new(Code::MemoryTight, format!("cannot find the hook binary ({e})")))?;
    let peek = peek(event);
    let modes: &[Mode] = if has_lesser_modes(&peek) { &Mode::ALL } else { &Mode::ALL[..1] };
    let review = peek.review();
    let mut deaths = Vec::new();
    for &mode in modes {
        let mut command = Command::new(&exe);
        command.arg("hook").env(CHILD_ENV, mode.name());
        let output = match run_child(command, event) {
            Ok(output) => output,
            Err(e) if deaths.is_empty() => {
                return Err(Failure::new(Code::MemoryTight, format!("cannot start the hook's worker ({e})")));
            }
            Err(e) => {
                deaths.push((mode.name(), format!("not started ({e})")));
                break;
            }
        };
        match output.status.code() {
            Some(code @ (0 | 2)) => {
                return Ok(Supervised {
                    stdout: output.stdout,
                    stderr: output.stderr,
                    exit: u8::try_from(code).unwrap_or(0),
                    deaths,
                });
            }
            other => {
                deaths.push((mode.name(), describe(other, output.status)));
                if let Some(review) = review {
                    return Ok(review_died(
                        review,
                        event,
                        &output,
                        deaths,
                        "under the address-space limit (ulimit -v)",
                    ));
                }
            }
        }
    }
    let what = if has_lesser_modes(&peek) {
        "the address-space limit (ulimit -v) is too tight for any scan: nothing was checked"
    } else {
        "the hook's worker died under the address-space limit (ulimit -v): nothing was done"
    };
    Ok(Supervised {
        stdout: Vec::new(),
        stderr: line(&Failure::new(Code::MemoryTight, what)),
        exit: 0,
        deaths,
    })
}

/// The slim binary's hand-over of a review event to the full `sg-lsp hook`. `None` when there is no
/// full binary (the caller then says so in one line) or it cannot be started.
pub(crate) fn delegate(event: &[u8]) -> Option<Supervised> {
    let full = full_binary()?;
    let mut command = Command::new(full);
    // The full binary decides about supervision itself.
    command.arg("hook").env_remove(CHILD_ENV);
    let output = run_child(command, event).ok()?;
    let mut deaths = Vec::new();
    match output.status.code() {
        Some(code @ (0 | 2)) => Some(Supervised {
            stdout: output.stdout,
            stderr: output.stderr,
            exit: u8::try_from(code).unwrap_or(0),
            deaths,
        }),
        other => {
            deaths.push(("sg-lsp", describe(other, output.status)));
            let review = peek(event).review().unwrap_or(Review::Stop);
            Some(review_died(review, event, &output, deaths, ""))
        }
    }
}

/// `sg-lsp` next to this binary (the symlink resolved), else on PATH; never this binary itself.
fn full_binary() -> Option<PathBuf> {
    let name = format!("sg-lsp{}", std::env::consts::EXE_SUFFIX);
    let me = std::env::current_exe().ok();
    let me_real = me.as_ref().and_then(|p| std::fs::canonicalize(p).ok());
    let beside = me_real.as_ref().and_then(|p| p.parent()).map(|dir| dir.join(&name));
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).map(|dir| dir.join(&name)).collect::<Vec<_>>())
        .unwrap_or_default();
    beside.into_iter().chain(on_path).find(|candidate| {
        candidate.is_file() && std::fs::canonicalize(candidate).ok().as_ref() != me_real.as_ref()
    })
}

fn run_child(mut command: Command, event: &[u8]) -> std::io::Result<std::process::Output> {
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    // The child reads all of stdin before it writes anything, so this cannot deadlock; a child that
    // dies early closes the pipe, which is not an error here.
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(event);
    }
    child.wait_with_output()
}

/// A review process died: the cooldown (when the death will repeat), its running mark cleared, and the
/// one line saying so. Its own output (a crash report) is not passed on.
fn review_died(
    review: Review,
    event: &[u8],
    output: &std::process::Output,
    deaths: Vec<(&'static str, String)>,
    context: &str,
) -> Supervised {
    let signal = signal_of(output.status);
    let out_of_memory = String::from_utf8_lossy(&output.stderr).contains("memory allocation of");
    let failure = if out_of_memory {
        Some((
            Code::Oom,
            cooldown::Failure::oom(format!("the review ran out of memory {context}").trim_end().to_owned()),
        ))
    } else {
        // SIGTERM, SIGINT, SIGHUP, SIGPIPE: someone stopped it (Claude Code tearing down); no cooldown.
        signal.filter(|n| ![1, 2, 13, 15].contains(n)).map(|n| {
            (
                Code::SignalKilled,
                cooldown::Failure::signal_killed(n, format!("the review was killed by signal {n}")),
            )
        })
    };
    let state = super::state::state_dir();
    let layer = match review {
        Review::Stop => {
            clear_running(event, state.as_deref());
            &super::llm_failure::STOP_REVIEW
        }
        Review::Commit => &super::llm_failure::COMMIT_REVIEW,
    };
    let text = if let (Some((code, failure)), Some(dir)) = (&failure, &state) {
        let (text, _) =
            super::llm_failure::record(layer, dir, failure, &failure.message, super::state::now());
        Failure::new(*code, text)
    } else {
        let how = signal.map_or_else(
            || format!("exited with status {}", output.status.code().unwrap_or(-1)),
            |n| format!("was killed by signal {n}"),
        );
        Failure::new(
            Code::SignalKilled,
            format!("{} stopped: the review process {how}; {}", layer.what, layer.retry()),
        )
    };
    Supervised { stdout: Vec::new(), stderr: line(&text), exit: 0, deaths }
}

/// Clears the running mark a dead review left in its session, so the next Stop is not held back.
fn clear_running(event: &[u8], state: Option<&Path>) {
    let (Some(dir), Ok(payload)) = (state, super::input::Payload::parse(event.to_vec())) else { return };
    if let Ok((mut session, _)) = super::state::Session::open(dir, &payload.session_key()) {
        session.data.stop.running = 0;
        let _ = session.save();
    }
}

fn line(failure: &Failure) -> Vec<u8> {
    super::failure::stderr_line(std::slice::from_ref(failure))
        .map(|line| format!("{line}\n").into_bytes())
        .unwrap_or_default()
}

fn signal_of(status: std::process::ExitStatus) -> Option<i32> {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        status.signal()
    }
    #[cfg(not(unix))]
    {
        let _ = status;
        None
    }
}

fn describe(code: Option<i32>, status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(signal) = status.signal() {
            return format!("signal_killed:{signal}");
        }
    }
    let _ = status;
    format!("exit:{}", code.unwrap_or(-1))
}
