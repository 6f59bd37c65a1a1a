//! Engine behaviour across the whole catalogue: the lean plan finds what the full plan finds, quick
//! fixes remove what they fix, and suppression comments work in every comment syntax.

use std::path::Path;

use sg_lsp::files::scan_contents;
use sg_lsp::finding::Finding;
use sg_lsp::language::Language;
use sg_lsp::rules::{LoadOptions, RuleSet, RuleSource, example_language};
use sg_lsp::scan::{ScanOptions, scan, scan_with};

fn corpus_files() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/corpus");
    ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|p| p.extension().is_none_or(|e| e != "labels"))
        .collect()
}

fn key(findings: &[Finding]) -> Vec<(String, std::ops::Range<usize>)> {
    findings.iter().map(|f| (f.rule.clone(), f.span.clone())).collect()
}

#[test]
fn lean_plans_find_exactly_what_the_full_plan_finds() {
    let rules = RuleSet::builtin();
    for path in corpus_files() {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let full = scan_contents(rules, &path, text.clone(), ScanOptions::default());
        let lean = scan_contents(rules, &path, text, ScanOptions { lean: true, ..ScanOptions::default() });
        assert_eq!(key(&full.findings), key(&lean.findings), "{}", path.display());
    }
}

/// Asserts that scans with `reference` options find what default scans find, over the corpus and
/// each rule's invalid examples (and valid ones with `with_valid`).
fn agrees_with_default_scans(reference: ScanOptions, with_valid: bool) {
    let rules = RuleSet::builtin();
    for path in corpus_files() {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let default = scan_contents(rules, &path, text.clone(), ScanOptions::default());
        let other = scan_contents(rules, &path, text, reference);
        assert_eq!(key(&other.findings), key(&default.findings), "{}", path.display());
    }
    for rule in rules.rules() {
        let language = example_language(rule);
        let valid = rule.meta.examples.valid.iter().filter(|_| with_valid);
        for example in rule.meta.examples.invalid.iter().chain(valid) {
            let default = scan_with(rules, language, example, None, ScanOptions::default());
            let other = scan_with(rules, language, example, None, reference);
            assert_eq!(key(&other), key(&default), "{}: {example}", rule.id);
        }
    }
}

#[test]
fn anchored_rules_find_exactly_what_a_whole_tree_walk_finds() {
    agrees_with_default_scans(ScanOptions { whole_tree: true, ..ScanOptions::default() }, false);
}

/// A gate (prefilter) only spares the work of a rule that cannot match: with every rule run regardless,
/// over the whole tree, the corpus and every example give the same findings.
#[test]
fn prefilters_never_hide_a_finding() {
    agrees_with_default_scans(
        ScanOptions { ungated: true, whole_tree: true, ..ScanOptions::default() },
        true,
    );
}

/// A rule's anchor may match only inside another rule's hit: the combined anchor search reports one of
/// two overlapping matches, and the first of two starting at the same place. Each rule's query still
/// runs there, as the anchored scan runs a rule only where its own anchor matches.
#[test]
fn a_rule_runs_where_its_anchor_match_hides_inside_another_rules_hit() {
    let rule = |name: &str, anchor: &str| RuleSource {
        path: format!("python/{name}"),
        toml: format!(
            "severity = \"warning\"\nconfidence = \"high\"\ncwe = [\"CWE-20\"]\nmessage = \"m\"\nnote = \"n\"\nanchor = '{anchor}'\n"
        ),
        query: Some(
            "(call function: (attribute attribute: (identifier) @method) (#eq? @method \"fetch\")) @finding"
                .into(),
        ),
    };
    // `client.fetch` is the first rule's hit; the second rule's `fetch(` starts inside it, the third's
    // `client.fetch(` at the same place.
    let sources =
        [rule("first", r"client\.fetch"), rule("second", r"fetch\("), rule("third", r"client\.fetch\(")];
    let (rules, errors) = RuleSet::load(sources, LoadOptions::default());
    assert!(errors.is_empty(), "{errors:?}");
    let text = "import os\nvalue = client.fetch(url)\n";
    let rules_found = |options| -> Vec<String> {
        scan_with(&rules, Language::Python, text, None, options).into_iter().map(|f| f.rule).collect()
    };
    let all = ["python.first", "python.second", "python.third"];
    assert_eq!(rules_found(ScanOptions::default()), all);
    assert_eq!(rules_found(ScanOptions { whole_tree: true, ..ScanOptions::default() }), all);
    assert_eq!(rules_found(ScanOptions { lean: true, ..ScanOptions::default() }), all);
}

/// Every field of every finding, fingerprints (scope names) included.
fn fields(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| format!("{} {:?} {} {:?}", f.rule, f.span, f.fingerprint, f.fix)).collect()
}

