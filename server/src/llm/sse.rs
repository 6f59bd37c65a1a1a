//! Server-sent events of the Messages API: a byte decoder (LF or CRLF lines, events split anywhere
//! across chunks) and an assembler that rebuilds the message (text and tool-input deltas, cumulative
//! usage), ignoring `ping` and unknown events and turning an `error` event into an error.

use serde_json::{Map, Value};

use super::wire::{ContentBlock, MessagesResponse, StopReason, Usage};
use super::{FailureCode, LlmError};

/// One event: its `event:` name (empty when absent) and its `data:` lines joined by `\n`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    pub event: String,
    pub data: String,
}

/// Turns chunks of bytes into events.
#[derive(Default)]
pub struct SseDecoder {
    pending: Vec<u8>,
    event: String,
    data: Vec<String>,
}

impl SseDecoder {
    /// Feeds a chunk; returns the events it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        self.pending.extend_from_slice(chunk);
        let mut events = Vec::new();
        let mut start = 0;
        while let Some(offset) = self.pending[start..].iter().position(|b| *b == b'\n') {
            let end = start + offset;
            let line = self.pending[start..end].strip_suffix(b"\r").unwrap_or(&self.pending[start..end]);
            let line = String::from_utf8_lossy(line).into_owned();
            start = end + 1;
            if let Some(event) = self.line(&line) {
                events.push(event);
            }
        }
        self.pending.drain(..start);
        events
    }

    /// The end of the body: an event not followed by a blank line still counts.
    pub fn finish(&mut self) -> Option<SseEvent> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            let line = String::from_utf8_lossy(rest.strip_suffix(b"\r").unwrap_or(&rest)).into_owned();
            if let Some(event) = self.line(&line) {
                return Some(event);
            }
        }
        self.dispatch()
    }

    fn line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => self.event = value.to_string(),
            "data" => self.data.push(value.to_string()),
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = std::mem::take(&mut self.event);
        if self.data.is_empty() {
            return None;
        }
        let data = std::mem::take(&mut self.data).join("\n");
        Some(SseEvent { event, data })
    }
}

/// One content block being streamed: the block's JSON plus the concatenated `partial_json`.
struct PartialBlock {
    block: Map<String, Value>,
    partial_json: String,
}

/// Rebuilds a [`MessagesResponse`] from the events of one stream.
#[derive(Default)]
pub struct StreamAssembler {
    message: Option<Map<String, Value>>,
    blocks: Vec<Option<PartialBlock>>,
    usage: Usage,
    stop_reason: Option<Value>,
    stopped: bool,
}

fn bad(provider: &str, what: impl std::fmt::Display) -> LlmError {
    LlmError::new(FailureCode::BadResponse, format!("{provider} sent a malformed stream: {what}"))
}

/// Overlays the fields present in a `usage` object (`message_delta` usage is cumulative).
fn merge_usage(usage: &mut Usage, value: &Value) {
    let field = |name: &str| value.get(name).and_then(Value::as_u64);
    if let Some(n) = field("input_tokens") {
        usage.input_tokens = n;
    }
    if let Some(n) = field("output_tokens") {
        usage.output_tokens = n;
    }
    if let Some(n) = field("cache_creation_input_tokens") {
        usage.cache_creation_input_tokens = n;
    }
    if let Some(n) = field("cache_read_input_tokens") {
        usage.cache_read_input_tokens = n;
    }
}

