//! Scanning a file's contents as the CLI, the corpus check and the hook see it: language from the path,
//! notebooks reduced to their code cells.

use std::path::Path;
use std::sync::Arc;

use crate::finding::Finding;
use crate::language::Language;
use crate::notebook::Notebook;
use crate::rules::RuleSet;
use crate::scan::{ScanOptions, scan_with};

/// What was scanned for one file: the text findings point into, and the notebook map if any.
pub struct ScannedFile {
    pub text: Arc<str>,
    pub notebook: Option<Notebook>,
    pub language: Language,
    pub findings: Vec<Finding>,
}

/// Scans `contents` of the file at `path`.
pub fn scan_contents(rules: &RuleSet, path: &Path, contents: String, options: ScanOptions) -> ScannedFile {
    let mut language = Language::from_path(path);
    let is_notebook = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("ipynb"));
    let notebook = if is_notebook { Notebook::parse(&contents) } else { None };
    let text: Arc<str> = if let Some(notebook) = &notebook {
        Arc::from(notebook.source.as_str())
    } else {
        if is_notebook {
            language = Language::Text; // not a Python notebook: secrets only
        }
        Arc::from(contents)
    };
    let findings = scan_with(rules, language, &text, None, options);
    ScannedFile { text, notebook, language, findings }
}
