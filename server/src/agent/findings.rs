//! The commit review's findings: reading the agent's `report_findings` input (the diff review's
//! tolerant parsing plus `trace`, `exploit`, `evidence` and `candidate`), and checking candidates
//! against the commit's files: the file must exist in the commit, the line must be in the file (a
//! quoted line is looked for within ±5 lines), suppressed lines are accepted risk, low severity is
//! dropped unless asked for, duplicates are merged.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::llm::LlmError;
use crate::review::parse::{RawFinding, parse_input};
use crate::review::validate::{RELOCATE_WINDOW, slug};
use crate::review::{ReviewFinding, ReviewSeverity, suppressed};

/// Trace steps kept per finding at most.
pub const MAX_TRACE_STEPS: usize = 20;
/// Characters kept of a note, an exploit or the evidence.
const MAX_TEXT_CHARS: usize = 2_000;

/// One hop of a data-flow trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceStep {
    /// Repository-relative path.
    pub file: String,
    /// One-based line.
    pub line: u32,
    pub note: String,
}

/// A candidate as the model reported it.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub raw: RawFinding,
    pub trace: Vec<TraceStep>,
    pub exploit: String,
    pub evidence: String,
    /// The refuter's reference to a stage-1 candidate (one-based).
    pub candidate: Option<usize>,
}

/// A checked commit-review finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentFinding {
    #[serde(flatten)]
    pub finding: ReviewFinding,
    pub trace: Vec<TraceStep>,
    pub exploit: String,
    pub evidence: String,
}

impl AgentFinding {
    /// A finding of the single-shot review (no trace).
    pub fn from_review(finding: ReviewFinding) -> AgentFinding {
        AgentFinding { finding, trace: Vec::new(), exploit: String::new(), evidence: String::new() }
    }
}

/// Reads a `report_findings` input: the candidates, and how many entries were malformed.
pub fn parse_report(input: &Value) -> Result<(Vec<Candidate>, usize), LlmError> {
    let parsed = parse_input(input)?;
    let items = items(input);
    if items.is_empty() {
        return Ok((Vec::new(), parsed.skipped));
    }
    let mut out = Vec::new();
    let mut skipped = 0;
    for item in items {
        let Ok(one) = parse_input(&json!({ "findings": [item] })) else {
            skipped += 1;
            continue;
        };
        let Some(raw) = one.findings.into_iter().next() else {
            skipped += 1;
            continue;
        };
        out.push(Candidate {
            raw,
            trace: trace(item.get("trace")),
            exploit: text(item.get("exploit")),
            evidence: text(item.get("evidence")),
            candidate: item.get("candidate").and_then(number).map(|n| n as usize),
        });
    }
    Ok((out, skipped))
}

/// The finding objects of an input `parse_input` accepted (findings may arrive as a JSON string).
fn items(input: &Value) -> Vec<Value> {
    let findings = match input {
        Value::Object(map) => map.get("findings").cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    let findings = match findings {
        Value::String(text) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(mut map)) => map.remove("findings").unwrap_or(Value::Null),
            Ok(other) => other,
            Err(_) => Value::Null,
        },
        other => other,
    };
    match findings {
        Value::Array(items) => items,
        _ => Vec::new(),
    }
}

