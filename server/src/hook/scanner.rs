//! The scan under the hook's limits: only the rules that can match are loaded, the parse runs only
//! when it fits the address space, and under the time budget's deadline.

use std::time::{Duration, Instant};

use tree_sitter::{ParseOptions, ParseState, Parser, Tree};

use super::Context;
use super::document::Document;
use super::failure::{Code, Failure};
use super::limits::{self, Fit};
use super::select;
use super::supervise::Mode;
use crate::finding::Finding;
use crate::language::Language;
use crate::rules::{RuleSet, Scope};
use crate::scan::{ScanOptions, scan_with};

/// From this size on, the parse runs under the time budget's deadline (smaller files parse in a few
/// milliseconds).
const DEADLINE_PARSE_FROM: usize = 64 * 1024;

/// Scans with the whole-file tree when memory and time allow, else with regex rules only (and says so).
pub(crate) fn scan_document(context: &Context, document: &Document) -> (Vec<Finding>, Option<Failure>) {
    // Debug builds only: lets the tests check what a crash (for `supervise`) looks like.
    if cfg!(debug_assertions)
        && std::env::var("SG_LSP_HOOK_TEST_ABORT")
            .is_ok_and(|modes| modes.split(',').any(|m| m == context.mode.name()))
    {
        std::process::abort();
    }
    let literal_only = matches!(context.mode, Mode::Literal | Mode::Minimal);
    let (rules, considered) = select::rules_for(document.language, &document.text, literal_only);
    let rules = &rules;
    context.note_rules(rules.rules().len(), considered);
    let mut options = ScanOptions { lean: true, ..ScanOptions::default() };
    let mut note = None;
    let mut tree = None;
    let parses = document.language.grammar().is_some();
    if context.mode != Mode::Full {
        // A fuller attempt ran out of address space (see `supervise`).
        options.regex_only = matches!(context.mode, Mode::RegexOnly | Mode::Minimal);
        let what = match context.mode {
            Mode::Literal => "the rules that have literal prefilters only",
            Mode::RegexOnly => "regex rules only",
            _ => "regex rules with literal prefilters only",
        };
        note = Some(Failure::new(
            Code::MemoryTight,
            format!("the full scan did not fit the address-space limit (ulimit -v): scanned with {what}"),
        ));
        if options.regex_only {
            return (scan_with(rules, document.language, &document.text, None, options), note);
        }
    }
    match limits::fit(document.text.len(), rules.rules().len(), parses) {
        Fit::Nothing(reason) => return (Vec::new(), Some(Failure::new(Code::MemoryTight, reason))),
        Fit::RegexOnly(reason) => {
            options.regex_only = true;
            note = Some(Failure::new(Code::MemoryTight, reason));
        }
        Fit::Full if parses && document.text.len() >= DEADLINE_PARSE_FROM && wants_tree(rules, document) => {
            tree = parse_within(document.language, &document.text, context.remaining());
            if tree.is_none() {
                options.regex_only = true;
                note = Some(Failure::new(
                    Code::Timeout,
                    format!(
                        "parsing {} KiB did not finish within the {} ms budget: scanned with regex rules only",
                        document.text.len() / 1024,
                        context.budget.as_millis()
                    ),
                ));
            }
        }
        Fit::Full => {}
    }
    // Debug builds only: and a panic.
    assert!(
        !(cfg!(debug_assertions) && std::env::var_os("SG_LSP_HOOK_TEST_PANIC").is_some()),
        "test panic requested by SG_LSP_HOOK_TEST_PANIC"
    );
    (scan_with(rules, document.language, &document.text, tree.as_ref(), options), note)
}

/// Whether any rule that may match this text needs its syntax tree (as the engine decides).
fn wants_tree(rules: &RuleSet, document: &Document) -> bool {
    rules.rules().iter().any(|rule| {
        rule.languages.contains(&document.language)
            && (rule.is_query_rule() || rule.meta.scope != Scope::Anywhere)
            && rule
                .meta
                .prefilter
                .as_ref()
                .or(rule.meta.regex.as_ref())
                .is_none_or(|pattern| regex::Regex::new(pattern).is_ok_and(|re| re.is_match(&document.text)))
    })
}

/// Parses under a deadline; `None` when it ran out (or the grammar failed to load).
fn parse_within(language: Language, text: &str, budget: Duration) -> Option<Tree> {
    let mut parser = Parser::new();
    parser.set_language(&language.grammar()?).ok()?;
    let deadline = Instant::now() + budget;
    let mut cancel = |_: &ParseState| Instant::now() >= deadline;
    let bytes = text.as_bytes();
    let mut read = |offset: usize, _| &bytes[offset.min(bytes.len())..];
    parser.parse_with_options(&mut read, None, Some(ParseOptions::new().progress_callback(&mut cancel)))
}
