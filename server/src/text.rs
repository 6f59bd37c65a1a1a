//! Positions: byte offsets inside, (line, column) outside. The only module that converts between them.
//!
//! Line breaks are `\n`, `\r\n` and a lone `\r`, the three that LSP knows. Columns are counted in one of
//! three encodings: UTF-8 bytes, UTF-16 code units (the LSP default) or Unicode scalar values (the CLI's
//! JSON and SARIF `unicodeCodePoints`).

use std::ops::Range;

/// How a column counts characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    CodePoints,
}

/// A zero-based line and a zero-based column in some [`Encoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    pub const fn new(line: u32, column: u32) -> Self {
        Self { line, column }
    }
}

/// Start offsets of every line of one text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset where each line starts; the first is always 0.
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        // Vectorised search for breaks (the language server indexes the whole text on every keystroke).
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            // The `\n` of a `\r\n` pair ends the line the `\r` would have ended.
            if bytes[at] == b'\n' && at > 0 && bytes[at - 1] == b'\r' {
                *starts.last_mut().expect("starts with 0") = at + 1;
            } else {
                starts.push(at + 1);
            }
        }
        Self { starts, len: text.len() }
    }

    /// Number of lines; a text ending in a line break has an empty last line.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Zero-based line holding `offset` (offsets past the end belong to the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset).saturating_sub(1)
    }

    /// Byte range of `line` without its line break; empty past the last line.
    pub fn line_range(&self, text: &str, line: usize) -> Range<usize> {
        let Some(&start) = self.starts.get(line) else { return self.len..self.len };
        let mut end = self.starts.get(line + 1).copied().unwrap_or(self.len);
        let bytes = text.as_bytes();
        if end > start && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
        }
        if end > start && bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end
    }

    /// The text of `line` without its line break.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        &text[self.line_range(text, line)]
    }

    /// Position of a byte offset. An offset inside a character or past the end is clamped first.
    pub fn position(&self, text: &str, offset: usize, encoding: Encoding) -> Position {
        let offset = floor_char_boundary(text, offset.min(self.len));
        let line = self.line_of(offset);
        let range = self.line_range(text, line);
        let in_line = &text[range.start..offset.clamp(range.start, range.end)];
        Position::new(line as u32, column_width(in_line, encoding) as u32)
    }

    /// Byte offset of a position. A line past the end gives the end of the text; a column past the end
    /// of its line gives the end of that line (before the line break), as LSP asks.
    pub fn offset(&self, text: &str, position: Position, encoding: Encoding) -> usize {
        let line = position.line as usize;
        if line >= self.starts.len() {
            return self.len;
        }
        let range = self.line_range(text, line);
        range.start + column_offset(&text[range], position.column, encoding)
    }
}

/// Byte offset inside `line` (one line without its break) of `column` counted in `encoding`. A column
/// past the end gives the line's length; one inside a character snaps to that character's start.
pub fn column_offset(line: &str, column: u32, encoding: Encoding) -> usize {
    let mut remaining = column as usize;
    if remaining == 0 {
        return 0;
    }
    for (index, ch) in line.char_indices() {
        let width = char_width(ch, encoding);
        if remaining < width {
            // A column inside a UTF-16 surrogate pair or a UTF-8 sequence snaps to the char start.
            return index;
        }
        remaining -= width;
        if remaining == 0 {
            return index + ch.len_utf8();
        }
    }
    line.len()
}

/// `line` without its trailing line break (`\n`, `\r\n` or a lone `\r`).
pub fn strip_line_break(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// Width of `text` in columns of `encoding`.
pub fn column_width(text: &str, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => text.len(),
        Encoding::Utf16 => text.encode_utf16().count(),
        Encoding::CodePoints => text.chars().count(),
    }
}

fn char_width(ch: char, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => ch.len_utf8(),
        Encoding::Utf16 => ch.len_utf16(),
        Encoding::CodePoints => 1,
    }
}

