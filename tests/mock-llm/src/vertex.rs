//! Vertex AI: `:rawPredict` / `:streamRawPredict` with path, bearer-token and body checks (Google-shaped
//! errors for auth and path, Anthropic-shaped for the body), plus the OAuth token endpoint (JWT-bearer and
//! refresh-token grants) and the GCE metadata token route, both handing out the configured token.

use axum::response::Response;
use http::{HeaderValue, StatusCode};
use serde_json::{Value, json};

use crate::recorded::decode_base64url;
use crate::server::{Ctx, Outcome, Shared, anthropic_error, count_tokens, estimate_tokens, json_response};
use crate::validate::{self, BodyRules, Failure};
use crate::{Mode, Recorded};

const METADATA_TOKEN: &str = "/computeMetadata/v1/instance/service-accounts/default/token";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

fn google_error(status: u16, code: &str, message: &str) -> Response {
    json_response(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        &json!({"error": {"code": status, "message": message, "status": code}}),
    )
}

pub(crate) fn route(shared: &Shared, req: &Recorded, request_id: &str) -> Outcome {
    let Mode::Vertex { project, region, token } = &shared.config.mode else {
        unreachable!("vertex::route in another mode");
    };
    let path = req.path_only();
    match (req.method.as_str(), path) {
        ("POST", "/token") => return Outcome::Done(oauth_token(req, token)),
        ("GET", METADATA_TOKEN) => return Outcome::Done(metadata(req, &token_json(token))),
        ("GET", "/computeMetadata/v1/project/project-id") => {
            return Outcome::Done(metadata(req, project));
        }
        ("HEAD" | "GET", "/") => return Outcome::Done(crate::server::empty(StatusCode::OK)),
        ("POST", _) => {}
        _ => return Outcome::Done(google_error(404, "NOT_FOUND", "mock-llm: no such route")),
    }
    let Some((p, r, model, method)) = parse_predict_path(path) else {
        return Outcome::Done(google_error(404, "NOT_FOUND", "mock-llm: no such route"));
    };
    // Clients encode each segment (`claude-x@2025` may arrive as `claude-x%402025`).
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    let (p, r, model) = (decode(p), decode(r), decode(model));
    if req.header("authorization") != Some(format!("Bearer {token}").as_str()) {
        return Outcome::Done(google_error(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        ));
    }
    if &p != project {
        return Outcome::Done(google_error(
            403,
            "PERMISSION_DENIED",
            &format!(
                "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/{p}/locations/{r}/publishers/anthropic/models/{model}' (or it may not exist)."
            ),
        ));
    }
    if &r != region {
        return Outcome::Done(google_error(
            400,
            "INVALID_ARGUMENT",
            &format!("mock-llm: location '{r}' is not the configured '{region}'"),
        ));
    }
    let count = model == "count-tokens";
    let checked = (|| {
        let body = validate::parse_json(&req.body)?;
        if body.get("anthropic_version").and_then(Value::as_str) != Some("vertex-2023-10-16") {
            return Err(Failure::invalid("anthropic_version: Input should be 'vertex-2023-10-16'"));
        }
        if count {
            // Token counting names the model in the body.
            validate::check_count_tokens(&body, true)?;
            return Ok(body);
        }
        if body.get("model").is_some() {
            return Err(Failure::invalid("model: Extra inputs are not permitted"));
        }
        let rules = BodyRules {
            require_model: false,
            version_2026: false,
            reject_prefill: shared.config.reject_prefill,
        };
        validate::check_body(&body, rules)?;
        Ok(body)
    })();
    match checked {
        Err(f) => Outcome::Done(anthropic_error(&f, request_id)),
        Ok(_) if count => Outcome::Done(count_tokens(req)),
        Ok(body) => Outcome::Model {
            ctx: Ctx {
                request_id: request_id.to_owned(),
                stream: method == "streamRawPredict"
                    || body.get("stream").and_then(Value::as_bool) == Some(true),
                model,
                input_tokens: estimate_tokens(&req.body),
            },
            body,
        },
    }
}

