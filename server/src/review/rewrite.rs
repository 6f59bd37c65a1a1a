//! The rewrite filter: a `+` line whose trimmed text also appears as a `-` line of the same file is a
//! re-added line (a whole-file rewrite, a moved block), so it becomes context and is not "new".

use std::collections::HashSet;

use crate::git::{FileDiff, LineKind};

/// Turns re-added lines into context; returns how many lines changed.
pub fn demote_readded(file: &mut FileDiff) -> usize {
    let removed: HashSet<String> = file
        .lines()
        .filter(|line| line.kind == LineKind::Removed)
        .map(|line| line.text.trim().to_owned())
        .filter(|text| !text.is_empty())
        .collect();
    if removed.is_empty() {
        return 0;
    }
    let mut changed = 0;
    for hunk in &mut file.hunks {
        for line in &mut hunk.lines {
            if line.kind == LineKind::Added && removed.contains(line.text.trim()) {
                line.kind = LineKind::Context;
                changed += 1;
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::{DiffLine, FileStatus, Hunk};

    fn line(kind: LineKind, text: &str, new_line: Option<u32>) -> DiffLine {
        DiffLine { kind, text: text.into(), new_line, old_line: None }
    }

    #[test]
    fn readded_lines_become_context_and_new_ones_stay() {
        let mut file = FileDiff {
            path: "a.py".into(),
            old_path: None,
            status: FileStatus::Modified,
            binary: false,
            hunks: vec![Hunk {
                old_start: 1,
                old_lines: 2,
                new_start: 1,
                new_lines: 3,
                lines: vec![
                    line(LineKind::Removed, "def f(x):", None),
                    line(LineKind::Removed, "    return eval(x)", None),
                    line(LineKind::Added, "def f(x):  ", Some(1)),
                    line(LineKind::Added, "        return eval(x)", Some(2)),
                    line(LineKind::Added, "    os.system(x)", Some(3)),
                    line(LineKind::Added, "", Some(4)),
                ],
            }],
        };
        assert_eq!(demote_readded(&mut file), 2);
        let kinds: Vec<LineKind> = file.lines().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            [
                LineKind::Removed,
                LineKind::Removed,
                LineKind::Context,
                LineKind::Context,
                LineKind::Added,
                LineKind::Added
            ]
        );
        assert_eq!(file.added_lines(), 2);
    }
}
