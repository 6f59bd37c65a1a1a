//! Which provider, endpoint, credentials and model to use, read from Claude Code's environment
//! variables (SPEC §5) through a lookup function, so tests never touch the process environment.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::aws_files;
use super::google::{self, GoogleAuth};
use super::secret::Secret;
use super::{FailureCode, LlmError};

/// The default review model (SPEC §5).
pub const DEFAULT_MODEL: &str = "claude-opus-4-7";
pub const DEFAULT_ANTHROPIC_VERSION: &str = "2023-06-01";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
pub const DEFAULT_MAX_RETRIES: u32 = 2;

/// Everything a [`super::Client`] needs. Holds secrets, so `Debug` prints [`ProviderConfig::describe`].
#[derive(Clone)]
pub struct ProviderConfig {
    pub provider: Provider,
    /// `SECURITY_REVIEW_MODEL`, else [`DEFAULT_MODEL`].
    pub model: String,
    /// `SG_AGENTIC_MODEL`, else the review model.
    pub agentic_model: String,
    /// Where the model names came from (for `doctor`).
    pub model_source: &'static str,
    pub agentic_model_source: &'static str,
    /// `SG_ANTHROPIC_VERSION`, else `2023-06-01` (sent as a header except on Bedrock and Vertex).
    pub anthropic_version: String,
    /// `anthropic-beta` names (`SG_ANTHROPIC_BETAS`, comma-separated); on Bedrock they go in the body.
    pub betas: Vec<String>,
    /// `ANTHROPIC_CUSTOM_HEADERS`: `Name: value` lines. Values may be credentials, so they are secret.
    pub custom_headers: Vec<(String, Secret)>,
    /// Total time of one HTTP attempt (`SG_LLM_TIMEOUT_SECS`, default 120 s).
    pub timeout: Duration,
    /// Retries after the first attempt (`SG_LLM_MAX_RETRIES`, default 2).
    pub max_retries: u32,
}

/// The provider and how to authenticate to it.
#[derive(Clone)]
pub enum Provider {
    /// The Anthropic API, a gateway, or a local server speaking the Messages API.
    Anthropic {
        base_url: String,
        base_url_source: &'static str,
        auth: ApiAuth,
    },
    Bedrock {
        base_url: String,
        base_url_source: &'static str,
        region: String,
        auth: BedrockAuth,
    },
    Vertex {
        base_url: String,
        base_url_source: &'static str,
        project: String,
        region: String,
        auth: GoogleAuth,
    },
    Foundry {
        base_url: String,
        base_url_source: &'static str,
        key: Secret,
    },
}

/// How the Anthropic API (or a gateway) is authenticated.
#[derive(Clone)]
pub enum ApiAuth {
    /// `x-api-key` from the named variable.
    ApiKey { key: Secret, source: &'static str },
    /// `Authorization: Bearer` from the named variable.
    Bearer { token: Secret, source: &'static str },
    /// No credential: only for a local server (`ANTHROPIC_BASE_URL` on loopback).
    None,
}

/// How Bedrock requests are authenticated.
#[derive(Clone)]
pub enum BedrockAuth {
    /// A Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`) sent as `Authorization: Bearer`.
    Bearer(Secret),
    /// `SigV4` with these credentials; `source` says where they came from.
    SigV4 { credentials: AwsCredentials, source: String },
}

/// AWS access key credentials.
#[derive(Clone)]
pub struct AwsCredentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
}

impl Provider {
    pub fn name(&self) -> &'static str {
        match self {
            Provider::Anthropic { .. } => "Anthropic API",
            Provider::Bedrock { .. } => "Amazon Bedrock",
            Provider::Vertex { .. } => "Google Vertex AI",
            Provider::Foundry { .. } => "Microsoft Foundry",
        }
    }
}

impl fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, value) in self.describe() {
            map.entry(&key, &value);
        }
        map.finish()
    }
}

