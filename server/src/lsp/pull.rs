//! Where diagnostics go: pushed (`textDocument/publishDiagnostics`) or kept for the client to pull
//! (`textDocument/diagnostic`, `workspace/diagnostic`).
//!
//! Every set of diagnostics the server would publish passes through [`Published::route`], which
//! remembers the last one per URI. A client that pulls and can be told to pull again
//! (`workspace/diagnostic/refresh`) gets nothing pushed for open documents; closed files are pushed until
//! it first asks `workspace/diagnostic` (clients that pull documents but never the workspace still see
//! them), and those pushes are then cleared. Result ids change whenever a URI's version or diagnostics
//! do, so an unchanged document is answered `unchanged`. A refresh is asked for only when the client
//! already holds a result that a rescan of the same text replaced (settings, rules, review findings),
//! or when a closed file's findings change; a workspace scan asks once, at its end.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tower_lsp_server::ls_types::{
    Diagnostic, DocumentDiagnosticParams, DocumentDiagnosticReport, DocumentDiagnosticReportResult,
    FullDocumentDiagnosticReport, PreviousResultId, RelatedFullDocumentDiagnosticReport,
    RelatedUnchangedDocumentDiagnosticReport, UnchangedDocumentDiagnosticReport, Uri,
    WorkspaceDiagnosticParams, WorkspaceDiagnosticReport, WorkspaceDiagnosticReportResult,
    WorkspaceDocumentDiagnosticReport, WorkspaceFullDocumentDiagnosticReport,
    WorkspaceUnchangedDocumentDiagnosticReport,
};

use super::scheduler::Shared;

/// The identifier in `diagnosticProvider`.
pub(super) const IDENTIFIER: &str = "sg-lsp";

/// One publication: diagnostics of a document version (open) or of the file on disk (`None`).
pub(super) struct Publish {
    pub uri: Uri,
    pub version: Option<i32>,
    pub diagnostics: Vec<Diagnostic>,
}

struct Entry {
    uri: Uri,
    version: Option<i32>,
    diagnostics: Vec<Diagnostic>,
    result_id: String,
    /// The client was given this result (by a pull).
    served: bool,
}

/// What routing one publication asks of the caller.
#[derive(Default)]
pub(super) struct Routed {
    /// Publications to push, in order.
    pub push: Vec<Publish>,
    /// Ask the client to pull again.
    pub refresh: bool,
}

#[allow(clippy::struct_excessive_bools, reason = "independent flags of one client and one scan")]
#[derive(Default)]
pub(super) struct Published {
    /// The client pulls: nothing is pushed for open documents.
    pub pull: bool,
    /// The client has asked `workspace/diagnostic`: closed files are not pushed either.
    workspace: bool,
    entries: HashMap<String, Entry>,
    /// Closed files pushed with diagnostics while in pull mode; cleared once pulled instead.
    pushed: HashSet<String>,
    next_id: u64,
    /// The number of the latest workspace scan; an older one stops.
    pub generation: u64,
    /// A workspace scan is running: `workspace/diagnostic` waits for it, and refreshes wait for its end.
    pub scanning: bool,
    changed_while_scanning: bool,
}

