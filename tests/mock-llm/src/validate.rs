//! Request checks modelled on the Messages API: headers (key, version, betas) and body (required fields,
//! version-specific fields, tools, `tool_choice`, tool-result pairing, prefill). Messages copy the real ones.

use serde_json::Value;

use crate::Recorded;

/// A rejected request: HTTP status, Anthropic `error.type`, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub status: u16,
    pub error_type: &'static str,
    pub message: String,
}

impl Failure {
    pub fn invalid(message: impl Into<String>) -> Self {
        Self { status: 400, error_type: "invalid_request_error", message: message.into() }
    }
}

pub(crate) const VERSIONS: [&str; 2] = ["2023-06-01", "2026-10-21"];

/// Beta names accepted by default (a small known list; unknown names get 400 like the real API).
pub(crate) const KNOWN_BETAS: &[&str] = &[
    "prompt-caching-2024-07-31",
    "context-1m-2025-08-07",
    "structured-outputs-2025-11-13",
    "token-efficient-tools-2025-02-19",
    "interleaved-thinking-2025-05-14",
    "fine-grained-tool-streaming-2025-05-14",
    "output-128k-2025-02-19",
    "context-management-2025-06-27",
    "extended-cache-ttl-2025-04-11",
    "files-api-2025-04-14",
];

/// `x-api-key` wins over `Authorization: Bearer` when both are sent (as the API does).
pub(crate) fn check_api_key(req: &Recorded, expected: Option<&str>) -> Result<(), Failure> {
    let Some(expected) = expected else {
        return Ok(());
    };
    let presented = req
        .header("x-api-key")
        .or_else(|| req.header("authorization").and_then(|v| v.strip_prefix("Bearer ")));
    if presented == Some(expected) {
        Ok(())
    } else {
        Err(Failure {
            status: 401,
            error_type: "authentication_error",
            message: "invalid x-api-key".to_owned(),
        })
    }
}

/// Returns the version. A repeated header is seen joined with ", ", hence invalid.
pub(crate) fn check_version(req: &Recorded) -> Result<&'static str, Failure> {
    let values = req.header_values("anthropic-version");
    if values.is_empty() {
        return Err(Failure::invalid("anthropic-version: header is required"));
    }
    let value = values.join(", ");
    VERSIONS
        .iter()
        .find(|v| **v == value)
        .copied()
        .ok_or_else(|| Failure::invalid(format!("anthropic-version: \"{value}\" is not a valid version")))
}

pub(crate) fn check_betas(req: &Recorded, any: bool, extra: &[String]) -> Result<(), Failure> {
    if any {
        return Ok(());
    }
    for value in req.header_values("anthropic-beta") {
        for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if !KNOWN_BETAS.contains(&name) && !extra.iter().any(|e| e == name) {
                return Err(Failure::invalid(format!("Unsupported beta header: {name}")));
            }
        }
    }
    Ok(())
}

/// What the body checks depend on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyRules {
    /// `model` must be present (first-party); Bedrock and Vertex put it in the path.
    pub require_model: bool,
    /// Under `2026-10-21` sampling parameters are gone.
    pub version_2026: bool,
    pub reject_prefill: bool,
}

pub(crate) fn parse_json(body: &[u8]) -> Result<Value, Failure> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Failure::invalid(format!("There was an error parsing the body: {e}")))?;
    if value.is_object() { Ok(value) } else { Err(Failure::invalid("Input should be a valid dictionary")) }
}

/// Checks a Messages create body.
pub(crate) fn check_body(body: &Value, rules: BodyRules) -> Result<(), Failure> {
    if rules.require_model && !body.get("model").is_some_and(Value::is_string) {
        return Err(required_or_type(body, "model", "a valid string"));
    }
    match body.get("max_tokens") {
        Some(v) if v.as_u64().is_some_and(|n| n >= 1) => {}
        Some(_) => {
            return Err(Failure::invalid("max_tokens: Input should be greater than or equal to 1"));
        }
        None => return Err(Failure::invalid("max_tokens: Field required")),
    }
    if rules.version_2026 {
        for key in ["temperature", "top_p", "top_k"] {
            if body.get(key).is_some() {
                return Err(Failure::invalid(format!("{key}: Extra inputs are not permitted")));
            }
        }
    }
    let messages = check_messages(body)?;
    check_tools(body)?;
    check_tool_choice(body)?;
    check_pairing(messages)?;
    if rules.reject_prefill
        && messages.iter().rev().find(|m| role(m) != "system").is_some_and(|m| role(m) == "assistant")
    {
        return Err(Failure::invalid(
            "This model does not support assistant message prefill. The conversation must end with a user message.",
        ));
    }
    Ok(())
}

