//! The first-party Messages API: scripted replies (JSON and the same as SSE), validation, errors, recording.

mod common;

use std::time::{Duration, Instant};

use common::{post_messages, send};
use mock_llm::{Config, Match, MockServer, Reply, Rule, SseEvent, sse};
use serde_json::{Value, json};

fn request(stream: bool) -> Value {
    json!({
        "model": "claude-opus-4-7",
        "max_tokens": 1024,
        "stream": stream,
        "tools": [{"name": "report_findings", "description": "d", "input_schema": {"type": "object", "properties": {}}}],
        "tool_choice": {"type": "tool", "name": "report_findings"},
        "messages": [{"role": "user", "content": "review this diff"}],
    })
}

fn findings() -> Value {
    json!({"findings": [{"file": "a.py", "line": 3, "severity": "high", "category": "injection", "title": "SQL injection: ünïcödé", "explanation": "x", "fix": "y", "confidence": 0.9}]})
}

#[test]
fn json_reply_is_filled_in_and_recorded() {
    let mock = MockServer::start(Config::default());
    mock.push(Reply::tool_use("report_findings", findings()));
    let response = post_messages(&mock.url(), &request(false), &[]);
    assert_eq!(response.status, 200);
    assert!(response.header("request-id").unwrap().starts_with("req_"));
    let message = response.json();
    assert_eq!(message["type"], "message");
    assert_eq!(message["stop_reason"], "tool_use");
    assert_eq!(message["model"], "claude-opus-4-7");
    assert!(message["id"].as_str().unwrap().starts_with("msg_"));
    let block = &message["content"][0];
    assert!(block["id"].as_str().unwrap().starts_with("toolu_"));
    assert_eq!(block["input"], findings());
    assert_eq!(message["usage"]["output_tokens"], 50);
    assert!(message["usage"]["input_tokens"].as_u64().unwrap() > 10);

    let recorded = mock.requests();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].method, "POST");
    assert_eq!(recorded[0].path, "/v1/messages");
    assert_eq!(recorded[0].header("x-api-key"), Some("test-key"));
    assert_eq!(recorded[0].header_count("anthropic-version"), 1);
    assert_eq!(recorded[0].json().unwrap()["max_tokens"], 1024);
    assert!(recorded[0].text().contains("test-key"));
}

#[test]
fn the_same_reply_streams_as_sse() {
    let mock = MockServer::start(Config::default());
    let message = json!({
        "content": [
            {"type": "text", "text": "Looking at the diff, one issue stands out."},
            {"type": "tool_use", "name": "report_findings", "input": findings()},
        ],
        "stop_reason": "tool_use",
    });
    mock.push(Reply::message(message.clone()));
    mock.push(Reply::message(message));
    let plain = post_messages(&mock.url(), &request(false), &[]).json();
    let streamed = post_messages(&mock.url(), &request(true), &[]);
    assert_eq!(streamed.status, 200);
    assert_eq!(streamed.header("content-type"), Some("text/event-stream"));
    let events = sse::parse(&streamed.text());
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names[..2], ["message_start", "ping"]);
    assert_eq!(names[names.len() - 2..], ["message_delta", "message_stop"]);
    assert!(names.iter().filter(|n| **n == "content_block_delta").count() >= 5, "{names:?}");
    assert!(streamed.text().contains("input_json_delta"));
    let assembled = sse::assemble(&events).unwrap();
    // Ids are fresh per answer; everything else must match the JSON form.
    let strip = |mut m: Value| {
        m["id"] = json!(null);
        m["content"][1]["id"] = json!(null);
        m
    };
    assert_eq!(strip(assembled), strip(plain));
}

#[test]
fn no_reply_left_is_a_loud_500_and_default_applies() {
    let mock = MockServer::start(Config::default());
    let response = post_messages(&mock.url(), &request(false), &[]);
    assert_eq!(response.status, 500);
    assert_eq!(response.json()["error"]["type"], "api_error");
    assert_eq!(response.error_message(), "mock: no scripted reply left");
    mock.set_default(Some(Reply::text("same")));
    for _ in 0..3 {
        assert_eq!(post_messages(&mock.url(), &request(false), &[]).json()["content"][0]["text"], "same");
    }
}

#[test]
fn rules_pick_replies_by_request_content() {
    let mock = MockServer::start(Config::default());
    mock.push_rule(Rule::when(Match::tool("report_findings"), Reply::text("reviewer")).always());
    mock.push_rule(Rule::when(Match::assistant_turns(0), Reply::text("agent turn 0")));
    let mut agent = request(false);
    agent["tools"] = json!([{"name": "Write", "input_schema": {"type": "object"}}]);
    agent.as_object_mut().unwrap().remove("tool_choice");
    assert_eq!(post_messages(&mock.url(), &agent, &[]).json()["content"][0]["text"], "agent turn 0");
    for _ in 0..2 {
        assert_eq!(post_messages(&mock.url(), &request(false), &[]).json()["content"][0]["text"], "reviewer");
    }
    assert_eq!(post_messages(&mock.url(), &agent, &[]).status, 500);
    assert_eq!(mock.pending(), 1);
}

