//! The server's state: open documents, the negotiated encoding, the rules and the resolved settings.
//! Every method is synchronous; handlers call them under the lock before their first `.await`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types::{Diagnostic, DidChangeTextDocumentParams, DidOpenTextDocumentParams, Uri};

use super::document::Document;
use super::settings::{ClientOptions, Settings};
use crate::config::Config;
use crate::language::Language;
use crate::rules::RuleSet;
use crate::text::Encoding;

pub(super) struct Session {
    /// Open documents by URI string (`Uri` has interior mutability, so it makes a poor map key).
    pub documents: HashMap<String, (Uri, Document)>,
    pub encoding: Encoding,
    pub rules: Arc<RuleSet>,
    pub settings: Arc<Settings>,
    /// The workspace root: where `.sg-lsp.toml` is read and exclude globs are anchored.
    pub root: Option<PathBuf>,
    pub project_config: Config,
    pub client_options: ClientOptions,
    /// Diagnostics of project rule files that did not load, by URI; published with the file's own.
    pub rule_errors: HashMap<String, (Uri, Vec<Diagnostic>)>,
    /// Review findings of files that are not open, by URI; they move into the document when it opens.
    pub review_closed: HashMap<String, Vec<Diagnostic>>,
    /// Counts `didOpen`s, so a scan task of a closed document never serves its reopened successor.
    opened: u64,
    /// Counts opens and edits, to tell which documents were edited last.
    ticks: u64,
}

/// Syntax trees kept for the most recently edited documents only: a tree costs about a megabyte per
/// thousand lines, and a document not being edited gains nothing from one.
const TREES_KEPT: usize = 8;

impl Session {
    pub fn new(rules: Arc<RuleSet>) -> Self {
        Session {
            documents: HashMap::new(),
            encoding: Encoding::Utf16,
            rules,
            settings: Arc::new(Settings::default()),
            root: None,
            project_config: Config::default(),
            client_options: ClientOptions::default(),
            rule_errors: HashMap::new(),
            review_closed: HashMap::new(),
            opened: 0,
            ticks: 0,
        }
    }

    /// Opens (or reopens) a document; a scan task must start for it.
    pub fn open(&mut self, params: DidOpenTextDocumentParams) -> (String, u64) {
        let item = params.text_document;
        let path = item.uri.to_file_path().map(std::borrow::Cow::into_owned);
        let language = language_of(&item.uri, path.as_deref(), &item.language_id);
        self.opened += 1;
        self.ticks += 1;
        let mut document = Document::new(path, language, &item.text, item.version);
        document.incarnation = self.opened;
        document.touched = self.ticks;
        document.scanning = true;
        let key = item.uri.as_str().to_owned();
        document.review = self.review_closed.remove(&key).unwrap_or_default();
        self.documents.insert(key.clone(), (item.uri, document));
        (key, self.opened)
    }

    /// Applies the changes in order. Returns the scan task to start, if none is running; nothing for an
    /// unknown document (the client skipped `didOpen`).
    pub fn change(&mut self, params: &DidChangeTextDocumentParams) -> Option<(String, u64)> {
        let encoding = self.encoding;
        self.ticks += 1;
        let ticks = self.ticks;
        let key = params.text_document.uri.as_str();
        let Some((_, document)) = self.documents.get_mut(key) else {
            tracing::warn!(uri = key, "didChange for a document that is not open");
            return None;
        };
        for change in &params.content_changes {
            document.apply(change, encoding);
        }
        document.set_version(params.text_document.version);
        document.touched = ticks;
        mark_dirty(document).then(|| (key.to_owned(), document.incarnation))
    }

    /// Forgets a document (keeping its review findings for the file); returns its URI if it was open.
    pub fn close(&mut self, uri: &Uri) -> Option<Uri> {
        let (uri, document) = self.documents.remove(uri.as_str())?;
        if !document.review.is_empty() {
            self.review_closed.insert(uri.as_str().to_owned(), document.review);
        }
        Some(uri)
    }

