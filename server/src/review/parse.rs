//! Reading the model's answer: the `report_findings` tool input, tolerant of small deviations
//! (numbers as strings, `cwe` as a list, findings sent as a JSON string) and never panicking. A missing
//! tool call or a malformed input is a `bad_response` error; one malformed finding is skipped.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ReviewSeverity;
use super::prompt::TOOL_NAME;
use crate::llm::{FailureCode, LlmError, MessagesResponse, StopReason};

/// A finding as the model reported it, before it is checked against the files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RawFinding {
    pub file: String,
    pub line: u32,
    pub end_line: Option<u32>,
    pub code: Option<String>,
    pub severity: ReviewSeverity,
    pub category: String,
    pub cwe: Vec<String>,
    pub title: String,
    pub explanation: String,
    pub fix: String,
    pub confidence: f64,
}

/// The findings of one answer, and how many entries were malformed and skipped.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    pub findings: Vec<RawFinding>,
    pub skipped: usize,
}

/// Reads the `report_findings` call of `response`.
pub fn parse_response(response: &MessagesResponse) -> Result<Parsed, LlmError> {
    match response.tool_input(TOOL_NAME) {
        Some(input) => parse_input(input),
        None if response.stop_reason == Some(StopReason::Refusal) => {
            Err(LlmError::new(FailureCode::Refused, "the model refused to review the change"))
        }
        None if response.stop_reason == Some(StopReason::MaxTokens) => Err(LlmError::new(
            FailureCode::BadResponse,
            "the answer was cut off at max_tokens before report_findings was called",
        )),
        None => Err(LlmError::new(FailureCode::BadResponse, "the model did not call report_findings")),
    }
}

/// Reads a `report_findings` input.
pub fn parse_input(input: &Value) -> Result<Parsed, LlmError> {
    let bad = |why: &str| {
        LlmError::new(FailureCode::BadResponse, format!("malformed report_findings input: {why}"))
    };
    let findings = match input {
        Value::Object(map) => map.get("findings").ok_or_else(|| bad("no \"findings\""))?,
        Value::Array(_) => input,
        _ => return Err(bad("not an object")),
    };
    let reparsed;
    let findings = match findings {
        Value::String(text) => {
            reparsed = serde_json::from_str::<Value>(text).map_err(|_| bad("\"findings\" is not JSON"))?;
            reparsed.get("findings").unwrap_or(&reparsed)
        }
        Value::Null => return Ok(Parsed::default()),
        other => other,
    };
    let Value::Array(items) = findings else { return Err(bad("\"findings\" is not a list")) };
    let mut parsed = Parsed::default();
    for item in items {
        match finding(item) {
            Some(finding) => parsed.findings.push(finding),
            None => parsed.skipped += 1,
        }
    }
    Ok(parsed)
}

fn finding(item: &Value) -> Option<RawFinding> {
    let text =
        |key: &str| item.get(key).and_then(Value::as_str).map(str::trim).unwrap_or_default().to_owned();
    let file = text("file");
    let line = number(item.get("line")?)?;
    if file.is_empty() || line == 0 {
        return None;
    }
    let severity = ReviewSeverity::parse(item.get("severity").and_then(Value::as_str).unwrap_or("medium"))?;
    let cwe = match item.get("cwe") {
        Some(Value::String(one)) => cwe_list(one),
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).flat_map(cwe_list).collect(),
        Some(Value::Number(n)) => vec![format!("CWE-{n}")],
        _ => Vec::new(),
    };
    let confidence = item
        .get("confidence")
        .and_then(|value| value.as_f64().or_else(|| value.as_str().and_then(|s| s.trim().parse().ok())))
        .filter(|c| c.is_finite())
        .map_or(0.5, |c| if c > 1.0 && c <= 100.0 { c / 100.0 } else { c.clamp(0.0, 1.0) });
    let title = text("title");
    let category = text("category");
    if title.is_empty() && category.is_empty() {
        return None;
    }
    Some(RawFinding {
        file,
        line,
        end_line: item.get("end_line").and_then(number).filter(|&end| end > 0),
        code: item
            .get("code")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .filter(|code| !code.trim().is_empty()),
        severity,
        category: if category.is_empty() { "other".into() } else { category },
        cwe,
        title: if title.is_empty() { text("category") } else { title },
        explanation: text("explanation"),
        fix: text("fix"),
        confidence,
    })
}

