//! The pattern engine: `scan(&RuleSet, Language, &str) -> Vec<Finding>`. Pure, no IO, cannot fail.
//!
//! One pass of a regex set tells which rules can match at all; only then is the text parsed and the
//! combined query of the candidate rules run. Regex rules run on the text, scoped by the syntax tree
//! where they ask for it. Suppression comments are applied last.

pub(crate) mod bindings;
mod nodes;
pub mod ranged;
mod regex_rules;
mod skeleton;
pub mod suppress;

use std::cell::OnceCell;
use std::ops::Range;
use std::time::{Duration, Instant};
use streaming_iterator::StreamingIterator;

use tree_sitter::{Node, Parser, Point, QueryCapture, QueryCursor, QueryCursorOptions, Tree};

use crate::finding::{Edit, Finding, Fix, Layer, fingerprint};
use crate::language::Language;
use crate::rules::{LanguageRules, LazyRegex, Plan, Predicate, Rule, RuleSet};

use bindings::{BindingCaptures, Bindings};
pub use ranged::ScanMemory;

/// How a scan may degrade.
#[derive(Clone, Copy, Debug, Default)]
#[allow(clippy::struct_excessive_bools)] // independent switches, each documented
pub struct ScanOptions {
    /// Skip the syntax tree: only regex rules run (huge files, or too little memory to parse).
    pub regex_only: bool,
    /// Without anchors too, run the active rules' own queries one by one rather than the combined
    /// query of every rule (one-shot processes such as the hook, where compiling everything would
    /// cost more than scanning; anchored scans always go rule by rule).
    pub lean: bool,
    /// Keep findings silenced by suppression comments (and report no suppression hints).
    pub keep_suppressed: bool,
    /// Run queries over the whole tree even when every active rule has an anchor (tests compare the
    /// two to hold anchors to their promise).
    pub whole_tree: bool,
    /// Run every rule, as if each rule's gate (prefilter) matched (tests compare the two to hold
    /// prefilters to their promise: a text a prefilter rejects has no match of its rule).
    pub ungated: bool,
}

/// Scans `text` as `language` with every applicable rule.
pub fn scan(rules: &RuleSet, language: Language, text: &str) -> Vec<Finding> {
    scan_with(rules, language, text, None, ScanOptions::default())
}

/// Parses `text` for `language`; `None` for plain text or when the parser gives up.
pub fn parse(language: Language, text: &str, old_tree: Option<&Tree>) -> Option<Tree> {
    parser(language)?.parse(text, old_tree)
}

fn parser(language: Language) -> Option<Parser> {
    let mut parser = Parser::new();
    parser.set_language(&language.grammar()?).ok()?;
    Some(parser)
}

/// Scans with an optional already-parsed `tree` (the language server keeps one per document).
pub fn scan_with(
    rules: &RuleSet,
    language: Language,
    text: &str,
    tree: Option<&Tree>,
    options: ScanOptions,
) -> Vec<Finding> {
    scan_inner(rules, language, text, tree, options, false).0
}

/// Scans `text` with its whole syntax tree and keeps what a later [`ranged::rescan`] of the edited
/// text needs (the language server does this for every open document). No memory for regex-only scans.
pub fn scan_remembering(
    rules: &RuleSet,
    language: Language,
    text: &str,
    tree: Option<&Tree>,
    options: ScanOptions,
) -> (Vec<Finding>, Option<ScanMemory>) {
    scan_inner(rules, language, text, tree, options, tree.is_some() && !options.regex_only)
}

/// Which rules can match a text at all: those whose gate (prefilter, or regex) `passes`, and those
/// without one. `passes` is asked about every gated rule, in the order of `prefilter_rules`, with the
/// rule's position there.
fn active_rules(
    rules: &RuleSet,
    language_rules: &LanguageRules,
    mut passes: impl FnMut(usize, &LazyRegex) -> bool,
) -> Vec<bool> {
    let mut active = vec![false; rules.rules().len()];
    for (position, &index) in language_rules.prefilter_rules.iter().enumerate() {
        let rule = rules.rule(index);
        // Every rule of `prefilter_rules` has one or the other.
        active[index] =
            rule.prefilter.as_ref().or(rule.regex.as_ref()).is_some_and(|gate| passes(position, gate));
    }
    for &index in &language_rules.unconditional {
        active[index] = true;
    }
    active
}

