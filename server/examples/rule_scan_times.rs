//! Diagnostic: time of each rule's query pass on one file with a parsed tree, slowest first
//! (`cargo run --release --example rule_scan_times FILE`). Finds rules whose patterns are costly to match.
#![allow(clippy::print_stdout)]
use sg_lsp::language::Language;
use sg_lsp::rules::{LoadOptions, RuleSet};
use sg_lsp::scan::{ScanOptions, parse, scan_with};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: rule_scan_times FILE");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).expect("readable file");
    let language = Language::from_path(std::path::Path::new(&path));
    let tree = parse(language, &text, None).expect("parses");
    let mut rows = Vec::new();
    for source in RuleSet::builtin_sources() {
        let id = source.path.replace('/', ".");
        let (rules, _) = RuleSet::load(vec![source], LoadOptions::default());
        rules.warm();
        let runs = 3;
        let started = std::time::Instant::now();
        for _ in 0..runs {
            scan_with(&rules, language, &text, Some(&tree), ScanOptions::default());
        }
        rows.push((started.elapsed() / runs, id));
    }
    rows.sort();
    for (time, id) in rows.iter().rev().take(12) {
        println!("{time:>10.2?} {id}");
    }
}
