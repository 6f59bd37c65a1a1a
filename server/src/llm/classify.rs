//! Failed HTTP answers and transport errors as [`LlmError`]s with stable codes and one-line messages
//! that name the provider and what to do, and never carry a key or request text.

use reqwest::header::HeaderMap;
use serde_json::Value;

use super::config::{ApiAuth, BedrockAuth, Provider};
use super::{FailureCode, LlmError};

/// Where the credential came from, for "check X" advice.
fn credential_hint(provider: &Provider) -> String {
    match provider {
        Provider::Anthropic {
            auth: ApiAuth::ApiKey { source, .. } | ApiAuth::Bearer { source, .. }, ..
        } => {
            format!("check {source}")
        }
        Provider::Anthropic { auth: ApiAuth::None, .. } => {
            "the server wants a key: set ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN".into()
        }
        Provider::Bedrock { auth: BedrockAuth::Bearer(_), .. } => "check AWS_BEARER_TOKEN_BEDROCK".into(),
        Provider::Bedrock { auth: BedrockAuth::SigV4 { source, .. }, .. } => {
            format!("check the AWS credentials ({source})")
        }
        Provider::Vertex { project, .. } => format!(
            "check the Google credentials and that the account may use Vertex AI in project {project}"
        ),
        Provider::Foundry { .. } => "check ANTHROPIC_FOUNDRY_API_KEY".into(),
    }
}

/// The error type and message from an Anthropic, AWS or Google error body.
struct ErrorBody {
    kind: Option<String>,
    message: Option<String>,
    spend_limit: bool,
}

fn parse_body(headers: &HeaderMap, body: &[u8]) -> ErrorBody {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let json = json.map(|v| {
        if let Value::Array(mut items) = v { items.drain(..).next().unwrap_or(Value::Null) } else { v }
    });
    let text = |pointer: &str| {
        json.as_ref().and_then(|j| j.pointer(pointer)).and_then(Value::as_str).map(String::from)
    };
    let aws_kind = headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(':').next().unwrap_or(v).to_string());
    let kind = text("/error/type").or(aws_kind).or_else(|| text("/__type")).or_else(|| text("/error/status"));
    let message = text("/error/message").or_else(|| text("/message")).or_else(|| text("/Message"));
    let spend_limit = is_spend_limit(body);
    ErrorBody { kind, message, spend_limit }
}

/// Up to 160 characters of the server's message, on one line.
fn short(message: &str) -> String {
    let one_line: String = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 160 {
        format!("{}…", one_line.chars().take(160).collect::<String>())
    } else {
        one_line
    }
}

/// Whether a 429 is a spend limit (never retried: it repeats until someone raises the limit).
pub fn is_spend_limit(body: &[u8]) -> bool {
    String::from_utf8_lossy(body).contains("enforced_spend_limit_reached")
}

/// Classifies a non-success answer after the retries (if any) are spent.
pub fn status_error(
    provider: &Provider,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    attempts: u32,
) -> LlmError {
    let name = provider.name();
    let parsed = parse_body(headers, body);
    let kind = parsed.kind.as_deref().unwrap_or_default();
    let detail = parsed.message.as_deref().map(short).filter(|m| !m.is_empty());
    let tries = if attempts > 1 { format!(" after {attempts} attempts") } else { String::new() };
    let (code, message, repeats) = match (status, kind) {
        (_, "InvalidSignatureException" | "SignatureDoesNotMatch") => (
            FailureCode::Auth,
            format!(
                "{name} rejected the request signature ({kind}): {}, and the system clock",
                credential_hint(provider)
            ),
            true,
        ),
        (_, "UnrecognizedClientException" | "ExpiredTokenException") => (
            FailureCode::Auth,
            format!(
                "{name} did not accept the credentials ({kind}): {}; a session token may have expired",
                credential_hint(provider)
            ),
            true,
        ),
        (_, "AccessDeniedException") => (
            FailureCode::Auth,
            format!(
                "{name} denied access (AccessDeniedException): the credentials need bedrock:InvokeModel and access to \
                 the model must be enabled in the Bedrock console"
            ),
            true,
        ),
        (401, _) => (
            FailureCode::Auth,
            format!("{name} rejected the key (HTTP 401): {}", credential_hint(provider)),
            true,
        ),
        (403, _) => (
            FailureCode::Auth,
            format!(
                "{name} refused access (HTTP 403{}): {}",
                if kind.is_empty() { String::new() } else { format!(", {kind}") },
                credential_hint(provider)
            ),
            true,
        ),
        (402, _) | (_, "billing_error") => (
            FailureCode::RateLimited,
            format!("{name} reports a billing problem (HTTP {status}): check the account's plan and credits"),
            true,
        ),
        (429, _) if parsed.spend_limit => (
            FailureCode::RateLimited,
            format!(
                "{name} spend limit reached (enforced_spend_limit_reached): raise the limit or wait for the next period"
            ),
            true,
        ),
        (429, _) | (_, "rate_limit_error" | "ThrottlingException" | "ServiceQuotaExceededException") => (
            FailureCode::RateLimited,
            format!("{name} rate limit reached (HTTP {status}){tries}: try again later"),
            false,
        ),
        (529, _) | (_, "overloaded_error") => (
            FailureCode::Overloaded,
            format!("{name} is overloaded (HTTP {status}){tries}: try again later"),
            false,
        ),
        (408 | 504, _) | (_, "timeout_error" | "ModelTimeoutException") => {
            (FailureCode::Timeout, format!("{name} timed out on its side (HTTP {status}){tries}"), false)
        }
        (413, _) => (
            FailureCode::BadResponse,
            format!("{name} says the request is too large (HTTP 413): review fewer files at once"),
            false,
        ),
        (404, _) => (
            FailureCode::BadResponse,
            format!(
                "{name} answered HTTP 404{}: check the model id (SECURITY_REVIEW_MODEL) and the endpoint",
                detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
            ),
            false,
        ),
        _ => (
            FailureCode::BadResponse,
            format!(
                "{name} answered HTTP {status}{}{}{tries}",
                if kind.is_empty() { String::new() } else { format!(" {kind}") },
                detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
            ),
            false,
        ),
    };
    let mut error = LlmError::new(code, message).with_status(status);
    error.repeats = repeats || code.repeats();
    error
}

