//! `sg-lsp review-commit`: the agentic commit review (SPEC §5) of a commit (default HEAD) or of what
//! is staged, printed like a scan (human, JSON, SARIF) with each finding's data-flow trace, the
//! review's cost on stderr and, with `--report`, the Markdown report.
//!
//! Progress ("Reading app/routes.py") goes to stderr when stderr is a terminal or with `--verbose`,
//! so CI logs stay tidy. Like `review`, the command always calls the model when asked (a person
//! asked), even during a cooldown; a failure that will repeat writes the `commit-review` cooldown
//! marker and a success clears it. Under `--git-hook` (what the installed pre-commit hook passes) the
//! cooldown is honoured, and every reason the review could not run is one line saying the commit goes
//! ahead (exit 2, which the hook turns into 0).

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::Args;

use super::report::{Detail, Report};
use super::{Color, FailOn, Format, human, json, sarif, use_color};
use crate::agent::{self, AgentError, AgentOutcome, AgentRequest, Budgets, Progress};
use crate::finding::Layer;
use crate::llm::{self, Client, Usage, cooldown};
use crate::review::{DiffTarget, ReviewError};
use crate::rules::RuleSet;

/// The cooldown layer of the commit review (shared with the server and the Claude Code hook).
pub(super) const LAYER: &str = "commit-review";

#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // independent switches
pub struct ReviewCommitArgs {
    /// The commit to review (a sha, branch, tag or `HEAD~2`).
    #[arg(default_value = "HEAD", value_name = "REV")]
    pub rev: String,
    /// Review what is about to be committed (HEAD → index) instead of a commit.
    #[arg(long, conflicts_with = "rev")]
    pub staged: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Exit 1 when a finding at or above this severity is reported.
    #[arg(long, value_enum, default_value_t)]
    pub fail_on: FailOn,
    /// Ask the model even when the fallback review's answer is cached (and store the new answer).
    #[arg(long)]
    pub no_cache: bool,
    /// Keep findings the model rated low severity (dropped by default).
    #[arg(long)]
    pub keep_low: bool,
    #[arg(long, value_enum, default_value_t)]
    pub color: Color,
    /// Also write the Markdown report (evidence chain, exploit, fix, cost) to this file.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Print each step on stderr ("Reading app/routes.py"); on by default when stderr is a terminal.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Run as the installed pre-commit hook: honour the cooldown, and word every reason the review
    /// could not run as "the commit goes ahead".
    #[arg(long, hide = true)]
    pub git_hook: bool,
    /// A path inside the repository (default: the current directory).
    #[arg(short = 'C', value_name = "PATH")]
    pub path: Option<PathBuf>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A 0/1 switch of the environment (`1 true on yes` / `0 false off no`, any case); `None` when unset
/// or not understood.
fn flag(name: &str) -> Option<bool> {
    match env(name)?.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "yes" => Some(true),
        "0" | "false" | "off" | "no" => Some(false),
        _ => None,
    }
}

/// The switches that turn the commit review off for the git hook, as they do for the Claude Code hook.
fn switched_off() -> bool {
    flag("SECURITY_GUIDANCE_DISABLE") == Some(true)
        || flag("ENABLE_CODE_SECURITY_REVIEW") == Some(false)
        || flag("ENABLE_COMMIT_REVIEW") == Some(false)
}

/// Runs the review; `Ok(code)` is the exit code (errors were already said on stderr).
pub(super) fn run(args: &ReviewCommitArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let say = |line: &str| {
        if args.git_hook {
            eprintln!("sg-lsp pre-commit: commit not reviewed: {line}; the commit goes ahead");
        } else {
            eprintln!("sg-lsp review-commit: {line}");
        }
    };
    if args.git_hook && switched_off() {
        // The user turned the layer off: the commit goes ahead without a word.
        return Ok(0);
    }
    let client = match Client::from_env(env) {
        Ok(client) => client.agentic(),
        Err(error) => {
            say(&error.message);
            return Ok(2);
        }
    };
    let request = request(args)?;
    let state = cooldown::state_dir(env).map(|(dir, _)| dir);
    if let Some(dir) = &state {
        if args.git_hook {
            if let cooldown::Gate::Cooling { until, code, message } =
                cooldown::check(dir, LAYER, crate::clock::now())
            {
                say(&format!(
                    "the commit review is cooling down until {} after `{code}` ({message})",
                    crate::clock::utc_minutes(until)
                ));
                return Ok(2);
            }
        } else if let Some(marker) = cooldown::marker(dir, LAYER)
            && let Some(until) = marker.until.filter(|until| *until > crate::clock::now())
        {
            eprintln!(
                "note: the commit review is cooling down until {} after `{}` ({}); trying anyway because you asked",
                crate::clock::utc_minutes(until),
                marker.code,
                marker.message
            );
        }
    }

    let show_progress = args.verbose || std::io::stderr().is_terminal();
    let progress = move |step: Progress| {
        if show_progress {
            eprintln!("review-commit: {}", step.message);
        }
    };
    let outcome = match agent::review_commit_blocking(&client, &request, progress) {
        Ok(outcome) => outcome,
        Err(error) => {
            if let (Some(dir), Some(llm_error)) = (&state, llm_error(&error)) {
                cooldown::record_failure(
                    dir,
                    LAYER,
                    &llm::Failure::from(llm_error),
                    crate::clock::now(),
                    cooldown::window_from_env(env),
                );
            }
            say(&error_line(&error, args.staged));
            return Ok(2);
        }
    };
    if outcome.requests > 0
        && let Some(dir) = &state
    {
        cooldown::record_success(dir, LAYER);
    }

    if let Some(file) = &args.report
        && let Err(error) = std::fs::write(file, agent::render_report(&outcome))
    {
        say(&format!("cannot write the report to {}: {error}", file.display()));
        return Ok(2);
    }

    let mut report = to_report(&outcome);
    report.stats.elapsed_ms = started.elapsed().as_millis();
    print(args, &outcome, &report)
}

