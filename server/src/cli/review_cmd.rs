//! `sg-lsp review`: the LLM diff review of a repository's changes (working tree, index or against a
//! revision), printed like a scan (human, JSON, SARIF) with the review's cost on stderr.
//!
//! The CLI always calls the model when asked (a person asked explicitly), even during a cooldown; but a
//! failure that will repeat writes the cooldown marker the hook and the server honour, and a successful
//! call clears it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::Args;

use super::report::Report;
use super::{Color, FailOn, Format, human, json, sarif, use_color};
use crate::finding::Layer;
use crate::llm::{self, Client, Messages as _, Usage, cooldown};
use crate::review::{self, DiffTarget, ReviewError, ReviewOutcome, ReviewRequest};
use crate::rules::RuleSet;

/// The cooldown layer of the diff review (shared with the server and the Stop hook).
pub(super) const LAYER: &str = "review";

#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // independent switches
pub struct ReviewArgs {
    /// Review what is staged (HEAD → index) instead of the working tree.
    #[arg(long, conflicts_with = "base")]
    pub staged: bool,
    /// Review the working tree against this revision (a branch, tag or sha) instead of HEAD.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Exit 1 when a finding at or above this severity is reported.
    #[arg(long, value_enum, default_value_t)]
    pub fail_on: FailOn,
    /// Ask the model even when the same review is in the cache (and store the new answer).
    #[arg(long)]
    pub no_cache: bool,
    /// Keep findings the model rated low severity (dropped by default).
    #[arg(long)]
    pub keep_low: bool,
    #[arg(long, value_enum, default_value_t)]
    pub color: Color,
    /// A path inside the repository to review (default: the current directory).
    pub path: Option<PathBuf>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn flag(name: &str) -> bool {
    env(name).is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
}

/// Runs the review; `Ok(code)` is the exit code (errors were already said on stderr).
pub(super) fn run(args: &ReviewArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let client = match Client::from_env(env) {
        Ok(client) => client,
        Err(error) => {
            eprintln!("sg-lsp review: {}", error.message);
            return Ok(2);
        }
    };
    let root = match &args.path {
        Some(path) => path.clone(),
        None => std::env::current_dir()?,
    };
    let target = match (&args.base, args.staged) {
        (Some(rev), _) => DiffTarget::Base(rev.clone()),
        (None, true) => DiffTarget::Staged,
        (None, false) => DiffTarget::WorkingTree,
    };
    let mut request = ReviewRequest::new(root, target);
    request.home = env("HOME").or_else(|| env("USERPROFILE")).map(PathBuf::from);
    request.no_cache = args.no_cache;
    request.keep_low = args.keep_low;
    request.dual = flag("SG_DUAL_OR");

    let state = cooldown::state_dir(env).map(|(dir, _)| dir);
    if let Some(dir) = &state
        && let Some(marker) = cooldown::marker(dir, LAYER)
        && let Some(until) = marker.until.filter(|until| *until > crate::clock::now())
    {
        eprintln!(
            "note: the review layer is cooling down until {} after `{}` ({}); trying anyway because you asked",
            crate::clock::utc_minutes(until),
            marker.code,
            marker.message
        );
    }

    let outcome = match review::review_blocking(&client, &request) {
        Ok(outcome) => outcome,
        Err(error) => {
            if let (Some(dir), ReviewError::Llm(llm_error)) = (&state, &error) {
                cooldown::record_failure(
                    dir,
                    LAYER,
                    &llm::Failure::from(llm_error),
                    crate::clock::now(),
                    cooldown::window_from_env(env),
                );
            }
            eprintln!("sg-lsp review: {}", error_line(&error));
            return Ok(2);
        }
    };
    if outcome.requests > 0
        && let Some(dir) = &state
    {
        cooldown::record_success(dir, LAYER);
    }

    let mut report = to_report(&outcome);
    report.stats.elapsed_ms = started.elapsed().as_millis();
    let failing = report.findings.iter().any(|f| args.fail_on.fails(f.finding.severity));
    {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        match args.format {
            Format::Human => human::write(&mut out, &report, use_color(args.color))?,
            Format::Json => {
                let mut value = json::report_json(&report);
                value["review"] = review_json(&outcome, client.model());
                serde_json::to_writer_pretty(&mut out, &value)?;
                std::io::Write::write_all(&mut out, b"\n")?;
            }
            Format::Sarif => sarif::write(&mut out, &report, &RuleSet::default())?,
        }
    }
    for note in &outcome.notes {
        eprintln!("note: {note}");
    }
    eprintln!("{}", summary(&outcome, client.model()));
    Ok(u8::from(failing))
}

/// One line saying what failed and, where the message does not already, what to do.
fn error_line(error: &ReviewError) -> String {
    match error {
        ReviewError::Git(message) if message.starts_with("not inside a git repository") => {
            format!("{message} (run it inside a repository, or pass a path inside one)")
        }
        ReviewError::Git(message) if message.starts_with("unknown revision") => {
            format!("{message} (check the revision given to --base)")
        }
        ReviewError::Git(message) => format!("git: {message}"),
        ReviewError::Llm(error) => {
            let hint = match error.code {
                llm::FailureCode::Network | llm::FailureCode::Dns | llm::FailureCode::Tls => {
                    " (check the network, the endpoint (`sg-lsp doctor`) and any proxy)"
                }
                llm::FailureCode::Timeout => " (raise SG_LLM_TIMEOUT_SECS, or review fewer changes)",
                llm::FailureCode::BadResponse => " (try again; if it repeats, check the model and endpoint)",
                _ => "",
            };
            format!("{error}{hint}")
        }
        ReviewError::Runtime(message) => message.clone(),
    }
}

/// Places the findings in their files (human, JSON and SARIF printers work unchanged).
fn to_report(outcome: &ReviewOutcome) -> Report {
    let texts: BTreeMap<&str, Arc<str>> =
        outcome.files.iter().map(|file| (file.path.as_str(), Arc::from(file.text.as_str()))).collect();
    let mut by_file: BTreeMap<&str, Vec<crate::finding::Finding>> = BTreeMap::new();
    let empty: Arc<str> = Arc::from("");
    for finding in &outcome.findings {
        let text = texts.get(finding.path.as_str()).unwrap_or(&empty);
        by_file.entry(finding.path.as_str()).or_default().push(finding.to_finding(text, Layer::Review));
    }
    let mut report = Report::default();
    for (path, findings) in by_file {
        let text = texts.get(path).unwrap_or(&empty);
        report.add_file(path, text, None, findings);
    }
    report.sort();
    report.stats.files = outcome.files.len();
    report.stats.bytes = outcome.files.iter().map(|file| file.text.len() as u64).sum();
    report
}

fn review_json(outcome: &ReviewOutcome, model: &str) -> serde_json::Value {
    serde_json::json!({
        "model": model,
        "requests": outcome.requests,
        "cached": outcome.cached,
        "input_tokens": outcome.usage.input_tokens,
        "output_tokens": outcome.usage.output_tokens,
        "cache_read_input_tokens": outcome.usage.cache_read_input_tokens,
        "cache_creation_input_tokens": outcome.usage.cache_creation_input_tokens,
        "cost_usd": outcome.cost_usd,
        "bytes_sent": outcome.bytes_sent,
        "elapsed_ms": outcome.elapsed.as_millis(),
        "notes": outcome.notes,
    })
}

/// `review: 5 files, 1 request, tokens in 4210 / out 50 / cache read 0 / cache write 0, $0.0224, 1.3 s`.
fn summary(outcome: &ReviewOutcome, model: &str) -> String {
    let Usage { input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens } =
        outcome.usage;
    let plural = |n: usize, noun: &str| if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") };
    let cost = match outcome.cost_usd {
        Some(cost) => format!("${cost:.4}"),
        None => format!("cost unknown for model {model}"),
    };
    format!(
        "review: {}, {}, tokens in {input_tokens} / out {output_tokens} / cache read {cache_read_input_tokens} \
         / cache write {cache_creation_input_tokens}, {cost}, {:.1} s{}",
        plural(outcome.files.len(), "file"),
        plural(outcome.requests as usize, "request"),
        outcome.elapsed.as_secs_f64(),
        if outcome.cached { " (cached)" } else { "" }
    )
}
