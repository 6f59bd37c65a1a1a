//! `Client`: the [`Messages`] implementation over HTTP. One call = prepare the provider's request,
//! then attempts with per-attempt auth (`SigV4`, Google token), a total timeout each, retries per
//! [`super::retry`], and the answer read as JSON or assembled from SSE.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue};

use super::classify::{is_spend_limit, status_error, transport_error};
use super::config::{BedrockAuth, Provider, ProviderConfig};
use super::cost::cost_usd;
use super::google::TokenCache;
use super::provider::{Prepared, prepare};
use super::retry::{Sleeper, TokioSleeper, retry_delay, server_delay, should_retry};
use super::sigv4::{SigningInput, sign_request};
use super::sse::{SseDecoder, StreamAssembler};
use super::wire::{MessagesRequest, MessagesResponse, StopReason};
use super::{Exchange, FailureCode, LlmError, Messages};

/// Connection setup limit of every request.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest answer read (a review answer is a few kilobytes).
const MAX_BODY: usize = 16 << 20;

/// A Messages API client for the configured provider. Cheap to clone (shared connection pool).
#[derive(Clone)]
pub struct Client {
    config: Arc<ProviderConfig>,
    model: String,
    http: reqwest::Client,
    sleeper: Arc<dyn Sleeper>,
    stream: bool,
    tokens: Arc<TokenCache>,
}

/// The outcome of one attempt that did not produce a message.
struct Failed {
    error: LlmError,
    retry: bool,
    server_delay: Option<Duration>,
}

impl Failed {
    fn fatal(error: LlmError) -> Failed {
        Failed { error, retry: false, server_delay: None }
    }
}

