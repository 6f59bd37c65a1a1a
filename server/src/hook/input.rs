//! The hook's stdin: one JSON object from Claude Code, read tolerantly (fields differ across versions).

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::failure::{Code, Failure};

/// Events Claude Code sends that this hook has nothing to do for: exit 0 in silence.
pub(crate) const KNOWN_EVENTS: &[&str] = &[
    "PreToolUse",
    "PostToolUse",
    "PostToolUseFailure",
    "PostToolBatch",
    "PermissionRequest",
    "PermissionDenied",
    "Notification",
    "UserPromptSubmit",
    "UserPromptExpansion",
    "Stop",
    "SubagentStart",
    "SubagentStop",
    "PreCompact",
    "PostCompact",
    "SessionStart",
    "SessionEnd",
    "Setup",
    "ConfigChange",
    "MessageDisplay",
];

/// The fields of a hook event this shim uses.
#[derive(Clone, Debug, Default)]
pub(crate) struct Payload {
    pub(crate) event: String,
    pub(crate) session_id: String,
    pub(crate) cwd: Option<PathBuf>,
    pub(crate) tool_name: String,
    pub(crate) tool_input: Value,
    pub(crate) tool_response: Value,
    pub(crate) tool_use_id: String,
    pub(crate) stop_hook_active: bool,
}

impl Payload {
    pub(crate) fn parse(raw: Vec<u8>) -> Result<Payload, Failure> {
        if raw.iter().all(u8::is_ascii_whitespace) {
            return Err(Failure::new(Code::BadStdin, "stdin was empty; expected one hook event as JSON"));
        }
        let parsed = serde_json::from_slice(&raw);
        drop(raw);
        let mut value: Value =
            parsed.map_err(|e| Failure::new(Code::BadJson, format!("stdin is not one JSON object ({e})")))?;
        let Value::Object(_) = &value else {
            let kind = match value {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            };
            return Err(Failure::new(Code::BadEvent, format!("stdin is {kind}, not a hook event object")));
        };
        let text = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
        let event = text("hook_event_name");
        if event.is_empty() {
            return Err(Failure::new(Code::BadEvent, "the event has no `hook_event_name`"));
        }
        Ok(Payload {
            event,
            session_id: text("session_id"),
            cwd: value.get("cwd").and_then(Value::as_str).filter(|s| !s.is_empty()).map(PathBuf::from),
            tool_name: text("tool_name"),
            tool_use_id: text("tool_use_id"),
            stop_hook_active: value.get("stop_hook_active").and_then(Value::as_bool).unwrap_or(false),
            tool_input: value.get_mut("tool_input").map(Value::take).unwrap_or_default(),
            tool_response: slim_response(value.get_mut("tool_response").map(Value::take).unwrap_or_default()),
        })
    }

    /// The state key: Claude Code's remote session id when set, else the session id.
    pub(crate) fn session_key(&self) -> String {
        let raw = super::switches::env_value("CLAUDE_CODE_REMOTE_SESSION_ID")
            .unwrap_or_else(|| self.session_id.clone());
        sanitise_key(&raw)
    }
}

/// The parts of `tool_response` the hook reads (a Bash call's `stdout` names the commit it made); the
/// rest (copies of the file) is dropped at once.
fn slim_response(mut response: Value) -> Value {
    if let Value::Object(map) = &mut response {
        map.retain(|key, _| {
            matches!(key.as_str(), "structuredPatch" | "originalFile" | "interrupted" | "stderr" | "stdout")
        });
    }
    response
}

/// `[A-Za-z0-9._-]`, at most 128 characters, never empty: safe as part of a file name.
pub(crate) fn sanitise_key(raw: &str) -> String {
    let key: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' })
        .take(128)
        .collect();
    if key.is_empty() || key.chars().all(|c| c == '.') { "unknown".into() } else { key }
}

/// One replacement of an `Edit` or one entry of a `MultiEdit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Replace {
    pub(crate) old: String,
    pub(crate) new: String,
    pub(crate) all: bool,
}