#[test]
fn header_validation() {
    let mock = MockServer::start(Config::default());
    mock.set_default(Some(Reply::text("ok")));
    let body = request(false).to_string();
    let url = mock.url();
    let call = |headers: &[(&str, &str)]| send(&url, "POST", "/v1/messages", headers, body.as_bytes());

    let r = call(&[("x-api-key", "test-key")]);
    assert_eq!((r.status, r.error_message().as_str()), (400, "anthropic-version: header is required"));
    assert_eq!(r.json()["error"]["type"], "invalid_request_error");
    assert_eq!(r.json()["request_id"], r.header("request-id").unwrap());

    let r = call(&[
        ("x-api-key", "test-key"),
        ("anthropic-version", "2023-06-01"),
        ("anthropic-version", "2023-06-01"),
    ]);
    assert_eq!(r.status, 400);
    assert_eq!(r.error_message(), "anthropic-version: \"2023-06-01, 2023-06-01\" is not a valid version");

    let r = call(&[("x-api-key", "test-key"), ("anthropic-version", "2024-01-01")]);
    assert_eq!(r.error_message(), "anthropic-version: \"2024-01-01\" is not a valid version");

    let r = call(&[("x-api-key", "wrong"), ("anthropic-version", "2023-06-01")]);
    assert_eq!((r.status, r.error_message().as_str()), (401, "invalid x-api-key"));
    assert_eq!(r.json()["error"]["type"], "authentication_error");
    let r = call(&[("anthropic-version", "2023-06-01")]);
    assert_eq!(r.status, 401);

    let r = call(&[("authorization", "Bearer test-key"), ("anthropic-version", "2026-10-21")]);
    assert_eq!(r.status, 200);

    let r = call(&[
        ("x-api-key", "test-key"),
        ("anthropic-version", "2023-06-01"),
        ("anthropic-beta", "prompt-caching-2024-07-31, made-up-2030-01-01"),
    ]);
    assert_eq!((r.status, r.error_message().as_str()), (400, "Unsupported beta header: made-up-2030-01-01"));

    // Rejected requests are recorded and consumed no reply (the default answered the one good call).
    assert_eq!(mock.requests().len(), 7);
}

#[test]
fn body_validation() {
    let mock = MockServer::start(Config::default());
    mock.push(Reply::text("only one"));
    let url = mock.url();
    let expect_400 = |body: Value, version: &str, message: &str| {
        let r = post_messages(&url, &body, &[("anthropic-version", version)]);
        assert_eq!(r.status, 400, "{}", r.text());
        assert_eq!(r.error_message(), message);
    };
    let mut b = request(false);
    b.as_object_mut().unwrap().remove("max_tokens");
    expect_400(b, "2023-06-01", "max_tokens: Field required");

    let mut b = request(false);
    b.as_object_mut().unwrap().remove("model");
    expect_400(b, "2023-06-01", "model: Field required");

    let mut b = request(false);
    b["temperature"] = json!(0);
    expect_400(b, "2026-10-21", "temperature: Extra inputs are not permitted");

    let mut b = request(false);
    b["messages"] = json!([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "{"}]);
    expect_400(
        b,
        "2023-06-01",
        "This model does not support assistant message prefill. The conversation must end with a user message.",
    );

    let mut b = request(false);
    b["messages"] = json!([
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "Read", "input": {}}, {"type": "tool_use", "id": "toolu_2", "name": "Read", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "x"}]},
    ]);
    expect_400(
        b,
        "2023-06-01",
        "messages.2: Did not find 2 tool_result block(s) at the beginning of this message. Messages following tool_use blocks must begin with a matching number of tool_result blocks.",
    );

    let mut b = request(false);
    b["tools"][0]["name"] = json!("report findings");
    b["tool_choice"] = json!({"type": "auto"});
    expect_400(b, "2023-06-01", "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'");

    let mut b = request(false);
    b["tool_choice"] = json!({"type": "required"});
    let r = post_messages(&url, &b, &[]);
    assert_eq!(r.status, 400);
    assert!(r.error_message().contains("'auto', 'any', 'tool', 'none'"));

    // The scripted reply is still there.
    assert_eq!(mock.pending(), 1);
    assert_eq!(post_messages(&url, &request(false), &[]).status, 200);
}

#[test]
fn prefill_allowed_when_configured() {
    let mock = MockServer::start(Config { reject_prefill: false, ..Config::default() });
    mock.push(Reply::text("ok"));
    let mut b = request(false);
    b["messages"] = json!([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "{"}]);
    assert_eq!(post_messages(&mock.url(), &b, &[]).status, 200);
}