impl StreamAssembler {
    /// Handles one event. `provider` names the sender in error messages.
    pub fn handle(&mut self, event: &SseEvent, provider: &str) -> Result<(), LlmError> {
        let name = event.event.as_str();
        if name == "ping" {
            return Ok(());
        }
        let data: Value = match serde_json::from_str(&event.data) {
            Ok(data) => data,
            Err(_)
                if !matches!(
                    name,
                    "" | "message_start"
                        | "content_block_start"
                        | "content_block_delta"
                        | "content_block_stop"
                        | "message_delta"
                        | "message_stop"
                        | "error"
                ) =>
            {
                return Ok(());
            }
            Err(_) => return Err(bad(provider, format!("{name} event is not JSON"))),
        };
        let kind =
            if name.is_empty() { data.get("type").and_then(Value::as_str).unwrap_or_default() } else { name };
        match kind {
            "message_start" => {
                let message = data
                    .get("message")
                    .and_then(Value::as_object)
                    .ok_or_else(|| bad(provider, "message_start without message"))?;
                if let Some(usage) = message.get("usage") {
                    merge_usage(&mut self.usage, usage);
                }
                self.message = Some(message.clone());
            }
            "content_block_start" => {
                let index =
                    index_of(&data).ok_or_else(|| bad(provider, "content_block_start without index"))?;
                let block = data
                    .get("content_block")
                    .and_then(Value::as_object)
                    .ok_or_else(|| bad(provider, "content_block_start without content_block"))?;
                if self.blocks.len() <= index {
                    self.blocks.resize_with(index + 1, || None);
                }
                self.blocks[index] = Some(PartialBlock { block: block.clone(), partial_json: String::new() });
            }
            "content_block_delta" => {
                let index =
                    index_of(&data).ok_or_else(|| bad(provider, "content_block_delta without index"))?;
                let block = self
                    .blocks
                    .get_mut(index)
                    .and_then(Option::as_mut)
                    .ok_or_else(|| bad(provider, "a delta for a block that never started"))?;
                let delta = data.get("delta").cloned().unwrap_or(Value::Null);
                apply_delta(block, &delta);
            }
            "content_block_stop" => {
                let index =
                    index_of(&data).ok_or_else(|| bad(provider, "content_block_stop without index"))?;
                let block = self
                    .blocks
                    .get_mut(index)
                    .and_then(Option::as_mut)
                    .ok_or_else(|| bad(provider, "a stop for a block that never started"))?;
                if !block.partial_json.is_empty() {
                    let input: Value = serde_json::from_str(&block.partial_json)
                        .map_err(|_| bad(provider, "a tool input that is not valid JSON"))?;
                    block.block.insert("input".into(), input);
                    block.partial_json.clear();
                }
            }
            "message_delta" => {
                if let Some(reason) =
                    data.get("delta").and_then(|d| d.get("stop_reason")).filter(|r| !r.is_null())
                {
                    self.stop_reason = Some(reason.clone());
                }
                if let Some(usage) = data.get("usage") {
                    merge_usage(&mut self.usage, usage);
                }
            }
            "message_stop" => self.stopped = true,
            "error" => return Err(stream_error(provider, &data)),
            _ => {}
        }
        Ok(())
    }

    /// The assembled message; a stream without `message_stop` was cut off.
    pub fn finish(self, provider: &str) -> Result<MessagesResponse, LlmError> {
        if !self.stopped {
            return Err(LlmError::new(
                FailureCode::BadResponse,
                format!("{provider} stream cut off before message_stop"),
            ));
        }
        let mut message = self.message.ok_or_else(|| bad(provider, "no message_start"))?;
        let content: Vec<Value> = self
            .blocks
            .into_iter()
            .flatten()
            .map(|mut b| {
                if !b.partial_json.is_empty() {
                    // A block without content_block_stop: keep what parses.
                    if let Ok(input) = serde_json::from_str::<Value>(&b.partial_json) {
                        b.block.insert("input".into(), input);
                    }
                }
                Value::Object(b.block)
            })
            .collect();
        message.insert("content".into(), Value::Array(content));
        if let Some(reason) = self.stop_reason {
            message.insert("stop_reason".into(), reason);
        }
        message.insert("usage".into(), serde_json::to_value(self.usage).unwrap_or(Value::Null));
        let mut response: MessagesResponse = serde_json::from_value(Value::Object(message))
            .map_err(|_| bad(provider, "the assembled message does not parse"))?;
        response.content.retain(|b| !matches!(b, ContentBlock::Other(Value::Null)));
        if response.stop_reason.is_none() {
            response.stop_reason = Some(StopReason::Unknown);
        }
        Ok(response)
    }
}

fn index_of(data: &Value) -> Option<usize> {
    data.get("index").and_then(Value::as_u64).and_then(|i| usize::try_from(i).ok()).filter(|i| *i < 4096)
}

fn append(block: &mut Map<String, Value>, field: &str, piece: &str) {
    let current = block.get(field).and_then(Value::as_str).unwrap_or_default();
    let joined = format!("{current}{piece}");
    block.insert(field.into(), Value::String(joined));
}

fn apply_delta(block: &mut PartialBlock, delta: &Value) {
    let text = |name: &str| delta.get(name).and_then(Value::as_str).unwrap_or_default();
    match delta.get("type").and_then(Value::as_str).unwrap_or_default() {
        "text_delta" => append(&mut block.block, "text", text("text")),
        "input_json_delta" => block.partial_json.push_str(text("partial_json")),
        "thinking_delta" => append(&mut block.block, "thinking", text("thinking")),
        "signature_delta" => {
            block.block.insert("signature".into(), Value::String(text("signature").to_string()));
        }
        "citations_delta" => {
            if let Some(citation) = delta.get("citation") {
                let list = block.block.entry("citations").or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = list {
                    items.push(citation.clone());
                }
            }
        }
        _ => {}
    }
}