fn number(value: &Value) -> Option<u32> {
    match value {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `"CWE-78"`, `"cwe-78, CWE-77"`, `"78"` → `["CWE-78", ...]`.
fn cwe_list(text: &str) -> Vec<String> {
    text.split([',', ' ', ';'])
        .filter_map(|part| {
            let digits = part.trim().to_ascii_uppercase();
            let digits = digits.strip_prefix("CWE-").unwrap_or(&digits);
            (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
                .then(|| format!("CWE-{digits}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::ContentBlock;
    use serde_json::json;

    fn response(content: Vec<ContentBlock>, stop: StopReason) -> MessagesResponse {
        MessagesResponse {
            id: "msg".into(),
            model: "m".into(),
            content,
            stop_reason: Some(stop),
            usage: crate::llm::Usage::default(),
        }
    }

    fn tool_use(input: Value) -> ContentBlock {
        ContentBlock::ToolUse { id: "t".into(), name: TOOL_NAME.into(), input }
    }

    #[test]
    fn a_well_formed_answer_is_read() {
        let parsed = parse_input(&json!({"findings": [{
            "file": "a.py", "line": 3, "end_line": 4, "code": "eval(x)", "severity": "high",
            "category": "code-injection", "cwe": "CWE-95", "title": "eval of input",
            "explanation": "x comes from the request", "fix": "use ast.literal_eval", "confidence": 0.9
        }]}))
        .unwrap();
        assert_eq!(parsed.skipped, 0);
        let finding = &parsed.findings[0];
        assert_eq!((finding.line, finding.end_line), (3, Some(4)));
        assert_eq!(finding.severity, ReviewSeverity::High);
        assert_eq!(finding.cwe, ["CWE-95"]);
    }

    #[test]
    fn small_deviations_are_tolerated() {
        let parsed = parse_input(&json!({"findings": "[{\"file\":\"a.py\",\"line\":\"7\",\"severity\":\"CRITICAL\",\"category\":\"x\",\"title\":\"t\",\"cwe\":[\"cwe-78\",\"77\"],\"confidence\":\"85\"}]"}))
            .unwrap();
        let finding = &parsed.findings[0];
        assert_eq!(finding.line, 7);
        assert_eq!(finding.severity, ReviewSeverity::Critical);
        assert_eq!(finding.cwe, ["CWE-78", "CWE-77"]);
        assert!((finding.confidence - 0.85).abs() < 1e-9);
        assert_eq!(parse_input(&json!({"findings": null})).unwrap(), Parsed::default());
    }

    #[test]
    fn malformed_findings_are_skipped_and_malformed_inputs_are_errors() {
        let parsed = parse_input(&json!({"findings": [
            {"file": "a.py"},
            {"file": "", "line": 1, "title": "t"},
            {"file": "a.py", "line": -1, "title": "t"},
            {"file": "a.py", "line": 2, "title": "t", "severity": "catastrophic"},
            "not an object",
            {"file": "a.py", "line": 2, "title": "ok", "category": "xss"}
        ]}))
        .unwrap();
        assert_eq!(parsed.skipped, 5);
        assert_eq!(parsed.findings.len(), 1);
        for input in [
            json!(42),
            json!("text"),
            json!({"items": []}),
            json!({"findings": {"a": 1}}),
            json!({"findings": "{not json"}),
        ] {
            let error = parse_input(&input).unwrap_err();
            assert_eq!(error.code, FailureCode::BadResponse, "{input}");
        }
    }

    #[test]
    fn a_missing_tool_call_or_a_refusal_is_an_error() {
        let text = ContentBlock::Text { text: "no issues".into(), cache_control: None };
        let error = parse_response(&response(vec![text.clone()], StopReason::EndTurn)).unwrap_err();
        assert_eq!(error.code, FailureCode::BadResponse);
        let error = parse_response(&response(vec![], StopReason::Refusal)).unwrap_err();
        assert_eq!(error.code, FailureCode::Refused);
        let ok =
            parse_response(&response(vec![text, tool_use(json!({"findings": []}))], StopReason::ToolUse))
                .unwrap();
        assert!(ok.findings.is_empty());
    }
}
