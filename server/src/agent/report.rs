//! The Markdown report of a commit review (the server writes it under `.git/sg-lsp/reviews/` and
//! opens it): per finding the location, severity and confidence, the explanation, the evidence chain
//! (the data-flow trace), the exploit scenario, the evidence and the fix; then what the review cost
//! (stages, tool calls, turns, tokens, dollars, time), the fallback and the notes. Pure.

use std::fmt::Write as _;

use super::{AgentFinding, AgentOutcome};

/// The report's file name: `<short sha or "staged">-<unix seconds>.md`.
pub fn report_file_name(outcome: &AgentOutcome, unix_secs: u64) -> String {
    let name = outcome.commit.as_deref().map_or("staged", |sha| &sha[..sha.len().min(12)]);
    format!("{name}-{unix_secs}.md")
}

fn confidence_word(confidence: f64) -> &'static str {
    if confidence >= 0.8 {
        "high"
    } else if confidence >= 0.5 {
        "medium"
    } else {
        "low"
    }
}

/// Thousands separated by commas.
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Renders the report.
pub fn render(outcome: &AgentOutcome) -> String {
    let mut out = String::new();
    match &outcome.commit {
        Some(sha) => {
            let _ = writeln!(out, "# Commit security review: `{}`\n", &sha[..sha.len().min(12)]);
        }
        None => out.push_str("# Commit security review: staged changes\n\n"),
    }
    let findings = outcome.findings.len();
    let _ = writeln!(
        out,
        "{} finding{} · model `{}` · stages: {}\n",
        findings,
        if findings == 1 { "" } else { "s" },
        outcome.model,
        if outcome.stages.is_empty() {
            "none".to_owned()
        } else {
            outcome.stages.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" → ")
        }
    );
    if let Some(reason) = &outcome.fallback {
        let _ = writeln!(
            out,
            "> **Fallback:** {reason}. The agent did not finish; the single-shot diff review of the commit answered (no data-flow traces).\n"
        );
    }
    if outcome.findings.is_empty() {
        out.push_str("No vulnerabilities survived the review.\n\n");
    }
    for (index, item) in outcome.findings.iter().enumerate() {
        render_finding(&mut out, index, item);
    }
    render_cost(&mut out, outcome);
    if !outcome.notes.is_empty() {
        out.push_str("\n## Notes\n\n");
        for note in &outcome.notes {
            let _ = writeln!(out, "- {note}");
        }
    }
    out
}

fn render_finding(out: &mut String, index: usize, item: &AgentFinding) {
    let finding = &item.finding;
    let _ =
        writeln!(out, "## {}. [{}] {}\n", index + 1, finding.severity.as_str().to_uppercase(), finding.title);
    let location = if finding.end_line > finding.line {
        format!("{}:{}-{}", finding.path, finding.line, finding.end_line)
    } else {
        format!("{}:{}", finding.path, finding.line)
    };
    let mut facts = vec![format!("`{location}`"), format!("`{}`", finding.rule_id())];
    if !finding.cwe.is_empty() {
        facts.push(finding.cwe.join(", "));
    }
    facts.push(format!("confidence {:.2} ({})", finding.confidence, confidence_word(finding.confidence)));
    let _ = writeln!(out, "{}\n", facts.join(" · "));
    if !finding.explanation.is_empty() {
        let _ = writeln!(out, "{}\n", finding.explanation.trim());
    }
    if !item.trace.is_empty() {
        out.push_str("**Evidence chain**\n\n");
        for (step_index, step) in item.trace.iter().enumerate() {
            let _ = writeln!(out, "{}. `{}:{}` — {}", step_index + 1, step.file, step.line, step.note);
        }
        out.push('\n');
    }
    for (heading, text) in
        [("Exploit scenario", &item.exploit), ("Evidence", &item.evidence), ("Fix", &finding.fix)]
    {
        if !text.trim().is_empty() {
            let _ = writeln!(out, "**{heading}**\n\n{}\n", text.trim());
        }
    }
}

