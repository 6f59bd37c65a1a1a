//! The rule catalogue: rule metadata and queries, loaded from `queries/` data, compiled per language.
//!
//! Loading never fails as a whole: it returns the rules that compiled and the errors of those that did
//! not, so one broken project rule never disables the rest.

mod anchors;
mod builtin;
mod examples;
mod lazy_regex;
mod meta;
mod plan;

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::finding::{Confidence, Severity};
use crate::language::{Family, Language};

pub(crate) use anchors::Anchors;
pub use examples::{ExampleFailure, check_examples, example_language};
pub(crate) use lazy_regex::{LazyRegex, Reach};
pub use lazy_regex::{compile_regex, word_boundary_free};
pub use meta::{Examples, FixTemplate, RuleMeta, Scope};
pub(crate) use plan::{Plan, Predicate};

/// One rule file pair as text: `path` is `<family>/<name>` (no extension), e.g. `python/pickle-load`.
#[derive(Clone, Debug)]
pub struct RuleSource {
    pub path: String,
    pub toml: String,
    pub query: Option<String>,
}

/// A rule that failed to load, with the path of its file and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct RuleError {
    pub path: String,
    pub message: String,
}

/// A loaded rule.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub family: Family,
    pub meta: RuleMeta,
    pub languages: Vec<Language>,
    pub(crate) query: Option<String>,
    pub(crate) prefilter: Option<LazyRegex>,
    pub(crate) anchor: Option<LazyRegex>,
    pub(crate) regex: Option<LazyRegex>,
    pub(crate) focus: Option<LazyRegex>,
    pub(crate) exclude: Option<LazyRegex>,
}

impl Rule {
    pub fn severity(&self) -> Severity {
        self.meta.severity
    }

    pub fn confidence(&self) -> Confidence {
        self.meta.confidence
    }

    /// Whether the rule runs a tree-sitter query (otherwise it is a regex rule).
    pub fn is_query_rule(&self) -> bool {
        self.query.is_some()
    }

    /// The documentation link shown in hovers and SARIF: the first CWE's page.
    pub fn help_uri(&self) -> Option<String> {
        crate::finding::cwe_uri(self.meta.cwe.first()?)
    }
}

/// Options for loading rules.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadOptions {
    /// Compile every query on load to report broken rules (project rules); the built-in catalogue is
    /// checked by tests instead, so start-up stays fast.
    pub validate_queries: bool,
}

/// The loaded rules and, per language, what is needed to run them fast.
#[derive(Debug, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    by_id: HashMap<String, usize>,
    /// Built on first use per language, so a one-shot process pays only for the language it scans.
    languages: [OnceLock<LanguageRules>; Language::ALL.len()],
}

/// Per language: the rules gated by a prefilter (each tested on its own: a `RegexSet` of the catalogue's
/// large Unicode patterns measured 4× slower than the separate regexes, whose literal optimisations skip
/// most text), and the combined query of the query rules, compiled on first use.
#[derive(Debug)]
pub(crate) struct LanguageRules {
    /// Rules whose prefilter (or, for regex rules, the regex itself) decides whether they can match.
    pub(crate) prefilter_rules: Vec<usize>,
    /// Rules without a prefilter: always candidates.
    pub(crate) unconditional: Vec<usize>,
    /// Query rules that apply to this language.
    pub(crate) query_rules: Vec<usize>,
    /// Finds where any query rule's anchor (or an import) matches: the query runs only on the syntax
    /// around those places.
    pub(crate) anchors: Anchors,
    /// Whether each rule (by index) is a query rule of this language without an anchor.
    pub(crate) unanchored: Vec<bool>,
    /// The rule (by index) whose anchor is each source of `anchors`, in order; the import anchor
    /// comes after them.
    pub(crate) anchor_rules: Vec<usize>,
    plan: OnceLock<Option<Plan>>,
    /// Each query rule's own query (indexed by rule index; only query rules' are ever built), and the
    /// binding patterns alone: an anchored scan runs a rule only where its anchor matches (see
    /// `scan::windows_by_rule`).
    rule_plans: Vec<OnceLock<Option<Plan>>>,
    bindings_plan: OnceLock<Option<Plan>>,
}

