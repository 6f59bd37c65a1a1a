//! Suppression comments (SPEC §3): `sg-ignore[ID, ...]: reason`, `sg-ignore: reason`, and bandit's
//! `nosec` and semgrep's `nosemgrep` for migration. A comment silences its own line; a comment alone on
//! its line (or a block of such lines) also silences the next code line.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use crate::finding::{Confidence, Edit, Finding, Fix, Layer, Severity, fingerprint};
use crate::rules::RuleSet;
use crate::text::LineIndex;

/// Rule id of the hint for a suppression without a reason.
pub const MISSING_REASON: &str = "sg.suppression-without-reason";
/// Rule id of the hint for a suppression naming an unknown rule.
pub const UNKNOWN_RULE: &str = "sg.suppression-unknown-rule";
/// Rule id of the hint for a suppression that silences nothing.
pub const UNUSED: &str = "sg.unused-suppression";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    SgIgnore,
    Nosec,
    Nosemgrep,
}

/// One suppression comment.
#[derive(Clone, Debug)]
pub struct Suppression {
    pub kind: Kind,
    /// Zero-based line of the comment.
    pub line: usize,
    /// Bytes of the comment from its marker to the end of the line.
    pub comment: Range<usize>,
    /// Bytes of the `sg-ignore...` directive itself.
    pub directive: Range<usize>,
    /// Rule ids named in brackets; `None` silences every rule.
    pub rules: Option<Vec<String>>,
    pub reason: Option<String>,
    /// Nothing but whitespace precedes the comment on its line.
    pub standalone: bool,
}

impl Suppression {
    fn covers(&self, rule: &str) -> bool {
        self.rules.as_ref().is_none_or(|ids| ids.iter().any(|id| rule_matches(id, rule)))
    }
}

/// `python.eval` is named by `python.eval` or by its bare name `eval`.
fn rule_matches(named: &str, rule: &str) -> bool {
    named == rule || rule.split_once('.').is_some_and(|(_, name)| name == named)
}

fn directive_regex() -> &'static Regex {
    static REGEX: OnceLock<Regex> = OnceLock::new();
    REGEX.get_or_init(|| {
        Regex::new(
            r"(?P<marker>#|//|/\*|<!--|--|;|^[ \t]*\*)[^\r\n]*?\b(?P<kind>sg-ignore|nosec|nosemgrep)\b(?:\[(?P<ids>[^\]\r\n]*)\])?(?P<rest>[^\r\n]*)",
        )
        .expect("valid regex")
    })
}

/// Finds every suppression comment in `text`.
pub fn find(text: &str) -> Vec<Suppression> {
    if !["sg-ignore", "nosec", "nosemgrep"].iter().any(|needle| text.contains(needle)) {
        return Vec::new();
    }
    let index = LineIndex::new(text);
    let mut found = Vec::new();
    for line in 0..index.line_count() {
        let range = index.line_range(text, line);
        let line_text = &text[range.clone()];
        let Some(caps) = directive_regex().captures(line_text) else { continue };
        let marker = caps.name("marker").expect("marker group");
        let kind = match &caps["kind"] {
            "sg-ignore" => Kind::SgIgnore,
            "nosec" => Kind::Nosec,
            _ => Kind::Nosemgrep,
        };
        let rules = caps.name("ids").map(|ids| {
            ids.as_str().split(',').map(str::trim).filter(|id| !id.is_empty()).map(str::to_owned).collect()
        });
        let reason = caps["rest"]
            .trim()
            .trim_end_matches("*/")
            .trim_end_matches("-->")
            .trim()
            .trim_start_matches(':')
            .trim();
        let kind_start = caps.name("kind").expect("kind group").start();
        found.push(Suppression {
            kind,
            line,
            comment: range.start + marker.start()..range.end,
            directive: range.start + kind_start..range.end,
            rules: if kind == Kind::SgIgnore { rules } else { None },
            reason: (!reason.is_empty()).then(|| reason.to_owned()),
            standalone: line_text[..marker.start()].trim().is_empty(),
        });
    }
    found
}

/// Removes suppressed findings and adds hints for suppressions that are reasonless, name unknown rules
/// or silence nothing.
pub fn apply(rules: &RuleSet, text: &str, findings: Vec<Finding>) -> Vec<Finding> {
    let suppressions = find(text);
    if suppressions.is_empty() {
        return findings;
    }
    let index = LineIndex::new(text);
    let mut used = vec![false; suppressions.len()];
    let mut kept: Vec<Finding> = findings
        .into_iter()
        .filter(|finding| {
            let line = index.line_of(finding.span.start);
            let mut silenced = false;
            for (i, suppression) in suppressions.iter().enumerate() {
                if applies_to_line(&suppressions, i, line) && suppression.covers(&finding.rule) {
                    used[i] = true;
                    silenced = true;
                }
            }
            !silenced
        })
        .collect();
    for (suppression, used) in suppressions.iter().zip(used) {
        if suppression.kind == Kind::SgIgnore {
            kept.extend(hints(rules, text, suppression, used));
        }
    }
    kept.sort_by_key(|finding| finding.span.start);
    kept
}

