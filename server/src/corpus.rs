//! The labeled fixture corpus: every fixture file has a sidecar `<file>.labels` saying, line by line,
//! which rules must flag it (`<line> flag <rule>`) and which must not (`<line> clean <rule>`). Any
//! finding on a line not labeled `flag` for its rule is a false positive.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use crate::files::scan_contents;
use crate::rules::RuleSet;
use crate::scan::ScanOptions;
use crate::text::LineIndex;

#[derive(Debug, Default)]
pub struct CorpusReport {
    pub files: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    /// Per rule: (flag labels, clean labels).
    pub labels: BTreeMap<String, (usize, usize)>,
    /// Every mismatch, as `path:line: what`.
    pub problems: Vec<String>,
}

impl CorpusReport {
    #[allow(clippy::cast_precision_loss)] // counts are small
    pub fn precision(&self) -> f64 {
        let found = self.true_positives + self.false_positives;
        if found == 0 { 1.0 } else { self.true_positives as f64 / found as f64 }
    }

    #[allow(clippy::cast_precision_loss)]
    pub fn recall(&self) -> f64 {
        let expected = self.true_positives + self.false_negatives;
        if expected == 0 { 1.0 } else { self.true_positives as f64 / expected as f64 }
    }

    /// Rules of `rules` with fewer than `minimum` flag or clean labels.
    pub fn thin_rules(&self, rules: &RuleSet, minimum: usize) -> Vec<String> {
        rules
            .rules()
            .iter()
            .filter_map(|rule| {
                let (flag, clean) = self.labels.get(&rule.id).copied().unwrap_or_default();
                (flag < minimum || clean < minimum)
                    .then(|| format!("{}: {flag} flag, {clean} clean labels", rule.id))
            })
            .collect()
    }
}

/// Scans every labeled fixture under `dir` and compares findings with labels.
pub fn check(rules: &RuleSet, dir: &Path) -> CorpusReport {
    let mut report = CorpusReport::default();
    let mut paths: Vec<_> = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|p| p.extension().is_none_or(|e| e != "labels" && e != "snap"))
        .collect();
    paths.sort();
    for path in paths {
        check_file(rules, &path, &mut report);
    }
    report
}

fn check_file(rules: &RuleSet, path: &Path, report: &mut CorpusReport) {
    let shown = path.display();
    let mut labels_path = path.as_os_str().to_owned();
    labels_path.push(".labels");
    let Ok(labels_text) = std::fs::read_to_string(&labels_path) else {
        report.problems.push(format!(
            "{shown}: no sidecar {}.labels",
            path.file_name().unwrap_or_default().to_string_lossy()
        ));
        return;
    };
    let Ok(bytes) = std::fs::read(path) else {
        report.problems.push(format!("{shown}: unreadable"));
        return;
    };
    report.files += 1;
    let mut flags = HashSet::new();
    let mut cleans = HashSet::new();
    for (number, line) in labels_text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        let parsed = match parts.as_slice() {
            [at, kind, rule] => at.parse::<usize>().ok().map(|at| (at, *kind, (*rule).to_owned())),
            _ => None,
        };
        let Some((at, kind, rule)) = parsed else {
            report
                .problems
                .push(format!("{shown}.labels:{}: expected `<line> flag|clean <rule>`", number + 1));
            continue;
        };
        if rules.get(&rule).is_none() {
            report.problems.push(format!("{shown}.labels:{}: unknown rule {rule}", number + 1));
        }
        let counts = report.labels.entry(rule.clone()).or_default();
        match kind {
            "flag" => {
                counts.0 += 1;
                flags.insert((at, rule));
            }
            "clean" => {
                counts.1 += 1;
                cleans.insert((at, rule));
            }
            _ => report
                .problems
                .push(format!("{shown}.labels:{}: `{kind}` is neither flag nor clean", number + 1)),
        }
    }
    let contents = String::from_utf8_lossy(&bytes).into_owned();
    let scanned = scan_contents(rules, path, contents, ScanOptions::default());
    let index = LineIndex::new(&scanned.text);
    let found: HashSet<(usize, String)> =
        scanned.findings.iter().map(|f| (index.line_of(f.span.start) + 1, f.rule.clone())).collect();
    for (at, rule) in &found {
        if flags.contains(&(*at, rule.clone())) {
            report.true_positives += 1;
        } else {
            report.false_positives += 1;
            let why = if cleans.contains(&(*at, rule.clone())) { "labeled clean" } else { "not labeled" };
            report.problems.push(format!("{shown}:{at}: false positive {rule} ({why})"));
        }
    }
    for (at, rule) in &flags {
        if !found.contains(&(*at, rule.clone())) {
            report.false_negatives += 1;
            report.problems.push(format!("{shown}:{at}: missed {rule}"));
        }
    }
}