impl Published {
    /// Remembers a publication and says what to push and whether to ask for a refresh.
    pub fn route(&mut self, publish: Publish) -> Routed {
        let key = publish.uri.as_str().to_owned();
        let old = self.entries.get(&key);
        let changed = old.map_or(publish.version.is_some() || !publish.diagnostics.is_empty(), |old| {
            old.version != publish.version || old.diagnostics != publish.diagnostics
        });
        let mut routed = Routed::default();
        if !changed {
            // Push mode publishes every scan of an open document, as clients expect a reply per version.
            if !self.pull && publish.version.is_some() {
                routed.push.push(publish);
            }
            return routed;
        }
        let rescanned = old.is_some_and(|old| old.served && old.version == publish.version);
        self.next_id += 1;
        let result_id = match publish.version {
            Some(version) => format!("{version}.{}", self.next_id),
            None => format!("disk.{}", self.next_id),
        };
        let entry = Entry {
            uri: publish.uri.clone(),
            version: publish.version,
            diagnostics: publish.diagnostics.clone(),
            result_id,
            served: false,
        };
        self.entries.insert(key.clone(), entry);
        if !self.pull {
            routed.push.push(publish);
            return routed;
        }
        if publish.version.is_some() {
            // Opened: what was pushed for the file on disk goes, the document is pulled now.
            if self.pushed.remove(&key) {
                routed.push.push(Publish { uri: publish.uri, version: None, diagnostics: Vec::new() });
            }
            routed.refresh = rescanned;
        } else if self.workspace {
            if self.scanning {
                self.changed_while_scanning = true;
            } else {
                routed.refresh = true;
            }
        } else {
            if publish.diagnostics.is_empty() {
                self.pushed.remove(&key);
            } else {
                self.pushed.insert(key);
            }
            routed.push.push(publish);
        }
        routed
    }

    /// The answer to `textDocument/diagnostic` from what was last published for `uri`.
    pub fn document_report(&mut self, uri: &Uri, previous: Option<&str>) -> DocumentDiagnosticReportResult {
        let report = match self.entries.get_mut(uri.as_str()) {
            Some(entry) => {
                entry.served = true;
                if previous == Some(entry.result_id.as_str()) {
                    DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                        related_documents: None,
                        unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                            result_id: entry.result_id.clone(),
                        },
                    })
                } else {
                    full_report(Some(entry.result_id.clone()), entry.diagnostics.clone())
                }
            }
            None => full_report(None, Vec::new()),
        };
        DocumentDiagnosticReportResult::Report(report)
    }

    /// The first `workspace/diagnostic`: closed files are pulled from now on, so what was pushed for
    /// them is cleared (the report carries it instead).
    pub fn begin_workspace_pull(&mut self) -> Vec<Publish> {
        self.workspace = true;
        let mut cleared: Vec<Publish> = self
            .pushed
            .drain()
            .filter_map(|key| self.entries.get(&key))
            .map(|entry| Publish { uri: entry.uri.clone(), version: None, diagnostics: Vec::new() })
            .collect();
        cleared.sort_by(|a, b| a.uri.as_str().cmp(b.uri.as_str()));
        cleared
    }

    /// The answer to `workspace/diagnostic`: every closed file with findings, or whose findings the
    /// client holds under an older result id (those now clean get an empty report).
    pub fn workspace_report(
        &mut self,
        previous: &[PreviousResultId],
        is_open: impl Fn(&str) -> bool,
    ) -> WorkspaceDiagnosticReportResult {
        let previous: HashMap<&str, &str> =
            previous.iter().map(|p| (p.uri.as_str(), p.value.as_str())).collect();
        let mut items = Vec::new();
        for (key, entry) in &mut self.entries {
            if entry.version.is_some() || is_open(key) {
                continue;
            }
            let held = previous.get(key.as_str()).copied();
            if held.is_none() && entry.diagnostics.is_empty() {
                continue;
            }
            entry.served = true;
            items.push(if held == Some(entry.result_id.as_str()) {
                WorkspaceDocumentDiagnosticReport::Unchanged(WorkspaceUnchangedDocumentDiagnosticReport {
                    uri: entry.uri.clone(),
                    version: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                        result_id: entry.result_id.clone(),
                    },
                })
            } else {
                WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                    uri: entry.uri.clone(),
                    version: None,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id: Some(entry.result_id.clone()),
                        items: entry.diagnostics.clone(),
                    },
                })
            });
        }
        items.sort_by(|a, b| report_uri(a).as_str().cmp(report_uri(b).as_str()));
        WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport { items })
    }

    /// Closed files whose last published diagnostics are not empty.
    pub fn closed_with_findings(&self) -> Vec<Uri> {
        self.entries
            .values()
            .filter(|entry| entry.version.is_none() && !entry.diagnostics.is_empty())
            .map(|entry| entry.uri.clone())
            .collect()
    }

    /// A workspace scan starts; returns its generation (any older scan stops).
    pub fn begin_scan(&mut self) -> u64 {
        self.generation += 1;
        self.scanning = true;
        self.generation
    }

    /// The scan of `generation` ended; true when the client should pull again.
    pub fn end_scan(&mut self, generation: u64) -> bool {
        if generation != self.generation {
            return false;
        }
        self.scanning = false;
        std::mem::take(&mut self.changed_while_scanning) && self.pull && self.workspace
    }
}