/// Reads a variable; an empty value counts as unset.
fn var(env: &impl Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    env(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn flag(env: &impl Fn(&str) -> Option<String>, name: &str) -> bool {
    var(env, name).is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
}

fn no_credentials(message: impl Into<String>) -> LlmError {
    LlmError::new(FailureCode::NoCredentials, message)
}

/// The user's home directory from the environment (`HOME`, else `USERPROFILE`).
pub(crate) fn home(env: &impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    var(env, "HOME").or_else(|| var(env, "USERPROFILE")).map(PathBuf::from)
}

impl ProviderConfig {
    /// Reads the configuration from an environment lookup (`|name| std::env::var(name).ok()` in
    /// production). Without usable credentials: a `NoCredentials` error whose message says, in one
    /// line, what to set.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<ProviderConfig, LlmError> {
        let provider = if flag(&env, "CLAUDE_CODE_USE_BEDROCK") {
            bedrock(&env)?
        } else if flag(&env, "CLAUDE_CODE_USE_VERTEX") {
            vertex(&env)?
        } else if flag(&env, "CLAUDE_CODE_USE_FOUNDRY") {
            foundry(&env)?
        } else {
            anthropic(&env)?
        };
        let (model, model_source) = match var(&env, "SECURITY_REVIEW_MODEL") {
            Some(model) => (model, "SECURITY_REVIEW_MODEL"),
            None => (DEFAULT_MODEL.to_string(), "default"),
        };
        let (agentic_model, agentic_model_source) = match var(&env, "SG_AGENTIC_MODEL") {
            Some(model) => (model, "SG_AGENTIC_MODEL"),
            None => (model.clone(), "the review model"),
        };
        let timeout = var(&env, "SG_LLM_TIMEOUT_SECS")
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|secs| *secs > 0.0 && secs.is_finite())
            .map_or(DEFAULT_TIMEOUT, Duration::from_secs_f64);
        let max_retries = var(&env, "SG_LLM_MAX_RETRIES")
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_MAX_RETRIES)
            .min(10);
        Ok(ProviderConfig {
            provider,
            model,
            agentic_model,
            model_source,
            agentic_model_source,
            anthropic_version: var(&env, "SG_ANTHROPIC_VERSION")
                .unwrap_or_else(|| DEFAULT_ANTHROPIC_VERSION.to_string()),
            betas: var(&env, "SG_ANTHROPIC_BETAS")
                .map(|v| v.split(',').map(str::trim).filter(|b| !b.is_empty()).map(String::from).collect())
                .unwrap_or_default(),
            custom_headers: var(&env, "ANTHROPIC_CUSTOM_HEADERS")
                .map(|v| parse_custom_headers(&v))
                .unwrap_or_default(),
            timeout,
            max_retries,
        })
    }

    /// The endpoint messages are posted to (without the model-specific suffix on Bedrock and Vertex).
    pub fn endpoint(&self) -> String {
        match &self.provider {
            Provider::Anthropic { base_url, .. } | Provider::Foundry { base_url, .. } => {
                format!("{base_url}/v1/messages")
            }
            Provider::Bedrock { base_url, .. } => format!("{base_url}/model/{{model}}/invoke"),
            Provider::Vertex { base_url, project, region, .. } => format!(
                "{base_url}/projects/{project}/locations/{region}/publishers/anthropic/models/{{model}}:rawPredict"
            ),
        }
    }

    /// What `doctor` prints: provider, endpoint, models and where the credentials come from. Never a
    /// secret value (custom headers are listed by name only).
    pub fn describe(&self) -> Vec<(String, String)> {
        let mut out = vec![("provider".to_string(), self.provider.name().to_string())];
        let base_source = match &self.provider {
            Provider::Anthropic { base_url_source, .. }
            | Provider::Bedrock { base_url_source, .. }
            | Provider::Vertex { base_url_source, .. }
            | Provider::Foundry { base_url_source, .. } => *base_url_source,
        };
        out.push(("endpoint".into(), format!("{} ({base_source})", self.endpoint())));
        match &self.provider {
            Provider::Bedrock { region, .. } => out.push(("region".into(), region.clone())),
            Provider::Vertex { project, region, .. } => {
                out.push(("project".into(), format!("{project} (ANTHROPIC_VERTEX_PROJECT_ID)")));
                out.push(("region".into(), region.clone()));
            }
            _ => {}
        }
        out.push(("model".into(), format!("{} ({})", self.model, self.model_source)));
        out.push(("agentic model".into(), format!("{} ({})", self.agentic_model, self.agentic_model_source)));
        let auth = match &self.provider {
            Provider::Anthropic { auth: ApiAuth::ApiKey { source, .. }, .. } => {
                format!("x-api-key from {source}")
            }
            Provider::Anthropic { auth: ApiAuth::Bearer { source, .. }, .. } => {
                format!("Authorization: Bearer from {source}")
            }
            Provider::Anthropic { auth: ApiAuth::None, .. } => "none (local server)".into(),
            Provider::Bedrock { auth: BedrockAuth::Bearer(_), .. } => {
                "Authorization: Bearer from AWS_BEARER_TOKEN_BEDROCK".into()
            }
            Provider::Bedrock { auth: BedrockAuth::SigV4 { credentials, source }, .. } => format!(
                "SigV4 (service bedrock) with access key {} from {source}{}",
                mask_key_id(&credentials.access_key_id),
                if credentials.session_token.is_some() { ", with a session token" } else { "" }
            ),
            Provider::Vertex { auth, .. } => format!("Authorization: Bearer, {}", auth.describe()),
            Provider::Foundry { .. } => "x-api-key from ANTHROPIC_FOUNDRY_API_KEY".into(),
        };
        out.push(("auth".into(), auth));
        if !matches!(self.provider, Provider::Bedrock { .. } | Provider::Vertex { .. }) {
            out.push(("anthropic-version".into(), self.anthropic_version.clone()));
        }
        if !self.betas.is_empty() {
            out.push(("anthropic-beta".into(), self.betas.join(",")));
        }
        if !self.custom_headers.is_empty() {
            let names: Vec<&str> = self.custom_headers.iter().map(|(name, _)| name.as_str()).collect();
            out.push(("custom headers".into(), format!("{} (values hidden)", names.join(", "))));
        }
        out.push(("timeout".into(), format!("{} s per attempt", self.timeout.as_secs_f64())));
        out.push(("retries".into(), self.max_retries.to_string()));
        out
    }
}

