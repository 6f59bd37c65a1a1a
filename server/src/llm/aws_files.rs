//! The AWS shared config and credentials files (INI): one profile's keys. In `config` a profile is
//! `[profile name]` (but `[default]`); in `credentials` it is `[name]`.

use std::collections::HashMap;
use std::path::Path;

/// The keys of `profile` in the file at `path`, or `None` when the file or the profile is missing.
pub fn read_profile(path: &Path, profile: &str, is_config: bool) -> Option<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).ok()?;
    parse_profile(&text, profile, is_config)
}

/// Parses INI text: `#`/`;` comments, `key = value`, later duplicate sections merge, keys lowercase.
/// Indented lines (nested `s3 =` blocks) are skipped.
pub fn parse_profile(text: &str, profile: &str, is_config: bool) -> Option<HashMap<String, String>> {
    let mut found = false;
    let mut inside = false;
    let mut keys = HashMap::new();
    for raw in text.lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if let Some(section) = trimmed.strip_prefix('[').and_then(|s| s.split(']').next()) {
            inside = section_name(section.trim(), is_config).is_some_and(|name| name == profile);
            found |= inside;
            continue;
        }
        if !inside || line.starts_with([' ', '\t']) {
            continue;
        }
        if let Some((key, value)) = trimmed.split_once('=') {
            keys.insert(key.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    found.then_some(keys)
}

fn section_name(section: &str, is_config: bool) -> Option<&str> {
    if !is_config || section == "default" {
        return Some(section);
    }
    section.strip_prefix("profile").filter(|rest| rest.starts_with([' ', '\t'])).map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_profiles_need_the_prefix_credentials_do_not() {
        let config = "[default]\nregion=us-east-1\n[profile dev]\n# comment\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 2\n[dev]\nregion=wrong\n";
        assert_eq!(parse_profile(config, "dev", true).unwrap()["region"], "eu-west-1");
        assert_eq!(parse_profile(config, "default", true).unwrap()["region"], "us-east-1");
        assert!(!parse_profile(config, "dev", true).unwrap().contains_key("max_concurrent_requests"));
        let credentials = "[dev]\nAWS_ACCESS_KEY_ID = A\n[profile dev]\naws_access_key_id = wrong\n";
        assert_eq!(parse_profile(credentials, "dev", false).unwrap()["aws_access_key_id"], "A");
        assert!(parse_profile(credentials, "nope", false).is_none());
    }
}
