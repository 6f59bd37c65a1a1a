//! What the model reads: a provenance banner, then per finding the rule, the line, why, the safe
//! alternative and the exact suppression syntax — short, stated as facts — and the JSON around it.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::finding::Finding;

/// Findings listed in one message; the rest are counted.
const MAX_LISTED: usize = 10;

const BANNER: &str =
    "[sg-lsp security guidance: automated pattern check of this edit — tool output, not user input.]";

/// One finding to report, with where it is.
pub(crate) struct Reported<'a> {
    pub(crate) finding: &'a Finding,
    /// 1-based line in the file, or in the cell for notebooks.
    pub(crate) line: usize,
    /// 1-based cell number, for notebooks.
    pub(crate) cell: Option<usize>,
}

/// The `additionalContext` text of a `PostToolUse` warning.
pub(crate) fn warning_text(path: &str, items: &[Reported<'_>], comment: &str, note: Option<&str>) -> String {
    let mut text = String::from(BANNER);
    let _ = write!(text, "\n{} in {path}:", plural(items.len(), "security finding"));
    list(&mut text, path, items, comment);
    if let Some(note) = note {
        let _ = write!(text, "\nNote: {note}.");
    }
    text
}

/// The `permissionDecisionReason` of a `PreToolUse` denial.
pub(crate) fn deny_text(tool: &str, path: &str, items: &[Reported<'_>], comment: &str) -> String {
    let mut text = format!(
        "[sg-lsp security guidance] This {tool} was blocked (SG_HOOK_BLOCK is set): it would add {} to {path}:",
        plural(items.len(), "finding")
    );
    list(&mut text, path, items, comment);
    text.push_str("\nChange the code as suggested and retry, or add the suppression comment with a reason.");
    text
}

fn list(text: &mut String, path: &str, items: &[Reported<'_>], comment: &str) {
    for item in items.iter().take(MAX_LISTED) {
        let finding = item.finding;
        let place = match item.cell {
            Some(cell) => format!("{path} cell {cell} line {}", item.line),
            None => format!("{path}:{}", item.line),
        };
        let cwe = finding.cwe.first().map(|cwe| format!(", {cwe}")).unwrap_or_default();
        let _ = write!(text, "\n- {place}: {} ({}{cwe})", finding.rule, finding.severity.public_name());
        let (why, alternative) = split_message(&finding.message);
        let _ = write!(text, "\n  Why: {why}");
        if let Some(alternative) = alternative {
            let _ = write!(text, "\n  Safe alternative: {alternative}");
        }
        if !finding.rule.starts_with("sg.") {
            let _ = write!(
                text,
                "\n  If it is intended, say so on that line or the line above: {comment} sg-ignore[{}]: <reason>",
                finding.rule
            );
        }
    }
    if items.len() > MAX_LISTED {
        let _ =
            write!(text, "\n- and {} more (run `sg-lsp scan {path}` to list them)", items.len() - MAX_LISTED);
    }
}

/// A rule message reads "what is dangerous; the safe alternative": split it into two sentences.
fn split_message(message: &str) -> (String, Option<String>) {
    match message.split_once("; ") {
        Some((why, alternative)) => (sentence(why), Some(sentence(alternative))),
        None => (sentence(message), None),
    }
}

/// Ends the text with a full stop. The first word stays as it is: it is often code (`eval()`).
fn sentence(text: &str) -> String {
    let mut out = text.trim().to_owned();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

/// The `PostToolUse` JSON line carrying `additionalContext`.
pub(crate) fn post_tool_use(context: &str) -> Value {
    json!({ "hookSpecificOutput": { "hookEventName": "PostToolUse", "additionalContext": context } })
}

/// The `PreToolUse` JSON line denying the call. Never "allow": that would bypass the permission prompts.
pub(crate) fn deny(reason: &str) -> Value {
    json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": reason,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Confidence, Layer, Severity};

    fn finding(rule: &str, message: &str) -> Finding {
        Finding {
            rule: rule.into(),
            severity: Severity::Error,
            confidence: Confidence::High,
            cwe: vec!["CWE-95".into()],
            message: message.into(),
            span: 0..1,
            fingerprint: "f".into(),
            layer: Layer::Pattern,
            fix: None,
        }
    }

    #[test]
    fn splits_messages_into_why_and_alternative() {
        assert_eq!(
            split_message("eval() runs code; use ast.literal_eval"),
            ("eval() runs code.".into(), Some("use ast.literal_eval.".into()))
        );
        assert_eq!(split_message("Plain message."), ("Plain message.".into(), None));
    }

    #[test]
    fn lists_at_most_ten_findings() {
        let f = finding("python.eval", "a; b");
        let items: Vec<Reported<'_>> =
            (1..=12).map(|line| Reported { finding: &f, line, cell: None }).collect();
        let text = warning_text("a.py", &items, "#", None);
        assert_eq!(text.matches("sg-ignore[python.eval]").count(), 10);
        assert!(text.ends_with("- and 2 more (run `sg-lsp scan a.py` to list them)"));
    }

    #[test]
    fn suppression_hints_get_no_suppression_advice() {
        let f = finding("sg.suppression-without-reason", "add a reason");
        let text = warning_text("a.py", &[Reported { finding: &f, line: 1, cell: Some(2) }], "#", Some("n"));
        assert!(!text.contains("sg-ignore["));
        assert!(text.contains("a.py cell 2 line 1"));
        assert!(text.ends_with("Note: n."));
    }
}
