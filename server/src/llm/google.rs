//! Google access tokens for Vertex AI from application default credentials: a service-account key
//! (an RS256 JWT exchanged at its `token_uri`), gcloud user credentials (a refresh-token grant), or the
//! GCE metadata server. Tokens are cached until a minute before they expire.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::config::home;
use super::secret::Secret;
use super::{FailureCode, LlmError};

pub const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";

/// Where Vertex tokens come from.
#[derive(Clone)]
pub enum GoogleAuth {
    ServiceAccount {
        client_email: String,
        private_key: Secret,
        token_uri: String,
        path: PathBuf,
    },
    AuthorizedUser {
        client_id: String,
        client_secret: Secret,
        refresh_token: Secret,
        token_uri: String,
        path: PathBuf,
    },
    /// The metadata server at `host` (`GCE_METADATA_HOST`, default `metadata.google.internal`).
    Metadata {
        host: String,
    },
}

impl std::fmt::Debug for GoogleAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl GoogleAuth {
    pub fn describe(&self) -> String {
        match self {
            GoogleAuth::ServiceAccount { client_email, path, .. } => {
                format!("service account {client_email} from {}", path.display())
            }
            GoogleAuth::AuthorizedUser { path, .. } => {
                format!("gcloud user credentials from {}", path.display())
            }
            GoogleAuth::Metadata { host } => {
                format!("the metadata server at {host} (no application default credentials file found)")
            }
        }
    }
}

#[derive(Deserialize)]
struct CredentialsFile {
    #[serde(rename = "type")]
    kind: String,
    client_email: Option<String>,
    private_key: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    refresh_token: Option<String>,
    token_uri: Option<String>,
}

fn no_credentials(message: impl Into<String>) -> LlmError {
    LlmError::new(FailureCode::NoCredentials, message)
}

/// Finds application default credentials: `GOOGLE_APPLICATION_CREDENTIALS`, else gcloud's
/// `application_default_credentials.json`, else the metadata server.
pub fn auth_from_env(env: &impl Fn(&str) -> Option<String>) -> Result<GoogleAuth, LlmError> {
    let get = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let explicit = get("GOOGLE_APPLICATION_CREDENTIALS").map(PathBuf::from);
    let well_known = get("CLOUDSDK_CONFIG")
        .map(PathBuf::from)
        .or_else(|| get("APPDATA").map(|d| PathBuf::from(d).join("gcloud")))
        .or_else(|| home(env).map(|h| h.join(".config/gcloud")))
        .map(|d| d.join("application_default_credentials.json"));
    let path = match explicit {
        Some(path) if !path.is_file() => {
            return Err(no_credentials(format!(
                "GOOGLE_APPLICATION_CREDENTIALS points at {}, which does not exist",
                path.display()
            )));
        }
        Some(path) => Some(path),
        None => well_known.filter(|p| p.is_file()),
    };
    let Some(path) = path else {
        let host = get("GCE_METADATA_HOST").unwrap_or_else(|| "metadata.google.internal".to_string());
        return Ok(GoogleAuth::Metadata { host });
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| no_credentials(format!("cannot read Google credentials {}: {e}", path.display())))?;
    parse_credentials(&text, path)
}

/// Parses a credentials JSON file (`service_account` or `authorized_user`).
pub fn parse_credentials(text: &str, path: PathBuf) -> Result<GoogleAuth, LlmError> {
    let bad = |what: &str| no_credentials(format!("Google credentials {} {what}", path.display()));
    let file: CredentialsFile = serde_json::from_str(text).map_err(|_| bad("are not valid JSON"))?;
    match file.kind.as_str() {
        "service_account" => Ok(GoogleAuth::ServiceAccount {
            client_email: file.client_email.ok_or_else(|| bad("lack client_email"))?,
            private_key: Secret::new(file.private_key.ok_or_else(|| bad("lack private_key"))?),
            token_uri: file.token_uri.unwrap_or_else(|| DEFAULT_TOKEN_URI.to_string()),
            path,
        }),
        "authorized_user" => Ok(GoogleAuth::AuthorizedUser {
            client_id: file.client_id.ok_or_else(|| bad("lack client_id"))?,
            client_secret: Secret::new(file.client_secret.ok_or_else(|| bad("lack client_secret"))?),
            refresh_token: Secret::new(file.refresh_token.ok_or_else(|| bad("lack refresh_token"))?),
            token_uri: file.token_uri.unwrap_or_else(|| DEFAULT_TOKEN_URI.to_string()),
            path,
        }),
        other => Err(bad(&format!(
            "are of type {other}, which sg-lsp does not support (use a service-account key or `gcloud auth \
             application-default login`)"
        ))),
    }
}

