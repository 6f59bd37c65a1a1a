//! The edited file as the hook scans it: read from disk (binary, oversized and missing files are told
//! apart), notebooks turned into their code cells, and the lines the edit wrote.

use std::io::Read as _;
use std::path::Path;

use super::edit::{self, Lines};
use super::failure::{Code, Failure};
use super::input::{Change, FileEdit};
use super::limits;
use super::output::Reported;
use crate::finding::Finding;
use crate::language::Language;
use crate::notebook::Notebook;
use crate::text::LineIndex;

/// Bytes inspected for a NUL when deciding whether a file is binary (as git and ripgrep do).
const BINARY_SNIFF: usize = 8 * 1024;

/// Reads the edited file: `None` for a binary file; too large, gone or unreadable are failures.
pub(crate) fn read_source(path: &Path) -> Result<Option<String>, Failure> {
    let open = std::fs::File::open(path).and_then(|file| Ok((file.metadata()?.len(), file)));
    let (size, file) = match open {
        Ok(found) => found,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::new(
                Code::FileMissing,
                format!("{} no longer exists; nothing scanned", path.display()),
            ));
        }
        Err(e) => {
            return Err(Failure::new(
                Code::FileUnreadable,
                format!("cannot read {} ({e}); nothing scanned", path.display()),
            ));
        }
    };
    if size > limits::MAX_FILE_SIZE {
        return Err(Failure::new(
            Code::TooLarge,
            format!(
                "{} is {size} bytes, over the {}-byte limit; not scanned",
                path.display(),
                limits::MAX_FILE_SIZE
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    if let Err(e) = file.take(limits::MAX_FILE_SIZE).read_to_end(&mut bytes) {
        return Err(Failure::new(
            Code::FileUnreadable,
            format!("cannot read {} ({e}); nothing scanned", path.display()),
        ));
    }
    if bytes[..bytes.len().min(BINARY_SNIFF)].contains(&0) {
        return Ok(None);
    }
    Ok(Some(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }))
}

/// The text that is scanned, with what is needed to map findings back to the file.
pub(crate) struct Document {
    pub(crate) language: Language,
    /// The file's text, or for a notebook its code cells joined.
    pub(crate) text: String,
    pub(crate) notebook: Option<Notebook>,
    pub(crate) index: LineIndex,
}

impl Document {
    pub(crate) fn new(edit: &FileEdit, raw: String) -> Document {
        let language = Language::from_path(Path::new(&edit.shown));
        if edit.is_notebook() {
            if let Some(notebook) = Notebook::parse(&raw) {
                let text = notebook.source.clone();
                return Document {
                    language: Language::Python,
                    index: LineIndex::new(&text),
                    text,
                    notebook: Some(notebook),
                };
            }
            // Not a Python notebook (or not JSON): secrets only.
            return Document {
                language: Language::Text,
                index: LineIndex::new(&raw),
                text: raw,
                notebook: None,
            };
        }
        Document { language, index: LineIndex::new(&raw), text: raw, notebook: None }
    }

    /// One notebook cell's source, scanned as Python.
    pub(crate) fn cell(source: String) -> Document {
        Document { language: Language::Python, index: LineIndex::new(&source), text: source, notebook: None }
    }

    pub(crate) fn lines_of(&self, finding: &Finding) -> (usize, usize) {
        let first = self.index.line_of(finding.span.start);
        let last = self.index.line_of(finding.span.end.saturating_sub(1).max(finding.span.start));
        (first, last)
    }

    pub(crate) fn touches(&self, finding: &Finding, written: &Lines) -> bool {
        let (first, last) = self.lines_of(finding);
        written.any_in(first, last)
    }

    pub(crate) fn reported<'f>(&self, finding: &'f Finding) -> Reported<'f> {
        let (line, _) = self.lines_of(finding);
        match &self.notebook {
            Some(notebook) => {
                let (cell, in_cell) = notebook.locate(line);
                Reported { finding, line: in_cell + 1, cell: Some(cell) }
            }
            None => Reported { finding, line: line + 1, cell: None },
        }
    }

    /// The line-comment marker to write a suppression with.
    pub(crate) fn comment(&self) -> &'static str {
        self.language.line_comment()
    }
}

/// The lines of the scanned text that the edit wrote.
#[allow(clippy::needless_pass_by_value, reason = "taken to free the edit's text before the parse")]
pub(crate) fn written_lines(
    change: Change,
    notebook: bool,
    response: serde_json::Value,
    document: &Document,
) -> Lines {
    let count = document.index.line_count();
    let (text, index) = (&document.text, &document.index);
    if document.notebook.is_none()
        && !notebook
        && let Some(lines) = edit::from_patch(&response, text, index)
    {
        return lines;
    }
    match &change {
        Change::Notebook { delete: true, .. } => Lines::none(count),
        Change::Notebook { new_source, .. } if document.notebook.is_some() => {
            let mut lines = Lines::none(count);
            edit::locate(text, index, new_source, true, &mut lines);
            lines
        }
        Change::Write { content } if document.notebook.is_none() && !notebook => {
            match response.get("originalFile").and_then(serde_json::Value::as_str) {
                Some(original) => edit::rewritten(original, text, index),
                None if content == text => Lines::all(count),
                None => {
                    let mut lines = Lines::none(count);
                    edit::locate(text, index, content, false, &mut lines);
                    lines
                }
            }
        }
        Change::Edit(replaces) if document.notebook.is_none() && !notebook => {
            let mut lines = Lines::none(count);
            for replace in replaces {
                edit::locate(text, index, &replace.new, false, &mut lines);
            }
            lines
        }
        // A notebook written or edited as JSON: every cell counts.
        _ => Lines::all(count),
    }
}
