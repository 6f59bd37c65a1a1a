//! Bedrock `InvokeModel`: `SigV4` verification (recomputed from the request as AWS does, service `bedrock`),
//! Bedrock API keys, the body rules (`anthropic_version`, no `model`/`stream`) and AWS-shaped errors.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use axum::response::Response;
use http::{HeaderValue, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::server::{Ctx, Outcome, Shared, estimate_tokens, json_response};
use crate::validate::{self, BodyRules};
use crate::{Mode, Recorded};

const SERVICE: &str = "bedrock";
const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// An AWS-style rejection: status, `x-amzn-ErrorType`, message.
#[derive(Debug)]
pub(crate) struct AwsError {
    pub status: u16,
    pub error_type: &'static str,
    pub message: String,
}

impl AwsError {
    fn new(status: u16, error_type: &'static str, message: impl Into<String>) -> Self {
        Self { status, error_type, message: message.into() }
    }

    fn validation(message: impl Into<String>) -> Self {
        Self::new(400, "ValidationException", message)
    }

    fn response(&self) -> Response {
        let mut response = json_response(
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST),
            &json!({ "message": self.message }),
        );
        response.headers_mut().insert("x-amzn-errortype", HeaderValue::from_static(self.error_type));
        response
    }
}

/// The `SigV4` credentials the mock holds.
pub(crate) struct Credentials<'a> {
    pub access_key: &'a str,
    pub secret_key: &'a str,
    pub session_token: Option<&'a str>,
    pub region: &'a str,
}

pub(crate) fn route(shared: &Shared, req: &Recorded, request_id: &str) -> Outcome {
    let Mode::Bedrock { access_key, secret_key, session_token, region } = &shared.config.mode else {
        unreachable!("bedrock::route in another mode");
    };
    let path = req.path_only();
    let Some(model) = path
        .strip_prefix("/model/")
        .and_then(|rest| rest.strip_suffix("/invoke"))
        .filter(|m| !m.is_empty() && !m.contains('/'))
    else {
        let error = if path.ends_with("/invoke-with-response-stream") {
            AwsError::validation(
                "mock-llm: invoke-with-response-stream (AWS event stream) is not implemented",
            )
        } else {
            AwsError::new(404, "UnknownOperationException", "")
        };
        return Outcome::Done(error.response());
    };
    if req.method != "POST" {
        return Outcome::Done(AwsError::new(404, "UnknownOperationException", "").response());
    }
    let credentials = Credentials { access_key, secret_key, session_token: session_token.as_deref(), region };
    let checked = authenticate(req, &credentials, shared.config.api_key.as_deref())
        .and_then(|()| check_body(req, shared.config.reject_prefill))
        .and_then(|body| check_body_betas(&body, shared).map(|()| body));
    match checked {
        Err(error) => Outcome::Done(error.response()),
        Ok(body) => Outcome::Model {
            ctx: Ctx {
                request_id: request_id.to_owned(),
                stream: false,
                model: percent_encoding::percent_decode_str(model).decode_utf8_lossy().into_owned(),
                input_tokens: estimate_tokens(&req.body),
            },
            body,
        },
    }
}

/// A Bedrock API key (`Authorization: Bearer`) when one is configured, else `SigV4`.
fn authenticate(req: &Recorded, credentials: &Credentials, api_key: Option<&str>) -> Result<(), AwsError> {
    let authorization = req.header("authorization").unwrap_or_default();
    if let Some(token) = authorization.strip_prefix("Bearer ") {
        return if api_key == Some(token) {
            Ok(())
        } else {
            Err(AwsError::new(
                403,
                "AccessDeniedException",
                "Authentication failed: Please make sure your API Key is valid.",
            ))
        };
    }
    verify_sigv4(req, credentials)
}

