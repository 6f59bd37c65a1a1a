//! A review on a thread of its own, so that its deadline is a hard limit: past it the review is
//! abandoned (the hook process exits right after, which ends the thread).

use std::time::Duration;

/// Why no result came back in time.
pub(crate) enum Late {
    /// The deadline passed first.
    Over(Duration),
    /// The thread could not start, or it panicked.
    Broken(String),
}

/// Runs `work` on a thread named `name` and waits at most `deadline` for it. `layer` names the review
/// for the test switch `SG_LSP_HOOK_TEST_ABORT` (debug builds only), which aborts the process there
/// to test how a dead review is handled.
pub(crate) fn within<T: Send + 'static>(
    name: &str,
    layer: &'static str,
    deadline: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Late> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            if cfg!(debug_assertions)
                && std::env::var("SG_LSP_HOOK_TEST_ABORT").is_ok_and(|v| v.split(',').any(|m| m == layer))
            {
                std::process::abort();
            }
            let _ = sender.send(work());
        })
        .map_err(|e| Late::Broken(format!("cannot start the review thread ({e})")))?;
    match receiver.recv_timeout(deadline) {
        Ok(result) => Ok(result),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(Late::Over(deadline)),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            Err(Late::Broken("internal error in the review (it panicked); please report it".into()))
        }
    }
}
