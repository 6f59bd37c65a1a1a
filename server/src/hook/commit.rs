//! `PostToolUse` for a Bash `git commit` / `gt create` / `gt modify` that succeeded: the agentic
//! commit review of the commit that just landed (SPEC §4, issue 6). The commit is never blocked (it
//! already happened); findings wake the agent (`asyncRewake`, exit 2) with `additionalContext`.
//!
//! The flow, like the Stop review's, never holds the session lock while the model thinks:
//! 1. which commit: the last line-anchored `[branch sha]` of the command's output when a diffstat
//!    follows it, else the newest `commit*` entry among the last 5 of HEAD's reflog (at most 120 s old;
//!    `HEAD@{0}` is exempt), resolved in the repository at the payload's `cwd`; a sha already listed in
//!    `.git/sg-reviewed-shas` is skipped. `--amend` and `gt modify` review only the amend's delta
//!    (`HEAD@{0}` must be `commit (amend)` naming this sha and `HEAD@{1}` not an amend; else the whole
//!    commit);
//! 2. under the lock: one run per `tool_use_id`, at most 20 reviews per rolling hour per session, the
//!    cooldown (layer `commit-review`, shared with the CLI and the server);
//! 3. unlocked: the review (`sg_lsp::agent`, its own budgets, `SG_AGENTIC_TIMEOUT_SECS`) on a thread
//!    of its own under a hard deadline well inside the 600 s hook timeout;
//! 4. the sha appended to `.git/sg-reviewed-shas` (the last 500 kept), the Markdown report written
//!    under `.git/sg-lsp/reviews/`, the cooldown told how it went.
//!
//! Everything that needs git2 or the network is in [`ENGINE`], which only the full `sg-lsp` passes in:
//! the slim `sg-lsp-hook` hands commit events to it (`supervise::delegate`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::agent::{AgentError, AgentOutcome};
use crate::git::DiffTarget;
use crate::llm::cooldown::{self, Gate};
use crate::llm::{FailureCode, LlmError};
use crate::review::ReviewError;

use super::failure::{Code, Failure};
use super::input::Payload;
use super::llm_failure::{self, COMMIT_REVIEW};
use super::review::CommitCommand;
use super::state::{Session, SessionData, now};
use super::switches::env_value;
use super::{Context, Reply, output};

/// The cooldown layer of the commit review (shared with `sg-lsp review-commit` and the server).
pub(crate) const LAYER: &str = "commit-review";
/// Reviews per rolling hour per session (the original's `MAX_COMMIT_REVIEWS_PER_HOUR`).
pub(crate) const MAX_PER_HOUR: usize = 20;
const RATE_WINDOW: u64 = 3600;
/// Reflog entries looked at by the fallback, and how old one may be (`HEAD@{0}` is exempt).
const REFLOG_ENTRIES: usize = 5;
const REFLOG_MAX_AGE: i64 = 120;
/// `.git/sg-reviewed-shas` keeps this many lines.
const MAX_REVIEWED: usize = 500;
const REVIEWED_FILE: &str = "sg-reviewed-shas";
/// The hard deadline of one review (`SG_COMMIT_REVIEW_TIMEOUT_SECS`), under the 600 s of hooks.json:
/// the agent stages have their own 180 s (`SG_AGENTIC_TIMEOUT_SECS`), the fallback review its own.
const DEFAULT_DEADLINE: Duration = Duration::from_secs(540);
const MAX_DEADLINE: Duration = Duration::from_secs(570);

/// What the engine is asked to find.
pub(crate) struct Locate<'a> {
    pub(crate) cwd: &'a Path,
    /// The Bash call's stdout.
    pub(crate) stdout: &'a str,
    /// `--amend` or `gt modify`: review only the delta of the amend.
    pub(crate) amend: bool,
    pub(crate) now: u64,
}