fn render_cost(out: &mut String, outcome: &AgentOutcome) {
    out.push_str("## Cost\n\n");
    let calls: Vec<String> = outcome.tool_calls.iter().map(|(name, n)| format!("{name} {n}")).collect();
    let _ = writeln!(
        out,
        "- tool calls: {}{}",
        outcome.tool_call_count(),
        if calls.is_empty() { String::new() } else { format!(" ({})", calls.join(", ")) }
    );
    if outcome.tool_errors > 0 {
        let _ = writeln!(out, "- refused or failed tool calls: {}", outcome.tool_errors);
    }
    let _ = writeln!(out, "- turns: {} · requests: {}", outcome.turns, outcome.requests);
    let _ = writeln!(
        out,
        "- tokens: {} input ({} from cache) · {} output",
        count(outcome.input_tokens()),
        count(outcome.usage.cache_read_input_tokens),
        count(outcome.usage.output_tokens)
    );
    match outcome.cost_usd {
        Some(cost) => {
            let _ = writeln!(out, "- cost: ${cost:.4}");
        }
        None => out.push_str("- cost: unknown (model not in the price table)\n"),
    }
    let _ = writeln!(
        out,
        "- read by tools: {} bytes · wall time: {:.1} s",
        count(outcome.bytes_read as u64),
        outcome.elapsed.as_secs_f64()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::{AgentFinding, Stage, TraceStep};
    use crate::review::{ReviewFinding, ReviewSeverity};
    use std::time::Duration;

    fn outcome() -> AgentOutcome {
        let finding = ReviewFinding {
            path: "app/db.py".into(),
            line: 2,
            end_line: 2,
            severity: ReviewSeverity::High,
            category: "authorization".into(),
            cwe: vec!["CWE-639".into()],
            title: "Invoice fetched without an owner check".into(),
            explanation: "Any user can read any invoice.".into(),
            fix: "Filter by the current user.".into(),
            confidence: 0.9,
        };
        AgentOutcome {
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            model: "claude-opus-4-7".into(),
            findings: vec![AgentFinding {
                finding,
                trace: vec![
                    TraceStep { file: "app/routes.py".into(), line: 6, note: "id from the URL".into() },
                    TraceStep { file: "app/db.py".into(), line: 2, note: "no owner filter".into() },
                ],
                exploit: "GET /invoices/2 as user 1".into(),
                evidence: "app/db.py:2".into(),
            }],
            stages: vec![Stage::Investigate, Stage::Refute],
            tool_calls: [("Grep".to_owned(), 1), ("Read".to_owned(), 2)].into_iter().collect(),
            turns: 5,
            requests: 5,
            usage: crate::llm::Usage { input_tokens: 12_345, output_tokens: 678, ..Default::default() },
            cost_usd: Some(0.0123),
            bytes_read: 1_024,
            elapsed: Duration::from_millis(4_200),
            ..AgentOutcome::default()
        }
    }

    #[test]
    fn the_report_holds_the_chain_the_exploit_the_fix_and_the_cost() {
        let report = render(&outcome());
        assert!(report.starts_with("# Commit security review: `0123456789ab`\n"));
        for expected in [
            "## 1. [HIGH] Invoice fetched without an owner check",
            "`app/db.py:2` · `review.authorization` · CWE-639 · confidence 0.90 (high)",
            "**Evidence chain**\n\n1. `app/routes.py:6` — id from the URL\n2. `app/db.py:2` — no owner filter\n",
            "**Exploit scenario**\n\nGET /invoices/2 as user 1",
            "**Fix**\n\nFilter by the current user.",
            "- tool calls: 3 (Grep 1, Read 2)",
            "- tokens: 12,345 input (0 from cache) · 678 output",
            "- cost: $0.0123",
            "stages: investigate → refute",
        ] {
            assert!(report.contains(expected), "missing {expected:?} in\n{report}");
        }
        assert_eq!(report_file_name(&outcome(), 7), "0123456789ab-7.md");
        let mut fallback = outcome();
        fallback.fallback = Some("turn budget".into());
        fallback.findings.clear();
        let report = render(&fallback);
        assert!(report.contains("**Fallback:** turn budget") && report.contains("No vulnerabilities"));
    }
}
