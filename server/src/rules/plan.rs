//! A plan: the query rules of one language compiled into a single tree-sitter query, so one pass over
//! the syntax tree serves every rule; plus the custom predicates of each pattern.

use regex::Regex;
use tree_sitter::{Query, QueryPredicateArg};

use super::RuleSet;
use crate::language::Language;

/// A predicate tree-sitter does not evaluate itself (`#match?`, `#eq?`, `#any-of?` and their `not-`
/// forms are built in).
#[derive(Debug)]
pub(crate) enum Predicate {
    /// `(#resolves-to? @callee "regex")`: the qualified name of the capture, with imports and
    /// `require` bindings resolved, matches the regex (`not-resolves-to?` negates).
    ResolvesTo { capture: u32, regex: Regex, negate: bool },
    /// `(#is-dynamic? @arg)`: the capture is not a constant literal (`is-constant?` negates).
    IsDynamic { capture: u32, negate: bool },
    /// `(#file-match? "regex")`: the whole text matches (`not-file-match?` negates).
    FileMatch { regex: Regex, negate: bool },
}

#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) query: Query,
    /// Rule index of each pattern.
    pub(crate) pattern_rules: Vec<usize>,
    pub(crate) predicates: Vec<Vec<Predicate>>,
    pub(crate) finding_capture: Option<u32>,
}

impl Plan {
    /// Compiles the query rules `rule_indices` for `language`. Rules whose query does not compile are
    /// left out (tests keep the built-in ones compiling; project rules are checked on load).
    pub(crate) fn build(rules: &RuleSet, language: Language, rule_indices: &[usize]) -> Option<Plan> {
        let grammar = language.grammar()?;
        let compiles = |index: &usize| {
            rules.rule(*index).query.as_deref().is_some_and(|q| check_query(q, language).is_ok())
        };
        let mut included: Vec<usize> = rule_indices.to_vec();
        let mut combined = combine(rules, &included);
        let query = if let Ok(query) = Query::new(&grammar, &combined.0) {
            query
        } else {
            // Only reached when a rule is broken: isolate it and compile the rest.
            included.retain(compiles);
            combined = combine(rules, &included);
            Query::new(&grammar, &combined.0).ok()?
        };
        let (_, starts) = combined;
        let mut pattern_rules = Vec::with_capacity(query.pattern_count());
        let mut predicates = Vec::with_capacity(query.pattern_count());
        for pattern in 0..query.pattern_count() {
            let start = query.start_byte_for_pattern(pattern);
            let slot = starts.partition_point(|&s| s <= start) - 1;
            pattern_rules.push(included[slot]);
            predicates.push(parse_predicates(&query, pattern).unwrap_or_default());
        }
        let finding_capture = query.capture_index_for_name("finding");
        Some(Plan { query, pattern_rules, predicates, finding_capture })
    }
}

/// Concatenates the queries of `indices`; returns the text and the start offset of each rule's part.
fn combine(rules: &RuleSet, indices: &[usize]) -> (String, Vec<usize>) {
    let mut text = String::new();
    let mut starts = Vec::with_capacity(indices.len());
    for &index in indices {
        starts.push(text.len());
        text.push_str(rules.rule(index).query.as_deref().unwrap_or_default());
        text.push('\n');
    }
    (text, starts)
}

/// Compiles one rule's query for one language and checks its predicates and its `@finding` capture.
pub(crate) fn check_query(source: &str, language: Language) -> Result<(), String> {
    let grammar = language.grammar().ok_or("this language has no syntax tree")?;
    let query = Query::new(&grammar, source).map_err(|e| e.to_string())?;
    if query.capture_index_for_name("finding").is_none() {
        return Err("the query has no @finding capture (the span to report)".into());
    }
    for pattern in 0..query.pattern_count() {
        parse_predicates(&query, pattern)?;
    }
    Ok(())
}

fn parse_predicates(query: &Query, pattern: usize) -> Result<Vec<Predicate>, String> {
    query
        .general_predicates(pattern)
        .iter()
        .map(|predicate| {
            let op = predicate.operator.as_ref();
            let (negate, base) = match op.strip_prefix("not-") {
                Some(rest) => (true, rest),
                None => (false, op),
            };
            let args = &predicate.args;
            let capture = |i: usize| match args.get(i) {
                Some(QueryPredicateArg::Capture(c)) => Ok(*c),
                _ => Err(format!("#{op} expects a capture as argument {}", i + 1)),
            };
            let regex = |i: usize| match args.get(i) {
                Some(QueryPredicateArg::String(s)) => Regex::new(s).map_err(|e| format!("#{op}: {e}")),
                _ => Err(format!("#{op} expects a regex string as argument {}", i + 1)),
            };
            match base {
                "resolves-to?" => {
                    Ok(Predicate::ResolvesTo { capture: capture(0)?, regex: regex(1)?, negate })
                }
                "is-dynamic?" => Ok(Predicate::IsDynamic { capture: capture(0)?, negate }),
                "is-constant?" if !negate => Ok(Predicate::IsDynamic { capture: capture(0)?, negate: true }),
                "file-match?" => Ok(Predicate::FileMatch { regex: regex(0)?, negate }),
                _ => Err(format!(
                    "unknown predicate #{op} (known: match?, eq?, any-of?, resolves-to?, is-dynamic?, \
                     is-constant?, file-match? and their not- forms)"
                )),
            }
        })
        .collect()
}
