//! `sg-lsp scan`: walk the paths in parallel (respecting .gitignore), scan each file, print a report.

use std::io::Read as _;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::Context;
use ignore::{WalkBuilder, WalkState};

use super::report::{FileError, Report};
use super::{Format, ScanArgs, human, json, sarif, use_color};
use crate::config::Config;
use crate::files::scan_contents;
use crate::rules::RuleSet;
use crate::scan::ScanOptions;

/// Bytes inspected for a NUL when deciding whether a file is binary (as git and ripgrep do).
const BINARY_SNIFF: usize = 8 * 1024;

pub(super) fn run(args: &ScanArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let config = load_config(args)?;
    let rules = RuleSet::builtin();
    let report = Mutex::new(Report::default());

    let mut walk = WalkBuilder::new(&args.paths[0]);
    for path in &args.paths[1..] {
        walk.add(path);
    }
    walk.hidden(false)
        .require_git(false)
        .threads(args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from)))
        .filter_entry(|entry| entry.file_name() != ".git");
    if args.no_ignore {
        walk.standard_filters(false).hidden(false);
    }
    if !config.exclude.is_empty() {
        let mut overrides = ignore::overrides::OverrideBuilder::new(".");
        for glob in &config.exclude {
            overrides.add(&format!("!{glob}")).with_context(|| format!("bad exclude glob `{glob}`"))?;
        }
        walk.overrides(overrides.build()?);
    }

    walk.build_parallel().run(|| {
        let report = &report;
        let config = &config;
        Box::new(move |entry| {
            match entry {
                Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                    scan_file(entry.path(), rules, config, args.max_file_size, report);
                }
                Ok(_) => {}
                Err(e) => report.lock().expect("report lock").errors.push(walk_error(&e)),
            }
            WalkState::Continue
        })
    });

    let mut report = report.into_inner().expect("report lock");
    report.sort();
    report.stats.elapsed_ms = started.elapsed().as_millis();
    let failing = report.findings.iter().any(|f| args.fail_on.fails(f.finding.severity));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Human => human::write(&mut out, &report, use_color(args.color))?,
        Format::Json => json::write(&mut out, &report)?,
        Format::Sarif => sarif::write(&mut out, &report, rules)?,
    }
    if args.format != Format::Human {
        for note in &report.skipped {
            eprintln!("note: {}: {}", note.path, note.message);
        }
        for error in &report.errors {
            eprintln!("error: {}: {}", error.path, error.message);
        }
    }
    Ok(if report.errors.is_empty() { u8::from(failing) } else { 2 })
}

fn load_config(args: &ScanArgs) -> anyhow::Result<Config> {
    let (path, explicit) = match &args.config {
        Some(path) => (path.clone(), true),
        None => (Path::new(".sg-lsp.toml").to_path_buf(), false),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Config::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display())),
        Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(e) => Err(anyhow::anyhow!("cannot read config {}: {e}", path.display())),
    }
}

fn walk_error(error: &ignore::Error) -> FileError {
    match error {
        ignore::Error::WithPath { path, err } => {
            FileError { path: display_path(path), message: walk_error(err).message }
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => walk_error(err),
        ignore::Error::Io(e) => FileError { path: String::new(), message: e.to_string() },
        other => FileError { path: String::new(), message: other.to_string() },
    }
}

fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    text.strip_prefix("./").unwrap_or(&text).to_owned()
}

fn scan_file(path: &Path, rules: &RuleSet, config: &Config, max_size: u64, report: &Mutex<Report>) {
    let shown = display_path(path);
    let outcome = read_text(path, max_size);
    let text = match outcome {
        Ok(Contents::Text(text)) => text,
        Ok(Contents::Skipped(reason)) => {
            report.lock().expect("report lock").skipped.push(FileError { path: shown, message: reason });
            return;
        }
        Ok(Contents::Binary) => return,
        Err(e) => {
            report
                .lock()
                .expect("report lock")
                .errors
                .push(FileError { path: shown, message: e.to_string() });
            return;
        }
    };
    let bytes = text.len() as u64;
    let scanned = std::panic::catch_unwind(|| scan_contents(rules, path, text, ScanOptions::default()));
    let mut report = report.lock().expect("report lock");
    report.stats.files += 1;
    report.stats.bytes += bytes;
    match scanned {
        Ok(scanned) => {
            let findings = config.apply(scanned.findings);
            report.add_file(&shown, &scanned.text, scanned.notebook.as_ref(), findings);
        }
        Err(_) => report.errors.push(FileError {
            path: shown,
            message: "internal error while scanning this file (please report it); other files were scanned"
                .into(),
        }),
    }
}

enum Contents {
    Text(String),
    Binary,
    Skipped(String),
}

/// Reads a file as text: binary files (a NUL early on) are skipped, oversized ones skipped with a note,
/// and invalid UTF-8 is decoded lossily so the rest of the file is still scanned.
fn read_text(path: &Path, max_size: u64) -> std::io::Result<Contents> {
    let mut file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > max_size {
        return Ok(Contents::Skipped(format!(
            "skipped: {size} bytes is over the {max_size}-byte limit (raise it with --max-file-size)"
        )));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.read_to_end(&mut bytes)?;
    if bytes[..bytes.len().min(BINARY_SNIFF)].contains(&0) {
        return Ok(Contents::Binary);
    }
    Ok(Contents::Text(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }))
}
