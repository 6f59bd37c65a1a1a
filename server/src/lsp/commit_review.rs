//! "Review commit" in the server (`sg-lsp.reviewCommit`): the agentic commit review of the staged
//! changes, or of HEAD when nothing is staged (or of the revision given as the command's argument).
//! Each step shows in `$/progress`; the progress bar's cancel button stops it; findings land on their
//! files with the data-flow trace as `relatedInformation`; the Markdown report is written under
//! `.git/sg-lsp/reviews/` and opened with `window/showDocument`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde_json::{Value, json};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{
    DiagnosticRelatedInformation, Location, MessageType, Position, Range, ShowDocumentParams, Uri,
};

use super::review::{self, Progress, Reviewer, Shown};
use super::scheduler::Shared;
use crate::agent::{self, AgentOutcome, AgentRequest, Budgets, Cancel};
use crate::git::{DiffTarget, Repo};
use crate::llm::{self, FailureCode};

/// `source` of commit review diagnostics.
pub(super) const SOURCE: &str = "sg-lsp/commit-review";
/// The command (and code action) that starts a commit review.
pub(super) const REVIEW_COMMIT: &str = "sg-lsp.reviewCommit";
/// The progress token; a `window/workDoneProgress/cancel` for it cancels the review.
pub(super) const PROGRESS_TOKEN: &str = "sg-lsp/commit-review";
/// The cooldown marker's layer name (shared with the CLI and the hook).
const LAYER: &str = "commit-review";

/// What the client can show, for the report.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Show {
    pub progress: bool,
    pub documents: bool,
}

/// Starts a commit review of `revision` (default: staged changes, else HEAD), cancelling a running one.
pub(super) fn start(
    shared: &Arc<Shared>,
    client: &Client,
    reviewer: &Arc<Reviewer>,
    revision: Option<String>,
    show: Show,
) {
    let model = match reviewer.model() {
        Ok(model) => model.agentic(),
        Err(why) => {
            let (client, why) = (client.clone(), why.clone());
            tokio::spawn(async move {
                client
                    .show_message(MessageType::WARNING, format!("sg-lsp: commit review unavailable: {why}"))
                    .await;
            });
            return;
        }
    };
    let cancel = Cancel::new();
    if let Some(previous) =
        reviewer.commit.lock().unwrap_or_else(std::sync::PoisonError::into_inner).replace(cancel.clone())
    {
        previous.cancel();
    }
    tokio::spawn(run(
        Arc::clone(shared),
        client.clone(),
        Arc::clone(reviewer),
        model,
        revision,
        cancel,
        show,
    ));
}

/// Cancels the running commit review (its progress bar's cancel button).
pub(super) fn cancel(reviewer: &Reviewer) -> bool {
    let running = reviewer.commit.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
    running.is_some_and(|cancel| {
        cancel.cancel();
        true
    })
}

async fn run(
    shared: Arc<Shared>,
    client: Client,
    reviewer: Arc<Reviewer>,
    model: llm::Client,
    revision: Option<String>,
    cancel: Cancel,
    show: Show,
) {
    let Some(root) = shared.lock().root.clone() else {
        client.show_message(MessageType::WARNING, "sg-lsp: open a folder to review its commits").await;
        return;
    };
    let target = match revision {
        Some(revision) => DiffTarget::Commit(revision),
        None => default_target(root.clone()).await,
    };
    let what = match &target {
        DiffTarget::Staged => "staged changes".to_owned(),
        DiffTarget::Commit(revision) => revision.clone(),
        other => format!("{other:?}"),
    };
    let mut request = AgentRequest::new(root.clone(), target);
    request.home = (reviewer.env)("HOME").map(PathBuf::from);
    request.budgets = Budgets::from_env(|name| (reviewer.env)(name));
    request.cancel = cancel;
    tracing::info!(target = what.as_str(), "commit review started");
    review::notify(&client, json!({"state": "running", "kind": "commit", "target": what})).await;
    let bar =
        Progress::begin(&client, show.progress, PROGRESS_TOKEN, &format!("sg-lsp: reviewing {what}")).await;

    // The engine reports steps synchronously; they reach the progress bar through a channel.
    let (steps, mut step) = tokio::sync::mpsc::unbounded_channel();
    let review = agent::review_commit(&model, &request, move |progress| {
        let _ = steps.send(progress.message);
    });
    tokio::pin!(review);
    let outcome = loop {
        tokio::select! {
            outcome = &mut review => break outcome,
            Some(message) = step.recv() => bar.report(message).await,
        }
    };
    drop(bar);
    let state_dir = reviewer.state_dir();
    match outcome {
        Ok(outcome) => {
            if let Some(dir) = &state_dir {
                llm::cooldown::record_success(dir, LAYER);
            }
            tracing::info!(
                findings = outcome.findings.len(),
                tool_calls = outcome.tool_call_count(),
                turns = outcome.turns,
                requests = outcome.requests,
                "commit review finished"
            );
            review::notify(&client, status(&outcome)).await;
            publish(&shared, &root, &outcome).await;
            open_report(&client, &root, &outcome, show.documents).await;
        }
        Err(agent::AgentError::Cancelled) => {
            tracing::info!("commit review cancelled");
            review::notify(&client, json!({"state": "cancelled", "kind": "commit"})).await;
        }
        Err(error) => {
            let code = error.failure_code();
            tracing::warn!(code = code.map(FailureCode::as_str), "commit review failed: {error}");
            review::notify(
                &client,
                json!({"state": "failed", "kind": "commit", "code": code.map(FailureCode::as_str), "message": error.to_string()}),
            )
            .await;
            if let (Some(dir), agent::AgentError::Llm(e)) = (&state_dir, &error)
                && e.repeats
            {
                llm::cooldown::record_failure(
                    dir,
                    LAYER,
                    &llm::cooldown::Failure::from(e),
                    crate::clock::now(),
                    llm::cooldown::window_from_env(|name| (reviewer.env)(name)),
                );
                reviewer.told.store(true, Ordering::SeqCst);
            }
            // A person asked for this review: always say why it did not happen.
            client.show_message(MessageType::ERROR, format!("sg-lsp: {error}")).await;
        }
    }
}