/// Prints the findings on stdout and the notes and the summary on stderr; the exit code.
fn print(args: &ReviewCommitArgs, outcome: &AgentOutcome, report: &Report) -> anyhow::Result<u8> {
    let failing = report.findings.iter().any(|f| args.fail_on.fails(f.finding.severity));
    {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        match args.format {
            Format::Human => human::write(&mut out, report, use_color(args.color))?,
            Format::Json => {
                let mut value = json::report_json(report);
                value["commit_review"] = review_json(outcome);
                serde_json::to_writer_pretty(&mut out, &value)?;
                std::io::Write::write_all(&mut out, b"\n")?;
            }
            Format::Sarif => sarif::write(&mut out, report, &RuleSet::default())?,
        }
    }
    for note in &outcome.notes {
        eprintln!("note: {note}");
    }
    if let Some(file) = &args.report {
        eprintln!("report: {}", file.display());
    }
    eprintln!("{}", summary(outcome));
    Ok(u8::from(failing))
}

/// The review `args` ask for, budgets from the environment.
fn request(args: &ReviewCommitArgs) -> anyhow::Result<AgentRequest> {
    let root = match &args.path {
        Some(path) => path.clone(),
        None => std::env::current_dir()?,
    };
    let target = if args.staged { DiffTarget::Staged } else { DiffTarget::Commit(args.rev.clone()) };
    let mut request = AgentRequest::new(root, target);
    request.home = env("HOME").or_else(|| env("USERPROFILE")).map(PathBuf::from);
    request.no_cache = args.no_cache;
    request.keep_low = args.keep_low;
    request.budgets = Budgets::from_env(env);
    if args.staged {
        // Inside a pre-commit hook of `git commit -a` or `git commit <paths>`, what is about to be
        // committed is in the temporary index git names here (relative to the hook's directory).
        request.index_file = env("GIT_INDEX_FILE").map(|file| {
            let file = PathBuf::from(file);
            if file.is_absolute() { file } else { std::env::current_dir().unwrap_or_default().join(file) }
        });
    }
    Ok(request)
}

/// The LLM failure behind a failed review, if any (for the cooldown).
fn llm_error(error: &AgentError) -> Option<&llm::LlmError> {
    match error {
        AgentError::Llm(error) | AgentError::Fallback { error: ReviewError::Llm(error), .. } => Some(error),
        _ => None,
    }
}

/// One line saying what failed and, where the message does not already, what to do.
fn error_line(error: &AgentError, staged: bool) -> String {
    let hint = |error: &llm::LlmError| match error.code {
        llm::FailureCode::Network | llm::FailureCode::Dns | llm::FailureCode::Tls => {
            " (check the network, the endpoint (`sg-lsp doctor`) and any proxy)"
        }
        llm::FailureCode::Timeout => " (raise SG_LLM_TIMEOUT_SECS or SG_AGENTIC_TIMEOUT_SECS)",
        llm::FailureCode::BadResponse => " (try again; if it repeats, check the model and endpoint)",
        _ => "",
    };
    match error {
        AgentError::Git(message) if message.starts_with("not inside a git repository") => {
            format!("{message} (run it inside a repository, or pass -C PATH)")
        }
        AgentError::Git(message)
            if message.starts_with("unknown revision") || message.contains("not a commit") =>
        {
            if staged {
                format!("{message} (nothing committed yet?)")
            } else {
                format!("{message} (give a commit: a sha, branch, tag or HEAD~N)")
            }
        }
        AgentError::Git(message) => format!("git: {message}"),
        AgentError::Llm(llm_error) => format!("{llm_error}{}", hint(llm_error)),
        AgentError::Fallback { reason, error: ReviewError::Llm(llm_error) } => {
            format!("{reason}, and the fallback review failed: {llm_error}{}", hint(llm_error))
        }
        AgentError::Cancelled | AgentError::Fallback { .. } => error.to_string(),
    }
}

