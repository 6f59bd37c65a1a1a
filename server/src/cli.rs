//! The command line: argument parsing and dispatch. Each subcommand lives in its own module.

mod doctor_cmd;
mod git_hook_cmd;
mod human;
mod json;
mod report;
mod review_cmd;
mod review_commit_cmd;
mod rules_cmd;
mod sarif;
mod scan_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::finding::Severity;

#[derive(Debug, Parser)]
#[command(name = "sg-lsp", version, about = "Security review in your editor, your agent and your CI")]
pub struct Cli {
    /// No subcommand: the language server.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Accepted and ignored (editors append it; stdio is the only transport).
    #[arg(long, hide = true)]
    pub stdio: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Language server over stdio (also what `sg-lsp` with no subcommand runs).
    Serve {
        /// Accepted and ignored: stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Scan files and directories with the pattern rules (default: the current directory).
    Scan(ScanArgs),
    /// List the rule catalogue, explain a rule, or test rule examples.
    Rules(rules_cmd::RulesArgs),
    /// LLM diff review of the working tree against HEAD (or the index, or a revision).
    Review(review_cmd::ReviewArgs),
    /// Agentic review of a commit (default HEAD) or, with --staged, of what is about to be committed:
    /// the model investigates with sandboxed Read/Grep/Glob, then tries to refute each finding.
    ReviewCommit(review_commit_cmd::ReviewCommitArgs),
    /// What the tool sees: provider and model, credentials found (never printed), switches, state and
    /// log paths, cooldowns, recent failures, the review cache.
    Doctor(doctor_cmd::DoctorArgs),
    /// Install (or --uninstall) the opt-in git pre-commit hook that runs `review-commit --staged` and
    /// blocks only on error-severity findings (`git commit --no-verify` skips it).
    InstallGitHook(git_hook_cmd::GitHookArgs),
    /// Claude Code hook shim: reads one hook event as JSON on stdin (see `editors/claude-code`).
    Hook,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Json,
    Sarif,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    #[default]
    Warning,
    Info,
    Never,
}

impl FailOn {
    fn fails(self, severity: Severity) -> bool {
        let severity = if severity == Severity::Hint { Severity::Info } else { severity };
        match self {
            FailOn::Error => severity >= Severity::Error,
            FailOn::Warning => severity >= Severity::Warning,
            FailOn::Info => severity >= Severity::Info,
            FailOn::Never => false,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Color {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Exit 1 when a finding at or above this severity is reported.
    #[arg(long, value_enum, default_value_t)]
    pub fail_on: FailOn,
    /// Project configuration file (default: `.sg-lsp.toml` in the current directory, if present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Also scan files that .gitignore and .ignore exclude.
    #[arg(long)]
    pub no_ignore: bool,
    #[arg(long, value_enum, default_value_t)]
    pub color: Color,
    /// Skip files larger than this many bytes (with a note).
    #[arg(long, default_value_t = 2 * 1024 * 1024)]
    pub max_file_size: u64,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
}

/// Runs the command line and maps the outcome to an exit code: 0 clean, 1 findings, 2 errors.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let outcome = match cli.command {
        None | Some(Command::Serve { .. }) => return crate::lsp::main(),
        Some(Command::Scan(args)) => scan_cmd::run(&args),
        Some(Command::Rules(args)) => rules_cmd::run(&args),
        Some(Command::Review(args)) => review_cmd::run(&args),
        Some(Command::ReviewCommit(args)) => review_commit_cmd::run(&args),
        Some(Command::Doctor(args)) => doctor_cmd::run(&args),
        Some(Command::InstallGitHook(args)) => git_hook_cmd::run(&args),
        Some(Command::Hook) => return ExitCode::from(crate::hook::main()),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("sg-lsp: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether to color output written to stdout.
fn use_color(color: Color) -> bool {
    use std::io::IsTerminal;
    match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal(),
    }
}
