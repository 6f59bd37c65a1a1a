//! Project configuration (`.sg-lsp.toml`): disabled rules, severity overrides, excluded paths.

use std::collections::HashMap;

use serde::Deserialize;

use crate::finding::{Finding, Severity};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub rules: RulesConfig,
    /// Gitignore-style globs of paths never scanned.
    #[serde(default)]
    pub exclude: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    /// Rule ids (or bare names) that never report.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Rule id → severity.
    #[serde(default)]
    pub severity: HashMap<String, Severity>,
}

impl Config {
    pub fn parse(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Drops findings of disabled rules and applies severity overrides.
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter(|finding| !self.rules.disable.iter().any(|id| names_rule(id, &finding.rule)))
            .map(|mut finding| {
                if let Some(&severity) =
                    self.rules.severity.iter().find(|(id, _)| names_rule(id, &finding.rule)).map(|(_, s)| s)
                {
                    finding.severity = severity;
                }
                finding
            })
            .collect()
    }
}

fn names_rule(named: &str, rule: &str) -> bool {
    named == rule || rule.split_once('.').is_some_and(|(_, name)| name == named)
}
