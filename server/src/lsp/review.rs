//! The LLM diff review in the server: on save (`review.onSave`, on by default when credentials
//! exist), after an idle timer (`review.idleSeconds`, off by default), or on the
//! `sg-lsp.reviewChanges` command. One review at a time: a newer trigger cancels the running one.
//! Findings are a separate source (`sg-lsp/review`), published with the pattern findings of their
//! file, kept across rescans and dropped when their line is edited (see `Document::review`).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::notification::Notification;
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, MessageType,
    NumberOrString, ProgressToken, Uri,
};
use tower_lsp_server::{Cancellable, OngoingProgress, Unbounded};

use super::scheduler::{self, Shared};
use super::workspace;
use super::{Env, position};
use crate::finding::{Layer, Severity};
use crate::git::DiffTarget;
use crate::llm::{self, FailureCode};
use crate::review::{self, ReviewFinding, ReviewOutcome, ReviewRequest, ReviewedFile};
use crate::text::{Encoding, LineIndex};

/// `source` of review diagnostics.
pub(super) const SOURCE: &str = "sg-lsp/review";
/// Reviews the working tree's changes against HEAD.
pub(super) const REVIEW_CHANGES: &str = "sg-lsp.reviewChanges";
/// The cooldown marker's layer name (shared with the CLI and the hook).
const LAYER: &str = "review";
/// A finding whose line moved further than this while the review ran is dropped, not guessed at.
const RELOCATE_WINDOW: usize = 20;

/// `sgLsp/reviewStatus`: the state and cost of the last review, for a status bar.
enum ReviewStatus {}

impl Notification for ReviewStatus {
    type Params = Value;
    const METHOD: &'static str = "sgLsp/reviewStatus";
}

/// What started a review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Trigger {
    /// A file was saved: review its changes against HEAD.
    Save(PathBuf),
    /// No edit for `review.idleSeconds`: review every change.
    Idle,
    /// The user asked: review every change, even during a cooldown.
    Command,
}

impl Trigger {
    fn name(&self) -> &'static str {
        match self {
            Trigger::Save(_) => "save",
            Trigger::Idle => "idle",
            Trigger::Command => "command",
        }
    }
}

/// The review layer's state in one server.
pub(super) struct Reviewer {
    /// The provider, or why there is none (no credentials, a bad setting).
    config: Result<llm::ProviderConfig, String>,
    /// The HTTPS client, built on the first review (loading the root certificates costs a few
    /// megabytes a server that never reviews should not pay).
    client: OnceLock<Result<llm::Client, String>>,
    pub env: Env,
    running: Mutex<Option<tokio::task::AbortHandle>>,
    /// A problem that will repeat (auth, quota, no credentials on a command) was shown once already.
    pub told: AtomicBool,
    /// Cancels the running commit review.
    pub commit: Mutex<Option<crate::agent::Cancel>>,
    /// Bumped by every edit and save; an idle timer fires only if it has not moved.
    activity: AtomicU64,
}

impl Reviewer {
    pub fn new(env: Env) -> Reviewer {
        let config = llm::ProviderConfig::from_env(|name| env(name)).map_err(|e| e.message);
        match &config {
            Ok(config) => tracing::info!(model = config.model, "LLM review available"),
            Err(why) => tracing::info!("LLM review off: {why}"),
        }
        Reviewer {
            config,
            client: OnceLock::new(),
            env,
            running: Mutex::new(None),
            told: AtomicBool::new(false),
            commit: Mutex::new(None),
            activity: AtomicU64::new(0),
        }
    }

    /// Whether a review can run at all (credentials exist).
    pub fn available(&self) -> bool {
        self.config.is_ok()
    }

    /// The model client, or why there is none.
    pub fn model(&self) -> Result<llm::Client, String> {
        let config = self.config.as_ref()?;
        let built = self.client.get_or_init(|| llm::Client::new(config.clone()).map_err(|e| e.message));
        built.clone()
    }

