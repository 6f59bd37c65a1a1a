//! One open document: its text as a rope, its version, and the syntax tree kept in step with every edit
//! (`tree.edit`), so the next parse reuses the old tree.

use std::path::PathBuf;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::{Diagnostic, TextDocumentContentChangeEvent};
use tree_sitter::{InputEdit, Point, Tree};

use super::position;
use crate::finding::Finding;
use crate::language::Language;
use crate::rules::RuleSet;
use crate::scan::ScanMemory;
use crate::scan::ranged::TextChange;
use crate::text::Encoding;

/// Findings of one scan, for the version they were computed on.
#[derive(Debug)]
pub(super) struct ScanResult {
    pub version: i32,
    pub findings: Vec<Finding>,
}

#[derive(Debug)]
pub(super) struct Document {
    pub path: Option<PathBuf>,
    pub language: Language,
    pub rope: Rope,
    pub version: i32,
    /// Which `didOpen` this is (a scan task serves one incarnation).
    pub incarnation: u64,
    /// When the document was last opened or edited (a session-wide counter).
    pub touched: u64,
    /// The last whole-file parse with every edit since applied; `None` before the first parse or after
    /// a full replacement.
    pub tree: Option<Tree>,
    /// What the last stored scan learnt (and the rules it ran), for a ranged rescan of the next edit.
    pub memory: Option<(Arc<RuleSet>, Arc<ScanMemory>)>,
    /// Every edit since the text of `memory`, as one change.
    pub pending: Option<TextChange>,
    /// The latest scan whose version was current when it finished.
    pub result: Option<Arc<ScanResult>>,
    /// A scan task is running for this document.
    pub scanning: bool,
    /// The text changed since the running scan took its snapshot.
    pub dirty: bool,
    /// The user was told this document is too large for the syntax rules.
    pub said_too_large: bool,
    /// Findings of the last LLM review of this file (source `sg-lsp/review`), published with the
    /// pattern findings, moved along by edits above them and dropped when their lines are edited.
    pub review: Vec<Diagnostic>,
}

impl Document {
    pub fn new(path: Option<PathBuf>, language: Language, text: &str, version: i32) -> Self {
        Document {
            path,
            language,
            rope: Rope::from_str(text),
            version,
            incarnation: 0,
            touched: 0,
            tree: None,
            memory: None,
            pending: None,
            result: None,
            scanning: false,
            dirty: true,
            said_too_large: false,
            review: Vec::new(),
        }
    }

    /// Applies one change event in `encoding`, editing the syntax tree to match.
    pub fn apply(&mut self, change: &TextDocumentContentChangeEvent, encoding: Encoding) {
        let Some(range) = change.range else {
            self.rope = Rope::from_str(&change.text);
            self.tree = None;
            self.forget_scan();
            self.review.clear();
            return;
        };
        let bytes = position::byte_range(&self.rope, range, encoding);
        let (first_line, old_last_line) =
            (self.rope.byte_to_line(bytes.start), self.rope.byte_to_line(bytes.end));
        let start_position = self.point(bytes.start);
        let old_end_position = self.point(bytes.end);
        let start_char = self.rope.byte_to_char(bytes.start);
        self.rope.remove(start_char..self.rope.byte_to_char(bytes.end));
        self.rope.insert(start_char, &change.text);
        let new_end_byte = bytes.start + change.text.len();
        let new_end_position = self.point(new_end_byte);
        let edit = TextChange { start: bytes.start, old_end: bytes.end, new_end: new_end_byte };
        self.pending = Some(self.pending.map_or(edit, |earlier| earlier.then(edit)));
        self.move_review(first_line, old_last_line, self.rope.byte_to_line(new_end_byte));
        if let Some(tree) = &mut self.tree {
            tree.edit(&InputEdit {
                start_byte: bytes.start,
                old_end_byte: bytes.end,
                new_end_byte,
                start_position,
                old_end_position,
                new_end_position,
            });
        }
    }

    /// Drops the syntax tree's companion scan memory: the next scan is a whole-file one.
    pub fn forget_scan(&mut self) {
        self.memory = None;
        self.pending = None;
    }

    /// Review findings on lines `first..=old_last` were edited: drop them (the model judged code that is
    /// gone); those below move by the number of lines the edit added or removed.
    fn move_review(&mut self, first: usize, old_last: usize, new_last: usize) {
        if self.review.is_empty() {
            return;
        }
        self.review.retain_mut(|diagnostic| {
            let (start, end) = (diagnostic.range.start.line as usize, diagnostic.range.end.line as usize);
            if end < first {
                return true;
            }
            if start <= old_last {
                return false;
            }
            // Lines after the edit: `line - old_last + new_last`, never below the edit.
            let shift = |line: u32| (line as usize - old_last + new_last) as u32;
            diagnostic.range.start.line = shift(diagnostic.range.start.line);
            diagnostic.range.end.line = shift(diagnostic.range.end.line);
            true
        });
    }

