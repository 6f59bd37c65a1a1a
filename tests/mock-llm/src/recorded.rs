//! A request as the mock received it, with helpers for assertions.

use base64::Engine as _;
use serde_json::Value;

/// One request, recorded before validation (so rejected requests are here too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub method: String,
    /// The path with its query, as sent on the wire (not decoded).
    pub path: String,
    /// Header names lowercased, in arrival order; a repeated header appears once per value.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Every value of a header.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect()
    }

    /// How many times a header was sent.
    pub fn header_count(&self, name: &str) -> usize {
        self.header_values(name).len()
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The path without its query.
    pub fn path_only(&self) -> &str {
        self.path.split('?').next().unwrap_or_default()
    }

    /// Method, path, headers and body as one lossy string, for "no secret appears anywhere" assertions.
    pub fn text(&self) -> String {
        let mut out = format!("{} {}\n", self.method, self.path);
        for (name, value) in &self.headers {
            out.push_str(name);
            out.push_str(": ");
            out.push_str(value);
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&String::from_utf8_lossy(&self.body));
        out
    }

    /// The body decoded as `application/x-www-form-urlencoded` pairs (OAuth token requests).
    pub fn form(&self) -> Vec<(String, String)> {
        parse_form(&self.body)
    }

    /// The claims of the JWT `assertion` of an OAuth token request, if there is one and it decodes.
    pub fn jwt_claims(&self) -> Option<Value> {
        let (_, assertion) = self.form().into_iter().find(|(k, _)| k == "assertion")?;
        let claims = assertion.split('.').nth(1)?;
        serde_json::from_slice(&decode_base64url(claims)?).ok()
    }

    /// The recorded form used by the `--record` file: `{method, path, headers, body}` with credentials
    /// redacted and the body parsed as JSON when it is JSON.
    pub fn to_record_json(&self) -> Value {
        let mut headers = serde_json::Map::new();
        for (name, value) in &self.headers {
            let value = if is_secret_header(name) { "<redacted>".to_owned() } else { value.clone() };
            match headers.get_mut(name) {
                Some(Value::Array(values)) => values.push(Value::String(value)),
                Some(first) => *first = Value::Array(vec![first.take(), Value::String(value)]),
                None => {
                    headers.insert(name.clone(), Value::String(value));
                }
            }
        }
        let body =
            self.json().unwrap_or_else(|| Value::String(String::from_utf8_lossy(&self.body).into_owned()));
        serde_json::json!({"method": self.method, "path": self.path, "headers": headers, "body": body})
    }
}

fn is_secret_header(name: &str) -> bool {
    matches!(name, "x-api-key" | "api-key" | "authorization" | "x-amz-security-token" | "cookie")
}

/// Decodes `a=b&c=d` with `+` as space.
pub(crate) fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    let decode =
        |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// base64url without padding (JWT segments); tolerates padding.
pub(crate) fn decode_base64url(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok()
}
