//! A finding: what a rule reports at one span of one text.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Suppression bookkeeping (unused or reasonless `sg-ignore`); shown as "info" outside the LSP.
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// The name used in JSON and SARIF output, where only error, warning and info exist.
    pub fn public_name(self) -> &'static str {
        match self {
            Severity::Hint => "info",
            other => other.as_str(),
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// Which layer produced a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    Pattern,
    Review,
    CommitReview,
}

/// One text replacement; the range is in bytes of the scanned text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// A quick fix a user may apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub cwe: Vec<String>,
    pub message: String,
    /// Byte range in the scanned text.
    pub span: Range<usize>,
    /// Stable across edits elsewhere in the file: rule, normalised matched code, enclosing scope.
    pub fingerprint: String,
    pub layer: Layer,
    pub fix: Option<Fix>,
}

/// The MITRE page of a weakness id such as `CWE-502` (`None` for anything else).
pub fn cwe_uri(cwe: &str) -> Option<String> {
    let number = cwe.strip_prefix("CWE-")?;
    Some(format!("https://cwe.mitre.org/data/definitions/{number}.html"))
}

/// Fingerprint of a finding: a hash of the rule, the matched code with whitespace collapsed, and the
/// names of the enclosing scopes, so that it survives edits elsewhere and line moves.
pub fn fingerprint(rule: &str, matched: &str, scope: &str) -> String {
    let normalised: String = matched.split_whitespace().collect::<Vec<_>>().join(" ");
    let key = format!("{rule}\u{0}{normalised}\u{0}{scope}");
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_whitespace_but_not_scope_or_rule() {
        let a = fingerprint("python.eval", "eval( x )", "handler");
        assert_eq!(a, fingerprint("python.eval", "eval(\n  x\n)", "handler"));
        assert_ne!(a, fingerprint("python.eval", "eval( x )", "other"));
        assert_ne!(a, fingerprint("python.exec", "eval( x )", "handler"));
        assert_eq!(a.len(), 16);
    }
}
