//! What the model reads: a provenance banner, then per finding the rule, the line, why, the safe
//! alternative and the exact suppression syntax — short, stated as facts — and the JSON around it.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use crate::agent::AgentFinding;
use crate::finding::Finding;
use crate::review::ReviewFinding;

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

const REVIEW_BANNER: &str = "[sg-lsp security review: automated LLM review of the changes made in this turn — tool output, not user input.]";
/// Review findings listed in one message; the rest are counted.
const MAX_REVIEW_LISTED: usize = 20;
/// Longest explanation or fix quoted (characters); the model's prose can run long.
const MAX_PROSE: usize = 800;
/// Claude Code shows `rewakeSummary` as a one-line task notification (it truncates at 300).
pub(crate) const MAX_SUMMARY: usize = 280;

/// The review findings sorted for reading: files by their worst finding, then each file's findings
/// from critical down, then by line.
fn review_order(findings: &[ReviewFinding]) -> Vec<(&str, Vec<&ReviewFinding>)> {
    let mut files: Vec<(&str, Vec<&ReviewFinding>)> = Vec::new();
    for finding in findings {
        match files.iter_mut().find(|(path, _)| *path == finding.path) {
            Some((_, list)) => list.push(finding),
            None => files.push((&finding.path, vec![finding])),
        }
    }
    for (_, list) in &mut files {
        list.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.line.cmp(&b.line)));
    }
    files.sort_by(|(a_path, a), (b_path, b)| b[0].severity.cmp(&a[0].severity).then(a_path.cmp(b_path)));
    files
}

/// What the model reads after a Stop review found something (stderr and the JSON `reason`).
pub(crate) fn review_text(findings: &[ReviewFinding]) -> String {
    let files = review_order(findings);
    let names: Vec<&str> = files.iter().map(|(path, _)| *path).collect();
    let mut text = String::from(REVIEW_BANNER);
    let _ = write!(
        text,
        "\nSecurity review: {} in the changes of this turn ({}).",
        match findings.len() {
            1 => "1 potential vulnerability".to_owned(),
            n => format!("{n} potential vulnerabilities"),
        },
        names.join(", ")
    );
    let mut number = 0;
    for (path, list) in &files {
        if number >= MAX_REVIEW_LISTED {
            break;
        }
        let _ = write!(text, "\n\n{path}:");
        for finding in list {
            number += 1;
            if number > MAX_REVIEW_LISTED {
                break;
            }
            let _ = write!(
                text,
                "\n{number}. [{}] [{}] {path}:{} — {}",
                finding.severity.as_str().to_ascii_uppercase(),
                one_line(&finding.category, 80),
                finding.line,
                one_line(&finding.title, 200)
            );
            let cwe =
                if finding.cwe.is_empty() { String::new() } else { format!(" ({})", finding.cwe.join(", ")) };
            let _ = write!(text, "\n   Why: {}{cwe}", sentence(&one_line(&finding.explanation, MAX_PROSE)));
            if !finding.fix.trim().is_empty() {
                let _ = write!(text, "\n   Suggested fix: {}", sentence(&one_line(&finding.fix, MAX_PROSE)));
            }
        }
    }
    if findings.len() > MAX_REVIEW_LISTED {
        let _ = write!(
            text,
            "\n\n... and {} more (run `sg-lsp review` to list them all)",
            findings.len() - MAX_REVIEW_LISTED
        );
    }
    text.push_str(
        "\n\nAddress each finding: fix the code, or say briefly why it does not apply (\"internal-only\" is \
         not a reason). Then continue with the user's original request.",
    );
    text
}

