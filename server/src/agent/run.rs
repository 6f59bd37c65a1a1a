//! The tool-use loop and the review around it. Each stage is one conversation: send → run every
//! `tool_use` in the sandbox → append the assistant content unchanged and one user message that begins
//! with the matching `tool_result` blocks → repeat, until `report_findings`. `pause_turn` is resent
//! (with a user "Continue." so the request never ends on an assistant turn); `end_turn` without a
//! report gets one nudge; a refusal, or `max_tokens` inside a tool call, is an error. The last turn a
//! budget allows forces `report_findings`.
//!
//! Stage 1 failing (other than by cancellation or a failure that would repeat: auth, refusal, spend
//! limit) or running out of budget falls back to the single-shot diff review of the same target.
//! Stage 2 failing keeps the candidates unrefuted (fail open).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;

use super::findings::{self, AgentFinding, Candidate};
use super::prompt::{self, REPORT_TOOL};
use super::sandbox::Sandbox;
use super::tools::{self, ToolOutput};
use super::{AgentError, AgentOutcome, AgentRequest, Progress, Stage};
use crate::git::{DiffTarget, Repo};
use crate::llm::{
    ContentBlock, Exchange, FailureCode, LlmError, Message, Messages, MessagesRequest, Role, StopReason,
    SystemBlock, Tool, ToolChoice,
};
use crate::review::{self, MAX_FILE_BYTES, ReviewRequest, ReviewedFile};

/// Which budget ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    Turns,
    Tokens,
    Time,
}

impl fmt::Display for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Budget::Turns => "turn budget",
            Budget::Tokens => "token budget",
            Budget::Time => "time budget",
        })
    }
}

/// Why a stage ended without a report.
#[derive(Clone, Debug, PartialEq)]
enum StageError {
    Cancelled,
    Budget(Budget),
    Llm(LlmError),
}

impl fmt::Display for StageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StageError::Cancelled => f.write_str("cancelled"),
            StageError::Budget(budget) => budget.fmt(f),
            StageError::Llm(error) => write!(f, "{error}"),
        }
    }
}

fn bad_response(message: &str) -> StageError {
    StageError::Llm(LlmError::new(FailureCode::BadResponse, message))
}

/// The running review: the model, the sandbox, the budgets and every tally.
struct Session<'a, M, P> {
    model: &'a M,
    request: &'a AgentRequest,
    sandbox: Arc<Sandbox>,
    progress: P,
    started: Instant,
    outcome: AgentOutcome,
}

/// Everything prepared before the first call (synchronous: git2 and file reads).
struct Prepared {
    commit: Option<String>,
    root: std::path::PathBuf,
    sandbox: Sandbox,
    message: String,
    files: Vec<ReviewedFile>,
    notes: Vec<String>,
}

fn prepare(request: &AgentRequest) -> Result<Result<Prepared, Vec<String>>, AgentError> {
    let mut repo = Repo::discover(&request.root)?;
    if let Some(index_file) = &request.index_file {
        repo = repo.with_index_file(index_file)?;
    }
    let commit = match &request.target {
        DiffTarget::Commit(rev) | DiffTarget::Range(_, rev) => Some(repo.resolve_commit(rev)?),
        // Uncommitted changes: there is no commit to name.
        DiffTarget::Staged | DiffTarget::WorkingTree | DiffTarget::Base(_) | DiffTarget::Baseline(_) => None,
    };
    let diff = repo.diff(&request.target, None)?;
    let policy = review::policy::load(request.home.as_deref(), repo.root());
    let parts = match review::diff_parts(
        diff,
        |path| repo.read_new_side(&request.target, path, MAX_FILE_BYTES),
        policy.as_deref(),
    ) {
        Ok(parts) => parts,
        Err(notes) => return Ok(Err(notes)),
    };
    let sandbox = Sandbox::new(repo.root())
        .map_err(|_| AgentError::Git("the repository's working tree cannot be opened".into()))?
        .with_git_dir(repo.git_dir());
    let message = prompt::investigate_message(commit.as_deref(), &parts);
    Ok(Ok(Prepared {
        commit,
        root: repo.root().to_path_buf(),
        sandbox,
        message,
        files: parts.files,
        notes: parts.notes,
    }))
}