    /// Notes an edit or a save; returns the new activity count for an idle timer to compare.
    pub fn touch(&self) -> u64 {
        self.activity.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn idle_since(&self, mark: u64) -> bool {
        self.activity.load(Ordering::SeqCst) == mark
    }

    pub fn state_dir(&self) -> Option<PathBuf> {
        llm::cooldown::state_dir(|name| (self.env)(name)).map(|(dir, _)| dir)
    }
}

/// Starts a review for `trigger`, cancelling the one running.
pub(super) fn start(
    shared: &Arc<Shared>,
    client: &Client,
    reviewer: &Arc<Reviewer>,
    trigger: Trigger,
    progress: bool,
) {
    let model = match reviewer.model() {
        Ok(model) => model,
        Err(why) => {
            if trigger == Trigger::Command {
                let client = client.clone();
                tokio::spawn(async move {
                    client
                        .show_message(MessageType::WARNING, format!("sg-lsp: review unavailable: {why}"))
                        .await;
                });
            }
            return;
        }
    };
    let now = crate::clock::now();
    if trigger != Trigger::Command
        && let Some(dir) = reviewer.state_dir()
        && let llm::cooldown::Gate::Cooling { until, code, .. } = llm::cooldown::check(&dir, LAYER, now)
    {
        tracing::info!(until, code = code.as_str(), "review skipped: cooling down");
        return;
    }
    let task =
        tokio::spawn(run(Arc::clone(shared), client.clone(), Arc::clone(reviewer), model, trigger, progress));
    let mut running = reviewer.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(previous) = running.replace(task.abort_handle()) {
        // A newer save makes the running review's diff stale; its answer would be too.
        previous.abort();
    }
}

/// Starts the idle timer after an edit or save, if `review.idleSeconds` is set.
pub(super) fn arm_idle(shared: &Arc<Shared>, client: &Client, reviewer: &Arc<Reviewer>, progress: bool) {
    let mark = reviewer.touch();
    let Some(idle) = shared.lock().settings.review_idle else { return };
    if !reviewer.available() {
        return;
    }
    let (shared, client, reviewer) = (Arc::clone(shared), client.clone(), Arc::clone(reviewer));
    tokio::spawn(async move {
        tokio::time::sleep(idle).await;
        if reviewer.idle_since(mark) {
            start(&shared, &client, &reviewer, Trigger::Idle, progress);
        }
    });
}

async fn run(
    shared: Arc<Shared>,
    client: Client,
    reviewer: Arc<Reviewer>,
    model: llm::Client,
    trigger: Trigger,
    progress: bool,
) {
    let Some(root) = shared.lock().root.clone() else {
        if trigger == Trigger::Command {
            client.show_message(MessageType::WARNING, "sg-lsp: open a folder to review its changes").await;
        }
        return;
    };
    let mut request = ReviewRequest::new(root.clone(), DiffTarget::WorkingTree);
    request.home = (reviewer.env)("HOME").map(PathBuf::from);
    request.dual = (reviewer.env)("SG_DUAL_OR").is_some_and(|v| v.eq_ignore_ascii_case("on"));
    if let Trigger::Save(path) = &trigger {
        let Some(relative) = relative_path(&root, path) else { return };
        request.only_paths = Some(vec![relative]);
    }
    tracing::info!(trigger = trigger.name(), "review started");
    notify(&client, json!({"state": "running", "trigger": trigger.name()})).await;
    let bar = Progress::begin(&client, progress, PROGRESS_TOKEN, "sg-lsp: reviewing changes").await;
    let outcome = review::review(&model, &request).await;
    drop(bar);
    let state_dir = reviewer.state_dir();
    match outcome {
        Ok(outcome) => {
            if let Some(dir) = &state_dir {
                llm::cooldown::record_success(dir, LAYER);
            }
            tracing::info!(
                trigger = trigger.name(),
                findings = outcome.findings.len(),
                requests = outcome.requests,
                cached = outcome.cached,
                input_tokens = outcome.usage.input_tokens,
                output_tokens = outcome.usage.output_tokens,
                "review finished"
            );
            notify(&client, status(&outcome)).await;
            let shown: Vec<Shown<'_>> = outcome
                .findings
                .iter()
                .map(|finding| Shown { finding, extra: None, related: Vec::new() })
                .collect();
            publish(&shared, &root, SOURCE, &outcome.files, &shown).await;
        }
        Err(error) => {
            let code = error.failure_code();
            tracing::warn!(code = code.map(FailureCode::as_str), "review failed: {error}");
            notify(&client, json!({"state": "failed", "code": code.map(FailureCode::as_str), "message": error.to_string()}))
                .await;
            let repeats = matches!(&error, review::ReviewError::Llm(e) if e.repeats)
                || code.is_some_and(FailureCode::repeats);
            if repeats {
                if let (Some(dir), review::ReviewError::Llm(e)) = (&state_dir, &error) {
                    llm::cooldown::record_failure(
                        dir,
                        LAYER,
                        &llm::cooldown::Failure::from(e),
                        crate::clock::now(),
                        llm::cooldown::window_from_env(|name| (reviewer.env)(name)),
                    );
                }
                // Auth and quota problems are the user's to fix: say it once, not on every save.
                if !reviewer.told.swap(true, Ordering::SeqCst) {
                    client.show_message(MessageType::ERROR, format!("sg-lsp review: {error}")).await;
                }
            } else if trigger == Trigger::Command {
                client.show_message(MessageType::WARNING, format!("sg-lsp review: {error}")).await;
            }
        }
    }
}

pub(super) fn relative_path(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    Some(relative.to_string_lossy().replace('\\', "/"))
}

fn status(outcome: &ReviewOutcome) -> Value {
    json!({
        "state": "done",
        "findings": outcome.findings.len(),
        "files": outcome.files.len(),
        "requests": outcome.requests,
        "cached": outcome.cached,
        "inputTokens": outcome.usage.input_tokens,
        "outputTokens": outcome.usage.output_tokens,
        "cacheReadTokens": outcome.usage.cache_read_input_tokens,
        "cacheWriteTokens": outcome.usage.cache_creation_input_tokens,
        "costUsd": outcome.cost_usd,
        "elapsedMs": u64::try_from(outcome.elapsed.as_millis()).unwrap_or(u64::MAX),
        "notes": outcome.notes,
    })
}

pub(super) async fn notify(client: &Client, params: Value) {
    client.send_notification::<ReviewStatus>(params).await;
}

/// One finding to show, with the data-flow trace a commit review gives (empty for diff reviews).
#[derive(Clone)]
pub(super) struct Shown<'a> {
    pub finding: &'a ReviewFinding,
    pub extra: Option<String>,
    pub related: Vec<DiagnosticRelatedInformation>,
}

