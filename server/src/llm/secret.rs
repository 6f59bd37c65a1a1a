//! `Secret`: a credential that cannot be printed by accident (no `Debug`, no `Display`).

use reqwest::header::HeaderValue;

/// A key, token or secret access key. Read it only with [`Secret::expose`], at the point of use.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself: only for building a header, a signature or a token request.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A header value marked sensitive (hidden from HTTP debug logs, not indexed by HTTP/2 HPACK).
    pub(crate) fn header(&self, prefix: &str) -> Option<HeaderValue> {
        let mut value = HeaderValue::from_str(&format!("{prefix}{}", self.0)).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}
