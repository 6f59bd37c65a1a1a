//! Accepted risk (SPEC §3): lines silenced by `sg-ignore`, `nosec` or `nosemgrep` comments. The ones
//! shown in the diff are listed in the prompt; a review finding on any suppressed line is dropped.

use std::collections::BTreeSet;

use crate::scan::suppress;

/// One suppressed line of a changed file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptedRisk {
    pub path: String,
    /// One-based line in the current file.
    pub line: u32,
    /// The line's code, trimmed.
    pub code: String,
    pub reason: Option<String>,
}

/// One-based lines of `text` silenced by a suppression comment.
pub fn lines(text: &str) -> BTreeSet<u32> {
    suppress::suppressed_lines(text)
        .into_iter()
        .filter_map(|(line, _)| u32::try_from(line + 1).ok())
        .collect()
}

/// Suppressed lines of `text` among `visible` (the new-side lines shown in the diff), for the prompt.
pub fn accepted_risk(path: &str, text: &str, visible: &BTreeSet<u32>) -> Vec<AcceptedRisk> {
    let all: Vec<&str> = text.lines().collect();
    let mut out: Vec<AcceptedRisk> = suppress::suppressed_lines(text)
        .into_iter()
        .filter_map(|(line, reason)| {
            let one_based = u32::try_from(line + 1).ok()?;
            let code = all.get(line)?.trim();
            (visible.contains(&one_based) && !code.is_empty()).then(|| AcceptedRisk {
                path: path.to_owned(),
                line: one_based,
                code: code.to_owned(),
                reason,
            })
        })
        .collect();
    out.sort_by_key(|risk| risk.line);
    out.dedup_by_key(|risk| risk.line);
    out
}

/// Whether any line of `line..=end_line` is suppressed.
pub fn hits(suppressed: &BTreeSet<u32>, line: u32, end_line: u32) -> bool {
    suppressed.range(line..=end_line.max(line)).next().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "import os\nos.system(cmd)  # nosec: cmd is a constant\n# sg-ignore: reviewed\neval(x)\nprint(1)\n";

    #[test]
    fn trailing_and_standalone_suppressions_mark_their_lines() {
        assert_eq!(lines(TEXT), BTreeSet::from([2, 4]));
    }

    #[test]
    fn only_lines_shown_in_the_diff_are_listed() {
        let visible = BTreeSet::from([1, 2, 3]);
        let risks = accepted_risk("a.py", TEXT, &visible);
        assert_eq!(risks.len(), 1);
        assert_eq!(risks[0].line, 2);
        assert_eq!(risks[0].code, "os.system(cmd)  # nosec: cmd is a constant");
        assert_eq!(risks[0].reason.as_deref(), Some("cmd is a constant"));
    }

    #[test]
    fn ranges_touching_a_suppressed_line_hit() {
        let suppressed = lines(TEXT);
        assert!(hits(&suppressed, 4, 4));
        assert!(hits(&suppressed, 3, 5));
        assert!(!hits(&suppressed, 5, 5));
        assert!(!hits(&suppressed, 3, 1));
    }
}
