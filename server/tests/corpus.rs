//! The labeled fixture corpus, checked both ways: every `flag` label is found (recall) and nothing is
//! found that is not labeled `flag` (precision); every rule has at least three of each label.

#![allow(clippy::print_stdout)] // the precision/recall table is this test's report

use std::path::Path;

use sg_lsp::RuleSet;
use sg_lsp::corpus;

#[test]
fn corpus_is_flagged_exactly_as_labeled() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/corpus");
    let rules = RuleSet::builtin();
    let report = corpus::check(rules, &dir);
    let summary = format!(
        "corpus: {} files, precision {:.3}, recall {:.3} ({} true positives, {} false positives, {} missed)",
        report.files,
        report.precision(),
        report.recall(),
        report.true_positives,
        report.false_positives,
        report.false_negatives
    );
    println!("{summary}");
    for (rule, (flag, clean)) in &report.labels {
        println!("  {rule:<44} {flag:>3} flag {clean:>3} clean");
    }
    assert!(report.files > 0, "no fixtures found in {}", dir.display());
    assert!(report.problems.is_empty(), "{summary}\n{}", report.problems.join("\n"));
    let thin = report.thin_rules(rules, 3);
    assert!(thin.is_empty(), "every rule needs 3 flag and 3 clean labels:\n{}", thin.join("\n"));
}
