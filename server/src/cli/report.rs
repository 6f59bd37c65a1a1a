//! What a scan produced, with positions resolved for output (1-based, columns in code points).

use std::sync::Arc;

use crate::agent::TraceStep;
use crate::finding::Finding;
use crate::notebook::Notebook;
use crate::text::{Encoding, LineIndex};

/// One finding placed in its file.
#[derive(Debug)]
pub struct Located {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Notebook cell number when the file is an `.ipynb` (lines are then within the cell).
    pub cell: Option<usize>,
    pub finding: Finding,
    /// The scanned text, for rendering the source line.
    pub text: Arc<str>,
    /// Commit-review findings: the data-flow trace, exploit scenario and evidence.
    pub detail: Option<Detail>,
}

/// What a commit-review finding carries besides its location.
#[derive(Debug, Default)]
pub struct Detail {
    pub trace: Vec<TraceStep>,
    pub exploit: String,
    pub evidence: String,
}

#[derive(Debug)]
pub struct FileError {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Stats {
    pub files: usize,
    pub bytes: u64,
    pub elapsed_ms: u128,
}

#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Located>,
    pub errors: Vec<FileError>,
    /// Files not scanned, with why (too large, binary); said once each as a note.
    pub skipped: Vec<FileError>,
    pub stats: Stats,
}

impl Report {
    /// Places the findings of one file.
    pub fn add_file(
        &mut self,
        path: &str,
        text: &Arc<str>,
        notebook: Option<&Notebook>,
        findings: Vec<Finding>,
    ) {
        if findings.is_empty() {
            return;
        }
        let index = LineIndex::new(text);
        for finding in findings {
            let start = index.position(text, finding.span.start, Encoding::CodePoints);
            let end = index.position(text, finding.span.end, Encoding::CodePoints);
            let (cell, line, end_line) = match notebook {
                Some(notebook) => {
                    let (cell, line) = notebook.locate(start.line as usize);
                    let (_, end_line) = notebook.locate(end.line as usize);
                    (Some(cell), line, end_line)
                }
                None => (None, start.line as usize, end.line as usize),
            };
            self.findings.push(Located {
                path: path.to_owned(),
                line: line + 1,
                column: start.column as usize + 1,
                end_line: end_line + 1,
                end_column: end.column as usize + 1,
                cell,
                finding,
                text: Arc::clone(text),
                detail: None,
            });
        }
    }

    /// Orders findings by path and position so output is stable across thread schedules.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (&a.path, a.cell, a.line, a.column, &a.finding.rule).cmp(&(
                &b.path,
                b.cell,
                b.line,
                b.column,
                &b.finding.rule,
            ))
        });
        self.errors.sort_by(|a, b| a.path.cmp(&b.path));
        self.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    }
}
