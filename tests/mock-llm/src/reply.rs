//! Scripted replies, and the rules that pick one for a request.

use std::time::Duration;

use serde_json::{Value, json};

/// What the mock answers. Build with the constructors; `id`, `model`, `usage` and tool-use ids left out of a
/// message are filled in when it is sent (fresh ids every time).
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// A whole message: JSON for a non-streaming request, the matching SSE sequence for `"stream": true`.
    Message(Value),
    /// An Anthropic-shaped error `{"type":"error","error":{type,message},"request_id"}`.
    Error { status: u16, error_type: String, message: String, headers: Vec<(String, String)> },
    /// Anything: status, headers and body sent as given.
    Raw { status: u16, headers: Vec<(String, String)>, body: String },
    /// A scripted event stream (200, `text/event-stream`).
    Sse { events: Vec<SseEvent>, crlf: bool, drip: Option<Drip> },
    /// A valid stream of this message that breaks off (connection aborted) before `message_stop`.
    CutMidStream(Value),
    /// A 200 stream that carries an `event: error` (`overloaded_error`) after `message_start`.
    StreamErrorEvent,
    /// Waits, then answers.
    Delayed(Duration, Box<Reply>),
    /// Adds response headers to another reply.
    WithHeaders(Vec<(String, String)>, Box<Reply>),
}

/// One server-sent event. An empty `name` omits the `event:` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    pub name: String,
    /// Sent as `data:` lines (a multi-line value becomes several); not checked, so it may be malformed.
    pub data: String,
    /// Pause before this event is written.
    pub delay: Duration,
}

/// Slow drip: the stream is written `chunk` bytes at a time with `delay` between writes, so events are split
/// across reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Drip {
    pub chunk: usize,
    pub delay: Duration,
}

impl SseEvent {
    pub fn new(name: &str, data: impl Into<String>) -> Self {
        Self { name: name.to_owned(), data: data.into(), delay: Duration::ZERO }
    }

    /// An event whose data is `value` serialized.
    pub fn json(name: &str, value: &Value) -> Self {
        Self::new(name, value.to_string())
    }

    /// The same event, written after `delay`.
    #[must_use]
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

impl Reply {
    /// A full message (`{"content": [...], "stop_reason": ...}` is enough).
    pub fn message(message: Value) -> Reply {
        Reply::Message(message)
    }

    /// A message with one `tool_use` block (fresh `toolu_` id), `stop_reason: "tool_use"`, and usage
    /// `{input_tokens: request bytes / 4, output_tokens: 50}`.
    pub fn tool_use(name: &str, input: Value) -> Reply {
        let mut block = json!({"type": "tool_use", "name": name});
        block["input"] = input;
        Reply::Message(json!({"content": [block], "stop_reason": "tool_use"}))
    }

    /// An `end_turn` text message.
    pub fn text(text: &str) -> Reply {
        Reply::Message(json!({
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
        }))
    }

    /// A refusal: `stop_reason: "refusal"` with `stop_details`.
    pub fn refusal() -> Reply {
        Reply::Message(json!({
            "content": [{"type": "text", "text": "I can't help with that."}],
            "stop_reason": "refusal",
            "stop_details": {"type": "refusal", "category": "cyber", "explanation": "mock refusal"},
        }))
    }

    /// An Anthropic-shaped error.
    pub fn error(status: u16, error_type: &str, message: &str) -> Reply {
        Reply::Error {
            status,
            error_type: error_type.to_owned(),
            message: message.to_owned(),
            headers: Vec::new(),
        }
    }

    /// 429 `rate_limit_error` with `retry-after: <secs>`.
    pub fn rate_limited(retry_after_secs: u64) -> Reply {
        Reply::Error {
            status: 429,
            error_type: "rate_limit_error".to_owned(),
            message: "Number of request tokens has exceeded your per-minute rate limit".to_owned(),
            headers: vec![("retry-after".to_owned(), retry_after_secs.to_string())],
        }
    }

    /// A spend-cap 429: no `retry-after`, `error.details.error_code: "enforced_spend_limit_reached"`; clients
    /// must not retry it.
    pub fn spend_limit() -> Reply {
        Reply::Raw {
            status: 429,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: json!({"type": "error", "error": {"type": "rate_limit_error", "message": "You have reached your specified API usage limits.", "details": {"error_code": "enforced_spend_limit_reached"}}}).to_string(),
        }
    }

    /// 529 `overloaded_error`.
    pub fn overloaded() -> Reply {
        Reply::error(529, "overloaded_error", "Overloaded")
    }

    /// A Bedrock-shaped error: `x-amzn-ErrorType: <exception>` and `{"message": ...}`.
    pub fn bedrock_error(status: u16, exception: &str, message: &str) -> Reply {
        Reply::Raw {
            status,
            headers: vec![
                ("x-amzn-errortype".to_owned(), exception.to_owned()),
                ("content-type".to_owned(), "application/json".to_owned()),
            ],
            body: json!({ "message": message }).to_string(),
        }
    }

    /// Status, headers and body exactly as given.
    pub fn raw(status: u16, headers: Vec<(String, String)>, body: String) -> Reply {
        Reply::Raw { status, headers, body }
    }

    /// A scripted SSE stream with LF line endings, each event written as one piece.
    pub fn sse(events: Vec<SseEvent>) -> Reply {
        Reply::Sse { events, crlf: false, drip: None }
    }

