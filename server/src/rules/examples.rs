//! Runs each rule's own `valid`/`invalid` examples: invalid code must be flagged by the rule, valid
//! code must not be.

use super::{Rule, RuleSet};
use crate::language::Language;
use crate::scan::{ScanOptions, scan_with};

/// One example that did not behave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExampleFailure {
    pub rule: String,
    pub example: String,
    pub problem: String,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}\n    {}", self.rule, self.problem, self.example.replace('\n', "\n    "))
    }
}

/// The language a rule's examples are scanned as.
pub fn example_language(rule: &Rule) -> Language {
    rule.meta
        .examples
        .language
        .as_deref()
        .and_then(Language::from_name)
        .or_else(|| rule.languages.first().copied())
        .unwrap_or(Language::Text)
}

/// Checks the examples of every rule in `rules`.
pub fn check_examples(rules: &RuleSet) -> Vec<ExampleFailure> {
    let mut failures = Vec::new();
    for rule in rules.rules() {
        let language = example_language(rule);
        let options = ScanOptions { keep_suppressed: true, ..ScanOptions::default() };
        let mut fail = |example: &str, problem: &str| {
            failures.push(ExampleFailure {
                rule: rule.id.clone(),
                example: example.to_owned(),
                problem: problem.into(),
            });
        };
        if rule.meta.examples.invalid.is_empty() || rule.meta.examples.valid.is_empty() {
            fail("", "needs at least one `invalid` and one `valid` example");
        }
        for example in &rule.meta.examples.invalid {
            let findings = scan_with(rules, language, example, None, options);
            if !findings.iter().any(|f| f.rule == rule.id) {
                fail(example, "invalid example was not flagged");
            }
        }
        for example in &rule.meta.examples.valid {
            let findings = scan_with(rules, language, example, None, options);
            if findings.iter().any(|f| f.rule == rule.id) {
                fail(example, "valid example was flagged");
            }
        }
    }
    failures
}