#[test]
fn error_replies_carry_their_headers() {
    let mock = MockServer::start(Config::default());
    mock.push(Reply::rate_limited(7));
    mock.push(Reply::overloaded().with_header("x-should-retry", "false"));
    mock.push(Reply::raw(
        413,
        vec![("content-type".into(), "text/html".into())],
        "<html>413 Request Entity Too Large</html>".into(),
    ));
    mock.push(Reply::refusal());
    mock.push(Reply::spend_limit());
    let url = mock.url();
    let r = post_messages(&url, &request(false), &[]);
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("7"));
    assert_eq!(r.json()["type"], "error");
    assert_eq!(r.json()["error"]["type"], "rate_limit_error");
    let r = post_messages(&url, &request(false), &[]);
    assert_eq!((r.status, r.header("x-should-retry")), (529, Some("false")));
    assert_eq!(r.json()["error"]["type"], "overloaded_error");
    let r = post_messages(&url, &request(false), &[]);
    assert_eq!(r.status, 413);
    assert!(r.text().starts_with("<html>"));
    let r = post_messages(&url, &request(false), &[]);
    assert_eq!(r.json()["stop_reason"], "refusal");
    assert!(r.json()["stop_details"].is_object());
    let r = post_messages(&url, &request(false), &[]);
    assert_eq!((r.status, r.header("retry-after")), (429, None));
    assert_eq!(r.json()["error"]["details"]["error_code"], "enforced_spend_limit_reached");
}

#[test]
fn stream_faults() {
    let mock = MockServer::start(Config::default());
    mock.push(Reply::stream_error_event());
    mock.push(Reply::cut_mid_stream(json!({"content": [{"type": "text", "text": "partial answer here"}]})));
    let events = vec![
        SseEvent::new("ping", "{\"type\": \"ping\"}"),
        SseEvent::new("message_start", "{not json").after(Duration::from_millis(10)),
    ];
    mock.push(Reply::sse(events).crlf().drip(3, Duration::from_millis(1)));
    let url = mock.url();

    let r = post_messages(&url, &request(true), &[]);
    assert_eq!(r.status, 200);
    let events = sse::parse(&r.text());
    assert_eq!(events.last().unwrap().0, "error");
    assert!(events.last().unwrap().1.contains("overloaded_error"));
    assert!(sse::assemble(&events).is_err());

    let r = post_messages(&url, &request(true), &[]);
    assert_eq!(r.status, 200);
    assert!(!r.complete, "the stream must be cut");
    assert!(r.text().contains("content_block_delta"));
    assert!(!r.text().contains("message_stop"));

    let r = post_messages(&url, &request(true), &[]);
    assert!(r.complete);
    assert_eq!(
        r.text(),
        "event: ping\r\ndata: {\"type\": \"ping\"}\r\n\r\nevent: message_start\r\ndata: {not json\r\n\r\n"
    );
}

#[test]
fn delayed_reply_waits() {
    let mock = MockServer::start(Config::default());
    mock.push(Reply::delayed(Duration::from_millis(300), Reply::text("late")));
    let start = Instant::now();
    let r = post_messages(&mock.url(), &request(false), &[]);
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.json()["content"][0]["text"], "late");
}

#[test]
fn other_routes() {
    let mock = MockServer::start(Config::default());
    mock.push(Reply::text("foundry"));
    let url = mock.url();
    let headers = [("x-api-key", "test-key"), ("anthropic-version", "2023-06-01")];
    let r = send(&url, "POST", "/anthropic/v1/messages", &headers, request(false).to_string().as_bytes());
    assert_eq!(r.json()["content"][0]["text"], "foundry");
    let r = send(
        &url,
        "POST",
        "/v1/messages/count_tokens?beta=true",
        &headers,
        request(false).to_string().as_bytes(),
    );
    assert!(r.json()["input_tokens"].as_u64().unwrap() > 0);
    assert_eq!(send(&url, "HEAD", "/", &[], b"").status, 200);
    assert_eq!(send(&url, "GET", "/v1/models", &headers, b"").status, 200);
    let r = send(&url, "GET", "/nope", &[], b"");
    assert_eq!((r.status, r.json()["error"]["type"].as_str()), (404, Some("not_found_error")));
    let r = send(&url, "POST", "/v1/messages?beta=true", &headers, request(false).to_string().as_bytes());
    assert_eq!(r.status, 500, "beta path routed, script exhausted");
}

#[test]
fn wait_for_requests_from_another_thread() {
    let mock = MockServer::start(Config::default());
    mock.set_default(Some(Reply::text("x")));
    let url = mock.url();
    let worker = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        post_messages(&url, &request(false), &[]).status
    });
    let got = mock.wait_for_requests(1, Duration::from_secs(10));
    assert_eq!(got.len(), 1);
    assert_eq!(worker.join().unwrap(), 200);
    assert_eq!(mock.wait_for_requests(5, Duration::from_millis(50)).len(), 1);
}

#[tokio::test]
async fn works_inside_a_tokio_runtime() {
    let mock = MockServer::start(Config::default());
    mock.push(Reply::text("async"));
    let url = mock.url();
    let r = tokio::task::spawn_blocking(move || post_messages(&url, &request(false), &[])).await.unwrap();
    assert_eq!(r.status, 200);
    drop(mock);
}
