//! Diagnostic: time of each regex rule (prefilter or regex gate, then the regex itself) over many files,
//! slowest first, without parsing (`cargo run --release --example regex_rule_times FILE...`). Finds the
//! whole-file regexes that dominate the regex phase of a large tree.
#![allow(clippy::print_stdout, clippy::cast_precision_loss)] // a report; byte counts far below 2^52
use std::time::{Duration, Instant};

use sg_lsp::language::Language;
use sg_lsp::rules::{LoadOptions, RuleSet};
use sg_lsp::scan::{ScanOptions, scan_with};

fn main() {
    let inputs: Vec<(Language, String)> = std::env::args()
        .skip(1)
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            Some((Language::from_path(std::path::Path::new(&path)), text))
        })
        .collect();
    let bytes: usize = inputs.iter().map(|(_, text)| text.len()).sum();
    let options = ScanOptions { regex_only: true, keep_suppressed: true, ..ScanOptions::default() };
    let mut rows: Vec<(Duration, String)> = Vec::new();
    for source in RuleSet::builtin_sources().into_iter().filter(|source| source.query.is_none()) {
        let id = source.path.replace('/', ".");
        let (rules, _) = RuleSet::load(vec![source], LoadOptions::default());
        // First pass compiles the regexes; the second is timed.
        for (language, text) in &inputs {
            scan_with(&rules, *language, text, None, options);
        }
        let started = Instant::now();
        for (language, text) in &inputs {
            scan_with(&rules, *language, text, None, options);
        }
        rows.push((started.elapsed(), id));
    }
    let total: Duration = rows.iter().map(|(time, _)| *time).sum();
    rows.sort();
    println!("{:.1} MB in {} files; regex rules alone {total:.2?}", bytes as f64 / 1e6, inputs.len());
    for (time, id) in rows.iter().rev() {
        println!("{time:>10.2?} {:>5.1}% {id}", 100.0 * time.as_secs_f64() / total.as_secs_f64());
    }
}
