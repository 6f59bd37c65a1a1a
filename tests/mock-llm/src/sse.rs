//! Server-sent events: a message turned into the Messages API event sequence, the wire encoding, and a small
//! parser and assembler so tests can check a stream against the message it came from.

use serde_json::{Map, Value, json};

use crate::SseEvent;

/// The event sequence the API streams for `message` (which must already have ids and usage):
/// `message_start`, `ping`, per block `content_block_start` / deltas / `content_block_stop`,
/// `message_delta` (cumulative usage) and `message_stop`. Text and tool input arrive in several deltas.
pub fn message_events(message: &Value) -> Vec<SseEvent> {
    let mut events = vec![message_start(message), ping()];
    let blocks = message.get("content").and_then(Value::as_array).cloned().unwrap_or_default();
    for (index, block) in blocks.iter().enumerate() {
        events.extend(block_events(index, block));
    }
    let mut delta = Map::new();
    for key in ["stop_reason", "stop_sequence"] {
        delta.insert(key.to_owned(), message.get(key).cloned().unwrap_or(Value::Null));
    }
    for key in ["stop_details", "container"] {
        if let Some(value) = message.get(key) {
            delta.insert(key.to_owned(), value.clone());
        }
    }
    let usage = message.get("usage").cloned().unwrap_or_else(|| json!({}));
    events.push(SseEvent::json(
        "message_delta",
        &json!({"type": "message_delta", "delta": delta, "usage": usage}),
    ));
    events.push(SseEvent::json("message_stop", &json!({"type": "message_stop"})));
    events
}

/// `message_start`: the message with no content, no stop reason, and the initial usage.
pub(crate) fn message_start(message: &Value) -> SseEvent {
    let mut start = message.clone();
    if let Some(obj) = start.as_object_mut() {
        obj.insert("content".to_owned(), json!([]));
        obj.insert("stop_reason".to_owned(), Value::Null);
        obj.insert("stop_sequence".to_owned(), Value::Null);
        obj.remove("stop_details");
        if let Some(usage) = obj.get_mut("usage").and_then(Value::as_object_mut) {
            usage.insert("output_tokens".to_owned(), json!(1));
        }
    }
    SseEvent::json("message_start", &json!({"type": "message_start", "message": start}))
}

pub(crate) fn ping() -> SseEvent {
    SseEvent::json("ping", &json!({"type": "ping"}))
}

fn block_events(index: usize, block: &Value) -> Vec<SseEvent> {
    let kind = block.get("type").and_then(Value::as_str).unwrap_or_default();
    let mut shell = block.clone();
    let mut deltas = Vec::new();
    match kind {
        "text" => {
            let text = block.get("text").and_then(Value::as_str).unwrap_or_default();
            shell["text"] = json!("");
            if let Some(obj) = shell.as_object_mut() {
                obj.remove("citations");
            }
            for piece in split_chars(text, 3) {
                deltas.push(json!({"type": "text_delta", "text": piece}));
            }
        }
        "tool_use" | "server_tool_use" => {
            let input = block.get("input").cloned().unwrap_or_else(|| json!({}));
            shell["input"] = json!({});
            // The API's first fragment is often empty; clients must cope.
            deltas.push(json!({"type": "input_json_delta", "partial_json": ""}));
            for piece in split_chars(&input.to_string(), 3) {
                deltas.push(json!({"type": "input_json_delta", "partial_json": piece}));
            }
        }
        "thinking" => {
            let thinking = block.get("thinking").and_then(Value::as_str).unwrap_or_default();
            let signature = block.get("signature").and_then(Value::as_str).unwrap_or_default();
            shell["thinking"] = json!("");
            shell["signature"] = json!("");
            for piece in split_chars(thinking, 2) {
                deltas.push(json!({"type": "thinking_delta", "thinking": piece}));
            }
            deltas.push(json!({"type": "signature_delta", "signature": signature}));
        }
        // Other block types (redacted thinking, server tool results...) arrive whole in the start event.
        _ => {}
    }
    let mut events = vec![SseEvent::json(
        "content_block_start",
        &json!({"type": "content_block_start", "index": index, "content_block": shell}),
    )];
    for delta in deltas {
        events.push(SseEvent::json(
            "content_block_delta",
            &json!({"type": "content_block_delta", "index": index, "delta": delta}),
        ));
    }
    events.push(SseEvent::json("content_block_stop", &json!({"type": "content_block_stop", "index": index})));
    events
}

