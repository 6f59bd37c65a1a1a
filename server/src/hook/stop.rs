//! `Stop` / `SubagentStop`: the LLM diff review of what changed in this turn (SPEC §4).
//!
//! The flow, in three steps so that the session file is never locked while the model thinks (other
//! hooks of the session, a new prompt, must not wait for it):
//! 1. under the lock: the gate (`stop_hook_active`, the fire cap, a review already running, the
//!    cooldown), what to review, then the touched paths are taken and the review marked as running;
//! 2. unlocked: the review, with a hard time budget (`SG_STOP_REVIEW_TIMEOUT_SECS`, default 240 s,
//!    well inside the 600 s hook timeout);
//! 3. under the lock again: findings count a fire and re-take the baseline (the next fire reviews
//!    only newer changes); a failure gives the touched paths back so the next Stop retries.
//!
//! What is reviewed: the changes since the turn's baseline (`UserPromptSubmit`), or, without one
//! (no commit yet, the baseline hook did not run), the working tree restricted to the files the agent
//! edited in this session; with neither, nothing is reviewed. Outside a git repository there is no
//! diff to review. The review itself (`engine`) is the only code here that needs the network: the
//! slim `sg-lsp-hook` does not link it and hands review events to the full `sg-lsp` instead.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::llm::cooldown::{self, Gate};
use crate::llm::{FailureCode, LlmError};
use crate::review::{DiffTarget, ReviewError, ReviewOutcome};

use super::deadline::{self, Late};
use super::failure::{Code, Failure};
use super::input::Payload;
use super::llm_failure::{self, STOP_REVIEW};
use super::review::{StopSkip, record_fire, stop_gate};
use super::state::{Session, now};
use super::switches::env_value;
use super::{Context, Reply, baseline, output};

/// The cooldown layer of the diff review (shared with the language server's review on save).
pub(crate) const LAYER: &str = "review";
/// The whole review must end well before Claude Code's hook timeout (600 s in hooks.json).
const DEFAULT_BUDGET: Duration = Duration::from_secs(240);
/// A review marked as running for longer than its budget plus this has died (killed, or Claude Code
/// tore the hook down); another may start.
const RUNNING_GRACE: u64 = 30;

/// What the review is asked to do.
pub(crate) struct Job {
    /// Where the repository is found from (the payload's `cwd`, else `CLAUDE_PROJECT_DIR`).
    pub(crate) root: PathBuf,
    pub(crate) target: DiffTarget,
    /// Repository-relative paths to restrict the review to (no baseline: the touched files).
    pub(crate) only_paths: Option<Vec<String>>,
    pub(crate) budget: Duration,
}

/// Why a review produced no outcome.
#[derive(Debug)]
pub(crate) enum JobError {
    /// The review (git, the model) failed.
    Review(ReviewError),
    /// The budget ran out before the review finished.
    OverBudget(Duration),
    /// The review could not run at all (no thread), or panicked.
    Broken(String),
}

/// The review: the full binary's [`engine`]; `None` in the slim hook binary.
pub(crate) type Engine = fn(Job) -> Result<ReviewOutcome, JobError>;

/// The time budget of one review (`SG_STOP_REVIEW_TIMEOUT_SECS`).
pub(crate) fn budget() -> Duration {
    env_value("SG_STOP_REVIEW_TIMEOUT_SECS")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|secs| secs.is_finite() && *secs > 0.0)
        .map_or(DEFAULT_BUDGET, Duration::from_secs_f64)
}

/// Whether a review started at `running` is still going at `now`.
pub(crate) fn running(running: u64, now: u64) -> bool {
    running != 0 && now.saturating_sub(running) < budget().as_secs() + RUNNING_GRACE
}

/// Stop and `SubagentStop`.
pub(crate) fn stop(context: &Context, payload: &Payload) -> Reply {
    let mut reply = Reply::default();
    if !context.switches.stop_review {
        reply.fact("skip", StopSkip::Disabled.as_str());
        return reply;
    }
    if payload.stop_hook_active {
        // Never touch state here: this is the turn a previous block caused; let it stop.
        reply.fact("skip", StopSkip::Active.as_str());
        return reply;
    }
    let Some(dir) = context.state_dir.clone() else {
        reply.problems.push(Failure::new(
            Code::StateUnwritable,
            "no state dir (HOME is unset); set SECURITY_WARNINGS_STATE_DIR",
        ));
        return reply;
    };
    let Some(planned) = plan(context, payload, &dir, &mut reply) else { return reply };
    let Planned { job, touched, engine } = planned;
    reply.fact("target", if matches!(job.target, DiffTarget::Baseline(_)) { "baseline" } else { "touched" });
    let root = job.root.clone();
    let result = engine(job);
    finish(payload, &dir, &root, &touched, result, &mut reply);
    reply
}

struct Planned {
    job: Job,
    /// The touched paths taken for this review (given back when it fails).
    touched: Vec<String>,
    engine: Engine,
}