fn number(value: &Value) -> Option<u32> {
    match value {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn text(value: Option<&Value>) -> String {
    let text = match value {
        Some(Value::String(text)) => text.trim().to_owned(),
        Some(Value::Array(parts)) => {
            parts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n").trim().to_owned()
        }
        _ => String::new(),
    };
    text.chars().take(MAX_TEXT_CHARS).collect()
}

/// Trace steps as objects `{file, line, note}` or strings `"path:line: note"`.
fn trace(value: Option<&Value>) -> Vec<TraceStep> {
    let Some(Value::Array(steps)) = value else { return Vec::new() };
    steps
        .iter()
        .filter_map(|step| match step {
            Value::Object(_) => {
                let file = normalise_path(step.get("file").and_then(Value::as_str)?);
                let line = step.get("line").and_then(number).unwrap_or(0);
                Some(TraceStep { file, line, note: one_line(&text(step.get("note"))) })
            }
            Value::String(line) => {
                let mut parts = line.splitn(3, ':');
                let file = normalise_path(parts.next()?);
                let number = parts.next()?.trim().parse().ok()?;
                Some(TraceStep { file, line: number, note: one_line(parts.next().unwrap_or_default()) })
            }
            _ => None,
        })
        .filter(|step| !step.file.is_empty())
        .take(MAX_TRACE_STEPS)
        .collect()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `./a.py`, `a/a.py`, `b/a.py`, `a.py` → `a.py` (backslashes become slashes).
fn normalise_path(path: &str) -> String {
    let path = path.trim().replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    path.to_owned()
}

/// Why candidates were dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dropped {
    pub unknown_file: usize,
    pub bad_line: usize,
    pub suppressed: usize,
    pub low: usize,
    pub duplicate: usize,
}

impl Dropped {
    pub fn note(&self) -> Option<String> {
        crate::review::validate::dropped_note(
            "commit review",
            &[
                (self.unknown_file, "in a file that is not in the commit"),
                (self.bad_line, "citing a line or code not in the file"),
                (self.suppressed, "on a suppressed line (accepted risk)"),
                (self.low, "of low severity"),
                (self.duplicate, "duplicate"),
            ],
        )
    }
}

/// Checks candidates against the commit's files; `read` returns a file's new-side text (`None` when
/// the commit has no such file). Returns the kept findings, sorted by file and line, with the
/// texts of the files they cite.
pub fn validate(
    candidates: Vec<Candidate>,
    read: impl Fn(&str) -> Option<String>,
    keep_low: bool,
) -> (Vec<AgentFinding>, BTreeMap<String, String>, Dropped) {
    let mut texts: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut dropped = Dropped::default();
    let mut best: BTreeMap<(String, u32, String), AgentFinding> = BTreeMap::new();
    let mut kept = 0usize;
    for candidate in candidates {
        let raw = candidate.raw;
        if raw.severity == ReviewSeverity::Low && !keep_low {
            dropped.low += 1;
            continue;
        }
        let path = candidate_path(&raw.file, &read, &mut texts);
        let Some((path, text)) = path else {
            dropped.unknown_file += 1;
            continue;
        };
        let Some(line) = locate(&text, raw.line, raw.code.as_deref()) else {
            dropped.bad_line += 1;
            continue;
        };
        let count = u32::try_from(text.lines().count()).unwrap_or(u32::MAX);
        let shift = i64::from(line) - i64::from(raw.line);
        let end_line = raw
            .end_line
            .and_then(|end| u32::try_from(i64::from(end) + shift).ok())
            .unwrap_or(line)
            .clamp(line, count.max(line));
        if suppressed::hits(&suppressed::lines(&text), line, end_line) {
            dropped.suppressed += 1;
            continue;
        }
        let finding = ReviewFinding {
            path: path.clone(),
            line,
            end_line,
            severity: raw.severity,
            category: slug(&raw.category),
            cwe: raw.cwe,
            title: one_line(&raw.title),
            explanation: raw.explanation,
            fix: raw.fix,
            confidence: raw.confidence.clamp(0.0, 1.0),
        };
        kept += 1;
        let key = (path, line, finding.category.clone());
        let better = best.get(&key).is_none_or(|existing| {
            (finding.severity, finding.confidence) > (existing.finding.severity, existing.finding.confidence)
        });
        if better {
            best.insert(
                key,
                AgentFinding {
                    finding,
                    trace: candidate.trace,
                    exploit: candidate.exploit,
                    evidence: candidate.evidence,
                },
            );
        }
    }
    dropped.duplicate = kept - best.len();
    let findings: Vec<AgentFinding> = best.into_values().collect();
    let texts = texts
        .into_iter()
        .filter(|(path, _)| findings.iter().any(|f| &f.finding.path == path))
        .filter_map(|(path, text)| Some((path, text?)))
        .collect();
    (findings, texts, dropped)
}

/// The path as the commit knows it and its text: as cited, else without an `a/` or `b/` prefix.
fn candidate_path(
    cited: &str,
    read: &impl Fn(&str) -> Option<String>,
    texts: &mut BTreeMap<String, Option<String>>,
) -> Option<(String, String)> {
    let cited = normalise_path(cited);
    let mut tries = vec![cited.clone()];
    for prefix in ["a/", "b/"] {
        if let Some(rest) = cited.strip_prefix(prefix) {
            tries.push(rest.to_owned());
        }
    }
    for path in tries {
        if path.is_empty() || path.starts_with('/') || path.split('/').any(|part| part == "..") {
            continue;
        }
        let text = texts.entry(path.clone()).or_insert_with(|| read(&path)).clone();
        if let Some(text) = text {
            return Some((path, text));
        }
    }
    None
}

/// The cited line when it exists and (if code was quoted) holds the code; else the nearest line
/// within ±[`RELOCATE_WINDOW`] holding it.
fn locate(text: &str, cited: u32, code: Option<&str>) -> Option<u32> {
    let lines: Vec<&str> = text.lines().collect();
    let count = u32::try_from(lines.len()).unwrap_or(u32::MAX);
    let needle = code.and_then(|code| code.lines().map(one_line).find(|line| !line.is_empty()));
    let Some(needle) = needle else {
        return (1..=count).contains(&cited).then_some(cited);
    };
    let holds = |line: u32| {
        line >= 1
            && lines.get(line as usize - 1).is_some_and(|text| {
                let text = one_line(text);
                text.contains(&needle) || (text.len() >= 8 && needle.contains(&text))
            })
    };
    if holds(cited) {
        return Some(cited);
    }
    (1..=RELOCATE_WINDOW).find_map(|distance| {
        [cited.checked_add(distance), cited.checked_sub(distance)].into_iter().flatten().find(|&l| holds(l))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DB: &str = "def get_invoice(invoice_id):\n    return Invoice.query.get(invoice_id)\n";

    fn read(path: &str) -> Option<String> {
        (path == "app/db.py").then(|| DB.to_owned())
    }

    fn item(file: &str, line: u32, code: &str, severity: &str) -> Value {
        json!({
            "file": file, "line": line, "code": code, "severity": severity, "category": "Authorization",
            "cwe": "CWE-639", "title": "IDOR", "explanation": "e", "fix": "f", "confidence": 0.8,
            "trace": [
                {"file": "app/routes.py", "line": "4", "note": "id from\nthe request"},
                "app/db.py:2: fetched without an owner check",
                {"line": 3}
            ],
            "exploit": "GET /invoices/2 as user 1", "evidence": ["app/db.py:2", "no owner filter"]
        })
    }

    #[test]
    fn traces_exploits_and_evidence_are_read() {
        let (candidates, skipped) = parse_report(
            &json!({"findings": [item("./app/db.py", 2, "Invoice.query.get", "high"), {"bad": 1}]}),
        )
        .unwrap();
        assert_eq!(skipped, 1);
        let candidate = &candidates[0];
        assert_eq!(candidate.raw.file, "./app/db.py");
        assert_eq!(
            candidate.trace,
            [
                TraceStep { file: "app/routes.py".into(), line: 4, note: "id from the request".into() },
                TraceStep {
                    file: "app/db.py".into(),
                    line: 2,
                    note: "fetched without an owner check".into()
                },
            ]
        );
        assert_eq!(candidate.evidence, "app/db.py:2\nno owner filter");
        assert!(parse_report(&json!({"nope": []})).is_err());
        assert_eq!(parse_report(&json!({"findings": []})).unwrap().0.len(), 0);
    }

    #[test]
    fn candidates_are_checked_against_the_commit_files() {
        let (candidates, _) = parse_report(&json!({"findings": [
            item("./app/db.py", 1, "Invoice.query.get", "high"),
            item("b/app/db.py", 2, "", "critical"),
            item("app/missing.py", 1, "", "high"),
            item("../etc/passwd", 1, "", "high"),
            item("app/db.py", 40, "", "high"),
            item("app/db.py", 1, "not in the file", "high"),
            item("app/db.py", 1, "", "low"),
        ]}))
        .unwrap();
        let (findings, texts, dropped) = validate(candidates, read, false);
        assert_eq!(findings.len(), 1, "relocated to line 2 and merged with the critical one");
        assert_eq!(findings[0].finding.line, 2);
        assert_eq!(findings[0].finding.severity, ReviewSeverity::Critical);
        assert_eq!(findings[0].finding.category, "authorization");
        assert_eq!(findings[0].trace.len(), 2);
        assert_eq!(texts.get("app/db.py").map(String::as_str), Some(DB));
        assert_eq!(dropped, Dropped { unknown_file: 2, bad_line: 2, suppressed: 0, low: 1, duplicate: 1 });
    }
}