fn scan_inner(
    rules: &RuleSet,
    language: Language,
    text: &str,
    tree: Option<&Tree>,
    options: ScanOptions,
    remember: bool,
) -> (Vec<Finding>, Option<ScanMemory>) {
    let language_rules = rules.language_rules(language);
    // A memory keeps where each gate matched, for a rescan to check near the edit only.
    let mut gates = Vec::new();
    let active = if remember {
        active_rules(rules, language_rules, |_, gate| {
            gates.push(ranged::first_match(gate, text));
            options.ungated || gates.last().is_some_and(Option::is_some)
        })
    } else {
        active_rules(rules, language_rules, |_, gate| options.ungated || gate.is_match(text))
    };
    let active_queries: Vec<usize> =
        language_rules.query_rules.iter().copied().filter(|&index| active[index]).collect();
    let wants_tree = active.iter().enumerate().any(|(index, &on)| {
        on && (rules.rule(index).is_query_rule()
            || rules.rule(index).meta.scope != crate::rules::Scope::Anywhere)
    });

    let anchored =
        !options.whole_tree && !active_queries.iter().any(|&index| language_rules.unanchored[index]);
    let windows = match () {
        () if active_queries.is_empty() => Vec::new(),
        () if anchored => anchor_windows(language_rules, &active, text),
        () => std::iter::once(0..text.len()).collect(),
    };
    let trees = if options.regex_only || !wants_tree {
        ScanTree::None
    } else if let Some(tree) = tree {
        ScanTree::Given(tree)
    } else {
        ScanTree::parse(language, text, anchored.then_some(windows.as_slice()))
    };

    let mut memory = remember.then(|| ScanMemory::new(rules, language, text, options, active.clone(), gates));
    let mut findings = Vec::new();
    // No window (no active query rule, or no anchor hit): no query can match, nothing to parse for it.
    if !windows.is_empty()
        && let Some(tree) = trees.for_queries()
    {
        // Anchored, each rule runs over its own windows; a lean scan without anchors runs the active
        // rules one by one over every window, so it compiles their queries only.
        let by_rule = (anchored || options.lean)
            .then(|| windows_by_rule(language_rules, &active, &windows, text, anchored));
        if let Some(found) = query_pass(rules, language, &active, &windows, by_rule, text, tree, true)
            && (found.any_rule_match() || memory.is_some())
        {
            let bindings = Bindings::from_matches(text, found.binding_captures, &found.bindings);
            let judged = found.judge(rules, text, &bindings);
            if let Some(memory) = &mut memory {
                findings.extend(judged.iter().map(|j| j.finding.clone()));
                memory.remember_queries(text, &found.bindings, &bindings, judged, &windows);
            } else {
                findings.extend(judged.into_iter().map(|j| j.finding));
            }
        }
    }
    let first_regex_finding = findings.len();
    for (index, rule) in rules.rules().iter().enumerate() {
        if active[index] && !rule.is_query_rule() {
            // A whole scan's tree holds every offset.
            let _ = regex_rules::run(rule, language, text, &trees, &mut findings);
        }
    }
    if let Some(memory) = &mut memory {
        memory.remember_regex_findings(&findings[first_regex_finding..]);
    }
    (finish(rules, text, findings, options), memory)
}

/// Orders findings, drops duplicates and applies suppression comments.
fn finish(rules: &RuleSet, text: &str, mut findings: Vec<Finding>, options: ScanOptions) -> Vec<Finding> {
    findings.sort_by(|a, b| (a.span.start, a.span.end, &a.rule).cmp(&(b.span.start, b.span.end, &b.rule)));
    findings.dedup_by(|a, b| a.rule == b.rule && a.span == b.span);
    if options.keep_suppressed { findings } else { suppress::apply(rules, text, findings) }
}

