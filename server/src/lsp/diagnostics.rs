//! A `Finding` becomes a `Diagnostic` here and nowhere else.

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticSeverity, DiagnosticTag, NumberOrString, Uri,
};

use super::position;
use crate::finding::{Finding, Severity};
use crate::rules::RuleSet;
use crate::scan::suppress;
use crate::text::{Encoding, LineIndex};

/// `source` of every diagnostic of the pattern layer.
pub(super) const SOURCE: &str = "sg-lsp";

/// What a diagnostic carries in `data` for code actions: which finding it is.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Data {
    pub fingerprint: String,
    /// The rule has a quick fix for this finding.
    pub fixable: bool,
}

/// The diagnostic of `finding`, found in `text` (indexed by `index`).
pub(super) fn to_diagnostic(
    finding: &Finding,
    rules: &RuleSet,
    index: &LineIndex,
    text: &str,
    encoding: Encoding,
) -> Diagnostic {
    let data = Data { fingerprint: finding.fingerprint.clone(), fixable: finding.fix.is_some() };
    Diagnostic {
        range: position::text_range(index, text, &finding.span, encoding),
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.rule.clone())),
        code_description: help_uri(rules, &finding.rule).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_owned()),
        message: finding.message.clone(),
        related_information: None,
        // Editors grey out unnecessary code, which is what an unused suppression is.
        tags: (finding.rule == suppress::UNUSED).then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: serde_json::to_value(data).ok(),
    }
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// The rule's documentation link (its first CWE's page), if it has one.
pub(super) fn help_uri(rules: &RuleSet, rule: &str) -> Option<Uri> {
    rules.get(rule)?.help_uri()?.parse().ok()
}

/// The fingerprint a diagnostic sent back by the client points at, if it is one of ours.
pub(super) fn fingerprint_of(diagnostic: &Diagnostic) -> Option<String> {
    if diagnostic.source.as_deref() != Some(SOURCE) {
        return None;
    }
    let data: Data = serde_json::from_value(diagnostic.data.clone()?).ok()?;
    Some(data.fingerprint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::Language;

    #[test]
    fn a_finding_becomes_a_diagnostic_with_code_link_source_and_data() {
        let rules = RuleSet::builtin();
        let text = "import pickle\nx = 'é'; pickle.loads(data)\n";
        let findings = crate::scan::scan(rules, Language::Python, text);
        let finding = findings.iter().find(|f| f.rule == "python.pickle-load").expect("pickle finding");
        let diagnostic = to_diagnostic(finding, rules, &LineIndex::new(text), text, Encoding::Utf16);
        assert_eq!(diagnostic.range.start.line, 1);
        assert_eq!(diagnostic.range.start.character, 9, "é is one UTF-16 unit");
        assert_eq!(diagnostic.code, Some(NumberOrString::String("python.pickle-load".into())));
        assert_eq!(diagnostic.source.as_deref(), Some("sg-lsp"));
        assert!(diagnostic.code_description.unwrap().href.as_str().starts_with("https://cwe.mitre.org/"));
        let utf8 = to_diagnostic(finding, rules, &LineIndex::new(text), text, Encoding::Utf8);
        assert_eq!(utf8.range.start.character, 10, "é is two UTF-8 bytes");
        assert_eq!(fingerprint_of(&utf8).as_deref(), Some(finding.fingerprint.as_str()));
    }

    #[test]
    fn suppression_bookkeeping_is_a_hint_and_an_unused_one_is_unnecessary() {
        let rules = RuleSet::builtin();
        let text = "x = 1  # sg-ignore[python.eval]: not needed\n";
        let findings = crate::scan::scan(rules, Language::Python, text);
        let unused = findings.iter().find(|f| f.rule == suppress::UNUSED).expect("unused suppression");
        let diagnostic = to_diagnostic(unused, rules, &LineIndex::new(text), text, Encoding::Utf16);
        assert_eq!(diagnostic.severity, Some(DiagnosticSeverity::HINT));
        assert_eq!(diagnostic.tags, Some(vec![DiagnosticTag::UNNECESSARY]));
        assert!(diagnostic.code_description.is_none());
    }
}