/// An `error` event (or error body) as an [`LlmError`] of the matching class.
pub fn stream_error(provider: &str, data: &Value) -> LlmError {
    let kind = data.pointer("/error/type").and_then(Value::as_str).unwrap_or("error");
    let code = match kind {
        "overloaded_error" => FailureCode::Overloaded,
        "rate_limit_error" => FailureCode::RateLimited,
        "authentication_error" | "permission_error" => FailureCode::Auth,
        "timeout_error" => FailureCode::Timeout,
        _ => FailureCode::BadResponse,
    };
    LlmError::new(code, format!("{provider} stream ended with an error event ({kind})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replays a body split into chunks of `size` bytes.
    fn assemble(body: &str, size: usize) -> Result<MessagesResponse, LlmError> {
        let mut decoder = SseDecoder::default();
        let mut assembler = StreamAssembler::default();
        for chunk in body.as_bytes().chunks(size) {
            for event in decoder.feed(chunk) {
                assembler.handle(&event, "test")?;
            }
        }
        if let Some(event) = decoder.finish() {
            assembler.handle(&event, "test")?;
        }
        assembler.finish("test")
    }

    /// Modelled on the Python SDK's recorded `tool_use_response.txt` (text, then a tool call with a
    /// `caller` field, pings between events).
    const TOOL_USE: &str = "event: message_start\n\
data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-opus-4-7\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":470,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1}}}\n\n\
event: content_block_start\n\
data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n\
event: ping\n\
data: {\"type\": \"ping\"}\n\n\
event: content_block_delta\n\
data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"I'll check \"}}\n\n\
event: content_block_delta\n\
data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"the diff — é😀.\"}}\n\n\
event: content_block_stop\n\
data: {\"type\":\"content_block_stop\",\"index\":0}\n\n\
event: content_block_start\n\
data: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"report_findings\",\"input\":{},\"caller\":{\"type\":\"direct\"}}}\n\n\
event: content_block_delta\n\
data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}\n\n\
event: content_block_delta\n\
data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"findings\\\": [{\\\"li\"}}\n\n\
event: some_future_event\n\
data: {\"type\":\"some_future_event\",\"x\":1}\n\n\
event: content_block_delta\n\
data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"ne\\\": 3}]}\"}}\n\n\
event: content_block_stop\n\
data: {\"type\":\"content_block_stop\",\"index\":1}\n\n\
event: message_delta\n\
data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":20}}\n\n\
event: message_delta\n\
data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":470,\"output_tokens\":89}}\n\n\
event: message_stop\n\
data: {\"type\":\"message_stop\"}\n\n";

    #[test]
    fn tool_use_streams_assemble_whatever_the_chunking() {
        let whole = assemble(TOOL_USE, TOOL_USE.len()).unwrap();
        assert_eq!(
            whole.tool_input("report_findings"),
            Some(&serde_json::json!({"findings": [{"line": 3}]}))
        );
        assert_eq!(whole.stop_reason, Some(StopReason::ToolUse));
        assert_eq!((whole.usage.input_tokens, whole.usage.output_tokens), (470, 89));
        let ContentBlock::Text { text, .. } = &whole.content[0] else { panic!("text first") };
        assert_eq!(text, "I'll check the diff — é😀.");
        for size in [1, 2, 3, 7, 64] {
            assert_eq!(assemble(TOOL_USE, size).unwrap(), whole, "chunks of {size}");
        }
        let crlf = TOOL_USE.replace('\n', "\r\n");
        for size in [1, 5, 4096] {
            assert_eq!(assemble(&crlf, size).unwrap(), whole, "CRLF in chunks of {size}");
        }
    }

    #[test]
    fn cut_off_streams_and_error_events_are_errors() {
        let cut = &TOOL_USE[..TOOL_USE.find("event: message_delta").unwrap()];
        let err = assemble(cut, 10).unwrap_err();
        assert_eq!(err.code, FailureCode::BadResponse);
        assert!(err.message.contains("cut off"));
        let with_error = TOOL_USE.replace(
            "event: message_stop",
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\nevent: message_stop",
        );
        assert_eq!(assemble(&with_error, 100).unwrap_err().code, FailureCode::Overloaded);
        let broken = TOOL_USE.replace("ne\\\": 3}]}", "ne\\\": 3");
        assert_ne!(broken, TOOL_USE);
        assert_eq!(assemble(&broken, 100).unwrap_err().code, FailureCode::BadResponse);
    }

    #[test]
    fn decoder_handles_comments_multiline_data_and_a_missing_final_blank_line() {
        let mut decoder = SseDecoder::default();
        let events = decoder.feed(b": comment\nevent: a\ndata: 1\ndata:2\n\nevent: b\ndata: x");
        assert_eq!(events, vec![SseEvent { event: "a".into(), data: "1\n2".into() }]);
        assert_eq!(decoder.finish(), Some(SseEvent { event: "b".into(), data: "x".into() }));
    }
}
