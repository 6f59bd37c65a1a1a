//! Script files: a JSON array of entries, each a reply (used once, in order), a rule
//! `{"when": {...}, "reply": {...}, "times": N | "always"}` (or the shorthand `"when_body_contains": "..."`),
//! or `{"default": reply}`. See `tests/README.md` for the reply forms.

use std::fmt;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::{Match, Reply, Rule, SseEvent};

/// Parsed script: rules in order, and the fallback reply.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Script {
    pub rules: Vec<Rule>,
    pub default: Option<Reply>,
}

/// What is wrong with a script, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptError(pub String);

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScriptError {}

fn err<T>(message: impl Into<String>) -> Result<T, ScriptError> {
    Err(ScriptError(message.into()))
}

impl Script {
    /// Parses a script from JSON text.
    pub fn parse(text: &str) -> Result<Script, ScriptError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| ScriptError(format!("script is not JSON: {e}")))?;
        Script::from_json(&value)
    }

    /// Builds a script from a JSON array (a single object is taken as a one-entry array).
    pub fn from_json(value: &Value) -> Result<Script, ScriptError> {
        let entries = match value {
            Value::Array(entries) => entries.as_slice(),
            Value::Object(_) => std::slice::from_ref(value),
            _ => return err("a script is a JSON array of entries"),
        };
        let mut script = Script::default();
        for (i, entry) in entries.iter().enumerate() {
            let obj = entry.as_object().ok_or_else(|| ScriptError(format!("entry {i}: not an object")))?;
            let at = |e: ScriptError| ScriptError(format!("entry {i}: {}", e.0));
            if let Some(default) = obj.get("default") {
                script.default = Some(parse_reply(default).map_err(at)?);
            } else if obj.contains_key("reply") {
                script.rules.push(parse_rule(obj).map_err(at)?);
            } else {
                script.rules.push(Rule::once(parse_reply(entry).map_err(at)?));
            }
        }
        Ok(script)
    }
}

fn parse_rule(obj: &Map<String, Value>) -> Result<Rule, ScriptError> {
    let mut when = match obj.get("when") {
        Some(w) => parse_match(w)?,
        None => Match::default(),
    };
    if let Some(text) = obj.get("when_body_contains") {
        when.body_contains = Some(string(text, "when_body_contains")?);
    }
    let times = match obj.get("times") {
        None => Some(1),
        Some(Value::String(s)) if s == "always" => None,
        Some(n) => Some(
            n.as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| ScriptError("times: a positive number or \"always\"".to_owned()))?,
        ),
    };
    Ok(Rule { when, reply: parse_reply(&obj["reply"])?, times })
}

fn parse_match(value: &Value) -> Result<Match, ScriptError> {
    let obj = value.as_object().ok_or_else(|| ScriptError("when: an object".to_owned()))?;
    let mut m = Match::default();
    for (key, v) in obj {
        match key.as_str() {
            "body_contains" => m.body_contains = Some(string(v, key)?),
            "body_not_contains" => m.body_not_contains = Some(string(v, key)?),
            "tool" => m.tool = Some(string(v, key)?),
            "path_contains" => m.path_contains = Some(string(v, key)?),
            "has_tools" => {
                m.has_tools = Some(v.as_bool().ok_or_else(|| ScriptError("has_tools: a bool".to_owned()))?);
            }
            "assistant_turns" => {
                m.assistant_turns = Some(
                    v.as_u64()
                        .and_then(|n| usize::try_from(n).ok())
                        .ok_or_else(|| ScriptError("assistant_turns: a number".to_owned()))?,
                );
            }
            other => return err(format!("when: unknown condition '{other}'")),
        }
    }
    Ok(m)
}

fn string(value: &Value, what: &str) -> Result<String, ScriptError> {
    value.as_str().map(str::to_owned).ok_or_else(|| ScriptError(format!("{what}: a string")))
}

fn millis(value: Option<&Value>) -> Duration {
    Duration::from_millis(value.and_then(Value::as_u64).unwrap_or(0))
}