/// The syntax tree of one scan. Parsed here, it is first a skeleton of the ranges around the query
/// windows when the language has one (see `skeleton`), and becomes a whole-file parse the first time
/// something outside those ranges asks for the tree.
enum ScanTree<'a> {
    /// No tree at all (regex-only scans, or no active rule needs one).
    None,
    /// The caller's tree (the language server keeps one per document).
    Given(&'a Tree),
    Parsed {
        language: Language,
        text: &'a str,
        /// The skeleton tree and the sorted byte ranges it covers.
        skeleton: Option<(Tree, Vec<Range<usize>>)>,
        whole: OnceCell<Option<Tree>>,
    },
    /// A rescan's tree of the edited region, and the earlier whole-file tree (edited, not re-parsed)
    /// that still holds everything outside it but the `stale` ranges (regions earlier rescans parsed
    /// alone, which it holds as they were before).
    Patched { region: (&'a Tree, Range<usize>), rest: &'a Tree, stale: &'a [Range<usize>] },
}

impl<'a> ScanTree<'a> {
    /// Parses a skeleton around `windows` where that is possible and worthwhile; otherwise the whole
    /// file is parsed on first use.
    fn parse(language: Language, text: &'a str, windows: Option<&[Range<usize>]>) -> Self {
        let skeleton = match (language, windows) {
            (Language::Python, Some(windows)) if !windows.is_empty() => {
                skeleton::python_ranges(text, windows)
                    .and_then(|ranges| Some((parse_ranges(language, text, &ranges)?, ranges)))
            }
            _ => None,
        };
        Self::Parsed { language, text, skeleton, whole: OnceCell::new() }
    }

    fn exists(&self) -> bool {
        !matches!(self, Self::None)
    }

    fn whole(&self) -> Option<&Tree> {
        match self {
            Self::None => None,
            Self::Given(tree) | Self::Patched { rest: tree, .. } => Some(tree),
            Self::Parsed { language, text, whole, .. } => {
                whole.get_or_init(|| parse(*language, text, None)).as_ref()
            }
        }
    }

    /// The tree for the query pass, whose windows the skeleton covers.
    fn for_queries(&self) -> Option<&Tree> {
        match self {
            Self::Parsed { skeleton: Some((tree, _)), .. } => Some(tree),
            Self::Patched { region: (tree, _), .. } => Some(tree),
            _ => self.whole(),
        }
    }

    /// A tree that holds byte `offset` as a whole-file parse would.
    fn at(&self, offset: usize) -> Option<&Tree> {
        match self {
            Self::Parsed { skeleton: Some((tree, ranges)), .. } if covers(ranges, offset) => Some(tree),
            Self::Patched { region: (tree, range), .. } if range.contains(&offset) => Some(tree),
            _ => self.whole(),
        }
    }

    /// Whether [`Self::at`] gives a tree holding `offset` as the text now is (not so in a patched tree's stale ranges).
    fn is_current_at(&self, offset: usize) -> bool {
        match self {
            Self::Patched { region: (_, range), stale, .. } => {
                range.contains(&offset) || !stale.iter().any(|r| r.start <= offset && offset <= r.end)
            }
            _ => true,
        }
    }
}

/// Whether one of the sorted `ranges` holds `offset`.
fn covers(ranges: &[Range<usize>], offset: usize) -> bool {
    let after = ranges.partition_point(|range| range.start <= offset);
    after > 0 && ranges[after - 1].contains(&offset)
}

/// Parses only `ranges` of `text` (positions stay those of the whole text); `None` when the result has a
/// syntax error, so the caller parses the whole file instead.
fn parse_ranges(language: Language, text: &str, ranges: &[Range<usize>]) -> Option<Tree> {
    let mut parser = parser(language)?;
    let mut rows = RowCounter::default();
    let included: Vec<tree_sitter::Range> = ranges
        .iter()
        .map(|range| tree_sitter::Range {
            start_byte: range.start,
            end_byte: range.end,
            start_point: rows.point(text, range.start),
            end_point: rows.point(text, range.end),
        })
        .collect();
    parser.set_included_ranges(&included).ok()?;
    let tree = parser.parse(text, None)?;
    (!tree.root_node().has_error()).then_some(tree)
}

/// Row and byte column of increasing byte offsets, counting newlines once. Rows are counted at `\n`
/// only, as tree-sitter counts them (`text::LineIndex` also breaks lines at a lone `\r`).
#[derive(Default)]
struct RowCounter {
    offset: usize,
    row: usize,
    line_start: usize,
}

impl RowCounter {
    fn point(&mut self, text: &str, offset: usize) -> Point {
        for newline in memchr::memchr_iter(b'\n', &text.as_bytes()[self.offset..offset]) {
            self.row += 1;
            self.line_start = self.offset + newline + 1;
        }
        self.offset = offset;
        Point { row: self.row, column: offset - self.line_start }
    }
}

/// Longest a file's query pass may take: a pathological project rule must not hang the editor or the
/// hook. Matches found until then are still reported.
const QUERY_BUDGET: Duration = Duration::from_secs(2);

/// Rule matches (pattern index and captures) of one query pass.
type RuleMatches<'tree> = Vec<(usize, Vec<QueryCapture<'tree>>)>;

/// Rule matches and import-binding matches of one query pass, each match once.
struct Matches<'tree> {
    rules: RuleMatches<'tree>,
    bindings: Vec<Vec<QueryCapture<'tree>>>,
}

