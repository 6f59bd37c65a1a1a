//! The Messages API as Rust types: exactly the fields sg-lsp sends, and tolerant reading of answers
//! (unknown content blocks, stop reasons and usage fields are kept or ignored, never an error).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A request body. Provider adapters move `model`/`stream` and add `anthropic_version` as needed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MessagesRequest {
    pub model: String,
    pub max_tokens: u32,
    /// System prompt blocks (the stable prefix; carries `cache_control`). Never holds untrusted text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub system: Vec<SystemBlock>,
    /// Must end with a user turn (newer models reject assistant prefill).
    pub messages: Vec<Message>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Tool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stream: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SystemBlock {
    #[serde(rename = "type")]
    pub kind: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<Value>,
}

impl SystemBlock {
    pub fn text(text: impl Into<String>) -> SystemBlock {
        SystemBlock { kind: "text".into(), text: text.into(), cache_control: None }
    }

    /// Marks the end of the cacheable prefix (`{"type":"ephemeral"}`).
    #[must_use]
    pub fn cached(mut self) -> SystemBlock {
        self.cache_control = Some(serde_json::json!({"type": "ephemeral"}));
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: Vec<ContentBlock>,
}

impl Message {
    pub fn user_text(text: impl Into<String>) -> Message {
        Message {
            role: Role::User,
            content: vec![ContentBlock::Text { text: text.into(), cache_control: None }],
        }
    }
}

/// Content blocks. Unknown block types in answers are kept as `Other` (the API adds new ones).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    Text {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cache_control: Option<Value>,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
    ToolResult {
        tool_use_id: String,
        content: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        is_error: bool,
    },
    #[serde(untagged)]
    Other(Value),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub description: String,
    pub input_schema: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToolChoice {
    Auto,
    Any,
    Tool { name: String },
    None,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    EndTurn,
    MaxTokens,
    StopSequence,
    ToolUse,
    PauseTurn,
    Refusal,
    ModelContextWindowExceeded,
    #[serde(other)]
    Unknown,
}

/// Token counts. Total input = `input_tokens + cache_creation_input_tokens + cache_read_input_tokens`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
    #[serde(default)]
    pub cache_creation_input_tokens: u64,
    #[serde(default)]
    pub cache_read_input_tokens: u64,
}

impl Usage {
    pub fn add(&mut self, other: Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cache_creation_input_tokens += other.cache_creation_input_tokens;
        self.cache_read_input_tokens += other.cache_read_input_tokens;
    }
}

/// An assembled answer (from JSON or from an SSE stream).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessagesResponse {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub model: String,
    pub content: Vec<ContentBlock>,
    pub stop_reason: Option<StopReason>,
    #[serde(default)]
    pub usage: Usage,
}

impl MessagesResponse {
    /// The input of the first `tool_use` of `name`, if the model called it.
    pub fn tool_input(&self, name: &str) -> Option<&Value> {
        self.content.iter().find_map(|block| match block {
            ContentBlock::ToolUse { name: n, input, .. } if n == name => Some(input),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_blocks_and_stop_reasons_are_tolerated() {
        let answer: MessagesResponse = serde_json::from_value(serde_json::json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "m",
            "content": [
                {"type": "thinking", "thinking": "...", "signature": "x"},
                {"type": "tool_use", "id": "toolu_1", "name": "report_findings", "input": {"findings": []}, "caller": {}}
            ],
            "stop_reason": "something_new",
            "usage": {"input_tokens": 3, "output_tokens": 4, "service_tier": "standard"}
        }))
        .unwrap();
        assert_eq!(answer.stop_reason, Some(StopReason::Unknown));
        assert!(matches!(answer.content[0], ContentBlock::Other(_)));
        assert_eq!(answer.tool_input("report_findings"), Some(&serde_json::json!({"findings": []})));
        assert_eq!(answer.usage.output_tokens, 4);
    }

    #[test]
    fn requests_serialise_the_forced_tool_choice() {
        let request = MessagesRequest {
            model: "m".into(),
            max_tokens: 10,
            messages: vec![Message::user_text("hi")],
            tool_choice: Some(ToolChoice::Tool { name: "report_findings".into() }),
            ..MessagesRequest::default()
        };
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(json["tool_choice"], serde_json::json!({"type": "tool", "name": "report_findings"}));
        assert!(json.get("stream").is_none() && json.get("system").is_none());
    }
}
