//! The protocol handlers. Each notification changes the session under the lock before its first
//! `.await` (tower-lsp-server runs handlers concurrently, so an early `.await` would let a later edit
//! overtake this one); the work is then handed to the scheduler.

use std::path::PathBuf;

use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeActionParams, CodeActionResponse, ConfigurationItem, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidChangeWatchedFilesRegistrationOptions,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    DocumentDiagnosticParams, DocumentDiagnosticReportResult, ExecuteCommandParams, FileSystemWatcher,
    GlobPattern, Hover, HoverParams, InitializeParams, InitializeResult, InitializedParams, LSPAny,
    MessageType, NumberOrString, Registration, ServerInfo, WorkDoneProgressCancelParams,
    WorkspaceDiagnosticParams, WorkspaceDiagnosticReportResult,
};
use tower_lsp_server::{Client, LanguageServer};

use super::capabilities::{negotiate_encoding, server_capabilities};
use super::review::{self, Reviewer, Trigger};
use super::scheduler::{self, Outgoing, Shared};
use super::session::Session;
use super::settings::{ClientOptions, SECTION, read_project_config};
use super::{ServeOptions, code_actions, commit_review, hover, project_rules, pull, workspace};
use crate::rules::{LoadOptions, RuleSet};

/// What the client can do that changes how we talk to it, resolved once at `initialize`.
#[allow(clippy::struct_excessive_bools, reason = "one field per client capability reads best")]
#[derive(Clone, Copy, Debug, Default)]
struct ClientFlags {
    /// Answers `workspace/configuration`.
    configuration: bool,
    /// Accepts a dynamic registration of file watchers.
    watch_files: bool,
    /// Shows server-initiated `$/progress`.
    progress: bool,
    /// Opens documents on `window/showDocument`.
    show_document: bool,
}

pub(super) struct Backend {
    client: Client,
    shared: Arc<Shared>,
    flags: OnceLock<ClientFlags>,
    /// Problems found before the client could be told (bad settings or project file).
    early_problems: Mutex<Vec<String>>,
    shutdown: Arc<AtomicBool>,
    reviewer: Arc<Reviewer>,
}

impl Backend {
    pub fn new(client: Client, options: ServeOptions) -> Self {
        let (rules, errors) = RuleSet::load(RuleSet::builtin_sources(), LoadOptions::default());
        for error in errors {
            tracing::error!("built-in rule failed to load: {error}");
        }
        let scanner = options.scanner.unwrap_or_else(|| Arc::new(crate::scan::scan_remembering));
        let shared = Shared::new(Session::new(Arc::new(rules)), client.clone(), scanner);
        let env = options.env.unwrap_or_else(|| Arc::new(|name: &str| std::env::var(name).ok()));
        Backend {
            client,
            shared,
            flags: OnceLock::new(),
            early_problems: Mutex::new(Vec::new()),
            shutdown: Arc::new(AtomicBool::new(false)),
            reviewer: Arc::new(Reviewer::new(env)),
        }
    }

    /// `window/workDoneProgress/cancel`: the cancel button of the review's progress bar.
    #[allow(clippy::unused_async, reason = "tower-lsp-server's custom methods are async")]
    pub async fn cancel_progress(&self, params: WorkDoneProgressCancelParams) {
        let token = |name: &str| params.token == NumberOrString::String(name.into());
        if token(review::PROGRESS_TOKEN) && review::cancel(&self.reviewer) {
            tracing::info!("review cancelled by the client");
        }
        if token(commit_review::PROGRESS_TOKEN) && commit_review::cancel(&self.reviewer) {
            tracing::info!("commit review cancelled by the client");
        }
    }

