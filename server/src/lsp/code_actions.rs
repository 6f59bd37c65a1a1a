//! Code actions: the rule's quick fix, "fix all in file", "suppress on this line", and removing an
//! unused suppression.

use std::collections::HashMap;
use std::ops::Range;

use serde_json::{Value, json};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Command, Diagnostic, DocumentChanges,
    OneOf, OptionalVersionedTextDocumentIdentifier, Position, Range as LspRange, ShowDocumentParams,
    TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use super::diagnostics::fingerprint_of;
use super::position;
use super::scheduler::Snapshot;
use crate::finding::{Edit, Finding};
use crate::language::Language;
use crate::text;

/// The kind of the "fix all" action, under `source.fixAll` so editors can run it on save.
pub(super) const FIX_ALL: &str = "source.fixAll.sg-lsp";
/// The kind of the "Review changes" action (a command, not an edit).
pub(super) const REVIEW_ACTION: &str = "source.sg-lsp.review";
/// The command a "suppress on this line" action runs after its edit: arguments `[uri, position]`; the
/// server answers with `window/showDocument`, putting the cursor where the reason goes.
pub(super) const PLACE_CURSOR: &str = "sg-lsp.placeCursor";

/// "Review changes" and "Review commit": run the review commands when the requested kinds allow it.
pub(super) fn review_actions(params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    let wanted = params.context.only.as_deref().is_none_or(|only| {
        only.iter().any(|asked| {
            REVIEW_ACTION == asked.as_str() || REVIEW_ACTION.starts_with(&format!("{}.", asked.as_str()))
        })
    });
    if !wanted {
        return Vec::new();
    }
    [
        ("Review changes with sg-lsp (LLM)", super::review::REVIEW_CHANGES),
        ("Review commit with sg-lsp (agent)", super::commit_review::REVIEW_COMMIT),
    ]
    .into_iter()
    .map(|(title, command)| {
        CodeActionOrCommand::CodeAction(CodeAction {
            title: title.into(),
            kind: Some(CodeActionKind::new(REVIEW_ACTION)),
            command: Some(Command { title: title.into(), command: command.into(), arguments: None }),
            ..CodeAction::default()
        })
    })
    .collect()
}

/// The actions at `params.range`; `place_cursor` (the client opens documents on `window/showDocument`)
/// gives "suppress on this line" the command that puts the cursor on the reason.
pub(super) fn code_actions(
    snapshot: &Snapshot,
    params: &CodeActionParams,
    place_cursor: bool,
) -> Vec<CodeActionOrCommand> {
    let only = params.context.only.as_deref();
    let wants = |kind: &str| {
        only.is_none_or(|only| {
            only.iter()
                .any(|asked| kind == asked.as_str() || kind.starts_with(&format!("{}.", asked.as_str())))
        })
    };
    let requested = position::byte_range(&snapshot.rope, params.range, snapshot.encoding);
    // The client's own diagnostics, so an action names the diagnostic it resolves.
    let sent: HashMap<String, &Diagnostic> =
        params.context.diagnostics.iter().filter_map(|d| Some((fingerprint_of(d)?, d))).collect();
    let findings = &snapshot.result.findings;

    let mut actions = Vec::new();
    let mut here_fixable = false;
    for finding in findings.iter().filter(|f| overlaps(&f.span, &requested)) {
        let diagnostics = sent.get(&finding.fingerprint).map(|d| vec![(*d).clone()]);
        if let Some(fix) = &finding.fix
            && wants(CodeActionKind::QUICKFIX.as_str())
        {
            here_fixable |= !is_bookkeeping(finding);
            actions.push(action(
                snapshot,
                fix.title.clone(),
                CodeActionKind::QUICKFIX,
                &fix.edits,
                diagnostics.clone(),
                true,
            ));
        }
        if !is_bookkeeping(finding) && wants(CodeActionKind::QUICKFIX.as_str()) {
            let title = format!("Suppress {} on this line", finding.rule);
            let (edit, reason_at) = suppression(snapshot, finding);
            let mut suppress = action(snapshot, title, CodeActionKind::QUICKFIX, &[edit], diagnostics, false);
            if place_cursor && let CodeActionOrCommand::CodeAction(suppress) = &mut suppress {
                suppress.command = Some(Command {
                    title: "Write the reason".into(),
                    command: PLACE_CURSOR.into(),
                    arguments: Some(vec![json!(snapshot.uri), json!(reason_at)]),
                });
            }
            actions.push(suppress);
        }
    }

    let fixable: Vec<&Finding> = findings.iter().filter(|f| f.fix.is_some() && !is_bookkeeping(f)).collect();
    let asked_for_fix_all = only.is_some_and(|_| wants(FIX_ALL));
    if !fixable.is_empty() && (asked_for_fix_all || (here_fixable && fixable.len() > 1 && wants(FIX_ALL))) {
        let edits =
            non_overlapping(fixable.iter().flat_map(|f| f.fix.iter().flat_map(|fix| fix.edits.iter())));
        let title = format!("Fix all sg-lsp findings in this file ({})", fixable.len());
        actions.push(action(snapshot, title, CodeActionKind::new(FIX_ALL), &edits, None, false));
    }
    actions
}

