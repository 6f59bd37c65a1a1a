//! Checking the model's findings against the current files: the file must be one that was reviewed,
//! the cited line must exist and be an added line or near one, quoted code must be on that line (else
//! the finding moves to the nearest line within ±5 that holds it, or is dropped), suppressed lines are
//! accepted risk, and low severity is dropped unless asked for.

use std::collections::{BTreeMap, BTreeSet};

use super::parse::RawFinding;
use super::{ReviewFinding, ReviewSeverity, suppressed};
use crate::git::{FileDiff, LineKind};

/// How far a finding may be from an added line.
pub const NEAR_ADDED: u32 = 3;
/// How far a finding is moved to find the code it quotes.
pub const RELOCATE_WINDOW: u32 = 5;
/// The longest range a finding may cover.
const MAX_SPAN: u32 = 50;

/// What a finding is checked against: a reviewed file's current text and its diff.
#[derive(Clone, Debug)]
pub struct FileContext {
    pub path: String,
    pub text: String,
    /// One-based lines added by the change (after the rewrite filter).
    pub added: BTreeSet<u32>,
    /// One-based lines silenced by suppression comments.
    pub suppressed: BTreeSet<u32>,
}

impl FileContext {
    pub fn new(file: &FileDiff, text: String) -> FileContext {
        let added = file
            .lines()
            .filter(|line| line.kind == LineKind::Added)
            .filter_map(|line| line.new_line)
            .collect();
        let suppressed = suppressed::lines(&text);
        FileContext { path: file.path.clone(), text, added, suppressed }
    }

    fn line_text(&self, line: u32) -> Option<&str> {
        self.text.lines().nth(usize::try_from(line).ok()?.checked_sub(1)?)
    }

    fn line_count(&self) -> u32 {
        u32::try_from(self.text.lines().count()).unwrap_or(u32::MAX)
    }

    fn near_added(&self, line: u32) -> bool {
        self.added.range(line.saturating_sub(NEAR_ADDED)..=line.saturating_add(NEAR_ADDED)).next().is_some()
    }
}

/// Why findings were dropped (counts for the notes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dropped {
    pub unknown_file: usize,
    pub stale_line: usize,
    pub not_in_change: usize,
    pub suppressed: usize,
    pub low: usize,
    pub duplicate: usize,
}

impl Dropped {
    /// One line for the notes, or `None` when nothing was dropped.
    pub fn note(&self) -> Option<String> {
        dropped_note(
            "review",
            &[
                (self.unknown_file, "in a file that was not reviewed"),
                (self.stale_line, "citing code not found at or near the line"),
                (self.not_in_change, "on a line the change did not add"),
                (self.suppressed, "on a suppressed line (accepted risk)"),
                (self.low, "of low severity"),
                (self.duplicate, "duplicate"),
            ],
        )
    }
}

/// "`layer` findings dropped: 2 of low severity, 1 duplicate", or `None` when every count is zero.
pub fn dropped_note(layer: &str, counts: &[(usize, &str)]) -> Option<String> {
    let parts: Vec<String> =
        counts.iter().filter(|(count, _)| *count > 0).map(|(count, why)| format!("{count} {why}")).collect();
    (!parts.is_empty()).then(|| format!("{layer} findings dropped: {}", parts.join(", ")))
}

