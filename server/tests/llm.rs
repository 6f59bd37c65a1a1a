//! The `llm` edge against the loopback mock (`tests/mock-llm`): each provider's request shape (Anthropic
//! key and bearer, custom headers, Bedrock `SigV4` and bearer, Vertex token flows, Foundry), retries with
//! a recording sleeper, failure classes, streaming, and that no key leaks. `SigV4` test vectors are in
//! `llm_support/sigv4.rs`.

mod llm_support;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use llm_support::{client, review_request, temp_dir};
use mock_llm::{Config, MockServer, Mode, Options, Reply};
use ring::signature::KeyPair as _;
use serde_json::{Value, json};
use sg_lsp::llm::{FailureCode, LlmError, Messages, StopReason};

const KEY: &str = "sk-ant-api03-test-key-never-printed";

fn anthropic_mock() -> MockServer {
    MockServer::start(Config { mode: Mode::Anthropic, api_key: Some(KEY.into()), reject_prefill: true })
}

fn findings() -> Value {
    json!({"findings": [{"file": "a.py", "line": 1, "severity": "high", "category": "code-injection",
        "title": "eval of input", "explanation": "x", "fix": "y", "confidence": 0.9}]})
}

/// Asserts an error names no secret, in its message, its `Display` and its `Debug`.
fn assert_clean(error: &LlmError, secrets: &[&str]) {
    for text in [error.message.clone(), error.to_string(), format!("{error:?}")] {
        for secret in secrets {
            assert!(!text.contains(secret), "a secret leaked into {text:?}");
        }
        assert!(!text.contains('\n'), "one line: {text:?}");
        assert!(!text.contains("eval(input())"), "request text leaked: {text:?}");
    }
}

#[tokio::test]
async fn anthropic_api_key_request_shape() {
    let mock = anthropic_mock();
    mock.push(Reply::tool_use("report_findings", findings()));
    let (client, sleeper) = client(&[("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", &mock.url())]);
    let exchange = client.send(&review_request()).await.unwrap();
    assert_eq!(exchange.response.tool_input("report_findings"), Some(&findings()));
    assert_eq!(exchange.attempts, 1);
    assert!(sleeper.delays().is_empty());
    assert!(exchange.cost_usd.is_some_and(|c| c > 0.0), "claude-opus-4-7 has a price");
    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/v1/messages"));
    assert_eq!(request.header("x-api-key"), Some(KEY));
    assert_eq!(request.header_count("anthropic-version"), 1);
    assert_eq!(request.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header_count("authorization"), 0);
    assert_eq!(request.header_count("anthropic-beta"), 0);
    assert_eq!(exchange.bytes_sent, request.body.len());
    let body = request.json().unwrap();
    assert_eq!(body["model"], "claude-opus-4-7");
    assert_eq!(body["tool_choice"], json!({"type": "tool", "name": "report_findings"}));
    assert_eq!(body["messages"].as_array().unwrap().last().unwrap()["role"], "user");
    assert!(body.get("stream").is_none());
}