/// Reviews the commit (or staged changes, or range) of `request` with `model`, reporting each step to
/// `progress`.
pub async fn review_commit<M, P>(
    model: &M,
    request: &AgentRequest,
    progress: P,
) -> Result<AgentOutcome, AgentError>
where
    M: Messages,
    P: FnMut(Progress) + Send,
{
    let started = Instant::now();
    let mut outcome = AgentOutcome { model: model.model().to_owned(), ..AgentOutcome::default() };
    let prepared = match prepare(request)? {
        Ok(prepared) => prepared,
        Err(notes) => {
            outcome.notes = notes;
            outcome.elapsed = started.elapsed();
            return Ok(outcome);
        }
    };
    outcome.commit.clone_from(&prepared.commit);
    outcome.files = prepared.files;
    outcome.notes = prepared.notes;
    let mut session =
        Session { model, request, sandbox: Arc::new(prepared.sandbox), progress, started, outcome };
    let result = session.run(&prepared.message, &prepared.root).await;
    let mut outcome = session.outcome;
    outcome.elapsed = started.elapsed();
    result.map(|()| outcome)
}

/// [`review_commit`] on a current-thread runtime of its own, for synchronous callers (the CLI, the
/// hook). Must not be called from inside an async runtime.
pub fn review_commit_blocking<M, P>(
    model: &M,
    request: &AgentRequest,
    progress: P,
) -> Result<AgentOutcome, AgentError>
where
    M: Messages,
    P: FnMut(Progress) + Send,
{
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|error| {
        AgentError::Llm(LlmError::new(
            FailureCode::Network,
            format!("cannot start the async runtime: {error}"),
        ))
    })?;
    runtime.block_on(review_commit(model, request, progress))
}