/// Puts each reviewed file's findings of `source` where they are shown, replacing that source's
/// earlier ones: on the open document (moved to where their code is now), or published for a closed
/// file together with its pattern findings.
pub(super) async fn publish(
    shared: &Arc<Shared>,
    root: &Path,
    source: &'static str,
    files: &[ReviewedFile],
    shown: &[Shown<'_>],
) {
    let encoding = shared.lock().encoding;
    for file in files {
        let path = root.join(&file.path);
        let Some(uri) = Uri::from_file_path(&path) else { continue };
        let here: Vec<&Shown<'_>> = shown.iter().filter(|s| s.finding.path == file.path).collect();
        let open = {
            let mut session = shared.lock();
            let ours = |d: &Diagnostic| d.source.as_deref() == Some(source);
            if let Some((_, document)) = session.documents.get_mut(uri.as_str()) {
                let current = document.rope.to_string();
                document.review.retain(|d| !ours(d));
                document.review.extend(here.iter().filter_map(|shown| {
                    let moved = relocate(shown.finding, file, &current)?;
                    Some(diagnostic(
                        source,
                        &Shown { finding: &moved, ..(*shown).clone() },
                        &current,
                        encoding,
                    ))
                }));
                // The scan task publishes the pattern and review findings together; a running one
                // sees the document dirty and scans once more.
                document.dirty = true;
                let start = !document.scanning;
                document.scanning = true;
                Some(start.then(|| (uri.as_str().to_owned(), document.incarnation)))
            } else {
                let kept = session.review_closed.entry(uri.as_str().to_owned()).or_default();
                kept.retain(|d| !ours(d));
                kept.extend(here.iter().map(|shown| diagnostic(source, shown, &file.text, encoding)));
                None
            }
        };
        match open {
            Some(Some(task)) => scheduler::start(shared, task),
            Some(None) => {}
            None => workspace::rescan_closed(Arc::clone(shared), uri).await,
        }
    }
}

/// The finding moved to the line of the open document that now holds its reviewed line's code, or
/// `None` when that code is gone.
fn relocate(finding: &ReviewFinding, file: &ReviewedFile, current: &str) -> Option<ReviewFinding> {
    let reviewed: Vec<&str> = file.text.lines().collect();
    let now: Vec<&str> = current.lines().collect();
    let line = finding.line as usize;
    let wanted = reviewed.get(line.checked_sub(1)?)?.trim();
    if now.get(line - 1).is_some_and(|l| l.trim() == wanted) {
        return Some(finding.clone());
    }
    let nearest = (1..=RELOCATE_WINDOW).find_map(|distance| {
        [line.checked_sub(distance), Some(line + distance)]
            .into_iter()
            .flatten()
            .find(|&candidate| candidate >= 1 && now.get(candidate - 1).is_some_and(|l| l.trim() == wanted))
    })?;
    let mut moved = finding.clone();
    let span = moved.end_line.saturating_sub(moved.line);
    moved.line = nearest as u32;
    moved.end_line = moved.line + span;
    Some(moved)
}

/// The diagnostic of a review finding in `text`.
pub(super) fn diagnostic(source: &str, shown: &Shown<'_>, text: &str, encoding: Encoding) -> Diagnostic {
    let finding = shown.finding;
    let as_finding = finding.to_finding(text, Layer::Review);
    let index = LineIndex::new(text);
    let severity = match as_finding.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info | Severity::Hint => DiagnosticSeverity::INFORMATION,
    };
    let mut message = finding.title.clone();
    for (label, part) in [
        ("", &finding.explanation),
        ("", shown.extra.as_ref().unwrap_or(&String::new())),
        ("Fix: ", &finding.fix),
    ] {
        if !part.is_empty() {
            message.push_str("\n\n");
            message.push_str(label);
            message.push_str(part);
        }
    }
    let cwe_link = finding.cwe.first().and_then(|cwe| crate::finding::cwe_uri(cwe)?.parse().ok());
    Diagnostic {
        range: position::text_range(&index, text, &as_finding.span, encoding),
        severity: Some(severity),
        code: Some(NumberOrString::String(finding.rule_id())),
        code_description: cwe_link.map(|href| CodeDescription { href }),
        source: Some(source.to_owned()),
        message,
        related_information: (!shown.related.is_empty()).then(|| shown.related.clone()),
        ..Diagnostic::default()
    }
}