/// What the query pass of a scan found: rule matches, each group with the plan whose patterns they
/// are, and the import-binding matches.
pub(crate) struct Found<'p, 'tree> {
    groups: Vec<(&'p Plan, RuleMatches<'tree>)>,
    pub(crate) bindings: Vec<Vec<QueryCapture<'tree>>>,
    pub(crate) binding_captures: BindingCaptures,
}

impl Found<'_, '_> {
    fn any_rule_match(&self) -> bool {
        self.groups.iter().any(|(_, matches)| !matches.is_empty())
    }

    /// Evaluates the predicates of every rule match and turns those that hold into findings.
    fn judge(&self, rules: &RuleSet, text: &str, bindings: &Bindings) -> Vec<Judged> {
        self.groups.iter().flat_map(|(plan, matches)| judge(rules, plan, matches, text, bindings)).collect()
    }
}

/// The windows each active query rule of the language runs over, rule by rule: with anchors, only
/// the spans where its own anchor matches inside `windows` (its query can match nowhere else, and a
/// match is found from any part of it); without, all of `windows`.
fn windows_by_rule(
    language_rules: &LanguageRules,
    active: &[bool],
    windows: &[Range<usize>],
    text: &str,
    anchored: bool,
) -> Vec<(usize, Vec<Range<usize>>)> {
    let mut by_rule: Vec<(usize, Vec<Range<usize>>)> = language_rules
        .query_rules
        .iter()
        .filter(|&&index| active[index])
        .map(|&index| (index, if anchored { Vec::new() } else { windows.to_vec() }))
        .collect();
    if anchored {
        // The entry in `by_rule` of each anchor source (the import anchor and inactive rules have none).
        let entries: Vec<Option<usize>> = (0..=language_rules.anchor_rules.len())
            .map(|source| {
                let rule = language_rules.anchor_rules.get(source)?;
                by_rule.iter().position(|(index, _)| index == rule)
            })
            .collect();
        for window in windows {
            let searched = language_rules.anchors.spans_in(text, window.clone(), |source, span| {
                let Some(entry) = entries[source] else { return };
                let rule_windows = &mut by_rule[entry].1;
                match rule_windows.last_mut() {
                    Some(last) if span.start <= last.end => {
                        *last = last.start.min(span.start)..last.end.max(span.end);
                    }
                    _ => rule_windows.push(span),
                }
            });
            if !searched {
                // Anchors that do not compile: every rule runs over every window.
                for (_, rule_windows) in &mut by_rule {
                    rule_windows.push(window.clone());
                }
            }
        }
    }
    by_rule.retain(|(_, rule_windows)| !rule_windows.is_empty());
    by_rule
}

