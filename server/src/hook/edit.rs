//! Which lines an edit wrote (so only those are reported), and what a file holds after an edit.
//!
//! Claude Code's own patch (`tool_response.structuredPatch`) is trusted when it still matches the file
//! on disk; otherwise the written text is looked for line by line.

use std::collections::HashMap;

use serde_json::Value;

use super::input::{Change, Replace};
use crate::text::LineIndex;

/// A set of 0-based lines of one text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Lines(Vec<bool>);

impl Lines {
    pub(crate) fn none(count: usize) -> Lines {
        Lines(vec![false; count])
    }

    pub(crate) fn all(count: usize) -> Lines {
        Lines(vec![true; count])
    }

    pub(crate) fn add(&mut self, line: usize) {
        if let Some(slot) = self.0.get_mut(line) {
            *slot = true;
        }
    }

    /// Whether any line of `first..=last` is in the set.
    pub(crate) fn any_in(&self, first: usize, last: usize) -> bool {
        (first..=last).any(|line| self.0.get(line).copied().unwrap_or(false))
    }

    pub(crate) fn count(&self) -> usize {
        self.0.iter().filter(|&&on| on).count()
    }
}

/// The new-file lines Claude Code's `structuredPatch` added, if it has any and every one of them still
/// reads the same on disk (a formatter or a parallel hook may have changed the file since).
pub(crate) fn from_patch(response: &Value, text: &str, index: &LineIndex) -> Option<Lines> {
    let hunks = response.get("structuredPatch")?.as_array()?;
    if hunks.is_empty() {
        return None;
    }
    let mut lines = Lines::none(index.line_count());
    for hunk in hunks {
        let mut line = usize::try_from(hunk.get("newStart")?.as_u64()?).ok()?.saturating_sub(1);
        for entry in hunk.get("lines")?.as_array()? {
            let entry = entry.as_str()?;
            match entry.chars().next() {
                Some('+') => {
                    if index.line_text(text, line).trim_end_matches('\r') != entry[1..].trim_end_matches('\r')
                    {
                        return None;
                    }
                    lines.add(line);
                    line += 1;
                }
                Some('-' | '\\') => {}
                _ => line += 1,
            }
        }
    }
    Some(lines)
}

/// Lines of `text` not found among the lines of `original` (each old line absorbs one new line): a
/// full-file rewrite that keeps most lines reports only what changed.
pub(crate) fn rewritten(original: &str, text: &str, index: &LineIndex) -> Lines {
    let mut old: HashMap<&str, usize> = HashMap::new();
    for line in original.lines() {
        *old.entry(line.trim()).or_default() += 1;
    }
    let mut lines = Lines::none(index.line_count());
    for line in 0..index.line_count() {
        match old.get_mut(index.line_text(text, line).trim()) {
            Some(count) if *count > 0 => *count -= 1,
            _ => lines.add(line),
        }
    }
    lines
}

/// Adds to `lines` every line of `text` covered by an occurrence of `fragment`. Line breaks may differ
/// (`\r\n` on disk); `magic` turns `IPython` `%`/`!` lines into comments as the notebook reader does.
pub(crate) fn locate(text: &str, index: &LineIndex, fragment: &str, magic: bool, lines: &mut Lines) {
    let mut parts: Vec<String> = fragment
        .split('\n')
        .map(|part| {
            let part = part.trim_end_matches('\r');
            if magic { neutralise_magic(part) } else { part.to_owned() }
        })
        .collect();
    let to_line_end = parts.len() > 1 && parts.last().is_some_and(String::is_empty);
    if to_line_end {
        parts.pop();
    }
    if parts.iter().all(|part| part.trim().is_empty()) {
        return; // a deletion, or only blank lines: nothing to report on
    }
    let count = index.line_count();
    let k = parts.len();
    let line_at = |line: usize| index.line_text(text, line);
    for start in 0..count.saturating_sub(k - 1) {
        let matches = if k == 1 {
            if to_line_end { line_at(start).ends_with(&parts[0]) } else { line_at(start).contains(&parts[0]) }
        } else {
            line_at(start).ends_with(&parts[0])
                && (1..k - 1).all(|i| line_at(start + i) == parts[i])
                && if to_line_end {
                    line_at(start + k - 1) == parts[k - 1]
                } else {
                    line_at(start + k - 1).starts_with(&parts[k - 1])
                }
        };
        if matches {
            for line in start..start + k {
                lines.add(line);
            }
        }
    }
}

/// The notebook reader's treatment of `IPython` magics: `%pip x` becomes `#pip x`.
fn neutralise_magic(line: &str) -> String {
    let trimmed = line.trim_start();
    if trimmed.starts_with('%') || trimmed.starts_with('!') {
        let indent = line.len() - trimmed.len();
        format!("{}#{}", &line[..indent], &trimmed[1..])
    } else {
        line.to_owned()
    }
}

