//! `sg-lsp doctor`: what the tool sees, for when the review "does nothing": version, the provider and
//! model that would be used and why, where credentials come from (never their values), the switches in
//! effect, the state dir and debug log, cooldown markers, the last failures and the review cache of the
//! repository here. It reports problems; it does not fail on them (exit 0).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use super::{review_cmd, review_commit_cmd};
use crate::llm::{self, Client, Messages as _, cooldown};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum DoctorFormat {
    #[default]
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[arg(long, value_enum, default_value_t)]
    pub format: DoctorFormat,
}

/// Layers whose markers are always listed (others are found by their files).
const LAYERS: [&str; 2] = [review_cmd::LAYER, review_commit_cmd::LAYER];
/// Failures shown, newest first.
const RECENT_SHOWN: usize = 5;

/// What would enable each provider (the same variables as Claude Code).
const PROVIDERS: [(&str, &str); 5] = [
    ("Anthropic API", "ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN for a bearer token)"),
    (
        "gateway or local server",
        "ANTHROPIC_BASE_URL (+ ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN; none needed on 127.0.0.1/localhost)",
    ),
    (
        "Amazon Bedrock",
        "CLAUDE_CODE_USE_BEDROCK=1, AWS_REGION, and AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), \
         or AWS_BEARER_TOKEN_BEDROCK, or keys for AWS_PROFILE in ~/.aws/credentials",
    ),
    (
        "Google Vertex AI",
        "CLAUDE_CODE_USE_VERTEX=1, ANTHROPIC_VERTEX_PROJECT_ID, CLOUD_ML_REGION (default global), and application \
         default credentials (GOOGLE_APPLICATION_CREDENTIALS, `gcloud auth application-default login`, or the \
         metadata server)",
    ),
    (
        "Microsoft Foundry",
        "CLAUDE_CODE_USE_FOUNDRY=1, ANTHROPIC_FOUNDRY_RESOURCE (or ANTHROPIC_FOUNDRY_BASE_URL) and \
         ANTHROPIC_FOUNDRY_API_KEY",
    ),
];

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// `1/true/yes/on` → true, `0/false/no/off` → false, anything else → not understood.
fn parse_flag(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

pub(super) fn run(args: &DoctorArgs) -> anyhow::Result<u8> {
    let report = gather(&env, crate::clock::now());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        DoctorFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        DoctorFormat::Human => out.write_all(human(&report).as_bytes())?,
    }
    Ok(0)
}

/// Everything doctor knows, as JSON (the human form is rendered from it).
fn gather(env: &impl Fn(&str) -> Option<String>, now: u64) -> Value {
    let llm = match Client::from_env(env) {
        Ok(client) => {
            let describe: serde_json::Map<String, Value> =
                client.describe().into_iter().map(|(key, value)| (key, Value::String(value))).collect();
            let model = client.model().to_owned();
            json!({
                "configured": true,
                "settings": describe,
                "price_known": llm::cost::price(&model).is_some(),
            })
        }
        Err(error) => json!({
            "configured": false,
            "problem": error.message,
            "to_enable": PROVIDERS.iter().map(|(name, vars)| json!({"provider": name, "set": vars})).collect::<Vec<_>>(),
        }),
    };
    let state = cooldown::state_dir(env);
    let debug_log = match (env("SECURITY_GUIDANCE_DEBUG_LOG"), &state) {
        (Some(path), _) => Some((PathBuf::from(path), "SECURITY_GUIDANCE_DEBUG_LOG")),
        (None, Some((dir, _))) => Some((dir.join("log.txt"), "<state dir>/log.txt")),
        (None, None) => None,
    };
    let window = cooldown::window_from_env(env);
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "llm": llm,
        "switches": switches(env),
        "state": match &state {
            Some((dir, source)) => json!({"dir": dir, "source": source, "exists": dir.is_dir()}),
            None => json!({"dir": null, "problem": "no state dir: HOME is unset; set SECURITY_WARNINGS_STATE_DIR"}),
        },
        "debug_log": match &debug_log {
            Some((path, source)) => json!({
                "path": path,
                "source": source,
                "bytes": std::fs::metadata(path).ok().map(|m| m.len()),
            }),
            None => Value::Null,
        },
        "cooldown_window_hours": std::time::Duration::from_secs(window).as_secs_f64() / 3600.0,
        "cooldowns": state.as_ref().map(|(dir, _)| cooldowns(dir, now)).unwrap_or_default(),
        "recent_failures": state.as_ref().map(|(dir, _)| recent(dir)).unwrap_or_default(),
        "repository": repository(),
    })
}