/// The query pass over `windows`. With `by_rule`, each rule's own query runs over its windows and the
/// binding patterns over all of them (a window walked with a few patterns costs a fraction of one
/// walked with every rule's: over `CPython`'s `Lib/` the query cursor's instructions fell from 5.3 to
/// 2.1 G, see BENCHMARKS.md, and far fewer matches are judged);
/// without, the combined query of all rules runs once over them. `None` when a plan does not compile.
#[allow(clippy::too_many_arguments)] // one pass, each argument a different input
fn query_pass<'p, 'tree>(
    rules: &'p RuleSet,
    language: Language,
    active: &[bool],
    windows: &[Range<usize>],
    by_rule: Option<Vec<(usize, Vec<Range<usize>>)>>,
    text: &str,
    tree: &'tree Tree,
    split: bool,
) -> Option<Found<'p, 'tree>> {
    let deadline = Instant::now() + QUERY_BUDGET;
    let Some(by_rule) = by_rule else {
        let plan = rules.plan(language)?;
        let matches = find_matches(plan, active, windows, text, tree, split, deadline);
        return Some(Found {
            groups: vec![(plan, matches.rules)],
            bindings: matches.bindings,
            binding_captures: plan.binding_captures,
        });
    };
    let bindings_plan = rules.bindings_plan(language)?;
    let bindings = find_matches(bindings_plan, active, windows, text, tree, split, deadline).bindings;
    let mut groups = Vec::new();
    for (index, rule_windows) in by_rule {
        let Some(plan) = rules.rule_plan(language, index) else { continue };
        let matches = find_matches(plan, active, &rule_windows, text, tree, split, deadline);
        if !matches.rules.is_empty() {
            groups.push((plan, matches.rules));
        }
    }
    Some(Found { groups, bindings, binding_captures: bindings_plan.binding_captures })
}

/// The query pass over `windows`. With `split`, a whole tree is split so no window walks every
/// sibling of its ancestors (see [`WindowSplitter`]); without, each window is one cursor pass (a
/// rescan's few windows).
fn find_matches<'tree>(
    plan: &Plan,
    active: &[bool],
    windows: &[Range<usize>],
    text: &str,
    tree: &'tree Tree,
    split: bool,
    deadline: Instant,
) -> Matches<'tree> {
    // One pass collects rule matches and import bindings; predicates that need the bindings are
    // evaluated afterwards, since an import may follow its use.
    let mut matches = Matches { rules: Vec::new(), bindings: Vec::new() };
    let mut over_budget = |_: &tree_sitter::QueryCursorState| Instant::now() > deadline;
    let mut cursor = QueryCursor::new();
    let whole = windows.len() == 1 && windows[0] == (0..text.len());
    if !split || whole || tree.root_node().is_error() {
        for window in windows {
            // A match is returned when any part of it lies in the window (tested), so every match that
            // contains a prefilter hit is found without walking the rest of the tree.
            cursor.set_byte_range(window.clone());
            let options = QueryCursorOptions::new().progress_callback(&mut over_budget);
            let mut found =
                cursor.matches_with_options(&plan.query, tree.root_node(), text.as_bytes(), options);
            while let Some(found) = found.next() {
                sort_match(plan, active, found, &mut matches);
            }
        }
    } else {
        let mut splitter = WindowSplitter::new(tree.root_node());
        let mut shallow = QueryCursor::new();
        shallow.set_max_start_depth(Some(1));
        for window in windows {
            for (node, pass) in splitter.passes(window) {
                let cursor = match pass {
                    Pass::Shallow => {
                        shallow.set_byte_range(0..text.len());
                        &mut shallow
                    }
                    Pass::Window => {
                        cursor.set_byte_range(window.clone());
                        &mut cursor
                    }
                };
                let options = QueryCursorOptions::new().progress_callback(&mut over_budget);
                let mut found = cursor.matches_with_options(&plan.query, node, text.as_bytes(), options);
                while let Some(found) = found.next() {
                    sort_match(plan, active, found, &mut matches);
                }
            }
        }
    }
    // Windows under one wide node (a bundle wrapped in one function) each find the matches rooted at
    // that node again; each is judged once (`#resolves-to?` of a callee spanning the whole file is
    // costly).
    let mut seen = std::collections::HashSet::new();
    matches.rules.retain(|(pattern, captures)| seen.insert((*pattern, capture_ids(captures))));
    matches
}

