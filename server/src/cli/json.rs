//! JSON output (SPEC §2): `{version, findings, errors, stats}`.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::report::{Located, Report};
use crate::finding::Layer;

/// `pattern`, `review` or `commit-review` (SPEC §2).
fn layer_name(layer: Layer) -> &'static str {
    match layer {
        Layer::Pattern => "pattern",
        Layer::Review => "review",
        Layer::CommitReview => "commit-review",
    }
}

pub(super) fn finding_json(located: &Located) -> Value {
    let finding = &located.finding;
    let mut value = json!({
        "path": located.path,
        "line": located.line,
        "column": located.column,
        "end_line": located.end_line,
        "end_column": located.end_column,
        "rule": finding.rule,
        "severity": finding.severity.public_name(),
        "confidence": finding.confidence.as_str(),
        "cwe": finding.cwe,
        "message": finding.message,
        "layer": layer_name(finding.layer),
        "fingerprint": finding.fingerprint,
    });
    if let Some(cell) = located.cell {
        value["cell"] = json!(cell);
    }
    // Commit review: extra fields; the SPEC's fields above are unchanged.
    if let Some(detail) = &located.detail {
        value["trace"] = json!(detail.trace);
        value["exploit"] = json!(detail.exploit);
        value["evidence"] = json!(detail.evidence);
    }
    value
}

pub(super) fn report_json(report: &Report) -> Value {
    let errors: Vec<Value> =
        report.errors.iter().map(|e| json!({ "path": e.path, "message": e.message })).collect();
    let skipped: Vec<Value> =
        report.skipped.iter().map(|e| json!({ "path": e.path, "reason": e.message })).collect();
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "findings": report.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "errors": errors,
        "skipped": skipped,
        "stats": {
            "files": report.stats.files,
            "bytes": report.stats.bytes,
            "elapsed_ms": report.stats.elapsed_ms,
        },
    })
}

pub(super) fn write(out: &mut impl Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &report_json(report))?;
    writeln!(out)
}
