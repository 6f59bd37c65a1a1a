//! Project rules from `.sg-lsp/rules/` (laid out like `queries/`) added to the built-in ones. A broken
//! rule never disables the others: it shows as a diagnostic in its own file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types::{Diagnostic, DiagnosticSeverity, NumberOrString, Range, Uri};

use super::diagnostics::SOURCE;
use crate::rule_files;
use crate::rules::{LoadOptions, RuleError, RuleSet};

/// Where project rules live, relative to the workspace root.
pub(super) const DIR: &str = ".sg-lsp/rules";
/// Code of the diagnostic on a rule file that did not load.
const BROKEN_RULE: &str = "sg.broken-rule";

/// The rules to scan with, and the diagnostics of the rule files that did not load, by URI.
pub(super) struct Loaded {
    pub rules: Arc<RuleSet>,
    pub errors: HashMap<String, (Uri, Vec<Diagnostic>)>,
}

/// Loads the built-in rules plus the project's, if `root` has a rules folder.
pub(super) fn load(root: Option<&Path>) -> Loaded {
    let dir = root.map(|root| root.join(DIR)).filter(|dir| dir.is_dir());
    let Some(dir) = dir else {
        let (rules, _) = RuleSet::load(RuleSet::builtin_sources(), LoadOptions::default());
        return Loaded { rules: Arc::new(rules), errors: HashMap::new() };
    };
    let (sources, mut errors) = rule_files::read_dir(&dir);
    // Project rules are compiled now so a broken one is reported (the built-ins are checked by tests).
    let (checked, load_errors) = RuleSet::load(sources.clone(), LoadOptions { validate_queries: true });
    errors.extend(load_errors);
    let good: Vec<_> = sources
        .into_iter()
        .filter(|source| checked.rules().iter().any(|r| r.id == id_of(&source.path)))
        .collect();
    let (rules, duplicate_errors) =
        RuleSet::load(RuleSet::builtin_sources().into_iter().chain(good), LoadOptions::default());
    errors.extend(duplicate_errors);
    tracing::info!(project_rules = checked.rules().len(), broken = errors.len(), "loaded project rules");
    Loaded { rules: Arc::new(rules), errors: diagnostics(&dir, &errors) }
}

/// `python/my-rule` → `python.my-rule`.
fn id_of(path: &str) -> String {
    path.replacen('/', ".", 1)
}

/// One diagnostic per error, on the file it is about.
fn diagnostics(dir: &Path, errors: &[RuleError]) -> HashMap<String, (Uri, Vec<Diagnostic>)> {
    let mut out: HashMap<String, (Uri, Vec<Diagnostic>)> = HashMap::new();
    for error in errors {
        let Some(uri) = Uri::from_file_path(file_of(dir, error)) else { continue };
        let diagnostic = Diagnostic {
            range: Range::default(),
            severity: Some(DiagnosticSeverity::ERROR),
            code: Some(NumberOrString::String(BROKEN_RULE.to_owned())),
            source: Some(SOURCE.to_owned()),
            message: format!("this rule did not load (the others still run): {}", error.message),
            ..Diagnostic::default()
        };
        out.entry(uri.as_str().to_owned()).or_insert_with(|| (uri, Vec::new())).1.push(diagnostic);
    }
    out
}

/// The file an error is about: its own path if it names one, else the rule's `.scm` for a query
/// problem and its `.toml` otherwise.
fn file_of(dir: &Path, error: &RuleError) -> PathBuf {
    let path = Path::new(&error.path);
    if path.is_absolute() {
        return path.to_path_buf();
    }
    let extension = if error.message.starts_with("query") { "scm" } else { "toml" };
    dir.join(format!("{}.{extension}", error.path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_project_rule_is_a_diagnostic_on_its_file_and_the_good_ones_load() {
        let root = std::env::temp_dir().join(format!("sg-lsp-project-rules-{}", std::process::id()));
        let python = root.join(DIR).join("python");
        std::fs::create_dir_all(&python).unwrap();
        let meta = "severity = \"warning\"\nconfidence = \"high\"\nmessage = \"m\"\nnote = \"n\"\n";
        std::fs::write(python.join("good.toml"), meta).unwrap();
        std::fs::write(
            python.join("good.scm"),
            "((call function: (identifier) @f) @finding (#eq? @f \"danger\"))",
        )
        .unwrap();
        std::fs::write(python.join("broken.toml"), meta).unwrap();
        std::fs::write(python.join("broken.scm"), "((call function: (no_such_node) @f) @finding)").unwrap();
        let loaded = load(Some(&root));
        assert!(loaded.rules.get("python.good").is_some());
        assert!(loaded.rules.get("python.broken").is_none());
        assert!(loaded.rules.get("python.eval").is_some(), "built-ins stay");
        let (uri, diagnostics) = loaded.errors.values().next().expect("one broken file");
        assert!(uri.as_str().ends_with("/python/broken.scm"), "{}", uri.as_str());
        assert_eq!(diagnostics[0].code, Some(NumberOrString::String(BROKEN_RULE.into())));
        let findings = crate::scan::scan(&loaded.rules, crate::Language::Python, "danger(x)\n");
        assert!(findings.iter().any(|f| f.rule == "python.good"), "{findings:?}");
        let _ = std::fs::remove_dir_all(root);
    }
}