/// Whether suppression `i` applies to `line`: it is on that line, or it belongs to a block of
/// standalone suppression comments directly above it.
fn applies_to_line(all: &[Suppression], i: usize, line: usize) -> bool {
    let suppression = &all[i];
    if suppression.line == line {
        return true;
    }
    if !suppression.standalone || suppression.line >= line {
        return false;
    }
    // Every line between the comment and `line` must itself be a standalone suppression.
    (suppression.line + 1..line).all(|between| all.iter().any(|s| s.line == between && s.standalone))
}

fn hints(rules: &RuleSet, text: &str, suppression: &Suppression, used: bool) -> Vec<Finding> {
    let hint = |rule: &str, message: String, fix: Option<Fix>| Finding {
        rule: rule.to_owned(),
        severity: Severity::Hint,
        confidence: Confidence::High,
        cwe: Vec::new(),
        message,
        span: suppression.directive.clone(),
        fingerprint: fingerprint(rule, &text[suppression.directive.clone()], ""),
        layer: Layer::Pattern,
        fix,
    };
    let mut out = Vec::new();
    if suppression.reason.is_none() {
        out.push(hint(
            MISSING_REASON,
            "suppression without a reason: write why this is safe after the colon (`sg-ignore[ID]: reason`)"
                .into(),
            None,
        ));
    }
    for id in suppression.rules.iter().flatten() {
        if !rules.rules().iter().any(|rule| rule_matches(id, &rule.id)) {
            out.push(hint(
                UNKNOWN_RULE,
                format!("unknown rule `{id}` in suppression (see `sg-lsp rules`)"),
                None,
            ));
        }
    }
    if !used {
        let remove = Fix {
            title: "Remove unused suppression".into(),
            edits: vec![Edit { range: removal_range(text, suppression), text: String::new() }],
        };
        let reach = if suppression.standalone { "this line or the next" } else { "this line" };
        out.push(hint(UNUSED, format!("unused suppression: nothing on {reach} is flagged"), Some(remove)));
    }
    out
}

/// What to delete to remove a suppression: the whole line when the comment stands alone, else the
/// comment and the whitespace before it.
fn removal_range(text: &str, suppression: &Suppression) -> Range<usize> {
    let index = LineIndex::new(text);
    if suppression.standalone {
        let start = index.line_range(text, suppression.line).start;
        let end = index.line_range(text, suppression.line + 1).start.max(suppression.comment.end);
        return start..end;
    }
    let before = &text[..suppression.comment.start];
    let trimmed = before.trim_end_matches([' ', '\t']).len();
    trimmed..suppression.comment.end
}

/// Zero-based lines silenced by suppression comments, with their reasons (the LLM layers receive
/// these as accepted risk).
pub fn suppressed_lines(text: &str) -> Vec<(usize, Option<String>)> {
    let all = find(text);
    let mut lines = Vec::new();
    for (i, suppression) in all.iter().enumerate() {
        let mut target = suppression.line;
        if suppression.standalone {
            target += 1;
            while all.iter().any(|s| s.line == target && s.standalone) {
                target += 1;
            }
        }
        let _ = i;
        lines.push((target, suppression.reason.clone()));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_directives_in_several_comment_styles() {
        let text = "x = 1  # sg-ignore[python.eval, exec]: trusted\n// sg-ignore: fixture\n/* nosec */\n# nosemgrep: rule\n";
        let found = find(text);
        assert_eq!(found.len(), 4);
        assert_eq!(found[0].rules.as_deref(), Some(&["python.eval".to_owned(), "exec".to_owned()][..]));
        assert_eq!(found[0].reason.as_deref(), Some("trusted"));
        assert!(!found[0].standalone);
        assert!(found[1].standalone && found[1].rules.is_none());
        assert_eq!(found[2].kind, Kind::Nosec);
        assert_eq!(found[3].kind, Kind::Nosemgrep);
    }

    #[test]
    fn a_directive_outside_a_comment_is_not_a_suppression() {
        assert!(find("name = 'sg-ignore'\n").is_empty());
    }

    #[test]
    fn standalone_blocks_reach_the_next_code_line() {
        let text = "# sg-ignore[a]: one\n# sg-ignore[b]: two\ncode()\n";
        let all = find(text);
        assert!(applies_to_line(&all, 0, 2));
        assert!(applies_to_line(&all, 1, 2));
        assert!(!applies_to_line(&all, 0, 3));
    }
}