/// Checks a `count_tokens` body: `model` and `messages`, no `max_tokens` needed.
pub(crate) fn check_count_tokens(body: &Value, require_model: bool) -> Result<(), Failure> {
    if require_model && !body.get("model").is_some_and(Value::is_string) {
        return Err(required_or_type(body, "model", "a valid string"));
    }
    check_messages(body)?;
    check_tools(body)
}

fn required_or_type(body: &Value, key: &str, what: &str) -> Failure {
    if body.get(key).is_some() {
        Failure::invalid(format!("{key}: Input should be {what}"))
    } else {
        Failure::invalid(format!("{key}: Field required"))
    }
}

fn role(message: &Value) -> &str {
    message.get("role").and_then(Value::as_str).unwrap_or_default()
}

fn check_messages(body: &Value) -> Result<&Vec<Value>, Failure> {
    let messages = match body.get("messages") {
        None => return Err(Failure::invalid("messages: Field required")),
        Some(Value::Array(m)) => m,
        Some(_) => return Err(Failure::invalid("messages: Input should be a valid list")),
    };
    if messages.is_empty() {
        return Err(Failure::invalid("messages: at least one message is required"));
    }
    for (i, m) in messages.iter().enumerate() {
        // `system` entries appear mid-conversation in Claude Code's requests (a beta); accept them.
        if !matches!(role(m), "user" | "assistant" | "system") {
            return Err(Failure::invalid(format!(
                "messages.{i}.role: Input should be 'user' or 'assistant'"
            )));
        }
        match m.get("content") {
            Some(Value::String(_)) => {}
            Some(Value::Array(blocks)) => {
                for (j, b) in blocks.iter().enumerate() {
                    if !b.get("type").is_some_and(Value::is_string) {
                        return Err(Failure::invalid(format!(
                            "messages.{i}.content.{j}.type: Field required"
                        )));
                    }
                }
            }
            Some(_) => {
                return Err(Failure::invalid(format!(
                    "messages.{i}.content: Input should be a valid string or list"
                )));
            }
            None => return Err(Failure::invalid(format!("messages.{i}.content: Field required"))),
        }
    }
    Ok(messages)
}

fn valid_tool_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn check_tools(body: &Value) -> Result<(), Failure> {
    let Some(tools) = body.get("tools") else {
        return Ok(());
    };
    let Some(tools) = tools.as_array() else {
        return Err(Failure::invalid("tools: Input should be a valid list"));
    };
    for (i, tool) in tools.iter().enumerate() {
        // Server and Anthropic-defined tools carry a dated `type`; only custom tools are checked.
        let kind = tool.get("type").and_then(Value::as_str);
        if kind.is_some_and(|k| k != "custom") {
            continue;
        }
        let name = tool.get("name").and_then(Value::as_str).unwrap_or_default();
        if !valid_tool_name(name) {
            return Err(Failure::invalid(format!(
                "tools.{i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'"
            )));
        }
        let schema_type = tool.get("input_schema").and_then(|s| s.get("type")).and_then(Value::as_str);
        if schema_type != Some("object") {
            return Err(Failure::invalid(format!(
                "tools.{i}.custom.input_schema: Input schema must have type 'object'"
            )));
        }
    }
    Ok(())
}

fn check_tool_choice(body: &Value) -> Result<(), Failure> {
    let Some(choice) = body.get("tool_choice") else {
        return Ok(());
    };
    let kind = choice.get("type").and_then(Value::as_str).unwrap_or_default();
    match kind {
        "auto" | "any" | "none" => Ok(()),
        "tool" => {
            let Some(name) = choice.get("name").and_then(Value::as_str) else {
                return Err(Failure::invalid("tool_choice.tool.name: Field required"));
            };
            let declared = body.get("tools").and_then(Value::as_array).is_some_and(|tools| {
                tools.iter().any(|t| t.get("name").and_then(Value::as_str) == Some(name))
            });
            if declared {
                Ok(())
            } else {
                Err(Failure::invalid(format!("tool_choice.name: Tool '{name}' not found in provided tools")))
            }
        }
        other => Err(Failure::invalid(format!(
            "tool_choice: Input tag '{other}' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'"
        ))),
    }
}