/// `textDocument/diagnostic`: the diagnostics of the document's current text, once its scan task is
/// done (a pull right after an edit waits for that edit's scan).
pub(super) async fn document(
    shared: &Arc<Shared>,
    params: &DocumentDiagnosticParams,
) -> DocumentDiagnosticReportResult {
    let uri = &params.text_document.uri;
    let mut changes = shared.subscribe();
    loop {
        {
            let session = shared.lock();
            let busy = session.documents.get(uri.as_str()).is_some_and(|(_, document)| document.scanning);
            if !busy {
                return shared.published().document_report(uri, params.previous_result_id.as_deref());
            }
        }
        if changes.changed().await.is_err() {
            return DocumentDiagnosticReportResult::Report(full_report(None, Vec::new()));
        }
    }
}

/// `workspace/diagnostic`: the findings of files that are not open, once a running workspace scan
/// has finished. The first one also moves closed files from push to pull.
pub(super) async fn workspace(
    shared: &Arc<Shared>,
    params: &WorkspaceDiagnosticParams,
) -> WorkspaceDiagnosticReportResult {
    let mut changes = shared.subscribe();
    let cleared = shared.published().begin_workspace_pull();
    shared.push(cleared);
    while shared.published().scanning {
        if changes.changed().await.is_err() {
            break;
        }
    }
    let session = shared.lock();
    let is_open = |key: &str| session.documents.contains_key(key);
    shared.published().workspace_report(&params.previous_result_ids, is_open)
}

fn full_report(result_id: Option<String>, items: Vec<Diagnostic>) -> DocumentDiagnosticReport {
    DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
        related_documents: None,
        full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id, items },
    })
}