fn switches(env: &impl Fn(&str) -> Option<String>) -> Vec<Value> {
    let value = |name: &str| env(name);
    let flag = |name: &str| value(name).and_then(|v| parse_flag(&v));
    let review = flag("ENABLE_CODE_SECURITY_REVIEW") != Some(false);
    let on_off = |on: bool, what: &str| format!("{what} {}", if on { "on" } else { "off" });
    let rows: [(&str, String); 7] = [
        (
            "SECURITY_GUIDANCE_DISABLE",
            if flag("SECURITY_GUIDANCE_DISABLE") == Some(true) {
                "the hook does nothing".into()
            } else {
                "hook active".into()
            },
        ),
        (
            "ENABLE_PATTERN_RULES",
            on_off(flag("ENABLE_PATTERN_RULES") != Some(false), "pattern layer in the hook"),
        ),
        ("ENABLE_CODE_SECURITY_REVIEW", on_off(review, "review layers in the hook")),
        ("ENABLE_STOP_REVIEW", on_off(review && flag("ENABLE_STOP_REVIEW") != Some(false), "Stop review")),
        (
            "ENABLE_COMMIT_REVIEW",
            on_off(review && flag("ENABLE_COMMIT_REVIEW") != Some(false), "commit review"),
        ),
        (
            "SG_DUAL_OR",
            if flag("SG_DUAL_OR") == Some(true) {
                "two reviews in parallel, findings unioned (twice the cost)".into()
            } else {
                "one review per change".into()
            },
        ),
        (
            "SG_HOOK_BLOCK",
            match value("SG_HOOK_BLOCK").map(|v| v.trim().to_ascii_lowercase()).as_deref() {
                Some("secrets") => "PreToolUse denies edits adding a secret".into(),
                Some("errors") => "PreToolUse denies edits adding an error-severity finding".into(),
                _ => "PreToolUse blocks nothing".into(),
            },
        ),
    ];
    rows.into_iter()
        .map(|(name, effect)| {
            let raw = value(name);
            let understood = match (name, raw.as_deref()) {
                (_, None) => true,
                ("SG_HOOK_BLOCK", Some(v)) => {
                    matches!(v.trim().to_ascii_lowercase().as_str(), "secrets" | "errors")
                        || parse_flag(v) == Some(false)
                }
                (_, Some(v)) => parse_flag(v).is_some(),
            };
            let effect = if understood { effect } else { format!("{effect} (value not understood)") };
            json!({"name": name, "value": raw, "effect": effect})
        })
        .collect()
}

/// Every cooldown marker in the state dir, with what it means now.
fn cooldowns(dir: &Path, now: u64) -> Vec<Value> {
    let mut layers: Vec<String> = LAYERS.iter().map(|l| (*l).to_owned()).collect();
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut found: Vec<String> = entries
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                Some(name.strip_prefix("cooldown-")?.strip_suffix(".json")?.to_owned())
            })
            .filter(|layer| !layers.contains(layer))
            .collect();
        found.sort();
        layers.extend(found);
    }
    layers
        .into_iter()
        .filter_map(|layer| {
            let marker = cooldown::marker(dir, &layer)?;
            let (active, status) = match marker.until {
                None => (
                    false,
                    format!(
                        "counting timeouts: {} in a row (a cooldown starts at {})",
                        marker.timeouts,
                        cooldown::TIMEOUTS_TO_COOL
                    ),
                ),
                Some(until) if now < until => (
                    true,
                    format!(
                        "active until {}; the one retry after the window is {}",
                        crate::clock::utc_minutes(until),
                        if marker.retried_at.is_some() { "used" } else { "not used yet" }
                    ),
                ),
                Some(until) => {
                    let window = until.saturating_sub(marker.since).max(1);
                    match marker.retried_at {
                        Some(at) if now < at.saturating_add(window) => (
                            true,
                            format!(
                                "window over; the one retry was used at {} without a result, skipping until {}",
                                crate::clock::utc_minutes(at),
                                crate::clock::utc_minutes(at.saturating_add(window))
                            ),
                        ),
                        _ => (false, "window over: the next review is the one retry".to_owned()),
                    }
                }
            };
            Some(json!({
                "layer": layer,
                "active": active,
                "status": status,
                "code": marker.code,
                "message": marker.message,
                "since": marker.since,
                "until": marker.until,
                "retry_used": marker.retried_at.is_some(),
                "retried_at": marker.retried_at,
                "file": dir.join(format!("cooldown-{layer}.json")),
            }))
        })
        .collect()
}

fn recent(dir: &Path) -> Vec<Value> {
    let mut list = cooldown::recent_failures(dir);
    list.reverse();
    list.truncate(RECENT_SHOWN);
    list.into_iter()
        .map(|r| json!({"at": r.at, "layer": r.layer, "code": r.code, "message": r.message}))
        .collect()
}

