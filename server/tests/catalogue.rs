//! The built-in catalogue: the embedded table matches `queries/`, every rule loads and compiles for
//! each of its languages, and every rule's examples behave.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sg_lsp::rules::{LoadOptions, RuleSet, check_examples};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn render_table(root: &Path) -> String {
    let mut entries = Vec::new();
    for family in ["any", "javascript", "python", "workflow"] {
        let dir = root.join("queries").join(family);
        let Ok(read) = std::fs::read_dir(&dir) else { continue };
        let mut names: Vec<String> = read
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            let has_query = dir.join(format!("{name}.scm")).exists();
            entries.push((family, name, has_query));
        }
    }
    let mut out = String::from(
        "//! Generated from `queries/` by the `builtin_table_is_fresh` test in `server/tests/catalogue.rs`.\n\
         //! Do not edit: add or remove rule files and run `cargo test --test catalogue`.\n\n\
         use super::RuleSource;\n\n\
         #[rustfmt::skip]\n\
         const TABLE: &[(&str, &str, Option<&str>)] = &[\n",
    );
    for (family, name, has_query) in entries {
        let base = format!("../../../queries/{family}/{name}");
        let query = if has_query { format!("Some(include_str!(\"{base}.scm\"))") } else { "None".to_owned() };
        writeln!(out, "    (\"{family}/{name}\", include_str!(\"{base}.toml\"), {query}),").unwrap();
    }
    out.push_str(
        "];\n\n#[rustfmt::skip]\npub(super) fn sources() -> Vec<RuleSource> {\n    TABLE\n        .iter()\n        \
         .map(|&(path, toml, query)| RuleSource { path: path.into(), toml: toml.into(), query: query.map(Into::into) })\n        \
         .collect()\n}\n",
    );
    out
}

#[test]
fn builtin_table_is_fresh() {
    let root = repo_root();
    let table_path = root.join("server/src/rules/builtin.rs");
    let expected = render_table(&root);
    let actual = std::fs::read_to_string(&table_path).unwrap();
    if actual != expected {
        std::fs::write(&table_path, &expected).unwrap();
        panic!(
            "server/src/rules/builtin.rs was stale and has been regenerated; rebuild and run the tests again"
        );
    }
}

#[test]
fn every_builtin_rule_loads_and_compiles_for_each_language() {
    let (rules, errors) = RuleSet::load(RuleSet::builtin_sources(), LoadOptions { validate_queries: true });
    assert!(
        errors.is_empty(),
        "broken built-in rules:\n{}",
        errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    );
    assert_eq!(rules.rules().len(), RuleSet::builtin().rules().len());
}

#[test]
fn every_rule_documents_itself() {
    let cwe = regex::Regex::new(r"^CWE-\d+$").unwrap();
    for rule in RuleSet::builtin().rules() {
        let meta = &rule.meta;
        assert!(
            !meta.message.trim().is_empty() && !meta.message.contains('\n'),
            "{}: one-line message",
            rule.id
        );
        assert!(meta.note.trim().len() > 40, "{}: a note for hover", rule.id);
        assert!(!meta.cwe.is_empty() && meta.cwe.iter().all(|c| cwe.is_match(c)), "{}: CWE ids", rule.id);
        if rule.is_query_rule() {
            assert!(meta.prefilter.is_some(), "{}: query rules need a prefilter", rule.id);
        }
    }
}

#[test]
fn every_rule_has_examples_that_behave() {
    let failures = check_examples(RuleSet::builtin());
    assert!(
        failures.is_empty(),
        "{} example failures:\n{}",
        failures.len(),
        failures.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    );
}

/// A regex rule's prefilter decides whether its regex runs at all, so it must match wherever the regex
/// finds something (a match whose `finding` group takes no part reports nothing): checked on every
/// example and corpus file, as written and with its letters' case swapped (a regex that ignores case
/// needs a prefilter that does too).
#[test]
fn prefilters_of_regex_rules_hold_every_match_of_their_regex() {
    let mut texts: Vec<String> = Vec::new();
    for rule in RuleSet::builtin().rules() {
        texts.extend(rule.meta.examples.invalid.iter().chain(&rule.meta.examples.valid).cloned());
    }
    // The corpus files, as `engine.rs` walks them (the `.labels` sidecars are not code).
    let corpus =
        ignore::WalkBuilder::new(repo_root().join("tests/fixtures/corpus")).standard_filters(false).build();
    for entry in corpus.flatten() {
        let path = entry.path();
        if entry.file_type().is_some_and(|t| t.is_file()) && path.extension().is_none_or(|e| e != "labels") {
            texts.extend(std::fs::read_to_string(path).ok());
        }
    }
    let swapped: Vec<String> = texts
        .iter()
        .map(|t| {
            t.chars()
                .map(|c| if c.is_ascii_lowercase() { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
                .collect()
        })
        .collect();
    let mut rules_checked = 0;
    for rule in RuleSet::builtin().rules() {
        let (Some(prefilter), Some(regex)) = (&rule.meta.prefilter, &rule.meta.regex) else { continue };
        let (prefilter, regex) = (regex::Regex::new(prefilter).unwrap(), regex::Regex::new(regex).unwrap());
        let group = regex.capture_names().position(|name| name == Some("finding")).unwrap_or(0);
        let mut matches = 0;
        for text in texts.iter().chain(&swapped) {
            if regex.captures_iter(text).any(|found| found.get(group).is_some()) {
                matches += 1;
                assert!(prefilter.is_match(text), "{}: the prefilter misses a match in {text:?}", rule.id);
            }
        }
        assert!(matches > 0, "{}: no example or corpus file matches its regex", rule.id);
        rules_checked += 1;
    }
    assert!(rules_checked >= 4, "only {rules_checked} regex rules have a prefilter");
}
