//! Diagnostic: time of each Python query rule's prefilter and anchor regex and of each regex rule
//! (`queries/any`) over many files, and of the combined anchors the engine builds from them
//! (`cargo run --release --example prefilter_times FILE...`), slowest first. Regexes are compiled as
//! the engine compiles them; each is timed on its second pass (a warm lazy DFA, as in a server).
#![allow(clippy::print_stdout)]
use std::time::{Duration, Instant};

use sg_lsp::rules::{compile_regex, word_boundary_free};

fn main() {
    let texts: Vec<String> =
        std::env::args().skip(1).filter_map(|p| std::fs::read_to_string(p).ok()).collect();
    let queries = concat!(env!("CARGO_MANIFEST_DIR"), "/../queries");
    let mut rows: Vec<(Duration, String, usize)> = Vec::new();
    let mut anchors = Vec::new();
    let entries = ["python", "any"].into_iter().flat_map(|folder| {
        std::fs::read_dir(format!("{queries}/{folder}")).expect("queries").map(|entry| entry.expect("entry"))
    });
    for entry in entries {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let meta: toml::Table = toml::from_str(&std::fs::read_to_string(&path).expect("toml")).expect("toml");
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        for key in ["prefilter", "anchor", "regex"] {
            let Some(source) = meta.get(key).and_then(|v| v.as_str()) else { continue };
            if key == "anchor" {
                anchors.push(format!("(?:{source})"));
            }
            // A regex rule without a prefilter is gated by its regex without word boundaries.
            let gate = if key == "regex" && meta.get("prefilter").is_none() {
                word_boundary_free(source)
            } else {
                None
            };
            let key = if gate.is_some() { "regex gate" } else { key };
            let regex = compile_regex(gate.as_deref().unwrap_or(source)).expect("regex");
            let _warm = texts.iter().filter(|t| regex.is_match(t)).count();
            let started = Instant::now();
            let hits = texts.iter().filter(|t| regex.is_match(t)).count();
            rows.push((started.elapsed(), format!("{name} {key}"), hits));
        }
    }
    // As one alternation with the import anchor `RuleSet::language_rules` adds (the engine searches the
    // same alternatives as a multi-pattern regex, trailing `(?s:.*)` turned into flags: `rules/anchors.rs`).
    anchors.push(r"(?-u:\b)(?:import|require)(?-u:\b)".to_owned());
    let combined = compile_regex(&anchors.join("|")).expect("anchors");
    let _warm: usize = texts.iter().map(|t| combined.find_iter(t).count()).sum();
    let started = Instant::now();
    let hits: usize = texts.iter().map(|t| combined.find_iter(t).count()).sum();
    rows.push((started.elapsed(), "ALL anchors find_iter".into(), hits));
    rows.sort();
    for (time, name, hits) in rows.iter().rev() {
        println!("{time:>10.2?} {name} ({hits} hits)");
    }
}
