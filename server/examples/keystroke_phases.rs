//! Diagnostic: where a language-server keystroke goes on a 10k-line document — the incremental
//! re-parse, and the scan of the re-parsed tree (`cargo run --release --example keystroke_phases
//! [python|javascript] [EDITS]`). The document and the edits are those of `tests/lsp_bench.rs`.
#![allow(clippy::print_stdout)] // a report
use std::time::{Duration, Instant};

#[path = "../tests/bench_documents/mod.rs"]
mod bench_documents;

use bench_documents::{javascript, python};
use sg_lsp::language::Language;
use sg_lsp::rules::RuleSet;
use sg_lsp::scan::ranged::{TextChange, rescan_edited};
use sg_lsp::scan::{ScanOptions, parse, scan_remembering, scan_with};
use tree_sitter::{InputEdit, Point};

fn offset_of(text: &str, (line, column): (usize, usize)) -> usize {
    text.split_inclusive('\n').take(line).map(str::len).sum::<usize>() + column
}

fn point_of(text: &str, offset: usize) -> Point {
    let row = text[..offset].matches('\n').count();
    Point::new(row, offset - text[..offset].rfind('\n').map_or(0, |i| i + 1))
}

fn median(mut times: Vec<Duration>) -> f64 {
    if times.is_empty() {
        return f64::NAN;
    }
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "python".into());
    let edits: usize = std::env::args().nth(2).and_then(|n| n.parse().ok()).unwrap_or(200);
    // For profiles of the keystroke path alone.
    let only_rescans = std::env::var_os("ONLY_RESCANS").is_some();
    let (language, (mut text, targets)) = match which.as_str() {
        "javascript" => (Language::JavaScript, javascript(10_000)),
        _ => (Language::Python, python(10_000)),
    };
    let rules = RuleSet::builtin();
    rules.warm();
    let mut tree = parse(language, &text, None).expect("parses");
    let (mut reparse, mut scanning, mut ranged) = (Vec::new(), Vec::new(), Vec::new());
    let (_, memory) = scan_remembering(rules, language, &text, Some(&tree), ScanOptions::default());
    let mut memory = memory.expect("a memory");
    let mut whole_scans = 0;
    for edit in 0..edits {
        let offset = offset_of(&text, targets[(edit * 7919) % targets.len()]);
        let start_position = point_of(&text, offset);
        text.insert(offset, 'x');
        tree.edit(&InputEdit {
            start_byte: offset,
            old_end_byte: offset,
            new_end_byte: offset + 1,
            start_position,
            old_end_position: start_position,
            new_end_position: Point::new(start_position.row, start_position.column + 1),
        });
        let change = TextChange { start: offset, old_end: offset, new_end: offset + 1 };
        let t = Instant::now();
        let (rescanned, reparsed) = rescan_edited(rules, language, &text, &memory, change, &tree);
        if let Some((findings, next)) = rescanned {
            memory = next;
            std::hint::black_box(findings);
            ranged.push(t.elapsed());
        } else {
            // As the server does: a whole scan of the re-parse, whose memory starts afresh.
            whole_scans += 1;
            let fresh =
                reparsed.clone().unwrap_or_else(|| parse(language, &text, Some(&tree)).expect("parses"));
            let (_, next) = scan_remembering(rules, language, &text, Some(&fresh), ScanOptions::default());
            memory = next.expect("a memory");
            tree = fresh;
            continue;
        }
        if only_rescans {
            // As the server does: it keeps the edited old tree after a region parse, else the re-parse.
            if let Some(reparsed) = reparsed {
                tree = reparsed;
            }
            continue;
        }
        let t = Instant::now();
        tree = parse(language, &text, Some(&tree)).expect("parses");
        reparse.push(t.elapsed());
        let t = Instant::now();
        let findings = scan_with(rules, language, &text, Some(&tree), ScanOptions::default());
        scanning.push(t.elapsed());
        std::hint::black_box(findings);
    }
    let t = Instant::now();
    let _ = parse(language, &text, None);
    println!("full parse {:.2} ms", t.elapsed().as_secs_f64() * 1000.0);
    println!(
        "{which}, {} bytes, {edits} edits: ranged rescan median {:.2} ms ({whole_scans} whole scans instead, not counted); whole re-parse median {:.2} ms, scan of the whole tree median {:.2} ms",
        text.len(),
        median(ranged),
        median(reparse),
        median(scanning)
    );
}