impl RuleSet {
    /// The built-in catalogue embedded from `queries/`.
    pub fn builtin() -> &'static RuleSet {
        static BUILTIN: OnceLock<RuleSet> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let (rules, errors) = RuleSet::load(builtin::sources(), LoadOptions::default());
            debug_assert!(errors.is_empty(), "built-in rules must load: {errors:?}");
            rules
        })
    }

    /// The built-in rule sources, for tools that combine them with project rules.
    pub fn builtin_sources() -> Vec<RuleSource> {
        builtin::sources()
    }

    /// Loads rules from sources. Returns the rules that loaded and an error per rule that did not.
    pub fn load(
        sources: impl IntoIterator<Item = RuleSource>,
        options: LoadOptions,
    ) -> (RuleSet, Vec<RuleError>) {
        let mut set = RuleSet::default();
        let mut errors = Vec::new();
        for source in sources {
            match load_rule(&source, options) {
                Ok(rule) if set.by_id.contains_key(&rule.id) => errors.push(RuleError {
                    path: source.path.clone(),
                    message: format!("duplicate rule id `{}`", rule.id),
                }),
                Ok(rule) => {
                    set.by_id.insert(rule.id.clone(), set.rules.len());
                    set.rules.push(rule);
                }
                Err(message) => errors.push(RuleError { path: source.path.clone(), message }),
            }
        }
        (set, errors)
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.by_id.get(id).map(|&index| &self.rules[index])
    }

    pub(crate) fn rule(&self, index: usize) -> &Rule {
        &self.rules[index]
    }

    pub(crate) fn language_rules(&self, language: Language) -> &LanguageRules {
        self.languages[language as usize].get_or_init(|| self.index_language(language))
    }

    /// The combined query of every query rule of `language`, compiled on first use.
    pub(crate) fn plan(&self, language: Language) -> Option<&Plan> {
        let rules = self.language_rules(language);
        rules.plan.get_or_init(|| Plan::build(self, language, &rules.query_rules, true)).as_ref()
    }

    /// The query of the query rule `index` alone for `language`, compiled on first use.
    pub(crate) fn rule_plan(&self, language: Language, index: usize) -> Option<&Plan> {
        let rules = self.language_rules(language);
        rules.rule_plans.get(index)?.get_or_init(|| Plan::build(self, language, &[index], false)).as_ref()
    }

    /// The import-binding patterns of `language` alone, compiled on first use.
    pub(crate) fn bindings_plan(&self, language: Language) -> Option<&Plan> {
        let rules = self.language_rules(language);
        rules.bindings_plan.get_or_init(|| Plan::build(self, language, &[], true)).as_ref()
    }

    /// Compiles every rule's query now (the server does this at start so the first keystroke is not
    /// slower). The combined plan is left for the rare scan that needs it (whole-tree scans).
    pub fn warm(&self) {
        for language in Language::ALL {
            let _ = self.bindings_plan(language);
            for &index in &self.language_rules(language).query_rules {
                let _ = self.rule_plan(language, index);
            }
        }
    }

    fn index_language(&self, language: Language) -> LanguageRules {
        let mut prefilter_rules = Vec::new();
        let mut unconditional = Vec::new();
        let mut query_rules = Vec::new();
        for (index, rule) in self.rules.iter().enumerate() {
            if !rule.languages.contains(&language) || (language.grammar().is_none() && rule.is_query_rule()) {
                continue;
            }
            if rule.is_query_rule() {
                query_rules.push(index);
            }
            if rule.prefilter.is_some() || rule.regex.is_some() {
                prefilter_rules.push(index);
            } else {
                unconditional.push(index);
            }
        }
        let anchor_rules: Vec<usize> =
            query_rules.iter().copied().filter(|&index| self.rules[index].anchor.is_some()).collect();
        let anchor_sources =
            anchor_rules.iter().filter_map(|&index| self.rules[index].anchor.as_ref()).map(LazyRegex::as_str);
        let mut unanchored = vec![false; self.rules.len()];
        for &index in &query_rules {
            unanchored[index] = self.rules[index].anchor.is_none();
        }
        // ASCII word boundaries: a Unicode `\b` anywhere in the combined regex keeps the regex crate
        // from its fast engines for all of it (117 -> 74 ms over CPython's Lib/), and next to an ASCII
        // word an ASCII boundary holds wherever a Unicode one does, so no hit is lost.
        let import = r"(?-u:\b)(?:import|require)(?-u:\b)";
        let anchors = Anchors::new(anchor_sources.chain([import]));
        LanguageRules {
            prefilter_rules,
            unconditional,
            query_rules,
            anchors,
            unanchored,
            anchor_rules,
            plan: OnceLock::new(),
            rule_plans: (0..self.rules.len()).map(|_| OnceLock::new()).collect(),
            bindings_plan: OnceLock::new(),
        }
    }
}