fn report_uri(report: &WorkspaceDocumentDiagnosticReport) -> &Uri {
    match report {
        WorkspaceDocumentDiagnosticReport::Full(full) => &full.uri,
        WorkspaceDocumentDiagnosticReport::Unchanged(unchanged) => &unchanged.uri,
    }
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::ls_types::{Position, Range};

    use super::*;

    fn uri(name: &str) -> Uri {
        format!("file:///w/{name}").parse().unwrap()
    }

    fn finding(message: &str) -> Vec<Diagnostic> {
        vec![Diagnostic {
            range: Range::new(Position::new(0, 0), Position::new(0, 1)),
            message: message.into(),
            ..Diagnostic::default()
        }]
    }

    fn publish(name: &str, version: Option<i32>, diagnostics: Vec<Diagnostic>) -> Publish {
        Publish { uri: uri(name), version, diagnostics }
    }

    #[test]
    fn push_mode_pushes_every_document_scan_but_drops_repeated_file_results() {
        let mut published = Published::default();
        assert_eq!(published.route(publish("a.py", Some(1), finding("x"))).push.len(), 1);
        assert_eq!(published.route(publish("a.py", Some(1), finding("x"))).push.len(), 1);
        assert_eq!(published.route(publish("a.py", None, Vec::new())).push.len(), 1, "cleared on close");
        assert_eq!(published.route(publish("b.py", None, Vec::new())).push.len(), 0, "clean, never shown");
        assert_eq!(published.route(publish("c.py", None, finding("y"))).push.len(), 1);
        assert_eq!(published.route(publish("c.py", None, finding("y"))).push.len(), 0);
        assert!(!published.route(publish("c.py", None, finding("z"))).refresh);
    }

    #[test]
    fn pull_mode_keeps_documents_and_refreshes_only_a_served_result_of_the_same_version() {
        let mut published = Published { pull: true, ..Published::default() };
        let routed = published.route(publish("a.py", Some(1), finding("x")));
        assert!(routed.push.is_empty() && !routed.refresh, "not served yet: the pull will get it");
        let DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(full)) =
            published.document_report(&uri("a.py"), None)
        else {
            panic!("a full report first")
        };
        let id = full.full_document_diagnostic_report.result_id.unwrap();
        assert!(id.starts_with("1."), "{id}");
        assert!(matches!(
            published.document_report(&uri("a.py"), Some(&id)),
            DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Unchanged(_))
        ));
        // A rescan of the same version with other findings (a setting, a review): pull again.
        assert!(published.route(publish("a.py", Some(1), finding("y"))).refresh);
        // An edit: the client pulls on its own.
        published.document_report(&uri("a.py"), None);
        assert!(!published.route(publish("a.py", Some(2), finding("y"))).refresh);
    }

    #[test]
    fn closed_files_are_pushed_until_the_workspace_is_pulled_then_reported() {
        let mut published = Published { pull: true, ..Published::default() };
        assert_eq!(published.route(publish("a.py", None, finding("x"))).push.len(), 1);
        assert_eq!(published.route(publish("b.py", None, finding("y"))).push.len(), 1);
        // b.py opens: its pushed findings are cleared, the document is pulled.
        let routed = published.route(publish("b.py", Some(1), finding("y")));
        assert_eq!(routed.push.len(), 1);
        assert!(routed.push[0].diagnostics.is_empty());
        let cleared = published.begin_workspace_pull();
        assert_eq!(cleared.len(), 1);
        assert_eq!(cleared[0].uri, uri("a.py"));
        let WorkspaceDiagnosticReportResult::Report(report) =
            published.workspace_report(&[], |key| key.ends_with("b.py"))
        else {
            panic!("a report")
        };
        assert_eq!(report.items.len(), 1);
        let WorkspaceDocumentDiagnosticReport::Full(full) = &report.items[0] else { panic!("full") };
        let id = full.full_document_diagnostic_report.result_id.clone().unwrap();
        // Now the file is clean: the client, holding the old id, gets an empty report, and a refresh.
        let routed = published.route(publish("a.py", None, Vec::new()));
        assert!(routed.push.is_empty() && routed.refresh);
        let held = [PreviousResultId { uri: uri("a.py"), value: id }];
        let WorkspaceDiagnosticReportResult::Report(report) = published.workspace_report(&held, |_| false)
        else {
            panic!("a report")
        };
        let WorkspaceDocumentDiagnosticReport::Full(full) = &report.items[0] else { panic!("full") };
        assert!(full.full_document_diagnostic_report.items.is_empty());
        let again = [PreviousResultId {
            uri: uri("a.py"),
            value: full.full_document_diagnostic_report.result_id.clone().unwrap(),
        }];
        let WorkspaceDiagnosticReportResult::Report(report) = published.workspace_report(&again, |_| false)
        else {
            panic!("a report")
        };
        assert!(matches!(report.items[0], WorkspaceDocumentDiagnosticReport::Unchanged(_)));
    }

    #[test]
    fn a_workspace_scan_refreshes_once_at_its_end() {
        let mut published = Published { pull: true, ..Published::default() };
        published.begin_workspace_pull();
        let first = published.begin_scan();
        assert!(!published.route(publish("a.py", None, finding("x"))).refresh);
        let second = published.begin_scan();
        assert!(!published.end_scan(first), "a stopped scan says nothing");
        assert!(published.scanning);
        assert!(published.end_scan(second));
        assert!(!published.scanning);
    }
}