impl<M: Messages, P: FnMut(Progress) + Send> Session<'_, M, P> {
    fn report(&mut self, stage: Stage, message: String) {
        (self.progress)(Progress { stage, turn: self.outcome.turns, message });
    }

    fn note(&mut self, note: String) {
        self.outcome.notes.push(note);
    }

    async fn run(&mut self, message: &str, root: &std::path::Path) -> Result<(), AgentError> {
        let files = self.outcome.files.len();
        self.report(
            Stage::Investigate,
            format!("Investigating {files} changed file{}", if files == 1 { "" } else { "s" }),
        );
        self.outcome.stages.push(Stage::Investigate);
        let system = prompt::INVESTIGATE_SYSTEM.as_str();
        let stage1 =
            self.stage(Stage::Investigate, system, prompt::report_tool(false), message.to_owned()).await;
        let (candidates, skipped) = match stage1 {
            Ok(reported) => reported,
            Err(StageError::Cancelled) => return Err(AgentError::Cancelled),
            Err(StageError::Llm(error)) if error.repeats || error.code == FailureCode::Refused => {
                return Err(AgentError::Llm(error));
            }
            Err(why) => return self.fallback(&why.to_string(), root).await,
        };
        if skipped > 0 {
            self.note(format!("{skipped} malformed candidate findings skipped"));
        }
        let (candidates, dropped) = self.validate(candidates, root);
        self.outcome.notes.extend(dropped.note());
        if candidates.is_empty() {
            self.note("stage 2 skipped: stage 1 reported no candidates".into());
            self.outcome.findings = candidates;
            return Ok(());
        }

        let count = candidates.len();
        self.report(
            Stage::Refute,
            format!("Refuting {count} candidate{}", if count == 1 { "" } else { "s" }),
        );
        self.outcome.stages.push(Stage::Refute);
        let refute_message = prompt::refute_message(message, &candidates);
        let stage2 =
            self.stage(Stage::Refute, prompt::REFUTE_SYSTEM, prompt::report_tool(true), refute_message).await;
        match stage2 {
            Ok((survivors, _)) => {
                self.outcome.findings = self.survivors(&candidates, survivors);
                let refuted = count - self.outcome.findings.len();
                self.note(format!("stage 2: {refuted} of {count} candidates refuted"));
            }
            Err(StageError::Cancelled) => return Err(AgentError::Cancelled),
            Err(why) => {
                self.note(format!("stage 2 could not finish ({why}): the candidates are reported unrefuted"));
                self.outcome.findings = candidates;
            }
        }
        Ok(())
    }

    /// Checks candidates against the new side of the target, keeping the cited files' texts.
    fn validate(
        &mut self,
        candidates: Vec<Candidate>,
        root: &std::path::Path,
    ) -> (Vec<AgentFinding>, findings::Dropped) {
        let target = &self.request.target;
        let repo = Repo::discover(root).ok();
        let read =
            |path: &str| repo.as_ref().and_then(|repo| repo.read_new_side(target, path, MAX_FILE_BYTES));
        let (kept, texts, dropped) = findings::validate(candidates, read, self.request.keep_low);
        for (path, text) in texts {
            if !self.outcome.files.iter().any(|file| file.path == path) {
                self.outcome.files.push(ReviewedFile { path, text });
            }
        }
        (kept, dropped)
    }

    /// The stage-1 findings the refuter kept: matched by candidate number (else by file and line),
    /// with the refuter's severity, confidence and evidence.
    fn survivors(&mut self, candidates: &[AgentFinding], reported: Vec<Candidate>) -> Vec<AgentFinding> {
        let mut kept: BTreeMap<usize, AgentFinding> = BTreeMap::new();
        let mut unmatched = 0;
        for survivor in reported {
            let index =
                survivor.candidate.and_then(|n| n.checked_sub(1)).filter(|&i| i < candidates.len()).or_else(
                    || {
                        candidates.iter().position(|c| {
                            c.finding.path.ends_with(survivor.raw.file.trim_start_matches("./"))
                                && c.finding.line.abs_diff(survivor.raw.line) <= 3
                        })
                    },
                );
            let Some(index) = index else {
                unmatched += 1;
                continue;
            };
            let mut finding = candidates[index].clone();
            finding.finding.severity = survivor.raw.severity;
            finding.finding.confidence = survivor.raw.confidence.clamp(0.0, 1.0);
            if !survivor.evidence.is_empty() {
                finding.evidence = if finding.evidence.is_empty() {
                    survivor.evidence
                } else {
                    format!("{}\n\nRefutation check: {}", finding.evidence, survivor.evidence)
                };
            }
            if finding.trace.is_empty() {
                finding.trace = survivor.trace;
            }
            kept.insert(index, finding);
        }
        if unmatched > 0 {
            self.note(format!("stage 2 reported {unmatched} findings that were not candidates; ignored"));
        }
        let mut out: Vec<AgentFinding> = kept.into_values().collect();
        let before = out.len();
        if !self.request.keep_low {
            out.retain(|f| f.finding.severity != review::ReviewSeverity::Low);
        }
        if out.len() < before {
            self.note(format!("{} survivors lowered to low severity dropped", before - out.len()));
        }
        out
    }

    /// The single-shot diff review of the same target, after stage 1 failed for `reason`.
    async fn fallback(&mut self, reason: &str, root: &std::path::Path) -> Result<(), AgentError> {
        self.report(Stage::Fallback, format!("Falling back to the single-shot review ({reason})"));
        self.outcome.stages.push(Stage::Fallback);
        self.outcome.fallback = Some(reason.to_owned());
        let request = ReviewRequest {
            root: root.to_path_buf(),
            target: self.request.target.clone(),
            home: self.request.home.clone(),
            no_cache: self.request.no_cache,
            dual: false,
            keep_low: self.request.keep_low,
            only_paths: None,
            cache_dir: self.request.cache_dir.clone(),
        };
        let cancel = self.request.cancel.clone();
        let answer = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(AgentError::Cancelled),
            answer = review::review(self.model, &request) => answer,
        };
        let answer = answer.map_err(|error| AgentError::Fallback { reason: reason.to_owned(), error })?;
        self.outcome.usage.add(answer.usage);
        self.outcome.cost_usd = add_cost(self.outcome.cost_usd, answer.cost_usd);
        self.outcome.requests += answer.requests;
        self.outcome.bytes_sent += answer.bytes_sent;
        for file in answer.files {
            if !self.outcome.files.iter().any(|known| known.path == file.path) {
                self.outcome.files.push(file);
            }
        }
        self.outcome.notes.extend(answer.notes);
        self.note(format!("fallback: {reason}; the single-shot diff review of the commit answered"));
        self.outcome.findings = answer.findings.into_iter().map(AgentFinding::from_review).collect();
        Ok(())
    }

    /// One conversation until `report_findings`.
    async fn stage(
        &mut self,
        stage: Stage,
        system: &str,
        report_tool: Tool,
        message: String,
    ) -> Result<(Vec<Candidate>, usize), StageError> {
        let budgets = self.request.budgets.clone();
        let deadline = self.started + budgets.timeout;
        let mut tool_defs = tools::definitions();
        tool_defs.push(report_tool);
        let first = ContentBlock::Text {
            text: message,
            cache_control: Some(serde_json::json!({"type": "ephemeral"})),
        };
        let mut messages = vec![Message { role: Role::User, content: vec![first] }];
        let mut turns = 0u32;
        let mut nudged = false;
        let mut force = false;
        loop {
            if self.request.cancel.is_cancelled() {
                return Err(StageError::Cancelled);
            }
            if turns >= budgets.max_turns {
                return Err(StageError::Budget(Budget::Turns));
            }
            if Instant::now() >= deadline {
                return Err(StageError::Budget(Budget::Time));
            }
            let used = self.outcome.input_tokens();
            if used >= budgets.max_input_tokens {
                return Err(StageError::Budget(Budget::Tokens));
            }
            let last = force || turns + 1 >= budgets.max_turns || self.low_on_budget();
            let request = MessagesRequest {
                model: self.model.model().to_owned(),
                max_tokens: prompt::MAX_TOKENS,
                system: vec![SystemBlock::text(system).cached()],
                messages: messages.clone(),
                tools: tool_defs.clone(),
                tool_choice: Some(if last {
                    ToolChoice::Tool { name: REPORT_TOOL.into() }
                } else {
                    ToolChoice::Auto
                }),
                stream: false,
            };
            turns += 1;
            self.outcome.turns += 1;
            let exchange = self.send(&request, deadline).await?;
            let response = exchange.response;
            if response.stop_reason == Some(StopReason::Refusal) {
                return Err(StageError::Llm(LlmError::new(
                    FailureCode::Refused,
                    "the model refused to review the commit (stop_reason refusal)",
                )));
            }
            if response.stop_reason == Some(StopReason::ModelContextWindowExceeded) {
                return Err(StageError::Budget(Budget::Tokens));
            }
            let uses: Vec<(String, String, Value)> = response
                .content
                .iter()
                .filter_map(|block| match block {
                    ContentBlock::ToolUse { id, name, input } => {
                        Some((id.clone(), name.clone(), input.clone()))
                    }
                    _ => None,
                })
                .collect();
            if response.stop_reason == Some(StopReason::MaxTokens) && !uses.is_empty() {
                return Err(bad_response("the answer was cut off at max_tokens inside a tool call"));
            }
            let mut report_error = None;
            for (_, name, input) in &uses {
                if name == REPORT_TOOL {
                    match findings::parse_report(input) {
                        Ok(reported) => return Ok(reported),
                        Err(error) => report_error = Some(error.message),
                    }
                }
            }
            if !uses.is_empty() {
                let mut results = self.answer_tools(stage, &uses, report_error.as_deref()).await?;
                force = report_error.is_some();
                if turns + 1 >= budgets.max_turns || self.low_on_budget() {
                    results.push(ContentBlock::Text { text: prompt::LAST_TURN.into(), cache_control: None });
                }
                messages.push(Message { role: Role::Assistant, content: response.content });
                messages.push(Message { role: Role::User, content: results });
                continue;
            }
            if response.stop_reason == Some(StopReason::PauseTurn) {
                push_turn(&mut messages, response.content, prompt::CONTINUE);
                continue;
            }
            if nudged {
                return Err(bad_response("the model ended its turn without calling report_findings"));
            }
            nudged = true;
            force = true;
            push_turn(&mut messages, response.content, prompt::NUDGE);
        }
    }

    /// Runs every tool use of one answer: the `tool_result` blocks, in order.
    async fn answer_tools(
        &mut self,
        stage: Stage,
        uses: &[(String, String, Value)],
        report_error: Option<&str>,
    ) -> Result<Vec<ContentBlock>, StageError> {
        let mut results = Vec::with_capacity(uses.len() + 1);
        for (id, name, input) in uses {
            let output = if name == REPORT_TOOL {
                let why = report_error.unwrap_or("malformed report_findings input");
                ToolOutput::error(format!("{why}; call report_findings again with valid input"))
            } else {
                self.tool(stage, name, input).await
            };
            if self.request.cancel.is_cancelled() {
                return Err(StageError::Cancelled);
            }
            results.push(ContentBlock::ToolResult {
                tool_use_id: id.clone(),
                content: output.content,
                is_error: output.is_error,
            });
        }
        Ok(results)
    }

    /// Whether the shared budgets allow only one more turn (tokens at 80 %, tool bytes used up).
    fn low_on_budget(&self) -> bool {
        let budgets = &self.request.budgets;
        self.outcome.input_tokens() * 5 >= budgets.max_input_tokens * 4
            || self.outcome.bytes_read >= budgets.max_read_bytes
    }

    /// One model call, raced against cancellation and the deadline; tallies what it cost.
    async fn send(&mut self, request: &MessagesRequest, deadline: Instant) -> Result<Exchange, StageError> {
        let cancel = self.request.cancel.clone();
        let exchange = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(StageError::Cancelled),
            () = tokio::time::sleep_until(deadline.into()) => return Err(StageError::Budget(Budget::Time)),
            exchange = self.model.send(request) => exchange.map_err(StageError::Llm)?,
        };
        self.outcome.usage.add(exchange.response.usage);
        self.outcome.cost_usd = add_cost(self.outcome.cost_usd, exchange.cost_usd);
        self.outcome.requests += exchange.attempts;
        self.outcome.bytes_sent += exchange.bytes_sent;
        Ok(exchange)
    }

    /// Runs one investigation tool call (off the async threads), within the bytes budget.
    async fn tool(&mut self, stage: Stage, name: &str, input: &Value) -> ToolOutput {
        *self.outcome.tool_calls.entry(name.to_owned()).or_default() += 1;
        let output = match tools::parse(name, input) {
            Err(why) => ToolOutput::error(tools::redact(&why)),
            Ok(call) => {
                self.report(stage, call.describe());
                let left = self.request.budgets.max_read_bytes.saturating_sub(self.outcome.bytes_read);
                if left == 0 {
                    ToolOutput::error(
                        "the review's read budget is used up: call report_findings with what you have found",
                    )
                } else {
                    let sandbox = Arc::clone(&self.sandbox);
                    let mut output = tokio::task::spawn_blocking(move || tools::run(&sandbox, &call))
                        .await
                        .unwrap_or_else(|_| ToolOutput::error("the tool failed unexpectedly"));
                    if !output.is_error {
                        truncate(&mut output.content, left);
                        self.outcome.bytes_read += output.content.len();
                    }
                    output
                }
            }
        };
        if output.is_error {
            self.outcome.tool_errors += 1;
        }
        output
    }
}