/// The commit to review.
#[derive(Clone, Debug)]
pub(crate) struct Located {
    /// The working tree's top.
    pub(crate) root: PathBuf,
    /// Where the report goes (`<git dir>/sg-lsp/reviews/`).
    pub(crate) git_dir: PathBuf,
    /// Where `sg-reviewed-shas` lives (shared by worktrees).
    pub(crate) common_dir: PathBuf,
    pub(crate) sha: String,
    pub(crate) target: DiffTarget,
    /// `output` or `reflog`.
    pub(crate) found: &'static str,
    /// For an amend: `amend_delta`, or `whole_commit` when the reflog guards failed.
    pub(crate) amend: Option<&'static str>,
}

/// Why there is nothing to review.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Unlocated {
    NotARepository,
    NoCommit,
    AlreadyReviewed(String),
}

/// The review to run.
pub(crate) struct Job {
    pub(crate) root: PathBuf,
    pub(crate) target: DiffTarget,
    pub(crate) deadline: Duration,
}

/// Why a review produced no outcome.
#[derive(Debug)]
pub(crate) enum JobError {
    Agent(AgentError),
    OverBudget(Duration),
    Broken(String),
}

/// The git and network side, in the full binary only.
#[derive(Clone, Copy)]
pub(crate) struct Engine {
    pub(crate) locate: fn(&Locate<'_>) -> Result<Located, Unlocated>,
    pub(crate) review: fn(Job) -> Result<AgentOutcome, JobError>,
}

/// The full binary's engine.
pub(crate) const ENGINE: Engine = Engine { locate: engine::locate, review: engine::review };

/// The hard deadline of one review.
pub(crate) fn deadline() -> Duration {
    env_value("SG_COMMIT_REVIEW_TIMEOUT_SECS")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|secs| secs.is_finite() && *secs > 0.0)
        .map_or(DEFAULT_DEADLINE, Duration::from_secs_f64)
        .min(MAX_DEADLINE)
}

/// Whether the command amends (its delta is what is new).
pub(crate) fn amends(kind: CommitCommand, command: &str) -> bool {
    kind == CommitCommand::GtModify || command.split_whitespace().any(|word| word == "--amend")
}

/// The review of a commit the Bash call made. `reply` already holds the command's facts.
pub(crate) fn review(context: &Context, payload: &Payload, kind: CommitCommand, reply: &mut Reply) {
    let Some(dir) = context.state_dir.clone() else {
        reply.problems.push(Failure::new(
            Code::StateUnwritable,
            "no state dir (HOME is unset); set SECURITY_WARNINGS_STATE_DIR",
        ));
        return;
    };
    let Some(engine) = context.commit_engine else {
        if claimed(&dir, payload, reply) {
            reply.fact("skip", "review_unavailable");
            reply.problems.push(Failure::new(
                Code::ReviewUnavailable,
                "commit review skipped: this sg-lsp-hook binary cannot review and found no full `sg-lsp` next to it or on PATH",
            ));
        }
        return;
    };
    let Some(cwd) = payload.cwd.clone().or_else(|| context.project_dir.clone()) else {
        reply.fact("skip", "no_cwd");
        return;
    };
    let command = payload.tool_input.get("command").and_then(Value::as_str).unwrap_or_default();
    let stdout = payload.tool_response.get("stdout").and_then(Value::as_str).unwrap_or_default();
    let located =
        match (engine.locate)(&Locate { cwd: &cwd, stdout, amend: amends(kind, command), now: now() }) {
            Ok(located) => located,
            Err(why) => {
                if claimed(&dir, payload, reply) {
                    match why {
                        Unlocated::NotARepository => reply.fact("skip", "not_a_git_repository"),
                        Unlocated::NoCommit => reply.fact("skip", "no_commit_found"),
                        Unlocated::AlreadyReviewed(sha) => {
                            reply.fact("sha", short(&sha));
                            reply.fact("skip", "already_reviewed");
                        }
                    }
                }
                return;
            }
        };
    reply.fact("sha", short(&located.sha));
    reply.fact("found", located.found);
    if let Some(amend) = located.amend {
        reply.fact("amend", amend);
    }
    let Some(mut session) = claim(&dir, payload, reply) else { return };
    let now = now();
    let gate = gate(&mut session.data, &dir, now, reply);
    if let Err(failure) = session.save() {
        reply.problems.push(failure);
    }
    if !gate {
        return;
    }
    let sha = located.sha.clone();
    let result = (engine.review)(Job {
        root: located.root.clone(),
        target: located.target.clone(),
        deadline: deadline(),
    });
    finish(payload, &dir, &located, &sha, result, reply);
}