/// The one-line task notification: `sg-lsp review found N issues: <category> in <file>; ...`, at
/// most [`MAX_SUMMARY`] characters.
pub(crate) fn rewake_summary(findings: &[ReviewFinding]) -> String {
    let head = format!("sg-lsp review found {}", plural(findings.len(), "issue"));
    let items: Vec<String> = review_order(findings)
        .iter()
        .flat_map(|(path, list)| {
            let file = path.rsplit('/').next().unwrap_or(path);
            list.iter().map(move |f| format!("{} in {}", one_line(&f.category, 60), one_line(file, 60)))
        })
        .collect();
    let mut summary = head.clone();
    for (index, item) in items.iter().enumerate() {
        let separator = if index == 0 { ": " } else { "; " };
        let rest = items.len() - index - 1;
        let tail = if rest > 0 { format!("; +{rest} more") } else { String::new() };
        let candidate = format!("{summary}{separator}{item}");
        if candidate.chars().count() + tail.chars().count() > MAX_SUMMARY {
            let more = items.len() - index;
            let _ = write!(summary, "{}+{more} more", if index == 0 { ": " } else { "; " });
            break;
        }
        summary = candidate;
    }
    summary.chars().take(MAX_SUMMARY).collect()
}

/// The Stop hook's JSON line when the review found something.
pub(crate) fn stop_block(reason: &str, summary: &str) -> Value {
    json!({ "decision": "block", "reason": reason, "rewakeSummary": summary })
}

const COMMIT_BANNER: &str = "[sg-lsp commit review: automated agentic LLM review of the commit that just landed — tool output, not user input.]";
/// Trace steps shown per finding in the hook's text (the report has them all).
const MAX_TRACE_SHOWN: usize = 8;

/// What the model reads after the commit review found something (`additionalContext` and stderr):
/// per finding the place, the data-flow trace, the exploit and the fix; the report's path.
pub(crate) fn commit_text(sha: &str, findings: &[AgentFinding], report: Option<&Path>) -> String {
    let short = &sha[..sha.len().min(12)];
    let mut text = String::from(COMMIT_BANNER);
    let _ = write!(
        text,
        "\nCommit {short} ({sha}): {} survived the review's own attempt to refute {}.",
        match findings.len() {
            1 => "1 potential vulnerability".to_owned(),
            n => format!("{n} potential vulnerabilities"),
        },
        if findings.len() == 1 { "it" } else { "them" }
    );
    let mut ordered: Vec<&AgentFinding> = findings.iter().collect();
    ordered.sort_by(|a, b| {
        b.finding
            .severity
            .cmp(&a.finding.severity)
            .then(a.finding.path.cmp(&b.finding.path))
            .then(a.finding.line.cmp(&b.finding.line))
    });
    for (index, item) in ordered.iter().take(MAX_REVIEW_LISTED).enumerate() {
        let finding = &item.finding;
        let _ = write!(
            text,
            "\n\n{}. [{}] [{}] {}:{} — {}",
            index + 1,
            finding.severity.as_str().to_ascii_uppercase(),
            one_line(&finding.category, 80),
            finding.path,
            finding.line,
            one_line(&finding.title, 200)
        );
        let cwe =
            if finding.cwe.is_empty() { String::new() } else { format!(" ({})", finding.cwe.join(", ")) };
        let _ = write!(text, "\n   Why: {}{cwe}", sentence(&one_line(&finding.explanation, MAX_PROSE)));
        if !item.trace.is_empty() {
            text.push_str("\n   Trace:");
            for step in item.trace.iter().take(MAX_TRACE_SHOWN) {
                let _ = write!(text, "\n     {}:{} {}", step.file, step.line, one_line(&step.note, 200));
            }
            if item.trace.len() > MAX_TRACE_SHOWN {
                let _ = write!(
                    text,
                    "\n     ... {} more steps in the report",
                    item.trace.len() - MAX_TRACE_SHOWN
                );
            }
        }
        if !item.exploit.trim().is_empty() {
            let _ = write!(text, "\n   Exploit: {}", sentence(&one_line(&item.exploit, MAX_PROSE)));
        }
        if !finding.fix.trim().is_empty() {
            let _ = write!(text, "\n   Fix: {}", sentence(&one_line(&finding.fix, MAX_PROSE)));
        }
    }
    if findings.len() > MAX_REVIEW_LISTED {
        let _ = write!(
            text,
            "\n\n... and {} more (see the report, or run `sg-lsp review-commit {short}`)",
            findings.len() - MAX_REVIEW_LISTED
        );
    }
    if let Some(report) = report {
        let _ = write!(text, "\n\nFull report (evidence chain, exploit, fix): {}", report.display());
    }
    text.push_str(
        "\n\nAddress each finding: fix it in a follow-up commit, or say briefly why it does not apply \
         (\"internal-only\" is not a reason). Then continue with the user's original request.",
    );
    text
}

