//! Bedrock `InvokeModel`: requests signed with the `aws-sigv4` crate are accepted, tampered or wrongly
//! encoded ones are rejected the way AWS rejects them.

mod common;

use std::time::SystemTime;

use aws_sigv4::http_request::{PercentEncodingMode, SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use common::{Response, send};
use mock_llm::{Config, MockServer, Mode, Reply};
use serde_json::{Value, json};

const MODEL_PATH: &str = "/model/anthropic.claude-x-v1%3A0/invoke";

fn bedrock(session_token: Option<&str>, api_key: Option<&str>) -> MockServer {
    MockServer::start(Config {
        mode: Mode::Bedrock {
            access_key: "AKIDTEST".into(),
            secret_key: "test-secret".into(),
            session_token: session_token.map(str::to_owned),
            region: "us-west-2".into(),
        },
        api_key: api_key.map(str::to_owned),
        reject_prefill: true,
    })
}

fn body() -> Value {
    json!({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "hi"}],
    })
}

/// Signs like a client using `aws-sigv4` would, returning the headers to send.
fn signed_headers(
    url: &str,
    path: &str,
    body: &[u8],
    secret: &str,
    token: Option<&str>,
    encoding: PercentEncodingMode,
) -> Vec<(String, String)> {
    let host = url.strip_prefix("http://").unwrap();
    let credentials =
        aws_credential_types::Credentials::new("AKIDTEST", secret, token.map(str::to_owned), None, "test");
    let identity = credentials.into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = encoding;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-west-2")
        .name("bedrock")
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let base = vec![("host", host), ("content-type", "application/json")];
    let signable = SignableRequest::new(
        "POST",
        format!("{url}{path}"),
        base.clone().into_iter(),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _signature) = sign(signable, &params).unwrap().into_parts();
    let mut headers: Vec<(String, String)> =
        base.into_iter().filter(|(n, _)| *n != "host").map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
    for (name, value) in instructions.headers() {
        headers.push((name.to_owned(), value.to_owned()));
    }
    headers
}

fn post(url: &str, path: &str, headers: &[(String, String)], body: &[u8]) -> Response {
    let refs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    send(url, "POST", path, &refs, body)
}

#[test]
fn a_correctly_signed_request_with_a_colon_in_the_model_id_is_accepted() {
    let mock = bedrock(None, None);
    mock.push(Reply::text("hello from bedrock"));
    let body = body().to_string();
    let headers = signed_headers(
        &mock.url(),
        MODEL_PATH,
        body.as_bytes(),
        "test-secret",
        None,
        PercentEncodingMode::Double,
    );
    let r = post(&mock.url(), MODEL_PATH, &headers, body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["content"][0]["text"], "hello from bedrock");
    // The model id comes from the (decoded) path.
    assert_eq!(r.json()["model"], "anthropic.claude-x-v1:0");
    assert_eq!(mock.requests()[0].path, MODEL_PATH);
}

#[test]
fn session_tokens_are_checked() {
    let mock = bedrock(Some("session-token"), None);
    mock.set_default(Some(Reply::text("ok")));
    let body = body().to_string();
    let good = signed_headers(
        &mock.url(),
        MODEL_PATH,
        body.as_bytes(),
        "test-secret",
        Some("session-token"),
        PercentEncodingMode::Double,
    );
    assert_eq!(post(&mock.url(), MODEL_PATH, &good, body.as_bytes()).status, 200);
    let without = signed_headers(
        &mock.url(),
        MODEL_PATH,
        body.as_bytes(),
        "test-secret",
        None,
        PercentEncodingMode::Double,
    );
    let r = post(&mock.url(), MODEL_PATH, &without, body.as_bytes());
    assert_eq!((r.status, r.header("x-amzn-errortype")), (403, Some("UnrecognizedClientException")));
}

