//! Logs to stderr through `tracing`, filtered by `SG_LSP_LOG` (default `info`). stdout is the protocol.
//!
//! Handlers log URIs, versions and counts, never document text.

use tracing_subscriber::EnvFilter;

pub(super) fn init() {
    let filter = EnvFilter::try_from_env("SG_LSP_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // A second initialisation (tests running several servers) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .try_init();
}