/// A finding of a query rule and the bytes its match spans (every capture): the finding stands as
/// long as nothing in that extent changes (see `ranged`).
#[derive(Clone, Debug)]
pub(crate) struct Judged {
    pub(crate) finding: Finding,
    pub(crate) extent: Range<usize>,
}

/// Evaluates the predicates of each rule match and turns those that hold into findings.
fn judge(
    rules: &RuleSet,
    plan: &Plan,
    matches: &[(usize, Vec<QueryCapture<'_>>)],
    text: &str,
    bindings: &Bindings,
) -> Vec<Judged> {
    let mut judged = Vec::new();
    for (pattern, captures) in matches {
        if !plan.predicates[*pattern].iter().all(|p| holds(p, captures, text, bindings)) {
            continue;
        }
        let Some(node) = capture(captures, plan.finding_capture) else { continue };
        let rule = rules.rule(plan.pattern_rules[*pattern]);
        let scope = nodes::scope_name(node, text);
        let extent = captures.iter().fold(node.byte_range(), |hull, c| {
            hull.start.min(c.node.start_byte())..hull.end.max(c.node.end_byte())
        });
        for span in focus_spans(rule, node.byte_range(), text) {
            let matched = &text[span.clone()];
            if rule.exclude.as_ref().is_some_and(|exclude| exclude.is_match(matched)) {
                continue;
            }
            let fix = rule.meta.fix.as_ref().and_then(|template| build_fix(template, plan, captures, text));
            let finding = make_finding(rule, span.clone(), fingerprint(&rule.id, matched, &scope), fix);
            judged.push(Judged { finding, extent: extent.clone() });
        }
    }
    judged
}

/// How a window's query pass is split so it does not walk every sibling of every ancestor. A query
/// cursor restricted to a byte range still enters each sibling of each ancestor of the range (in a
/// flat module of 300 top-level definitions, 300 nodes, through the hidden repetition nodes, for every
/// window). Instead, a node with many children gets one shallow pass (matches rooted at it or at its
/// children, over the whole node, once per scan), and each window then continues inside only the
/// children it overlaps; a node with few children gets an ordinary window pass.
///
/// The shallow pass finds every match rooted at its node or at its children (including a wildcard root
/// `(_ (child))` or sibling patterns whose parent is the node), also outside any window; a pass started
/// on a child sees no parent context, so matches rooted above it are left to the shallow pass of its
/// parent. Both differences only add or drop matches that the whole-tree pass finds and that anchors
/// promise to cover anyway (the engine tests check anchored scans equal whole-tree walks).
struct WindowSplitter<'tree> {
    root: Node<'tree>,
    /// Visible children of the nodes split so far.
    children: std::collections::HashMap<usize, Vec<Node<'tree>>>,
}

/// A query pass over one node: `Shallow` starts matches at the node and its children only, without a
/// byte range; `Window` is an ordinary pass restricted to the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pass {
    Shallow,
    Window,
}

/// Nodes with more children than this get a shallow pass instead of a window pass.
const SPLIT_CHILDREN: usize = 8;

impl<'tree> WindowSplitter<'tree> {
    fn new(root: Node<'tree>) -> Self {
        Self { root, children: std::collections::HashMap::new() }
    }

