//! Reads rule files from a directory laid out like `queries/` (an IO edge of the rule catalogue).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::rules::{RuleError, RuleSource};

/// Reads `<dir>/<family>/<name>.toml` (+ `.scm`) pairs. Unreadable files become errors; the rest load.
pub fn read_dir(dir: &Path) -> (Vec<RuleSource>, Vec<RuleError>) {
    let mut sources = BTreeMap::new();
    let mut errors = Vec::new();
    let families = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(RuleError { path: dir.display().to_string(), message: format!("cannot read: {e}") });
            return (Vec::new(), errors);
        }
    };
    for family in families.flatten().filter(|entry| entry.path().is_dir()) {
        let family_name = family.file_name().to_string_lossy().into_owned();
        let Ok(files) = fs::read_dir(family.path()) else { continue };
        for file in files.flatten() {
            let path = file.path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue;
            }
            let stem = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            let rule_path = format!("{family_name}/{stem}");
            let toml = match fs::read_to_string(&path) {
                Ok(toml) => toml,
                Err(e) => {
                    errors.push(RuleError {
                        path: path.display().to_string(),
                        message: format!("cannot read: {e}"),
                    });
                    continue;
                }
            };
            let query = fs::read_to_string(path.with_extension("scm")).ok();
            sources.insert(rule_path.clone(), RuleSource { path: rule_path, toml, query });
        }
    }
    (sources.into_values().collect(), errors)
}
