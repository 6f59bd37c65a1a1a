//! The language server (`sg-lsp serve`): LSP over stdio, the only module that knows LSP types.
//!
//! tower-lsp-server runs the protocol; `framing` sits in front of it so one malformed frame is answered
//! with a JSON-RPC error instead of ending the session. Document state changes synchronously at the top
//! of every notification handler; scans run on blocking threads, one at a time per document, and a
//! result is published only if its document version is still current.

mod backend;
mod capabilities;
mod code_actions;
mod commit_review;
mod diagnostics;
mod document;
mod framing;
mod hover;
mod logging;
mod position;
mod project_rules;
mod pull;
mod review;
mod scheduler;
mod session;
mod settings;
mod workspace;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

use crate::finding::Finding;
use crate::language::Language;
use crate::rules::RuleSet;
use crate::scan::{ScanMemory, ScanOptions};

/// The function that scans one whole document and keeps its memory for ranged rescans
/// ([`crate::scan::scan_remembering`]); tests replace it to simulate a panicking rule.
pub type Scanner = Arc<
    dyn Fn(
            &RuleSet,
            Language,
            &str,
            Option<&tree_sitter::Tree>,
            ScanOptions,
        ) -> (Vec<Finding>, Option<ScanMemory>)
        + Send
        + Sync,
>;

/// How the server reads environment variables (provider credentials, switches, `HOME`).
pub type Env = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// How to run the server; the default is what `sg-lsp serve` does.
#[derive(Clone, Default)]
pub struct ServeOptions {
    /// Replaces [`crate::scan::scan_remembering`].
    pub scanner: Option<Scanner>,
    /// Replaces the process environment (tests point the review at a mock with it).
    pub env: Option<Env>,
}

/// `sg-lsp serve`: the server on stdin and stdout until `exit` or the end of input.
pub fn main() -> ExitCode {
    logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let code = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout(), ServeOptions::default()));
    // The stdin reader may sit in a blocking read forever; do not wait for it.
    runtime.shutdown_background();
    ExitCode::from(code)
}

/// Serves one session over `input` and `output`. Returns the exit status LSP asks for: 0 after
/// `shutdown` then `exit`, 1 when `exit` came without `shutdown` or the input ended.
pub async fn serve<I, O>(input: I, output: O, options: ServeOptions) -> u8
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let (service, socket) = LspService::build(|client| backend::Backend::new(client, options))
        // tower-lsp-server has no handler for it: the cancel button of the review's progress bar.
        .custom_method("window/workDoneProgress/cancel", backend::Backend::cancel_progress)
        .finish();
    let shutdown = service.inner().shutdown_flag();
    let (to_server, server_input) = tokio::io::duplex(framing::PIPE_CAPACITY);
    let (server_output, from_server) = tokio::io::duplex(framing::PIPE_CAPACITY);
    let (replies, reply_queue) = tokio::sync::mpsc::unbounded_channel();

    let reader = tokio::spawn(framing::forward_input(input, to_server, replies));
    let writer = tokio::spawn(framing::forward_output(from_server, reply_queue, output));
    Server::new(server_input, server_output, socket).serve(service).await;
    // The server's end of the output pipe is closed now, so the writer drains it and stops.
    let _ = writer.await;
    reader.abort();
    tracing::info!("session ended");
    u8::from(!shutdown.load(Ordering::SeqCst))
}
