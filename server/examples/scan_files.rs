//! Diagnostic: scans files with the built-in catalogue after warming it (plans compiled), so a profiler
//! sees only the scans: `valgrind --tool=callgrind --toggle-collect='*scan_files::measured*'
//! target/release/examples/scan_files [--repeat N] [--tree] [--lean] FILE...` counts the instructions of
//! the scans alone. `--tree` parses first and scans with the tree (the server's case); `--lean` uses
//! the lean plan (the hook's case); `--whole` ignores anchors (the whole-tree query pass). Prints the number of findings and the wall time.
#![allow(clippy::print_stdout)]
use std::path::Path;
use std::time::Instant;

use sg_lsp::language::Language;
use sg_lsp::rules::RuleSet;
use sg_lsp::scan::{ScanOptions, parse, scan_with};
use tree_sitter::Tree;

fn main() {
    let mut repeat = 1;
    let mut with_tree = false;
    let mut options = ScanOptions::default();
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--repeat" => repeat = args.next().and_then(|n| n.parse().ok()).expect("--repeat N"),
            "--tree" => with_tree = true,
            "--lean" => options.lean = true,
            "--whole" => options.whole_tree = true,
            _ => files.push(arg),
        }
    }
    let rules = RuleSet::builtin();
    if !options.lean {
        rules.warm();
    }
    let inputs: Vec<(Language, String, Option<Tree>)> = files
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).ok()?;
            let language = Language::from_path(Path::new(path));
            let tree = if with_tree { parse(language, &text, None) } else { None };
            Some((language, text, tree))
        })
        .collect();
    let started = Instant::now();
    let findings = measured(rules, &inputs, repeat, options);
    println!("{findings} findings, {:?}", started.elapsed());
}

#[inline(never)]
fn measured(
    rules: &RuleSet,
    inputs: &[(Language, String, Option<Tree>)],
    repeat: usize,
    options: ScanOptions,
) -> usize {
    let mut findings = 0;
    for _ in 0..repeat {
        for (language, text, tree) in inputs {
            findings += scan_with(rules, *language, text, tree.as_ref(), options).len();
        }
    }
    findings
}
