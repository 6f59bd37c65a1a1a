//! Settings: the client's `sgLsp` options (`initializationOptions`, `workspace/configuration`) layered
//! over the project's `.sg-lsp.toml`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ignore::overrides::{Override, OverrideBuilder};
use serde::Deserialize;
use serde_json::Value;

use crate::config::Config;
use crate::finding::{Finding, Severity};

/// The configuration section clients hold our settings under.
pub(super) const SECTION: &str = "sgLsp";
/// Files larger than this get only the regex rules (no syntax tree), unless the client says otherwise.
pub(super) const DEFAULT_MAX_FILE_SIZE: usize = 2 * 1024 * 1024;

/// What the client sends, as sent: every field optional, unknown fields ignored (editors add their own,
/// such as the binary's path).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ClientOptions {
    #[serde(default)]
    pub rules: ClientRules,
    /// Gitignore-style globs, relative to the workspace root, of files never scanned.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// `utf-8`, `utf-16` or `utf-32`: the position encoding to use when the client offers it.
    pub position_encoding: Option<String>,
    /// Bytes above which a document gets only the regex rules.
    pub max_file_size: Option<usize>,
    /// Scan every workspace file in the background (default on, up to 10,000 files).
    pub workspace_scan: Option<bool>,
    #[serde(default)]
    pub review: ClientReview,
}

/// The LLM diff review's settings.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ClientReview {
    /// Review the saved file's changes on every save (default: on when credentials exist).
    pub on_save: Option<bool>,
    /// Review all changes after this many seconds without edits (default 0: off).
    pub idle_seconds: Option<u64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub(super) struct ClientRules {
    #[serde(default)]
    pub disable: Vec<String>,
    #[serde(default)]
    pub severity: HashMap<String, Severity>,
}

impl ClientOptions {
    /// Reads options from `initializationOptions` or a configuration answer: either the `sgLsp` object
    /// itself or an object holding it under `sgLsp`. `null` means no options.
    pub fn from_value(value: &Value) -> Result<ClientOptions, String> {
        let value = value.get(SECTION).unwrap_or(value);
        if value.is_null() {
            return Ok(ClientOptions::default());
        }
        let mut value = value.clone();
        // Lua has one table type, so Neovim sends an empty `{}` as `[]`: read that as an empty object.
        empty_array_as_object(&mut value);
        if let Some(rules) = value.get_mut("rules") {
            empty_array_as_object(rules);
            if let Some(severity) = rules.get_mut("severity") {
                empty_array_as_object(severity);
            }
        }
        serde_json::from_value(value).map_err(|e| format!("invalid {SECTION} settings: {e}"))
    }
}

fn empty_array_as_object(value: &mut Value) {
    if value.as_array().is_some_and(Vec::is_empty) {
        *value = Value::Object(serde_json::Map::new());
    }
}

/// The settings a scan runs with.
#[derive(Clone, Debug)]
pub(super) struct Settings {
    /// Rules disabled, severities overridden and paths excluded: the project file's, then the client's.
    pub config: Config,
    pub max_file_size: usize,
    pub workspace_scan: bool,
    /// `None`: on when credentials exist.
    #[allow(dead_code, reason = "read by the review triggers, landing next")]
    pub review_on_save: Option<bool>,
    /// `None`: no idle review.
    #[allow(dead_code, reason = "read by the review triggers, landing next")]
    pub review_idle: Option<std::time::Duration>,
    excluded: Option<(PathBuf, Override)>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            config: Config::default(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            workspace_scan: true,
            review_on_save: None,
            review_idle: None,
            excluded: None,
        }
    }
}