    /// The passes that cover `window`; a node's shallow pass is returned only the first time.
    fn passes(&mut self, window: &Range<usize>) -> Vec<(Node<'tree>, Pass)> {
        let mut passes = Vec::new();
        let mut stack = vec![self.root];
        while let Some(node) = stack.pop() {
            if node.child_count() <= SPLIT_CHILDREN {
                passes.push((node, Pass::Window));
                continue;
            }
            let children = match self.children.entry(node.id()) {
                std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
                std::collections::hash_map::Entry::Vacant(entry) => {
                    passes.push((node, Pass::Shallow));
                    let mut cursor = node.walk();
                    entry.insert(node.children(&mut cursor).collect())
                }
            };
            // Children overlapping the window (boundaries included, a superset of what a cursor
            // restricted to the window would start matches in), pushed so they pop in order.
            let first = children.partition_point(|child| child.end_byte() < window.start);
            let overlapping =
                children[first..].iter().take_while(|child| child.start_byte() <= window.end).copied();
            let before = stack.len();
            stack.extend(overlapping);
            stack[before..].reverse();
        }
        passes
    }
}

/// Files a match as a rule match (of an active rule) or an import binding.
fn sort_match<'tree>(
    plan: &Plan,
    active: &[bool],
    found: &tree_sitter::QueryMatch<'_, 'tree>,
    matches: &mut Matches<'tree>,
) {
    if found.pattern_index >= plan.first_binding_pattern {
        matches.bindings.push(found.captures.to_vec());
    } else if active[plan.pattern_rules[found.pattern_index]] {
        matches.rules.push((found.pattern_index, found.captures.to_vec()));
    }
}

/// The lines around every anchor hit of an active rule (or of an import), merged: the only places an
/// anchored rule can match, because its anchor matches inside every match of its query (the engine tests
/// hold rules to that).
fn anchor_windows(language_rules: &LanguageRules, active: &[bool], text: &str) -> Vec<Range<usize>> {
    anchor_windows_in(language_rules, active, text, 0..text.len())
}

/// Whether each anchor source (by position) matters for a text whose active rules are `active`: those
/// of active rules, and the import anchor.
fn live_sources(language_rules: &LanguageRules, active: &[bool]) -> Vec<bool> {
    (0..=language_rules.anchor_rules.len())
        .map(|source| language_rules.anchor_rules.get(source).is_none_or(|&rule| active[rule]))
        .collect()
}

/// The windows of the anchor hits that start in `span` of `text`, searched as if `span` were the
/// whole text, except that a hit reaching the end of the span is matched again in the whole text (a
/// multi-line hit must keep its length). The window of an alias's hit runs to the end of the text.
fn anchor_windows_in(
    language_rules: &LanguageRules,
    active: &[bool],
    text: &str,
    span: Range<usize>,
) -> Vec<Range<usize>> {
    let anchors = &language_rules.anchors;
    let live = live_sources(language_rules, active);
    let Some(hits) = anchors.hits(&text[span.clone()], &live) else { return std::iter::once(span).collect() };
    let mut windows: Vec<Range<usize>> = Vec::new();
    for hit in hits {
        let (mut hit_start, mut hit_end) = (span.start + hit.span.start, span.start + hit.span.end);
        let mut to_end = hit.to_end;
        if !to_end && hit_end == span.end && span.end < text.len() {
            if let Some(whole) = anchors.hit_at(text, hit_start) {
                (hit_start, hit_end) = (hit_start.min(whole.span.start), hit_end.max(whole.span.end));
                to_end = whole.to_end;
            }
        }
        if to_end {
            hit_end = text.len();
        }
        let start = text[span.start..hit_start].rfind('\n').map_or(span.start, |i| span.start + i + 1);
        let end = text[hit_end..].find('\n').map_or(text.len(), |i| hit_end + i);
        match windows.last_mut() {
            Some(last) if start <= last.end + 1 => last.end = last.end.max(end),
            _ => windows.push(start..end),
        }
        if to_end {
            break;
        }
    }
    windows
}