impl Client {
    /// A client for `config`, sending to its review model, non-streaming, sleeping for real.
    pub fn new(config: ProviderConfig) -> Result<Client, LlmError> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("sg-lsp/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| {
                LlmError::new(
                    FailureCode::Tls,
                    "could not set up the HTTPS client (no usable root certificates?)",
                )
            })?;
        Ok(Client {
            model: config.model.clone(),
            config: Arc::new(config),
            http,
            sleeper: Arc::new(TokioSleeper),
            stream: false,
            tokens: Arc::new(TokenCache::default()),
        })
    }

    /// [`ProviderConfig::from_env`] then [`Client::new`]; `NoCredentials` says what to set.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Client, LlmError> {
        Client::new(ProviderConfig::from_env(env)?)
    }

    /// The same client sending to the agentic model (`SG_AGENTIC_MODEL`).
    #[must_use]
    pub fn agentic(&self) -> Client {
        self.clone().with_model(self.config.agentic_model.clone())
    }

    #[must_use]
    pub fn with_model(mut self, model: impl Into<String>) -> Client {
        self.model = model.into();
        self
    }

    /// Ask for SSE streams (ignored on Bedrock, whose streams are not SSE).
    #[must_use]
    pub fn with_stream(mut self, stream: bool) -> Client {
        self.stream = stream;
        self
    }

    /// Replaces the sleeper used between retries (tests pass a [`super::RecordingSleeper`]).
    #[must_use]
    pub fn with_sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Client {
        self.sleeper = sleeper;
        self
    }

    /// Total time allowed for each attempt.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Client {
        Arc::make_mut(&mut self.config).timeout = timeout;
        self
    }

    #[must_use]
    pub fn with_max_retries(mut self, retries: u32) -> Client {
        Arc::make_mut(&mut self.config).max_retries = retries;
        self
    }

    pub fn config(&self) -> &ProviderConfig {
        &self.config
    }

    /// What `doctor` prints (see [`ProviderConfig::describe`]), with the model this client uses.
    pub fn describe(&self) -> Vec<(String, String)> {
        let mut lines = self.config.describe();
        lines.push(("streaming".into(), if self.stream { "on" } else { "off" }.into()));
        lines
    }

    fn host(url: &str) -> String {
        reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(String::from))
            .unwrap_or_else(|| "the endpoint".into())
    }

    /// Replaces any credential that slipped into a message (a server echoing a header, say).
    fn scrub(&self, mut error: LlmError) -> LlmError {
        for secret in self.secrets() {
            if secret.len() >= 4 && error.message.contains(secret) {
                error.message = error.message.replace(secret, "[redacted]");
            }
        }
        error
    }

    fn secrets(&self) -> Vec<&str> {
        use super::config::ApiAuth;
        use super::google::GoogleAuth;
        let mut out: Vec<&str> = self.config.custom_headers.iter().map(|(_, v)| v.expose()).collect();
        match &self.config.provider {
            Provider::Anthropic {
                auth: ApiAuth::ApiKey { key, .. } | ApiAuth::Bearer { token: key, .. },
                ..
            }
            | Provider::Foundry { key, .. }
            | Provider::Bedrock { auth: BedrockAuth::Bearer(key), .. } => out.push(key.expose()),
            Provider::Bedrock { auth: BedrockAuth::SigV4 { credentials, .. }, .. } => {
                out.push(credentials.secret_access_key.expose());
                out.extend(credentials.session_token.as_ref().map(super::Secret::expose));
            }
            Provider::Vertex { auth: GoogleAuth::ServiceAccount { private_key, .. }, .. } => {
                out.push(private_key.expose());
            }
            Provider::Vertex {
                auth: GoogleAuth::AuthorizedUser { client_secret, refresh_token, .. },
                ..
            } => {
                out.push(client_secret.expose());
                out.push(refresh_token.expose());
            }
            Provider::Anthropic { auth: ApiAuth::None, .. }
            | Provider::Vertex { auth: GoogleAuth::Metadata { .. }, .. } => {}
        }
        out
    }

    /// Adds the per-attempt auth headers (`SigV4` signature, Google token).
    async fn authorize(&self, prepared: &Prepared) -> Result<HeaderMap, LlmError> {
        let mut headers = prepared.headers.clone();
        match &self.config.provider {
            Provider::Bedrock { region, auth: BedrockAuth::SigV4 { credentials, .. }, .. } => {
                let content_type = "application/json";
                let signed = sign_request(
                    &SigningInput {
                        method: "POST",
                        url: &prepared.url,
                        headers: &[("content-type", content_type)],
                        body: &prepared.body,
                        content_sha256_header: false,
                    },
                    credentials,
                    region,
                    "bedrock",
                    SystemTime::now(),
                )?;
                for header in signed {
                    let Ok(mut value) = HeaderValue::from_str(&header.value) else { continue };
                    value.set_sensitive(header.sensitive);
                    if let Ok(name) = reqwest::header::HeaderName::from_bytes(header.name.as_bytes()) {
                        headers.insert(name, value);
                    }
                }
            }
            Provider::Vertex { auth, .. } => {
                let token = self.tokens.token(&self.http, auth, self.config.timeout).await?;
                let value = token.header("Bearer ").ok_or_else(|| {
                    LlmError::new(FailureCode::Auth, "the Google access token is not a valid header value")
                })?;
                headers.insert("authorization", value);
            }
            _ => {}
        }
        Ok(headers)
    }

    /// One HTTP exchange, without the timeout (the caller wraps it).
    async fn attempt(&self, prepared: &Prepared, attempts: u32) -> Result<MessagesResponse, Failed> {
        let provider = &self.config.provider;
        let headers = self.authorize(prepared).await.map_err(Failed::fatal)?;
        let response =
            self.http.post(&prepared.url).headers(headers).body(prepared.body.clone()).send().await.map_err(
                |e| Failed {
                    error: transport_error(provider, &Self::host(&prepared.url), &e),
                    retry: true,
                    server_delay: None,
                },
            )?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if !response.status().is_success() {
            let body = read_body(response).await.unwrap_or_default();
            if matches!(provider, Provider::Vertex { .. }) && status == 401 {
                self.tokens.invalidate().await;
            }
            let retry = should_retry(status, &headers) && !(status == 429 && is_spend_limit(&body));
            let mut error = status_error(provider, status, &headers, &body, attempts);
            let delay = server_delay(&headers, SystemTime::now());
            error.retry_after = delay;
            return Err(Failed { error, retry, server_delay: delay });
        }
        let is_sse = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if is_sse {
            return self.read_stream(response).await;
        }
        let body = read_body(response).await.map_err(|_| {
            Failed::fatal(
                LlmError::new(FailureCode::BadResponse, format!("{} cut the answer off", provider.name()))
                    .with_status(status),
            )
        })?;
        serde_json::from_slice::<MessagesResponse>(&body).map_err(|_| {
            Failed::fatal(
                LlmError::new(
                    FailureCode::BadResponse,
                    format!("{} sent an answer that is not a Messages API message", provider.name()),
                )
                .with_status(status),
            )
        })
    }

    async fn read_stream(&self, mut response: reqwest::Response) -> Result<MessagesResponse, Failed> {
        let name = self.config.provider.name();
        let mut decoder = SseDecoder::default();
        let mut assembler = StreamAssembler::default();
        let handle = |assembler: &mut StreamAssembler, event| {
            assembler.handle(&event, name).map_err(|error| {
                // An overloaded or rate-limited stream is worth another try, like a 529 or 429.
                let retry = matches!(error.code, FailureCode::Overloaded | FailureCode::RateLimited);
                Failed { error, retry, server_delay: None }
            })
        };
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    for event in decoder.feed(&chunk) {
                        handle(&mut assembler, event)?;
                    }
                }
                Ok(None) => break,
                Err(e) if e.is_timeout() => {
                    return Err(Failed {
                        error: LlmError::new(FailureCode::Timeout, format!("{name} stream stalled")),
                        retry: true,
                        server_delay: None,
                    });
                }
                Err(_) => {
                    return Err(Failed::fatal(LlmError::new(
                        FailureCode::BadResponse,
                        format!("{name} stream cut off (connection closed before message_stop)"),
                    )));
                }
            }
        }
        if let Some(event) = decoder.finish() {
            handle(&mut assembler, event)?;
        }
        assembler.finish(name).map_err(Failed::fatal)
    }
}