/// Locks the session and claims the Bash call; `None` (with the reason in `reply`) when another hook
/// run already has it or the state is unusable.
fn claim(dir: &Path, payload: &Payload, reply: &mut Reply) -> Option<Session> {
    let mut session = match Session::open(dir, &payload.session_key()) {
        Ok((session, note)) => {
            reply.problems.extend(note);
            session
        }
        Err(failure) => {
            reply.problems.push(failure);
            return None;
        }
    };
    let id = if payload.tool_use_id.is_empty() { "-" } else { payload.tool_use_id.as_str() };
    if session.data.claim_bash(id, now()) {
        Some(session)
    } else {
        reply.fact("skip", "already_handled");
        if let Err(failure) = session.save() {
            reply.problems.push(failure);
        }
        None
    }
}

/// Claims the Bash call for a run that ends here; false when another hook run already had it.
fn claimed(dir: &Path, payload: &Payload, reply: &mut Reply) -> bool {
    let Some(session) = claim(dir, payload, reply) else { return false };
    if let Err(failure) = session.save() {
        reply.problems.push(failure);
    }
    true
}

/// The rate limit and the cooldown; true when the review may run (its slot is then taken).
fn gate(data: &mut SessionData, dir: &Path, now: u64, reply: &mut Reply) -> bool {
    let commit = &mut data.commit;
    commit.reviews.retain(|at| now.saturating_sub(*at) < RATE_WINDOW);
    if commit.reviews.len() >= MAX_PER_HOUR {
        reply.fact("skip", "rate_limited");
        // Said once per window; the log has every skip.
        if now.saturating_sub(commit.rate_noted) >= RATE_WINDOW {
            commit.rate_noted = now;
            reply.problems.push(Failure::new(
                Code::CommitRateLimit,
                format!(
                    "commit review skipped: {MAX_PER_HOUR} commits were reviewed in this session within the last hour; \
                     later commits are not reviewed until the hour has passed"
                ),
            ));
        }
        return false;
    }
    match cooldown::check(dir, LAYER, now) {
        Gate::Open => {}
        Gate::Retry => reply.fact("cooldown", "retry"),
        Gate::Cooling { until, code, message } => {
            reply.fact("skip", "cooling_down");
            reply.problems.push(Failure::new(
                Code::CoolingDown,
                format!(
                    "commit review skipped: cooling down until {} after `{code}` ({}); `sg-lsp doctor` shows why",
                    crate::clock::rfc3339(until),
                    message.trim_end_matches('.')
                ),
            ));
            return false;
        }
    }
    commit.reviews.push(now);
    reply.fact("reviews_this_hour", commit.reviews.len());
    true
}

/// The outcome into `.git/sg-reviewed-shas`, the report, the cooldown and the reply.
fn finish(
    payload: &Payload,
    dir: &Path,
    located: &Located,
    sha: &str,
    result: Result<AgentOutcome, JobError>,
    reply: &mut Reply,
) {
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(error) => {
            let failure = failed(dir, &error, reply);
            if failure.code == Code::Llm(FailureCode::NoCredentials) {
                // Nothing was reviewed: the slot goes back.
                refund(dir, payload, reply);
            }
            reply.problems.push(failure);
            return;
        }
    };
    if outcome.requests > 0 {
        cooldown::record_success(dir, LAYER);
    }
    facts(&outcome, reply);
    if let Err(e) = mark_reviewed(&located.common_dir, sha, outcome.findings.len()) {
        reply.fact("reviewed_file", format!("unwritable:{}", e.kind()));
    }
    if outcome.findings.is_empty() {
        return;
    }
    let report = match write_report(&located.git_dir, &outcome) {
        Ok(path) => Some(path),
        Err(e) => {
            reply.fact("report", format!("unwritable:{}", e.kind()));
            None
        }
    };
    let text = output::commit_text(sha, &outcome.findings, report.as_deref());
    let summary = output::commit_summary(sha, &outcome.findings);
    reply.stdout = Some(output::commit_context(&text, &summary));
    reply.stderr_text = Some(text);
    reply.exit = 2;
}

