//! How the hook's review layers report a failed model call: without credentials a note (no cooldown:
//! the review starts as soon as credentials appear), otherwise the failure is recorded (a cooldown
//! marker when it will repeat) and one line says when the next try comes.

use std::path::Path;

use crate::llm::cooldown;
use crate::llm::{FailureCode, LlmError};

use super::failure::{Code, Failure};
use super::{Reply, log};

/// The words and the cooldown layer of one review layer.
pub(crate) struct Layer {
    /// The cooldown marker's layer name.
    pub(crate) cooldown: &'static str,
    /// "review", "commit review".
    pub(crate) what: &'static str,
    /// When a transient failure is retried: "the next Stop", "the next commit".
    pub(crate) next: &'static str,
}

/// The one-line failure for `error`, after recording it.
pub(crate) fn report(layer: &Layer, dir: &Path, error: &LlmError, now: u64, reply: &mut Reply) -> Failure {
    let message = error.message.trim_end_matches('.');
    if error.code == FailureCode::NoCredentials {
        reply.fact("skip", "no_credentials");
        let text = format!("{} skipped: {message}; `sg-lsp doctor` explains", layer.what);
        return Failure::new(Code::Llm(error.code), text);
    }
    let window = cooldown::window_from_env(super::switches::env_value);
    let marker = cooldown::record_failure(dir, layer.cooldown, &cooldown::Failure::from(error), now, window);
    let status = error.status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
    let next = match marker.and_then(|m| m.until) {
        Some(until) => {
            reply.fact("cooldown_until", until);
            format!("{}s pause until {} (`sg-lsp doctor` shows why)", layer.what, log::timestamp(until))
        }
        None => format!("{} tries again", layer.next),
    };
    Failure::new(Code::Llm(error.code), format!("{} failed: {message}{status}; {next}", layer.what))
}
