//! How the hook's review layers report a failed model call: without credentials a note (no cooldown:
//! the review starts as soon as credentials appear), otherwise the failure is recorded (a cooldown
//! marker when it will repeat) and one line says when the next try comes.

use std::path::Path;

use crate::llm::cooldown;
use crate::llm::{FailureCode, LlmError};

use super::Reply;
use super::failure::{Code, Failure};

/// The words and the cooldown layer of one review layer.
pub(crate) struct Layer {
    /// The cooldown marker's layer name.
    pub(crate) cooldown: &'static str,
    /// "review", "commit review".
    pub(crate) what: &'static str,
    /// When a transient failure is retried: "the next Stop", "the next commit".
    pub(crate) next: &'static str,
}

/// The Stop review's words and cooldown layer.
pub(crate) const STOP_REVIEW: Layer =
    Layer { cooldown: super::stop::LAYER, what: "review", next: "the next Stop" };
/// The commit review's words and cooldown layer.
pub(crate) const COMMIT_REVIEW: Layer =
    Layer { cooldown: super::commit::LAYER, what: "commit review", next: "the next commit" };

impl Layer {
    /// "the next Stop tries again".
    pub(crate) fn retry(&self) -> String {
        format!("{} tries again", self.next)
    }
}

/// The one-line failure for `error`, after recording it.
pub(crate) fn report(layer: &Layer, dir: &Path, error: &LlmError, now: u64, reply: &mut Reply) -> Failure {
    let message = error.message.trim_end_matches('.');
    if error.code == FailureCode::NoCredentials {
        reply.fact("skip", "no_credentials");
        let text = format!("{} skipped: {message}; `sg-lsp doctor` explains", layer.what);
        return Failure::new(Code::Llm(error.code), text);
    }
    let status = error.status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
    let (text, until) =
        record(layer, dir, &cooldown::Failure::from(error), &format!("{message}{status}"), now);
    if let Some(until) = until {
        reply.fact("cooldown_until", until);
    }
    Failure::new(Code::Llm(error.code), text)
}

/// Records `failure` for the layer's cooldown. Returns the line "<what> failed: <detail>; <when the next
/// try comes>" and the end of the cooldown when one started.
pub(crate) fn record(
    layer: &Layer,
    dir: &Path,
    failure: &cooldown::Failure,
    detail: &str,
    now: u64,
) -> (String, Option<u64>) {
    let window = cooldown::window_from_env(super::switches::env_value);
    let until = cooldown::record_failure(dir, layer.cooldown, failure, now, window).and_then(|m| m.until);
    let next = until.map_or_else(
        || layer.retry(),
        |until| {
            format!(
                "{}s pause until {} (`sg-lsp doctor` shows why)",
                layer.what,
                crate::clock::rfc3339(until)
            )
        },
    );
    (format!("{} failed: {detail}; {next}", layer.what), until)
}
