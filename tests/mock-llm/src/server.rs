//! The HTTP side: one axum fallback handler that records the request, routes it by mode, validates it, picks a
//! scripted reply and renders it (JSON, SSE, errors, delays, aborted streams).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use futures_util::StreamExt as _;
use http::{HeaderName, HeaderValue, StatusCode};
use serde_json::{Value, json};

use crate::validate::{self, BodyRules, Failure};
use crate::{Config, Mode, Options, Recorded, Reply, Rule, SseEvent, bedrock, sse, vertex};

/// Request bodies above this are refused (the API's own limit is 32 MB).
const BODY_LIMIT: usize = 64 * 1024 * 1024;

pub(crate) struct Shared {
    pub config: Config,
    pub any_beta: bool,
    pub extra_betas: Vec<String>,
    pub inner: Mutex<Inner>,
    pub arrived: Condvar,
    record: Option<Mutex<std::fs::File>>,
}

#[derive(Default)]
pub(crate) struct Inner {
    pub rules: Vec<Rule>,
    pub default: Option<Reply>,
    pub requests: Vec<Recorded>,
}

impl Shared {
    pub fn new(config: Config, options: Options) -> std::io::Result<Self> {
        let record = match &options.record {
            Some(path) => Some(Mutex::new(std::fs::OpenOptions::new().create(true).append(true).open(path)?)),
            None => None,
        };
        Ok(Self {
            config,
            any_beta: options.any_beta,
            extra_betas: options.extra_betas,
            inner: Mutex::new(Inner::default()),
            arrived: Condvar::new(),
            record,
        })
    }

    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn record(&self, request: &Recorded) {
        if let Some(file) = &self.record {
            let mut file = file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            // One line per request, written whole so a killed mock leaves a readable file.
            let line = format!("{}\n", request.to_record_json());
            let _ = file.write_all(line.as_bytes());
            let _ = file.flush();
        }
        self.lock().requests.push(request.clone());
        self.arrived.notify_all();
    }

    /// The first rule that matches and has uses left, else the default.
    fn pick(&self, request: &Recorded, body: Option<&Value>) -> Option<Reply> {
        let mut inner = self.lock();
        let index = inner.rules.iter().position(|rule| rule.when.matches(&request.path, &request.body, body));
        match index {
            Some(i) => {
                let rule = &mut inner.rules[i];
                let reply = rule.reply.clone();
                if let Some(left) = &mut rule.times {
                    *left = left.saturating_sub(1);
                    if *left == 0 {
                        inner.rules.remove(i);
                    }
                }
                Some(reply)
            }
            None => inner.default.clone(),
        }
    }
}

/// Serves until `stopped` fires, on a runtime owned by this thread.
pub(crate) fn run(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("mock-llm: tokio runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("mock-llm: listener");
        let app = Router::new().fallback(handle).with_state(shared);
        tokio::select! {
            _ = axum::serve(listener, app) => {}
            _ = stopped => {}
        }
    });
    // Connection tasks (delayed replies, open streams) are cancelled rather than awaited.
    runtime.shutdown_timeout(Duration::from_millis(100));
}

/// What rendering a reply needs to know about the request.
pub(crate) struct Ctx {
    pub request_id: String,
    pub stream: bool,
    pub model: String,
    pub input_tokens: u64,
}

impl Ctx {
    /// For building events outside a request.
    pub fn offline() -> Ctx {
        Ctx { request_id: random_id("req_"), stream: true, model: "claude-mock".to_owned(), input_tokens: 10 }
    }
}

/// The result of routing and validating a request.
pub(crate) enum Outcome {
    /// Answered without a scripted reply (validation failure, token endpoint, `count_tokens`...).
    Done(Response),
    /// A model call: answer with the next scripted reply.
    Model { ctx: Ctx, body: Value },
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, BODY_LIMIT).await.unwrap_or_default();
    let recorded = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path_and_query().map_or_else(|| parts.uri.path().to_owned(), ToString::to_string),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: body.to_vec(),
    };
    shared.record(&recorded);
    let request_id = random_id("req_");
    let outcome = match &shared.config.mode {
        Mode::Anthropic => route_anthropic(&shared, &recorded, &request_id),
        Mode::Bedrock { .. } => bedrock::route(&shared, &recorded, &request_id),
        Mode::Vertex { .. } => vertex::route(&shared, &recorded, &request_id),
    };
    let mut response = match outcome {
        Outcome::Done(response) => response,
        Outcome::Model { ctx, body } => match shared.pick(&recorded, Some(&body)) {
            Some(reply) => render(reply, &ctx).await,
            None => anthropic_error(
                &Failure {
                    status: 500,
                    error_type: "api_error",
                    message: "mock: no scripted reply left".to_owned(),
                },
                &request_id,
            ),
        },
    };
    if !response.headers().contains_key("request-id") {
        response.headers_mut().insert("request-id", HeaderValue::from_str(&request_id).expect("ascii id"));
    }
    response
}