/// Checks `raw` findings; returns the kept ones (sorted by file and line) and the drop counts.
pub fn validate(
    raw: Vec<RawFinding>,
    files: &[FileContext],
    keep_low: bool,
) -> (Vec<ReviewFinding>, Dropped) {
    let by_path: BTreeMap<&str, &FileContext> = files.iter().map(|file| (file.path.as_str(), file)).collect();
    let mut dropped = Dropped::default();
    let mut kept: Vec<ReviewFinding> = Vec::new();
    for finding in raw {
        if finding.severity == ReviewSeverity::Low && !keep_low {
            dropped.low += 1;
            continue;
        }
        let Some(file) = find_file(&by_path, &finding.file) else {
            dropped.unknown_file += 1;
            continue;
        };
        let Some(line) = locate(file, finding.line, finding.code.as_deref()) else {
            dropped.stale_line += 1;
            continue;
        };
        if !file.near_added(line) {
            dropped.not_in_change += 1;
            continue;
        }
        let shift = i64::from(line) - i64::from(finding.line);
        let end_line = finding
            .end_line
            .and_then(|end| u32::try_from(i64::from(end) + shift).ok())
            .unwrap_or(line)
            .clamp(line, line.saturating_add(MAX_SPAN).min(file.line_count()).max(line));
        if suppressed::hits(&file.suppressed, line, end_line) {
            dropped.suppressed += 1;
            continue;
        }
        kept.push(ReviewFinding {
            path: file.path.clone(),
            line,
            end_line,
            severity: finding.severity,
            category: slug(&finding.category),
            cwe: finding.cwe,
            title: one_line(&finding.title),
            explanation: finding.explanation,
            fix: finding.fix,
            confidence: finding.confidence.clamp(0.0, 1.0),
        });
    }
    let before = kept.len();
    kept = dedupe(kept);
    dropped.duplicate = before - kept.len();
    (kept, dropped)
}

/// Unions findings, one per (file, line, category): the most severe, then the most confident, wins.
pub fn dedupe(findings: Vec<ReviewFinding>) -> Vec<ReviewFinding> {
    let mut best: BTreeMap<(String, u32, String), ReviewFinding> = BTreeMap::new();
    for finding in findings {
        let key = (finding.path.clone(), finding.line, slug(&finding.category));
        match best.get(&key) {
            Some(existing)
                if existing.severity > finding.severity
                    || (existing.severity == finding.severity
                        && existing.confidence >= finding.confidence) => {}
            _ => {
                best.insert(key, finding);
            }
        }
    }
    best.into_values().collect()
}

fn find_file<'a>(by_path: &BTreeMap<&str, &'a FileContext>, cited: &str) -> Option<&'a FileContext> {
    let cited = cited.trim().replace('\\', "/");
    let cited = cited.strip_prefix("./").unwrap_or(&cited);
    if let Some(file) = by_path.get(cited) {
        return Some(file);
    }
    for prefix in ["a/", "b/"] {
        if let Some(file) = cited.strip_prefix(prefix).and_then(|rest| by_path.get(rest)) {
            return Some(file);
        }
    }
    // An absolute or longer path ending in a reviewed path.
    by_path.iter().find(|(path, _)| cited.ends_with(&format!("/{path}"))).map(|(_, file)| *file)
}

/// The line holding the finding: the cited one when it exists and (if code was quoted) holds the
/// code; else the nearest line within ±`RELOCATE_WINDOW` holding it.
fn locate(file: &FileContext, cited: u32, code: Option<&str>) -> Option<u32> {
    let count = file.line_count();
    let needle = code.and_then(|code| code.lines().map(normalise).find(|line| !line.is_empty()));
    let Some(needle) = needle else {
        return (1..=count).contains(&cited).then_some(cited);
    };
    let holds = |line: u32| file.line_text(line).is_some_and(|text| matches_code(&normalise(text), &needle));
    if holds(cited) {
        return Some(cited);
    }
    (1..=RELOCATE_WINDOW).find_map(|distance| {
        [cited.checked_add(distance), cited.checked_sub(distance)]
            .into_iter()
            .flatten()
            .find(|&line| line >= 1 && holds(line))
    })
}

