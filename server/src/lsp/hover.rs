//! Hover on a finding: what is dangerous, why, the safe alternative (the rule's note) and the CWE link.

use std::fmt::Write;

use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::position;
use super::scheduler::Snapshot;

/// The hover at `at`: every finding whose span holds that position.
pub(super) fn hover(snapshot: &Snapshot, at: Position) -> Option<Hover> {
    let offset = position::offset(&snapshot.rope, at, snapshot.encoding);
    let here: Vec<_> = snapshot
        .result
        .findings
        .iter()
        .filter(|finding| finding.span.start <= offset && offset <= finding.span.end)
        .collect();
    let first = here.first()?;
    let mut span = first.span.clone();
    let mut sections = Vec::new();
    for finding in &here {
        span = span.start.min(finding.span.start)..span.end.max(finding.span.end);
        let rule = snapshot.rules.get(&finding.rule);
        let mut section = format!("**{}** · {}", finding.rule, finding.severity);
        if !finding.cwe.is_empty() {
            let _ = write!(section, " · {}", finding.cwe.join(", "));
        }
        let _ = write!(section, "\n\n{}", finding.message);
        if let Some(rule) = rule {
            let note = rule.meta.note.trim();
            if !note.is_empty() {
                let _ = write!(section, "\n\n{note}");
            }
            if let (Some(cwe), Some(link)) = (finding.cwe.first(), rule.help_uri()) {
                let _ = write!(section, "\n\n[{cwe}]({link})");
            }
        }
        if finding.fix.is_some() {
            section.push_str("\n\nA quick fix is available.");
        }
        sections.push(section);
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: sections.join("\n\n---\n\n"),
        }),
        range: Some(position::range(&snapshot.rope, &span, snapshot.encoding)),
    })
}
