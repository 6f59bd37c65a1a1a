//! Human output: rustc/ruff style, the source line with a caret under the finding.

use std::io::{self, Write};

use annotate_snippets::{Level, Renderer, Snippet};

use super::report::{Located, Report};
use crate::finding::Severity;
use crate::text::LineIndex;

pub(super) fn write(out: &mut impl Write, report: &Report, color: bool) -> io::Result<()> {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    for located in &report.findings {
        render_finding(out, located, &renderer)?;
    }
    for note in &report.skipped {
        writeln!(out, "note: {}: {}", note.path, note.message)?;
    }
    for error in &report.errors {
        writeln!(out, "error: {}: {}", error.path, error.message)?;
    }
    writeln!(out, "{}", summary(report))
}

fn level(severity: Severity) -> Level {
    match severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Info,
        Severity::Hint => Level::Help,
    }
}

fn render_finding(out: &mut impl Write, located: &Located, renderer: &Renderer) -> io::Result<()> {
    let finding = &located.finding;
    let text: &str = &located.text;
    let index = LineIndex::new(text);
    let first = index.line_of(finding.span.start);
    let last = index.line_of(finding.span.end.saturating_sub(1).max(finding.span.start));
    let window = index.line_range(text, first).start..index.line_range(text, last).end;
    let source = &text[window.clone()];
    let span = finding.span.start - window.start..finding.span.end.min(window.end) - window.start;
    let origin = match located.cell {
        Some(cell) => format!("{}:cell {cell}", located.path),
        None => located.path.clone(),
    };
    let level = level(finding.severity);
    let cwe = finding.cwe.join(", ");
    let mut message = level.title(&finding.message).id(&finding.rule).snippet(
        Snippet::source(source)
            .line_start(located.line)
            .origin(&origin)
            .fold(true)
            .annotation(level.span(span)),
    );
    if !cwe.is_empty() {
        message = message.footer(Level::Note.title(&cwe));
    }
    writeln!(out, "{}", renderer.render(message))?;
    if let Some(detail) = located.detail.as_ref().filter(|detail| !detail.trace.is_empty()) {
        writeln!(out, "  = trace:")?;
        for (index, step) in detail.trace.iter().enumerate() {
            writeln!(out, "      {}. {}:{}  {}", index + 1, step.file, step.line, step.note)?;
        }
    }
    if let Some(detail) = located.detail.as_ref().filter(|detail| !detail.exploit.is_empty()) {
        writeln!(out, "  = exploit: {}", detail.exploit)?;
    }
    writeln!(out)
}

fn summary(report: &Report) -> String {
    let count =
        |severity: Severity| report.findings.iter().filter(|f| f.finding.severity == severity).count();
    let findings = report.findings.len();
    let mut parts = Vec::new();
    for (severity, name) in [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Info, "info"),
        (Severity::Hint, "hint"),
    ] {
        let n = count(severity);
        if n > 0 {
            parts.push(format!("{n} {name}{}", if n == 1 || name == "info" { "" } else { "s" }));
        }
    }
    let detail = if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) };
    let files = report.stats.files;
    format!(
        "{} finding{}{detail} in {files} file{} ({} bytes)",
        if findings == 0 { "No".to_owned() } else { findings.to_string() },
        if findings == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" },
        report.stats.bytes,
    )
}
