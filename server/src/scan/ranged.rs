//! Rescans after an edit that redo only the part of the file the edit touched (the language server's
//! keystroke path).
//!
//! A query finding depends on the nodes of its match, on the file's import bindings, on the file-wide
//! `#file-match?` predicates and on which rules the prefilters let through. The previous scan leaves a
//! [`ScanMemory`] of all four; after an edit the rescan
//! - takes the *region*: the top-level statements around the edit (and, with a fresh whole-file tree,
//!   around every range whose syntax changed), so no enclosing scope other than the module changes
//!   outside it;
//! - answers the rule gates and file predicates from where they matched before and the text near the
//!   edit (see `witness`), not from the whole text;
//! - gives up (the caller scans the whole file) when the active rules, a file predicate or a binding
//!   inside the region changed, or when the region is most of the file;
//! - keeps every remembered finding whose match lies wholly outside the region (shifted by the edit),
//!   and runs the query over the anchor windows inside the region.
//!
//! Python and JavaScript re-parse only the region where the text around it lets it stand alone (see
//! `boundaries`; tree-sitter-python's incremental re-parse rebuilds every top-level definition after
//! the edit, 40 ms on a 10k-line file, and a whole JavaScript re-parse is 3.6 ms); otherwise, and for
//! other languages, the whole file is re-parsed incrementally and the region also covers the ranges
//! whose syntax changed. Regex rules whose matches stay within a line search only the region's lines;
//! other regex rules and suppressions run over the whole text as in a full scan.

mod boundaries;
mod witness;

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::{Node, QueryCapture, Tree};

use super::bindings::Bindings;
use super::{
    Judged, ScanOptions, ScanTree, active_rules, anchor_windows_in, capture_ids, finish, parse_ranges,
    query_pass, regex_rules, windows_by_rule,
};
use crate::finding::Finding;
use crate::language::Language;
use crate::rules::{LanguageRules, Predicate, Reach, RuleSet};
pub(crate) use witness::first_match;
use witness::{Witness, after_edit};

/// An edit between two versions of a text: the bytes before `start` are the same in both, and so are
/// the bytes from `old_end` in the old text and from `new_end` in the new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextChange {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

impl TextChange {
    /// This change followed by `next` (whose offsets are in the text this change produced).
    #[must_use]
    pub fn then(self, next: TextChange) -> TextChange {
        // The span both changes touched, in the intermediate text; its end lies in text that the
        // first change left alone (or at its end), so it maps back, and `next` left it alone too.
        let end = self.new_end.max(next.old_end);
        TextChange {
            start: self.start.min(next.start),
            old_end: end - self.new_end + self.old_end,
            new_end: end - next.old_end + next.new_end,
        }
    }

    /// Where an offset of the old text at or after `old_end` lies in the new text.
    fn moved(self, old_offset: usize) -> usize {
        old_offset - self.old_end + self.new_end
    }
}

/// What a scan of a document learnt that a [`rescan`] of the edited document can keep.
#[derive(Debug)]
pub struct ScanMemory {
    language: Language,
    options: ScanOptions,
    text_len: usize,
    active: Vec<bool>,
    /// Where each rule gate (in the order of `prefilter_rules`) and each `#file-match?` predicate of an
    /// active rule (in plan order) first matched.
    gates: Vec<Witness>,
    file_matches: Vec<Witness>,
    /// The import bindings (name → qualified name) and where each binding statement is.
    names: HashMap<String, String>,
    sites: Vec<Site>,
    /// Query findings before suppression, ordered by position.
    judged: Vec<Judged>,
    /// Regex-rule findings before suppression.
    regex_findings: Vec<Finding>,
    /// Where the tree the rescans are given holds older text: the regions parsed alone since the
    /// last whole parse (the caller keeps that parse, edited).
    stale: Vec<Range<usize>>,
    /// The anchor windows of the text (ordered, possibly overlapping), to tell whether one reaches
    /// into a later region from before it.
    windows: Vec<Range<usize>>,
}

/// One import or alias binding: where it starts and the text of each capture (what it binds).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Site {
    start: usize,
    key: String,
}

