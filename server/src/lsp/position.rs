//! LSP positions ↔ byte offsets, on a document's rope or on a scanned text. The column arithmetic is
//! `text`'s; this only maps the types.

use std::borrow::Cow;
use std::ops::Range;

use ropey::Rope;
use tower_lsp_server::ls_types::{self, PositionEncodingKind};

use crate::text::{self, Encoding, LineIndex};

/// The encoding LSP calls `kind`, if we know it.
pub(super) fn encoding_of(kind: &PositionEncodingKind) -> Option<Encoding> {
    match kind.as_str() {
        "utf-8" => Some(Encoding::Utf8),
        "utf-16" => Some(Encoding::Utf16),
        "utf-32" => Some(Encoding::CodePoints),
        _ => None,
    }
}

pub(super) fn kind_of(encoding: Encoding) -> PositionEncodingKind {
    match encoding {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
        Encoding::CodePoints => PositionEncodingKind::UTF32,
    }
}

/// Byte offset of `position` in `rope`. Out-of-range positions clamp: a line past the end gives the end
/// of the text, a column past the end of its line gives the end of that line.
pub(super) fn offset(rope: &Rope, position: ls_types::Position, encoding: Encoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let start = rope.line_to_byte(line);
    let line_text: Cow<'_, str> = rope.line(line).into();
    start + text::column_offset(text::strip_line_break(&line_text), position.character, encoding)
}

/// Byte range of `range` in `rope`, clamped and never reversed.
pub(super) fn byte_range(rope: &Rope, range: ls_types::Range, encoding: Encoding) -> Range<usize> {
    let start = offset(rope, range.start, encoding);
    let end = offset(rope, range.end, encoding);
    start.min(end)..end.max(start)
}

/// LSP position of a byte offset in `rope` (clamped to the text and to a character boundary).
pub(super) fn position(rope: &Rope, offset: usize, encoding: Encoding) -> ls_types::Position {
    let offset = offset.min(rope.len_bytes());
    let line = rope.byte_to_line(offset);
    let start = rope.line_to_byte(line);
    let before: Cow<'_, str> = rope.byte_slice(start..floor_boundary(rope, offset)).into();
    // Between the CR and LF of a CRLF is still the end of the line.
    let before = text::strip_line_break(&before);
    ls_types::Position::new(line as u32, text::column_width(before, encoding) as u32)
}

pub(super) fn range(rope: &Rope, span: &Range<usize>, encoding: Encoding) -> ls_types::Range {
    ls_types::Range::new(position(rope, span.start, encoding), position(rope, span.end, encoding))
}

/// LSP range of `span` in a scanned `text` (the snapshot a scan ran on, indexed once per scan).
pub(super) fn text_range(
    index: &LineIndex,
    text: &str,
    span: &Range<usize>,
    encoding: Encoding,
) -> ls_types::Range {
    let to_lsp = |offset| {
        let position = index.position(text, offset, encoding);
        ls_types::Position::new(position.line, position.column)
    };
    ls_types::Range::new(to_lsp(span.start), to_lsp(span.end))
}

/// The start of the character holding byte `offset` (ropey panics on offsets inside a character).
fn floor_boundary(rope: &Rope, offset: usize) -> usize {
    rope.char_to_byte(rope.byte_to_char(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXTS: [&str; 5] = ["a😀b\r\nc€d\re\n", "x\n", "", "é\n\n😀", "plain"];

    #[test]
    fn rope_and_line_index_agree_and_round_trip_in_every_encoding() {
        for text in TEXTS {
            let rope = Rope::from_str(text);
            let index = LineIndex::new(text);
            for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::CodePoints] {
                for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
                    let from_rope = position(&rope, offset, encoding);
                    let from_index = text_range(&index, text, &(offset..offset), encoding).start;
                    assert_eq!(from_rope, from_index, "{text:?} @{offset} {encoding:?}");
                    // A position right after a line's CR of a CRLF is the same place as the line end.
                    let back = super::offset(&rope, from_rope, encoding);
                    let expected = if text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
                        offset - 1
                    } else {
                        offset
                    };
                    assert_eq!(back, expected, "{text:?} @{offset} {encoding:?} back");
                }
            }
        }
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let rope = Rope::from_str("ab\ncd");
        let at =
            |line, character| super::offset(&rope, ls_types::Position::new(line, character), Encoding::Utf16);
        assert_eq!(at(0, 99), 2);
        assert_eq!(at(7, 0), 5);
        assert_eq!(at(u32::MAX, u32::MAX), 5);
        let reversed = ls_types::Range::new(ls_types::Position::new(1, 1), ls_types::Position::new(0, 1));
        assert_eq!(byte_range(&rope, reversed, Encoding::Utf16), 1..4);
    }
}
