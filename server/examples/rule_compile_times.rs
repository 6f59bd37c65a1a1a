//! Diagnostic: tree-sitter query compile time per rule and grammar, slowest first
//! (`cargo run --release --example rule_compile_times`). Compile cost grows with patterns; keep rules lean.
#![allow(clippy::print_stdout)]
use sg_lsp::rules::RuleSet;
fn main() {
    let mut rows = Vec::new();
    for rule in RuleSet::builtin().rules() {
        let Some(source) = RuleSet::builtin_sources()
            .into_iter()
            .find(|s| s.path.replace('/', ".") == rule.id)
            .and_then(|s| s.query)
        else {
            continue;
        };
        for language in &rule.languages {
            let t = std::time::Instant::now();
            let _ = tree_sitter::Query::new(
                &language.grammar().unwrap(),
                &source.replace("#match?", "#sg-match?").replace("#not-match?", "#not-sg-match?"),
            );
            rows.push((t.elapsed(), format!("{} {:?}", rule.id, language)));
        }
    }
    rows.sort();
    for (t, id) in rows.iter().rev().take(15) {
        println!("{t:>10.2?} {id}");
    }
    println!("total {:?}", rows.iter().map(|r| r.0).sum::<std::time::Duration>());
}
