//! One open document: its text as a rope, its version, and the syntax tree kept in step with every edit
//! (`tree.edit`), so the next parse reuses the old tree.

use std::path::PathBuf;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::TextDocumentContentChangeEvent;
use tree_sitter::{InputEdit, Point, Tree};

use super::position;
use crate::finding::Finding;
use crate::language::Language;
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
    /// The last parse with every edit since applied; `None` before the first parse or after a full
    /// replacement.
    pub tree: Option<Tree>,
    /// The latest scan whose version was current when it finished.
    pub result: Option<Arc<ScanResult>>,
    /// A scan task is running for this document.
    pub scanning: bool,
    /// The text changed since the running scan took its snapshot.
    pub dirty: bool,
    /// The user was told this document is too large for the syntax rules.
    pub said_too_large: bool,
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
            result: None,
            scanning: false,
            dirty: true,
            said_too_large: false,
        }
    }

    /// Applies one change event in `encoding`, editing the syntax tree to match.
    pub fn apply(&mut self, change: &TextDocumentContentChangeEvent, encoding: Encoding) {
        let Some(range) = change.range else {
            self.rope = Rope::from_str(&change.text);
            self.tree = None;
            return;
        };
        let bytes = position::byte_range(&self.rope, range, encoding);
        let start_position = self.point(bytes.start);
        let old_end_position = self.point(bytes.end);
        let start_char = self.rope.byte_to_char(bytes.start);
        self.rope.remove(start_char..self.rope.byte_to_char(bytes.end));
        self.rope.insert(start_char, &change.text);
        let new_end_byte = bytes.start + change.text.len();
        let new_end_position = self.point(new_end_byte);
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
