//! SARIF 2.1.0 output, for code-scanning dashboards.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::report::Report;
use crate::agent::TraceStep;
use crate::finding::{Layer, Severity};
use crate::rules::{Rule, RuleSet};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

/// GitHub code scanning ranks security results by this 0–10 score.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info | Severity::Hint => "2.0",
    }
}

fn rule_json(rule: &Rule) -> Value {
    let mut tags = vec!["security".to_owned()];
    tags.extend(rule.meta.cwe.iter().cloned());
    let mut value = json!({
        "id": rule.id,
        "name": rule.id,
        "shortDescription": { "text": rule.meta.message },
        "fullDescription": { "text": rule.meta.note.trim() },
        "help": { "text": rule.meta.note.trim(), "markdown": rule.meta.note.trim() },
        "defaultConfiguration": { "level": level(rule.meta.severity) },
        "properties": {
            "tags": tags,
            "precision": match rule.meta.confidence {
                crate::finding::Confidence::High => "high",
                crate::finding::Confidence::Medium => "medium",
                crate::finding::Confidence::Low => "low",
            },
            "security-severity": security_severity(rule.meta.severity),
        },
    });
    if let Some(uri) = rule.help_uri() {
        value["helpUri"] = json!(uri);
    }
    value
}

pub(super) fn report_sarif(report: &Report, rules: &RuleSet) -> Value {
    let mut driver_rules: Vec<Value> = rules.rules().iter().map(rule_json).collect();
    let mut ids: Vec<String> = rules.rules().iter().map(|r| r.id.clone()).collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|located| {
            let finding = &located.finding;
            let index = ids.iter().position(|id| *id == finding.rule).unwrap_or_else(|| {
                // Engine hints (suppression bookkeeping) and the LLM layers' `review.<category>`
                // rules are described on first use.
                ids.push(finding.rule.clone());
                driver_rules.push(if finding.layer == Layer::Pattern {
                    json!({
                        "id": finding.rule,
                        "shortDescription": { "text": finding.message },
                        "defaultConfiguration": { "level": "note" },
                    })
                } else {
                    let mut tags = vec!["security".to_owned(), "llm-review".to_owned()];
                    tags.extend(finding.cwe.iter().cloned());
                    json!({
                        "id": finding.rule,
                        "name": finding.rule,
                        "shortDescription": { "text": format!("LLM review: {}", finding.rule) },
                        "defaultConfiguration": { "level": level(finding.severity) },
                        "properties": {
                            "tags": tags,
                            "security-severity": security_severity(finding.severity),
                        },
                    })
                });
                ids.len() - 1
            });
            let uri = match located.cell {
                Some(_) | None => located.path.replace('\\', "/"),
            };
            let mut result = json!({
                "ruleId": finding.rule,
                "ruleIndex": index,
                "level": level(finding.severity),
                "message": { "text": finding.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": {
                            "startLine": located.line,
                            "startColumn": located.column,
                            "endLine": located.end_line,
                            "endColumn": located.end_column,
                        },
                    },
                }],
                "partialFingerprints": { "sgLsp/v1": finding.fingerprint },
            });
            if let Some(flow) = located.detail.as_ref().and_then(|detail| code_flow(&detail.trace)) {
                result["codeFlows"] = json!([flow]);
            }
            result
        })
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": { "text": format!("{}: {}", e.path, e.message) },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "sg-lsp",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": driver_rules,
                },
            },
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

/// A commit-review trace as a SARIF code flow: one thread flow, a location per step with its note
/// (`None` without steps).
fn code_flow(trace: &[TraceStep]) -> Option<Value> {
    if trace.is_empty() {
        return None;
    }
    let locations: Vec<Value> = trace
        .iter()
        .enumerate()
        .map(|(index, step)| {
            let mut physical = json!({ "artifactLocation": { "uri": step.file.replace('\\', "/") } });
            if step.line > 0 {
                physical["region"] = json!({ "startLine": step.line });
            }
            json!({
                "executionOrder": index + 1,
                "location": { "physicalLocation": physical, "message": { "text": step.note } },
            })
        })
        .collect();
    Some(json!({ "threadFlows": [{ "locations": locations }] }))
}

pub(super) fn write(out: &mut impl Write, report: &Report, rules: &RuleSet) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &report_sarif(report, rules))?;
    writeln!(out)
}