fn route_anthropic(shared: &Shared, req: &Recorded, request_id: &str) -> Outcome {
    let path = req.path_only();
    let messages = matches!(path, "/v1/messages" | "/anthropic/v1/messages");
    let count = matches!(path, "/v1/messages/count_tokens" | "/anthropic/v1/messages/count_tokens");
    match req.method.as_str() {
        "HEAD" => return Outcome::Done(empty(StatusCode::OK)),
        "POST" if messages || count => {}
        "GET" if matches!(path, "/v1/models" | "/anthropic/v1/models") => {
            return Outcome::Done(match validate::check_api_key(req, shared.config.api_key.as_deref()) {
                Ok(()) => json_response(StatusCode::OK, &models_list()),
                Err(f) => anthropic_error(&f, request_id),
            });
        }
        "GET" if path == "/" => return Outcome::Done(json_response(StatusCode::OK, &json!({}))),
        _ => {
            return Outcome::Done(anthropic_error(
                &Failure {
                    status: 404,
                    error_type: "not_found_error",
                    message: format!("mock: no route for {} {path}", req.method),
                },
                request_id,
            ));
        }
    }
    let checked = (|| {
        validate::check_api_key(req, shared.config.api_key.as_deref())?;
        let version = validate::check_version(req)?;
        validate::check_betas(req, shared.any_beta, &shared.extra_betas)?;
        let body = validate::parse_json(&req.body)?;
        if count {
            validate::check_count_tokens(&body, true)?;
        } else {
            validate::check_body(
                &body,
                BodyRules {
                    require_model: true,
                    version_2026: version == "2026-10-21",
                    reject_prefill: shared.config.reject_prefill,
                },
            )?;
        }
        Ok::<_, Failure>(body)
    })();
    match checked {
        Err(f) => Outcome::Done(anthropic_error(&f, request_id)),
        Ok(_) if count => Outcome::Done(count_tokens(req)),
        Ok(body) => Outcome::Model {
            ctx: Ctx {
                request_id: request_id.to_owned(),
                stream: body.get("stream").and_then(Value::as_bool) == Some(true),
                model: body["model"].as_str().unwrap_or("claude-mock").to_owned(),
                input_tokens: estimate_tokens(&req.body),
            },
            body,
        },
    }
}

fn models_list() -> Value {
    json!({
        "data": [{"type": "model", "id": "claude-mock", "display_name": "Mock", "created_at": "2025-01-01T00:00:00Z"}],
        "has_more": false, "first_id": "claude-mock", "last_id": "claude-mock",
    })
}

pub(crate) fn count_tokens(req: &Recorded) -> Response {
    json_response(StatusCode::OK, &json!({"input_tokens": estimate_tokens(&req.body)}))
}

/// About four bytes a token.
pub(crate) fn estimate_tokens(body: &[u8]) -> u64 {
    (body.len() as u64 / 4).max(1)
}

/// Fills what a scripted message leaves out: ids (fresh each time), type, role, model, stop reason, usage.
pub(crate) fn fill_message(mut message: Value, ctx: &Ctx) -> Value {
    let Some(obj) = message.as_object_mut() else {
        return message;
    };
    obj.entry("id").or_insert_with(|| json!(random_id("msg_mock_")));
    obj.entry("type").or_insert_with(|| json!("message"));
    obj.entry("role").or_insert_with(|| json!("assistant"));
    obj.entry("model").or_insert_with(|| json!(ctx.model));
    let content = obj.entry("content").or_insert_with(|| json!([]));
    let mut has_tool_use = false;
    if let Some(blocks) = content.as_array_mut() {
        for block in blocks.iter_mut().filter_map(Value::as_object_mut) {
            let prefix = match block.get("type").and_then(Value::as_str) {
                Some("tool_use") => "toolu_mock_",
                Some("server_tool_use") => "srvtoolu_mock_",
                _ => continue,
            };
            has_tool_use |= prefix == "toolu_mock_";
            block.entry("id").or_insert_with(|| json!(random_id(prefix)));
            block.entry("input").or_insert_with(|| json!({}));
        }
    }
    obj.entry("stop_reason").or_insert_with(|| json!(if has_tool_use { "tool_use" } else { "end_turn" }));
    obj.entry("stop_sequence").or_insert(Value::Null);
    obj.entry("usage").or_insert_with(|| json!({"input_tokens": ctx.input_tokens, "output_tokens": 50}));
    message
}