fn check_body(req: &Recorded, reject_prefill: bool) -> Result<Value, AwsError> {
    let body = validate::parse_json(&req.body).map_err(|f| AwsError::validation(f.message))?;
    match body.get("anthropic_version").and_then(Value::as_str) {
        Some("bedrock-2023-05-31") => {}
        Some(other) => {
            return Err(AwsError::validation(format!(
                "Malformed input request: #/anthropic_version: {other} is not a valid enum value, please reformat your input and try again."
            )));
        }
        None => {
            return Err(AwsError::validation(
                "Malformed input request: #: required key [anthropic_version] not found, please reformat your input and try again.",
            ));
        }
    }
    for key in ["model", "stream"] {
        if body.get(key).is_some() {
            return Err(AwsError::validation(format!(
                "Malformed input request: #: extraneous key [{key}] is not permitted, please reformat your input and try again."
            )));
        }
    }
    let rules = BodyRules { require_model: false, version_2026: false, reject_prefill };
    validate::check_body(&body, rules).map_err(|f| AwsError::validation(f.message))?;
    Ok(body)
}

/// Bedrock takes betas in the body as `anthropic_beta: [..]`, checked like the first-party header.
fn check_body_betas(body: &Value, shared: &Shared) -> Result<(), AwsError> {
    let Some(betas) = body.get("anthropic_beta") else {
        return Ok(());
    };
    let names: Option<Vec<&str>> =
        betas.as_array().and_then(|names| names.iter().map(Value::as_str).collect());
    let names = names.ok_or_else(|| {
        AwsError::validation("Malformed input request: #/anthropic_beta: expected type: JSONArray of strings")
    })?;
    for name in names {
        let known = validate::KNOWN_BETAS.contains(&name) || shared.extra_betas.iter().any(|e| e == name);
        if !shared.any_beta && !known {
            return Err(AwsError::validation(format!("invalid beta flag: {name}")));
        }
    }
    Ok(())
}