/// The PKCS#8 DER inside a `-----BEGIN PRIVATE KEY-----` PEM block.
pub fn pem_to_pkcs8(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("-----BEGIN PRIVATE KEY"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    STANDARD.decode(body).ok()
}

/// The signed JWT a service account exchanges for an access token (RS256, one hour).
pub fn service_account_jwt(
    client_email: &str,
    private_key_pem: &str,
    audience: &str,
    now: u64,
) -> Result<String, LlmError> {
    let bad_key = || no_credentials("the service-account private_key is not a PKCS#8 RSA key");
    let der = pem_to_pkcs8(private_key_pem).ok_or_else(bad_key)?;
    let key = ring::signature::RsaKeyPair::from_pkcs8(&der).map_err(|_| bad_key())?;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = serde_json::json!({
        "iss": client_email, "scope": SCOPE, "aud": audience, "iat": now, "exp": now + 3600,
    });
    let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{claims}");
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut signature,
    )
    .map_err(|_| bad_key())?;
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// The cached access token of one client.
#[derive(Default)]
pub struct TokenCache {
    slot: Mutex<Option<(Secret, Instant)>>,
}

impl TokenCache {
    /// A valid token, fetched when the cache is empty or about to expire.
    pub async fn token(
        &self,
        http: &reqwest::Client,
        auth: &GoogleAuth,
        timeout: Duration,
    ) -> Result<Secret, LlmError> {
        let mut slot = self.slot.lock().await;
        if let Some((token, _)) = slot.as_ref().filter(|(_, until)| Instant::now() < *until) {
            return Ok(token.clone());
        }
        let (token, lifetime) = fetch(http, auth, timeout).await?;
        // Refresh a minute early (at least half the lifetime for very short tokens).
        let margin = Duration::from_secs(60).min(lifetime / 2);
        *slot = Some((token.clone(), Instant::now() + lifetime.saturating_sub(margin)));
        Ok(token)
    }

    /// Forgets the token (after a 401, so the next call fetches a fresh one).
    pub async fn invalidate(&self) {
        *self.slot.lock().await = None;
    }
}

fn token_error(auth: &GoogleAuth, what: &str) -> LlmError {
    let hint = match auth {
        GoogleAuth::Metadata { .. } => {
            "run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS"
        }
        GoogleAuth::AuthorizedUser { .. } => "run `gcloud auth application-default login` again",
        GoogleAuth::ServiceAccount { .. } => {
            "check the service-account key in GOOGLE_APPLICATION_CREDENTIALS"
        }
    };
    LlmError::new(FailureCode::Auth, format!("could not get a Google access token ({what}): {hint}"))
}

async fn fetch(
    http: &reqwest::Client,
    auth: &GoogleAuth,
    timeout: Duration,
) -> Result<(Secret, Duration), LlmError> {
    let request = match auth {
        GoogleAuth::ServiceAccount { client_email, private_key, token_uri, .. } => {
            let now = crate::clock::now();
            let jwt = service_account_jwt(client_email, private_key.expose(), token_uri, now)?;
            http.post(token_uri)
                .form(&[("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", &jwt)])
        }
        GoogleAuth::AuthorizedUser { client_id, client_secret, refresh_token, token_uri, .. } => {
            http.post(token_uri).form(&[
                ("grant_type", "refresh_token"),
                ("client_id", client_id),
                ("client_secret", client_secret.expose()),
                ("refresh_token", refresh_token.expose()),
            ])
        }
        GoogleAuth::Metadata { host } => {
            let base = if host.contains("://") { host.clone() } else { format!("http://{host}") };
            http.get(format!("{base}/computeMetadata/v1/instance/service-accounts/default/token"))
                .header("Metadata-Flavor", "Google")
        }
    };
    let response = request.timeout(timeout).send().await.map_err(|e| {
        token_error(
            auth,
            if e.is_timeout() { "timed out" } else { "the token endpoint could not be reached" },
        )
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(token_error(auth, &format!("HTTP {}", status.as_u16())));
    }
    let body = response.bytes().await.map_err(|_| token_error(auth, "the answer was cut off"))?;
    let answer: TokenAnswer =
        serde_json::from_slice(&body).map_err(|_| token_error(auth, "the answer had no access_token"))?;
    let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(3600).max(1));
    Ok((Secret::new(answer.access_token), lifetime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_files_of_both_kinds() {
        let user =
            r#"{"type":"authorized_user","client_id":"id","client_secret":"cs","refresh_token":"1//rt"}"#;
        let GoogleAuth::AuthorizedUser { token_uri, refresh_token, .. } =
            parse_credentials(user, "adc.json".into()).unwrap()
        else {
            panic!("authorized_user expected")
        };
        assert_eq!((token_uri.as_str(), refresh_token.expose()), (DEFAULT_TOKEN_URI, "1//rt"));
        let err = parse_credentials(r#"{"type":"external_account"}"#, "x.json".into()).unwrap_err();
        assert!(err.message.contains("external_account"));
        assert!(parse_credentials(r#"{"type":"service_account"}"#, "x.json".into()).is_err());
    }

    #[test]
    fn a_bad_private_key_is_a_credentials_error() {
        let err = service_account_jwt(
            "a@b",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            "aud",
            0,
        )
        .unwrap_err();
        assert_eq!(err.code, FailureCode::NoCredentials);
    }
}
