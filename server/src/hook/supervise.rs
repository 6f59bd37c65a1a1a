//! Under an address-space limit (`ulimit -v`) the hook runs its work in a child process and watches
//! it: an allocation failure aborts a process (neither Rust nor tree-sitter can recover from one), so
//! when the child dies the parent, which holds nothing but the event, tries again with less — without
//! the rules that have no literals, then without the tree, then both — and, if nothing fits, says so in
//! one stderr line and exits 0. Without a limit none of this happens: the hook works in-process.

use std::io::Write as _;
use std::process::{Command, Stdio};

use super::failure::{Code, Failure};

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

/// Runs the event in children, from the fullest mode down, until one finishes. `Err` when no child
/// could be started at all (the caller then works in-process).
pub(crate) fn run(event: &[u8]) -> Result<Supervised, Failure> {
    let exe = std::env::current_exe()
        .map_err(|e| Failure::new(Code::MemoryTight, format!("cannot find the hook binary ({e})")))?;
    let mut deaths = Vec::new();
    for mode in Mode::ALL {
        let spawned = Command::new(&exe)
            .arg("hook")
            .env(CHILD_ENV, mode.name())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) if deaths.is_empty() => {
                return Err(Failure::new(Code::MemoryTight, format!("cannot start the hook's worker ({e})")));
            }
            Err(e) => {
                deaths.push((mode.name(), format!("not started ({e})")));
                break;
            }
        };
        // The child reads all of stdin before it writes anything, so this cannot deadlock; a child that
        // dies early closes the pipe, which is not an error here.
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(event);
        }
        let Ok(output) = child.wait_with_output() else {
            deaths.push((mode.name(), "lost".into()));
            continue;
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
            other => deaths.push((mode.name(), describe(other, output.status))),
        }
    }
    Ok(Supervised {
        stdout: Vec::new(),
        stderr: super::failure::stderr_line(&[Failure::new(
            Code::MemoryTight,
            "the address-space limit (ulimit -v) is too tight for any scan: nothing was checked",
        )])
        .map(|line| format!("{line}\n").into_bytes())
        .unwrap_or_default(),
        exit: 0,
        deaths,
    })
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