/// Classifies a transport error (the request never got an answer).
pub fn transport_error(provider: &Provider, host: &str, error: &reqwest::Error) -> LlmError {
    let name = provider.name();
    if error.is_timeout() {
        return LlmError::new(FailureCode::Timeout, format!("{name} did not answer in time ({host})"));
    }
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        chain.push_str(&e.to_string().to_ascii_lowercase());
        chain.push(' ');
        source = e.source();
    }
    let dns = [
        "dns error",
        "failed to lookup",
        "name or service not known",
        "nodename nor servname",
        "no such host",
        "name resolution",
    ];
    if dns.iter().any(|needle| chain.contains(needle)) {
        return LlmError::new(
            FailureCode::Dns,
            format!("could not resolve {host} for {name}: check the network and the base URL"),
        );
    }
    if ["certificate", "tls", "handshake", "rustls", "invalidcertificate"].iter().any(|n| chain.contains(n)) {
        return LlmError::new(
            FailureCode::Tls,
            format!(
                "TLS with {host} failed for {name}: a proxy may be intercepting HTTPS (set SSL_CERT_FILE to its CA)"
            ),
        );
    }
    let what = if error.is_connect() { "could not connect to" } else { "lost the connection to" };
    LlmError::new(FailureCode::Network, format!("{what} {host} for {name}: check the network"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::secret::Secret;
    use reqwest::header::HeaderValue;

    fn anthropic() -> Provider {
        Provider::Anthropic {
            base_url: "https://api.anthropic.com".into(),
            base_url_source: "default",
            auth: ApiAuth::ApiKey { key: Secret::new("sk-ant-secret"), source: "ANTHROPIC_API_KEY" },
        }
    }

    fn classify(status: u16, body: &str) -> LlmError {
        status_error(&anthropic(), status, &HeaderMap::new(), body.as_bytes(), 1)
    }

    #[test]
    fn statuses_become_codes() {
        let auth = classify(
            401,
            r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#,
        );
        assert_eq!(auth.code, FailureCode::Auth);
        assert_eq!(auth.message, "Anthropic API rejected the key (HTTP 401): check ANTHROPIC_API_KEY");
        assert!(auth.repeats);
        assert_eq!(classify(403, "{}").code, FailureCode::Auth);
        assert_eq!(classify(429, "{}").code, FailureCode::RateLimited);
        assert!(!classify(429, "{}").repeats);
        let spend = classify(
            429,
            r#"{"type":"error","error":{"type":"rate_limit_error","message":"x","details":{"error_code":"enforced_spend_limit_reached"}}}"#,
        );
        assert!(spend.repeats && spend.message.contains("spend limit"));
        assert_eq!(classify(529, "{}").code, FailureCode::Overloaded);
        assert_eq!(classify(504, "{}").code, FailureCode::Timeout);
        assert_eq!(classify(413, "<html>Request Entity Too Large</html>").code, FailureCode::BadResponse);
        assert_eq!(
            classify(
                500,
                r#"{"type":"error","error":{"type":"api_error","message":"Internal\nserver error"}}"#
            )
            .message,
            "Anthropic API answered HTTP 500 api_error: Internal server error"
        );
        assert_eq!(classify(402, "{}").code, FailureCode::RateLimited);
    }

    #[test]
    fn aws_error_types_come_from_the_header() {
        let bedrock = Provider::Bedrock {
            base_url: String::new(),
            base_url_source: "default",
            region: "us-east-1".into(),
            auth: BedrockAuth::Bearer(Secret::new("b")),
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-amzn-errortype",
            HeaderValue::from_static("InvalidSignatureException:http://internal.amazon.com/"),
        );
        let err = status_error(
            &bedrock,
            403,
            &headers,
            br#"{"message":"The request signature we calculated does not match"}"#,
            1,
        );
        assert_eq!(err.code, FailureCode::Auth);
        assert!(err.message.contains("InvalidSignatureException"), "{}", err.message);
        let throttled = status_error(
            &bedrock,
            400,
            &HeaderMap::new(),
            br#"{"__type":"ThrottlingException","message":"slow down"}"#,
            3,
        );
        assert_eq!(throttled.code, FailureCode::RateLimited);
        assert!(throttled.message.contains("after 3 attempts"));
    }
}
