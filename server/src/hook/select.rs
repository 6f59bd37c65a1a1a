//! Picks the built-in rules that can match a text before any of them is compiled.
//!
//! A one-shot hook pays for every regex it compiles, in time and in address space, and most rules
//! cannot match a given file. A rule whose prefilter (or regex) must start with one of a finite set of
//! literals is loaded only when one of those literals occurs in the text; the literals come from the
//! regex's own syntax tree (`regex-syntax`'s prefix extractor), so the choice never drops a rule that
//! could match.

use aho_corasick::AhoCorasick;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

use crate::language::Language;
use crate::rules::{LoadOptions, RuleMeta, RuleSet, RuleSource};

/// The built-in rules of `language`'s folder and `any/` that can match `text`, and how many rules
/// were considered. `literal_only` also drops the rules without literals (the costliest to compile),
/// for when memory is short.
pub(crate) fn rules_for(language: Language, text: &str, literal_only: bool) -> (RuleSet, usize) {
    let (mut sources, considered) = sources_for(language, text);
    if literal_only {
        sources.retain(|source| required_literals(source, "").is_some());
    }
    (RuleSet::load(sources, LoadOptions::default()).0, considered)
}

/// The sources of those rules, not yet compiled.
fn sources_for(language: Language, text: &str) -> (Vec<RuleSource>, usize) {
    let family = language.family().name();
    let candidates: Vec<RuleSource> = RuleSet::builtin_sources()
        .into_iter()
        .filter(|source| {
            source.path.split_once('/').is_some_and(|(folder, _)| folder == family || folder == "any")
        })
        .collect();
    let considered = candidates.len();
    let mut keep = vec![false; candidates.len()];
    let mut literals: Vec<Vec<u8>> = Vec::new();
    let mut owners: Vec<usize> = Vec::new();
    for (index, source) in candidates.iter().enumerate() {
        match required_literals(source, text) {
            Some(found) => {
                owners.extend(std::iter::repeat_n(index, found.len()));
                literals.extend(found);
            }
            None => keep[index] = true,
        }
    }
    if !literals.is_empty() {
        match AhoCorasick::new(&literals) {
            Ok(automaton) => {
                for found in automaton.find_overlapping_iter(text) {
                    keep[owners[found.pattern().as_usize()]] = true;
                }
            }
            Err(_) => keep.iter_mut().for_each(|k| *k = true),
        }
    }
    let chosen = candidates.into_iter().zip(keep).filter_map(|(source, keep)| keep.then_some(source));
    (chosen.collect(), considered)
}

/// Literals one of which every match of the rule's prefilter (or regex) starts with; `None` when the
/// rule must be loaded anyway: no finite set, a broken rule (the loader reports it), or the text names
/// the rule (a suppression comment must find the rule it names).
fn required_literals(source: &RuleSource, text: &str) -> Option<Vec<Vec<u8>>> {
    let (folder, name) = source.path.split_once('/')?;
    if text.contains(name) || text.contains(&format!("{folder}.{name}")) {
        return None;
    }
    let meta: RuleMeta = toml::from_str(&source.toml).ok()?;
    let pattern = meta.prefilter.as_ref().or(meta.regex.as_ref())?;
    prefix_literals(pattern)
}

fn prefix_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
    let literals = seq.literals()?;
    if literals.is_empty() || literals.iter().any(|literal| literal.as_bytes().is_empty()) {
        return None;
    }
    Some(literals.iter().map(|literal| literal.as_bytes().to_vec()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_the_literals_a_match_must_start_with() {
        let text = |pattern| {
            prefix_literals(pattern)
                .map(|l| l.into_iter().map(|b| String::from_utf8(b).unwrap()).collect::<Vec<_>>())
        };
        assert_eq!(text(r"\beval\b"), Some(vec!["eval".into()]));
        assert_eq!(text(r"pickle|dill"), Some(vec!["pickle".into(), "dill".into()]));
        assert_eq!(text(r"(?:AKIA|ASIA)[A-Z2-7]{16}"), Some(vec!["AKIA".into(), "ASIA".into()]));
        assert_eq!(text(r"\w+\s*="), None, "no finite prefix");
        assert_eq!(text(r"x?"), None, "may match the empty string");
    }

    #[test]
    fn keeps_only_rules_that_can_match() {
        let (rules, considered) = rules_for(Language::Python, "x = eval(data)\n", false);
        assert!(rules.get("python.eval").is_some());
        assert!(rules.get("any.aws-access-key-id").is_none());
        assert!(rules.rules().len() < considered);
        let (rules, _) = rules_for(Language::Python, "key = 'AKIAZ3MSJV4WWAD7ZQ6B'\n", false);
        assert!(rules.get("any.aws-access-key-id").is_some());
        // A suppression naming a rule keeps that rule, so it is not "unknown".
        let (rules, _) = rules_for(Language::Python, "# sg-ignore[python.eval]: reviewed\n", false);
        assert!(rules.get("python.eval").is_some());
    }

    #[test]
    fn never_drops_a_rule_its_own_examples_need() {
        for rule in RuleSet::builtin().rules() {
            let language = crate::rules::example_language(rule);
            for example in &rule.meta.examples.invalid {
                let (chosen, _) = sources_for(language, example);
                let id = |source: &RuleSource| source.path.replacen('/', ".", 1);
                assert!(
                    chosen.iter().any(|source| id(source) == rule.id),
                    "{} not chosen for {example:?}",
                    rule.id
                );
            }
        }
    }
}