#[tokio::test]
async fn anthropic_bearer_custom_headers_betas_and_version() {
    let mock = MockServer::start_with(
        Config { mode: Mode::Anthropic, api_key: Some(KEY.into()), reject_prefill: true },
        Options { any_beta: true, ..Options::default() },
    );
    mock.push(Reply::text("ok"));
    let (client, _) = client(&[
        ("ANTHROPIC_AUTH_TOKEN", KEY),
        ("ANTHROPIC_BASE_URL", &format!("{}/", mock.url())),
        ("ANTHROPIC_CUSTOM_HEADERS", "X-Team: appsec\nX-Gateway-Token: gw-secret-123"),
        ("SG_ANTHROPIC_BETAS", "feature-a, feature-b"),
        ("SG_ANTHROPIC_VERSION", "2026-10-21"),
        ("SECURITY_REVIEW_MODEL", "claude-sonnet-4-5"),
    ]);
    let exchange = client.send(&review_request()).await.unwrap();
    assert_eq!(exchange.response.stop_reason, Some(StopReason::EndTurn));
    let request = &mock.requests()[0];
    assert_eq!(request.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(request.header_count("x-api-key"), 0);
    assert_eq!(request.header("x-team"), Some("appsec"));
    assert_eq!(request.header("x-gateway-token"), Some("gw-secret-123"));
    assert_eq!(request.header_values("anthropic-beta"), vec!["feature-a,feature-b"]);
    assert_eq!(request.header_values("anthropic-version"), vec!["2026-10-21"]);
    assert_eq!(request.json().unwrap()["model"], "claude-sonnet-4-5");
    let described = format!("{:?} {:?}", client.describe(), client.config());
    assert!(!described.contains(KEY) && !described.contains("gw-secret-123"), "{described}");
    assert!(described.contains("X-Gateway-Token"));
}

#[tokio::test]
async fn streaming_and_non_streaming_give_the_same_message() {
    let mock = anthropic_mock();
    let message = json!({
        "content": [{"type": "text", "text": "Checking é😀"}, {"type": "tool_use", "id": "toolu_fixed", "name": "report_findings", "input": findings()}],
        "stop_reason": "tool_use", "id": "msg_fixed", "model": "claude-opus-4-7",
        "usage": {"input_tokens": 100, "output_tokens": 50, "cache_read_input_tokens": 7},
    });
    mock.push(Reply::message(message.clone()));
    mock.push(Reply::message(message.clone()));
    mock.push(Reply::sse(Reply::message_events(&message)).crlf().drip(7, Duration::from_millis(1)));
    let (plain, _) = client(&[("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", &mock.url())]);
    let streaming = plain.clone().with_stream(true);
    let a = plain.send(&review_request()).await.unwrap().response;
    let b = streaming.send(&review_request()).await.unwrap().response;
    let c = streaming.send(&review_request()).await.unwrap().response;
    assert_eq!(a.content, b.content);
    assert_eq!((&a.stop_reason, a.usage), (&b.stop_reason, b.usage));
    assert_eq!(a.content, c.content, "CRLF, dripped 7 bytes at a time");
    assert_eq!(a.usage, c.usage);
    let requests = mock.requests();
    assert!(requests[0].json().unwrap().get("stream").is_none());
    assert_eq!(requests[1].json().unwrap()["stream"], true);
}

#[tokio::test]
async fn rate_limits_honour_retry_after_and_stop_at_the_cap() {
    let mock = anthropic_mock();
    for _ in 0..3 {
        mock.push(Reply::rate_limited(3));
    }
    let (client, sleeper) = client(&[("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", &mock.url())]);
    let error = client.send(&review_request()).await.unwrap_err();
    assert_eq!(error.code, FailureCode::RateLimited);
    assert_eq!(error.status, Some(429));
    assert_eq!(error.retry_after, Some(Duration::from_secs(3)));
    assert_eq!(mock.requests().len(), 3, "1 attempt + 2 retries");
    assert_eq!(sleeper.delays(), vec![Duration::from_secs(3); 2]);
    assert!(!error.repeats);
    assert_clean(&error, &[KEY]);
}

#[tokio::test]
async fn overloaded_is_retried_with_backoff_then_succeeds() {
    let mock = anthropic_mock();
    mock.push(Reply::overloaded());
    mock.push(Reply::overloaded().with_header("retry-after-ms", "1500"));
    mock.push(Reply::tool_use("report_findings", findings()));
    let (client, sleeper) = client(&[("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", &mock.url())]);
    let exchange = client.send(&review_request()).await.unwrap();
    assert_eq!(exchange.attempts, 3);
    let delays = sleeper.delays();
    assert!(delays[0] >= Duration::from_millis(375) && delays[0] <= Duration::from_millis(500), "{delays:?}");
    assert_eq!(delays[1], Duration::from_millis(1500));
}

#[tokio::test]
async fn what_is_never_retried() {
    let mock = anthropic_mock();
    let (client, sleeper) = client(&[("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", &mock.url())]);
    // 529 with x-should-retry: false.
    mock.push(Reply::overloaded().with_header("x-should-retry", "false"));
    assert_eq!(client.send(&review_request()).await.unwrap_err().code, FailureCode::Overloaded);
    // A spend-limit 429.
    mock.push(Reply::raw(
        429,
        vec![("content-type".into(), "application/json".into()), ("retry-after".into(), "1".into())],
        json!({"type": "error", "error": {"type": "rate_limit_error", "message": "spend limit",
            "details": {"error_code": "enforced_spend_limit_reached"}}})
        .to_string(),
    ));
    let spend = client.send(&review_request()).await.unwrap_err();
    assert_eq!(spend.code, FailureCode::RateLimited);
    assert!(spend.repeats, "a spend limit calls for a cooldown");
    // 400, 404 and a Cloudflare-style HTML 413.
    mock.push(Reply::error(400, "invalid_request_error", "messages: bad"));
    assert_eq!(client.send(&review_request()).await.unwrap_err().code, FailureCode::BadResponse);
    mock.push(Reply::error(404, "not_found_error", "model: claude-nope"));
    assert!(client.send(&review_request()).await.unwrap_err().message.contains("SECURITY_REVIEW_MODEL"));
    mock.push(Reply::raw(
        413,
        vec![("content-type".into(), "text/html".into())],
        "<html>413 Request Entity Too Large</html>".into(),
    ));
    assert_eq!(client.send(&review_request()).await.unwrap_err().status, Some(413));
    assert_eq!(mock.requests().len(), 5);
    assert!(sleeper.delays().is_empty());
}

#[tokio::test]
async fn a_wrong_key_is_auth_not_retried_and_never_printed() {
    let mock = anthropic_mock();
    let wrong = "sk-ant-api03-wrong-key-0123456789";
    let (client, sleeper) = client(&[("ANTHROPIC_API_KEY", wrong), ("ANTHROPIC_BASE_URL", &mock.url())]);
    let error = client.send(&review_request()).await.unwrap_err();
    assert_eq!(error.code, FailureCode::Auth);
    assert_eq!(error.message, "Anthropic API rejected the key (HTTP 401): check ANTHROPIC_API_KEY");
    assert!(error.repeats);
    assert_eq!(mock.requests().len(), 1);
    assert!(sleeper.delays().is_empty());
    assert_clean(&error, &[wrong]);
    assert!(!format!("{:?}", client.config()).contains(wrong));
}

#[tokio::test]
async fn server_errors_are_retried_then_bad_response() {
    let mock = anthropic_mock();
    for _ in 0..3 {
        mock.push(Reply::error(500, "api_error", "Internal server error"));
    }
    let (client, sleeper) = client(&[("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", &mock.url())]);
    let error = client.send(&review_request()).await.unwrap_err();
    assert_eq!(error.code, FailureCode::BadResponse);
    assert_eq!(error.status, Some(500));
    assert!(error.message.contains("after 3 attempts"), "{}", error.message);
    assert_eq!(sleeper.delays().len(), 2);
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let mock = anthropic_mock();
    mock.push(Reply::delayed(Duration::from_millis(600), Reply::text("late")));
    let (client, _) = client(&[("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", &mock.url())]);
    let client = client.with_timeout(Duration::from_millis(100)).with_max_retries(0);
    let error = client.send(&review_request()).await.unwrap_err();
    assert_eq!(error.code, FailureCode::Timeout);
    assert!(error.message.contains("SG_LLM_TIMEOUT_SECS"));
}

#[tokio::test]
async fn broken_answers_are_bad_responses_and_refusals_are_refused() {
    let mock = anthropic_mock();
    let (client, _) = client(&[("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", &mock.url())]);
    let streaming = client.clone().with_stream(true).with_max_retries(0);
    mock.push(Reply::cut_mid_stream(
        json!({"content": [{"type": "text", "text": "partial answer"}], "stop_reason": "end_turn"}),
    ));
    let cut = streaming.send(&review_request()).await.unwrap_err();
    assert_eq!(cut.code, FailureCode::BadResponse);
    assert!(cut.message.contains("cut off"), "{}", cut.message);
    mock.push(Reply::stream_error_event());
    assert_eq!(streaming.send(&review_request()).await.unwrap_err().code, FailureCode::Overloaded);
    mock.push(Reply::raw(
        200,
        vec![("content-type".into(), "application/json".into())],
        "{\"content\": [".into(),
    ));
    assert_eq!(client.send(&review_request()).await.unwrap_err().code, FailureCode::BadResponse);
    mock.push(Reply::refusal());
    let refused = client.send(&review_request()).await.unwrap_err();
    assert_eq!(refused.code, FailureCode::Refused);
    assert!(refused.repeats);
}

#[tokio::test]
async fn nothing_listening_is_a_network_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (client, sleeper) =
        client(&[("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", &format!("http://127.0.0.1:{port}"))]);
    let error = client.send(&review_request()).await.unwrap_err();
    assert_eq!(error.code, FailureCode::Network);
    assert_eq!(sleeper.delays().len(), 2, "connection errors are retried");
    assert_clean(&error, &[KEY]);
}