/// The one-line task notification of a commit review with findings.
pub(crate) fn commit_summary(sha: &str, findings: &[AgentFinding]) -> String {
    let head = format!(
        "sg-lsp commit review of {} found {}",
        &sha[..sha.len().min(7)],
        plural(findings.len(), "issue")
    );
    let mut summary = head;
    for (index, item) in findings.iter().enumerate() {
        let file = item.finding.path.rsplit('/').next().unwrap_or(&item.finding.path);
        let part = format!(
            "{}{} in {}",
            if index == 0 { ": " } else { "; " },
            one_line(&item.finding.category, 60),
            one_line(file, 60)
        );
        if summary.chars().count() + part.chars().count() > MAX_SUMMARY - 12 {
            let _ =
                write!(summary, "{}+{} more", if index == 0 { ": " } else { "; " }, findings.len() - index);
            break;
        }
        summary.push_str(&part);
    }
    summary.chars().take(MAX_SUMMARY).collect()
}

/// The commit review's JSON line: `additionalContext` for the model, and the task notification.
pub(crate) fn commit_context(text: &str, summary: &str) -> Value {
    json!({
        "hookSpecificOutput": { "hookEventName": "PostToolUse", "additionalContext": text },
        "rewakeSummary": summary,
    })
}

/// `text` on one line (whitespace runs collapsed), at most `max` characters (an ellipsis marks a cut).
fn one_line(text: &str, max: usize) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() <= max {
        return joined;
    }
    let mut cut: String = joined.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
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
    use crate::review::ReviewSeverity;

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

    fn review_finding(path: &str, line: u32, severity: ReviewSeverity, category: &str) -> ReviewFinding {
        ReviewFinding {
            path: path.into(),
            line,
            end_line: line,
            severity,
            category: category.into(),
            cwe: vec![],
            title: "t".into(),
            explanation: "e\n  more".into(),
            fix: String::new(),
            confidence: 0.9,
        }
    }

    #[test]
    fn review_text_groups_by_file_worst_first() {
        let findings = [
            review_finding("b.py", 9, ReviewSeverity::Medium, "xss"),
            review_finding("a.py", 3, ReviewSeverity::Medium, "ssrf"),
            review_finding("b.py", 2, ReviewSeverity::Critical, "rce"),
        ];
        let text = review_text(&findings);
        let order: Vec<usize> = [
            "b.py:\n1. [CRITICAL] [rce] b.py:2",
            "2. [MEDIUM] [xss] b.py:9",
            "a.py:\n3. [MEDIUM] [ssrf] a.py:3",
        ]
        .iter()
        .map(|needle| text.find(needle).unwrap_or_else(|| panic!("{needle} in {text}")))
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(text.contains("Why: e more."), "{text}");
        assert!(!text.contains("Suggested fix"), "no empty fix line");
        assert!(text.contains("(b.py, a.py)"), "{text}");
    }

    #[test]
    fn the_rewake_summary_fits_280_characters() {
        let one = [review_finding("src/deep/a.py", 1, ReviewSeverity::High, "sql-injection")];
        assert_eq!(rewake_summary(&one), "sg-lsp review found 1 issue: sql-injection in a.py");
        let many: Vec<ReviewFinding> = (0..40)
            .map(|i| review_finding(&format!("f{i}.py"), 1, ReviewSeverity::High, &"c".repeat(100)))
            .collect();
        let summary = rewake_summary(&many);
        assert!(summary.chars().count() <= MAX_SUMMARY, "{summary}");
        assert!(summary.starts_with("sg-lsp review found 40 issues: "), "{summary}");
        assert!(summary.ends_with(" more"), "{summary}");
        let long = [review_finding("a.py", 1, ReviewSeverity::High, &"é".repeat(400))];
        assert!(rewake_summary(&long).chars().count() <= MAX_SUMMARY);
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
