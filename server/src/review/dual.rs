//! Sending the review: one request, or with `SG_DUAL_OR=on` two identical requests in parallel whose
//! findings are unioned (de-duplicated after validation by file, line and category). One of the two
//! failing is a note; both failing is the first error.

use super::ReviewError;
use super::parse::{RawFinding, parse_response};
use crate::llm::{Exchange, LlmError, Messages, MessagesRequest, Usage};

/// What the model said over one or two calls.
#[derive(Clone, Debug, Default)]
pub struct Answer {
    pub findings: Vec<RawFinding>,
    pub usage: Usage,
    pub cost_usd: Option<f64>,
    /// HTTP requests made (retries included).
    pub attempts: u32,
    pub bytes_sent: usize,
    pub notes: Vec<String>,
}

/// Sends `request` once, or twice in parallel when `dual`.
pub async fn run<M: Messages>(
    model: &M,
    request: &MessagesRequest,
    dual: bool,
) -> Result<Answer, ReviewError> {
    if !dual {
        let exchange = model.send(request).await.map_err(ReviewError::Llm)?;
        let mut answer = Answer::default();
        add(&mut answer, &exchange);
        let parsed = parse_response(&exchange.response).map_err(ReviewError::Llm)?;
        answer.findings = parsed.findings;
        skipped_note(&mut answer, parsed.skipped);
        return Ok(answer);
    }
    let (first, second) = tokio::join!(model.send(request), model.send(request));
    union(first, second)
}

/// Combines two outcomes: the union of the findings, summed usage and cost.
pub fn union(
    first: Result<Exchange, LlmError>,
    second: Result<Exchange, LlmError>,
) -> Result<Answer, ReviewError> {
    let mut answer = Answer::default();
    let mut errors = Vec::new();
    let mut successes = 0;
    for outcome in [first, second] {
        let parsed = outcome.and_then(|exchange| {
            add(&mut answer, &exchange);
            parse_response(&exchange.response)
        });
        match parsed {
            Ok(parsed) => {
                successes += 1;
                answer.findings.extend(parsed.findings);
                skipped_note(&mut answer, parsed.skipped);
            }
            Err(error) => errors.push(error),
        }
    }
    if successes == 0 {
        return Err(ReviewError::Llm(errors.swap_remove(0)));
    }
    if let Some(error) = errors.first() {
        answer.notes.push(format!("dual review: one of the two reviews failed ({})", error.code.as_str()));
    }
    Ok(answer)
}

fn add(answer: &mut Answer, exchange: &Exchange) {
    answer.usage.add(exchange.response.usage);
    answer.attempts += exchange.attempts;
    answer.bytes_sent += exchange.bytes_sent;
    if let Some(cost) = exchange.cost_usd {
        *answer.cost_usd.get_or_insert(0.0) += cost;
    }
}

fn skipped_note(answer: &mut Answer, skipped: usize) {
    if skipped > 0 {
        answer.notes.push(format!("{skipped} malformed review findings ignored"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::{ContentBlock, FailureCode, MessagesResponse, StopReason};
    use crate::review::validate::{FileContext, validate};
    use serde_json::json;
    use std::collections::BTreeSet;
    use std::time::Duration;

    #[allow(clippy::needless_pass_by_value, clippy::unnecessary_wraps)] // reads like the real call
    fn exchange(findings: serde_json::Value) -> Result<Exchange, LlmError> {
        Ok(Exchange {
            response: MessagesResponse {
                id: "m".into(),
                model: "m".into(),
                content: vec![ContentBlock::ToolUse {
                    id: "t".into(),
                    name: "report_findings".into(),
                    input: json!({"findings": findings}),
                }],
                stop_reason: Some(StopReason::ToolUse),
                usage: Usage { input_tokens: 100, output_tokens: 10, ..Usage::default() },
            },
            attempts: 1,
            latency: Duration::ZERO,
            bytes_sent: 1000,
            cost_usd: Some(0.5),
        })
    }

    fn finding(line: u32, category: &str) -> serde_json::Value {
        json!({"file": "a.py", "line": line, "severity": "high", "category": category, "title": "t", "explanation": "e", "fix": "f", "confidence": 0.9})
    }

    #[test]
    fn two_answers_are_unioned_and_deduplicated() {
        let answer = union(
            exchange(json!([finding(1, "sql-injection"), finding(2, "xss")])),
            exchange(json!([finding(1, "SQL injection"), finding(3, "ssrf")])),
        )
        .unwrap();
        assert_eq!(answer.findings.len(), 4);
        assert_eq!(answer.usage.input_tokens, 200);
        assert_eq!(answer.attempts, 2);
        assert_eq!(answer.cost_usd, Some(1.0));
        let file = FileContext {
            path: "a.py".into(),
            text: "a\nb\nc\n".into(),
            added: BTreeSet::from([1, 2, 3]),
            suppressed: BTreeSet::new(),
        };
        let (kept, dropped) = validate(answer.findings, &[file], false);
        let keys: Vec<(u32, &str)> = kept.iter().map(|f| (f.line, f.category.as_str())).collect();
        assert_eq!(keys, [(1, "sql-injection"), (2, "xss"), (3, "ssrf")]);
        assert_eq!(dropped.duplicate, 1);
    }

    #[test]
    fn one_failure_is_a_note_and_two_are_an_error() {
        let failed = || Err(LlmError::new(FailureCode::Overloaded, "busy"));
        let answer = union(failed(), exchange(json!([finding(1, "xss")]))).unwrap();
        assert_eq!(answer.findings.len(), 1);
        assert!(answer.notes[0].contains("overloaded"));
        let error = union(failed(), failed()).unwrap_err();
        assert!(matches!(error, ReviewError::Llm(LlmError { code: FailureCode::Overloaded, .. })));
    }
}
