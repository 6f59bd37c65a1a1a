//! sg-lsp: a security reviewer for editors and AI coding agents.
//!
//! The core (`text`, `language`, `finding`, `rules`, `scan`, `notebook`) is pure: no IO, no LSP, no
//! network. The edges (`cli`, and later `lsp`, `hook`, `git`, `llm`) adapt it to the outside world.

pub mod agent;
pub mod cli;
pub mod clock;
pub mod config;
pub mod corpus;
pub mod files;
pub mod finding;
pub mod git;
pub mod hook;
pub mod language;
pub mod llm;
pub mod lsp;
pub mod notebook;
pub mod review;
pub mod rule_files;
pub mod rules;
pub mod scan;
pub mod text;

pub use finding::{Confidence, Finding, Severity};
pub use language::Language;
pub use rules::RuleSet;
pub use scan::{scan, scan_with};