    /// Sets the version. Versions should only grow; a client that goes back is logged and followed.
    pub fn set_version(&mut self, version: i32) {
        if version < self.version {
            tracing::warn!(old = self.version, new = version, "document version went backwards");
        }
        self.version = version;
    }

    /// Tree-sitter's point (row, byte column) of a byte offset.
    fn point(&self, offset: usize) -> Point {
        let row = self.rope.byte_to_line(offset);
        Point::new(row, offset - self.rope.line_to_byte(row))
    }

    /// The latest findings if they are for the current text.
    pub fn current_result(&self) -> Option<Arc<ScanResult>> {
        self.result.clone().filter(|result| result.version == self.version)
    }
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::ls_types::{Position, Range};

    use super::*;

    fn change(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(start.0, start.1), Position::new(end.0, end.1))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn incremental_edits_in_each_encoding() {
        // "😀" is 4 UTF-8 bytes, 2 UTF-16 units, 1 code point; the edit replaces "b" after it.
        for (encoding, column) in [(Encoding::Utf8, 5), (Encoding::Utf16, 3), (Encoding::CodePoints, 2)] {
            let mut document = Document::new(None, Language::Text, "a😀b\r\n中文\n", 1);
            document.apply(&change((0, column), (0, column + 1), "B"), encoding);
            document.apply(&change((1, 0), (1, 0), "x"), encoding);
            assert_eq!(document.rope.to_string(), "a😀B\r\nx中文\n", "{encoding:?}");
        }
    }

    #[test]
    fn edits_keep_the_tree_in_step_with_the_text() {
        let text = "import os\nos.system(cmd)\n";
        let mut document = Document::new(None, Language::Python, text, 1);
        document.tree = crate::scan::parse(Language::Python, text, None);
        document.apply(&change((1, 3), (1, 9), "popen"), Encoding::Utf16);
        let new_text = document.rope.to_string();
        assert_eq!(new_text, "import os\nos.popen(cmd)\n");
        let reparsed = crate::scan::parse(Language::Python, &new_text, document.tree.as_ref()).unwrap();
        let fresh = crate::scan::parse(Language::Python, &new_text, None).unwrap();
        assert_eq!(reparsed.root_node().to_sexp(), fresh.root_node().to_sexp());
    }

    #[test]
    fn review_findings_move_with_edits_above_and_go_with_edits_on_their_lines() {
        let review = |line: u32| Diagnostic {
            range: Range::new(Position::new(line, 0), Position::new(line, 4)),
            message: format!("line {line}"),
            ..Diagnostic::default()
        };
        let mut document = Document::new(None, Language::Python, "a\nb\nc\nd\ne\n", 1);
        document.review = vec![review(0), review(2), review(4)];
        // Two lines inserted after line 0: line 0 stays, lines 2 and 4 move down by two.
        document.apply(&change((1, 0), (1, 0), "x\ny\n"), Encoding::Utf16);
        let lines: Vec<u32> = document.review.iter().map(|d| d.range.start.line).collect();
        assert_eq!(lines, [0, 4, 6]);
        // An edit on line 4 drops that finding only.
        document.apply(&change((4, 0), (4, 1), "C"), Encoding::Utf16);
        let lines: Vec<u32> = document.review.iter().map(|d| d.range.start.line).collect();
        assert_eq!(lines, [0, 6]);
        // Deleting lines 1..3 moves the last one up by two.
        document.apply(&change((1, 0), (3, 0), ""), Encoding::Utf16);
        let lines: Vec<u32> = document.review.iter().map(|d| d.range.start.line).collect();
        assert_eq!(lines, [0, 4]);
        document.apply(
            &TextDocumentContentChangeEvent { range: None, range_length: None, text: "z\n".into() },
            Encoding::Utf16,
        );
        assert!(document.review.is_empty());
    }

    #[test]
    fn a_change_without_range_replaces_everything_and_drops_the_tree() {
        let mut document = Document::new(None, Language::Python, "x = 1\n", 1);
        document.tree = crate::scan::parse(Language::Python, "x = 1\n", None);
        document.apply(
            &TextDocumentContentChangeEvent { range: None, range_length: None, text: "y\n".into() },
            Encoding::Utf16,
        );
        assert_eq!(document.rope.to_string(), "y\n");
        assert!(document.tree.is_none());
    }
}