/// The spans a finding covers: the whole capture, or each match of the rule's `focus` regex inside it.
fn focus_spans(rule: &Rule, range: Range<usize>, text: &str) -> Vec<Range<usize>> {
    match rule.focus.as_ref().map(LazyRegex::get) {
        None => vec![range],
        Some(None) => Vec::new(),
        Some(Some(focus)) => focus
            .find_iter(&text[range.clone()])
            .map(|m| range.start + m.start()..range.start + m.end())
            .collect(),
    }
}

pub(crate) fn make_finding(
    rule: &Rule,
    span: Range<usize>,
    fingerprint: String,
    fix: Option<Fix>,
) -> Finding {
    Finding {
        rule: rule.id.clone(),
        severity: rule.meta.severity,
        confidence: rule.meta.confidence,
        cwe: rule.meta.cwe.clone(),
        message: rule.meta.message.clone(),
        span,
        fingerprint,
        layer: Layer::Pattern,
        fix,
    }
}

/// What identifies a match: its capture indexes and nodes.
pub(crate) fn capture_ids(captures: &[QueryCapture<'_>]) -> Vec<(u32, usize)> {
    captures.iter().map(|c| (c.index, c.node.id())).collect()
}

fn capture<'tree>(captures: &[QueryCapture<'tree>], index: Option<u32>) -> Option<Node<'tree>> {
    let index = index?;
    captures.iter().find(|c| c.index == index).map(|c| c.node)
}

fn holds(predicate: &Predicate, captures: &[QueryCapture<'_>], text: &str, bindings: &Bindings) -> bool {
    match predicate {
        Predicate::ResolvesTo { capture: index, regex, negate } => {
            let Some(node) = capture(captures, Some(*index)) else { return *negate };
            regex.is_match(&bindings.qualified_name(node)) != *negate
        }
        Predicate::IsDynamic { capture: index, negate } => {
            let Some(node) = capture(captures, Some(*index)) else { return *negate };
            nodes::is_constant(node) == *negate
        }
        Predicate::FileMatch { regex, negate } => regex.is_match(text) != *negate,
        Predicate::Kind { capture: index, regex, negate } => {
            captures.iter().filter(|c| c.index == *index).all(|c| regex.is_match(c.node.kind()) != *negate)
        }
        Predicate::Match { capture: index, regex, negate } => {
            // Like tree-sitter: a capture absent from the match (optional, other branch) holds.
            captures
                .iter()
                .filter(|c| c.index == *index)
                .all(|c| regex.is_match(&text[c.node.byte_range()]) != *negate)
        }
    }
}

/// Fills a fix template with the texts of the match's captures.
fn build_fix(
    template: &crate::rules::FixTemplate,
    plan: &Plan,
    captures: &[QueryCapture<'_>],
    text: &str,
) -> Option<Fix> {
    let target = capture(captures, plan.query.capture_index_for_name(&template.capture))?;
    let fill = |raw: &str| {
        let mut out = raw.to_owned();
        // Longest names first so `$args` is not eaten by `$arg`.
        let mut names: Vec<(usize, &str)> = plan.query.capture_names().iter().copied().enumerate().collect();
        names.sort_by_key(|(_, name)| std::cmp::Reverse(name.len()));
        for (index, name) in names {
            let key = format!("${name}");
            if out.contains(&key)
                && let Some(node) = capture(captures, Some(index as u32))
            {
                out = out.replace(&key, &text[node.byte_range()]);
            }
        }
        out
    };
    let range = target.byte_range();
    let edit = if let Some(replacement) = &template.replace {
        Edit { range, text: fill(replacement) }
    } else if let Some(before) = &template.insert_before {
        Edit { range: range.start..range.start, text: fill(before) }
    } else {
        Edit { range: range.end..range.end, text: fill(template.insert_after.as_deref()?) }
    };
    Some(Fix { title: template.title.clone(), edits: vec![edit] })
}
