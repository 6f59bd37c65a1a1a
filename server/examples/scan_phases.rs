//! Diagnostic: where a file's scan time goes — regex rules only (prefilter set + regex rules), parse
//! only, full scan (`cargo run --release --example scan_phases FILE...`).
#![allow(clippy::print_stdout, clippy::cast_precision_loss)] // a report; byte counts far below 2^52
use std::time::Instant;

use sg_lsp::language::Language;
use sg_lsp::rules::RuleSet;
use sg_lsp::scan::{ScanOptions, parse, scan_with};

fn main() {
    let rules = RuleSet::builtin();
    rules.warm();
    let (mut regex_only, mut parsing, mut full, mut bytes) = (0.0, 0.0, 0.0, 0);
    for path in std::env::args().skip(1) {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let language = Language::from_path(std::path::Path::new(&path));
        bytes += text.len();
        let t = Instant::now();
        scan_with(rules, language, &text, None, ScanOptions { regex_only: true, ..ScanOptions::default() });
        regex_only += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let _ = parse(language, &text, None);
        parsing += t.elapsed().as_secs_f64();
        let t = Instant::now();
        scan_with(rules, language, &text, None, ScanOptions::default());
        full += t.elapsed().as_secs_f64();
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "{mb:.1} MB: regex-only {regex_only:.2}s, parse {parsing:.2}s, full scan {full:.2}s ({:.1} MB/s)",
        mb / full
    );
}
