//! The workspace scan: every file under the root scanned in the background (respecting `.gitignore`,
//! as `sg-lsp scan` does), with `$/progress`, and published for the files not open: at start, and again
//! whenever settings, the project file or project rules change (a running scan then stops).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::WalkBuilder;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{Diagnostic, NumberOrString, ProgressToken, Uri};

use super::diagnostics::to_diagnostic;
use super::scheduler::{Outgoing, Shared};
use super::session::Session;
use super::settings::Settings;
use crate::files::scan_contents;
use crate::rules::RuleSet;
use crate::scan::ScanOptions;
use crate::text::{Encoding, LineIndex};

/// A workspace with more files than this is not scanned in the background.
pub(super) const MAX_FILES: usize = 10_000;
/// Files scanned per blocking task, between two progress reports.
const BATCH: usize = 64;
/// Bytes inspected for a NUL when deciding whether a file is binary (as git and ripgrep do).
const BINARY_SNIFF: usize = 8 * 1024;

/// What one workspace file holds: its diagnostics, if it has any.
pub(super) struct Found {
    pub uri: Uri,
    pub diagnostics: Vec<Diagnostic>,
}

/// The files to scan under `root`: not ignored, not `.git`, not excluded by the settings.
pub(super) fn files(root: &Path, settings: &Settings) -> Vec<PathBuf> {
    let mut walk = WalkBuilder::new(root);
    walk.hidden(false).require_git(false).filter_entry(|entry| entry.file_name() != ".git");
    walk.build()
        .flatten()
        .filter(|entry| entry.file_type().is_some_and(|kind| kind.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|path| !settings.excludes(path))
        .take(MAX_FILES + 1)
        .collect()
}

/// Scans one file from disk. `None` for binary, oversized, unreadable files and notebooks (whose
/// findings point into the joined cells, not the file).
pub(super) fn scan_file(
    path: &Path,
    rules: &RuleSet,
    settings: &Settings,
    encoding: Encoding,
) -> Option<Found> {
    let is_notebook = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("ipynb"));
    let metadata = std::fs::metadata(path).ok()?;
    if is_notebook || metadata.len() > settings.max_file_size as u64 {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    if bytes[..bytes.len().min(BINARY_SNIFF)].contains(&0) {
        return None;
    }
    let contents = String::from_utf8_lossy(&bytes).into_owned();
    let scanned = scan_contents(rules, path, contents, ScanOptions::default());
    let findings = settings.apply(scanned.findings);
    let index = LineIndex::new(&scanned.text);
    let diagnostics =
        findings.iter().map(|f| to_diagnostic(f, rules, &index, &scanned.text, encoding)).collect();
    Some(Found { uri: Uri::from_file_path(path)?, diagnostics })
}

/// Starts a scan of the workspace's closed files, stopping one that is running (its results would be
/// for older settings or rules).
pub(super) fn start(shared: &Arc<Shared>, client: &Client, with_progress: bool) {
    let generation = shared.published().begin_scan();
    tokio::spawn(scan(Arc::clone(shared), client.clone(), with_progress, generation));
}

/// Whether a newer scan has started.
fn stopped(shared: &Shared, generation: u64) -> bool {
    shared.published().generation != generation
}

/// The scan of `generation` is over (or gave up): pulls waiting for it can answer.
fn finish(shared: &Shared, generation: u64) {
    let refresh = shared.published().end_scan(generation);
    if refresh {
        shared.refresh();
    }
    shared.changed();
}

/// Publishes what a closed file holds: its pattern findings, a broken rule's error if it is a project
/// rule file, and the review findings kept for it. Call under the session lock.
fn publish_closed(session: &Session, shared: &Shared, uri: Uri, mut diagnostics: Vec<Diagnostic>) {
    let key = uri.as_str();
    if let Some((_, errors)) = session.rule_errors.get(key) {
        diagnostics.extend(errors.iter().cloned());
    }
    diagnostics.extend(session.review_closed.get(key).into_iter().flatten().cloned());
    shared.send(Outgoing::Diagnostics { uri, version: None, diagnostics });
}

/// Scans the workspace and publishes what it finds in files that are not open; files that had findings
/// and no longer do (settings, rules, deleted or excluded files) are cleared. Stops when a newer scan
/// starts. Reports progress when the client takes it.
async fn scan(shared: Arc<Shared>, client: Client, with_progress: bool, generation: u64) {
    let (root, rules, settings, encoding) = {
        let session = shared.lock();
        let Some(root) = session.root.clone() else {
            drop(session);
            return finish(&shared, generation);
        };
        (root, Arc::clone(&session.rules), Arc::clone(&session.settings), session.encoding)
    };
    if !settings.workspace_scan {
        sweep(&shared, generation, &HashSet::new());
        return finish(&shared, generation);
    }
    let listing = (root.clone(), Arc::clone(&settings));
    let Ok(files) = tokio::task::spawn_blocking(move || files(&listing.0, &listing.1)).await else {
        return finish(&shared, generation);
    };
    if files.len() > MAX_FILES {
        let message = format!("sg-lsp: over {MAX_FILES} files in the workspace; only open files are scanned");
        shared.send(Outgoing::Log(tower_lsp_server::ls_types::MessageType::INFO, message));
        return finish(&shared, generation);
    }
    let token: ProgressToken = NumberOrString::String(format!("sg-lsp/workspace-scan/{generation}"));
    let progress = if with_progress && client.create_work_done_progress(token.clone()).await.is_ok() {
        let title = "sg-lsp: scanning the workspace";
        Some(client.progress(token, title).with_percentage(0).begin().await)
    } else {
        None
    };
    let total = files.len();
    let mut done = 0;
    let mut with_findings = 0;
    let mut seen = HashSet::new();
    for batch in files.chunks(BATCH) {
        if stopped(&shared, generation) {
            if let Some(progress) = progress {
                progress.finish_with_message("restarted".to_owned()).await;
            }
            return;
        }
        let (batch, rules, settings) = (batch.to_vec(), Arc::clone(&rules), Arc::clone(&settings));
        let scanned = tokio::task::spawn_blocking(move || {
            batch.iter().filter_map(|path| scan_file(path, &rules, &settings, encoding)).collect::<Vec<_>>()
        })
        .await;
        let Ok(scanned) = scanned else {
            tracing::error!("a workspace scan batch failed and was skipped");
            continue;
        };
        {
            let session = shared.lock();
            // Checked under the lock: a newer scan publishes only after this point.
            if stopped(&shared, generation) {
                continue;
            }
            for found in scanned {
                seen.insert(found.uri.as_str().to_owned());
                // An open document's own scan is newer than the file on disk.
                if session.documents.contains_key(found.uri.as_str()) {
                    continue;
                }
                with_findings += usize::from(!found.diagnostics.is_empty());
                publish_closed(&session, &shared, found.uri, found.diagnostics);
            }
        }
        done += BATCH.min(total - done);
        if let Some(progress) = &progress {
            // The diagnostics go out through the queue; progress goes straight to the client.
            shared.flush().await;
            let percentage = u32::try_from(done * 100 / total.max(1)).unwrap_or(100);
            progress.report_with_message(format!("{done}/{total} files"), percentage).await;
        }
    }
    sweep(&shared, generation, &seen);
    tracing::info!(files = total, with_findings, "workspace scanned");
    if let Some(progress) = progress {
        progress.finish_with_message(format!("{total} files, {with_findings} with findings")).await;
    }
    finish(&shared, generation);
}

/// Clears the pattern findings of closed files the scan did not see (now excluded, deleted, or the
/// scan is off), keeping their review findings and rule errors.
fn sweep(shared: &Shared, generation: u64, seen: &HashSet<String>) {
    let session = shared.lock();
    if stopped(shared, generation) {
        return;
    }
    let gone = shared.published().closed_with_findings();
    for uri in gone {
        if !seen.contains(uri.as_str()) && !session.documents.contains_key(uri.as_str()) {
            publish_closed(&session, shared, uri, Vec::new());
        }
    }
}

/// After a document closes, its findings come from the file on disk again (and its review findings
/// are kept). Also publishes a closed file's new review findings.
pub(super) async fn rescan_closed(shared: Arc<Shared>, uri: Uri) {
    let Some(path) = uri.to_file_path().map(std::borrow::Cow::into_owned) else { return };
    let (rules, settings, encoding, inside) = {
        let session = shared.lock();
        let inside = session.root.as_deref().is_some_and(|root| path.starts_with(root));
        (Arc::clone(&session.rules), Arc::clone(&session.settings), session.encoding, inside)
    };
    let scan_pattern = inside && settings.workspace_scan && !settings.excludes(&path);
    let mut diagnostics = Vec::new();
    if scan_pattern
        && let Ok(Some(found)) =
            tokio::task::spawn_blocking(move || scan_file(&path, &rules, &settings, encoding)).await
    {
        diagnostics = found.diagnostics;
    }
    let session = shared.lock();
    if session.documents.contains_key(uri.as_str()) {
        return;
    }
    if !scan_pattern && !session.review_closed.contains_key(uri.as_str()) {
        return;
    }
    publish_closed(&session, &shared, uri, diagnostics);
}