/// Reads a whole body, up to [`MAX_BODY`].
async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_BODY.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if room <= chunk.len() {
            break;
        }
    }
    Ok(body)
}

impl Messages for Client {
    /// Sends `request` to this client's model (`request.model` wins when set).
    async fn send(&self, request: &MessagesRequest) -> Result<Exchange, LlmError> {
        let started = Instant::now();
        let model = if request.model.is_empty() { self.model.as_str() } else { request.model.as_str() };
        let prepared = prepare(&self.config, request, model, self.stream)?;
        let provider = self.config.provider.name();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let attempt_started = Instant::now();
            let outcome =
                match tokio::time::timeout(self.config.timeout, self.attempt(&prepared, attempts)).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(Failed {
                        error: LlmError::new(
                            FailureCode::Timeout,
                            format!(
                                "{provider} did not answer within {} s (SG_LLM_TIMEOUT_SECS)",
                                self.config.timeout.as_secs_f64()
                            ),
                        ),
                        retry: true,
                        server_delay: None,
                    }),
                };
            match outcome {
                Ok(response) => {
                    tracing::debug!(
                        provider,
                        attempt = attempts,
                        latency_ms = attempt_started.elapsed().as_millis() as u64,
                        "llm call answered"
                    );
                    if response.stop_reason == Some(StopReason::Refusal) {
                        return Err(LlmError::new(
                            FailureCode::Refused,
                            format!("{provider}: the model declined to answer (stop_reason refusal)"),
                        ));
                    }
                    let cost = cost_usd(model, &response.usage)
                        .or_else(|| cost_usd(&response.model, &response.usage));
                    return Ok(Exchange {
                        response,
                        attempts,
                        latency: started.elapsed(),
                        bytes_sent: prepared.body.len(),
                        cost_usd: cost,
                    });
                }
                Err(failed) => {
                    tracing::debug!(
                        provider,
                        attempt = attempts,
                        status = failed.error.status,
                        code = failed.error.code.as_str(),
                        latency_ms = attempt_started.elapsed().as_millis() as u64,
                        "llm call failed"
                    );
                    if !failed.retry || attempts > self.config.max_retries {
                        let mut error = failed.error;
                        if attempts > 1 && !error.message.contains("attempts") {
                            let _ = write!(error.message, " ({attempts} attempts)");
                        }
                        return Err(self.scrub(error));
                    }
                    let delay = retry_delay(attempts - 1, failed.server_delay, fastrand::f64());
                    self.sleeper.sleep(delay).await;
                }
            }
        }
    }

    fn model(&self) -> &str {
        &self.model
    }
}
