//! The combined anchors of a language: one multi-pattern regex over every query rule's anchor (and the
//! import anchor), whose hits give the windows the query runs on (see `scan::anchor_windows`).
//!
//! Each top-level alternative of an anchor is its own pattern, in order, so a search has the priorities
//! of the single alternation it replaces and still tells which alternative matched. An alternative that
//! ends in `(?s:.*)` (a renamed import or a value alias, after which the rest of the text is a window) is
//! compiled without it and flagged instead: a trailing `.*` made every reverse search for a match's start
//! scan back to the previous match, building lazy-DFA states all the way (over 400 files of `CPython`'s
//! `Lib/`, callgrind: the anchors' searches 1,220 -> 471 M instructions, the whole scan 4,308 -> 3,716 M).

use std::ops::Range;
use std::sync::OnceLock;

use regex_automata::meta::Regex;
use regex_automata::{Anchored, Input, MatchKind, PatternSet};

use super::lazy_regex::LAZY_DFA_CACHE;

#[derive(Debug)]
pub(crate) struct Anchors {
    /// Every alternative, a trailing `(?s:.*)` removed.
    patterns: Vec<String>,
    /// Whether each alternative ran to the end of the text.
    to_end: Vec<bool>,
    /// The source (by position in the order given) each alternative comes from.
    owners: Vec<usize>,
    compiled: OnceLock<Option<Regex>>,
    /// The alternatives again, each reported wherever it matches (overlapping): see [`Self::spans_in`].
    every: OnceLock<Option<Regex>>,
}

/// One hit: where an alternative matched, and whether its window runs to the end of the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Hit {
    pub(crate) span: Range<usize>,
    pub(crate) to_end: bool,
}

/// How the catalogue spells "and the rest of the text" at the end of an alternative.
const REST_OF_TEXT: &str = "(?s:.*)";

impl Anchors {
    /// Combines `sources` (regex syntax, each possibly an alternation) in order. A source that does not
    /// parse is kept whole: it fails to compile, and the engine then queries whole trees.
    pub(crate) fn new<'a>(sources: impl IntoIterator<Item = &'a str>) -> Self {
        let mut patterns = Vec::new();
        let mut to_end = Vec::new();
        let mut owners = Vec::new();
        for (owner, source) in sources.into_iter().enumerate() {
            let Some(alternatives) = alternatives(source) else {
                patterns.push(source.to_owned());
                to_end.push(false);
                owners.push(owner);
                continue;
            };
            for alternative in alternatives {
                let head = alternative.strip_suffix(REST_OF_TEXT);
                patterns.push(head.unwrap_or(alternative).to_owned());
                to_end.push(head.is_some());
                owners.push(owner);
            }
        }
        Self { patterns, to_end, owners, compiled: OnceLock::new(), every: OnceLock::new() }
    }

    fn get(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| {
                Regex::builder()
                    .configure(Regex::config().hybrid_cache_capacity(LAZY_DFA_CACHE))
                    .build_many(&self.patterns)
                    .ok()
            })
            .as_ref()
    }

    /// The hits in `haystack` from left to right, as the single alternation finds them, that matter:
    /// those where a `live` source (by position) matches, as the hit or starting inside it (a source
    /// whose rule's gate failed makes no window). A hit runs to the end of the text when a live
    /// source matching there does so, and is then the last. `None` when the anchors do not compile.
    pub(crate) fn hits<'h>(
        &'h self,
        haystack: &'h str,
        live: &'h [bool],
    ) -> Option<impl Iterator<Item = Hit> + 'h> {
        let regex = self.get()?;
        let every = self.every()?;
        let mut done = false;
        let mut set = PatternSet::new(self.patterns.len());
        let hits = regex.find_iter(haystack).map_while(move |found| {
            if done {
                return None;
            }
            let (mut matters, mut to_end) = (false, false);
            matches_inside(every, haystack, found.range(), &mut set, |_, pattern| {
                if live[self.owners[pattern]] {
                    matters = true;
                    to_end |= self.to_end[pattern];
                }
            });
            done = to_end;
            Some(matters.then(|| Hit { span: found.range(), to_end }))
        });
        Some(hits.flatten())
    }

    /// The first hit starting at or after `start` in `text` (look-behind sees what precedes `start`).
    pub(crate) fn hit_at(&self, text: &str, start: usize) -> Option<Hit> {
        let found = self.get()?.find(Input::new(text).range(start..))?;
        Some(Hit { span: found.range(), to_end: self.to_end[found.pattern().as_usize()] })
    }

    /// Where each source (by position) matches in `window` of `text`, a range of whole lines no hit
    /// crosses: `found(source, span)` is called with a span that every match of the source starting
    /// in the window overlaps. That is the hit's span for the source of each hit, and also for every
    /// source with a match starting inside another source's hit (the combined search reports neither
    /// overlapping hits nor the later of two sources matching at the same place); from an alternative
    /// that runs to the end of the text, the rest of the text. Unlike [`Self::hits`], the search goes on
    /// after such a hit. `false` when the anchors do not compile.
    pub(crate) fn spans_in(
        &self,
        text: &str,
        window: Range<usize>,
        mut found: impl FnMut(usize, Range<usize>),
    ) -> bool {
        let (Some(regex), Some(every)) = (self.get(), self.every()) else {
            return false;
        };
        let mut set = PatternSet::new(self.patterns.len());
        for hit in regex.find_iter(Input::new(text).range(window)) {
            matches_inside(every, text, hit.range(), &mut set, |start, pattern| {
                let span = if self.to_end[pattern] { start..text.len() } else { hit.range() };
                found(self.owners[pattern], span);
            });
        }
        true
    }

    /// The alternatives again, each reported wherever it matches (overlapping).
    fn every(&self) -> Option<&Regex> {
        self.every
            .get_or_init(|| {
                Regex::builder()
                    .configure(Regex::config().match_kind(MatchKind::All))
                    .build_many(&self.patterns)
                    .ok()
            })
            .as_ref()
    }
}

