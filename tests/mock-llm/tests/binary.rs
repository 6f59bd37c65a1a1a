//! The standalone `mock-llm` binary: prints its URL, serves a script (rules and default), records requests.

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use common::post_messages;
use serde_json::{Value, json};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn binary_prints_its_url_and_serves_a_script() {
    let dir = std::env::temp_dir().join(format!("mock-llm-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("script.json");
    let record = dir.join("requests.jsonl");
    let _ = std::fs::remove_file(&record);
    std::fs::write(
        &script,
        json!([
            {"when": {"tool": "report_findings"}, "reply": {"tool_use": {"name": "report_findings", "input": {"findings": []}}}, "times": "always"},
            {"when": {"assistant_turns": 0}, "reply": {"text": "first turn"}},
            {"error": {"status": 429, "type": "rate_limit_error", "message": "slow down", "retry_after": 2}},
            {"default": {"text": "fallback"}},
        ])
        .to_string(),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mock-llm"))
        .args(["--api-key", "test-key", "--script"])
        .arg(&script)
        .arg("--record")
        .arg(&record)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let child = Killed(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line.trim_end().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{line:?}");

    let chat = |tools: Value, messages: Value| json!({"model": "m", "max_tokens": 10, "stream": true, "tools": tools, "messages": messages});
    let reviewer = chat(
        json!([{"name": "report_findings", "input_schema": {"type": "object"}}]),
        json!([{"role": "user", "content": "diff"}]),
    );
    let agent = chat(
        json!([{"name": "Write", "input_schema": {"type": "object"}}]),
        json!([{"role": "user", "content": "go"}]),
    );

    // Claude Code sends betas the mock cannot know: accepted by default.
    let r = post_messages(&url, &agent, &[("anthropic-beta", "claude-code-20250219,whatever-2099-01-01")]);
    let message = mock_llm::sse::assemble(&mock_llm::sse::parse(&r.text())).unwrap();
    assert_eq!(message["content"][0]["text"], "first turn");
    let r = post_messages(&url, &reviewer, &[]);
    let message = mock_llm::sse::assemble(&mock_llm::sse::parse(&r.text())).unwrap();
    assert_eq!(message["content"][0]["name"], "report_findings");
    let r = post_messages(&url, &agent, &[]);
    assert_eq!((r.status, r.header("retry-after")), (429, Some("2")));
    let r = post_messages(&url, &agent, &[]);
    let message = mock_llm::sse::assemble(&mock_llm::sse::parse(&r.text())).unwrap();
    assert_eq!(message["content"][0]["text"], "fallback");
    assert_eq!(post_messages(&url, &agent, &[("x-api-key", "wrong")]).status, 401);
    drop(child);

    let lines: Vec<Value> =
        std::fs::read_to_string(&record).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["method"], "POST");
    assert_eq!(lines[0]["path"], "/v1/messages");
    assert_eq!(lines[0]["body"]["messages"][0]["content"], "go");
    assert_eq!(lines[0]["headers"]["x-api-key"], "<redacted>");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_arguments_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_mock-llm")).arg("--bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown argument"));
    assert!(out.stdout.is_empty());
}
