//! A plan: query rules of one language compiled into a tree-sitter query (one rule's alone, the
//! import-binding patterns alone, or every rule's together for whole-tree scans, where one pass over
//! the syntax tree serves every rule); plus the custom predicates of each pattern.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use tree_sitter::{Query, QueryPredicateArg};

use super::{LazyRegex, RuleSet};
use crate::language::Language;
use crate::scan::bindings::{BindingCaptures, binding_query_source};

/// A predicate we evaluate ourselves (tree-sitter evaluates `#eq?` and `#any-of?`).
#[derive(Debug)]
pub(crate) enum Predicate {
    /// `(#match? @cap "regex")`: every node of the capture matches (`not-match?`: none does). Taken
    /// over from tree-sitter, which compiles every regex when the query is built; ours compile on first
    /// use and are shared between patterns, so building a plan stays cheap.
    Match { capture: u32, regex: Arc<LazyRegex>, negate: bool },
    /// `(#resolves-to? @callee "regex")`: the qualified name of the capture, with imports and
    /// `require` bindings resolved, matches the regex (`not-resolves-to?` negates).
    ResolvesTo { capture: u32, regex: Arc<LazyRegex>, negate: bool },
    /// `(#is-dynamic? @arg)`: the capture is not a constant literal (`is-constant?` negates).
    IsDynamic { capture: u32, negate: bool },
    /// `(#file-match? "regex")`: the whole text matches (`not-file-match?` negates).
    FileMatch { regex: Arc<LazyRegex>, negate: bool },
    /// `(#kind? @cap "regex")`: the node kind matches (`not-kind?` negates). A wildcard `(_)` with a
    /// kind check compiles far faster than an alternation `[(a) (b) (c)]` in tree-sitter.
    Kind { capture: u32, regex: Arc<LazyRegex>, negate: bool },
}

/// Renames `#match?` so tree-sitter leaves it to us (see [`Predicate::Match`]).
fn prepare(source: &str) -> Cow<'_, str> {
    if source.contains("match?") {
        Cow::Owned(source.replace("#match?", "#sg-match?").replace("#not-match?", "#not-sg-match?"))
    } else {
        Cow::Borrowed(source)
    }
}

/// Regexes of one plan, shared by text so a regex repeated in many patterns compiles once.
type RegexCache = HashMap<String, Arc<LazyRegex>>;

#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) query: Query,
    /// Rule index of each pattern.
    pub(crate) pattern_rules: Vec<usize>,
    pub(crate) predicates: Vec<Vec<Predicate>>,
    pub(crate) finding_capture: Option<u32>,
    /// Patterns from this index on are import-binding patterns (see `scan::bindings`), not rules.
    pub(crate) first_binding_pattern: usize,
    pub(crate) binding_captures: BindingCaptures,
}

impl Plan {
    /// Compiles the query rules `rule_indices` for `language`, and the import-binding patterns
    /// `with_bindings`. Rules whose query does not compile are left out (tests keep the built-in ones
    /// compiling; project rules are checked on load).
    pub(crate) fn build(
        rules: &RuleSet,
        language: Language,
        rule_indices: &[usize],
        with_bindings: bool,
    ) -> Option<Plan> {
        let grammar = language.grammar()?;
        let compiles = |index: &usize| {
            rules.rule(*index).query.as_deref().is_some_and(|q| check_query(q, language).is_ok())
        };
        let mut included: Vec<usize> = rule_indices.to_vec();
        let bindings = if with_bindings { binding_query_source(language).unwrap_or_default() } else { "" };
        let mut combined = combine(rules, &included, bindings);
        let query = if let Ok(query) = Query::new(&grammar, &combined.0) {
            query
        } else {
            // Only reached when a rule is broken: isolate it and compile the rest.
            included.retain(compiles);
            combined = combine(rules, &included, bindings);
            Query::new(&grammar, &combined.0).ok()?
        };
        let (_, starts, bindings_start) = combined;
        let mut pattern_rules = Vec::with_capacity(query.pattern_count());
        let mut predicates = Vec::with_capacity(query.pattern_count());
        let mut regexes = RegexCache::new();
        let mut first_binding_pattern = query.pattern_count();
        for pattern in 0..query.pattern_count() {
            let start = query.start_byte_for_pattern(pattern);
            if start >= bindings_start {
                first_binding_pattern = first_binding_pattern.min(pattern);
                continue;
            }
            let slot = starts.partition_point(|&s| s <= start) - 1;
            pattern_rules.push(included[slot]);
            predicates.push(parse_predicates(&query, pattern, &mut regexes).unwrap_or_default());
        }
        let finding_capture = query.capture_index_for_name("finding");
        let binding_captures = BindingCaptures::of(&query);
        Some(Plan {
            query,
            pattern_rules,
            predicates,
            finding_capture,
            first_binding_pattern,
            binding_captures,
        })
    }
}

