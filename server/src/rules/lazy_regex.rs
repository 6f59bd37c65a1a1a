//! A regex compiled on first use. Compiling every regex of the catalogue up front costs more than a
//! one-shot scan (the hook), and most regexes of a language never run on a given file.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;
use regex_syntax::hir::{Capture, Class, Hir, HirKind, Look, Repetition};

/// Room for the lazy DFA's transition cache of one regex. The default (2 MiB) is too small for the
/// combined anchors of a language: over the Python standard library its cache was cleared again and
/// again and rebuilding states took a sixth of a scan (17% less wall time with this limit, one
/// thread). The cache grows only as states are built, so small scans do not pay for the room.
pub(crate) const LAZY_DFA_CACHE: usize = 64 << 20;

/// Compiles `source` as every rule regex is compiled (public so that the diagnostic examples measure
/// what the engine runs).
pub fn compile_regex(source: &str) -> Result<Regex, regex::Error> {
    regex::RegexBuilder::new(source).dfa_size_limit(LAZY_DFA_CACHE).build()
}

/// The gate of rules that need a non-ASCII character (invisible characters, homoglyphs): answered by
/// `str::is_ascii`, about 100x faster than the lazy DFA, which steps through every byte of a class that
/// has no literal to search for (4 µs against 450 µs over 240 KB of ASCII code).
const NON_ASCII: &str = r"[^\x00-\x7F]";

fn build(source: &str) -> Option<Regex> {
    compile_regex(source).ok()
}

#[derive(Debug)]
pub(crate) struct LazyRegex {
    source: String,
    compiled: OnceLock<Option<Regex>>,
    reach: OnceLock<Reach>,
}

/// How far a match of a regex can stretch, which bounds where an edit can make a new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Every match is non-empty and lies within one line (holds no line break).
    Line,
    /// Matches are at most this many bytes long (and may hold line breaks).
    Bytes(usize),
    /// Matches may span any number of lines.
    Unbounded,
}

impl LazyRegex {
    pub(crate) fn new(source: impl Into<String>) -> Self {
        Self { source: source.into(), compiled: OnceLock::new(), reach: OnceLock::new() }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.source
    }

    /// Compiles now, reporting a syntax error (used when loading project rules).
    pub(crate) fn check(&self) -> Result<(), String> {
        compile_regex(&self.source).map(|_| ()).map_err(|e| e.to_string())
    }

    /// The compiled regex; `None` if it does not compile (only possible for rules loaded unchecked,
    /// i.e. the built-in catalogue, whose regexes the catalogue tests compile).
    pub(crate) fn get(&self) -> Option<&Regex> {
        self.compiled.get_or_init(|| build(&self.source)).as_ref()
    }

    pub(crate) fn is_match(&self, text: &str) -> bool {
        if self.source == NON_ASCII {
            return !text.is_ascii();
        }
        self.get().is_some_and(|regex| regex.is_match(text))
    }

    /// The first match starting in `range` of `text`, as a byte range. Look-behind sees the text
    /// before the range, but the text is cut at `range.end`: a match ending exactly there may hold
    /// only because the text seems to end there (`$`, `\b`), which the caller must rule out unless the
    /// range runs to the end of the text.
    pub(crate) fn find_in(&self, text: &str, range: Range<usize>) -> Option<Range<usize>> {
        if self.source == NON_ASCII {
            let at = range.start + text.as_bytes()[range.clone()].iter().position(|b| !b.is_ascii())?;
            return Some(at..at + text[at..].chars().next().map_or(1, char::len_utf8));
        }
        let regex = self.get()?;
        regex.find_at(&text[..range.end], range.start).map(|m| m.range())
    }

    /// How far a match can stretch (`Unbounded` for a regex that does not parse).
    pub(crate) fn reach(&self) -> Reach {
        *self.reach.get_or_init(|| {
            let Ok(hir) = regex_syntax::Parser::new().parse(&self.source) else { return Reach::Unbounded };
            let properties = hir.properties();
            match properties.maximum_len() {
                _ if properties.minimum_len() > Some(0) && !can_match_line_feed(&hir) => Reach::Line,
                Some(bytes) => Reach::Bytes(bytes),
                None => Reach::Unbounded,
            }
        })
    }
}

