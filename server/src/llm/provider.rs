//! Each provider's request shape: URL, headers and body transform (Bedrock and Vertex move the model
//! into the path and carry `anthropic_version` in the body). Per-attempt auth (`SigV4`, Google tokens)
//! is added by the client.

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use super::config::{ApiAuth, BedrockAuth, Provider, ProviderConfig};
use super::sigv4::encode_path_segment;
use super::{FailureCode, LlmError, MessagesRequest};

pub const BEDROCK_VERSION: &str = "bedrock-2023-05-31";
pub const VERTEX_VERSION: &str = "vertex-2023-10-16";

/// A request ready to send, except for per-attempt auth.
pub struct Prepared {
    pub url: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// Whether the body asks for an SSE stream.
    pub stream: bool,
}

fn config_error(message: impl Into<String>) -> LlmError {
    LlmError::new(FailureCode::NoCredentials, message)
}

/// Builds the URL, static headers and body of `request` for `model`.
#[allow(clippy::too_many_lines)] // one arm per provider, easier to compare side by side
pub fn prepare(
    config: &ProviderConfig,
    request: &MessagesRequest,
    model: &str,
    stream: bool,
) -> Result<Prepared, LlmError> {
    let mut body = serde_json::to_value(request)
        .map_err(|_| LlmError::new(FailureCode::BadResponse, "the request could not be serialised"))?;
    let object = body
        .as_object_mut()
        .ok_or_else(|| LlmError::new(FailureCode::BadResponse, "the request is not an object"))?;
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(
        "accept",
        HeaderValue::from_static(if stream { "text/event-stream" } else { "application/json" }),
    );
    let version_header = |headers: &mut HeaderMap| -> Result<(), LlmError> {
        let value = HeaderValue::from_str(&config.anthropic_version)
            .map_err(|_| config_error("SG_ANTHROPIC_VERSION is not a valid header value"))?;
        headers.insert("anthropic-version", value);
        Ok(())
    };
    let beta_header = |headers: &mut HeaderMap| {
        let value = HeaderValue::from_str(&config.betas.join(",")).ok().filter(|_| !config.betas.is_empty());
        if let Some(value) = value {
            headers.insert("anthropic-beta", value);
        }
    };
    let (url, stream) = match &config.provider {
        Provider::Anthropic { base_url, auth, .. } => {
            object.insert("model".into(), Value::String(model.to_string()));
            set_stream(object, stream);
            version_header(&mut headers)?;
            beta_header(&mut headers);
            match auth {
                ApiAuth::ApiKey { key, .. } => {
                    headers.insert(
                        "x-api-key",
                        key.header("").ok_or_else(|| {
                            config_error("ANTHROPIC_API_KEY holds characters a header cannot carry")
                        })?,
                    );
                }
                ApiAuth::Bearer { token, .. } => {
                    headers.insert(
                        "authorization",
                        token.header("Bearer ").ok_or_else(|| {
                            config_error("ANTHROPIC_AUTH_TOKEN holds characters a header cannot carry")
                        })?,
                    );
                }
                ApiAuth::None => {}
            }
            (format!("{base_url}/v1/messages"), stream)
        }
        Provider::Foundry { base_url, key, .. } => {
            object.insert("model".into(), Value::String(model.to_string()));
            set_stream(object, stream);
            version_header(&mut headers)?;
            beta_header(&mut headers);
            headers.insert(
                "x-api-key",
                key.header("").ok_or_else(|| {
                    config_error("ANTHROPIC_FOUNDRY_API_KEY holds characters a header cannot carry")
                })?,
            );
            (format!("{base_url}/v1/messages"), stream)
        }
        Provider::Bedrock { base_url, auth, .. } => {
            // InvokeModel streams in AWS event-stream framing, not SSE: always ask for one JSON answer.
            object.remove("model");
            object.remove("stream");
            object.insert("anthropic_version".into(), Value::String(BEDROCK_VERSION.into()));
            if !config.betas.is_empty() {
                object.insert(
                    "anthropic_beta".into(),
                    config.betas.iter().cloned().map(Value::String).collect(),
                );
            }
            if let BedrockAuth::Bearer(token) = auth {
                headers.insert(
                    "authorization",
                    token.header("Bearer ").ok_or_else(|| {
                        config_error("AWS_BEARER_TOKEN_BEDROCK holds characters a header cannot carry")
                    })?,
                );
            }
            (format!("{base_url}/model/{}/invoke", encode_path_segment(model)), false)
        }
        Provider::Vertex { base_url, project, region, .. } => {
            object.remove("model");
            set_stream(object, stream);
            object.insert("anthropic_version".into(), Value::String(VERTEX_VERSION.into()));
            beta_header(&mut headers);
            let verb = if stream { "streamRawPredict" } else { "rawPredict" };
            (
                format!(
                    "{base_url}/projects/{}/locations/{}/publishers/anthropic/models/{}:{verb}",
                    encode_path_segment(project),
                    encode_path_segment(region),
                    // Google's own URLs keep the version separator: `claude-sonnet-4-5@20250929`.
                    encode_path_segment(model).replace("%40", "@")
                ),
                stream,
            )
        }
    };
    if !stream {
        headers.insert("accept", HeaderValue::from_static("application/json"));
    }
    for (name, value) in &config.custom_headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| config_error(format!("ANTHROPIC_CUSTOM_HEADERS: {name:?} is not a header name")))?;
        let value = value.header("").ok_or_else(|| {
            config_error(format!("ANTHROPIC_CUSTOM_HEADERS: the value of {name} is not a valid header value"))
        })?;
        headers.insert(name, value);
    }
    let body = serde_json::to_vec(&body)
        .map_err(|_| LlmError::new(FailureCode::BadResponse, "the request could not be serialised"))?;
    Ok(Prepared { url, headers, body, stream })
}

fn set_stream(object: &mut serde_json::Map<String, Value>, stream: bool) {
    if stream {
        object.insert("stream".into(), Value::Bool(true));
    } else {
        object.remove("stream");
    }
}