fn load_rule(source: &RuleSource, options: LoadOptions) -> Result<Rule, String> {
    let (family_name, name) =
        source.path.split_once('/').ok_or("a rule path must be <language>/<rule-name>")?;
    let family = Family::from_name(family_name).ok_or_else(|| {
        format!("unknown rule folder `{family_name}` (expected python, javascript, workflow or any)")
    })?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(format!("rule name `{name}` may hold only letters, digits, `-` and `_`"));
    }
    let meta: RuleMeta = toml::from_str(&source.toml).map_err(|e| format!("invalid TOML: {e}"))?;
    let id = format!("{family_name}.{name}");
    // Regexes compile on first use; project rules are checked now so a typo is reported on load.
    let compile = |what: &str, pattern: &Option<String>| -> Result<Option<LazyRegex>, String> {
        let Some(pattern) = pattern else { return Ok(None) };
        let lazy = LazyRegex::new(pattern.clone());
        if options.validate_queries {
            lazy.check().map_err(|e| format!("invalid {what} regex: {e}"))?;
        }
        Ok(Some(lazy))
    };
    let languages = match &meta.languages {
        Some(names) => names
            .iter()
            .map(|name| Language::from_name(name).ok_or_else(|| format!("unknown language `{name}`")))
            .collect::<Result<Vec<_>, _>>()?,
        None => family.languages().to_vec(),
    };
    // A regex rule without a prefilter is gated by its regex minus the Unicode word boundaries, which
    // the regex crate matches far faster over whole files (see `word_boundary_free`).
    let prefilter = match compile("prefilter", &meta.prefilter)? {
        Some(prefilter) => Some(prefilter),
        None => meta.regex.as_deref().and_then(lazy_regex::word_boundary_free).map(LazyRegex::new),
    };
    let rule = Rule {
        prefilter,
        anchor: compile("anchor", &meta.anchor)?,
        regex: compile("rule", &meta.regex)?,
        focus: compile("focus", &meta.focus)?,
        exclude: compile("exclude", &meta.exclude)?,
        query: source.query.clone().filter(|q| !q.trim().is_empty()),
        id,
        family,
        languages,
        meta,
    };
    match (&rule.query, &rule.regex) {
        (None, None) => return Err("a rule needs a query (.scm) or a `regex`".into()),
        (Some(_), Some(_)) => return Err("a rule has either a query (.scm) or a `regex`, not both".into()),
        (Some(_), None) if family == Family::Any => {
            return Err("rules under any/ are regex-only; move the query to a language folder".into());
        }
        _ => {}
    }
    if options.validate_queries
        && let Some(query) = &rule.query
    {
        for &language in &rule.languages {
            plan::check_query(query, language).map_err(|e| format!("query for {}: {e}", language.name()))?;
        }
    }
    Ok(rule)
}