/// Gives back the rate-limit slot of a review that could not start.
fn refund(dir: &Path, payload: &Payload, reply: &mut Reply) {
    if let Ok((mut session, _)) = Session::open(dir, &payload.session_key()) {
        session.data.commit.reviews.pop();
        if let Err(failure) = session.save() {
            reply.problems.push(failure);
        }
    }
}

/// The one-line note of a failed review; records it for the cooldown.
fn failed(dir: &Path, error: &JobError, reply: &mut Reply) -> Failure {
    reply.fact("review", "failed");
    let llm_error = match error {
        JobError::Agent(
            AgentError::Llm(error) | AgentError::Fallback { error: ReviewError::Llm(error), .. },
        ) => Some(error.clone()),
        JobError::OverBudget(deadline) => Some(LlmError::new(
            FailureCode::Timeout,
            format!(
                "the commit review did not finish within {} s (SG_COMMIT_REVIEW_TIMEOUT_SECS)",
                deadline.as_secs()
            ),
        )),
        _ => None,
    };
    let Some(error) = llm_error else {
        let (code, detail) = match error {
            JobError::Agent(AgentError::Git(detail)) => (Code::Git, detail.clone()),
            JobError::Agent(error) => (Code::ReviewFailed, error.to_string()),
            JobError::Broken(detail) => (Code::ReviewFailed, detail.clone()),
            JobError::OverBudget(_) => (Code::ReviewFailed, "over budget".to_owned()),
        };
        return Failure::new(code, format!("commit review failed: {detail}; the next commit tries again"));
    };
    llm_failure::report(&COMMIT_REVIEW, dir, &error, now(), reply)
}