/// `AKIA…XYZW`: enough to tell keys apart, not enough to use one (the id is not secret, but short is kind).
fn mask_key_id(id: &str) -> String {
    if id.len() > 8 && id.is_ascii() {
        format!("{}…{}", &id[..4], &id[id.len() - 4..])
    } else {
        "(short id)".into()
    }
}

/// `ANTHROPIC_CUSTOM_HEADERS`: one `Name: value` per line; lines without a colon are ignored.
pub fn parse_custom_headers(text: &str) -> Vec<(String, Secret)> {
    text.lines()
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            let name = name.trim();
            (!name.is_empty()).then(|| (name.to_string(), Secret::new(value.trim())))
        })
        .collect()
}

fn trim_base(url: &str) -> String {
    url.trim_end_matches('/').to_string()
}

/// Whether a base URL points at this machine (a local model server needs no key).
fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or_default().trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or_default()
    };
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

fn anthropic(env: &impl Fn(&str) -> Option<String>) -> Result<Provider, LlmError> {
    let (base_url, base_url_source) = match var(env, "ANTHROPIC_BASE_URL") {
        Some(url) => (trim_base(&url), "ANTHROPIC_BASE_URL"),
        None => ("https://api.anthropic.com".to_string(), "default"),
    };
    let auth = if let Some(key) = var(env, "ANTHROPIC_API_KEY") {
        ApiAuth::ApiKey { key: Secret::new(key), source: "ANTHROPIC_API_KEY" }
    } else if let Some(token) = var(env, "ANTHROPIC_AUTH_TOKEN") {
        ApiAuth::Bearer { token: Secret::new(token), source: "ANTHROPIC_AUTH_TOKEN" }
    } else if is_loopback(&base_url) {
        ApiAuth::None
    } else {
        return Err(no_credentials(
            "no LLM credentials: set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN, or CLAUDE_CODE_USE_BEDROCK / \
             CLAUDE_CODE_USE_VERTEX / CLAUDE_CODE_USE_FOUNDRY with that provider's settings)",
        ));
    };
    Ok(Provider::Anthropic { base_url, base_url_source, auth })
}