/// `/v1/projects/{p}/locations/{r}/publishers/anthropic/models/{m}:{rawPredict|streamRawPredict}`.
fn parse_predict_path(path: &str) -> Option<(&str, &str, &str, &str)> {
    let rest = path.strip_prefix("/v1/projects/")?;
    let (project, rest) = rest.split_once("/locations/")?;
    let (region, rest) = rest.split_once("/publishers/anthropic/models/")?;
    let (model, method) = rest.rsplit_once(':')?;
    let valid = !project.contains('/') && !region.contains('/') && !model.contains('/');
    (valid && matches!(method, "rawPredict" | "streamRawPredict")).then_some((project, region, model, method))
}

fn token_json(token: &str) -> String {
    json!({"access_token": token, "expires_in": 3600, "token_type": "Bearer"}).to_string()
}

/// The metadata server answers only requests carrying `Metadata-Flavor: Google`.
fn metadata(req: &Recorded, body: &str) -> Response {
    if req.header("metadata-flavor") != Some("Google") {
        let mut response = Response::new(body_of("Missing Metadata-Flavor:Google header.\n"));
        *response.status_mut() = StatusCode::FORBIDDEN;
        return response;
    }
    let mut response = Response::new(body_of(body));
    let content_type = if body.starts_with('{') { "application/json" } else { "application/text" };
    response.headers_mut().insert("content-type", HeaderValue::from_static(content_type));
    response.headers_mut().insert("metadata-flavor", HeaderValue::from_static("Google"));
    response
}

fn body_of(text: &str) -> axum::body::Body {
    axum::body::Body::from(text.to_owned())
}

fn oauth_error(error: &str, description: &str) -> Response {
    json_response(StatusCode::BAD_REQUEST, &json!({"error": error, "error_description": description}))
}

/// `POST /token`: a service-account JWT assertion or an authorized-user refresh token.
fn oauth_token(req: &Recorded, token: &str) -> Response {
    let form = req.form();
    let get = |key: &str| form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let ok = || json_response(StatusCode::OK, &serde_json::from_str(&token_json(token)).unwrap_or_default());
    match get("grant_type") {
        Some(JWT_BEARER) => match get("assertion").map(check_jwt) {
            Some(Ok(())) => ok(),
            Some(Err(why)) => oauth_error("invalid_grant", &why),
            None => oauth_error("invalid_request", "Missing required parameter: assertion"),
        },
        Some("refresh_token") => {
            if ["refresh_token", "client_id", "client_secret"]
                .iter()
                .all(|k| get(k).is_some_and(|v| !v.is_empty()))
            {
                ok()
            } else {
                oauth_error("invalid_request", "Missing refresh_token, client_id or client_secret")
            }
        }
        Some(other) => oauth_error("unsupported_grant_type", &format!("Invalid grant_type: {other}")),
        None => oauth_error("unsupported_grant_type", "Invalid grant_type: "),
    }
}

/// Three base64url parts; a JSON header with `alg`; claims with `iss`, `scope`, `aud`, `exp`, `iat`.
/// The RS256 signature itself is not verified.
pub(crate) fn check_jwt(jwt: &str) -> Result<(), String> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err(format!("Invalid JWT: expected 3 parts, got {}", parts.len()));
    };
    let decode_json = |part: &str, what: &str| -> Result<Value, String> {
        let bytes = decode_base64url(part).ok_or_else(|| format!("Invalid JWT: {what} is not base64url"))?;
        serde_json::from_slice(&bytes).map_err(|_| format!("Invalid JWT: {what} is not JSON"))
    };
    let header = decode_json(header, "header")?;
    if !header.get("alg").is_some_and(Value::is_string) {
        return Err("Invalid JWT: header has no alg".to_owned());
    }
    let claims = decode_json(claims, "claims")?;
    for key in ["iss", "scope", "aud", "exp", "iat"] {
        if claims.get(key).is_none() {
            return Err(format!("Invalid JWT: claim '{key}' is missing"));
        }
    }
    if claims["exp"].as_u64() <= claims["iat"].as_u64() {
        return Err("Invalid JWT: exp must be after iat".to_owned());
    }
    if signature.is_empty() || decode_base64url(signature).is_none() {
        return Err("Invalid JWT: signature is not base64url".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predict_path() {
        assert_eq!(
            parse_predict_path(
                "/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-x@2025:streamRawPredict"
            ),
            Some(("p", "us-east5", "claude-x@2025", "streamRawPredict"))
        );
        assert_eq!(
            parse_predict_path("/v1/projects/p/locations/r/publishers/anthropic/models/m:predict"),
            None
        );
    }
}
