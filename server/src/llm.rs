//! The `llm` edge: the Messages API wire types, providers (Anthropic and gateways, Bedrock, Vertex,
//! Foundry, local servers), retries, cooldown and cost. Only this module speaks HTTP.
//!
//! Review logic depends on the [`Messages`] trait, so it can be tested with a fake and no network.

mod aws_files;
pub mod classify;
pub mod client;
pub mod config;
pub mod cooldown;
pub mod cost;
pub mod error;
pub mod google;
pub mod provider;
pub mod retry;
pub mod secret;
pub mod sigv4;
pub mod sse;
pub mod wire;

pub use client::Client;
pub use config::{Provider, ProviderConfig};
pub use cooldown::{Failure, FailureRecord, Gate};
pub use error::{FailureCode, LlmError};
pub use retry::{RecordingSleeper, Sleeper, TokioSleeper};
pub use secret::Secret;
pub use wire::{
    ContentBlock, Message, MessagesRequest, MessagesResponse, Role, StopReason, SystemBlock, Tool,
    ToolChoice, Usage,
};

use std::future::Future;
use std::time::Duration;

/// One completed call: the answer plus what it cost.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub response: MessagesResponse,
    /// HTTP requests made for this call (1 plus retries).
    pub attempts: u32,
    /// Wall time of the whole call, retries included.
    pub latency: Duration,
    /// Bytes of request body sent on the last attempt.
    pub bytes_sent: usize,
    /// Estimated price in US dollars from the per-model table (`None` for unknown models).
    pub cost_usd: Option<f64>,
}

/// Anything that answers a Messages request: the real client, or a fake in tests.
pub trait Messages: Send + Sync {
    /// Sends one request (retrying where the policy allows) and returns the assembled answer.
    fn send(&self, request: &MessagesRequest) -> impl Future<Output = Result<Exchange, LlmError>> + Send;

    /// The model id requests go to (for cache keys, reports and `doctor`).
    fn model(&self) -> &str;
}