fn foundry(env: &impl Fn(&str) -> Option<String>) -> Result<Provider, LlmError> {
    let (base_url, base_url_source) = if let Some(url) = var(env, "ANTHROPIC_FOUNDRY_BASE_URL") {
        (trim_base(&url), "ANTHROPIC_FOUNDRY_BASE_URL")
    } else if let Some(resource) = var(env, "ANTHROPIC_FOUNDRY_RESOURCE") {
        (format!("https://{resource}.services.ai.azure.com/anthropic"), "ANTHROPIC_FOUNDRY_RESOURCE")
    } else {
        return Err(no_credentials(
            "Microsoft Foundry is selected (CLAUDE_CODE_USE_FOUNDRY) but neither ANTHROPIC_FOUNDRY_RESOURCE nor \
             ANTHROPIC_FOUNDRY_BASE_URL is set",
        ));
    };
    let Some(key) = var(env, "ANTHROPIC_FOUNDRY_API_KEY") else {
        return Err(no_credentials(
            "Microsoft Foundry is selected but ANTHROPIC_FOUNDRY_API_KEY is not set (Microsoft Entra ID sign-in is \
             not supported)",
        ));
    };
    Ok(Provider::Foundry { base_url, base_url_source, key: Secret::new(key) })
}

fn bedrock(env: &impl Fn(&str) -> Option<String>) -> Result<Provider, LlmError> {
    let profile = var(env, "AWS_PROFILE").unwrap_or_else(|| "default".to_string());
    let home = home(env);
    let config_path = var(env, "AWS_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".aws/config")));
    let credentials_path = var(env, "AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".aws/credentials")));
    let config_profile = config_path.as_deref().and_then(|p| aws_files::read_profile(p, &profile, true));
    let credentials_profile =
        credentials_path.as_deref().and_then(|p| aws_files::read_profile(p, &profile, false));

    let region = var(env, "AWS_REGION")
        .or_else(|| var(env, "AWS_DEFAULT_REGION"))
        .or_else(|| config_profile.as_ref().and_then(|p| p.get("region").cloned()));
    let Some(region) = region else {
        return Err(no_credentials(format!(
            "Amazon Bedrock is selected (CLAUDE_CODE_USE_BEDROCK) but no region is set: set AWS_REGION (or region in \
             profile {profile} of ~/.aws/config)"
        )));
    };
    let (base_url, base_url_source) = match var(env, "ANTHROPIC_BEDROCK_BASE_URL") {
        Some(url) => (trim_base(&url), "ANTHROPIC_BEDROCK_BASE_URL"),
        None => (format!("https://bedrock-runtime.{region}.amazonaws.com"), "default for the region"),
    };

    let auth = if let Some(token) = var(env, "AWS_BEARER_TOKEN_BEDROCK") {
        BedrockAuth::Bearer(Secret::new(token))
    } else if let (Some(id), Some(secret)) =
        (var(env, "AWS_ACCESS_KEY_ID"), var(env, "AWS_SECRET_ACCESS_KEY"))
    {
        BedrockAuth::SigV4 {
            credentials: AwsCredentials {
                access_key_id: id,
                secret_access_key: Secret::new(secret),
                session_token: var(env, "AWS_SESSION_TOKEN").map(Secret::new),
            },
            source: "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY".into(),
        }
    } else {
        // The credentials file wins over keys in the config file, as in the AWS CLI.
        let from_files = [(&credentials_profile, &credentials_path), (&config_profile, &config_path)]
            .into_iter()
            .find_map(|(section, path)| {
                let section = section.as_ref()?;
                let id = section.get("aws_access_key_id")?;
                let secret = section.get("aws_secret_access_key")?;
                Some(BedrockAuth::SigV4 {
                    credentials: AwsCredentials {
                        access_key_id: id.clone(),
                        secret_access_key: Secret::new(secret.clone()),
                        session_token: section.get("aws_session_token").map(|t| Secret::new(t.clone())),
                    },
                    source: format!(
                        "profile {profile} in {}",
                        path.as_ref().map_or_else(|| "?".into(), |p| p.display().to_string())
                    ),
                })
            });
        if let Some(auth) = from_files {
            auth
        } else {
            let unsupported = config_profile.as_ref().and_then(|p| {
                ["sso_session", "sso_start_url", "credential_process", "role_arn", "web_identity_token_file"]
                    .into_iter()
                    .find(|key| p.contains_key(*key))
            });
            return Err(no_credentials(match unsupported {
                Some(key) => format!(
                    "AWS profile {profile} uses {key}, which sg-lsp cannot resolve: export the keys first (eval \
                     \"$(aws configure export-credentials --profile {profile} --format env)\") or set \
                     AWS_BEARER_TOKEN_BEDROCK"
                ),
                None => format!(
                    "Amazon Bedrock is selected but no AWS credentials were found: set AWS_ACCESS_KEY_ID and \
                     AWS_SECRET_ACCESS_KEY, AWS_BEARER_TOKEN_BEDROCK, or keys for profile {profile} in \
                     ~/.aws/credentials"
                ),
            }));
        }
    };
    Ok(Provider::Bedrock { base_url, base_url_source, region, auth })
}

fn vertex(env: &impl Fn(&str) -> Option<String>) -> Result<Provider, LlmError> {
    let Some(project) = var(env, "ANTHROPIC_VERTEX_PROJECT_ID") else {
        return Err(no_credentials(
            "Google Vertex AI is selected (CLAUDE_CODE_USE_VERTEX) but ANTHROPIC_VERTEX_PROJECT_ID is not set",
        ));
    };
    let region = var(env, "CLOUD_ML_REGION").unwrap_or_else(|| "global".to_string());
    let (base_url, base_url_source) = match var(env, "ANTHROPIC_VERTEX_BASE_URL") {
        Some(url) => (trim_base(&url), "ANTHROPIC_VERTEX_BASE_URL"),
        None => (vertex_base_url(&region), "default for the region"),
    };
    let auth = google::auth_from_env(env)?;
    Ok(Provider::Vertex { base_url, base_url_source, project, region, auth })
}

/// The Vertex endpoint of a region: `global`, `us` and `eu` have their own hosts (as in Anthropic's SDK).
pub fn vertex_base_url(region: &str) -> String {
    match region {
        "global" => "https://aiplatform.googleapis.com/v1".to_string(),
        "us" | "eu" => format!("https://aiplatform.{region}.rep.googleapis.com/v1"),
        _ => format!("https://{region}-aiplatform.googleapis.com/v1"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect();
        move |name| map.get(name).cloned()
    }

    fn describe(config: &ProviderConfig) -> HashMap<String, String> {
        config.describe().into_iter().collect()
    }

    #[test]
    fn anthropic_with_an_api_key_is_the_default() {
        let config =
            ProviderConfig::from_env(env(&[("ANTHROPIC_API_KEY", "sk-ant-test-1234567890")])).unwrap();
        let d = describe(&config);
        assert_eq!(d["provider"], "Anthropic API");
        assert_eq!(d["endpoint"], "https://api.anthropic.com/v1/messages (default)");
        assert_eq!(d["auth"], "x-api-key from ANTHROPIC_API_KEY");
        assert_eq!(d["model"], "claude-opus-4-7 (default)");
        assert_eq!(d["agentic model"], "claude-opus-4-7 (the review model)");
        assert_eq!(d["anthropic-version"], "2023-06-01");
        assert_eq!(config.timeout, DEFAULT_TIMEOUT);
        assert_eq!(config.max_retries, 2);
        let debug = format!("{config:?}");
        assert!(!debug.contains("sk-ant-test-1234567890") && debug.contains("x-api-key"), "{debug}");
    }

    #[test]
    fn empty_values_are_unset_and_the_auth_token_is_the_fallback() {
        let config = ProviderConfig::from_env(env(&[
            ("ANTHROPIC_API_KEY", ""),
            ("ANTHROPIC_AUTH_TOKEN", "tok"),
            ("ANTHROPIC_BASE_URL", "https://gateway.example/"),
            ("SECURITY_REVIEW_MODEL", "claude-sonnet-4-5"),
            ("SG_AGENTIC_MODEL", "claude-haiku-4-5"),
            ("SG_ANTHROPIC_VERSION", "2026-10-21"),
            ("SG_LLM_TIMEOUT_SECS", "7"),
            ("ANTHROPIC_CUSTOM_HEADERS", "X-Team: sec\nbroken line\nX-Gateway-Key: hush"),
        ]))
        .unwrap();
        let d = describe(&config);
        assert_eq!(d["auth"], "Authorization: Bearer from ANTHROPIC_AUTH_TOKEN");
        assert_eq!(d["endpoint"], "https://gateway.example/v1/messages (ANTHROPIC_BASE_URL)");
        assert_eq!(config.model, "claude-sonnet-4-5");
        assert_eq!(config.agentic_model, "claude-haiku-4-5");
        assert_eq!(config.anthropic_version, "2026-10-21");
        assert_eq!(config.timeout, Duration::from_secs(7));
        assert_eq!(d["custom headers"], "X-Team, X-Gateway-Key (values hidden)");
        assert_eq!(config.custom_headers[1].1.expose(), "hush");
        assert!(!format!("{config:?}").contains("hush"));
    }

    #[test]
    fn no_credentials_explains_what_to_set_but_a_local_server_needs_none() {
        let err = ProviderConfig::from_env(env(&[])).unwrap_err();
        assert_eq!(err.code, FailureCode::NoCredentials);
        assert!(err.message.contains("ANTHROPIC_API_KEY") && !err.message.contains('\n'));
        let local =
            ProviderConfig::from_env(env(&[("ANTHROPIC_BASE_URL", "http://127.0.0.1:11434")])).unwrap();
        assert_eq!(describe(&local)["auth"], "none (local server)");
        assert!(
            ProviderConfig::from_env(env(&[("ANTHROPIC_BASE_URL", "http://localhost.evil.example")]))
                .is_err()
        );
    }

    #[test]
    fn foundry_from_the_resource_name() {
        let config = ProviderConfig::from_env(env(&[
            ("CLAUDE_CODE_USE_FOUNDRY", "1"),
            ("ANTHROPIC_FOUNDRY_RESOURCE", "acme"),
            ("ANTHROPIC_FOUNDRY_API_KEY", "fk"),
        ]))
        .unwrap();
        assert_eq!(config.endpoint(), "https://acme.services.ai.azure.com/anthropic/v1/messages");
        let err = ProviderConfig::from_env(env(&[
            ("CLAUDE_CODE_USE_FOUNDRY", "1"),
            ("ANTHROPIC_FOUNDRY_RESOURCE", "acme"),
        ]))
        .unwrap_err();
        assert!(err.message.contains("ANTHROPIC_FOUNDRY_API_KEY"));
    }

    #[test]
    fn bedrock_from_environment_keys_or_bearer() {
        let config = ProviderConfig::from_env(env(&[
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEYID1234"),
            ("AWS_SECRET_ACCESS_KEY", "very-secret"),
            ("AWS_SESSION_TOKEN", "session"),
        ]))
        .unwrap();
        let d = describe(&config);
        assert_eq!(d["provider"], "Amazon Bedrock");
        assert_eq!(
            d["endpoint"],
            "https://bedrock-runtime.eu-west-1.amazonaws.com/model/{model}/invoke (default for the region)"
        );
        assert!(
            d["auth"].contains("AKIA…1234 from AWS_ACCESS_KEY_ID") && d["auth"].contains("session token")
        );
        assert!(!format!("{config:?}").contains("very-secret"));
        let bearer = ProviderConfig::from_env(env(&[
            ("CLAUDE_CODE_USE_BEDROCK", "true"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
            ("AWS_BEARER_TOKEN_BEDROCK", "abk"),
            ("ANTHROPIC_BEDROCK_BASE_URL", "http://127.0.0.1:9/"),
        ]))
        .unwrap();
        assert_eq!(describe(&bearer)["auth"], "Authorization: Bearer from AWS_BEARER_TOKEN_BEDROCK");
        assert_eq!(bearer.endpoint(), "http://127.0.0.1:9/model/{model}/invoke");
        let err = ProviderConfig::from_env(env(&[
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
            ("AWS_BEARER_TOKEN_BEDROCK", "x"),
        ]))
        .unwrap_err();
        assert!(err.message.contains("AWS_REGION"), "{}", err.message);
    }

    #[test]
    fn bedrock_from_shared_files_and_profiles() {
        let dir = std::env::temp_dir().join(format!("sg-llm-aws-{}", std::process::id()));
        std::fs::create_dir_all(dir.join(".aws")).unwrap();
        std::fs::write(
            dir.join(".aws/credentials"),
            "[default]\naws_access_key_id = AKIADEFAULT000000000\naws_secret_access_key = s1\n\n[work]\n\
             aws_access_key_id=AKIAWORK000000000000\naws_secret_access_key=s2\naws_session_token = t2\n",
        )
        .unwrap();
        std::fs::write(
            dir.join(".aws/config"),
            "[default]\nregion = us-west-2\n[profile work]\nregion = ap-south-1\n[profile sso]\nsso_session = x\nregion = us-east-1\n",
        )
        .unwrap();
        let home = dir.to_string_lossy().to_string();
        let config =
            ProviderConfig::from_env(env(&[("CLAUDE_CODE_USE_BEDROCK", "1"), ("HOME", &home)])).unwrap();
        let Provider::Bedrock { region, auth: BedrockAuth::SigV4 { credentials, source }, .. } =
            &config.provider
        else {
            panic!("sigv4 expected")
        };
        assert_eq!(region, "us-west-2");
        assert_eq!(credentials.access_key_id, "AKIADEFAULT000000000");
        assert!(source.starts_with("profile default in "), "{source}");
        let work = ProviderConfig::from_env(env(&[
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
            ("HOME", &home),
            ("AWS_PROFILE", "work"),
        ]))
        .unwrap();
        let Provider::Bedrock { region, auth: BedrockAuth::SigV4 { credentials, .. }, .. } = &work.provider
        else {
            panic!("sigv4 expected")
        };
        assert_eq!((region.as_str(), credentials.secret_access_key.expose()), ("ap-south-1", "s2"));
        assert_eq!(credentials.session_token.as_ref().map(Secret::expose), Some("t2"));
        let err = ProviderConfig::from_env(env(&[
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
            ("HOME", &home),
            ("AWS_PROFILE", "sso"),
        ]))
        .unwrap_err();
        assert!(
            err.message.contains("sso_session") && err.message.contains("export-credentials"),
            "{}",
            err.message
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn vertex_hosts_per_region() {
        assert_eq!(vertex_base_url("global"), "https://aiplatform.googleapis.com/v1");
        assert_eq!(vertex_base_url("eu"), "https://aiplatform.eu.rep.googleapis.com/v1");
        assert_eq!(vertex_base_url("us-east5"), "https://us-east5-aiplatform.googleapis.com/v1");
        let err = ProviderConfig::from_env(env(&[("CLAUDE_CODE_USE_VERTEX", "1")])).unwrap_err();
        assert!(err.message.contains("ANTHROPIC_VERTEX_PROJECT_ID"));
    }
}