/// One reply object: exactly one of the known keys, plus optional `delay_ms` and `headers`.
pub(crate) fn parse_reply(value: &Value) -> Result<Reply, ScriptError> {
    let obj = value.as_object().ok_or_else(|| ScriptError("a reply is an object".to_owned()))?;
    let kind = obj
        .keys()
        .find(|k| !matches!(k.as_str(), "delay_ms" | "headers"))
        .ok_or_else(|| ScriptError("empty reply".to_owned()))?;
    let v = &obj[kind];
    let mut reply = match kind.as_str() {
        "message" => Reply::message(v.clone()),
        "text" => Reply::text(&string(v, "text")?),
        "tool_use" => Reply::tool_use(
            &string(&v["name"], "tool_use.name")?,
            v.get("input").cloned().unwrap_or_else(|| serde_json::json!({})),
        ),
        "refusal" => Reply::refusal(),
        "overloaded" => Reply::overloaded(),
        "spend_limit" => Reply::spend_limit(),
        "stream_error_event" => Reply::stream_error_event(),
        "cut_mid_stream" => Reply::cut_mid_stream(v.clone()),
        "error" => {
            let status = v["status"]
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .ok_or_else(|| ScriptError("error.status: a number".to_owned()))?;
            let mut reply = Reply::error(
                status,
                v["type"].as_str().unwrap_or("api_error"),
                v["message"].as_str().unwrap_or("mock error"),
            );
            if let Some(secs) = v.get("retry_after") {
                let secs = secs.as_u64().map_or_else(|| secs.to_string(), |s| s.to_string());
                reply = reply.with_header("retry-after", &secs);
            }
            reply
        }
        "raw" => Reply::raw(
            v["status"].as_u64().and_then(|s| u16::try_from(s).ok()).unwrap_or(200),
            headers(v.get("headers"))?,
            v["body"].as_str().map_or_else(|| v["body"].to_string(), str::to_owned),
        ),
        "sse" => {
            let events = v["events"]
                .as_array()
                .ok_or_else(|| ScriptError("sse.events: an array".to_owned()))?
                .iter()
                .map(|e| {
                    let data = e["data"].as_str().map_or_else(|| e["data"].to_string(), str::to_owned);
                    SseEvent::new(e["event"].as_str().unwrap_or_default(), data)
                        .after(millis(e.get("delay_ms")))
                })
                .collect();
            let mut reply = Reply::sse(events);
            if v["crlf"].as_bool() == Some(true) {
                reply = reply.crlf();
            }
            if let Some(drip) = v.get("drip") {
                let chunk = drip["chunk"].as_u64().and_then(|c| usize::try_from(c).ok()).unwrap_or(1);
                reply = reply.drip(chunk, millis(drip.get("delay_ms")));
            }
            reply
        }
        other => return err(format!("unknown reply kind '{other}'")),
    };
    for (name, value) in headers(obj.get("headers"))? {
        reply = reply.with_header(&name, &value);
    }
    if let Some(delay) = obj.get("delay_ms") {
        reply = Reply::delayed(millis(Some(delay)), reply);
    }
    Ok(reply)
}

fn headers(value: Option<&Value>) -> Result<Vec<(String, String)>, ScriptError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let obj = value.as_object().ok_or_else(|| ScriptError("headers: an object".to_owned()))?;
    Ok(obj
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_rules_and_default() {
        let script = Script::parse(
            r#"[
              {"tool_use": {"name": "report_findings", "input": {"findings": []}}},
              {"when_body_contains": "report_findings", "reply": {"text": "r"}, "times": "always"},
              {"when": {"assistant_turns": 1, "tool": "Write"}, "reply": {"text": "done"}, "times": 2},
              {"error": {"status": 429, "type": "rate_limit_error", "message": "x", "retry_after": 1}},
              {"default": {"text": "fallback"}}
            ]"#,
        )
        .unwrap();
        assert_eq!(script.rules.len(), 4);
        assert_eq!(script.rules[1].times, None);
        assert_eq!(script.rules[1].when.body_contains.as_deref(), Some("report_findings"));
        assert_eq!(script.rules[2].times, Some(2));
        assert_eq!(script.rules[2].when.assistant_turns, Some(1));
        assert_eq!(
            script.rules[3].reply,
            Reply::error(429, "rate_limit_error", "x").with_header("retry-after", "1")
        );
        assert_eq!(script.default, Some(Reply::text("fallback")));
    }

    #[test]
    fn errors_name_the_entry() {
        let e = Script::from_json(&json!([{"text": "a"}, {"bogus": 1}])).unwrap_err();
        assert_eq!(e.0, "entry 1: unknown reply kind 'bogus'");
    }
}
