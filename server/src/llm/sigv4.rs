//! AWS Signature Version 4 for Bedrock requests, through the `aws-sigv4` crate. The URL passed in is
//! already percent-encoded once (`/model/anthropic.claude-x-v1%3A0/invoke`); the crate's default
//! `PercentEncodingMode::Double` encodes it again in the canonical request (`%253A`), which is what
//! every AWS service except S3 expects. Checked against AWS's test vectors in `tests/llm.rs`.

use std::fmt::Write as _;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings, sign,
};
use aws_sigv4::sign::v4;

use super::config::AwsCredentials;
use super::{FailureCode, LlmError};

/// What to sign. `url` is absolute and already encoded once; `headers` are the ones to sign besides
/// `host` (taken from the URL) and `x-amz-date` (added).
pub struct SigningInput<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
    /// Also sign and send `x-amz-content-sha256` (S3 style; off for Bedrock).
    pub content_sha256_header: bool,
}

/// One header to add to the request; `sensitive` for `authorization` and the session token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeader {
    pub name: String,
    pub value: String,
    pub sensitive: bool,
}

/// Signs a request and returns the headers to add (`x-amz-date`, `authorization`, and
/// `x-amz-security-token` with session credentials).
pub fn sign_request(
    input: &SigningInput<'_>,
    credentials: &AwsCredentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<Vec<SignedHeader>, LlmError> {
    let fail =
        |what: &str| LlmError::new(FailureCode::Auth, format!("could not sign the Bedrock request: {what}"));
    let identity = Credentials::new(
        credentials.access_key_id.clone(),
        credentials.secret_access_key.expose().to_string(),
        credentials.session_token.as_ref().map(|t| t.expose().to_string()),
        None,
        "sg-lsp",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Double;
    if input.content_sha256_header {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|_| fail("incomplete signing parameters"))?
        .into();
    let request = SignableRequest::new(
        input.method,
        input.url,
        input.headers.iter().copied(),
        SignableBody::Bytes(input.body),
    )
    .map_err(|_| fail("the URL cannot be signed"))?;
    let (instructions, _signature) = sign(request, &params).map_err(|_| fail("signing failed"))?.into_parts();
    let (headers, _params) = instructions.into_parts();
    Ok(headers
        .into_iter()
        .map(|h| SignedHeader {
            name: h.name().to_string(),
            sensitive: h.sensitive() || h.name() == "authorization" || h.name() == "x-amz-security-token",
            value: h.value().to_string(),
        })
        .collect())
}

/// Percent-encodes one path segment: everything but RFC 3986 unreserved characters (so `:` → `%3A`,
/// `/` in an ARN → `%2F`).
pub fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_ids_are_one_encoded_segment() {
        assert_eq!(
            encode_path_segment("anthropic.claude-sonnet-4-5-20250929-v1:0"),
            "anthropic.claude-sonnet-4-5-20250929-v1%3A0"
        );
        assert_eq!(
            encode_path_segment("arn:aws:bedrock:us-east-1:123:inference-profile/us.x"),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Ainference-profile%2Fus.x"
        );
    }
}