/// The staged changes when there are any, else HEAD.
async fn default_target(root: PathBuf) -> DiffTarget {
    let staged = tokio::task::spawn_blocking(move || {
        let repo = Repo::discover(&root).ok()?;
        Some(!repo.diff(&DiffTarget::Staged, None).ok()?.files.is_empty())
    })
    .await;
    if matches!(staged, Ok(Some(true))) { DiffTarget::Staged } else { DiffTarget::Commit("HEAD".into()) }
}

fn status(outcome: &AgentOutcome) -> Value {
    json!({
        "state": "done",
        "kind": "commit",
        "commit": outcome.commit,
        "findings": outcome.findings.len(),
        "toolCalls": outcome.tool_call_count(),
        "turns": outcome.turns,
        "requests": outcome.requests,
        "inputTokens": outcome.input_tokens(),
        "outputTokens": outcome.usage.output_tokens,
        "costUsd": outcome.cost_usd,
        "elapsedMs": u64::try_from(outcome.elapsed.as_millis()).unwrap_or(u64::MAX),
        "fallback": outcome.fallback,
    })
}

async fn publish(shared: &Arc<Shared>, root: &Path, outcome: &AgentOutcome) {
    let shown: Vec<Shown<'_>> = outcome
        .findings
        .iter()
        .map(|found| Shown {
            finding: &found.finding,
            extra: (!found.exploit.is_empty()).then(|| format!("Exploit: {}", found.exploit)),
            related: found.trace.iter().filter_map(|step| related(root, step)).collect(),
        })
        .collect();
    review::publish(shared, root, SOURCE, &outcome.files, &shown).await;
}

/// One step of the data-flow trace as related information: the whole cited line.
fn related(root: &Path, step: &agent::TraceStep) -> Option<DiagnosticRelatedInformation> {
    let uri = Uri::from_file_path(root.join(&step.file))?;
    let line = step.line.checked_sub(1)?;
    let range = Range::new(Position::new(line, 0), Position::new(line + 1, 0));
    Some(DiagnosticRelatedInformation { location: Location::new(uri, range), message: step.note.clone() })
}

/// Writes the Markdown report under `.git/sg-lsp/reviews/` and opens it (or says where it is).
async fn open_report(client: &Client, root: &Path, outcome: &AgentOutcome, can_show: bool) {
    let written = write_report(root, outcome);
    let path = match written {
        Ok(path) => path,
        Err(e) => {
            tracing::warn!("cannot write the commit review report: {e}");
            return;
        }
    };
    let opened = match Uri::from_file_path(&path) {
        Some(uri) if can_show => {
            let params =
                ShowDocumentParams { uri, external: Some(false), take_focus: Some(true), selection: None };
            client.show_document(params).await.is_ok_and(|shown| shown)
        }
        _ => false,
    };
    if !opened {
        let message = format!(
            "sg-lsp: commit review: {} finding(s); report in {}",
            outcome.findings.len(),
            path.display()
        );
        client.show_message(MessageType::INFO, message).await;
    }
}

fn write_report(root: &Path, outcome: &AgentOutcome) -> std::io::Result<PathBuf> {
    let repo = Repo::discover(root).map_err(|e| std::io::Error::other(e.0))?;
    let dir = repo.git_dir().join("sg-lsp").join("reviews");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(agent::report_file_name(outcome, crate::clock::now()));
    std::fs::write(&path, agent::render_report(outcome))?;
    Ok(path)
}