fn blocks(message: &Value) -> &[Value] {
    message.get("content").and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn block_type(block: &Value) -> &str {
    block.get("type").and_then(Value::as_str).unwrap_or_default()
}

/// A user message after an assistant turn with K `tool_use` blocks must begin with K `tool_result` blocks
/// answering those ids; a `tool_result` must always answer a `tool_use` of the previous assistant turn.
fn check_pairing(messages: &[Value]) -> Result<(), Failure> {
    let mut open_ids: Vec<&str> = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        match role(m) {
            "assistant" => {
                if !open_ids.is_empty() {
                    return Err(pairing_failure(i, open_ids.len()));
                }
                open_ids = blocks(m)
                    .iter()
                    .filter(|b| matches!(block_type(b), "tool_use"))
                    .filter_map(|b| b.get("id").and_then(Value::as_str))
                    .collect();
            }
            "user" => {
                let content = blocks(m);
                let leading = content.iter().take_while(|b| block_type(b) == "tool_result").count();
                if leading < open_ids.len() {
                    return Err(pairing_failure(i, open_ids.len()));
                }
                for (j, b) in content.iter().enumerate() {
                    if block_type(b) != "tool_result" {
                        continue;
                    }
                    let id = b.get("tool_use_id").and_then(Value::as_str).unwrap_or_default();
                    if !open_ids.contains(&id) {
                        return Err(Failure::invalid(format!(
                            "messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` blocks: {id}. Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
                        )));
                    }
                }
                open_ids.clear();
            }
            _ => {} // mid-conversation system entries do not break a pair
        }
    }
    Ok(())
}

fn pairing_failure(index: usize, count: usize) -> Failure {
    Failure::invalid(format!(
        "messages.{index}: Did not find {count} tool_result block(s) at the beginning of this message. Messages following tool_use blocks must begin with a matching number of tool_result blocks."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const RULES: BodyRules = BodyRules { require_model: true, version_2026: false, reject_prefill: true };

    fn body(messages: Value) -> Value {
        let mut body = json!({"model": "m", "max_tokens": 10});
        body["messages"] = messages;
        body
    }

    #[test]
    fn pairing_requires_leading_tool_results() {
        let b = body(json!([
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "Read", "input": {}}]},
            {"role": "user", "content": [{"type": "text", "text": "x"}, {"type": "tool_result", "tool_use_id": "t1", "content": "ok"}]},
        ]));
        let err = check_body(&b, RULES).unwrap_err();
        assert_eq!(
            err.message,
            "messages.2: Did not find 1 tool_result block(s) at the beginning of this message. Messages following tool_use blocks must begin with a matching number of tool_result blocks."
        );
    }

    #[test]
    fn pairing_accepts_results_then_text_and_system_entries() {
        let b = body(json!([
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "Read", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}, {"type": "text", "text": "x"}]},
            {"role": "system", "content": [{"type": "text", "text": "hook said"}]},
        ]));
        check_body(&b, RULES).unwrap();
    }

    #[test]
    fn unknown_tool_use_id_is_rejected() {
        let b = body(json!([
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "nope", "content": "ok"}]},
        ]));
        assert!(check_body(&b, RULES).unwrap_err().message.contains("unexpected `tool_use_id`"));
    }

    #[test]
    fn tool_names_and_choice() {
        let mut b = body(json!([{"role": "user", "content": "hi"}]));
        b["tools"] = json!([{"name": "bad name", "input_schema": {"type": "object"}}]);
        assert!(check_body(&b, RULES).unwrap_err().message.contains("String should match pattern"));
        b["tools"] = json!([{"name": "good", "input_schema": {"type": "object"}}]);
        b["tool_choice"] = json!({"type": "required"});
        assert!(check_body(&b, RULES).unwrap_err().message.contains("Input tag 'required'"));
        b["tool_choice"] = json!({"type": "tool", "name": "good"});
        check_body(&b, RULES).unwrap();
    }

    #[test]
    fn sampling_parameters_under_2026() {
        let mut b = body(json!([{"role": "user", "content": "hi"}]));
        b["temperature"] = json!(1.0);
        check_body(&b, RULES).unwrap();
        let rules = BodyRules { version_2026: true, ..RULES };
        assert_eq!(check_body(&b, rules).unwrap_err().message, "temperature: Extra inputs are not permitted");
    }
}