/// The progress token of the review; a `window/workDoneProgress/cancel` for it cancels the review.
pub(super) const PROGRESS_TOKEN: &str = "sg-lsp/review";

/// A `$/progress` bar with a cancel button, when the client shows them.
pub(super) struct Progress(Option<OngoingProgress<Unbounded, Cancellable>>);

impl Progress {
    pub async fn begin(client: &Client, wanted: bool, token: &str, title: &str) -> Progress {
        let token: ProgressToken = NumberOrString::String(token.into());
        if !wanted || client.create_work_done_progress(token.clone()).await.is_err() {
            return Progress(None);
        }
        Progress(Some(client.progress(token, title).with_cancel_button().begin().await))
    }

    /// Shows what the review is doing now ("Reading app/routes.py").
    pub async fn report(&self, message: String) {
        if let Some(bar) = &self.0 {
            bar.report_with_message(message, None).await;
        }
    }
}

impl Drop for Progress {
    /// Ends the bar however the review ends, a cancellation (the task dropped mid-await) included.
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            tokio::spawn(bar.finish());
        }
    }
}

/// Cancels the running review (the client pressed cancel on its progress bar).
pub(super) fn cancel(reviewer: &Reviewer) -> bool {
    let running = reviewer.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
    running.is_some_and(|task| {
        task.abort();
        true
    })
}
