//! `sg-lsp-hook`: the Claude Code hook shim alone, without the command line, the language server or
//! the network code, so that it maps as little address space as possible (`ulimit -v`).
//!
//! It behaves exactly as `sg-lsp hook`.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(sg_lsp::hook::main())
}
