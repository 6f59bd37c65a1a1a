//! The cooldown marker (SPEC §4): after a failure that will repeat (auth, quota, refusal, three
//! timeouts in a row, a review killed by a signal or out of memory) a layer is skipped for a window
//! (24 h, `SG_COOLDOWN_HOURS`), with one retry allowed when the window ends; success clears it. Also
//! a bounded list of recent failures for `doctor`. Time is passed in (unix seconds) so tests are exact.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::LlmError;

pub const DEFAULT_WINDOW_SECS: u64 = 24 * 3600;
/// Timeouts in a row that start a cooldown.
pub const TIMEOUTS_TO_COOL: u32 = 3;
const RECENT_MAX: usize = 20;
const RECENT_MAX_AGE_SECS: u64 = 30 * 24 * 3600;
const RECENT_FILE: &str = "llm-failures.json";

/// The marker file's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    pub code: String,
    pub message: String,
    /// When the first failure of this marker happened.
    pub since: u64,
    /// End of the cooldown window; `None` while only counting timeouts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<u64>,
    /// When the one retry after the window was handed out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retried_at: Option<u64>,
    /// Timeouts in a row so far.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub timeouts: u32,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// What a layer should do now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gate {
    /// No cooldown: go ahead.
    Open,
    /// Skip, with a one-line note naming the cause and the end of the window.
    Cooling { until: u64, code: String, message: String },
    /// The window is over: this is the one retry allowed (report success or failure afterwards).
    Retry,
}

/// A failure as the cooldown sees it: LLM failures, or `signal_killed:N` / `oom` from callers.
#[derive(Clone, Debug)]
pub struct Failure {
    pub code: String,
    pub message: String,
    /// Whether it will repeat (starts a cooldown at once).
    pub repeats: bool,
}

impl From<&LlmError> for Failure {
    fn from(error: &LlmError) -> Failure {
        Failure {
            code: error.code.as_str().to_string(),
            message: error.message.clone(),
            repeats: error.repeats,
        }
    }
}

impl Failure {
    /// A review process killed by signal `n` (repeats: the same diff will be killed again).
    pub fn signal_killed(n: i32, message: impl Into<String>) -> Failure {
        Failure { code: format!("signal_killed:{n}"), message: message.into(), repeats: true }
    }

    pub fn oom(message: impl Into<String>) -> Failure {
        Failure { code: "oom".into(), message: message.into(), repeats: true }
    }
}

/// One entry of the recent-failures list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureRecord {
    pub layer: String,
    pub code: String,
    pub message: String,
    pub at: u64,
}

/// The window from `SG_COOLDOWN_HOURS` (fractions allowed), else 24 h.
pub fn window_from_env(env: impl Fn(&str) -> Option<String>) -> u64 {
    env("SG_COOLDOWN_HOURS")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|h| h.is_finite() && *h >= 0.0)
        .map_or(DEFAULT_WINDOW_SECS, |h| {
            #[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
            // non-negative, finite, checked above
            let secs = (h * 3600.0).round() as u64;
            secs
        })
}

/// The state directory (SPEC §4) and the variable that chose it: `SECURITY_WARNINGS_STATE_DIR`, else
/// `$CLAUDE_CONFIG_DIR/security`, else `~/.claude/security` (`HOME`, else `USERPROFILE`). Empty values
/// count as unset. `None` without any of them. Shared by every face that reads or writes markers.
pub fn state_dir(env: impl Fn(&str) -> Option<String>) -> Option<(PathBuf, &'static str)> {
    let get = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if let Some(dir) = get("SECURITY_WARNINGS_STATE_DIR") {
        return Some((PathBuf::from(dir), "SECURITY_WARNINGS_STATE_DIR"));
    }
    if let Some(config) = get("CLAUDE_CONFIG_DIR") {
        return Some((Path::new(&config).join("security"), "CLAUDE_CONFIG_DIR"));
    }
    if let Some(home) = get("HOME") {
        return Some((Path::new(&home).join(".claude").join("security"), "HOME"));
    }
    get("USERPROFILE").map(|home| (Path::new(&home).join(".claude").join("security"), "USERPROFILE"))
}

fn marker_path(dir: &Path, layer: &str) -> PathBuf {
    let safe: String =
        layer.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    dir.join(format!("cooldown-{safe}.json"))
}

fn read_marker(dir: &Path, layer: &str) -> Option<Marker> {
    serde_json::from_slice(&std::fs::read(marker_path(dir, layer)).ok()?).ok()
}