    /// Set once `shutdown` has been answered.
    pub fn shutdown_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.shutdown)
    }

    fn flags(&self) -> ClientFlags {
        self.flags.get().copied().unwrap_or_default()
    }

    /// Takes new client options (or keeps the old ones for `None`), rescans every open document and the
    /// workspace's closed files, and tells the user what was wrong.
    async fn reconfigure(
        &self,
        options: Option<std::result::Result<ClientOptions, String>>,
        mut problems: Vec<String>,
    ) {
        {
            let mut session = self.shared.lock();
            match options {
                Some(Ok(options)) => session.client_options = options,
                Some(Err(problem)) => problems.push(problem),
                None => {}
            }
            let (resolve_problems, restart) = session.reconfigure();
            problems.extend(resolve_problems);
            for task in restart {
                scheduler::start(&self.shared, task);
            }
        }
        // Closed files too: their findings depend on the same settings and rules.
        workspace::start(&self.shared, &self.client, self.flags().progress);
        self.tell(problems).await;
    }

    /// Swaps in reloaded rules; rule files whose errors changed and are not open get their diagnostics
    /// now (open ones get them with their rescan).
    fn take_rules(&self, loaded: project_rules::Loaded) {
        let mut session = self.shared.lock();
        let old = std::mem::replace(&mut session.rule_errors, loaded.errors);
        session.rules = loaded.rules;
        for (key, (uri, _)) in &old {
            if !session.rule_errors.contains_key(key) && !session.documents.contains_key(key) {
                self.shared.send(Outgoing::Diagnostics {
                    uri: uri.clone(),
                    version: None,
                    diagnostics: Vec::new(),
                });
            }
        }
        for (key, (uri, diagnostics)) in &session.rule_errors {
            if !session.documents.contains_key(key) {
                let message = Outgoing::Diagnostics {
                    uri: uri.clone(),
                    version: None,
                    diagnostics: diagnostics.clone(),
                };
                self.shared.send(message);
            }
        }
    }

    /// Asks the client for the `sgLsp` section; `None` when it has none or cannot answer.
    async fn pull_configuration(&self) -> Option<std::result::Result<ClientOptions, String>> {
        let item = ConfigurationItem { scope_uri: None, section: Some(SECTION.to_owned()) };
        match self.client.configuration(vec![item]).await {
            Ok(values) => {
                values.into_iter().next().filter(|v| !v.is_null()).map(|v| ClientOptions::from_value(&v))
            }
            Err(e) => {
                tracing::warn!("workspace/configuration failed: {e}");
                None
            }
        }
    }

    async fn tell(&self, problems: Vec<String>) {
        for problem in problems {
            tracing::warn!("{problem}");
            self.client.show_message(MessageType::WARNING, format!("sg-lsp: {problem}")).await;
        }
    }

    async fn watch_project_files(&self) {
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: ["**/.sg-lsp.toml", "**/.sg-lsp/rules/**"]
                .into_iter()
                .map(|glob| FileSystemWatcher { glob_pattern: GlobPattern::String(glob.into()), kind: None })
                .collect(),
        };
        let registration = Registration {
            id: "sg-lsp-project-files".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(options).ok(),
        };
        // Clients may refuse; the project file and rules are then read at start only.
        if let Err(e) = self.client.register_capability(vec![registration]).await {
            tracing::info!("client declined file watching: {e}");
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let options = params.initialization_options.as_ref().map(ClientOptions::from_value).transpose();
        let mut problems = Vec::new();
        let options = options.unwrap_or_else(|problem| {
            problems.push(problem);
            None
        });
        let options = options.unwrap_or_default();
        let encoding = negotiate_encoding(&params.capabilities, options.position_encoding.as_deref());
        let root = workspace_root(&params);
        let (project_config, problem) = root.as_deref().map(read_project_config).unwrap_or_default();
        problems.extend(problem);
        let workspace = params.capabilities.workspace.as_ref();
        // Pull only when the client can be told to pull again: findings also change without an edit
        // (settings, rules, reviews). Neovim 0.11 pulls but has no refresh, so it gets pushes.
        let pull = params.capabilities.text_document.as_ref().is_some_and(|t| t.diagnostic.is_some())
            && workspace
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false);
        let _ = self.flags.set(ClientFlags {
            configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
            watch_files: workspace
                .and_then(|w| w.did_change_watched_files)
                .and_then(|w| w.dynamic_registration)
                .unwrap_or(false),
            progress: params.capabilities.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false),
            show_document: params
                .capabilities
                .window
                .as_ref()
                .and_then(|w| w.show_document.as_ref())
                .is_some_and(|show| show.support),
        });
        let loaded = project_rules::load(root.as_deref());
        {
            let mut session = self.shared.lock();
            session.encoding = encoding;
            session.rules = loaded.rules;
            session.rule_errors = loaded.errors;
            session.root = root;
            session.project_config = project_config;
            session.client_options = options;
            problems.extend(session.reconfigure().0);
            let mut published = self.shared.published();
            published.pull = pull;
            // The workspace scan starts at `initialized`; a workspace pull before it waits for it.
            published.scanning = session.root.is_some();
        }
        self.early_problems.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend(problems);
        tracing::info!(?encoding, pull, "initialized");
        Ok(InitializeResult {
            capabilities: server_capabilities(encoding, pull),
            server_info: Some(ServerInfo {
                name: "sg-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // Compile every rule query now, off the handler, so the first keystroke does not pay for it.
        let rules = Arc::clone(&self.shared.lock().rules);
        drop(tokio::task::spawn_blocking(move || rules.warm()));
        {
            let session = self.shared.lock();
            for (uri, diagnostics) in session.rule_errors.values() {
                let message = Outgoing::Diagnostics {
                    uri: uri.clone(),
                    version: None,
                    diagnostics: diagnostics.clone(),
                };
                self.shared.send(message);
            }
        }
        let problems = std::mem::take(
            &mut *self.early_problems.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        self.tell(problems).await;
        if self.flags().watch_files {
            self.watch_project_files().await;
        }
        if self.flags().configuration
            && let Some(options) = self.pull_configuration().await
        {
            self.reconfigure(Some(options), Vec::new()).await; // scans the workspace too
        } else {
            workspace::start(&self.shared, &self.client, self.flags().progress);
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        tracing::debug!(
            uri = params.text_document.uri.as_str(),
            version = params.text_document.version,
            "didOpen"
        );
        let task = self.shared.lock().open(params);
        scheduler::start(&self.shared, task);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let task = self.shared.lock().change(&params);
        if let Some(task) = task {
            scheduler::start(&self.shared, task);
        }
        review::arm_idle(&self.shared, &self.client, &self.reviewer, self.flags().progress);
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let on_save = self.shared.lock().settings.review_on_save.unwrap_or(self.reviewer.available());
        if on_save && let Some(path) = params.text_document.uri.to_file_path() {
            let trigger = Trigger::Save(path.into_owned());
            review::start(&self.shared, &self.client, &self.reviewer, trigger, self.flags().progress);
        }
        review::arm_idle(&self.shared, &self.client, &self.reviewer, self.flags().progress);
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        if params.command == review::REVIEW_CHANGES {
            review::start(
                &self.shared,
                &self.client,
                &self.reviewer,
                Trigger::Command,
                self.flags().progress,
            );
            return Ok(None);
        }
        if params.command == code_actions::PLACE_CURSOR {
            if let Some(show) = code_actions::place_cursor(&params.arguments)
                && self.flags().show_document
            {
                // Not awaited: the client answers after it has our reply to this command.
                let client = self.client.clone();
                tokio::spawn(async move {
                    if let Err(e) = client.show_document(show).await {
                        tracing::debug!("window/showDocument failed: {e}");
                    }
                });
            }
            return Ok(None);
        }
        if params.command == commit_review::REVIEW_COMMIT {
            // An optional revision; staged changes (else HEAD) without one.
            let revision = params.arguments.first().and_then(Value::as_str).map(str::to_owned);
            let show = commit_review::Show {
                progress: self.flags().progress,
                documents: self.flags().show_document,
            };
            commit_review::start(&self.shared, &self.client, &self.reviewer, revision, show);
            return Ok(None);
        }
        Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!("unknown command `{}`", params.command)))
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let mut session = self.shared.lock();
        if let Some(uri) = session.close(&params.text_document.uri) {
            // Queued under the lock: no scan result of this document can follow it.
            self.shared.send(Outgoing::Diagnostics {
                uri: uri.clone(),
                version: None,
                diagnostics: Vec::new(),
            });
            drop(session);
            tokio::spawn(workspace::rescan_closed(Arc::clone(&self.shared), uri));
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // Clients either push the settings here or send `null` and expect to be asked.
        let pushed = params.settings.get(SECTION).filter(|v| !v.is_null()).cloned();
        let options = match pushed {
            Some(value) => Some(ClientOptions::from_value(&value)),
            None if self.flags().configuration => self.pull_configuration().await,
            None if params.settings.is_object() => Some(ClientOptions::from_value(&params.settings)),
            None => None,
        };
        if options.is_some() {
            self.reconfigure(options, Vec::new()).await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let touched = |needle: &str| params.changes.iter().any(|change| change.uri.as_str().contains(needle));
        let (config_changed, rules_changed) = (touched("/.sg-lsp.toml"), touched("/.sg-lsp/rules/"));
        if !config_changed && !rules_changed {
            return;
        }
        let root = self.shared.lock().root.clone();
        let Some(root) = root else { return };
        let mut problems = Vec::new();
        if config_changed {
            let (config, problem) = read_project_config(&root);
            problems.extend(problem);
            self.shared.lock().project_config = config;
        }
        if rules_changed {
            let reload_root = root.clone();
            match tokio::task::spawn_blocking(move || project_rules::load(Some(&reload_root))).await {
                Ok(loaded) => self.take_rules(loaded),
                Err(e) => tracing::error!("reloading project rules failed: {e}"),
            }
        }
        tracing::info!("project files changed; rescanning open documents");
        self.reconfigure(None, problems).await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        let Some(snapshot) = scheduler::snapshot(&self.shared, &at.text_document.uri).await else {
            return Ok(None);
        };
        Ok(hover::hover(&snapshot, at.position))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let snapshot = scheduler::snapshot(&self.shared, &params.text_document.uri).await;
        let place_cursor = self.flags().show_document;
        let mut actions =
            snapshot.map(|s| code_actions::code_actions(&s, &params, place_cursor)).unwrap_or_default();
        if self.reviewer.available() {
            actions.extend(code_actions::review_actions(&params));
        }
        Ok(Some(actions))
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        Ok(pull::document(&self.shared, &params).await)
    }

    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        Ok(pull::workspace(&self.shared, &params).await)
    }
}

/// The first workspace folder, else the (deprecated) root URI.
fn workspace_root(params: &InitializeParams) -> Option<PathBuf> {
    let folder = params.workspace_folders.as_ref().and_then(|folders| folders.first()).map(|f| &f.uri);
    #[allow(deprecated)]
    let uri = folder.or(params.root_uri.as_ref())?;
    uri.to_file_path().map(std::borrow::Cow::into_owned)
}