/// Places the findings in their files, each with its trace (human, JSON and SARIF printers).
fn to_report(outcome: &AgentOutcome) -> Report {
    let texts: BTreeMap<&str, Arc<str>> =
        outcome.files.iter().map(|file| (file.path.as_str(), Arc::from(file.text.as_str()))).collect();
    let mut by_file: BTreeMap<&str, Vec<&agent::AgentFinding>> = BTreeMap::new();
    for item in &outcome.findings {
        by_file.entry(item.finding.path.as_str()).or_default().push(item);
    }
    let empty: Arc<str> = Arc::from("");
    let mut report = Report::default();
    for (path, items) in by_file {
        let text = texts.get(path).unwrap_or(&empty);
        let findings = items.iter().map(|item| item.finding.to_finding(text, Layer::CommitReview)).collect();
        let first = report.findings.len();
        report.add_file(path, text, None, findings);
        for (located, item) in report.findings[first..].iter_mut().zip(&items) {
            located.detail = Some(Detail {
                trace: item.trace.clone(),
                exploit: item.exploit.clone(),
                evidence: item.evidence.clone(),
            });
        }
    }
    report.sort();
    report.stats.files = outcome.files.len();
    report.stats.bytes = outcome.files.iter().map(|file| file.text.len() as u64).sum();
    report
}

fn review_json(outcome: &AgentOutcome) -> serde_json::Value {
    serde_json::json!({
        "model": outcome.model,
        "commit": outcome.commit,
        "stages": outcome.stages.iter().map(|stage| stage.as_str()).collect::<Vec<_>>(),
        "tool_calls": outcome.tool_calls,
        "tool_errors": outcome.tool_errors,
        "turns": outcome.turns,
        "requests": outcome.requests,
        "input_tokens": outcome.usage.input_tokens,
        "output_tokens": outcome.usage.output_tokens,
        "cache_read_input_tokens": outcome.usage.cache_read_input_tokens,
        "cache_creation_input_tokens": outcome.usage.cache_creation_input_tokens,
        "cost_usd": outcome.cost_usd,
        "bytes_read": outcome.bytes_read,
        "bytes_sent": outcome.bytes_sent,
        "elapsed_ms": outcome.elapsed.as_millis(),
        "fallback": outcome.fallback,
        "notes": outcome.notes,
    })
}

/// `commit-review: investigate → refute, 4 tool calls (Grep 1, Read 3), 5 turns, 5 requests, tokens in
/// 11592 / out 250 / cache read 0 / cache write 0, $0.0642, 812 B read, 0.1 s`.
fn summary(outcome: &AgentOutcome) -> String {
    let Usage { input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens } =
        outcome.usage;
    let plural = |n: u32, noun: &str| if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") };
    let stages = if outcome.stages.is_empty() {
        "nothing to review".to_owned()
    } else {
        outcome.stages.iter().map(|stage| stage.as_str()).collect::<Vec<_>>().join(" → ")
    };
    let by_tool: Vec<String> = outcome.tool_calls.iter().map(|(name, n)| format!("{name} {n}")).collect();
    let tools = if by_tool.is_empty() {
        plural(0, "tool call")
    } else {
        format!("{} ({})", plural(outcome.tool_call_count(), "tool call"), by_tool.join(", "))
    };
    let refused =
        if outcome.tool_errors > 0 { format!(", {} refused", outcome.tool_errors) } else { String::new() };
    let cost = match outcome.cost_usd {
        Some(cost) => format!("${cost:.4}"),
        None => format!("cost unknown for model {}", outcome.model),
    };
    let fallback = match &outcome.fallback {
        Some(reason) => format!(", fallback: {reason}"),
        None => String::new(),
    };
    format!(
        "commit-review: {stages}, {tools}{refused}, {}, {}, tokens in {input_tokens} / out {output_tokens} / \
         cache read {cache_read_input_tokens} / cache write {cache_creation_input_tokens}, {cost}, {} B read, \
         {:.1} s{fallback}",
        plural(outcome.turns, "turn"),
        plural(outcome.requests, "request"),
        outcome.bytes_read,
        outcome.elapsed.as_secs_f64(),
    )
}