/// Facts of a finished review for the debug log: counts, tokens, cost, never text.
fn facts(outcome: &AgentOutcome, reply: &mut Reply) {
    reply.fact("findings", outcome.findings.len());
    reply.fact("files", outcome.files.len());
    reply.fact("stages", outcome.stages.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(","));
    let calls = outcome.tool_calls.iter().map(|(name, n)| format!("{name}:{n}")).collect::<Vec<_>>();
    reply.fact("tool_calls", if calls.is_empty() { "0".to_owned() } else { calls.join(",") });
    reply.fact("tool_errors", outcome.tool_errors);
    reply.fact("turns", outcome.turns);
    reply.fact("requests", outcome.requests);
    reply.fact("input_tokens", outcome.input_tokens());
    reply.fact("output_tokens", outcome.usage.output_tokens);
    if let Some(cost) = outcome.cost_usd {
        reply.fact("cost_usd", format!("{cost:.4}"));
    }
    reply.fact("bytes_read", outcome.bytes_read);
    reply.fact("bytes_sent", outcome.bytes_sent);
    reply.fact("review_ms", outcome.elapsed.as_millis());
    if let Some(fallback) = &outcome.fallback {
        reply.fact("fallback", fallback);
    }
    reply.fact("notes", outcome.notes.len());
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

/// The sha of the last `[branch sha]` line of a commit's output, when the output also has a diffstat
/// (`N files changed`, `create mode`, `delete mode`, `rename`): what `git commit` prints on success.
pub(crate) fn sha_from_output(stdout: &str) -> Option<String> {
    let diffstat = stdout.lines().any(|line| {
        let line = line.trim_start();
        line.starts_with("create mode ")
            || line.starts_with("delete mode ")
            || line.starts_with("rename ")
            || line.split_once(' ').is_some_and(|(n, rest)| {
                n.bytes().all(|b| b.is_ascii_digit())
                    && (rest.starts_with("file changed") || rest.starts_with("files changed"))
            })
    });
    if !diffstat {
        return None;
    }
    stdout.lines().rev().find_map(bracketed_sha)
}

/// `^\[[^\]]*?\b([0-9a-f]{7,40})\]`: the hex word that ends the bracket at the start of the line.
fn bracketed_sha(line: &str) -> Option<String> {
    let inner = line.strip_prefix('[')?;
    let inside = &inner[..inner.find(']')?];
    let hex = inside.len() - inside.trim_end_matches(|c: char| matches!(c, '0'..='9' | 'a'..='f')).len();
    let start = inside.len() - hex;
    let boundary = inside[..start].chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
    ((7..=40).contains(&hex) && boundary).then(|| inside[start..].to_owned())
}

/// The shas listed in `sg-reviewed-shas` (`sha\tunix seconds\tprompt version\tfindings` per line).
pub(crate) fn reviewed_shas(common_dir: &Path) -> Vec<String> {
    std::fs::read_to_string(common_dir.join(REVIEWED_FILE))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split('\t').next())
        .filter(|sha| !sha.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Appends `sha` to `sg-reviewed-shas`, keeping the last [`MAX_REVIEWED`] lines.
fn mark_reviewed(common_dir: &Path, sha: &str, findings: usize) -> std::io::Result<()> {
    let path = common_dir.join(REVIEWED_FILE);
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let mut lines: Vec<&str> = old.lines().filter(|line| !line.trim().is_empty()).collect();
    let line = format!("{sha}\t{}\t1\t{findings}", now());
    lines.push(&line);
    let excess = lines.len().saturating_sub(MAX_REVIEWED);
    let mut text = lines[excess..].join("\n");
    text.push('\n');
    let temp = path.with_extension(format!("tmp.{}", std::process::id()));
    std::fs::write(&temp, text).and_then(|()| std::fs::rename(&temp, &path)).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

/// Writes the Markdown report under `<git dir>/sg-lsp/reviews/`.
fn write_report(git_dir: &Path, outcome: &AgentOutcome) -> std::io::Result<PathBuf> {
    let dir = git_dir.join("sg-lsp").join("reviews");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(crate::agent::report_file_name(outcome, now()));
    let mut text = crate::agent::render_report(outcome);
    if !text.ends_with('\n') {
        let _ = writeln!(text);
    }
    std::fs::write(&path, text)?;
    Ok(path)
}

/// The git and network side (full binary only).
mod engine {
    use std::path::PathBuf;

    use crate::agent::{AgentOutcome, AgentRequest, Budgets};
    use crate::git::{DiffTarget, ReflogEntry, Repo};

    use super::{
        Job, JobError, LAYER, Locate, Located, REFLOG_ENTRIES, REFLOG_MAX_AGE, Unlocated, reviewed_shas,
    };
    use crate::hook::deadline::{self, Late};
    use crate::hook::switches::env_value;

    pub(super) fn locate(ask: &Locate<'_>) -> Result<Located, Unlocated> {
        let repo = Repo::discover(ask.cwd).map_err(|_| Unlocated::NotARepository)?;
        let common_dir = repo.common_dir().to_path_buf();
        let reviewed = reviewed_shas(&common_dir);
        let reflog = repo.head_reflog(REFLOG_ENTRIES);
        let from_output =
            super::sha_from_output(ask.stdout).and_then(|short| repo.resolve_commit(&short).ok());
        let (sha, found) = if let Some(sha) = from_output {
            (sha, "output")
        } else {
            let now = i64::try_from(ask.now).unwrap_or(i64::MAX);
            let entry = reflog.iter().enumerate().find(|(index, entry)| {
                entry.message.starts_with("commit")
                    && (*index == 0 || now.saturating_sub(entry.time) <= REFLOG_MAX_AGE)
                    && !reviewed.contains(&entry.new)
            });
            let Some((_, entry)) = entry else { return Err(Unlocated::NoCommit) };
            (entry.new.clone(), "reflog")
        };
        if reviewed.contains(&sha) {
            return Err(Unlocated::AlreadyReviewed(sha));
        }
        let (target, amend) = if ask.amend {
            match amend_base(&reflog, &sha) {
                Some(pre) => (DiffTarget::Range(pre, sha.clone()), Some("amend_delta")),
                None => (DiffTarget::Commit(sha.clone()), Some("whole_commit")),
            }
        } else {
            (DiffTarget::Commit(sha.clone()), None)
        };
        Ok(Located {
            root: repo.root().to_path_buf(),
            git_dir: repo.git_dir().to_path_buf(),
            common_dir,
            sha,
            target,
            found,
            amend,
        })
    }

    /// The commit an amend replaced, when the reflog says plainly that `sha` is one amend of it:
    /// `HEAD@{0}` is `commit (amend)` and moved HEAD to `sha`, and `HEAD@{1}` is not an amend.
    fn amend_base(reflog: &[ReflogEntry], sha: &str) -> Option<String> {
        let newest = reflog.first()?;
        let amend = |entry: &ReflogEntry| entry.message.starts_with("commit (amend)");
        let zero = "0".repeat(40);
        (amend(newest) && newest.new == sha && newest.old != zero && !reflog.get(1).is_some_and(amend))
            .then(|| newest.old.clone())
    }

    /// The review on a thread of its own, so that the deadline is a hard limit (a review past it is
    /// abandoned; the process exits right after).
    pub(super) fn review(job: Job) -> Result<AgentOutcome, JobError> {
        let client = crate::llm::Client::from_env(env_value)
            .map_err(|e| JobError::Agent(crate::agent::AgentError::Llm(e)))?
            .agentic();
        let per_attempt = client.config().timeout.min(job.deadline);
        let client = client.with_timeout(per_attempt);
        let mut request = AgentRequest::new(job.root, job.target);
        request.home = env_value("HOME").or_else(|| env_value("USERPROFILE")).map(PathBuf::from);
        request.budgets = Budgets::from_env(env_value);
        deadline::within("sg-lsp-commit-review", LAYER, job.deadline, move || {
            crate::agent::review_commit_blocking(&client, &request, |_| {})
        })
        .map_err(|late| match late {
            Late::Over(deadline) => JobError::OverBudget(deadline),
            Late::Broken(why) => JobError::Broken(why),
        })?
        .map_err(JobError::Agent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sha_comes_from_the_last_bracket_line_with_a_diffstat() {
        let out = "[main 1a2b3c4] add x\n 1 file changed, 2 insertions(+)\n";
        assert_eq!(sha_from_output(out).as_deref(), Some("1a2b3c4"));
        let root = "[main (root-commit) abcdef0123] first\n 2 files changed\n create mode 100644 a.py\n";
        assert_eq!(sha_from_output(root).as_deref(), Some("abcdef0123"));
        let two = "[a 1111111] one\n 1 file changed\n[detached HEAD 2222222] two\n 1 file changed\n";
        assert_eq!(sha_from_output(two).as_deref(), Some("2222222"), "the last one wins");
        assert_eq!(sha_from_output("[main 1a2b3c4] add x\n"), None, "no diffstat");
        assert_eq!(sha_from_output("  [main 1a2b3c4] x\n 1 file changed\n"), None, "line-anchored");
        assert_eq!(sha_from_output("[main x1a2b3c4] x\n 1 file changed\n"), None, "a word boundary");
        assert_eq!(sha_from_output("[main 1a2b3c] x\n 1 file changed\n"), None, "7 hex digits at least");
        assert_eq!(sha_from_output("[main ABCDEF0] x\n 1 file changed\n"), None, "lower case");
        assert_eq!(sha_from_output("[main 1a2b3c4] x\n rename a => b (100%)\n").as_deref(), Some("1a2b3c4"));
    }

    #[test]
    fn amends_are_recognised() {
        assert!(amends(CommitCommand::GitCommit, "git commit --amend --no-edit"));
        assert!(amends(CommitCommand::GtModify, "gt modify -a"));
        assert!(!amends(CommitCommand::GitCommit, "git commit -m 'x --amend'"));
        assert!(!amends(CommitCommand::GtCreate, "gt create -m x"));
    }

    #[test]
    fn the_reviewed_file_keeps_its_last_500_lines() {
        let dir = std::env::temp_dir().join(format!("sg-lsp-reviewed-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..MAX_REVIEWED + 3 {
            mark_reviewed(&dir, &format!("{i:040}"), 0).unwrap();
        }
        let shas = reviewed_shas(&dir);
        assert_eq!(shas.len(), MAX_REVIEWED);
        assert_eq!(shas[0], format!("{:040}", 3));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