/// Step 1, under the session lock: decides whether and what to review. `None` when there is nothing
/// to do (the reason is in `reply`).
fn plan(context: &Context, payload: &Payload, dir: &Path, reply: &mut Reply) -> Option<Planned> {
    let mut session = open(dir, payload, reply)?;
    let now = now();
    if running(session.data.stop.running, now) {
        // Its touched paths are its own; newer ones wait for the next Stop.
        reply.fact("skip", "review_running");
        return None;
    }
    let decision = decide(context, payload, &session, dir, now, reply);
    // Taken by this review, or consumed by one that will not come (the next turn then starts a fresh
    // baseline instead of piling changes onto an old one).
    session.data.touched.clear();
    if decision.is_some() {
        session.data.stop.running = now;
    }
    if let Err(failure) = session.save() {
        reply.problems.push(failure);
    }
    decision
}

fn decide(
    context: &Context,
    payload: &Payload,
    session: &Session,
    dir: &Path,
    now: u64,
    reply: &mut Reply,
) -> Option<Planned> {
    if let Err(skip) =
        stop_gate(&session.data, payload.stop_hook_active, context.switches.max_stop_fires, now)
    {
        reply.fact("skip", skip.as_str());
        return None;
    }
    let touched = session.data.touched.clone();
    reply.fact("touched", touched.len());
    let Some(cwd) = payload.cwd.clone().or_else(|| context.project_dir.clone()) else {
        reply.fact("skip", "no_cwd");
        return None;
    };
    let Some(top) = repository_root(&cwd) else {
        reply.fact("skip", "not_a_git_repository");
        return None;
    };
    let (target, only_paths) = match &session.data.baseline {
        Some(baseline) => (DiffTarget::Baseline(baseline.sha.clone()), None),
        None if touched.is_empty() => {
            reply.fact("skip", "nothing_touched");
            return None;
        }
        None => {
            let base = context.project_dir.as_deref().unwrap_or(&cwd);
            let paths = touched.iter().filter_map(|path| relative_to(&top, base, path)).collect::<Vec<_>>();
            if paths.is_empty() {
                reply.fact("skip", "touched_outside_repository");
                return None;
            }
            (DiffTarget::WorkingTree, Some(paths))
        }
    };
    match cooldown::check(dir, LAYER, now) {
        Gate::Open => {}
        Gate::Retry => reply.fact("cooldown", "retry"),
        Gate::Cooling { until, code, message } => {
            reply.fact("skip", "cooling_down");
            reply.problems.push(Failure::new(
                Code::CoolingDown,
                format!(
                    "review skipped: cooling down until {} after `{code}` ({}); `sg-lsp doctor` shows why",
                    crate::clock::rfc3339(until),
                    message.trim_end_matches('.')
                ),
            ));
            return None;
        }
    }
    let Some(engine) = context.engine else {
        reply.fact("skip", "review_unavailable");
        reply.problems.push(Failure::new(
            Code::ReviewUnavailable,
            "review skipped: this sg-lsp-hook binary cannot review and found no full `sg-lsp` next to it or on PATH",
        ));
        return None;
    };
    Some(Planned { job: Job { root: cwd, target, only_paths, budget: budget() }, touched, engine })
}

/// Step 3: the outcome into the session, the reply and the cooldown.
fn finish(
    payload: &Payload,
    dir: &Path,
    root: &Path,
    touched: &[String],
    result: Result<ReviewOutcome, JobError>,
    reply: &mut Reply,
) {
    let now = now();
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(error) => {
            let failure = failed(dir, &error, now, reply);
            // The next Stop retries: the touched paths go back (not without credentials: nothing will
            // review them, and they would hold the turn's baseline back for ever).
            let retry = failure.code != Code::Llm(FailureCode::NoCredentials);
            reply.problems.push(failure);
            if let Some(mut session) = open(dir, payload, reply) {
                for path in touched.iter().filter(|_| retry) {
                    session.data.touch(path);
                }
                session.data.stop.running = 0;
                if let Err(failure) = session.save() {
                    reply.problems.push(failure);
                }
            }
            return;
        }
    };
    if outcome.requests > 0 {
        cooldown::record_success(dir, LAYER);
    }
    facts(&outcome, reply);
    let reviewed = outcome.requests > 0 || outcome.cached;
    // The next fire reviews only what changes after this review (taken before the lock: git can be slow).
    let fresh = if reviewed { baseline::capture(root) } else { Ok(None) };
    let Some(mut session) = open(dir, payload, reply) else { return };
    session.data.stop.running = 0;
    match fresh {
        // Nothing was edited while the review ran (that would be absorbed into the new baseline unseen).
        Ok(Some(fresh)) if session.data.touched.is_empty() => {
            reply.fact("baseline", "retaken");
            session.data.baseline = Some(fresh);
        }
        Ok(_) => {}
        Err(failure) => reply.problems.push(failure),
    }
    if !outcome.findings.is_empty() {
        record_fire(&mut session.data, now);
        reply.fact("fires", session.data.stop.fires);
    }
    if let Err(failure) = session.save() {
        reply.problems.push(failure);
    }
    if outcome.findings.is_empty() {
        return;
    }
    let text = output::review_text(&outcome.findings);
    let summary = output::rewake_summary(&outcome.findings);
    reply.stdout = Some(output::stop_block(&text, &summary));
    reply.stderr_text = Some(text);
    reply.exit = 2;
}