/// The line holds the quoted code (or the quote holds the whole, non-trivial line).
fn matches_code(line: &str, needle: &str) -> bool {
    line.contains(needle) || (line.len() >= 8 && needle.contains(line))
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn one_line(text: &str) -> String {
    normalise(text)
}

/// `"SQL Injection"` → `"sql-injection"`.
pub fn slug(category: &str) -> String {
    let mut out = String::new();
    for ch in category.trim().chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "other".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "import os\n\ndef run(cmd):\n    # sg-ignore: constant\n    os.system('ls')\n    x = 1\n    os.system(cmd)\n    return x\n";

    fn context() -> FileContext {
        FileContext {
            path: "app/run.py".into(),
            text: TEXT.into(),
            added: BTreeSet::from([5, 7]),
            suppressed: suppressed::lines(TEXT),
        }
    }

    fn raw(line: u32, code: Option<&str>, severity: ReviewSeverity) -> RawFinding {
        RawFinding {
            file: "app/run.py".into(),
            line,
            end_line: None,
            code: code.map(str::to_owned),
            severity,
            category: "Command Injection".into(),
            cwe: vec!["CWE-78".into()],
            title: "shell\ncommand".into(),
            explanation: "e".into(),
            fix: "f".into(),
            confidence: 0.9,
        }
    }

    #[test]
    fn an_exact_finding_is_kept_and_normalised() {
        let (kept, dropped) =
            validate(vec![raw(7, Some("os.system(cmd)"), ReviewSeverity::High)], &[context()], false);
        assert_eq!(dropped, Dropped::default());
        assert_eq!(kept[0].line, 7);
        assert_eq!(kept[0].category, "command-injection");
        assert_eq!(kept[0].title, "shell command");
    }

    #[test]
    fn a_shifted_line_is_relocated_to_its_code() {
        let mut finding = raw(3, Some("  os.system(cmd)  "), ReviewSeverity::High);
        finding.end_line = Some(4);
        let (kept, _) = validate(vec![finding], &[context()], false);
        assert_eq!((kept[0].line, kept[0].end_line), (7, 8));
    }

    #[test]
    fn code_not_found_near_the_line_is_dropped() {
        let (kept, dropped) =
            validate(vec![raw(7, Some("subprocess.call(x)"), ReviewSeverity::High)], &[context()], false);
        assert!(kept.is_empty());
        assert_eq!(dropped.stale_line, 1);
        let (kept, dropped) = validate(vec![raw(70, None, ReviewSeverity::High)], &[context()], false);
        assert!(kept.is_empty());
        assert_eq!(dropped.stale_line, 1);
    }

    #[test]
    fn unknown_files_low_severity_and_suppressed_lines_are_dropped() {
        let mut other = raw(7, None, ReviewSeverity::High);
        other.file = "elsewhere.py".into();
        let findings = vec![
            other,
            raw(7, None, ReviewSeverity::Low),
            raw(5, Some("os.system('ls')"), ReviewSeverity::High),
        ];
        let (kept, dropped) = validate(findings.clone(), &[context()], false);
        assert!(kept.is_empty());
        assert_eq!((dropped.unknown_file, dropped.low, dropped.suppressed), (1, 1, 1));
        assert!(dropped.note().unwrap().contains("1 of low severity"));
        let (kept, _) = validate(findings, &[context()], true);
        assert_eq!(kept.len(), 1, "keep_low keeps the low finding");
    }

    #[test]
    fn lines_far_from_the_change_are_dropped_and_paths_are_matched_loosely() {
        let mut file = context();
        file.added = BTreeSet::from([7]);
        let (kept, dropped) =
            validate(vec![raw(1, Some("import os"), ReviewSeverity::High)], &[file.clone()], false);
        assert!(kept.is_empty());
        assert_eq!(dropped.not_in_change, 1);
        let mut finding = raw(7, None, ReviewSeverity::High);
        finding.file = "/home/me/repo/app/run.py".into();
        assert_eq!(validate(vec![finding], &[file], false).0.len(), 1);
    }

    #[test]
    fn duplicates_keep_the_most_severe() {
        let findings = vec![
            raw(7, None, ReviewSeverity::Medium),
            raw(7, None, ReviewSeverity::Critical),
            raw(7, None, ReviewSeverity::High),
        ];
        let (kept, dropped) = validate(findings, &[context()], false);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].severity, ReviewSeverity::Critical);
        assert_eq!(dropped.duplicate, 2);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("SQL Injection"), "sql-injection");
        assert_eq!(slug("  path_traversal!! "), "path-traversal");
        assert_eq!(slug("???"), "other");
    }
}
