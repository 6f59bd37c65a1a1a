//! A regex compiled on first use. Compiling every regex of the catalogue up front costs more than a
//! one-shot scan (the hook), and most regexes of a language never run on a given file.

use std::sync::OnceLock;

use regex::Regex;

fn build(source: &str) -> Option<Regex> {
    Regex::new(source).ok()
}

#[derive(Debug)]
pub(crate) struct LazyRegex {
    source: String,
    compiled: OnceLock<Option<Regex>>,
}

impl LazyRegex {
    pub(crate) fn new(source: impl Into<String>) -> Self {
        Self { source: source.into(), compiled: OnceLock::new() }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.source
    }

    /// Compiles now, reporting a syntax error (used when loading project rules).
    pub(crate) fn check(&self) -> Result<(), String> {
        Regex::new(&self.source).map(|_| ()).map_err(|e| e.to_string())
    }

    /// The compiled regex; `None` if it does not compile (only possible for rules loaded unchecked,
    /// i.e. the built-in catalogue, whose regexes the catalogue tests compile).
    pub(crate) fn get(&self) -> Option<&Regex> {
        self.compiled.get_or_init(|| build(&self.source)).as_ref()
    }

    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.get().is_some_and(|regex| regex.is_match(text))
    }
}
