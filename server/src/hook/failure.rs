//! Failure classes of the hook with stable codes (for the debug log, `doctor`, and tests).
//!
//! None of these is an exit 2: each ends the hook with exit 0 and one line on stderr.

use std::fmt;

use crate::llm::FailureCode;

/// Why the hook could not do (all of) its job. The `as_str` names are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Code {
    /// stdin was empty or could not be read.
    BadStdin,
    /// stdin was not JSON.
    BadJson,
    /// stdin was JSON but not one object with a `hook_event_name`.
    BadEvent,
    /// an event name this version does not know.
    UnknownEvent,
    /// the tool input lacks what the tool always sends (a path, the content).
    BadToolInput,
    /// the edited file is gone (deleted, renamed, or the tool failed).
    FileMissing,
    /// the edited file could not be read.
    FileUnreadable,
    /// the file is over the size limit; skipped.
    TooLarge,
    /// the state dir could not be created or written: no de-duplication this time.
    StateUnwritable,
    /// the state file held garbage; started afresh.
    StateCorrupt,
    /// another hook held the state lock too long: no de-duplication this time.
    StateLocked,
    /// the time budget ran out; the scan fell back to regex rules only.
    Timeout,
    /// the address-space limit is too tight to parse; the scan fell back to regex rules only.
    MemoryTight,
    /// a git command failed or timed out (baseline capture).
    Git,
    /// a configuration value was not understood.
    BadConfig,
    /// a bug: the hook panicked.
    Panic,
    /// the LLM review failed or could not start (no credentials, network, auth, timeout, a bad
    /// answer, ...): the LLM layer's own stable code.
    Llm(FailureCode),
    /// the review layer is in its cooldown window after a failure that repeats.
    CoolingDown,
    /// this binary cannot review (the slim `sg-lsp-hook` without a full `sg-lsp` to hand the event to).
    ReviewUnavailable,
    /// the review could not run for another reason (no thread, no runtime, a panic inside it).
    ReviewFailed,
    /// the review process was killed by a signal.
    SignalKilled,
    /// the review process ran out of memory (address-space limit).
    Oom,
    /// the commit review's hourly limit per session is reached; this commit is not reviewed.
    CommitRateLimit,
}

impl Code {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Code::BadStdin => "bad_stdin",
            Code::BadJson => "bad_json",
            Code::BadEvent => "bad_event",
            Code::UnknownEvent => "unknown_event",
            Code::BadToolInput => "bad_tool_input",
            Code::FileMissing => "file_missing",
            Code::FileUnreadable => "file_unreadable",
            Code::TooLarge => "too_large",
            Code::StateUnwritable => "state_unwritable",
            Code::StateCorrupt => "state_corrupt",
            Code::StateLocked => "state_locked",
            Code::Timeout => "timeout",
            Code::MemoryTight => "memory_tight",
            Code::Git => "git",
            Code::BadConfig => "bad_config",
            Code::Panic => "panic",
            Code::Llm(code) => code.as_str(),
            Code::CoolingDown => "cooling_down",
            Code::ReviewUnavailable => "review_unavailable",
            Code::ReviewFailed => "review_failed",
            Code::SignalKilled => "signal_killed",
            Code::Oom => "oom",
            Code::CommitRateLimit => "commit_rate_limit",
        }
    }
}

/// One failure: its class and a short human explanation (no file contents, no secrets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) code: Code,
    pub(crate) detail: String,
}

impl Failure {
    pub(crate) fn new(code: Code, detail: impl Into<String>) -> Failure {
        Failure { code, detail: detail.into() }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.detail, self.code.as_str())
    }
}

/// All problems as the one stderr line, or `None` when there were none.
pub(crate) fn stderr_line(problems: &[Failure]) -> Option<String> {
    if problems.is_empty() {
        return None;
    }
    let joined = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
    // One line, whatever a detail held.
    Some(format!("sg-lsp hook: {}", joined.replace(['\n', '\r'], " ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_join_into_one_line() {
        assert_eq!(stderr_line(&[]), None);
        let line = stderr_line(&[
            Failure::new(Code::BadJson, "stdin is not JSON:\nexpected value"),
            Failure::new(Code::StateLocked, "state busy"),
        ]);
        assert_eq!(
            line.as_deref(),
            Some("sg-lsp hook: stdin is not JSON: expected value [bad_json]; state busy [state_locked]")
        );
    }
}