async fn render(mut reply: Reply, ctx: &Ctx) -> Response {
    let mut extra = Vec::new();
    loop {
        match reply {
            Reply::Delayed(delay, inner) => {
                tokio::time::sleep(delay).await;
                reply = *inner;
            }
            Reply::WithHeaders(headers, inner) => {
                extra.extend(headers);
                reply = *inner;
            }
            _ => break,
        }
    }
    let mut response = render_now(reply, ctx);
    for (name, value) in extra {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

fn render_now(reply: Reply, ctx: &Ctx) -> Response {
    match reply {
        Reply::Message(message) => {
            let message = fill_message(message, ctx);
            if ctx.stream {
                stream_response(&sse::message_events(&message), false, None, false)
            } else {
                json_response(StatusCode::OK, &message)
            }
        }
        Reply::Error { status, error_type, message, headers } => {
            let body = json!({"type": "error", "error": {"type": error_type, "message": message}, "request_id": ctx.request_id});
            let mut response = json_response(status_code(status), &body);
            add_headers(&mut response, &headers);
            response
        }
        Reply::Raw { status, headers, body } => {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = status_code(status);
            add_headers(&mut response, &headers);
            response
        }
        Reply::Sse { events, crlf, drip } => stream_response(&events, crlf, drip, false),
        Reply::CutMidStream(message) => {
            let events = sse::message_events(&fill_message(message, ctx));
            // Keep everything up to the first delta: the client has a started message and a started block.
            let cut = events.iter().position(|e| e.name == "content_block_delta").map_or(2, |i| i + 1);
            stream_response(&events[..cut.min(events.len())], false, None, true)
        }
        Reply::StreamErrorEvent => {
            let message = fill_message(json!({"content": [], "stop_reason": Value::Null}), ctx);
            let events = vec![
                sse::message_start(&message),
                sse::ping(),
                SseEvent::json(
                    "error",
                    &json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}, "request_id": ctx.request_id}),
                ),
            ];
            stream_response(&events, false, None, false)
        }
        Reply::Delayed(..) | Reply::WithHeaders(..) => unreachable!("unwrapped by render"),
    }
}

fn add_headers(response: &mut Response, headers: &[(String, String)]) {
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) =
            (HeaderName::try_from(name.as_str()), HeaderValue::try_from(value.as_str()))
        {
            response.headers_mut().append(name, value);
        }
    }
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// One piece of a streamed body.
enum Piece {
    Data(Duration, Bytes),
    /// Fail the body: hyper drops the connection without the final chunk.
    Abort,
}

fn stream_response(events: &[SseEvent], crlf: bool, drip: Option<crate::Drip>, abort: bool) -> Response {
    let mut pieces = Vec::new();
    for event in events {
        let bytes = Bytes::from(sse::encode(event, crlf));
        match drip {
            None => pieces.push(Piece::Data(event.delay, bytes)),
            Some(drip) => {
                let mut delay = event.delay;
                for chunk in bytes.chunks(drip.chunk) {
                    pieces.push(Piece::Data(delay.max(drip.delay), Bytes::copy_from_slice(chunk)));
                    delay = Duration::ZERO;
                }
            }
        }
    }
    if abort {
        // A short pause lets the started events reach the client before the cut.
        pieces.push(Piece::Data(Duration::from_millis(20), Bytes::new()));
        pieces.push(Piece::Abort);
    }
    let stream = futures_util::stream::iter(pieces).then(|piece| async move {
        match piece {
            Piece::Data(delay, bytes) => {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                Ok(bytes)
            }
            Piece::Abort => {
                Err(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "mock: stream cut"))
            }
        }
    });
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("text/event-stream"));
    headers.insert("cache-control", HeaderValue::from_static("no-cache"));
    response
}

pub(crate) fn json_response(status: StatusCode, value: &Value) -> Response {
    let mut response = Response::new(Body::from(value.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    response
}

pub(crate) fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// `{"type":"error","error":{type,message},"request_id"}` with the failure's status.
pub(crate) fn anthropic_error(failure: &Failure, request_id: &str) -> Response {
    json_response(
        status_code(failure.status),
        &json!({"type": "error", "error": {"type": failure.error_type, "message": failure.message}, "request_id": request_id}),
    )
}

/// A fresh id: `prefix` + 24 hex digits, unpredictable enough for a mock.
pub(crate) fn random_id(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(n);
    format!("{prefix}{:016x}{:08x}", hasher.finish(), n & 0xffff_ffff)
}