/// The one-line note of a failed review; records it for the cooldown.
fn failed(dir: &Path, error: &JobError, now: u64, reply: &mut Reply) -> Failure {
    let llm_error = match error {
        JobError::Review(ReviewError::Llm(error)) => Some(error.clone()),
        JobError::OverBudget(budget) => Some(LlmError::new(
            FailureCode::Timeout,
            format!("the review did not finish within {} s (SG_STOP_REVIEW_TIMEOUT_SECS)", budget.as_secs()),
        )),
        _ => None,
    };
    reply.fact("review", "failed");
    let Some(error) = llm_error else {
        let (code, detail) = match error {
            JobError::Review(ReviewError::Git(detail)) => (Code::Git, detail.clone()),
            JobError::Review(error) => (Code::ReviewFailed, error.to_string()),
            JobError::Broken(detail) => (Code::ReviewFailed, detail.clone()),
            JobError::OverBudget(budget) => {
                (Code::Llm(FailureCode::Timeout), format!("over {} s", budget.as_secs()))
            }
        };
        return Failure::new(code, format!("review failed: {detail}; the next Stop tries again"));
    };
    llm_failure::report(&STOP_REVIEW, dir, &error, now, reply)
}

/// Facts of a finished review for the debug log: counts, tokens, cost, never text.
fn facts(outcome: &ReviewOutcome, reply: &mut Reply) {
    reply.fact("findings", outcome.findings.len());
    reply.fact("files", outcome.files.len());
    reply.fact("requests", outcome.requests);
    reply.fact("cached", outcome.cached);
    reply.fact("input_tokens", outcome.usage.input_tokens);
    reply.fact("output_tokens", outcome.usage.output_tokens);
    if let Some(cost) = outcome.cost_usd {
        reply.fact("cost_usd", format!("{cost:.4}"));
    }
    reply.fact("bytes_sent", outcome.bytes_sent);
    reply.fact("review_ms", outcome.elapsed.as_millis());
    reply.fact("notes", outcome.notes.len());
}

fn open(dir: &Path, payload: &Payload, reply: &mut Reply) -> Option<Session> {
    match Session::open(dir, &payload.session_key()) {
        Ok((session, note)) => {
            reply.problems.extend(note);
            Some(session)
        }
        Err(failure) => {
            reply.problems.push(failure);
            None
        }
    }
}

/// The work tree holding `dir`: the nearest ancestor with a `.git` (a directory, or the file of a
/// worktree or submodule). Found without git so that the slim binary need not link it.
fn repository_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find(|candidate| candidate.join(".git").exists()).map(Path::to_path_buf)
}

/// A touched path (as the pattern hook shows it: relative to `base`, or absolute) relative to the
/// repository at `top`; `None` outside it.
fn relative_to(top: &Path, base: &Path, shown: &str) -> Option<String> {
    let path = Path::new(shown);
    let absolute = if path.is_absolute() { path.to_path_buf() } else { base.join(path) };
    let relative = absolute.strip_prefix(top).ok()?;
    let text = relative.to_string_lossy().replace('\\', "/");
    (!text.is_empty()).then_some(text)
}

/// The review itself, in the full binary: credentials, the client with the budget as its request
/// timeout, then `review_blocking` on a thread of its own so that the budget is a hard limit (a
/// review past it is abandoned; the process exits right after).
pub(crate) fn engine(job: Job) -> Result<ReviewOutcome, JobError> {
    let client =
        crate::llm::Client::from_env(env_value).map_err(|e| JobError::Review(ReviewError::Llm(e)))?;
    let per_attempt = client.config().timeout.min(job.budget);
    let client = client.with_timeout(per_attempt);
    let mut request = crate::review::ReviewRequest::new(job.root, job.target);
    request.home = env_value("HOME").or_else(|| env_value("USERPROFILE")).map(PathBuf::from);
    request.dual = env_value("SG_DUAL_OR").is_some_and(|v| v.trim().eq_ignore_ascii_case("on"));
    request.only_paths = job.only_paths;
    deadline::within("sg-lsp-review", LAYER, job.budget, move || {
        crate::review::review_blocking(&client, &request)
    })
    .map_err(|late| match late {
        Late::Over(budget) => JobError::OverBudget(budget),
        Late::Broken(why) => JobError::Broken(why),
    })?
    .map_err(JobError::Review)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touched_paths_become_repository_relative() {
        let top = Path::new("/w/repo");
        assert_eq!(relative_to(top, Path::new("/w/repo/sub"), "a.py").as_deref(), Some("sub/a.py"));
        assert_eq!(relative_to(top, Path::new("/w/repo"), "/w/repo/b/c.py").as_deref(), Some("b/c.py"));
        assert_eq!(relative_to(top, Path::new("/w/repo"), "/elsewhere/x.py"), None);
    }

    #[test]
    fn a_running_review_expires() {
        assert!(!running(0, 1000));
        assert!(running(1000, 1010));
        assert!(!running(1000, 1000 + budget().as_secs() + RUNNING_GRACE));
    }
}