/// Splits `text` into at most `parts` non-empty pieces on char boundaries.
fn split_chars(text: &str, parts: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return Vec::new();
    }
    let size = chars.len().div_ceil(parts);
    chars.chunks(size).map(|c| c.iter().collect()).collect()
}

/// One event on the wire.
pub(crate) fn encode(event: &SseEvent, crlf: bool) -> String {
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    if !event.name.is_empty() {
        out.push_str("event: ");
        out.push_str(&event.name);
        out.push_str(eol);
    }
    for line in event.data.split('\n') {
        out.push_str("data: ");
        out.push_str(line);
        out.push_str(eol);
    }
    out.push_str(eol);
    out
}

/// Parses an SSE body into `(event name, data)` pairs: LF, CRLF or CR line endings, multi-line data joined
/// with `\n`, comments ignored. A test helper, not a full client.
pub fn parse(body: &str) -> Vec<(String, String)> {
    let normalized = body.replace("\r\n", "\n").replace('\r', "\n");
    let mut events = Vec::new();
    let (mut name, mut data): (String, Option<String>) = (String::new(), None);
    for line in normalized.split('\n') {
        if line.is_empty() {
            if let Some(d) = data.take() {
                events.push((std::mem::take(&mut name), d));
            }
            name.clear();
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => value.clone_into(&mut name),
            "data" => match &mut data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => data = Some(value.to_owned()),
            },
            _ => {}
        }
    }
    events
}

/// Rebuilds the final message from parsed events, as a client would. Errors on an `error` event, bad JSON,
/// or a missing `message_stop`. A test helper.
pub fn assemble(events: &[(String, String)]) -> Result<Value, String> {
    let mut message: Option<Value> = None;
    let mut partial: Vec<String> = Vec::new();
    let mut stopped = false;
    for (name, data) in events {
        let event: Value = serde_json::from_str(data).map_err(|e| format!("{name}: bad JSON {e}: {data}"))?;
        let kind = event.get("type").and_then(Value::as_str).unwrap_or(name);
        match kind {
            "message_start" => message = event.get("message").cloned(),
            "content_block_start" => {
                let msg = message.as_mut().ok_or("block before message_start")?;
                let block = event["content_block"].clone();
                msg["content"].as_array_mut().ok_or("content is not an array")?.push(block);
                partial.push(String::new());
            }
            "content_block_delta" => {
                let msg = message.as_mut().ok_or("delta before message_start")?;
                let index =
                    usize::try_from(event["index"].as_u64().ok_or("no index")?).map_err(|e| e.to_string())?;
                let block = msg["content"].get_mut(index).ok_or("delta for an unknown block")?;
                let delta = &event["delta"];
                match delta["type"].as_str().unwrap_or_default() {
                    "text_delta" => append(block, "text", &delta["text"]),
                    "thinking_delta" => append(block, "thinking", &delta["thinking"]),
                    "signature_delta" => append(block, "signature", &delta["signature"]),
                    "input_json_delta" => {
                        partial[index].push_str(delta["partial_json"].as_str().unwrap_or_default());
                    }
                    _ => {}
                }
            }
            "content_block_stop" => {
                let msg = message.as_mut().ok_or("stop before message_start")?;
                let index =
                    usize::try_from(event["index"].as_u64().ok_or("no index")?).map_err(|e| e.to_string())?;
                if !partial[index].is_empty() {
                    let input: Value =
                        serde_json::from_str(&partial[index]).map_err(|e| format!("tool input: {e}"))?;
                    msg["content"][index]["input"] = input;
                }
            }
            "message_delta" => {
                let msg = message.as_mut().ok_or("message_delta before message_start")?;
                if let Some(delta) = event["delta"].as_object() {
                    for (k, v) in delta {
                        msg[k] = v.clone();
                    }
                }
                if let Some(usage) = event["usage"].as_object() {
                    for (k, v) in usage {
                        msg["usage"][k] = v.clone();
                    }
                }
            }
            "message_stop" => stopped = true,
            "error" => return Err(format!("error event: {data}")),
            _ => {} // ping and unknown events are ignored, as clients must
        }
    }
    if !stopped {
        return Err("stream ended before message_stop".to_owned());
    }
    message.ok_or_else(|| "no message_start".to_owned())
}

fn append(block: &mut Value, key: &str, piece: &Value) {
    let mut text = block[key].as_str().unwrap_or_default().to_owned();
    text.push_str(piece.as_str().unwrap_or_default());
    block[key] = Value::String(text);
}
