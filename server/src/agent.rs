//! The agentic commit review (SPEC §5, issue 6): a native tool-use loop over a commit's diff. Stage 1
//! investigates with sandboxed `Read`/`Grep`/`Glob` and reports candidates with their data-flow
//! trace; stage 2 tries to refute each candidate and keeps the survivors. Budgets (turns, tokens,
//! bytes read, wall clock) bound it; when stage 1 fails or runs out, the single-shot diff review of
//! the commit answers instead.
//!
//! Budgets: `SG_AGENTIC_MAX_TURNS` (default 18) is per stage (each stage is its own conversation, as
//! in the original plugin); input tokens (`SG_AGENTIC_MAX_INPUT_TOKENS`, default 400,000), bytes
//! returned by tools (`SG_AGENTIC_MAX_READ_BYTES`, default 2 MB) and wall clock
//! (`SG_AGENTIC_TIMEOUT_SECS`, default 180 s) are shared by the whole review. The last turn a budget
//! allows forces `report_findings`, so a review that runs low still reports what it found.
//!
//! Nothing here logs file contents, diffs, prompts or keys.

pub mod findings;
pub mod prompt;
pub mod report;
pub mod run;
pub mod sandbox;
pub mod tools;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use findings::{AgentFinding, TraceStep};
pub use report::{render as render_report, report_file_name};
pub use run::{review_commit, review_commit_blocking};

use crate::git::DiffTarget;
use crate::llm::{FailureCode, LlmError, Usage};
use crate::review::{ReviewError, ReviewedFile};

/// Limits of one commit review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budgets {
    /// Model turns per stage (`SG_AGENTIC_MAX_TURNS`).
    pub max_turns: u32,
    /// Input tokens (cache reads and writes included) over the whole review.
    pub max_input_tokens: u64,
    /// Bytes of tool results over the whole review.
    pub max_read_bytes: usize,
    /// Wall clock of the agent stages (`SG_AGENTIC_TIMEOUT_SECS`); the fallback review has its own.
    pub timeout: Duration,
}

impl Default for Budgets {
    fn default() -> Budgets {
        Budgets {
            max_turns: 18,
            max_input_tokens: 400_000,
            max_read_bytes: 2_000_000,
            timeout: Duration::from_secs(180),
        }
    }
}

impl Budgets {
    /// Defaults overridden by `SG_AGENTIC_MAX_TURNS`, `SG_AGENTIC_TIMEOUT_SECS`,
    /// `SG_AGENTIC_MAX_INPUT_TOKENS` and `SG_AGENTIC_MAX_READ_BYTES` (positive integers; anything else
    /// keeps the default).
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Budgets {
        fn positive(env: &impl Fn(&str) -> Option<String>, name: &str) -> Option<u64> {
            env(name).and_then(|v| v.trim().parse::<u64>().ok()).filter(|&n| n > 0)
        }
        let mut budgets = Budgets::default();
        if let Some(turns) = positive(&env, "SG_AGENTIC_MAX_TURNS") {
            budgets.max_turns = u32::try_from(turns).unwrap_or(u32::MAX);
        }
        if let Some(secs) = positive(&env, "SG_AGENTIC_TIMEOUT_SECS") {
            budgets.timeout = Duration::from_secs(secs);
        }
        if let Some(tokens) = positive(&env, "SG_AGENTIC_MAX_INPUT_TOKENS") {
            budgets.max_input_tokens = tokens;
        }
        if let Some(bytes) = positive(&env, "SG_AGENTIC_MAX_READ_BYTES") {
            budgets.max_read_bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
        }
        budgets
    }
}

/// Cancels a running review: checked between turns and raced against every model call, so a
/// cancelled review returns [`AgentError::Cancelled`] without waiting for the answer. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<CancelInner>);

