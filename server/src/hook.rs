//! Claude Code hook shim (`sg-lsp hook`): one hook event on stdin, SPEC §4.
//!
//! Being built under issue 4; until then every event exits 0 with nothing on stdout, which Claude Code
//! reads as "nothing to report".

/// Runs the hook and returns the process exit code.
pub fn main() -> u8 {
    0
}