/// Writes through a temporary file and a rename, owner-only on Unix. Errors are ignored: a state
/// directory that cannot be written must not break a review.
fn write_json(path: &Path, value: &impl Serialize) {
    let Ok(text) = serde_json::to_vec_pretty(value) else { return };
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, text).is_ok() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600));
        }
        if std::fs::rename(&tmp, path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// Whether `layer` may call the LLM now. Handing out the retry is recorded, so it happens once per
/// window (a retry that never reports back is handed out again after another window).
pub fn check(dir: &Path, layer: &str, now: u64) -> Gate {
    let Some(mut marker) = read_marker(dir, layer) else { return Gate::Open };
    let Some(until) = marker.until else { return Gate::Open };
    let cooling = Gate::Cooling { until, code: marker.code.clone(), message: marker.message.clone() };
    if now < until {
        return cooling;
    }
    let window = until.saturating_sub(marker.since).max(1);
    match marker.retried_at {
        Some(at) if now < at.saturating_add(window) => cooling,
        _ => {
            marker.retried_at = Some(now);
            write_json(&marker_path(dir, layer), &marker);
            Gate::Retry
        }
    }
}

/// Records a failed call of `layer`; returns the marker when a cooldown is (now) active.
pub fn record_failure(
    dir: &Path,
    layer: &str,
    failure: &Failure,
    now: u64,
    window_secs: u64,
) -> Option<Marker> {
    remember(dir, layer, failure, now);
    let path = marker_path(dir, layer);
    let previous = read_marker(dir, layer);
    let timeouts =
        if failure.code == "timeout" { previous.as_ref().map_or(0, |m| m.timeouts) + 1 } else { 0 };
    let was_cooling = previous.as_ref().is_some_and(|m| m.until.is_some());
    if failure.repeats || timeouts >= TIMEOUTS_TO_COOL || was_cooling {
        // A new failure after the retry (or during the window) starts a fresh window.
        let marker = Marker {
            code: failure.code.clone(),
            message: failure.message.clone(),
            since: now,
            until: Some(now.saturating_add(window_secs)),
            retried_at: None,
            timeouts,
        };
        write_json(&path, &marker);
        return Some(marker);
    }
    if timeouts > 0 {
        let since = previous.map_or(now, |m| m.since);
        write_json(
            &path,
            &Marker {
                code: failure.code.clone(),
                message: failure.message.clone(),
                since,
                until: None,
                retried_at: None,
                timeouts,
            },
        );
    } else {
        let _ = std::fs::remove_file(&path);
    }
    None
}

/// A successful call clears the marker (and any timeout count).
pub fn record_success(dir: &Path, layer: &str) {
    let _ = std::fs::remove_file(marker_path(dir, layer));
}

/// The active marker of `layer`, if any (for `doctor`).
pub fn marker(dir: &Path, layer: &str) -> Option<Marker> {
    read_marker(dir, layer)
}

fn remember(dir: &Path, layer: &str, failure: &Failure, now: u64) {
    let mut list = recent_failures(dir);
    list.retain(|r| now.saturating_sub(r.at) <= RECENT_MAX_AGE_SECS);
    list.push(FailureRecord {
        layer: layer.to_string(),
        code: failure.code.clone(),
        message: failure.message.clone(),
        at: now,
    });
    if list.len() > RECENT_MAX {
        list.drain(..list.len() - RECENT_MAX);
    }
    write_json(&dir.join(RECENT_FILE), &list);
}

/// The last failures (at most 20, none older than 30 days at the time of the last write), oldest first.
pub fn recent_failures(dir: &Path) -> Vec<FailureRecord> {
    std::fs::read(dir.join(RECENT_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::FailureCode;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sg-cooldown-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    const H: u64 = 3600;
    const T0: u64 = 1_700_000_000;

    #[test]
    fn lifecycle_none_write_skip_one_retry_cleared() {
        let dir = temp("life");
        assert_eq!(check(&dir, "review", T0), Gate::Open);
        let auth = LlmError::new(
            FailureCode::Auth,
            "Anthropic API rejected the key (HTTP 401): check ANTHROPIC_API_KEY",
        );
        let written = record_failure(&dir, "review", &Failure::from(&auth), T0, 24 * H).unwrap();
        assert_eq!(written.until, Some(T0 + 24 * H));
        let Gate::Cooling { until, code, .. } = check(&dir, "review", T0 + H) else {
            panic!("cooling expected")
        };
        assert_eq!((until, code.as_str()), (T0 + 24 * H, "auth"));
        assert_eq!(check(&dir, "commit-review", T0 + H), Gate::Open, "layers are separate");
        // The window ends: one retry, then skip again until it reports.
        assert_eq!(check(&dir, "review", T0 + 24 * H), Gate::Retry);
        assert!(matches!(check(&dir, "review", T0 + 24 * H + 5), Gate::Cooling { .. }));
        assert_eq!(marker(&dir, "review").unwrap().retried_at, Some(T0 + 24 * H));
        // The retry fails: a fresh window.
        record_failure(&dir, "review", &Failure::from(&auth), T0 + 24 * H + 10, 24 * H);
        assert!(matches!(check(&dir, "review", T0 + 47 * H), Gate::Cooling { .. }));
        assert_eq!(check(&dir, "review", T0 + 48 * H + 10), Gate::Retry);
        record_success(&dir, "review");
        assert_eq!(check(&dir, "review", T0 + 48 * H + 20), Gate::Open);
        assert_eq!(recent_failures(&dir).len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_retry_that_never_reports_is_handed_out_again_after_another_window() {
        let dir = temp("lost");
        record_failure(&dir, "review", &Failure::oom("killed"), T0, 10);
        assert_eq!(check(&dir, "review", T0 + 10), Gate::Retry);
        assert!(matches!(check(&dir, "review", T0 + 15), Gate::Cooling { .. }));
        assert_eq!(check(&dir, "review", T0 + 20), Gate::Retry);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn three_timeouts_in_a_row_cool_other_transient_failures_reset() {
        let dir = temp("timeouts");
        let timeout = Failure::from(&LlmError::new(FailureCode::Timeout, "slow"));
        let network = Failure::from(&LlmError::new(FailureCode::Network, "down"));
        assert!(record_failure(&dir, "review", &timeout, T0, H).is_none());
        assert!(record_failure(&dir, "review", &timeout, T0 + 1, H).is_none());
        assert_eq!(check(&dir, "review", T0 + 2), Gate::Open);
        assert!(record_failure(&dir, "review", &network, T0 + 3, H).is_none());
        assert!(record_failure(&dir, "review", &timeout, T0 + 4, H).is_none());
        assert!(record_failure(&dir, "review", &timeout, T0 + 5, H).is_none());
        let marker = record_failure(&dir, "review", &timeout, T0 + 6, H).unwrap();
        assert_eq!((marker.timeouts, marker.until), (3, Some(T0 + 6 + H)));
        assert!(matches!(check(&dir, "review", T0 + 7), Gate::Cooling { .. }));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn recent_failures_are_bounded_and_pruned() {
        let dir = temp("recent");
        let failure = Failure::signal_killed(9, "killed");
        for i in 0..25 {
            record_failure(&dir, "review", &failure, T0 + i, H);
        }
        let list = recent_failures(&dir);
        assert_eq!(list.len(), 20);
        assert_eq!(list[0].at, T0 + 5);
        assert_eq!(list[0].code, "signal_killed:9");
        record_failure(&dir, "commit-review", &failure, T0 + 31 * 24 * H, H);
        assert_eq!(recent_failures(&dir).len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_state_dir_comes_from_the_first_variable_set() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_string())
        };
        assert_eq!(
            state_dir(env(&[("SECURITY_WARNINGS_STATE_DIR", "/s"), ("HOME", "/h")])),
            Some((PathBuf::from("/s"), "SECURITY_WARNINGS_STATE_DIR"))
        );
        assert_eq!(
            state_dir(env(&[("SECURITY_WARNINGS_STATE_DIR", " "), ("CLAUDE_CONFIG_DIR", "/c")])),
            Some((PathBuf::from("/c/security"), "CLAUDE_CONFIG_DIR"))
        );
        assert_eq!(state_dir(env(&[("HOME", "/h")])), Some((PathBuf::from("/h/.claude/security"), "HOME")));
        assert_eq!(state_dir(env(&[])), None);
    }

    #[test]
    fn the_window_comes_from_the_environment() {
        assert_eq!(window_from_env(|_| None), 24 * H);
        assert_eq!(window_from_env(|_| Some("1.5".into())), 5400);
        assert_eq!(window_from_env(|_| Some("x".into())), 24 * H);
    }
}