/// Verifies `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` by recomputing
/// the signature over the headers the client says it signed.
pub(crate) fn verify_sigv4(req: &Recorded, credentials: &Credentials) -> Result<(), AwsError> {
    let authorization = req.header("authorization").ok_or_else(|| {
        AwsError::new(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    })?;
    let fields = authorization.strip_prefix(ALGORITHM).ok_or_else(|| {
        AwsError::new(
            403,
            "IncompleteSignatureException",
            format!("Authorization header requires the {ALGORITHM} algorithm."),
        )
    })?;
    let field =
        |name: &str| fields.split(',').map(str::trim).find_map(|f| f.strip_prefix(name)?.strip_prefix('='));
    let incomplete = |what: &str| {
        AwsError::new(
            403,
            "IncompleteSignatureException",
            format!("Authorization header requires '{what}' parameter."),
        )
    };
    let credential = field("Credential").ok_or_else(|| incomplete("Credential"))?;
    let signed_headers = field("SignedHeaders").ok_or_else(|| incomplete("SignedHeaders"))?;
    let signature = field("Signature").ok_or_else(|| incomplete("Signature"))?;

    let scope_parts: Vec<&str> = credential.split('/').collect();
    let [key_id, date, region, service, terminator] = scope_parts[..] else {
        return Err(AwsError::new(403, "IncompleteSignatureException", "Credential is malformed."));
    };
    if key_id != credentials.access_key {
        return Err(AwsError::new(
            403,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ));
    }
    if region != credentials.region {
        return Err(AwsError::new(
            403,
            "InvalidSignatureException",
            format!("Credential should be scoped to a valid region, not '{region}'."),
        ));
    }
    if service != SERVICE || terminator != "aws4_request" {
        return Err(AwsError::new(
            403,
            "InvalidSignatureException",
            format!("Credential should be scoped to correct service: '{SERVICE}'."),
        ));
    }
    let amz_date = req.header("x-amz-date").ok_or_else(|| {
        AwsError::new(
            403,
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    })?;
    let time = parse_amz_date(amz_date).filter(|_| amz_date.starts_with(date)).ok_or_else(|| {
        AwsError::new(
            403,
            "InvalidSignatureException",
            format!("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{date}' != '{amz_date}'"),
        )
    })?;
    if req.header("x-amz-security-token") != credentials.session_token {
        return Err(AwsError::new(
            403,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ));
    }
    if !signed_headers.split(';').any(|h| h == "host") {
        return Err(AwsError::new(
            403,
            "InvalidSignatureException",
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }

    let canonical = canonical_request(req, signed_headers);
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let string_to_sign =
        format!("{ALGORITHM}\n{amz_date}\n{scope}\n{}", hex::encode(Sha256::digest(canonical.as_bytes())));
    let key = aws_sigv4::sign::v4::generate_signing_key(credentials.secret_key, time, region, service);
    let expected = aws_sigv4::sign::v4::calculate_signature(key, string_to_sign.as_bytes());
    if expected == signature {
        Ok(())
    } else {
        // AWS returns the canonical forms it expected; so does the mock, for debugging clients.
        Err(AwsError::new(
            403,
            "InvalidSignatureException",
            format!(
                "{MISMATCH}\n\nThe Canonical String for this request should have been\n'{canonical}'\n\nThe String-to-Sign should have been\n'{string_to_sign}'\n"
            ),
        ))
    }
}

/// `METHOD\nURI\nQUERY\nHEADERS\n\nSIGNED\nPAYLOAD_HASH`, the canonical request of every non-S3 service.
pub(crate) fn canonical_request(req: &Recorded, signed_headers: &str) -> String {
    let (path, query) = req.path.split_once('?').unwrap_or((&req.path, ""));
    let mut headers = String::new();
    for name in signed_headers.split(';') {
        let values: Vec<String> = req
            .header_values(name)
            .iter()
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        headers.push_str(name);
        headers.push(':');
        headers.push_str(&values.join(","));
        headers.push('\n');
    }
    let payload_hash = req
        .header("x-amz-content-sha256")
        .map_or_else(|| hex::encode(Sha256::digest(&req.body)), str::to_owned);
    format!(
        "{}\n{}\n{}\n{headers}\n{signed_headers}\n{payload_hash}",
        req.method,
        canonical_uri(path),
        canonical_query(query)
    )
}

/// The path with dot segments removed, then URI-encoded *again* (non-S3 services encode the already-encoded
/// wire path: `%3A` becomes `%253A`).
pub(crate) fn canonical_uri(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/').skip(1) {
        match segment {
            "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let normalized = format!("/{}", segments.join("/"));
    uri_encode(&normalized, false)
}

/// Query pairs decoded, re-encoded strictly, sorted by name then value.
fn canonical_query(query: &str) -> String {
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (uri_encode(&decode(k), true), uri_encode(&decode(v), true))
        })
        .collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// AWS URI encoding: everything but `A-Za-z0-9-._~` (and `/` unless `encode_slash`) becomes `%XX`.
fn uri_encode(s: &str, encode_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') || (b == b'/' && !encode_slash)
        {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `YYYYMMDDTHHMMSSZ` to a time.
fn parse_amz_date(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| s.get(range)?.parse::<u64>().ok();
    let (year, month, day) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hour, minute, second) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day)?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(days * 86_400 + hour * 3600 + minute * 60 + second))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm), for years >= 1970.
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    let y = if month <= 2 { year.checked_sub(1)? } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).checked_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_uri_double_encodes() {
        assert_eq!(
            canonical_uri("/model/anthropic.claude-x-v1%3A0/invoke"),
            "/model/anthropic.claude-x-v1%253A0/invoke"
        );
        assert_eq!(
            canonical_uri("/model/anthropic.claude-x-v1:0/invoke"),
            "/model/anthropic.claude-x-v1%3A0/invoke"
        );
        assert_eq!(canonical_uri("/a/./b/../c"), "/a/c");
    }

    #[test]
    fn amz_date() {
        let t = parse_amz_date("20150830T123600Z").unwrap();
        assert_eq!(t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs(), 1_440_938_160);
        assert!(parse_amz_date("2015-08-30").is_none());
    }

    #[test]
    fn canonical_query_sorts_and_encodes() {
        assert_eq!(canonical_query("b=2&a=x%20y&a=1"), "a=1&a=x%20y&b=2");
    }
}