/// Calls `each(start, pattern)` for every alternative matching at each `start` inside `hit` (an
/// anchored overlapping search at every character of the hit, the hit's own alternative included).
fn matches_inside(
    every: &Regex,
    text: &str,
    hit: Range<usize>,
    set: &mut PatternSet,
    mut each: impl FnMut(usize, usize),
) {
    for start in hit.filter(|&at| text.is_char_boundary(at)) {
        set.clear();
        every.which_overlapping_matches(&Input::new(text).range(start..).anchored(Anchored::Yes), set);
        for pattern in set.iter() {
            each(start, pattern.as_usize());
        }
    }
}

/// The top-level alternatives of `source`, as text (from the syntax tree: the HIR factors out prefixes
/// that alternatives share); `source` alone when it has none. `None` when it does not parse or an
/// alternative sets flags at the top level, which would reach the alternatives after it: the source is
/// then kept whole, and not flagged whatever it ends with.
fn alternatives(source: &str) -> Option<Vec<&str>> {
    use regex_syntax::ast::{Ast, parse::Parser};
    let ast = Parser::new().parse(source).ok()?;
    let Ast::Alternation(alternation) = &ast else { return Some(vec![source]) };
    let sets_flags = |ast: &Ast| match ast {
        Ast::Flags(_) => true,
        Ast::Concat(concat) => concat.asts.iter().any(|part| matches!(part, Ast::Flags(_))),
        _ => false,
    };
    if alternation.asts.iter().any(sets_flags) {
        return None;
    }
    Some(alternation.asts.iter().map(|ast| &source[ast.span().start.offset..ast.span().end.offset]).collect())
}

#[cfg(test)]
mod tests {
    use regex_syntax::hir::{Class, Hir, HirKind};

    use super::*;
    use crate::language::Language;
    use crate::rules::RuleSet;

    /// Whether `hir` is `(?s:.*)`: greedy, unbounded, over every character.
    fn is_rest_of_text(hir: &Hir) -> bool {
        let HirKind::Repetition(repetition) = hir.kind() else { return false };
        let HirKind::Class(Class::Unicode(class)) = repetition.sub.kind() else { return false };
        repetition.min == 0
            && repetition.max.is_none()
            && repetition.greedy
            && class.ranges().len() == 1
            && class.ranges()[0].start() == '\0'
            && class.ranges()[0].end() == char::MAX
    }

    /// Whether `hir` holds a `(?s:.*)` anywhere.
    fn holds_rest_of_text(hir: &Hir) -> bool {
        is_rest_of_text(hir)
            || match hir.kind() {
                HirKind::Repetition(repetition) => holds_rest_of_text(&repetition.sub),
                HirKind::Capture(capture) => holds_rest_of_text(&capture.sub),
                HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().any(holds_rest_of_text),
                _ => false,
            }
    }

    fn hits(anchors: &Anchors, text: &str) -> Vec<(String, bool)> {
        anchors.hits(text, &[true; 2]).unwrap().map(|hit| (text[hit.span].to_owned(), hit.to_end)).collect()
    }

