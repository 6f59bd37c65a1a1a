//! `sg-lsp-hook`: the Claude Code hook shim alone, without the command line, the language server or
//! the network code, so that it maps as little address space as possible (`ulimit -v`).
//!
//! It behaves exactly as `sg-lsp hook`, except that review events (`Stop`, `SubagentStop`) are handed
//! to the full `sg-lsp` binary (next to this one, else on PATH), which holds the LLM client.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(sg_lsp::hook::slim_main())
}
