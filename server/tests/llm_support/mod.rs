//! Helpers for `tests/llm.rs`: an environment from pairs, a review-shaped request, clients wired to
//! a recording sleeper, and temporary directories.

pub mod sigv4;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::json;
use sg_lsp::llm::{Client, Message, MessagesRequest, RecordingSleeper, SystemBlock, Tool, ToolChoice};

/// An environment lookup over fixed pairs (nothing from the process environment).
pub fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> =
        pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect();
    move |name| map.get(name).cloned()
}

/// A diff-review request: system prompt, one user turn, the forced `report_findings` tool.
pub fn review_request() -> MessagesRequest {
    MessagesRequest {
        model: String::new(),
        max_tokens: 1024,
        system: vec![SystemBlock::text("You review diffs for security problems.").cached()],
        messages: vec![Message::user_text("<diff>\n+eval(input())\n</diff>")],
        tools: vec![Tool {
            name: "report_findings".into(),
            description: "Report the findings".into(),
            input_schema: json!({"type": "object", "properties": {"findings": {"type": "array"}}, "required": ["findings"]}),
            cache_control: None,
        }],
        tool_choice: Some(ToolChoice::Tool { name: "report_findings".into() }),
        stream: false,
    }
}

/// A client from `pairs` whose retries sleep on a recorder.
pub fn client(pairs: &[(&str, &str)]) -> (Client, RecordingSleeper) {
    let sleeper = RecordingSleeper::new();
    let client = Client::from_env(env(pairs))
        .unwrap_or_else(|e| panic!("config: {e}"))
        .with_sleeper(Arc::new(sleeper.clone()));
    (client, sleeper)
}

/// A fresh empty directory under the system temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sg-llm-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
