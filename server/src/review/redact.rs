//! Secret redaction before anything leaves the machine: every secret the pattern layer's secret rules
//! (`any.*` rules tagged CWE-798) find in the text to be sent is replaced by `[REDACTED:<rule id>]`.
//!
//! Secrets are learned from whole texts (current file contents, removed lines, policies), where the
//! rules see them in their natural form, and then replaced wherever they occur in the prompt; the
//! finished prompt is scanned once more and anything still found is cut out by its span.

use std::collections::BTreeMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::finding::Finding;
use crate::language::Language;
use crate::rules::RuleSet;
use crate::scan::{ScanOptions, scan_with};

const PRIVATE_KEY_RULE: &str = "any.private-key";
/// Shorter matches are not worth a global replace (and would hit ordinary code).
const MIN_SECRET_LEN: usize = 8;

/// Whether a finding is a secret: an `any.*` rule tagged CWE-798 (hardcoded credentials).
pub fn is_secret(finding: &Finding) -> bool {
    finding.rule.starts_with("any.")
        && (finding.rule == PRIVATE_KEY_RULE || finding.cwe.iter().any(|cwe| cwe == "CWE-798"))
}

/// The secret findings in `text` with their full extent (a private key from its header through its
/// key material or `-----END` line).
pub fn secrets(rules: &RuleSet, text: &str) -> Vec<(Range<usize>, String)> {
    let options =
        ScanOptions { regex_only: true, keep_suppressed: true, lean: true, ..ScanOptions::default() };
    scan_with(rules, Language::Text, text, None, options)
        .into_iter()
        .filter(is_secret)
        .map(|finding| {
            let span = if finding.rule == PRIVATE_KEY_RULE {
                private_key_extent(text, finding.span.clone())
            } else {
                finding.span.clone()
            };
            (span, finding.rule)
        })
        .collect()
}

/// The whole key: through the `-----END ...-----` marker when there is one, else through the run of
/// base64 lines after the header.
fn private_key_extent(text: &str, header: Range<usize>) -> Range<usize> {
    let rest = &text[header.end..];
    if let Some(end_marker) = rest.find("-----END") {
        let after = header.end + end_marker + "-----END".len();
        if let Some(close) = text[after..].find("-----") {
            let end = after + close + "-----".len();
            if text[header.end..end].len() < 20_000 {
                return header.start..end;
            }
        }
    }
    let mut end = header.end;
    for line in text[header.end..].split_inclusive('\n').skip(1) {
        let core = line.trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '+' | '\\' | '|' | '-') || c.is_ascii_digit()
        });
        let key_like = core.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '\\'))
            || core.starts_with("Proc-Type:")
            || core.starts_with("DEK-Info:");
        if !key_like {
            break;
        }
        end += line.len();
    }
    let first_line_end = text[header.end..].find('\n').map_or(text.len(), |i| header.end + i);
    header.start..end.max(first_line_end)
}

/// Learns secrets from texts and redacts them from the text that will be sent.
#[derive(Debug, Default)]
pub struct Redactor {
    /// Secret text → the rule that found it.
    secrets: BTreeMap<String, String>,
}

impl Redactor {
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// Scans `text` and remembers every secret in it (each line of a multi-line key separately, so
    /// the key is found again when its lines are spread over a diff).
    pub fn learn(&mut self, text: &str) {
        for (span, rule) in secrets(RuleSet::builtin(), text) {
            let found = &text[span];
            self.remember(found, &rule);
            for piece in found.split('\n').flat_map(|line| line.split("\\n")) {
                let piece = piece.trim_matches(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ','));
                self.remember(piece, &rule);
            }
        }
    }

    fn remember(&mut self, secret: &str, rule: &str) {
        let secret = secret.trim_end_matches('\r');
        if secret.len() >= MIN_SECRET_LEN {
            self.secrets.entry(secret.to_owned()).or_insert_with(|| rule.to_owned());
        }
    }

    /// How many distinct secret strings are known.
    pub fn len(&self) -> usize {
        self.secrets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// Replaces every learned secret in `text`, then scans the result and cuts out anything the secret
    /// rules still find.
    pub fn redact(&self, text: &str) -> String {
        let mut out = self.replace_known(text);
        for _ in 0..4 {
            let mut found = secrets(RuleSet::builtin(), &out);
            if found.is_empty() {
                break;
            }
            found.sort_by_key(|(span, _)| (span.start, std::cmp::Reverse(span.end)));
            let mut merged: Vec<(Range<usize>, String)> = Vec::new();
            for (span, rule) in found {
                match merged.last_mut() {
                    Some((last, _)) if span.start < last.end => last.end = last.end.max(span.end),
                    _ => merged.push((span, rule)),
                }
            }
            for (span, rule) in merged.into_iter().rev() {
                out.replace_range(span, &placeholder(&rule));
            }
        }
        out
    }

    fn replace_known(&self, text: &str) -> String {
        if self.secrets.is_empty() {
            return text.to_owned();
        }
        let patterns: Vec<&str> = self.secrets.keys().map(String::as_str).collect();
        let Ok(automaton) = AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&patterns)
        else {
            return text.to_owned();
        };
        let replacements: Vec<String> = self.secrets.values().map(|rule| placeholder(rule)).collect();
        automaton.replace_all(text, &replacements)
    }
}