/// Concatenates the queries of `indices` and then the binding patterns; returns the text, the start
/// offset of each rule's part and the offset where the binding patterns start.
fn combine(rules: &RuleSet, indices: &[usize], bindings: &str) -> (String, Vec<usize>, usize) {
    let mut text = String::new();
    let mut starts = Vec::with_capacity(indices.len());
    for &index in indices {
        starts.push(text.len());
        text.push_str(&prepare(rules.rule(index).query.as_deref().unwrap_or_default()));
        text.push('\n');
    }
    let bindings_start = text.len();
    text.push_str(bindings);
    (text, starts, bindings_start)
}

/// Compiles one rule's query for one language and checks its predicates and its `@finding` capture.
pub(crate) fn check_query(source: &str, language: Language) -> Result<(), String> {
    let grammar = language.grammar().ok_or("this language has no syntax tree")?;
    let query = Query::new(&grammar, &prepare(source)).map_err(|e| e.to_string())?;
    if query.capture_index_for_name("finding").is_none() {
        return Err("the query has no @finding capture (the span to report)".into());
    }
    let mut regexes = RegexCache::new();
    for pattern in 0..query.pattern_count() {
        for predicate in parse_predicates(&query, pattern, &mut regexes)? {
            if let Predicate::Match { regex, .. }
            | Predicate::Kind { regex, .. }
            | Predicate::ResolvesTo { regex, .. }
            | Predicate::FileMatch { regex, .. } = &predicate
            {
                regex.check()?;
            }
        }
    }
    Ok(())
}

fn parse_predicates(
    query: &Query,
    pattern: usize,
    regexes: &mut RegexCache,
) -> Result<Vec<Predicate>, String> {
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
            let mut regex = |i: usize| match args.get(i) {
                Some(QueryPredicateArg::String(s)) => Ok(Arc::clone(
                    regexes.entry(s.to_string()).or_insert_with(|| Arc::new(LazyRegex::new(s.as_ref()))),
                )),
                _ => Err(format!("#{op} expects a regex string as argument {}", i + 1)),
            };
            match base {
                "sg-match?" => Ok(Predicate::Match { capture: capture(0)?, regex: regex(1)?, negate }),
                "kind?" => Ok(Predicate::Kind { capture: capture(0)?, regex: regex(1)?, negate }),
                "resolves-to?" => {
                    Ok(Predicate::ResolvesTo { capture: capture(0)?, regex: regex(1)?, negate })
                }
                "is-dynamic?" => Ok(Predicate::IsDynamic { capture: capture(0)?, negate }),
                "is-constant?" if !negate => Ok(Predicate::IsDynamic { capture: capture(0)?, negate: true }),
                "file-match?" => Ok(Predicate::FileMatch { regex: regex(0)?, negate }),
                _ => Err(format!(
                    "unknown predicate #{op} (known: match?, eq?, any-of?, kind?, resolves-to?, is-dynamic?, \
                     is-constant?, file-match? and their not- forms)"
                )),
            }
        })
        .collect()
}
