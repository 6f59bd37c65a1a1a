//! Project security guidance: `~/.claude/claude-security-guidance.md`, then
//! `<repo>/.claude/claude-security-guidance.md`, then `<repo>/.claude/claude-security-guidance.local.md`,
//! concatenated in that order within an 8 KB budget (the tail is cut first, with a marker). It reaches
//! the model as data that may add checks but cannot suppress findings.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Bytes of guidance sent at most.
pub const BUDGET: usize = 8 * 1024;
pub const FILE_NAME: &str = "claude-security-guidance.md";
pub const LOCAL_FILE_NAME: &str = "claude-security-guidance.local.md";
const MARKER: &str = "\n[sg-lsp: guidance truncated at the 8 KB limit]\n";

/// The policy files that apply, in order (they may not exist).
pub fn paths(home: Option<&Path>, root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(home) = home {
        out.push(home.join(".claude").join(FILE_NAME));
    }
    out.push(root.join(".claude").join(FILE_NAME));
    out.push(root.join(".claude").join(LOCAL_FILE_NAME));
    out
}

/// Reads and combines the policy files; `None` when there are none (or all are empty).
pub fn load(home: Option<&Path>, root: &Path) -> Option<String> {
    let parts: Vec<(String, String)> = paths(home, root)
        .into_iter()
        .filter_map(|path| {
            let bytes = std::fs::read(&path).ok()?;
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(BUDGET * 4)]).into_owned();
            let label = if home.is_some_and(|home| path.starts_with(home)) && !path.starts_with(root) {
                format!("~/.claude/{FILE_NAME}")
            } else {
                path.strip_prefix(root)
                    .map_or_else(|_| path.display().to_string(), |p| p.display().to_string())
            };
            Some((label, text))
        })
        .collect();
    combine(&parts)
}

/// Concatenates `(label, text)` parts in order and applies the budget.
pub fn combine(parts: &[(String, String)]) -> Option<String> {
    let mut out = String::new();
    for (label, text) in parts {
        if text.trim().is_empty() {
            continue;
        }
        let _ = write!(out, "--- {label} ---\n{}\n", text.trim_end());
    }
    if out.is_empty() {
        return None;
    }
    Some(truncate(out, BUDGET))
}

/// Keeps the head of `text` within `budget` bytes (marker included), cutting the tail.
pub fn truncate(mut text: String, budget: usize) -> String {
    if text.len() <= budget {
        return text;
    }
    let mut cut = budget.saturating_sub(MARKER.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    // Prefer a line boundary when one is near.
    if let Some(newline) = text[..cut].rfind('\n').filter(|&i| cut - i < 200) {
        cut = newline;
    }
    text.truncate(cut);
    text.push_str(MARKER);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_in_order_and_missing_ones_skipped() {
        let dir = std::env::temp_dir().join(format!("sg-policy-{}", std::process::id()));
        let home = dir.join("home");
        let root = dir.join("repo");
        std::fs::create_dir_all(home.join(".claude")).unwrap();
        std::fs::create_dir_all(root.join(".claude")).unwrap();
        std::fs::write(home.join(".claude").join(FILE_NAME), "HOME RULE").unwrap();
        std::fs::write(root.join(".claude").join(LOCAL_FILE_NAME), "LOCAL RULE").unwrap();
        let text = load(Some(&home), &root).unwrap();
        let home_at = text.find("HOME RULE").unwrap();
        let local_at = text.find("LOCAL RULE").unwrap();
        assert!(home_at < local_at);
        assert!(text.contains("--- ~/.claude/claude-security-guidance.md ---"));
        std::fs::write(root.join(".claude").join(FILE_NAME), "REPO RULE").unwrap();
        let text = load(Some(&home), &root).unwrap();
        let repo_at = text.find("REPO RULE").unwrap();
        assert!(text.find("HOME RULE").unwrap() < repo_at && repo_at < text.find("LOCAL RULE").unwrap());
        assert!(load(None, &dir.join("nowhere")).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_tail_is_cut_first_within_8_kb() {
        let head = "FIRST FILE: never cut\n".repeat(100); // 2.2 KB
        let tail = format!("{}LAST-LINE", "local rule line\n".repeat(1000)); // 16 KB
        let text = combine(&[("a".into(), head.clone()), ("b".into(), tail)]).unwrap();
        assert!(text.len() <= BUDGET, "{}", text.len());
        assert!(text.contains(&head));
        assert!(!text.contains("LAST-LINE"));
        assert!(text.ends_with("[sg-lsp: guidance truncated at the 8 KB limit]\n"));
    }

    #[test]
    fn truncation_respects_character_boundaries() {
        let text = "é".repeat(5000);
        let out = truncate(text, BUDGET);
        assert!(out.len() <= BUDGET);
    }

    #[test]
    fn empty_files_add_nothing() {
        assert!(combine(&[("a".into(), "  \n".into())]).is_none());
    }
}