/// The text that stands in for a secret found by `rule`.
pub fn placeholder(rule: &str) -> String {
    format!("[REDACTED:{rule}]")
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Secrets the pattern rules report (taken from their own `invalid` examples).
    pub const AWS_SECRET: &str = "D4GTvKANhd5/kcQBVx4ak3L5rXNj2u6bcExib8R5";
    pub const GITHUB_TOKEN: &str = "ghp_APWyCZfCEVS5r0StsItJ95t1pGjNovPXingG";
    pub const PASSWORD: &str = "s3cr3t-Pr0d!";
    pub const KEY_LINE_1: &str = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun";
    pub const KEY_LINE_2: &str = "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK";

    /// A Python file holding all four.
    pub fn python_file() -> String {
        format!(
            "import boto3\n\naws_secret_access_key = \"{AWS_SECRET}\"\nGITHUB_TOKEN = \"{GITHUB_TOKEN}\"\npassword = \"{PASSWORD}\"\nKEY = \"\"\"-----BEGIN RSA PRIVATE KEY-----\n{KEY_LINE_1}\n{KEY_LINE_2}\n-----END RSA PRIVATE KEY-----\n\"\"\"\n"
        )
    }

    pub const ALL: [&str; 5] = [AWS_SECRET, GITHUB_TOKEN, PASSWORD, KEY_LINE_1, KEY_LINE_2];
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn every_fixture_secret_is_found_and_replaced() {
        let text = python_file();
        let mut redactor = Redactor::new();
        redactor.learn(&text);
        let out = redactor.redact(&text);
        for secret in ALL {
            assert!(!out.contains(secret), "{secret} survived:\n{out}");
        }
        assert!(out.contains("[REDACTED:any.aws-secret-access-key]"), "{out}");
        assert!(out.contains("[REDACTED:any.github-token]"), "{out}");
        assert!(out.contains("[REDACTED:any.private-key]"), "{out}");
        assert!(out.contains("import boto3"));
    }

    #[test]
    fn learned_key_lines_are_replaced_inside_a_rendered_diff() {
        let mut redactor = Redactor::new();
        redactor.learn(&python_file());
        let diff = format!("   7 + {KEY_LINE_1}\n   8 + {KEY_LINE_2}\n");
        let out = redactor.redact(&diff);
        assert!(!out.contains(KEY_LINE_1) && !out.contains(KEY_LINE_2), "{out}");
        assert!(out.starts_with("   7 + [REDACTED:any.private-key]"));
    }

    #[test]
    fn text_never_learned_is_still_scanned() {
        let redactor = Redactor::new();
        let out = redactor.redact(&format!("token: {GITHUB_TOKEN}\n"));
        assert_eq!(out, "token: [REDACTED:any.github-token]\n");
        let key = format!("-----BEGIN RSA PRIVATE KEY-----\n{KEY_LINE_1}\n{KEY_LINE_2}\nnext = 1\n");
        let out = redactor.redact(&key);
        assert!(!out.contains(KEY_LINE_2), "{out}");
        assert!(out.contains("next = 1"), "{out}");
    }

    #[test]
    fn ordinary_code_is_untouched() {
        let mut redactor = Redactor::new();
        let text = "def f(x):\n    return eval(x)\npassword = os.environ['DB_PASSWORD']\n";
        redactor.learn(text);
        assert!(redactor.is_empty());
        assert_eq!(redactor.redact(text), text);
    }
}