/// The file's text after a `Write`, `Edit` or `MultiEdit` (edits in order), or `None` when an edit
/// would fail (its `old_string` is not there), in which case the tool fails too.
pub(crate) fn apply(original: Option<&str>, change: &Change) -> Option<String> {
    match change {
        Change::Write { content } => Some(content.clone()),
        Change::Edit(replaces) => {
            let mut text = original.unwrap_or_default().to_owned();
            for Replace { old, new, all } in replaces {
                if old.is_empty() {
                    // Claude Code creates a file from an Edit with an empty `old_string`.
                    if !text.is_empty() {
                        return None;
                    }
                    text.clone_from(new);
                } else if !text.contains(old.as_str()) {
                    return None;
                } else if *all {
                    text = text.replace(old.as_str(), new);
                } else {
                    text = text.replacen(old.as_str(), new, 1);
                }
            }
            Some(text)
        }
        Change::Notebook { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn located(text: &str, fragment: &str) -> Vec<usize> {
        let index = LineIndex::new(text);
        let mut lines = Lines::none(index.line_count());
        locate(text, &index, fragment, false, &mut lines);
        (0..index.line_count()).filter(|&l| lines.any_in(l, l)).collect()
    }

    #[test]
    fn locates_fragments_by_line() {
        let text = "import os\nx = eval(a)\ny = 2\nz = eval(a)\n";
        assert_eq!(located(text, "eval(a)"), vec![1, 3]);
        assert_eq!(located(text, "x = eval(a)\ny = 2\n"), vec![1, 2]);
        assert_eq!(located(text, "eval(a)\ny"), vec![1, 2]);
        assert_eq!(located(text, "os\nx = eval(a)\ny = 2\nz"), vec![0, 1, 2, 3]);
        assert_eq!(located(text, ""), Vec::<usize>::new());
        assert_eq!(located(text, "\n\n"), Vec::<usize>::new());
        assert_eq!(located(text, "not there\n"), Vec::<usize>::new());
        // CRLF on disk, LF in the fragment
        assert_eq!(located("a\r\nb = eval(x)\r\nc\r\n", "b = eval(x)\nc\n"), vec![1, 2]);
    }

    #[test]
    fn locates_notebook_cells_with_magics() {
        let source = "import os\n#pip install x\neval(a)\n";
        let index = LineIndex::new(source);
        let mut lines = Lines::none(index.line_count());
        locate(source, &index, "%pip install x\neval(a)", true, &mut lines);
        assert_eq!(lines, Lines(vec![false, true, true, false]));
    }

    #[test]
    fn trusts_a_patch_only_while_it_matches_the_file() {
        let text = "import pickle\nobj = pickle.loads(data)\n";
        let index = LineIndex::new(text);
        let response: Value = serde_json::from_str(
            r#"{"structuredPatch":[{"oldStart":1,"oldLines":2,"newStart":1,"newLines":2,
            "lines":["-import json","-obj = json.loads(data)","+import pickle","+obj = pickle.loads(data)"]}]}"#,
        )
        .unwrap();
        assert_eq!(from_patch(&response, text, &index), Some(Lines(vec![true, true, false])));
        let context: Value = serde_json::from_str(
            r#"{"structuredPatch":[{"newStart":1,"lines":[" import pickle","-x","+obj = pickle.loads(data)"]}]}"#,
        )
        .unwrap();
        assert_eq!(from_patch(&context, text, &index), Some(Lines(vec![false, true, false])));
        let changed = "import pickle\nobj = other\n";
        assert_eq!(from_patch(&response, changed, &LineIndex::new(changed)), None);
        assert_eq!(from_patch(&serde_json::json!({"structuredPatch": []}), text, &index), None);
        assert_eq!(from_patch(&Value::Null, text, &index), None);
    }

    #[test]
    fn a_rewrite_reports_only_changed_lines() {
        let text = "a = 1\nb = eval(x)\nc = 3\n";
        let lines = rewritten("a = 1\nc = 3\n", text, &LineIndex::new(text));
        assert_eq!(lines, Lines(vec![false, true, false, true]));
    }

    #[test]
    fn applies_edits_in_order() {
        let edit = |old: &str, new: &str, all: bool| Replace { old: old.into(), new: new.into(), all };
        let change = Change::Edit(vec![edit("a", "b", false), edit("x", "y", true)]);
        assert_eq!(apply(Some("a a x x"), &change).as_deref(), Some("b a y y"));
        assert_eq!(apply(Some("zzz"), &change), None);
        assert_eq!(apply(None, &Change::Edit(vec![edit("", "new\n", false)])).as_deref(), Some("new\n"));
        assert_eq!(apply(Some("old"), &Change::Edit(vec![edit("", "new", false)])), None);
        assert_eq!(apply(Some("x"), &Change::Write { content: "w".into() }).as_deref(), Some("w"));
        // later edits see earlier ones
        let chain = Change::Edit(vec![edit("a", "b", false), edit("b", "c", false)]);
        assert_eq!(apply(Some("a"), &chain).as_deref(), Some("c"));
    }
}
