//! Loopback mock of the Anthropic Messages API (first-party, Foundry, Bedrock and Vertex forms) for tests.
//!
//! A [`MockServer`] listens on `127.0.0.1` on its own thread with its own tokio runtime, so sync tests,
//! `#[tokio::test]`s and tests that spawn a binary can all use it. Tests script replies ([`Reply`],
//! optionally chosen by a [`Match`] through a [`Rule`]), and assert on the [`Recorded`] requests. Requests
//! are validated the way the real API does (headers, body, tool-result pairing, prefill, `SigV4`, Vertex
//! paths and tokens) and rejected with the real error shapes; rejected requests are recorded too and do not
//! consume a scripted reply.

mod bedrock;
mod recorded;
mod reply;
mod script;
mod server;
pub mod sse;
mod validate;
mod vertex;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use recorded::Recorded;
pub use reply::{Drip, Match, Reply, Rule, SseEvent};
pub use script::{Script, ScriptError};

/// Which flavour of the API the mock serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `POST /v1/messages` (also `?beta=true`), `POST /v1/messages/count_tokens`, and the Foundry form
    /// `/anthropic/v1/messages`.
    Anthropic,
    /// `POST /model/{id}/invoke`, authenticated by `SigV4` (service `bedrock`) with these credentials, or by
    /// `Authorization: Bearer <Config::api_key>` (a Bedrock API key).
    Bedrock { access_key: String, secret_key: String, session_token: Option<String>, region: String },
    /// `POST /v1/projects/{project}/locations/{region}/publishers/anthropic/models/{m}:rawPredict` (and
    /// `:streamRawPredict`) with `Authorization: Bearer <token>`; also the OAuth token endpoint
    /// `POST /token` and the GCE metadata token route, both handing out `token`.
    Vertex { project: String, region: String, token: String },
}

/// What the mock accepts.
#[derive(Clone, Debug)]
pub struct Config {
    pub mode: Mode,
    /// When `Some`, `x-api-key` (or `Authorization: Bearer`) must equal it. In Bedrock mode it is the
    /// accepted Bedrock API key. `None` accepts any key, or none.
    pub api_key: Option<String>,
    /// Reject a conversation ending on an assistant turn, as Claude 4.6+ models do.
    pub reject_prefill: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self { mode: Mode::Anthropic, api_key: Some("test-key".to_owned()), reject_prefill: true }
    }
}

/// Less common settings, for [`MockServer::start_with`].
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Port to bind on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Append every request to this file as one JSON line (secrets redacted).
    pub record: Option<PathBuf>,
    /// Accept any `anthropic-beta` name (the real Claude Code CLI sends many), instead of the known list.
    pub any_beta: bool,
    /// Beta names accepted on top of the built-in list.
    pub extra_betas: Vec<String>,
}

/// The mock server. Dropping it shuts it down.
pub struct MockServer {
    shared: Arc<server::Shared>,
    url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MockServer {
    /// Starts the mock on `127.0.0.1:0`.
    pub fn start(config: Config) -> MockServer {
        Self::start_with(config, Options::default())
    }

    /// Starts the mock with [`Options`]. Panics if the port cannot be bound (see [`MockServer::try_start_with`]).
    pub fn start_with(config: Config, options: Options) -> MockServer {
        Self::try_start_with(config, options).expect("mock-llm: cannot start")
    }

    /// Starts the mock, reporting a bind or record-file failure.
    pub fn try_start_with(config: Config, options: Options) -> std::io::Result<MockServer> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", options.port))?;
        listener.set_nonblocking(true)?;
        let url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(server::Shared::new(config, options)?);
        let (shutdown, stopped) = tokio::sync::oneshot::channel();
        let thread = std::thread::Builder::new().name("mock-llm".to_owned()).spawn({
            let shared = Arc::clone(&shared);
            move || server::run(listener, shared, stopped)
        })?;
        Ok(MockServer { shared, url, shutdown: Some(shutdown), thread: Some(thread) })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Queues a reply used once, in FIFO order. With nothing queued (and no default), requests get
    /// 500 `api_error` "mock: no scripted reply left", so runaway loops fail loudly.
    pub fn push(&self, reply: Reply) {
        self.push_rule(Rule::once(reply));
    }

    /// Adds a rule: the first rule (in insertion order) whose match fits the request and that has uses left
    /// answers it.
    pub fn push_rule(&self, rule: Rule) {
        self.shared.lock().rules.push(rule);
    }

    /// Loads a whole [`Script`] (rules and default).
    pub fn load(&self, script: Script) {
        let mut inner = self.shared.lock();
        inner.rules.extend(script.rules);
        if script.default.is_some() {
            inner.default = script.default;
        }
    }

    /// The reply used when no rule answers (for "20 identical saves" style tests).
    pub fn set_default(&self, reply: Option<Reply>) {
        self.shared.lock().default = reply;
    }

    /// Scripted replies (rules) not used up yet.
    pub fn pending(&self) -> usize {
        self.shared.lock().rules.len()
    }

    /// Every request received so far, in order, including rejected ones.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().requests.clone()
    }

    /// Waits until at least `n` requests arrived or `timeout` passed, then returns all of them.
    pub fn wait_for_requests(&self, n: usize, timeout: Duration) -> Vec<Recorded> {
        let deadline = Instant::now() + timeout;
        let mut inner = self.shared.lock();
        while inner.requests.len() < n {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            inner = self
                .shared
                .arrived
                .wait_timeout(inner, deadline - now)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
        inner.requests.clone()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
