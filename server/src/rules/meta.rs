//! The `.toml` half of a rule: what it is called, how bad it is, and how to explain and fix it.

use serde::Deserialize;

use crate::finding::{Confidence, Severity};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub severity: Severity,
    pub confidence: Confidence,
    #[serde(default)]
    pub cwe: Vec<String>,
    /// One line: what is dangerous here and the safe alternative.
    pub message: String,
    /// Markdown shown on hover and by `sg-lsp rules explain`.
    pub note: String,
    /// Query rules: run the query only when this regex matches somewhere in the text.
    pub prefilter: Option<String>,
    /// Query rules: a regex that matches inside every match of the query (e.g. the sink's name).
    /// The query then runs only on the lines around its hits instead of the whole tree. Without an
    /// anchor an active rule costs a walk of the whole syntax tree.
    pub anchor: Option<String>,
    /// Regex rules: the rule itself. A named group `finding` narrows the reported span.
    pub regex: Option<String>,
    /// Narrows the `@finding` capture to the spans this regex matches inside it (one finding each).
    pub focus: Option<String>,
    /// Drops a finding whose text matches this regex (placeholders, documented example keys).
    pub exclude: Option<String>,
    /// Drops a finding whose text has less Shannon entropy (bits per character) than this.
    pub min_entropy: Option<f64>,
    /// Where a regex rule may match inside parsed code.
    #[serde(default)]
    pub scope: Scope,
    /// Restricts the rule to these languages (default: every language of its folder).
    pub languages: Option<Vec<String>>,
    pub fix: Option<FixTemplate>,
    #[serde(default)]
    pub examples: Examples,
}

/// Where in parsed code a regex rule may match.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Code, comments and strings alike (secrets, invisible characters).
    #[default]
    Anywhere,
    /// Only inside comments and string literals (text addressed to a reader, such as prompt injection);
    /// never in files without a syntax tree.
    CommentsStrings,
    /// Only outside comments and string literals.
    Code,
}

/// A quick fix: replace a capture, or insert text before or after it. `$name` in the text is replaced
/// by the text of capture `@name`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixTemplate {
    pub title: String,
    #[serde(default = "default_fix_capture")]
    pub capture: String,
    pub replace: Option<String>,
    pub insert_before: Option<String>,
    pub insert_after: Option<String>,
}

fn default_fix_capture() -> String {
    "finding".to_owned()
}

/// Code that must be flagged (`invalid`) and code that must not (`valid`), run by a generated test.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub invalid: Vec<String>,
    #[serde(default)]
    pub valid: Vec<String>,
    /// Language the examples are scanned as (default: the first language of the rule).
    pub language: Option<String>,
}
