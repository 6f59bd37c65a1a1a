//! Regex rules (`queries/any/`, secrets, invisible characters): the regex is the rule, the syntax tree
//! only decides whether a match sits in code, a comment or a string.

use std::ops::Range;

use tree_sitter::Tree;

use super::{ScanTree, make_finding, nodes};
use crate::finding::{Finding, fingerprint};
use crate::language::Language;
use crate::rules::{Rule, Scope};

/// Adds the rule's findings in `text`. `false` when a match lies where `trees` does not hold the text
/// as it now is (a rescan's stale ranges): its scope cannot be told, and the caller must scan whole.
#[must_use]
pub(super) fn run(
    rule: &Rule,
    language: Language,
    text: &str,
    trees: &ScanTree<'_>,
    findings: &mut Vec<Finding>,
) -> bool {
    let Some(regex) = rule.regex.as_ref().and_then(crate::rules::LazyRegex::get) else { return true };
    if rule.meta.scope == Scope::CommentsStrings && !trees.exists() {
        return true;
    }
    let focus_group = focus_group(regex);
    regex
        .captures_iter(text)
        .all(|captures| consider(rule, language, text, trees, focus_group, &captures, findings))
}

/// As [`run`], for the matches starting in `lines` (whole lines of `text`), for a rule whose regex
/// has `Reach::Line`: its matches there are those of the whole text, since none crosses a line break
/// and every one is non-empty (so the search of the whole text resumes on each line afresh).
#[must_use]
pub(super) fn run_in_lines(
    rule: &Rule,
    language: Language,
    text: &str,
    trees: &ScanTree<'_>,
    lines: Range<usize>,
    findings: &mut Vec<Finding>,
) -> bool {
    let Some(regex) = rule.regex.as_ref().and_then(crate::rules::LazyRegex::get) else { return true };
    if rule.meta.scope == Scope::CommentsStrings && !trees.exists() {
        return true;
    }
    // Cut after the last line's break: look-arounds at a match's end still see that break.
    let haystack = &text[..lines.end];
    let focus_group = focus_group(regex);
    let mut at = lines.start;
    while let Some(captures) = regex.captures_at(haystack, at) {
        let whole = captures.get(0).expect("group 0 takes part in every match");
        if whole.is_empty() {
            return false; // not a `Reach::Line` regex after all: let the caller scan whole
        }
        at = whole.end();
        if !consider(rule, language, text, trees, focus_group, &captures, findings) {
            return false;
        }
    }
    true
}

/// The index of the `finding` group, which marks what to report of a match, if the regex has one.
fn focus_group(regex: &regex::Regex) -> Option<usize> {
    regex.capture_names().position(|name| name == Some("finding"))
}

/// Adds the finding of one match, unless the rule's group, exclusions, entropy floor or scope say no.
/// `false` when the trees do not hold the text where the match is.
fn consider(
    rule: &Rule,
    language: Language,
    text: &str,
    trees: &ScanTree<'_>,
    focus_group: Option<usize>,
    captures: &regex::Captures<'_>,
    findings: &mut Vec<Finding>,
) -> bool {
    // With a `finding` group, a match where the group did not take part is a deliberate skip
    // (how a rule says "not this" without lookaround).
    let found = match focus_group {
        Some(group) => captures.get(group),
        None => captures.get(0),
    };
    let Some(found) = found else { return true };
    let span: Range<usize> = found.range();
    if !keeps(rule, found.as_str()) {
        return true;
    }
    if !trees.is_current_at(span.start) {
        return false;
    }
    // Asked per match: the scan may have parsed only the parts of the file around its windows.
    let tree = trees.at(span.start);
    if in_scope(rule.meta.scope, language, tree, span.start) {
        let scope = tree.map(|tree| nodes::scope_at(tree, span.start, text)).unwrap_or_default();
        let print = fingerprint(&rule.id, found.as_str(), &scope);
        findings.push(make_finding(rule, span, print, None));
    }
    true
}

fn in_scope(scope: Scope, language: Language, tree: Option<&Tree>, offset: usize) -> bool {
    match (scope, tree) {
        (Scope::Anywhere, _) | (Scope::Code, None) => true,
        (Scope::CommentsStrings, None) => false,
        (Scope::CommentsStrings, Some(tree)) => nodes::in_comment_or_string(tree, language, offset),
        (Scope::Code, Some(tree)) => !nodes::in_comment_or_string(tree, language, offset),
    }
}

/// Applies the rule's `exclude` regex and entropy floor to the matched text.
fn keeps(rule: &Rule, matched: &str) -> bool {
    if rule.exclude.as_ref().is_some_and(|exclude| exclude.is_match(matched)) {
        return false;
    }
    rule.meta.min_entropy.is_none_or(|floor| shannon_entropy(matched) >= floor)
}

/// Shannon entropy in bits per character.
pub(crate) fn shannon_entropy(text: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut total = 0usize;
    for ch in text.chars() {
        *counts.entry(ch).or_insert(0usize) += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    #[allow(clippy::cast_precision_loss)] // counts are far below 2^52
    counts.values().fold(0.0, |sum, &count| {
        let p = count as f64 / total as f64;
        sum - p * p.log2()
    })
}

#[cfg(test)]
mod tests {
    use super::shannon_entropy;

    #[test]
    fn entropy_separates_keys_from_words() {
        assert!(shannon_entropy("aaaaaaaa") < 0.1);
        assert!(shannon_entropy("changeme") < 3.0);
        assert!(shannon_entropy("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz1Q2w3e4r") > 4.0);
    }
}