#[test]
fn python_skeleton_parses_find_what_whole_file_parses_find() {
    // Scans from text parse only a skeleton of a Python file when it keeps well under most of the text
    // (`scan/skeleton.rs`); padding makes it do so for every corpus file. The whole-tree option parses
    // the whole file instead.
    let rules = RuleSet::builtin();
    let whole = ScanOptions { whole_tree: true, ..ScanOptions::default() };
    let mut files = 0;
    for path in corpus_files().into_iter().filter(|p| p.extension().is_some_and(|e| e == "py")) {
        let text = std::fs::read_to_string(&path).unwrap();
        let padded = format!("{text}{}", "value = compute(1, 2)\n".repeat(2000));
        let skeleton = scan_with(rules, Language::Python, &padded, None, ScanOptions::default());
        let walked = scan_with(rules, Language::Python, &padded, None, whole);
        assert_eq!(fields(&walked), fields(&skeleton), "{}", path.display());
        files += 1;
    }
    assert!(files >= 10, "the Python corpus has {files} files");
}

#[test]
fn regex_only_scans_report_a_subset_and_never_crash() {
    let rules = RuleSet::builtin();
    for path in corpus_files() {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let full = key(&scan_contents(rules, &path, text.clone(), ScanOptions::default()).findings);
        let degraded =
            scan_contents(rules, &path, text, ScanOptions { regex_only: true, ..ScanOptions::default() });
        for finding in key(&degraded.findings) {
            if !finding.0.starts_with("sg.") {
                assert!(full.contains(&finding), "{}: {finding:?} only in regex-only mode", path.display());
            }
        }
    }
}

/// Applies a finding's fix to the text.
fn apply_fix(text: &str, finding: &Finding) -> String {
    let mut out = text.to_owned();
    let mut edits = finding.fix.as_ref().unwrap().edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    for edit in edits {
        out.replace_range(edit.range, &edit.text);
    }
    out
}

#[test]
fn every_quick_fix_removes_the_finding_it_fixes() {
    let rules = RuleSet::builtin();
    let mut fixed = 0;
    for rule in rules.rules().iter().filter(|r| r.meta.fix.is_some()) {
        let language = example_language(rule);
        for example in &rule.meta.examples.invalid {
            let findings = scan(rules, language, example);
            let Some(finding) = findings.iter().find(|f| f.rule == rule.id && f.fix.is_some()) else {
                continue;
            };
            let after = apply_fix(example, finding);
            let still = scan(rules, language, &after).into_iter().filter(|f| f.rule == rule.id).count();
            let before = findings.iter().filter(|f| f.rule == rule.id).count();
            assert!(
                still < before,
                "{}: fix `{}` left the finding in\n{after}",
                rule.id,
                finding.fix.as_ref().unwrap().title
            );
            fixed += 1;
        }
    }
    assert!(fixed >= 3, "only {fixed} examples carry a quick fix");
}

#[test]
fn suppressions_work_in_each_comment_syntax() {
    let rules = RuleSet::builtin();
    let python = "a = eval(x)  # sg-ignore[python.eval]: config is signed\n# sg-ignore: fixture\nb = eval(y)\nc = eval(z)  # nosec\nd = eval(w)  # nosemgrep: python-eval\ne = eval(v)\n";
    let lines: Vec<usize> = scan(rules, Language::Python, python)
        .iter()
        .filter(|f| f.rule == "python.eval")
        .map(|f| python[..f.span.start].lines().count())
        .collect();
    assert_eq!(lines, vec![6], "only the unsuppressed line is flagged");
    let js = "// sg-ignore[eval]: bundled code\neval(code);\n";
    assert!(scan(rules, Language::JavaScript, js).is_empty());
    let wrong_rule = "eval(code);  // sg-ignore[javascript.inner-html]: wrong rule named\n";
    let findings = scan(rules, Language::JavaScript, wrong_rule);
    assert!(findings.iter().any(|f| f.rule == "javascript.eval"), "naming another rule silences nothing");
    assert!(findings.iter().any(|f| f.rule == "sg.unused-suppression"));
}

#[test]
fn kept_suppressed_findings_are_reported_without_hints() {
    let rules = RuleSet::builtin();
    let text = "eval(x)  # sg-ignore[python.eval]: reviewed\n";
    let options = ScanOptions { keep_suppressed: true, ..ScanOptions::default() };
    let findings = scan_with(rules, Language::Python, text, None, options);
    assert_eq!(findings.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(), vec!["python.eval"]);
}

#[test]
fn unknown_rules_in_suppressions_are_hinted() {
    let findings =
        scan(RuleSet::builtin(), Language::Python, "x = 1  # sg-ignore[python.no-such-rule]: because\n");
    let ids: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(
        ids.contains(&"sg.suppression-unknown-rule") && ids.contains(&"sg.unused-suppression"),
        "{ids:?}"
    );
}