/// Suppression hints (`sg.*`) are not findings to fix or suppress; their only fix removes the comment.
fn is_bookkeeping(finding: &Finding) -> bool {
    finding.rule.starts_with("sg.")
}

fn overlaps(span: &Range<usize>, requested: &Range<usize>) -> bool {
    span.start <= requested.end && requested.start <= span.end
}

fn action(
    snapshot: &Snapshot,
    title: String,
    kind: CodeActionKind,
    edits: &[Edit],
    diagnostics: Option<Vec<Diagnostic>>,
    preferred: bool,
) -> CodeActionOrCommand {
    let edits = edits
        .iter()
        .map(|edit| {
            OneOf::Left(TextEdit {
                range: position::range(&snapshot.rope, &edit.range, snapshot.encoding),
                new_text: edit.text.clone(),
            })
        })
        .collect();
    // Versioned, so a client whose text moved on refuses the edit instead of misapplying it.
    let document_edit = TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier {
            uri: snapshot.uri.clone(),
            version: Some(snapshot.result.version),
        },
        edits,
    };
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        diagnostics,
        edit: Some(WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![document_edit])),
            ..WorkspaceEdit::default()
        }),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    })
}

/// Edits sorted by position, dropping any that overlaps one already taken (two fixes of one call).
fn non_overlapping<'e>(edits: impl Iterator<Item = &'e Edit>) -> Vec<Edit> {
    let mut edits: Vec<&Edit> = edits.collect();
    edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut kept: Vec<Edit> = Vec::new();
    for edit in edits {
        // Two insertions at one point have no order to keep either; the first wins.
        let clashes = |last: &Edit| {
            edit.range.start < last.range.end || (edit.range.is_empty() && last.range == edit.range)
        };
        if kept.last().is_some_and(clashes) {
            continue;
        }
        kept.push(edit.clone());
    }
    kept
}

/// The `window/showDocument` that [`PLACE_CURSOR`] asks for, from its arguments.
pub(super) fn place_cursor(arguments: &[Value]) -> Option<ShowDocumentParams> {
    let [uri, position] = arguments else { return None };
    let uri: Uri = serde_json::from_value(uri.clone()).ok()?;
    let position: Position = serde_json::from_value(position.clone()).ok()?;
    Some(ShowDocumentParams {
        uri,
        external: None,
        take_focus: Some(true),
        selection: Some(LspRange::new(position, position)),
    })
}

/// A comment line above the finding's line, indented like it: `# sg-ignore[ID]: ` with the reason to
/// write after the colon. Also where the reason goes once the edit is applied.
fn suppression(snapshot: &Snapshot, finding: &Finding) -> (Edit, Position) {
    let rope = &snapshot.rope;
    let line = rope.byte_to_line(finding.span.start.min(rope.len_bytes()));
    let start = rope.line_to_byte(line);
    let line_text: String = rope.line(line).chars().collect();
    let indent: String = line_text.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    let newline = if line_text.ends_with("\r\n") {
        "\r\n"
    } else if line_text.ends_with('\r') {
        "\r"
    } else {
        "\n"
    };
    let (open, close) = comment_syntax(snapshot);
    let before_reason = format!("{indent}{open} sg-ignore[{}]: ", finding.rule);
    // The comment takes the finding's line number; the cursor goes after the colon and space.
    let column = text::column_width(&before_reason, snapshot.encoding);
    let reason_at =
        Position::new(u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column).unwrap_or(0));
    let edit = Edit { range: start..start, text: format!("{before_reason}{close}{newline}") };
    (edit, reason_at)
}

/// How to write a line comment in this document: code languages know; for other files, HTML-like
/// formats take `<!-- -->` and the rest `#` (`.env`, YAML, TOML, shell).
fn comment_syntax(snapshot: &Snapshot) -> (&'static str, &'static str) {
    if snapshot.language != Language::Text {
        return (snapshot.language.line_comment(), "");
    }
    let extension = snapshot
        .path
        .as_deref()
        .and_then(|path| path.extension())
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "md" | "markdown" | "html" | "htm" | "xml" | "svg" | "vue" => ("<!--", "-->"),
        _ => ("#", ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(range: Range<usize>, text: &str) -> Edit {
        Edit { range, text: text.into() }
    }

    #[test]
    fn overlapping_fix_edits_keep_the_first() {
        let edits = [edit(10..12, "b"), edit(0..4, "a"), edit(2..3, "x"), edit(4..4, "i"), edit(4..4, "j")];
        let kept = non_overlapping(edits.iter());
        assert_eq!(kept, [edit(0..4, "a"), edit(4..4, "i"), edit(10..12, "b")]);
    }
}
