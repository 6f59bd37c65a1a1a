//! When scans run: one task per document at a time, each scan on a blocking thread where a panic is
//! caught, results kept only for a version that is still current, and one ordered queue to the client.
//!
//! A burst of edits coalesces by itself: while a scan runs, edits only mark the document dirty, and the
//! task scans the latest text once more when it finishes. That is the adaptive debounce: none for fast
//! scans, as long as the scan takes for slow ones.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use ropey::Rope;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{Diagnostic, MessageType, Uri};
use tree_sitter::Tree;

use super::Scanner;
use super::diagnostics::to_diagnostic;
use super::document::{Document, ScanResult};
use super::pull::{Publish, Published};
use super::session::Session;
use super::settings::Settings;
use crate::finding::Finding;
use crate::language::Language;
use crate::rules::RuleSet;
use crate::scan::ranged::{self, TextChange};
use crate::scan::{self, ScanMemory, ScanOptions};
use crate::text::{Encoding, LineIndex};

/// What goes to the client, in order.
pub(super) enum Outgoing {
    Diagnostics {
        uri: Uri,
        version: Option<i32>,
        diagnostics: Vec<Diagnostic>,
    },
    Log(MessageType, String),
    /// Answered once everything queued before it has been sent.
    Barrier(tokio::sync::oneshot::Sender<()>),
}

/// State shared by the handlers and the scan tasks.
pub(super) struct Shared {
    session: Mutex<Session>,
    /// What was published, for pulls. Locked after the session, never before it.
    published: Mutex<Published>,
    /// Bumped whenever a publication is stored or a document's scan task ends (pulls wait on it).
    changes: tokio::sync::watch::Sender<u64>,
    refresh_pending: Arc<AtomicBool>,
    outgoing: UnboundedSender<Outgoing>,
    scanner: Scanner,
    client: Client,
}

impl Shared {
    /// Also starts the task that sends [`Outgoing`] messages to `client` in order.
    pub fn new(session: Session, client: Client, scanner: Scanner) -> Arc<Self> {
        let (outgoing, queue) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(send_in_order(client.clone(), queue));
        Arc::new(Shared {
            session: Mutex::new(session),
            published: Mutex::new(Published::default()),
            changes: tokio::sync::watch::Sender::new(0),
            refresh_pending: Arc::new(AtomicBool::new(false)),
            outgoing,
            scanner,
            client,
        })
    }

