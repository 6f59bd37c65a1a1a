//! Vertex AI: predict paths, bearer tokens, body rules, streaming, and the OAuth / metadata token routes.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::send;
use mock_llm::{Config, MockServer, Mode, Reply, sse};
use serde_json::{Value, json};

const PREDICT: &str = "/v1/projects/proj-1/locations/us-east5/publishers/anthropic/models/claude-x@20250929";

fn vertex() -> MockServer {
    MockServer::start(Config {
        mode: Mode::Vertex { project: "proj-1".into(), region: "us-east5".into(), token: "ya29.mock".into() },
        api_key: None,
        reject_prefill: true,
    })
}

fn body() -> Value {
    json!({"anthropic_version": "vertex-2023-10-16", "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]})
}

fn post(url: &str, path: &str, token: &str, body: &Value) -> common::Response {
    let auth = format!("Bearer {token}");
    send(
        url,
        "POST",
        path,
        &[("authorization", &auth), ("content-type", "application/json")],
        body.to_string().as_bytes(),
    )
}

#[test]
fn raw_predict_and_stream_raw_predict() {
    let mock = vertex();
    mock.set_default(Some(Reply::text("from vertex")));
    let url = mock.url();
    let r = post(&url, &format!("{PREDICT}:rawPredict"), "ya29.mock", &body());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["model"], "claude-x@20250929");
    // Clients may percent-encode the `@` of the model id.
    let encoded = PREDICT.replace('@', "%40");
    let r = post(&url, &format!("{encoded}:rawPredict"), "ya29.mock", &body());
    assert_eq!(r.json()["model"], "claude-x@20250929");
    let r = post(&url, &format!("{PREDICT}:streamRawPredict"), "ya29.mock", &body());
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    let message = sse::assemble(&sse::parse(&r.text())).unwrap();
    assert_eq!(message["content"][0]["text"], "from vertex");
}

#[test]
fn token_path_and_body_are_checked() {
    let mock = vertex();
    mock.set_default(Some(Reply::text("x")));
    let url = mock.url();
    let r = post(&url, &format!("{PREDICT}:rawPredict"), "wrong", &body());
    assert_eq!((r.status, r.json()["error"]["status"].as_str()), (401, Some("UNAUTHENTICATED")));
    let other_project = PREDICT.replace("proj-1", "proj-2");
    assert_eq!(post(&url, &format!("{other_project}:rawPredict"), "ya29.mock", &body()).status, 403);
    let other_region = PREDICT.replace("us-east5", "europe-west1");
    assert_eq!(post(&url, &format!("{other_region}:rawPredict"), "ya29.mock", &body()).status, 400);
    assert_eq!(post(&url, &format!("{PREDICT}:predict"), "ya29.mock", &body()).status, 404);

    let mut b = body();
    b["model"] = json!("claude-x");
    let r = post(&url, &format!("{PREDICT}:rawPredict"), "ya29.mock", &b);
    assert_eq!((r.status, r.error_message().as_str()), (400, "model: Extra inputs are not permitted"));
    let mut b = body();
    b["anthropic_version"] = json!("bedrock-2023-05-31");
    let r = post(&url, &format!("{PREDICT}:rawPredict"), "ya29.mock", &b);
    assert_eq!(r.status, 400);
    assert!(r.error_message().contains("vertex-2023-10-16"));

    let count = "/v1/projects/proj-1/locations/us-east5/publishers/anthropic/models/count-tokens:rawPredict";
    let mut b = body();
    b["model"] = json!("claude-x@20250929");
    assert!(post(&url, count, "ya29.mock", &b).json()["input_tokens"].as_u64().unwrap() > 0);
}

fn jwt(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(json!({"alg": "RS256", "typ": "JWT"}).to_string());
    let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{claims}.{}", URL_SAFE_NO_PAD.encode(b"not-a-real-signature"))
}

#[test]
fn oauth_token_endpoint_checks_the_assertion_and_records_it() {
    let mock = vertex();
    let url = mock.url();
    let claims = json!({
        "iss": "sa@proj-1.iam.gserviceaccount.com",
        "scope": "https://www.googleapis.com/auth/cloud-platform",
        "aud": "https://oauth2.googleapis.com/token",
        "iat": 1_700_000_000, "exp": 1_700_003_600,
    });
    let form = |assertion: &str| {
        format!("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={assertion}")
    };
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    let r = send(&url, "POST", "/token", &headers, form(&jwt(&claims)).as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), json!({"access_token": "ya29.mock", "expires_in": 3600, "token_type": "Bearer"}));
    assert_eq!(mock.requests()[0].jwt_claims().unwrap(), claims);

    let mut no_scope = claims.clone();
    no_scope.as_object_mut().unwrap().remove("scope");
    let r = send(&url, "POST", "/token", &headers, form(&jwt(&no_scope)).as_bytes());
    assert_eq!((r.status, r.json()["error"].as_str()), (400, Some("invalid_grant")));
    let r = send(&url, "POST", "/token", &headers, form("only.two").as_bytes());
    assert_eq!(r.status, 400);

    let refresh = "grant_type=refresh_token&refresh_token=r&client_id=c&client_secret=s";
    assert_eq!(send(&url, "POST", "/token", &headers, refresh.as_bytes()).status, 200);
}

#[test]
fn metadata_route_requires_the_flavor_header() {
    let mock = vertex();
    let url = mock.url();
    let path = "/computeMetadata/v1/instance/service-accounts/default/token";
    assert_eq!(send(&url, "GET", path, &[], b"").status, 403);
    let r = send(&url, "GET", path, &[("metadata-flavor", "Google")], b"");
    assert_eq!(r.json()["access_token"], "ya29.mock");
}
