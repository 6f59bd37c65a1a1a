//! Failures of an LLM call, classified with the stable codes of SPEC §4.

use std::fmt;
use std::time::Duration;

/// Why a call failed. `as_str` names are stable (debug log, `doctor`, cooldown markers, tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailureCode {
    /// Connection refused or reset, or another transport error.
    Network,
    /// The host name did not resolve.
    Dns,
    /// The TLS handshake failed.
    Tls,
    /// 401/403, or credentials missing or rejected.
    Auth,
    /// 429 (after the retries ran out), or a spend/quota limit.
    RateLimited,
    /// 529 or an `overloaded_error` event (after the retries ran out).
    Overloaded,
    /// The request or the stream took longer than its timeout.
    Timeout,
    /// The answer could not be understood (malformed JSON, no tool call, cut-off stream, 4xx/5xx).
    BadResponse,
    /// The model refused (`stop_reason: "refusal"`).
    Refused,
    /// No provider is configured (no credentials).
    NoCredentials,
}

impl FailureCode {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureCode::Network => "network",
            FailureCode::Dns => "dns",
            FailureCode::Tls => "tls",
            FailureCode::Auth => "auth",
            FailureCode::RateLimited => "rate_limited",
            FailureCode::Overloaded => "overloaded",
            FailureCode::Timeout => "timeout",
            FailureCode::BadResponse => "bad_response",
            FailureCode::Refused => "refused",
            FailureCode::NoCredentials => "no_credentials",
        }
    }

    /// Whether the same call will most likely fail the same way for hours (a cooldown is due).
    pub fn repeats(self) -> bool {
        matches!(self, FailureCode::Auth | FailureCode::Refused | FailureCode::NoCredentials)
    }
}

/// One failed call: its class, a one-line explanation (never a key, never request text), and the
/// HTTP status where there was one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LlmError {
    pub code: FailureCode,
    pub message: String,
    pub status: Option<u16>,
    /// The server's `retry-after`, when it gave one (kept for the caller's cooldown decision).
    pub retry_after: Option<Duration>,
    /// Whether the same call will fail the same way for hours (auth, spend limit, billing, refusal):
    /// the caller should write a cooldown marker. Starts as [`FailureCode::repeats`].
    pub repeats: bool,
}

impl LlmError {
    pub fn new(code: FailureCode, message: impl Into<String>) -> LlmError {
        LlmError { code, message: message.into(), status: None, retry_after: None, repeats: code.repeats() }
    }

    #[must_use]
    pub fn with_status(mut self, status: u16) -> LlmError {
        self.status = Some(status);
        self
    }

    /// Marks a failure that will repeat although its code usually does not (a spend limit is
    /// `rate_limited` but lasts until someone raises it).
    #[must_use]
    pub fn repeating(mut self) -> LlmError {
        self.repeats = true;
        self
    }
}

impl fmt::Display for LlmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "{} (HTTP {status}) [{}]", self.message, self.code.as_str()),
            None => write!(f, "{} [{}]", self.message, self.code.as_str()),
        }
    }
}

impl std::error::Error for LlmError {}