#[test]
fn tampering_and_wrong_keys_are_rejected() {
    let mock = bedrock(None, None);
    mock.set_default(Some(Reply::text("ok")));
    let body = body().to_string();
    let url = mock.url();
    let headers =
        signed_headers(&url, MODEL_PATH, body.as_bytes(), "test-secret", None, PercentEncodingMode::Double);
    let tampered = body.replace("hi", "ho");
    let r = post(&url, MODEL_PATH, &headers, tampered.as_bytes());
    assert_eq!(r.status, 403);
    assert_eq!(r.header("x-amzn-errortype"), Some("InvalidSignatureException"));
    let message = r.json()["message"].as_str().unwrap().to_owned();
    assert!(message.starts_with("The request signature we calculated does not match"), "{message}");
    assert!(message.contains("/model/anthropic.claude-x-v1%253A0/invoke"), "{message}");

    let wrong =
        signed_headers(&url, MODEL_PATH, body.as_bytes(), "other-secret", None, PercentEncodingMode::Double);
    assert_eq!(
        post(&url, MODEL_PATH, &wrong, body.as_bytes()).header("x-amzn-errortype"),
        Some("InvalidSignatureException")
    );

    let r = post(&url, MODEL_PATH, &[("content-type".into(), "application/json".into())], body.as_bytes());
    assert_eq!((r.status, r.header("x-amzn-errortype")), (403, Some("MissingAuthenticationTokenException")));
}

#[test]
fn signing_the_singly_encoded_path_fails_like_on_aws() {
    let mock = bedrock(None, None);
    mock.set_default(Some(Reply::text("ok")));
    let body = body().to_string();
    let headers = signed_headers(
        &mock.url(),
        MODEL_PATH,
        body.as_bytes(),
        "test-secret",
        None,
        PercentEncodingMode::Single,
    );
    let r = post(&mock.url(), MODEL_PATH, &headers, body.as_bytes());
    assert_eq!(r.status, 403);
    assert_eq!(r.header("x-amzn-errortype"), Some("InvalidSignatureException"));
    // A model id without reserved characters signs the same either way.
    let plain = "/model/anthropic.claude-plain/invoke";
    let headers =
        signed_headers(&mock.url(), plain, body.as_bytes(), "test-secret", None, PercentEncodingMode::Single);
    assert_eq!(post(&mock.url(), plain, &headers, body.as_bytes()).status, 200);
}

#[test]
fn bedrock_api_keys_and_body_rules() {
    let mock = bedrock(None, Some("bedrock-api-key"));
    mock.set_default(Some(Reply::text("ok")));
    let url = mock.url();
    let bearer = |key: &str| vec![("authorization".to_owned(), format!("Bearer {key}"))];
    assert_eq!(post(&url, MODEL_PATH, &bearer("bedrock-api-key"), body().to_string().as_bytes()).status, 200);
    let r = post(&url, MODEL_PATH, &bearer("nope"), body().to_string().as_bytes());
    assert_eq!((r.status, r.header("x-amzn-errortype")), (403, Some("AccessDeniedException")));

    let mut b = body();
    b["model"] = json!("anthropic.claude-x-v1:0");
    let r = post(&url, MODEL_PATH, &bearer("bedrock-api-key"), b.to_string().as_bytes());
    assert_eq!((r.status, r.header("x-amzn-errortype")), (400, Some("ValidationException")));
    assert!(r.json()["message"].as_str().unwrap().contains("extraneous key [model]"));

    let mut b = body();
    b.as_object_mut().unwrap().remove("anthropic_version");
    let r = post(&url, MODEL_PATH, &bearer("bedrock-api-key"), b.to_string().as_bytes());
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().contains("required key [anthropic_version]"));

    let mut b = body();
    b["anthropic_beta"] = json!(["context-1m-2025-08-07"]);
    assert_eq!(post(&url, MODEL_PATH, &bearer("bedrock-api-key"), b.to_string().as_bytes()).status, 200);
    b["anthropic_beta"] = json!(["made-up-2030-01-01"]);
    let r = post(&url, MODEL_PATH, &bearer("bedrock-api-key"), b.to_string().as_bytes());
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (400, Some("invalid beta flag: made-up-2030-01-01"))
    );

    let mut b = body();
    b["messages"] = json!([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "{"}]);
    let r = post(&url, MODEL_PATH, &bearer("bedrock-api-key"), b.to_string().as_bytes());
    assert!(r.json()["message"].as_str().unwrap().contains("prefill"));
}