/// Whether some match of `hir` can hold a `\n`.
fn can_match_line_feed(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Literal(literal) => literal.0.contains(&b'\n'),
        HirKind::Class(Class::Unicode(class)) => {
            class.ranges().iter().any(|r| r.start() <= '\n' && '\n' <= r.end())
        }
        HirKind::Class(Class::Bytes(class)) => {
            class.ranges().iter().any(|r| r.start() <= b'\n' && b'\n' <= r.end())
        }
        HirKind::Repetition(repetition) => repetition.max != Some(0) && can_match_line_feed(&repetition.sub),
        HirKind::Capture(capture) => can_match_line_feed(&capture.sub),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().any(can_match_line_feed),
    }
}

/// A gate for a regex rule without a `prefilter`: the rule's regex with its Unicode word boundaries
/// (`\b`, `\B` and the half forms) dropped, or `None` when it has none. Dropping a zero-width assertion
/// only adds matches, so every text the regex matches passes the gate; and Unicode word boundaries keep
/// the regex crate from its fast engines (its lazy DFA gives up on them at the first non-ASCII byte):
/// measured 28× faster than the regex itself over the `Lib/` tree of `CPython` for
/// `any.prompt-injection` (which passes none of its files), and 16× for `any.hardcoded-password` until its
/// one `\b` became an ASCII one (its regex now runs in the DFAs and needs no gate).
pub fn word_boundary_free(pattern: &str) -> Option<String> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut dropped = false;
    let gate = strip_word_boundaries(hir, &mut dropped);
    dropped.then(|| gate.to_string())
}

fn strip_word_boundaries(hir: Hir, dropped: &mut bool) -> Hir {
    match hir.into_kind() {
        HirKind::Look(
            Look::WordUnicode
            | Look::WordUnicodeNegate
            | Look::WordStartUnicode
            | Look::WordEndUnicode
            | Look::WordStartHalfUnicode
            | Look::WordEndHalfUnicode,
        ) => {
            *dropped = true;
            Hir::empty()
        }
        HirKind::Look(look) => Hir::look(look),
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(literal) => Hir::literal(literal.0),
        HirKind::Class(class) => Hir::class(class),
        HirKind::Repetition(repetition) => Hir::repetition(Repetition {
            sub: Box::new(strip_word_boundaries(*repetition.sub, dropped)),
            ..repetition
        }),
        HirKind::Capture(capture) => {
            Hir::capture(Capture { sub: Box::new(strip_word_boundaries(*capture.sub, dropped)), ..capture })
        }
        HirKind::Concat(parts) => {
            Hir::concat(parts.into_iter().map(|part| strip_word_boundaries(part, dropped)).collect())
        }
        HirKind::Alternation(parts) => {
            Hir::alternation(parts.into_iter().map(|part| strip_word_boundaries(part, dropped)).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::{LazyRegex, NON_ASCII, word_boundary_free};

    #[test]
    fn the_non_ascii_gate_answers_as_its_regex_would() {
        let gate = LazyRegex::new(NON_ASCII);
        let regex = Regex::new(NON_ASCII).unwrap();
        for text in ["", "plain ascii\n\x7F", "caf\u{e9}", "zero\u{200B}width", "\u{FEFF}bom", "\u{1F600}"] {
            assert_eq!(gate.is_match(text), regex.is_match(text), "{text:?}");
        }
    }

    #[test]
    fn the_gate_drops_only_unicode_word_boundaries() {
        let gate = |pattern| word_boundary_free(pattern).map(|gate| Regex::new(&gate).unwrap());
        assert!(word_boundary_free(r"(?-u:\b)eval[ \t]*$").is_none(), "nothing to drop");
        let gate = gate(r"(?im)\bignore\s+(?P<what>previous|prior)\b[.!]?$").unwrap();
        for text in ["IGNORE previous", "x ignore prior!\nmore", "éignore previous"] {
            assert!(gate.is_match(text), "{text}");
        }
        assert!(!gate.is_match("ignore later"));
    }
}