impl ScanMemory {
    pub(super) fn new(
        rules: &RuleSet,
        language: Language,
        text: &str,
        options: ScanOptions,
        active: Vec<bool>,
        gates: Vec<Witness>,
    ) -> Self {
        let file_matches = file_matches(rules, language, &active, |regex, _| first_match(regex, text));
        ScanMemory {
            language,
            options,
            text_len: text.len(),
            active,
            gates,
            file_matches,
            names: HashMap::new(),
            sites: Vec::new(),
            judged: Vec::new(),
            regex_findings: Vec::new(),
            stale: Vec::new(),
            windows: Vec::new(),
        }
    }

    /// The stale ranges after a rescan that parses `region` alone: the remembered ones moved (grown
    /// over the edit where they meet it) and the region, merged. `None` past a bound on their number
    /// (a whole scan, which re-parses, starts afresh).
    fn stale_after(&self, change: TextChange, region: &Range<usize>) -> Option<Vec<Range<usize>>> {
        const MOST: usize = 256;
        let at = |offset: usize, inside: usize| match offset {
            _ if offset < change.start => offset,
            _ if offset >= change.old_end => moved(offset, change),
            _ => inside,
        };
        let mut ranges: Vec<Range<usize>> = self
            .stale
            .iter()
            .map(|r| at(r.start, change.start)..at(r.end, change.new_end))
            .chain(std::iter::once(region.clone()))
            .collect();
        ranges.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
        for range in ranges {
            match merged.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        (merged.len() <= MOST).then_some(merged)
    }

    /// Records the regex-rule findings of a whole-file scan.
    pub(super) fn remember_regex_findings(&mut self, findings: &[Finding]) {
        self.regex_findings = findings.to_vec();
    }

    /// The binding sites after a rescan: the remembered ones outside the region (moved), and `found`.
    fn sites_after(&self, change: TextChange, old_region: &Range<usize>, found: Vec<Site>) -> Vec<Site> {
        let mut sites: Vec<Site> = self
            .sites
            .iter()
            .filter(|site| !old_region.contains(&site.start))
            .map(|site| Site { start: moved(site.start, change), key: site.key.clone() })
            .chain(found)
            .collect();
        sites.sort_by_key(|site| site.start);
        sites
    }

    /// The anchor windows after a rescan: the remembered ones starting outside the `searched` span
    /// (moved), and those `found` starting inside it.
    fn windows_after(
        &self,
        change: TextChange,
        searched: &Range<usize>,
        found: Vec<Range<usize>>,
    ) -> Vec<Range<usize>> {
        let old_searched_end = searched.end - change.new_end + change.old_end;
        let mut windows: Vec<Range<usize>> = self
            .windows
            .iter()
            .filter(|w| w.start < searched.start || w.start > old_searched_end)
            .map(|w| moved(w.start, change)..moved(w.end, change))
            .chain(found.into_iter().filter(|w| w.start >= searched.start))
            .collect();
        windows.sort_by_key(|w| (w.start, w.end));
        windows
    }

    /// Whether `text` in `language` can be this memory's text with `change` applied.
    fn fits(&self, language: Language, change: TextChange, text: &str) -> bool {
        self.language == language
            && change.start <= change.old_end.min(change.new_end)
            && change.old_end <= self.text_len
            && self.text_len - change.old_end + change.new_end == text.len()
            && text.is_char_boundary(change.start)
            && text.is_char_boundary(change.new_end)
    }

    /// Records the query pass of a whole-file scan.
    pub(super) fn remember_queries(
        &mut self,
        text: &str,
        binding_matches: &[Vec<QueryCapture<'_>>],
        bindings: &Bindings<'_>,
        judged: Vec<Judged>,
        windows: &[Range<usize>],
    ) {
        self.windows = windows.to_vec();
        self.names.clone_from(bindings.names());
        self.sites = sites(text, binding_matches);
        self.judged = judged;
    }
}

/// The language server's rescan after an edit: with the region parsed on its own where the language
/// and the text allow (see [`rescan`]), else with a whole incremental re-parse of `edited` (the
/// previous whole-file tree with the edits applied). Returns the rescan (`None`: a whole-file scan is
/// needed) and the re-parse if one was made, which is the tree to keep; without one, `edited` is.
pub fn rescan_edited(
    rules: &RuleSet,
    language: Language,
    text: &str,
    memory: &ScanMemory,
    change: TextChange,
    edited: &Tree,
) -> (Option<(Vec<Finding>, ScanMemory)>, Option<Tree>) {
    let document = EditedDocument { rules, language, text, memory, change, edited };
    if boundaries::parses_regions(language)
        && let Some(rescanned) = rescan(&document, None)
    {
        return (Some(rescanned), None);
    }
    let reparsed = super::parse(language, text, Some(edited));
    // Not for Python: around a broken statement its re-parse's changed ranges did not cover every
    // change of the tree (tests/rescan.rs found findings missed), and the re-parse costs more than
    // the whole scan saves.
    let rescanned = reparsed
        .as_ref()
        .filter(|_| language != Language::Python)
        .and_then(|tree| rescan(&document, Some(tree)));
    (rescanned, reparsed)
}

/// A document after edits, with what the last scan of it left.
struct EditedDocument<'a> {
    rules: &'a RuleSet,
    language: Language,
    /// The remembered text with `change` applied.
    text: &'a str,
    memory: &'a ScanMemory,
    change: TextChange,
    /// The previous whole-file tree with every edit since applied (`Tree::edit`), not re-parsed.
    edited: &'a Tree,
}

/// Scans the edited text, redoing only the region around the edit. `reparsed` is a whole re-parse
/// of the text where the caller made one; without it, the region is parsed on its own. `None` when
/// only a whole-file scan can be exact.
fn rescan(document: &EditedDocument<'_>, reparsed: Option<&Tree>) -> Option<(Vec<Finding>, ScanMemory)> {
    let EditedDocument { rules, language, text, memory, change, edited } = *document;
    if !memory.fits(language, change, text) {
        return None;
    }
    let language_rules = rules.language_rules(language);
    let (active, gates, file_matches) = file_wide_answers(rules, language, text, memory, change)?;

    let (before, region) = match reparsed {
        Some(tree) => {
            let changed = edited.changed_ranges(tree).map(|r| r.start_byte..r.end_byte);
            let touched = changed
                .fold(change.start..change.new_end, |hull, r| hull.start.min(r.start)..hull.end.max(r.end));
            top_level_hull(tree.root_node(), touched, text.len())
        }
        None if boundaries::parses_regions(language) && !edited.root_node().has_error() => {
            top_level_hull(edited.root_node(), change.start..change.new_end, text.len())
        }
        None => return None,
    };
    if region.len() * 2 > text.len() {
        return None;
    }
    // A region parsed alone leaves the kept tree stale there; a whole re-parse leaves nothing stale.
    let stale = if reparsed.is_some() { Vec::new() } else { memory.stale_after(change, &region)? };
    let region_tree;
    let trees = if let Some(tree) = reparsed {
        ScanTree::Given(tree)
    } else {
        if !boundaries::before_parse(language, text, &region, edited, &stale) {
            return None;
        }
        region_tree = parse_ranges(language, text, std::slice::from_ref(&region))?;
        if !boundaries::after_parse(language, text, &region_tree) {
            return None;
        }
        ScanTree::Patched { region: (&region_tree, region.clone()), rest: edited, stale: &stale }
    };
    let old_region = region.start..change.old_end + (region.end - change.new_end);

    let anchored = !memory.options.whole_tree
        && !language_rules.query_rules.iter().any(|&i| active[i] && language_rules.unanchored[i]);
    let has_queries = language_rules.query_rules.iter().any(|&i| active[i]);
    // Anchors are searched from the statement before the region to the end of its last line.
    let searched = before..text[region.end..].find('\n').map_or(text.len(), |i| region.end + i);
    let windows = match () {
        () if !has_queries => Vec::new(),
        () if anchored => region_windows(language_rules, &active, text, memory, change, &searched)?,
        () => std::iter::once(0..text.len()).collect(),
    };
    let pieces = inside(&windows, &region);

    let mut judged = Vec::new();
    let mut new_sites = Vec::new();
    if let (false, Some(tree)) = (pieces.is_empty(), trees.for_queries()) {
        // Which rules a window serves is told from the whole window, as in a whole-file scan.
        let by_rule = anchored.then(|| {
            let by_rule = windows_by_rule(language_rules, &active, &windows, text, true).into_iter();
            by_rule.map(|(index, rule_windows)| (index, inside(&rule_windows, &region))).collect()
        });
        let found = query_pass(rules, language, &active, &pieces, by_rule, text, tree, false)?;
        new_sites = sites(text, &found.bindings);
        new_sites.retain(|site| region.contains(&site.start));
        let old_sites = memory.sites.iter().filter(|site| old_region.contains(&site.start));
        if !new_sites.iter().map(|s| &s.key).eq(old_sites.map(|s| &s.key)) {
            return None; // an import or alias changed: every resolution in the file may change
        }
        let bindings = Bindings::with_names(text, memory.names.clone());
        judged = found.judge(rules, text, &bindings);
    } else if memory.sites.iter().any(|site| old_region.contains(&site.start)) {
        return None; // a binding in the region is gone
    }

    let outside = |extent: &Range<usize>| extent.end < old_region.start || extent.start > old_region.end;
    judged.extend(memory.judged.iter().filter(|j| outside(&j.extent)).map(|j| shifted(j, change)));
    judged.sort_by(|a, b| {
        let (a, b) = (&a.finding, &b.finding);
        (a.span.start, a.span.end, &a.rule).cmp(&(b.span.start, b.span.end, &b.rule))
    });
    judged.dedup_by(|a, b| a.finding.rule == b.finding.rule && a.finding.span == b.finding.span);

    let regex_findings = regex_rules_after_edit(document, &active, &trees, &region)?;
    let mut findings: Vec<Finding> = judged.iter().map(|j| j.finding.clone()).collect();
    findings.extend(regex_findings.iter().cloned());
    let next = ScanMemory {
        language,
        options: memory.options,
        text_len: text.len(),
        active,
        gates,
        file_matches,
        names: memory.names.clone(),
        sites: memory.sites_after(change, &old_region, new_sites),
        judged,
        regex_findings,
        stale,
        windows: memory.windows_after(change, &searched, windows),
    };
    Some((finish(rules, text, findings, memory.options), next))
}

/// The rules the gates let through, where each gate and file predicate matches, found near the edit;
/// `None` when an answer changed (the whole file must be scanned again).
fn file_wide_answers(
    rules: &RuleSet,
    language: Language,
    text: &str,
    memory: &ScanMemory,
    change: TextChange,
) -> Option<(Vec<bool>, Vec<Witness>, Vec<Witness>)> {
    let language_rules = rules.language_rules(language);
    if memory.gates.len() != language_rules.prefilter_rules.len() {
        return None;
    }
    let mut gates = Vec::with_capacity(memory.gates.len());
    let active = active_rules(rules, language_rules, |position, gate| {
        gates.push(after_edit(gate, text, &memory.gates[position], change));
        memory.options.ungated || gates.last().is_some_and(Option::is_some)
    });
    if active != memory.active {
        return None;
    }
    // The same rules are active, so the predicates come in the remembered order.
    let file_matches = file_matches(rules, language, &active, |regex, position| {
        after_edit(regex, text, &memory.file_matches[position], change)
    });
    let same = file_matches.iter().map(Option::is_some).eq(memory.file_matches.iter().map(Option::is_some));
    same.then_some((active, gates, file_matches))
}

/// The findings of the active regex rules after the edit. A rule whose matches stay within a line
/// keeps its remembered findings on the lines outside the region's and searches only the region's
/// lines (which hold the edit; the syntax tree outside them, which decides scopes, did not change);
/// others search the whole text. `None` when a match lies where the tree is stale.
fn regex_rules_after_edit(
    document: &EditedDocument<'_>,
    active: &[bool],
    trees: &ScanTree<'_>,
    region: &Range<usize>,
) -> Option<Vec<Finding>> {
    let EditedDocument { rules, language, text, memory, change, .. } = *document;
    let bytes = text.as_bytes();
    let start = memchr::memrchr(b'\n', &bytes[..region.start]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[region.end..]).map_or(text.len(), |i| region.end + i + 1);
    let old_end = end - change.new_end + change.old_end;
    let mut findings = Vec::new();
    for (index, rule) in rules.rules().iter().enumerate() {
        if !active[index] || rule.is_query_rule() {
            continue;
        }
        if rule.regex.as_ref().is_some_and(|regex| regex.reach() == Reach::Line) {
            let kept = memory.regex_findings.iter().filter(|finding| {
                finding.rule == rule.id && (finding.span.end <= start || finding.span.start >= old_end)
            });
            findings.extend(kept.map(|finding| moved_finding(finding, change)));
            if !regex_rules::run_in_lines(rule, language, text, trees, start..end, &mut findings) {
                return None;
            }
        } else if !regex_rules::run(rule, language, text, trees, &mut findings) {
            return None;
        }
    }
    Some(findings)
}

/// The top-level statements around `touched`, as one byte range: from the statement holding (or, in
/// a gap, preceding) its start to the statement holding (or following) its end. Statements are whole
/// so the enclosing scopes of everything inside are inside. Also returns where the statement before the
/// region starts (the region's start if there is none), where a search for anchors must begin to find
/// a hit that reaches from it into the region.
fn top_level_hull(root: Node<'_>, touched: Range<usize>, text_len: usize) -> (usize, Range<usize>) {
    let first = match root.first_child_for_byte(touched.start) {
        Some(child) if child.start_byte() <= touched.start => Some(child),
        Some(child) => child.prev_sibling(),
        None => root.child(root.child_count().saturating_sub(1)),
    };
    let start = first.map_or(0, |node| node.start_byte()).min(touched.start);
    let before = first.and_then(|node| node.prev_sibling()).map_or(start, |node| node.start_byte());
    let end = root.first_child_for_byte(touched.end).map_or(text_len, |child| child.end_byte());
    (before.min(start), start..end.max(touched.end).min(text_len))
}

/// The anchor windows of the `searched` span (from the statement before the region to the end of the
/// region's last line), found there rather than in the whole text: a hit that reaches into the region
/// from further back is one the previous scan saw crossing the span's start (the text before the edit
/// is unchanged, and the built-in anchors' multi-line forms reach back at most one statement, or run
/// to the end of the file from an alias); when there is one, the whole text is searched. Only windows
/// touching the span are returned. `None` when a window reaching past the span (an alias's, to the end
/// of the file) changed: it decides where the query runs outside the region too, so findings kept
/// there may be wrong.
fn region_windows(
    language_rules: &LanguageRules,
    active: &[bool],
    text: &str,
    memory: &ScanMemory,
    change: TextChange,
    searched: &Range<usize>,
) -> Option<Vec<Range<usize>>> {
    let crossing = memory.windows.iter().any(|w| w.start < searched.start && w.end >= searched.start);
    let span = if crossing { 0..text.len() } else { searched.clone() };
    let windows: Vec<Range<usize>> = anchor_windows_in(language_rules, active, text, span)
        .into_iter()
        .filter(|w| w.end >= searched.start && w.start <= searched.end)
        .collect();
    let old_searched_end = searched.end - change.new_end + change.old_end;
    let beyond = |windows: &mut dyn Iterator<Item = Range<usize>>| -> Vec<Range<usize>> {
        windows.filter(|w| w.end > searched.end).map(|w| w.start.max(searched.end)..w.end).collect()
    };
    let remembered = beyond(
        &mut memory
            .windows
            .iter()
            .filter(|w| w.start >= searched.start && w.start <= old_searched_end)
            .map(|w| moved(w.start, change)..moved(w.end, change)),
    );
    let found = beyond(&mut windows.iter().filter(|w| w.start >= searched.start).cloned());
    (found == remembered).then_some(windows)
}

/// The parts of `windows` inside `region`.
fn inside(windows: &[Range<usize>], region: &Range<usize>) -> Vec<Range<usize>> {
    windows
        .iter()
        .filter(|w| w.start <= region.end && w.end >= region.start)
        .map(|w| w.start.max(region.start)..w.end.min(region.end))
        .collect()
}

/// Where each `#file-match?` predicate of the active rules first matches, rule by rule in catalogue
/// order: `find` is given the predicate's regex and its position in that order (each regex is searched
/// once).
fn file_matches(
    rules: &RuleSet,
    language: Language,
    active: &[bool],
    mut find: impl FnMut(&crate::rules::LazyRegex, usize) -> Witness,
) -> Vec<Witness> {
    let mut known: HashMap<&str, Witness> = HashMap::new();
    let mut results = Vec::new();
    let active_rules = rules.language_rules(language).query_rules.iter().filter(|&&index| active[index]);
    for plan in active_rules.filter_map(|&index| rules.rule_plan(language, index)) {
        for predicate in plan.predicates.iter().flatten() {
            if let Predicate::FileMatch { regex, .. } = predicate {
                let position = results.len();
                results.push(known.entry(regex.as_str()).or_insert_with(|| find(regex, position)).clone());
            }
        }
    }
    results
}

/// The binding matches as sites, each once, in order of position.
fn sites(text: &str, matches: &[Vec<QueryCapture<'_>>]) -> Vec<Site> {
    let mut seen = std::collections::HashSet::new();
    let mut sites: Vec<Site> = matches
        .iter()
        .filter(|captures| seen.insert(capture_ids(captures)))
        .filter_map(|captures| {
            let start = captures.iter().map(|c| c.node.start_byte()).min()?;
            let mut key = String::new();
            for capture in captures {
                key.push_str(&capture.index.to_string());
                key.push('=');
                key.push_str(&text[capture.node.byte_range()]);
                key.push('\u{0}');
            }
            Some(Site { start, key })
        })
        .collect();
    sites.sort_by(|a, b| (a.start, &a.key).cmp(&(b.start, &b.key)));
    sites
}

/// Where an old offset outside the edited bytes lies in the new text.
fn moved(offset: usize, change: TextChange) -> usize {
    if offset >= change.old_end { change.moved(offset) } else { offset }
}

/// A remembered finding outside the region, moved to its place in the new text.
fn shifted(judged: &Judged, change: TextChange) -> Judged {
    let extent = moved(judged.extent.start, change)..moved(judged.extent.end, change);
    Judged { finding: moved_finding(&judged.finding, change), extent }
}

/// A remembered finding outside the edit, moved to its place in the new text.
fn moved_finding(finding: &Finding, change: TextChange) -> Finding {
    let at = |range: &Range<usize>| moved(range.start, change)..moved(range.end, change);
    let mut finding = finding.clone();
    finding.span = at(&finding.span);
    if let Some(fix) = &mut finding.fix {
        for edit in &mut fix.edits {
            edit.range = at(&edit.range);
        }
    }
    finding
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies a change given as (start, old end, inserted text).
    fn apply(text: &str, (start, end, insert): (usize, usize, &str)) -> (String, TextChange) {
        let mut out = text.to_owned();
        out.replace_range(start..end, insert);
        (out, TextChange { start, old_end: end, new_end: start + insert.len() })
    }

    #[test]
    fn composed_changes_cover_both_edits() {
        let text = "0123456789abcdefghij";
        let cases = [
            ((2, 4, "XYZ"), (10, 12, "")),   // second after the first
            ((10, 12, "Q"), (1, 3, "RRRR")), // second before the first
            ((5, 5, "abc"), (6, 7, "")),     // second inside the first's insertion
            ((3, 9, ""), (2, 5, "long insert")),
        ];
        for (first, second) in cases {
            let (middle, one) = apply(text, first);
            let (last, two) = apply(&middle, second);
            let both = one.then(two);
            assert_eq!(text[..both.start], last[..both.start], "{first:?} {second:?}");
            assert_eq!(text[both.old_end..], last[both.new_end..], "{first:?} {second:?}");
            assert!(both.start <= both.old_end && both.start <= both.new_end);
        }
    }
}
