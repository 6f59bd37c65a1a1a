//! `sg-lsp rules`: list the catalogue, explain one rule, or test rule examples in a directory.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::json;

use super::Format;
use crate::rule_files;
use crate::rules::{LoadOptions, Rule, RuleSet, check_examples};

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub action: Option<RulesAction>,
    /// `human` (default) or `json`.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// Print one rule's documentation.
    Explain { id: String },
    /// Load the rules in DIR (laid out like `queries/`), compile them and run their examples.
    Test {
        #[arg(long, default_value = "queries")]
        dir: PathBuf,
        /// Also check a labeled fixture corpus (files with `<file>.labels` sidecars).
        #[arg(long)]
        corpus: Option<PathBuf>,
    },
}

pub(super) fn run(args: &RulesArgs) -> anyhow::Result<u8> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match &args.action {
        None => list(&mut out, args.format)?,
        Some(RulesAction::Explain { id }) => {
            let rules = RuleSet::builtin();
            let Some(rule) = rules.get(id) else {
                eprintln!("sg-lsp: no rule `{id}`; `sg-lsp rules` lists them");
                return Ok(2);
            };
            explain(&mut out, rule)?;
        }
        Some(RulesAction::Test { dir, corpus }) => return test(&mut out, dir, corpus.as_deref()),
    }
    Ok(0)
}

fn languages(rule: &Rule) -> Vec<&'static str> {
    rule.languages.iter().map(|l| l.name()).collect()
}

fn list(out: &mut impl Write, format: Format) -> anyhow::Result<()> {
    let rules = RuleSet::builtin();
    if format == Format::Human {
        for rule in rules.rules() {
            writeln!(
                out,
                "{:<44} {:<8} {:<10} {}",
                rule.id,
                rule.meta.severity,
                rule.meta.cwe.join(","),
                rule.meta.message
            )?;
        }
        writeln!(out, "{} rules", rules.rules().len())?;
        return Ok(());
    }
    let list: Vec<_> = rules
        .rules()
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "severity": rule.meta.severity.public_name(),
                "confidence": rule.meta.confidence.as_str(),
                "cwe": rule.meta.cwe,
                "languages": languages(rule),
                "message": rule.meta.message,
                "fix": rule.meta.fix.as_ref().map(|fix| fix.title.clone()),
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &json!({ "version": env!("CARGO_PKG_VERSION"), "rules": list }))?;
    writeln!(out)?;
    Ok(())
}

fn explain(out: &mut impl Write, rule: &Rule) -> anyhow::Result<()> {
    writeln!(out, "# {}\n", rule.id)?;
    writeln!(out, "{}\n", rule.meta.message)?;
    writeln!(
        out,
        "Severity: {} · confidence: {} · {} · languages: {}\n",
        rule.meta.severity,
        rule.meta.confidence.as_str(),
        rule.meta.cwe.join(", "),
        languages(rule).join(", ")
    )?;
    writeln!(out, "{}", rule.meta.note.trim())?;
    if let Some(fix) = &rule.meta.fix {
        writeln!(out, "\nQuick fix: {}", fix.title)?;
    }
    let examples = &rule.meta.examples;
    for (title, list) in [("Flagged", &examples.invalid), ("Not flagged", &examples.valid)] {
        if !list.is_empty() {
            writeln!(out, "\n## {title}\n")?;
            for example in list {
                writeln!(out, "    {}", example.replace('\n', "\n    "))?;
            }
        }
    }
    if let Some(uri) = rule.help_uri() {
        writeln!(out, "\n{uri}")?;
    }
    writeln!(
        out,
        "\nSuppress with a comment on the line or the line above: sg-ignore[{}]: <reason>",
        rule.id
    )?;
    Ok(())
}

fn test(out: &mut impl Write, dir: &std::path::Path, corpus: Option<&std::path::Path>) -> anyhow::Result<u8> {
    let (sources, mut errors) = rule_files::read_dir(dir);
    let (rules, load_errors) = RuleSet::load(sources, LoadOptions { validate_queries: true });
    errors.extend(load_errors);
    for error in &errors {
        writeln!(out, "error: {error}")?;
    }
    let failures = check_examples(&rules);
    for failure in &failures {
        writeln!(out, "fail: {failure}")?;
    }
    let examples: usize =
        rules.rules().iter().map(|r| r.meta.examples.invalid.len() + r.meta.examples.valid.len()).sum();
    writeln!(
        out,
        "{} rules, {examples} examples: {} load errors, {} example failures",
        rules.rules().len(),
        errors.len(),
        failures.len()
    )?;
    let mut corpus_problems = 0;
    if let Some(corpus) = corpus {
        let report = crate::corpus::check(&rules, corpus);
        for problem in &report.problems {
            writeln!(out, "corpus: {problem}")?;
        }
        for thin in report.thin_rules(&rules, 3) {
            writeln!(out, "corpus: thin: {thin}")?;
        }
        writeln!(
            out,
            "corpus: {} files, precision {:.3}, recall {:.3} ({} true positives, {} false positives, {} missed)",
            report.files,
            report.precision(),
            report.recall(),
            report.true_positives,
            report.false_positives,
            report.false_negatives
        )?;
        corpus_problems = report.problems.len();
    }
    Ok(u8::from(!errors.is_empty() || !failures.is_empty() || corpus_problems > 0))
}