/// The largest char boundary at or below `offset`.
pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    type LineColumn = (u32, u32);

    /// Each row: text, byte offset, expected (line, column) in UTF-8, UTF-16 and code points.
    const TABLE: &[(&str, usize, LineColumn, LineColumn, LineColumn)] = &[
        ("abc", 2, (0, 2), (0, 2), (0, 2)),
        ("é=1", 2, (0, 2), (0, 1), (0, 1)),
        ("x€y", 4, (0, 4), (0, 2), (0, 2)),
        ("😀z", 4, (0, 4), (0, 2), (0, 1)),
        ("a\r\nb", 3, (1, 0), (1, 0), (1, 0)),
        ("a\rb", 2, (1, 0), (1, 0), (1, 0)),
        ("a\nb\n", 4, (2, 0), (2, 0), (2, 0)),
        ("ab", 2, (0, 2), (0, 2), (0, 2)),
        ("a😀\nb", 5, (0, 5), (0, 3), (0, 2)),
    ];

    #[test]
    fn position_table_round_trips_in_every_encoding() {
        for &(text, offset, utf8, utf16, cps) in TABLE {
            let index = LineIndex::new(text);
            for (encoding, (line, column)) in
                [(Encoding::Utf8, utf8), (Encoding::Utf16, utf16), (Encoding::CodePoints, cps)]
            {
                let position = index.position(text, offset, encoding);
                assert_eq!(position, Position::new(line, column), "{text:?} @{offset} {encoding:?}");
                assert_eq!(index.offset(text, position, encoding), offset, "{text:?} back {encoding:?}");
            }
        }
    }

    #[test]
    fn columns_past_the_line_end_clamp_to_the_line_end() {
        let text = "ab\r\ncd";
        let index = LineIndex::new(text);
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::CodePoints] {
            assert_eq!(index.offset(text, Position::new(0, 99), encoding), 2);
            assert_eq!(index.offset(text, Position::new(9, 0), encoding), text.len());
        }
    }

    #[test]
    fn a_column_inside_a_surrogate_pair_snaps_to_the_character_start() {
        let text = "😀x";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, Position::new(0, 1), Encoding::Utf16), 0);
        assert_eq!(index.position(text, 2, Encoding::Utf16), Position::new(0, 0));
    }

    #[test]
    fn column_offsets_agree_with_column_widths() {
        for line in ["abc", "é=1", "x€y", "😀z", "a😀b", ""] {
            for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::CodePoints] {
                for (offset, _) in line.char_indices().chain([(line.len(), ' ')]) {
                    let column = column_width(&line[..offset], encoding) as u32;
                    assert_eq!(column_offset(line, column, encoding), offset, "{line:?} {encoding:?}");
                }
                assert_eq!(column_offset(line, 99, encoding), line.len(), "{line:?} past the end");
            }
        }
        assert_eq!(column_offset("😀x", 1, Encoding::Utf16), 0);
        assert_eq!(column_offset("éx", 1, Encoding::Utf8), 0);
    }

    #[test]
    fn line_breaks_are_stripped_once() {
        assert_eq!(strip_line_break("a\r\n"), "a");
        assert_eq!(strip_line_break("a\r"), "a");
        assert_eq!(strip_line_break("a\n"), "a");
        assert_eq!(strip_line_break("a\n\n"), "a\n");
        assert_eq!(strip_line_break("a"), "a");
    }

    #[test]
    fn lone_cr_and_crlf_count_as_one_break_each() {
        let index = LineIndex::new("a\rb\r\nc\nd");
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line_text("a\rb\r\nc\nd", 1), "b");
    }

    #[test]
    fn line_starts_follow_every_mix_of_breaks() {
        // Every text of up to six characters from `a`, `\r` and `\n`, against a byte-by-byte count.
        for length in 0..=6_u32 {
            for code in 0..3_u32.pow(length) {
                let text: String =
                    (0..length).map(|i| ['a', '\r', '\n'][(code / 3_u32.pow(i) % 3) as usize]).collect();
                let bytes = text.as_bytes();
                let mut expected = vec![0];
                for (i, &byte) in bytes.iter().enumerate() {
                    let crlf_start = byte == b'\r' && bytes.get(i + 1) == Some(&b'\n');
                    if (byte == b'\n' || byte == b'\r') && !crlf_start {
                        expected.push(i + 1);
                    }
                }
                assert_eq!(LineIndex::new(&text).starts, expected, "{text:?}");
            }
        }
    }
}