/// What a file tool did, as its input says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    Write { content: String },
    Edit(Vec<Replace>),
    Notebook { new_source: String, delete: bool },
}

/// A file tool's target and change.
#[derive(Clone, Debug)]
pub(crate) struct FileEdit {
    /// The path to open: `\` separators understood, relative paths joined to `cwd`.
    pub(crate) path: PathBuf,
    /// `/`-separated, relative to the project when inside it: for messages and de-duplication.
    pub(crate) shown: String,
    pub(crate) change: Change,
}

impl FileEdit {
    /// Reads the file tool's input. `project` is `CLAUDE_PROJECT_DIR` (else the payload's `cwd`).
    /// The strings are moved out of `payload.tool_input` (a `Write` holds the whole file).
    pub(crate) fn from_payload(payload: &mut Payload, project: Option<&Path>) -> Result<FileEdit, Failure> {
        let mut input = payload.tool_input.take();
        let content = input.get_mut("content").map(Value::take);
        let new_source = input.get_mut("new_source").map(Value::take);
        let input = &input;
        let text = |key: &str| input.get(key).and_then(Value::as_str);
        let missing = |what: &str| {
            Failure::new(
                Code::BadToolInput,
                format!("{} input has no `{what}`; nothing scanned", payload.tool_name),
            )
        };
        let raw_path =
            text("file_path").or_else(|| text("notebook_path")).ok_or_else(|| missing("file_path"))?;
        let change = match payload.tool_name.as_str() {
            "Write" => match content {
                Some(Value::String(content)) => Change::Write { content },
                _ => return Err(missing("content")),
            },
            "Edit" => Change::Edit(vec![replace(input).ok_or_else(|| missing("new_string"))?]),
            "MultiEdit" => {
                let edits = input.get("edits").and_then(Value::as_array).ok_or_else(|| missing("edits"))?;
                Change::Edit(
                    edits
                        .iter()
                        .map(replace)
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| missing("new_string"))?,
                )
            }
            _ => Change::Notebook {
                new_source: match new_source {
                    Some(Value::String(source)) => source,
                    _ => String::new(),
                },
                delete: text("edit_mode") == Some("delete"),
            },
        };
        let cwd = payload.cwd.as_deref();
        let path = resolve(raw_path, cwd);
        let shown = shown_path(&path, project.or(cwd));
        Ok(FileEdit { path, shown, change })
    }

    /// Whether the target is a Jupyter notebook.
    pub(crate) fn is_notebook(&self) -> bool {
        self.shown.to_ascii_lowercase().ends_with(".ipynb")
    }
}