    /// Drops the syntax trees of all but the most recently edited documents (their next edit parses
    /// from scratch).
    pub fn trim_trees(&mut self) {
        let mut with_tree: Vec<(u64, &mut Document)> = self
            .documents
            .values_mut()
            .filter(|(_, document)| document.tree.is_some())
            .map(|(_, document)| (document.touched, document))
            .collect();
        if with_tree.len() <= TREES_KEPT {
            return;
        }
        with_tree.sort_by_key(|(touched, _)| std::cmp::Reverse(*touched));
        for (_, document) in with_tree.into_iter().skip(TREES_KEPT) {
            document.tree = None;
            document.forget_scan();
        }
    }

    /// Re-resolves the settings after the client's options or the project file changed. Returns the
    /// problems found and the documents whose scan task must start.
    pub fn reconfigure(&mut self) -> (Vec<String>, Vec<(String, u64)>) {
        let (settings, problems) =
            Settings::resolve(&self.project_config, &self.client_options, self.root.as_deref());
        self.settings = Arc::new(settings);
        let restart = self
            .documents
            .iter_mut()
            .filter_map(|(key, (_, document))| {
                mark_dirty(document).then(|| (key.clone(), document.incarnation))
            })
            .collect();
        (problems, restart)
    }
}

/// Marks a document for rescanning; true when no scan task is running to notice, and one must start.
fn mark_dirty(document: &mut Document) -> bool {
    document.dirty = true;
    let start = !document.scanning;
    document.scanning = true;
    start
}

/// The language from the path, else from the client's language id (unsaved buffers).
fn language_of(uri: &Uri, path: Option<&Path>, language_id: &str) -> Language {
    let from_path = Language::from_path(path.unwrap_or(Path::new(uri.as_str())));
    if from_path != Language::Text {
        return from_path;
    }
    match language_id {
        "python" => Language::Python,
        "javascript" | "javascriptreact" => Language::JavaScript,
        "typescript" => Language::TypeScript,
        "typescriptreact" => Language::Tsx,
        _ => Language::Text,
    }
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::ls_types::TextDocumentItem;

    use super::*;

    #[test]
    fn only_the_most_recently_edited_documents_keep_their_trees() {
        let mut session = Session::new(Arc::new(RuleSet::default()));
        for n in 0..TREES_KEPT + 3 {
            let uri: Uri = format!("file:///d/{n}.py").parse().unwrap();
            let text_document = TextDocumentItem::new(uri, "python".into(), 1, "x = 1\n".into());
            session.open(DidOpenTextDocumentParams { text_document });
        }
        for (_, document) in session.documents.values_mut() {
            document.tree = crate::scan::parse(Language::Python, "x = 1\n", None);
        }
        session.trim_trees();
        let kept: Vec<u64> =
            session.documents.values().filter(|(_, d)| d.tree.is_some()).map(|(_, d)| d.touched).collect();
        assert_eq!(kept.len(), TREES_KEPT);
        assert!(kept.iter().all(|&touched| touched > 3), "the oldest lost theirs: {kept:?}");
    }

    #[test]
    fn language_comes_from_the_path_then_the_language_id() {
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        let cases = [
            ("file:///p/a.py", "plaintext", Language::Python),
            ("file:///p/.github/workflows/ci.yml", "yaml", Language::Workflow),
            ("file:///p/config.yml", "yaml", Language::Text),
            ("untitled:Untitled-1", "python", Language::Python),
            ("untitled:Untitled-2", "typescriptreact", Language::Tsx),
        ];
        for (text, id, expected) in cases {
            let uri = uri(text);
            let path = uri.to_file_path().map(std::borrow::Cow::into_owned);
            assert_eq!(language_of(&uri, path.as_deref(), id), expected, "{text}");
        }
    }
}