#[derive(Debug, Default)]
struct CancelInner {
    flag: AtomicBool,
    notify: tokio::sync::Notify,
}

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    pub fn cancel(&self) {
        self.0.flag.store(true, Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.flag.load(Ordering::SeqCst)
    }

    /// Completes once [`Cancel::cancel`] has been called.
    pub async fn cancelled(&self) {
        loop {
            let notified = self.0.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// What to review and how.
#[derive(Clone, Debug)]
pub struct AgentRequest {
    /// A path inside the repository.
    pub root: PathBuf,
    /// `Commit(rev)` (a commit), `Staged` (what is about to be committed) or `Range(from, to)` (an
    /// amend's delta). The tools read the working tree; findings are checked against the new side.
    pub target: DiffTarget,
    /// Home directory for `~/.claude/claude-security-guidance.md`.
    pub home: Option<PathBuf>,
    /// Keep low-severity findings (dropped by default).
    pub keep_low: bool,
    /// For the fallback review: bypass its cache.
    pub no_cache: bool,
    /// For the fallback review: its cache directory (default `<git dir>/sg-lsp/review-cache/`).
    pub cache_dir: Option<PathBuf>,
    pub budgets: Budgets,
    pub cancel: Cancel,
    /// For `Staged`: read this index file instead of the repository's own (the `GIT_INDEX_FILE` git
    /// gives a pre-commit hook; relative to the working tree's top).
    pub index_file: Option<PathBuf>,
}

impl AgentRequest {
    /// A review of `target` in the repository at `root` with default budgets.
    pub fn new(root: impl Into<PathBuf>, target: DiffTarget) -> AgentRequest {
        AgentRequest {
            root: root.into(),
            target,
            home: None,
            keep_low: false,
            no_cache: false,
            cache_dir: None,
            budgets: Budgets::default(),
            cancel: Cancel::new(),
            index_file: None,
        }
    }
}

/// A stage of the review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// Stage 1: investigate with the tools and report candidates.
    Investigate,
    /// Stage 2: try to refute each candidate; survivors are reported.
    Refute,
    /// The single-shot diff review, after stage 1 failed or ran out of budget.
    Fallback,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Investigate => "investigate",
            Stage::Refute => "refute",
            Stage::Fallback => "fallback",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step of a running review, for `$/progress` and the CLI ("Reading app/routes.py").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    /// Model turns so far over the whole review.
    pub turn: u32,
    pub message: String,
}

/// The result of a commit review.
#[derive(Clone, Debug, Default)]
pub struct AgentOutcome {
    /// The reviewed commit's sha (`None` for staged changes).
    pub commit: Option<String>,
    pub model: String,
    /// Checked findings, sorted by file and line.
    pub findings: Vec<AgentFinding>,
    /// The changed files and every file a finding cites, with their new-side text.
    pub files: Vec<ReviewedFile>,
    /// Stages that ran, in order.
    pub stages: Vec<Stage>,
    /// Tool calls by tool name (refused calls included).
    pub tool_calls: BTreeMap<String, u32>,
    /// Tool calls answered with `is_error` (refusals, malformed input, unknown tools).
    pub tool_errors: u32,
    /// Model turns of the agent stages.
    pub turns: u32,
    /// HTTP requests (retries and the fallback review included).
    pub requests: u32,
    pub usage: Usage,
    pub cost_usd: Option<f64>,
    /// Bytes of tool results sent back to the model.
    pub bytes_read: usize,
    /// Bytes of request bodies sent.
    pub bytes_sent: usize,
    pub elapsed: Duration,
    /// Why the single-shot review answered instead ("turn budget", ...), when it did.
    pub fallback: Option<String>,
    /// One line each: skipped files, dropped findings, stage notes, the fallback.
    pub notes: Vec<String>,
}

impl AgentOutcome {
    /// All tool calls.
    pub fn tool_call_count(&self) -> u32 {
        self.tool_calls.values().sum()
    }

    /// Input tokens, cache reads and writes included.
    pub fn input_tokens(&self) -> u64 {
        self.usage.input_tokens + self.usage.cache_creation_input_tokens + self.usage.cache_read_input_tokens
    }
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AgentError {
    #[error("commit review cancelled")]
    Cancelled,
    #[error("git: {0}")]
    Git(String),
    #[error("commit review: {0}")]
    Llm(LlmError),
    #[error("commit review: {reason}, and the fallback review failed: {error}")]
    Fallback { reason: String, error: ReviewError },
}

impl AgentError {
    /// The LLM failure class, for cooldowns and notes.
    pub fn failure_code(&self) -> Option<FailureCode> {
        match self {
            AgentError::Llm(error) => Some(error.code),
            AgentError::Fallback { error, .. } => error.failure_code(),
            AgentError::Cancelled | AgentError::Git(_) => None,
        }
    }
}

impl From<crate::git::GitError> for AgentError {
    fn from(error: crate::git::GitError) -> AgentError {
        AgentError::Git(error.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_come_from_the_environment() {
        let budgets = Budgets::from_env(|name| match name {
            "SG_AGENTIC_MAX_TURNS" => Some("4".into()),
            "SG_AGENTIC_TIMEOUT_SECS" => Some(" 30 ".into()),
            "SG_AGENTIC_MAX_INPUT_TOKENS" => Some("0".into()),
            "SG_AGENTIC_MAX_READ_BYTES" => Some("lots".into()),
            _ => None,
        });
        assert_eq!(budgets.max_turns, 4);
        assert_eq!(budgets.timeout, Duration::from_secs(30));
        assert_eq!(budgets.max_input_tokens, Budgets::default().max_input_tokens);
        assert_eq!(budgets.max_read_bytes, Budgets::default().max_read_bytes);
    }

    #[test]
    fn cancel_wakes_a_waiter() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let cancel = Cancel::new();
        let waiter = cancel.clone();
        runtime.block_on(async move {
            let wait = tokio::spawn(async move { waiter.cancelled().await });
            tokio::task::yield_now().await;
            cancel.cancel();
            wait.await.unwrap();
            assert!(cancel.is_cancelled());
        });
    }
}
