//! Diagnostic: the findings on which the engine's fast path (gates, anchored windows) and a scan that
//! runs every rule over the whole tree disagree, per file (`cargo run --release --example
//! strategy_diff [--gated | --anchored] FILE...`). `--gated` keeps the gates and walks whole trees (the
//! anchors alone differ); `--anchored` drops the gates but keeps anchored windows (the gates alone
//! differ). The engine tests assert agreement on the corpus; this checks large real trees.
#![allow(clippy::print_stdout)]
use std::path::Path;

use sg_lsp::files::scan_contents;
use sg_lsp::rules::RuleSet;
use sg_lsp::scan::ScanOptions;

fn main() {
    let mut reference = ScanOptions { ungated: true, whole_tree: true, ..ScanOptions::default() };
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--gated" => reference.ungated = false,
            "--anchored" => reference.whole_tree = false,
            _ => files.push(arg),
        }
    }
    let rules = RuleSet::builtin();
    let mut differing = 0;
    for path in &files {
        let Ok(bytes) = std::fs::read(path) else { continue };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let key = |options| {
            let scanned = scan_contents(rules, Path::new(path), text.clone(), options);
            scanned.findings.into_iter().map(|f| (f.rule, f.span)).collect::<Vec<_>>()
        };
        let (fast, slow) = (key(ScanOptions::default()), key(reference));
        if fast != slow {
            differing += 1;
            for finding in slow.iter().filter(|f| !fast.contains(f)) {
                println!("{path}: only without the fast path: {finding:?}");
            }
            for finding in fast.iter().filter(|f| !slow.contains(f)) {
                println!("{path}: only with the fast path: {finding:?}");
            }
        }
    }
    println!("{differing} of {} files differ", files.len());
}