impl Settings {
    /// Layers the client's options over the project file. Returns the problems found (bad globs).
    pub fn resolve(project: &Config, client: &ClientOptions, root: Option<&Path>) -> (Settings, Vec<String>) {
        let mut config = project.clone();
        config.rules.disable.extend(client.rules.disable.iter().cloned());
        config
            .rules
            .severity
            .extend(client.rules.severity.iter().map(|(id, &severity)| (id.clone(), severity)));
        config.exclude.extend(client.exclude.iter().cloned());
        let mut problems = Vec::new();
        let excluded = match root {
            Some(root) if !config.exclude.is_empty() => {
                let mut builder = OverrideBuilder::new(root);
                for glob in &config.exclude {
                    if let Err(e) = builder.add(&format!("!{glob}")) {
                        problems.push(format!("bad exclude glob `{glob}`: {e}"));
                    }
                }
                builder.build().ok().map(|overrides| (root.to_path_buf(), overrides))
            }
            _ => None,
        };
        let max_file_size = client.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE);
        let workspace_scan = client.workspace_scan.unwrap_or(true);
        let review_on_save = client.review.on_save;
        let review_idle = client.review.idle_seconds.filter(|&s| s > 0).map(std::time::Duration::from_secs);
        (Settings { config, max_file_size, workspace_scan, review_on_save, review_idle, excluded }, problems)
    }

    /// Whether `path` matches an exclude glob.
    pub fn excludes(&self, path: &Path) -> bool {
        let Some((root, overrides)) = &self.excluded else { return false };
        path.starts_with(root) && overrides.matched(path, false).is_ignore()
    }

    /// Disabled rules dropped, severities overridden.
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        self.config.apply(findings)
    }
}

/// Reads `.sg-lsp.toml` in `root`. A missing file is the default; a broken one is the default plus the
/// problem to tell the user.
pub(super) fn read_project_config(root: &Path) -> (Config, Option<String>) {
    let path = root.join(".sg-lsp.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => match Config::parse(&text) {
            Ok(config) => (config, None),
            Err(e) => (Config::default(), Some(format!("{} ignored: {e}", path.display()))),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Config::default(), None),
        Err(e) => (Config::default(), Some(format!("cannot read {}: {e}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn options_come_bare_or_under_the_section_and_ignore_unknown_fields() {
        let bare = json!({"rules": {"disable": ["python.eval"]}, "path": "/bin/sg-lsp"});
        let nested =
            json!({"sgLsp": {"rules": {"severity": {"eval": "info"}}, "positionEncoding": "utf-16"}});
        assert_eq!(ClientOptions::from_value(&bare).unwrap().rules.disable, ["python.eval"]);
        let nested = ClientOptions::from_value(&nested).unwrap();
        assert_eq!(nested.rules.severity["eval"], Severity::Info);
        assert_eq!(nested.position_encoding.as_deref(), Some("utf-16"));
        assert!(ClientOptions::from_value(&Value::Null).unwrap().rules.disable.is_empty());
        assert!(ClientOptions::from_value(&json!({"rules": {"disable": 3}})).is_err());
        // Neovim's encoding of empty Lua tables.
        assert!(ClientOptions::from_value(&json!({"sgLsp": []})).is_ok());
        assert!(ClientOptions::from_value(&json!({"rules": [], "exclude": []})).is_ok());
        assert!(ClientOptions::from_value(&json!({"rules": {"severity": [], "disable": []}})).is_ok());
    }

    #[test]
    fn client_options_layer_over_the_project_file() {
        let project = Config::parse(
            "exclude = [\"vendor/**\"]\n[rules]\ndisable = [\"a.b\"]\nseverity = { \"x.y\" = \"error\" }\n",
        )
        .unwrap();
        let client =
            ClientOptions::from_value(&json!({"rules": {"disable": ["c.d"], "severity": {"x.y": "info"}}}))
                .unwrap();
        let root = Path::new("/work/project");
        let (settings, problems) = Settings::resolve(&project, &client, Some(root));
        assert!(problems.is_empty());
        assert_eq!(settings.config.rules.disable, ["a.b", "c.d"]);
        assert_eq!(settings.config.rules.severity["x.y"], Severity::Info);
        assert!(settings.excludes(&root.join("vendor/lib/x.py")));
        assert!(!settings.excludes(&root.join("src/x.py")));
        assert!(!settings.excludes(Path::new("/elsewhere/vendor/x.py")));
    }
}