/// Appends the assistant's content (when there is any) and a user text, keeping the turns
/// alternating and the conversation ending on the user.
fn push_turn(messages: &mut Vec<Message>, content: Vec<ContentBlock>, text: &str) {
    let block = ContentBlock::Text { text: text.to_owned(), cache_control: None };
    if content.is_empty() {
        if let Some(last) = messages.last_mut().filter(|m| m.role == Role::User) {
            last.content.push(block);
            return;
        }
    } else {
        messages.push(Message { role: Role::Assistant, content });
    }
    messages.push(Message { role: Role::User, content: vec![block] });
}

/// Cuts `text` to at most `limit` bytes at a line boundary, with a marker.
fn truncate(text: &mut String, limit: usize) {
    if text.len() <= limit {
        return;
    }
    let mut cut = limit.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = text[..cut].rfind('\n').map_or(cut, |at| at + 1);
    text.truncate(cut);
    text.push_str("[cut: the review's read budget is used up]");
}

fn add_cost(total: Option<f64>, more: Option<f64>) -> Option<f64> {
    match (total, more) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_alternate_and_end_on_the_user() {
        let mut messages = vec![Message::user_text("diff")];
        push_turn(&mut messages, Vec::new(), prompt::NUDGE);
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].content.len(), 2);
        let text = ContentBlock::Text { text: "thinking".into(), cache_control: None };
        push_turn(&mut messages, vec![text], prompt::CONTINUE);
        let roles: Vec<Role> = messages.iter().map(|m| m.role).collect();
        assert_eq!(roles, [Role::User, Role::Assistant, Role::User]);
    }

    #[test]
    fn truncation_keeps_whole_lines() {
        let mut text = "line one\nline two\nline three\n".to_owned();
        truncate(&mut text, 12);
        assert_eq!(text, "line one\n[cut: the review's read budget is used up]");
        let mut short = "ok".to_owned();
        truncate(&mut short, 12);
        assert_eq!(short, "ok");
        assert_eq!(add_cost(None, Some(1.0)), Some(1.0));
        assert_eq!(add_cost(Some(1.0), Some(2.0)), Some(3.0));
    }
}
