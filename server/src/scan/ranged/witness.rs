//! Whether a regex matches a text anywhere (a rule's gate, a `#file-match?` predicate), kept together
//! with where it first matched, so that after an edit the answer comes from the text near the edit
//! instead of a search of the whole file (which was most of a keystroke's rescan on a 10k-line file).
//!
//! A match depends on its own bytes and on the character on either side (look-arounds read one
//! character, at most four bytes). So a remembered match whose bytes and neighbours the edit left alone
//! is still a match; and a text that had no match gains one only where the edit's bytes lie in or next
//! to it, which for a regex that cannot match a line break means on the lines the edit touched.

use std::ops::Range;

use super::{TextChange, moved};
use crate::rules::{LazyRegex, Reach};

/// Where a regex first matched a text, or `None` when it matched nowhere.
pub(crate) type Witness = Option<Range<usize>>;

/// The bytes a look-around reads on either side of a match: one character.
const LOOK_AROUND: usize = 4;

/// The first match in the whole text.
pub(crate) fn first_match(regex: &LazyRegex, text: &str) -> Witness {
    regex.find_in(text, 0..text.len())
}

/// A witness for `text`, the old text with `change` applied, given the `old` text's witness: the old
/// match moved when the edit left it and its neighbours alone, else a match found near the edit, else
/// (only when there was a match and it is gone, or the regex's reach is unbounded) a whole-text search.
pub(crate) fn after_edit(regex: &LazyRegex, text: &str, old: &Witness, change: TextChange) -> Witness {
    if let Some(old) = old {
        if old.end + LOOK_AROUND <= change.start {
            return Some(old.clone());
        }
        if old.start >= change.old_end + LOOK_AROUND {
            return Some(moved(old.start, change)..moved(old.end, change));
        }
    }
    if let Some(near) = neighbourhood(regex.reach(), text, change) {
        match regex.find_in(text, near.clone()) {
            Some(found) if found.end < near.end || near.end == text.len() => return Some(found),
            // Every match the edit can have made lies inside the neighbourhood.
            None if old.is_none() => return None,
            // A match ending at the cut may need the text after it, and the lost match's successor
            // may be anywhere: only the whole search can tell.
            _ => {}
        }
    }
    first_match(regex, text)
}

/// The span of `text` that holds every match which contains, or has as a neighbour, a byte the edit
/// inserted (or the join of a deletion), and that ends where the text after it cannot change a match
/// inside it; `None` when the regex's matches have no bound.
fn neighbourhood(reach: Reach, text: &str, change: TextChange) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    // A new match ends after `low` and starts before `high`.
    let low = change.start.saturating_sub(LOOK_AROUND);
    let high = (change.new_end + LOOK_AROUND).min(text.len());
    match reach {
        // From the start of `low`'s line to past the line break that ends `high`'s: the whole lines
        // such a match can lie on. A match cannot hold that break, so it ends before the cut.
        Reach::Line => {
            let start = memchr::memrchr(b'\n', &bytes[..low]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &bytes[high..]).map_or(text.len(), |i| high + i + 1);
            Some(start..end)
        }
        // `length` bytes either side, and a character's worth more at the end so that such a match
        // ends before the cut.
        Reach::Bytes(length) => {
            let start = floor_boundary(text, low.saturating_sub(length));
            let end = ceil_boundary(text, high.saturating_add(length + LOOK_AROUND).min(text.len()));
            Some(start..end)
        }
        Reach::Unbounded => None,
    }
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::{Witness, after_edit, first_match};
    use crate::language::Language;
    use crate::rules::{LazyRegex, Reach};
    use crate::scan::ranged::TextChange;

    /// Applies every single edit of a small alphabet at every offset of `text` and checks that the
    /// witness after the edit says what a whole-text search says, and points at a real match.
    fn check_every_edit(pattern: &str, text: &str, inserts: &[&str]) {
        let regex = LazyRegex::new(pattern);
        let whole = regex::Regex::new(pattern).unwrap();
        let old: Witness = first_match(&regex, text);
        assert_eq!(old.is_some(), whole.is_match(text), "{pattern} over {text:?}");
        for start in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            for old_end in (start..=text.len().min(start + 2)).filter(|&i| text.is_char_boundary(i)) {
                for insert in inserts {
                    let new = format!("{}{insert}{}", &text[..start], &text[old_end..]);
                    let change = TextChange { start, old_end, new_end: start + insert.len() };
                    let witness = after_edit(&regex, &new, &old, change);
                    assert_eq!(
                        witness.is_some(),
                        whole.is_match(&new),
                        "{pattern}: {text:?} -> {new:?} gave {witness:?}"
                    );
                    if let Some(found) = witness {
                        let real = whole.find_at(&new, found.start).is_some_and(|m| m.start() == found.start);
                        assert!(real, "{pattern}: {new:?} has no match at {found:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn reach_tells_line_bound_length_bound_and_unbounded_regexes_apart() {
        assert_eq!(LazyRegex::new(r"\beval\b").reach(), Reach::Line);
        assert_eq!(LazyRegex::new(r"[^\x00-\x7F]").reach(), Reach::Line);
        assert_eq!(LazyRegex::new(r"a[^x]b").reach(), Reach::Bytes(6), "a character is up to 4 bytes");
        assert_eq!(LazyRegex::new(r"(?s)a.b").reach(), Reach::Bytes(6));
        assert_eq!(LazyRegex::new(r"\.\s*raw").reach(), Reach::Unbounded);
        assert_eq!(LazyRegex::new(r"(unclosed").reach(), Reach::Unbounded);
    }

    /// A gate whose matches may span any number of lines is searched over the whole text after every
    /// edit while it matches nowhere; for the languages the server rescans, only these may be.
    #[test]
    fn gates_of_code_rules_are_bounded_but_three() {
        let rules = crate::rules::RuleSet::builtin();
        let unbounded: Vec<&str> = rules
            .rules()
            .iter()
            .filter(|rule| rule.languages.iter().any(|language| language != &Language::Text))
            .filter(|rule| {
                let gate = rule.prefilter.as_ref().or(rule.regex.as_ref());
                gate.is_some_and(|gate| gate.reach() == Reach::Unbounded)
            })
            .map(|rule| rule.id.as_str())
            .collect();
        // Prompt injection: its phrases may break across lines anywhere, and no part of one is rare
        // enough alone. SQL: line-bounded forms exist, but case-insensitive keywords after a `^` made
        // the hook's literal extraction cost 17 and 41 ms per run, and the regex crate searches these
        // gates fast through their literals.
        assert_eq!(unbounded, ["any.prompt-injection", "javascript.sql-injection", "python.sql-injection"]);
    }

    #[test]
    fn witnesses_after_edits_agree_with_whole_text_searches() {
        // Few enough for the debug build's regex crate (each search there is slow).
        let inserts = ["", "e", "\n", "é", "eval", "\u{200B}"];
        for text in ["", "eval(x)\nfoo", "a = 1\nb = eval\n", "évalé eval\n\neval", "xeval evalx", "ab\ncd"]
        {
            check_every_edit(r"\beval\b", text, &inserts);
            check_every_edit(r"(?m)^eval$", text, &inserts);
            check_every_edit(r"[^\x00-\x7F]", text, &inserts);
            check_every_edit(r"l\s?\n?e", text, &inserts);
            check_every_edit(r"(?s)v.l\b", text, &inserts);
            check_every_edit(r"\bl\s*e", text, &inserts);
            check_every_edit(r"x$", text, &inserts);
        }
    }
}