    /// The session, locked. Never held across an `.await`.
    pub fn lock(&self) -> MutexGuard<'_, Session> {
        // A panic while locked happens only in our own bookkeeping; the state is still usable.
        self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// What was published, locked (after the session if both are needed). Never held across an `.await`.
    pub fn published(&self) -> MutexGuard<'_, Published> {
        self.published.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A receiver that wakes on the next stored publication or finished scan task.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Wakes the pulls waiting for a result.
    pub fn changed(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Queues a message for the client; synchronous, so the order of calls is the order sent.
    /// Diagnostics are remembered and, when the client pulls them, not pushed.
    pub fn send(&self, message: Outgoing) {
        let Outgoing::Diagnostics { uri, version, diagnostics } = message else {
            let _ = self.outgoing.send(message);
            return;
        };
        let routed = self.published().route(Publish { uri, version, diagnostics });

        self.push(routed.push);
        if routed.refresh {
            self.refresh();
        }
        self.changed();
    }

    /// Queues publications as they are, in order.
    pub fn push(&self, publications: Vec<Publish>) {
        for Publish { uri, version, diagnostics } in publications {
            let _ = self.outgoing.send(Outgoing::Diagnostics { uri, version, diagnostics });
        }
    }

    /// Asks the client to pull diagnostics again (`workspace/diagnostic/refresh`); requests made while
    /// one is on its way are merged into it.
    pub fn refresh(&self) {
        if self.refresh_pending.swap(true, Ordering::SeqCst) {
            return;
        }
        let (client, pending) = (self.client.clone(), Arc::clone(&self.refresh_pending));
        tokio::spawn(async move {
            tokio::task::yield_now().await;
            pending.store(false, Ordering::SeqCst);
            if let Err(e) = client.workspace_diagnostic_refresh().await {
                tracing::debug!("workspace/diagnostic/refresh failed: {e}");
            }
        });
    }

    /// Waits until everything queued so far has been sent (before a message sent another way).
    pub async fn flush(&self) {
        let (done, sent) = tokio::sync::oneshot::channel();
        self.send(Outgoing::Barrier(done));
        let _ = sent.await;
    }
}

async fn send_in_order(client: Client, mut queue: UnboundedReceiver<Outgoing>) {
    while let Some(message) = queue.recv().await {
        match message {
            Outgoing::Diagnostics { uri, version, diagnostics } => {
                client.publish_diagnostics(uri, diagnostics, version).await;
            }
            Outgoing::Log(kind, text) => client.log_message(kind, text).await,
            Outgoing::Barrier(done) => {
                let _ = done.send(());
            }
        }
    }
}

/// Starts the scan task of a document (the caller has marked it as scanning).
pub(super) fn start(shared: &Arc<Shared>, (key, incarnation): (String, u64)) {
    tokio::spawn(scan_until_clean(Arc::clone(shared), key, incarnation));
}

/// Scans the document until a scan finishes with no edit since its snapshot.
async fn scan_until_clean(shared: Arc<Shared>, key: String, incarnation: u64) {
    loop {
        let job = {
            let mut session = shared.lock();
            next_job(&mut session, &shared, &key, incarnation)
        };
        let Some(job) = job else {
            // The document is scanned (or gone): a pull waiting for it can answer.
            shared.changed();
            return;
        };
        let (version, rules) = (job.version, Arc::clone(&job.rules));
        match tokio::task::spawn_blocking(move || job.run()).await {
            Ok(mut done) => {
                let mut session = shared.lock();
                if let Some((_, errors)) = session.rule_errors.get(&key) {
                    done.diagnostics.extend(errors.iter().cloned());
                }
                let Some((uri, document)) = session.documents.get_mut(&key) else { return };
                if document.incarnation != incarnation || document.version != version {
                    tracing::debug!(uri = key, version, "dropped a stale scan");
                    continue;
                }
                document.tree = done.tree;
                document.memory = done.memory.map(|memory| (Arc::clone(&rules), memory));
                document.pending = None;
                document.result = Some(Arc::new(ScanResult { version, findings: done.findings }));
                // One publish carries every source: the client replaces a file's diagnostics whole.
                done.diagnostics.extend(document.review.iter().cloned());
                let uri = uri.clone();
                session.trim_trees();
                // Queued under the lock, so a `didClose` clearing the diagnostics cannot come first.
                shared.send(Outgoing::Diagnostics {
                    uri,
                    version: Some(version),
                    diagnostics: done.diagnostics,
                });
            }
            Err(e) => {
                tracing::error!(uri = key, version, "a scan failed and was skipped: {e}");
                if let Some((_, document)) = shared.lock().documents.get_mut(&key) {
                    document.tree = None; // parse afresh next time
                    document.forget_scan();
                }
            }
        }
    }
}

/// The next scan of a document, or `None` (and the task ends) when it is clean, closed or reopened.
fn next_job(session: &mut Session, shared: &Shared, key: &str, incarnation: u64) -> Option<Job> {
    let rules = Arc::clone(&session.rules);
    let settings = Arc::clone(&session.settings);
    let encoding = session.encoding;
    let (_, document) = session.documents.get_mut(key).filter(|(_, d)| d.incarnation == incarnation)?;
    if !document.dirty {
        document.scanning = false;
        return None;
    }
    document.dirty = false;
    let job = Job::new(document, rules, settings, encoding, Arc::clone(&shared.scanner));
    if job.options.regex_only && !document.said_too_large {
        document.said_too_large = true;
        shared.send(Outgoing::Log(
            MessageType::INFO,
            format!(
                "sg-lsp: {key} is over {} bytes; only the regex rules (secrets, invisible characters) run on it",
                job.settings.max_file_size
            ),
        ));
    }
    Some(job)
}

/// One scan: a snapshot of a document and what to scan it with.
pub(super) struct Job {
    pub version: i32,
    pub rope: Rope,
    language: Language,
    tree: Option<Tree>,
    /// The last stored scan's memory and the edits since, for a ranged rescan.
    memory: Option<(Arc<RuleSet>, Arc<ScanMemory>)>,
    pending: Option<TextChange>,
    options: ScanOptions,
    excluded: bool,
    rules: Arc<RuleSet>,
    settings: Arc<Settings>,
    encoding: Encoding,
    scanner: Scanner,
}

/// A scan's tree to keep, memory and findings.
type Scanned = (Option<Tree>, Option<Arc<ScanMemory>>, Vec<Finding>);

/// What a scan found.
pub(super) struct Done {
    pub tree: Option<Tree>,
    pub memory: Option<Arc<ScanMemory>>,
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Job {
    fn new(
        document: &Document,
        rules: Arc<RuleSet>,
        settings: Arc<Settings>,
        encoding: Encoding,
        scanner: Scanner,
    ) -> Job {
        let regex_only = document.rope.len_bytes() > settings.max_file_size;
        Job {
            version: document.version,
            rope: document.rope.clone(), // shares the rope's nodes; the text is copied on the worker
            language: document.language,
            tree: document.tree.clone(),
            memory: document.memory.clone(),
            pending: document.pending,
            options: ScanOptions { regex_only, ..ScanOptions::default() },
            excluded: document.path.as_deref().is_some_and(|path: &Path| settings.excludes(path)),
            rules,
            settings,
            encoding,
            scanner,
        }
    }

    /// Rescans the edited region where the last scan's memory allows, else parses (reusing the edited
    /// old tree) and scans the whole file. Runs on a blocking thread.
    fn run(self) -> Done {
        if self.excluded {
            return Done { tree: None, memory: None, findings: Vec::new(), diagnostics: Vec::new() };
        }
        // Chunk by chunk into one allocation (`to_string` grows its buffer through `fmt::Write`).
        let mut text = String::with_capacity(self.rope.len_bytes());
        self.rope.chunks().for_each(|chunk| text.push_str(chunk));
        let (tree, memory, findings) = if self.options.regex_only {
            let (findings, _) = (self.scanner)(&self.rules, self.language, &text, None, self.options);
            (None, None, findings)
        } else {
            let mut reparsed = None;
            if let Some(rescanned) = self.rescan(&text, &mut reparsed) {
                rescanned
            } else {
                let tree = reparsed.or_else(|| scan::parse(self.language, &text, self.tree.as_ref()));
                let (findings, memory) =
                    (self.scanner)(&self.rules, self.language, &text, tree.as_ref(), self.options);
                (tree, memory.map(Arc::new), findings)
            }
        };
        let findings = self.settings.apply(findings);
        let index = LineIndex::new(&text);
        let diagnostics =
            findings.iter().map(|f| to_diagnostic(f, &self.rules, &index, &text, self.encoding)).collect();
        Done { tree, memory, findings, diagnostics }
    }

    /// The ranged rescan of the edits since the last stored scan (see `scan::ranged`): the tree to keep
    /// (the edited old one when only the region was parsed), the memory and the findings. `None` when
    /// a whole-file scan is needed; a whole re-parse made on the way is left in `reparsed`.
    fn rescan(&self, text: &str, reparsed: &mut Option<Tree>) -> Option<Scanned> {
        let (tree, (rules, memory), change) = (self.tree.as_ref()?, self.memory.as_ref()?, self.pending?);
        if !Arc::ptr_eq(rules, &self.rules) {
            return None;
        }
        let (rescanned, parsed) =
            ranged::rescan_edited(&self.rules, self.language, text, memory, change, tree);
        *reparsed = parsed;
        let (findings, memory) = rescanned?;
        let tree = reparsed.take().unwrap_or_else(|| tree.clone());
        Some((Some(tree), Some(Arc::new(memory)), findings))
    }
}

/// What a request about a document needs: the findings of its current text and that text.
pub(super) struct Snapshot {
    pub uri: Uri,
    pub rope: Rope,
    pub language: Language,
    pub path: Option<std::path::PathBuf>,
    pub encoding: Encoding,
    pub result: Arc<ScanResult>,
    pub rules: Arc<RuleSet>,
}

/// The findings of a document's current text, scanning now if the last scan is behind. `None` for a
/// document that is not open or a scan that failed.
pub(super) async fn snapshot(shared: &Arc<Shared>, uri: &Uri) -> Option<Snapshot> {
    let (job, base) = {
        let session = shared.lock();
        let (uri, document) = session.documents.get(uri.as_str())?;
        let base = Snapshot {
            uri: uri.clone(),
            rope: document.rope.clone(),
            language: document.language,
            path: document.path.clone(),
            encoding: session.encoding,
            result: Arc::new(ScanResult { version: document.version, findings: Vec::new() }),
            rules: Arc::clone(&session.rules),
        };
        if let Some(result) = document.current_result() {
            return Some(Snapshot { result, ..base });
        }
        let job = Job::new(
            document,
            Arc::clone(&session.rules),
            Arc::clone(&session.settings),
            session.encoding,
            Arc::clone(&shared.scanner),
        );
        (job, base)
    };
    let version = job.version;
    let done = match tokio::task::spawn_blocking(move || job.run()).await {
        Ok(done) => done,
        Err(e) => {
            tracing::error!(uri = uri.as_str(), version, "a scan failed: {e}");
            return None;
        }
    };
    Some(Snapshot { result: Arc::new(ScanResult { version, findings: done.findings }), ..base })
}