fn repository() -> Value {
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(error) => return json!({"problem": format!("no current directory: {error}")}),
    };
    match crate::git::Repo::discover(&cwd) {
        Ok(repo) => {
            let cache = crate::review::cache::Cache::in_git_dir(repo.git_dir());
            let entries = std::fs::read_dir(cache.dir()).map_or(0, |dir| {
                dir.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "json")).count()
            });
            json!({
                "root": repo.root(),
                "git_dir": repo.git_dir(),
                "review_cache": cache.dir(),
                "review_cache_entries": entries,
            })
        }
        Err(error) => json!({"problem": error.0}),
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

/// The human form of [`gather`]'s report.
#[allow(clippy::too_many_lines)] // one section after another
fn human(report: &Value) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "sg-lsp {}\n", text(&report["version"]));

    let llm = &report["llm"];
    if llm["configured"] == true {
        let _ = writeln!(out, "LLM layers: configured");
        if let Some(settings) = llm["settings"].as_object() {
            for (key, value) in settings {
                let _ = writeln!(out, "  {key:<18} {}", text(value));
            }
        }
        if llm["price_known"] == false {
            let _ = writeln!(out, "  {:<18} unknown for this model (cost is shown as unknown)", "price");
        }
    } else {
        let _ = writeln!(out, "LLM layers: off ({})", text(&llm["problem"]));
        let _ = writeln!(out, "  To enable them, set one of:");
        for provider in llm["to_enable"].as_array().into_iter().flatten() {
            let _ = writeln!(out, "    {}: {}", text(&provider["provider"]), text(&provider["set"]));
        }
        let _ = writeln!(out, "  The pattern layer works without any of them.");
    }

    let _ = writeln!(out, "\nSwitches");
    for row in report["switches"].as_array().into_iter().flatten() {
        let value = match &row["value"] {
            Value::Null => "(unset)".to_owned(),
            v => format!("={}", text(v)),
        };
        let _ = writeln!(out, "  {:<28} {value:<10} {}", text(&row["name"]), text(&row["effect"]));
    }

    let _ = writeln!(out, "\nState");
    let state = &report["state"];
    if state["dir"].is_null() {
        let _ = writeln!(out, "  state dir          {}", text(&state["problem"]));
    } else {
        let _ = writeln!(
            out,
            "  state dir          {} (from {}){}",
            text(&state["dir"]),
            text(&state["source"]),
            if state["exists"] == true { "" } else { " (not created yet)" }
        );
    }
    let log = &report["debug_log"];
    if !log.is_null() {
        let size = match log["bytes"].as_u64() {
            Some(bytes) => format!("{bytes} bytes"),
            None => "not written yet".into(),
        };
        let _ =
            writeln!(out, "  debug log          {} ({}; {size})", text(&log["path"]), text(&log["source"]));
    }
    let _ = writeln!(
        out,
        "  cooldown window    {} h (SG_COOLDOWN_HOURS)",
        report["cooldown_window_hours"].as_f64().unwrap_or_default()
    );

    let _ = writeln!(out, "\nCooldowns");
    let markers = report["cooldowns"].as_array().cloned().unwrap_or_default();
    if markers.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for marker in &markers {
        let _ = writeln!(
            out,
            "  {}: {} [{}] {}\n    since {}; clear it by deleting {}",
            text(&marker["layer"]),
            text(&marker["status"]),
            text(&marker["code"]),
            text(&marker["message"]),
            marker["since"].as_u64().map_or_else(|| "-".into(), crate::clock::utc_minutes),
            text(&marker["file"]),
        );
    }

    let _ = writeln!(out, "\nRecent failures (newest first)");
    let failures = report["recent_failures"].as_array().cloned().unwrap_or_default();
    if failures.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for failure in &failures {
        let _ = writeln!(
            out,
            "  {}  {}  {}  {}",
            failure["at"].as_u64().map_or_else(|| "-".into(), crate::clock::utc_minutes),
            text(&failure["layer"]),
            text(&failure["code"]),
            text(&failure["message"]),
        );
    }

    let _ = writeln!(out, "\nRepository");
    let repo = &report["repository"];
    if repo["root"].is_null() {
        let _ = writeln!(out, "  {}", text(&repo["problem"]));
    } else {
        let _ = writeln!(out, "  root               {}", text(&repo["root"]));
        let _ = writeln!(
            out,
            "  review cache       {} ({} entries)",
            text(&repo["review_cache"]),
            repo["review_cache_entries"].as_u64().unwrap_or_default()
        );
    }
    out
}