fn replace(value: &Value) -> Option<Replace> {
    Some(Replace {
        old: value.get("old_string").and_then(Value::as_str).unwrap_or_default().to_owned(),
        new: value.get("new_string")?.as_str()?.to_owned(),
        all: value.get("replace_all").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// The path to open. Claude Code sends absolute paths, with `\` on Windows; off Windows a `\` path
/// that does not exist is retried with `/`, and a relative path is taken from `cwd`.
pub(crate) fn resolve(raw: &str, cwd: Option<&Path>) -> PathBuf {
    let mut path = PathBuf::from(raw);
    if cfg!(not(windows)) && raw.contains('\\') && !path.exists() {
        path = PathBuf::from(raw.replace('\\', "/"));
    }
    match cwd {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => path,
    }
}

/// `/`-separated path, relative to `base` when inside it (compared with `\` turned into `/`, and
/// case-insensitively for a Windows drive letter).
pub(crate) fn shown_path(path: &Path, base: Option<&Path>) -> String {
    let normal = |p: &Path| {
        let text = p.to_string_lossy().replace('\\', "/");
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(drive), Some(':')) if drive.is_ascii_alphabetic() => {
                format!("{}{}", drive.to_ascii_lowercase(), &text[1..])
            }
            _ => text,
        }
    };
    let full = normal(path);
    let Some(base) = base.map(normal) else { return full };
    let base = base.trim_end_matches('/');
    match full.strip_prefix(base).and_then(|rest| rest.strip_prefix('/')) {
        Some(rest) if !base.is_empty() && !rest.is_empty() => rest.to_owned(),
        _ => full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(json: &str) -> Result<Payload, Code> {
        Payload::parse(json.as_bytes().to_vec()).map_err(|f| f.code)
    }

    #[test]
    fn rejects_what_is_not_one_event() {
        assert_eq!(payload("").unwrap_err(), Code::BadStdin);
        assert_eq!(payload(" \n").unwrap_err(), Code::BadStdin);
        assert_eq!(payload("{").unwrap_err(), Code::BadJson);
        assert_eq!(payload("[{\"hook_event_name\":\"Stop\"}]").unwrap_err(), Code::BadEvent);
        assert_eq!(payload("42").unwrap_err(), Code::BadEvent);
        assert_eq!(payload("{\"session_id\":\"x\"}").unwrap_err(), Code::BadEvent);
        let ok = payload(r#"{"hook_event_name":"Stop","stop_hook_active":true,"cwd":"/p"}"#).unwrap();
        assert!(ok.stop_hook_active);
        assert_eq!(ok.cwd.as_deref(), Some(Path::new("/p")));
    }

    #[test]
    fn session_keys_are_safe_file_name_parts() {
        assert_eq!(sanitise_key("bd6c67d9-9bf9"), "bd6c67d9-9bf9");
        assert_eq!(sanitise_key("../../etc/passwd"), ".._.._etc_passwd");
        assert_eq!(sanitise_key(""), "unknown");
        assert_eq!(sanitise_key(".."), "unknown");
        assert_eq!(sanitise_key(&"a".repeat(300)).len(), 128);
    }

    #[test]
    fn shows_paths_relative_to_the_project_with_forward_slashes() {
        assert_eq!(shown_path(Path::new("/p/src/a.py"), Some(Path::new("/p"))), "src/a.py");
        assert_eq!(shown_path(Path::new("/p/src/a.py"), Some(Path::new("/p/"))), "src/a.py");
        assert_eq!(shown_path(Path::new("/other/a.py"), Some(Path::new("/p"))), "/other/a.py");
        assert_eq!(shown_path(Path::new("/pp/a.py"), Some(Path::new("/p"))), "/pp/a.py");
        assert_eq!(shown_path(Path::new(r"C:\repo\src\app.py"), Some(Path::new(r"c:\repo"))), "src/app.py");
        assert_eq!(shown_path(Path::new(r"C:\repo\app.py"), None), "c:/repo/app.py");
    }

    #[test]
    fn reads_each_file_tool() {
        let edit = |json: &str| {
            let mut payload = payload(json).unwrap();
            FileEdit::from_payload(&mut payload, None).map_err(|f| f.code)
        };
        let multi = edit(
            r#"{"hook_event_name":"PostToolUse","tool_name":"MultiEdit","cwd":"/p","tool_input":{"file_path":"a.py",
            "edits":[{"old_string":"a","new_string":"b"},{"old_string":"c","new_string":"d","replace_all":true}]}}"#,
        )
        .unwrap();
        assert_eq!(multi.path, Path::new("/p/a.py"));
        assert_eq!(multi.shown, "a.py");
        let Change::Edit(edits) = multi.change else { panic!() };
        assert_eq!(edits[1], Replace { old: "c".into(), new: "d".into(), all: true });
        let notebook = edit(
            r#"{"hook_event_name":"PostToolUse","tool_name":"NotebookEdit","tool_input":{"notebook_path":"/p/n.ipynb","new_source":"x"}}"#,
        )
        .unwrap();
        assert!(notebook.is_notebook());
        assert_eq!(
            edit(r#"{"hook_event_name":"PostToolUse","tool_name":"Write","tool_input":{"content":"x"}}"#)
                .unwrap_err(),
            Code::BadToolInput
        );
        assert_eq!(
            edit(r#"{"hook_event_name":"PostToolUse","tool_name":"Edit","tool_input":{"file_path":"/a"}}"#)
                .unwrap_err(),
            Code::BadToolInput
        );
    }
}