    /// The events [`Reply::message`] would stream for `message` (after filling in ids and usage), to edit
    /// into a custom [`Reply::sse`] (inject an unknown event, a malformed line, pings...).
    pub fn message_events(message: &Value) -> Vec<SseEvent> {
        let filled = crate::server::fill_message(message.clone(), &crate::server::Ctx::offline());
        crate::sse::message_events(&filled)
    }

    /// A stream that starts correctly and then drops the connection before `message_stop`.
    pub fn cut_mid_stream(message: Value) -> Reply {
        Reply::CutMidStream(message)
    }

    /// 200 SSE, then `event: error` with `overloaded_error`.
    pub fn stream_error_event() -> Reply {
        Reply::StreamErrorEvent
    }

    /// Waits `delay` before answering with `reply`.
    pub fn delayed(delay: Duration, reply: Reply) -> Reply {
        Reply::Delayed(delay, Box::new(reply))
    }

    /// Adds a response header (e.g. `x-should-retry`, `retry-after-ms`).
    #[must_use]
    pub fn with_header(self, name: &str, value: &str) -> Reply {
        let header = (name.to_ascii_lowercase(), value.to_owned());
        match self {
            Reply::WithHeaders(mut headers, inner) => {
                headers.push(header);
                Reply::WithHeaders(headers, inner)
            }
            other => Reply::WithHeaders(vec![header], Box::new(other)),
        }
    }

    /// For [`Reply::Sse`]: CRLF line endings instead of LF. Other replies are unchanged.
    #[must_use]
    pub fn crlf(self) -> Reply {
        match self {
            Reply::Sse { events, drip, .. } => Reply::Sse { events, crlf: true, drip },
            other => other,
        }
    }

    /// For [`Reply::Sse`]: write `chunk` bytes at a time, `delay` apart. Other replies are unchanged.
    #[must_use]
    pub fn drip(self, chunk: usize, delay: Duration) -> Reply {
        match self {
            Reply::Sse { events, crlf, .. } => {
                Reply::Sse { events, crlf, drip: Some(Drip { chunk: chunk.max(1), delay }) }
            }
            other => other,
        }
    }
}

/// Conditions on a request; all that are set must hold. The default matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Match {
    /// The raw request body contains this substring.
    pub body_contains: Option<String>,
    /// The raw request body does not contain this substring.
    pub body_not_contains: Option<String>,
    /// The request's `tools` has a tool with this name.
    pub tool: Option<String>,
    /// The request has (`true`) or lacks (`false`) a non-empty `tools`.
    pub has_tools: Option<bool>,
    /// The number of `assistant` messages in `messages` (turn *i* answers a request holding *i* of them;
    /// `system` entries are not counted).
    pub assistant_turns: Option<usize>,
    /// The path (with query) contains this substring.
    pub path_contains: Option<String>,
}

impl Match {
    pub fn body_contains(text: &str) -> Match {
        Match { body_contains: Some(text.to_owned()), ..Match::default() }
    }

    pub fn tool(name: &str) -> Match {
        Match { tool: Some(name.to_owned()), ..Match::default() }
    }

    pub fn assistant_turns(n: usize) -> Match {
        Match { assistant_turns: Some(n), ..Match::default() }
    }

    pub(crate) fn matches(&self, path: &str, raw_body: &[u8], body: Option<&Value>) -> bool {
        let raw = String::from_utf8_lossy(raw_body);
        let tools: Vec<&str> = body
            .and_then(|b| b.get("tools"))
            .and_then(Value::as_array)
            .map(|tools| tools.iter().filter_map(|t| t.get("name").and_then(Value::as_str)).collect())
            .unwrap_or_default();
        let assistant_turns =
            body.and_then(|b| b.get("messages")).and_then(Value::as_array).map_or(0, |messages| {
                messages.iter().filter(|m| m.get("role").and_then(Value::as_str) == Some("assistant")).count()
            });
        self.body_contains.as_ref().is_none_or(|s| raw.contains(s.as_str()))
            && self.body_not_contains.as_ref().is_none_or(|s| !raw.contains(s.as_str()))
            && self.tool.as_ref().is_none_or(|name| tools.contains(&name.as_str()))
            && self.has_tools.is_none_or(|want| want != tools.is_empty())
            && self.assistant_turns.is_none_or(|n| n == assistant_turns)
            && self.path_contains.as_ref().is_none_or(|s| path.contains(s.as_str()))
    }
}

/// A reply with an optional condition and a number of uses.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub when: Match,
    pub reply: Reply,
    /// Uses left; `None` is unlimited.
    pub times: Option<usize>,
}

impl Rule {
    /// Answers the next request, once.
    pub fn once(reply: Reply) -> Rule {
        Rule { when: Match::default(), reply, times: Some(1) }
    }

    /// Answers matching requests, once (chain [`Rule::times`] or [`Rule::always`] for more).
    pub fn when(when: Match, reply: Reply) -> Rule {
        Rule { when, reply, times: Some(1) }
    }

    #[must_use]
    pub fn times(mut self, n: usize) -> Rule {
        self.times = Some(n);
        self
    }

    #[must_use]
    pub fn always(mut self) -> Rule {
        self.times = None;
        self
    }
}
