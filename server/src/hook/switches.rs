//! Kill switches and layer switches from the environment (SPEC §5), read once per run.
//!
//! The names are those of the original `security-guidance` plugin, so existing setups keep working.
//! Empty values count as unset.

/// Which layers run, and how the opt-in blocking behaves.
#[allow(clippy::struct_excessive_bools, reason = "one field per documented switch reads best")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Switches {
    /// `SECURITY_GUIDANCE_DISABLE` (or the legacy `ENABLE_SECURITY_REMINDER=0`): do nothing at all.
    pub(crate) disabled: bool,
    /// `ENABLE_PATTERN_RULES`: the pattern layer (`PostToolUse` warnings, `PreToolUse` blocking).
    pub(crate) pattern: bool,
    /// `ENABLE_CODE_SECURITY_REVIEW` and `ENABLE_STOP_REVIEW`: the Stop diff review.
    pub(crate) stop_review: bool,
    /// `ENABLE_CODE_SECURITY_REVIEW` and `ENABLE_COMMIT_REVIEW` (legacy
    /// `SECURITY_GUIDANCE_COMMIT_REVIEW=off`): the commit review.
    pub(crate) commit_review: bool,
    /// `SG_HOOK_BLOCK`: what `PreToolUse` denies.
    pub(crate) block: Block,
    /// `MAX_STOP_HOOK_FIRINGS` (default 3; 0 means no cap).
    pub(crate) max_stop_fires: u32,
    /// A value that was not understood, to report once.
    pub(crate) problem: Option<String>,
}

/// What the opt-in `PreToolUse` gate denies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Block {
    Off,
    /// Only edits that would add a hardcoded secret.
    Secrets,
    /// Any error-severity finding (secrets included).
    Errors,
}

impl Switches {
    pub(crate) fn from_env() -> Switches {
        Switches::from_lookup(env_value)
    }

    /// Reads the switches through `lookup` (the environment, or a table in tests).
    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Switches {
        let flag = |name: &str| lookup(name).and_then(|value| parse_flag(&value));
        let mut problem = None;
        let disabled = flag("SECURITY_GUIDANCE_DISABLE") == Some(true)
            || flag("ENABLE_SECURITY_REMINDER") == Some(false);
        let review = flag("ENABLE_CODE_SECURITY_REVIEW") != Some(false);
        let block = match lookup("SG_HOOK_BLOCK").map(|v| v.to_ascii_lowercase()) {
            None => Block::Off,
            Some(v) if v == "secrets" => Block::Secrets,
            Some(v) if v == "errors" => Block::Errors,
            Some(v) if parse_flag(&v) == Some(false) => Block::Off,
            Some(v) => {
                problem = Some(format!("SG_HOOK_BLOCK=`{v}` is not `secrets` or `errors`; not blocking"));
                Block::Off
            }
        };
        let max_stop_fires = match lookup("MAX_STOP_HOOK_FIRINGS") {
            None => 3,
            Some(v) => v.trim().parse().unwrap_or_else(|_| {
                problem = Some(format!("MAX_STOP_HOOK_FIRINGS=`{v}` is not a number; using 3"));
                3
            }),
        };
        Switches {
            disabled,
            pattern: flag("ENABLE_PATTERN_RULES") != Some(false),
            stop_review: review && flag("ENABLE_STOP_REVIEW") != Some(false),
            commit_review: review
                && flag("ENABLE_COMMIT_REVIEW") != Some(false)
                && flag("SECURITY_GUIDANCE_COMMIT_REVIEW") != Some(false),
            block,
            max_stop_fires,
            problem,
        }
    }
}

/// An environment variable, with empty values treated as unset.
pub(crate) fn env_value(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.trim().is_empty())
}

/// `1/true/yes/on` → true, `0/false/no/off` → false, anything else → not set.
fn parse_flag(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn switches(pairs: &[(&str, &str)]) -> Switches {
        Switches::from_lookup(|name| {
            pairs.iter().find(|(key, _)| *key == name).map(|(_, v)| (*v).to_owned()).filter(|v| !v.is_empty())
        })
    }

    #[test]
    fn defaults_run_every_layer_and_block_nothing() {
        let s = switches(&[]);
        assert!(!s.disabled && s.pattern && s.stop_review && s.commit_review);
        assert_eq!((s.block, s.max_stop_fires, s.problem), (Block::Off, 3, None));
    }

    #[test]
    fn kill_switches_and_layer_switches() {
        assert!(switches(&[("SECURITY_GUIDANCE_DISABLE", "yes")]).disabled);
        assert!(switches(&[("ENABLE_SECURITY_REMINDER", "0")]).disabled);
        assert!(!switches(&[("SECURITY_GUIDANCE_DISABLE", "")]).disabled);
        assert!(!switches(&[("SECURITY_GUIDANCE_DISABLE", "0")]).disabled);
        assert!(!switches(&[("ENABLE_PATTERN_RULES", "off")]).pattern);
        let no_review = switches(&[("ENABLE_CODE_SECURITY_REVIEW", "false")]);
        assert!(!no_review.stop_review && !no_review.commit_review && no_review.pattern);
        assert!(!switches(&[("ENABLE_STOP_REVIEW", "0")]).stop_review);
        assert!(!switches(&[("ENABLE_COMMIT_REVIEW", "0")]).commit_review);
        assert!(!switches(&[("SECURITY_GUIDANCE_COMMIT_REVIEW", "off")]).commit_review);
    }

    #[test]
    fn block_modes_and_bad_values() {
        assert_eq!(switches(&[("SG_HOOK_BLOCK", "Secrets")]).block, Block::Secrets);
        assert_eq!(switches(&[("SG_HOOK_BLOCK", "errors")]).block, Block::Errors);
        assert_eq!(switches(&[("SG_HOOK_BLOCK", "off")]).block, Block::Off);
        let bad = switches(&[("SG_HOOK_BLOCK", "everything")]);
        assert_eq!(bad.block, Block::Off);
        assert!(bad.problem.unwrap().contains("SG_HOOK_BLOCK"));
        assert_eq!(switches(&[("MAX_STOP_HOOK_FIRINGS", "0")]).max_stop_fires, 0);
    }
}