const BEDROCK_MODEL: &str = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const AWS_KEY_ID: &str = "AKIAMOCKACCESSKEY123";
const AWS_SECRET: &str = "mock/secret+access/key0123456789abcdefghij";
const AWS_TOKEN: &str = "mock-session-token-abcdef";

fn bedrock_mock(api_key: Option<&str>) -> MockServer {
    MockServer::start(Config {
        mode: Mode::Bedrock {
            access_key: AWS_KEY_ID.into(),
            secret_key: AWS_SECRET.into(),
            session_token: Some(AWS_TOKEN.into()),
            region: "us-east-1".into(),
        },
        api_key: api_key.map(String::from),
        reject_prefill: true,
    })
}

#[tokio::test]
async fn bedrock_sigv4_is_accepted_by_the_verifier() {
    let mock = bedrock_mock(None);
    mock.push(Reply::tool_use("report_findings", findings()));
    let (client, _) = client(&[
        ("CLAUDE_CODE_USE_BEDROCK", "1"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", AWS_KEY_ID),
        ("AWS_SECRET_ACCESS_KEY", AWS_SECRET),
        ("AWS_SESSION_TOKEN", AWS_TOKEN),
        ("ANTHROPIC_BEDROCK_BASE_URL", &mock.url()),
        ("SECURITY_REVIEW_MODEL", BEDROCK_MODEL),
    ]);
    // Streaming is asked for, but Bedrock's InvokeModel stream is not SSE: the client sends JSON.
    let exchange = client.with_stream(true).send(&review_request()).await.unwrap();
    assert_eq!(exchange.response.tool_input("report_findings"), Some(&findings()));
    let request = &mock.requests()[0];
    assert_eq!(request.path, "/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke");
    let authorization = request.header("authorization").unwrap();
    assert!(
        authorization.starts_with(&format!("AWS4-HMAC-SHA256 Credential={AWS_KEY_ID}/")),
        "{authorization}"
    );
    assert!(authorization.contains("/us-east-1/bedrock/aws4_request"));
    assert_eq!(request.header("x-amz-security-token"), Some(AWS_TOKEN));
    assert_eq!(request.header_count("anthropic-version"), 0);
    let body = request.json().unwrap();
    assert_eq!(body["anthropic_version"], "bedrock-2023-05-31");
    assert!(body.get("model").is_none() && body.get("stream").is_none());
    assert!(!request.text().contains(AWS_SECRET));
}

#[tokio::test]
async fn bedrock_wrong_secret_is_an_auth_error() {
    let mock = bedrock_mock(None);
    let (client, sleeper) = client(&[
        ("CLAUDE_CODE_USE_BEDROCK", "1"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", AWS_KEY_ID),
        ("AWS_SECRET_ACCESS_KEY", "not-the-secret-0123456789"),
        ("AWS_SESSION_TOKEN", AWS_TOKEN),
        ("ANTHROPIC_BEDROCK_BASE_URL", &mock.url()),
    ]);
    let error = client.send(&review_request()).await.unwrap_err();
    assert_eq!(error.code, FailureCode::Auth, "{error}");
    assert!(error.message.contains("Amazon Bedrock"), "{}", error.message);
    assert!(sleeper.delays().is_empty());
    assert_clean(&error, &["not-the-secret-0123456789", AWS_TOKEN]);
}

#[tokio::test]
async fn bedrock_api_key_as_bearer() {
    let mock = bedrock_mock(Some("bedrock-api-key-xyz"));
    mock.push(Reply::text("ok"));
    let (client, _) = client(&[
        ("CLAUDE_CODE_USE_BEDROCK", "1"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-xyz"),
        ("ANTHROPIC_BEDROCK_BASE_URL", &mock.url()),
        ("SECURITY_REVIEW_MODEL", "us.anthropic.claude-haiku-4-5-20251001-v1:0"),
    ]);
    let exchange = client.send(&review_request()).await.unwrap();
    assert!(exchange.cost_usd.is_some(), "the haiku 4.5 price applies through the inference profile");
    let request = &mock.requests()[0];
    assert_eq!(request.header("authorization"), Some("Bearer bedrock-api-key-xyz"));
    assert_eq!(request.path, "/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke");
}

const VERTEX_TOKEN: &str = "ya29.mock-access-token";

fn vertex_mock() -> MockServer {
    MockServer::start(Config {
        mode: Mode::Vertex {
            project: "sg-proj".into(),
            region: "us-east5".into(),
            token: VERTEX_TOKEN.into(),
        },
        api_key: None,
        reject_prefill: true,
    })
}

fn vertex_env<'a>(mock: &MockServer, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, String)> {
    let mut pairs = vec![
        ("CLAUDE_CODE_USE_VERTEX", "1".to_string()),
        ("ANTHROPIC_VERTEX_PROJECT_ID", "sg-proj".to_string()),
        ("CLOUD_ML_REGION", "us-east5".to_string()),
        ("ANTHROPIC_VERTEX_BASE_URL", format!("{}/v1", mock.url())),
        ("SECURITY_REVIEW_MODEL", "claude-sonnet-4-5@20250929".to_string()),
    ];
    pairs.extend(extra.iter().map(|(k, v)| (*k, (*v).to_string())));
    pairs
}

fn as_pairs<'a>(pairs: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn vertex_service_account_token_is_fetched_once_and_sent() {
    let mock = vertex_mock();
    mock.push(Reply::tool_use("report_findings", findings()));
    mock.push(Reply::tool_use("report_findings", findings()));
    let fixture = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/llm/service-account.json"
    ))
    .unwrap();
    let mut key: Value = serde_json::from_str(&fixture).unwrap();
    key["token_uri"] = Value::String(format!("{}/token", mock.url()));
    let dir = temp_dir("vertex-sa");
    let key_path = dir.join("key.json");
    std::fs::write(&key_path, key.to_string()).unwrap();
    let pairs = vertex_env(&mock, &[("GOOGLE_APPLICATION_CREDENTIALS", key_path.to_str().unwrap())]);
    let (client, _) = client(&as_pairs(&pairs));
    assert!(
        client
            .describe()
            .iter()
            .any(|(k, v)| k == "auth" && v.contains("reviewer@sg-lsp-test.iam.gserviceaccount.com"))
    );
    client.send(&review_request()).await.unwrap();
    client.clone().with_stream(true).send(&review_request()).await.unwrap();
    let requests = mock.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/token",
            "/v1/projects/sg-proj/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict",
            "/v1/projects/sg-proj/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict",
        ],
        "one token fetch, cached for the second call"
    );
    // The JWT: claims for the token endpoint, and an RS256 signature that verifies with the key.
    let token_request = &requests[0];
    let claims = token_request.jwt_claims().unwrap();
    assert_eq!(claims["iss"], "reviewer@sg-lsp-test.iam.gserviceaccount.com");
    assert_eq!(claims["aud"], format!("{}/token", mock.url()));
    assert_eq!(claims["scope"], "https://www.googleapis.com/auth/cloud-platform");
    let form = token_request.form();
    let assertion = &form.iter().find(|(k, _)| k == "assertion").unwrap().1;
    let (signed, signature) = assertion.rsplit_once('.').unwrap();
    let der = sg_lsp::llm::google::pem_to_pkcs8(key["private_key"].as_str().unwrap()).unwrap();
    let pair = ring::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        pair.public_key().as_ref(),
    )
    .verify(signed.as_bytes(), &URL_SAFE_NO_PAD.decode(signature).unwrap())
    .expect("the JWT signature verifies");
    for (request, stream) in [(&requests[1], false), (&requests[2], true)] {
        assert_eq!(request.header("authorization"), Some(format!("Bearer {VERTEX_TOKEN}").as_str()));
        let body = request.json().unwrap();
        assert_eq!(body["anthropic_version"], "vertex-2023-10-16");
        assert!(body.get("model").is_none());
        assert_eq!(body.get("stream").is_some(), stream);
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn vertex_gcloud_user_credentials_and_the_metadata_server() {
    let mock = vertex_mock();
    mock.push(Reply::text("ok"));
    mock.push(Reply::text("ok"));
    // gcloud's application_default_credentials.json found through HOME.
    let home = temp_dir("vertex-user");
    std::fs::create_dir_all(home.join(".config/gcloud")).unwrap();
    let adc = json!({"type": "authorized_user", "client_id": "cid.apps.googleusercontent.com", "client_secret": "user-client-secret",
        "refresh_token": "1//refresh-token-value", "token_uri": format!("{}/token", mock.url())});
    std::fs::write(home.join(".config/gcloud/application_default_credentials.json"), adc.to_string())
        .unwrap();
    let pairs = vertex_env(&mock, &[("HOME", home.to_str().unwrap())]);
    let (user, _) = client(&as_pairs(&pairs));
    user.send(&review_request()).await.unwrap();
    // No credentials file: the metadata server.
    let empty = temp_dir("vertex-metadata");
    let host = mock.url().trim_start_matches("http://").to_string();
    let pairs = vertex_env(&mock, &[("HOME", empty.to_str().unwrap()), ("GCE_METADATA_HOST", &host)]);
    let (metadata, _) = client(&as_pairs(&pairs));
    assert!(metadata.describe().iter().any(|(_, v)| v.contains("metadata server")));
    metadata.send(&review_request()).await.unwrap();
    let requests = mock.requests();
    assert_eq!(requests.len(), 4);
    let form = requests[0].form();
    assert!(form.contains(&("grant_type".into(), "refresh_token".into())));
    assert!(form.contains(&("refresh_token".into(), "1//refresh-token-value".into())));
    assert_eq!(requests[2].method, "GET");
    assert_eq!(requests[2].path, "/computeMetadata/v1/instance/service-accounts/default/token");
    assert_eq!(requests[2].header("metadata-flavor"), Some("Google"));
    assert_eq!(requests[3].header("authorization"), Some(format!("Bearer {VERTEX_TOKEN}").as_str()));
    std::fs::remove_dir_all(home).unwrap();
    std::fs::remove_dir_all(empty).unwrap();
}

#[tokio::test]
async fn vertex_token_endpoint_failure_is_auth() {
    let mock = vertex_mock();
    let home = temp_dir("vertex-bad");
    let adc = json!({"type": "authorized_user", "client_id": "", "client_secret": "s", "refresh_token": "r",
        "token_uri": format!("{}/token", mock.url())});
    let path = home.join("adc.json");
    std::fs::write(&path, adc.to_string()).unwrap();
    let pairs = vertex_env(&mock, &[("GOOGLE_APPLICATION_CREDENTIALS", path.to_str().unwrap())]);
    let (client, _) = client(&as_pairs(&pairs));
    let error = client.send(&review_request()).await.unwrap_err();
    assert_eq!(error.code, FailureCode::Auth);
    assert!(error.message.contains("gcloud auth application-default login"), "{}", error.message);
    std::fs::remove_dir_all(home).unwrap();
}

#[tokio::test]
async fn foundry_path_and_key() {
    let mock = MockServer::start(Config {
        mode: Mode::Anthropic,
        api_key: Some("foundry-key-123".into()),
        reject_prefill: true,
    });
    mock.push(Reply::text("ok"));
    let (client, _) = client(&[
        ("CLAUDE_CODE_USE_FOUNDRY", "1"),
        ("ANTHROPIC_FOUNDRY_BASE_URL", &format!("{}/anthropic", mock.url())),
        ("ANTHROPIC_FOUNDRY_API_KEY", "foundry-key-123"),
    ]);
    client.send(&review_request()).await.unwrap();
    let request = &mock.requests()[0];
    assert_eq!(request.path, "/anthropic/v1/messages");
    assert_eq!(request.header("x-api-key"), Some("foundry-key-123"));
    assert_eq!(request.header_count("anthropic-version"), 1);
    assert_eq!(request.json().unwrap()["model"], "claude-opus-4-7");
}