    #[test]
    fn alternatives_keep_their_order_and_a_trailing_rest_becomes_a_flag() {
        let sources = [r"= *load(?m:$)(?s:.*)|load\(", r"(?-u:\b)import(?-u:\b)"];
        let anchors = Anchors::new(sources);
        assert_eq!(anchors.to_end, [true, false, false]);
        let text = "import x\ny = load(a)\nz = load\nimport w\n";
        assert_eq!(
            hits(&anchors, text),
            [("import".into(), false), ("load(".into(), false), ("= load".into(), true)]
        );
        // The single alternation finds the same hits, the last one running to the end of the text.
        let single = regex::Regex::new(&format!("(?:{})|(?:{})", sources[0], sources[1])).unwrap();
        let theirs: Vec<Range<usize>> = single.find_iter(text).map(|m| m.range()).collect();
        let ours: Vec<Range<usize>> = anchors.hits(text, &[true; 2]).unwrap().map(|hit| hit.span).collect();
        assert_eq!(theirs[..2], ours[..2]);
        assert_eq!(theirs[2], ours[2].start..text.len());
        assert_eq!(theirs.len(), 3);
        assert_eq!(anchors.hit_at(text, 10), Some(Hit { span: 13..18, to_end: false }));
    }

    #[test]
    fn hits_of_dead_sources_make_no_window_unless_a_live_source_hides_inside() {
        // Sources: `client.fetch` (dead), `fetch(` (live, inside the first's hits), `load` with the rest
        // of the text (dead), `never` (live).
        let anchors = Anchors::new([r"client\.fetch", r"fetch\(", r"= *load(?s:.*)", "never"]);
        let live = [false, true, false, true];
        let text = "a = client.fetch\nb = client.fetch(u)\nd = load\ne = never\n";
        let hits: Vec<(&str, bool)> =
            anchors.hits(text, &live).unwrap().map(|hit| (&text[hit.span], hit.to_end)).collect();
        // The first `client.fetch` hides nothing live; the second hides `fetch(`; the dead alias neither
        // makes a window nor ends the search.
        assert_eq!(hits, [("client.fetch", false), ("never", false)]);
        let all: Vec<&str> = anchors.hits(text, &[true; 4]).unwrap().map(|hit| &text[hit.span]).collect();
        assert_eq!(all, ["client.fetch", "client.fetch", "= load"], "all live: the alias is the last");
    }

    #[test]
    fn spans_in_a_window_include_sources_hidden_inside_other_hits() {
        // Sources: `client.fetch`, `fetch(` (inside the first's hit), `client.fetch(` (same start),
        // `never`, and an alias that runs to the end of the text.
        let anchors =
            Anchors::new([r"client\.fetch", r"fetch\(", r"client\.fetch\(", "never", r"= *load(?s:.*)"]);
        let text = "a = 1\nb = client.fetch(u)\nc = 2\nd = load\ne = never\n";
        let spans = |window: Range<usize>| {
            let mut spans = Vec::new();
            assert!(anchors.spans_in(text, window, |source, span| spans.push((source, &text[span]))));
            spans.sort_unstable();
            spans.dedup();
            spans
        };
        assert_eq!(
            spans(6..25),
            [(0, "client.fetch"), (1, "client.fetch"), (2, "client.fetch")],
            "the hit, for each source matching inside it"
        );
        assert_eq!(spans(0..5), [], "no hit, no source");
        // After the alias's hit, the search goes on: `never` has its own hit.
        assert_eq!(spans(32..text.len()), [(3, "never"), (4, "= load\ne = never\n")]);
    }

    #[test]
    fn flags_set_at_the_top_level_keep_a_source_whole() {
        let anchors = Anchors::new([r"(?i)load(?s:.*)|eval", r"a|(b|c)(?s:.*)"]);
        assert_eq!(anchors.patterns, [r"(?i)load(?s:.*)|eval", "a", "(b|c)"]);
        assert_eq!(anchors.to_end, [false, false, true]);
    }

    #[test]
    fn built_in_anchors_hold_rest_of_text_only_at_the_ends_of_alternatives() {
        let rules = RuleSet::builtin();
        for language in Language::ALL {
            let anchors = &rules.language_rules(language).anchors;
            assert!(anchors.get().is_some(), "{language:?} anchors compile");
            for pattern in &anchors.patterns {
                let hir = regex_syntax::Parser::new().parse(pattern).unwrap();
                assert!(!holds_rest_of_text(&hir), "{language:?}: a `(?s:.*)` inside {pattern}");
            }
        }
    }
}
