//! The agent's investigation tools, `Read`, `Grep` and `Glob`: their JSON schemas for the request,
//! reading (and rejecting, with a reason) the model's tool input, and running them through the
//! [`Sandbox`]. Grep and Glob walk the tree with the `ignore` crate (`.gitignore` respected, hidden
//! files included, `.git` never), with result caps. Every result has its secrets redacted with the
//! review layer's redaction before it goes back to the model. No tool writes, executes or connects.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;
use serde_json::{Value, json};

use super::sandbox::{BINARY_PROBE, MAX_WHOLE_FILE, Sandbox, is_git_name};
use crate::llm::Tool;
use crate::review::redact::Redactor;

pub const READ: &str = "Read";
pub const GREP: &str = "Grep";
pub const GLOB: &str = "Glob";

/// Matching lines returned by one Grep at most.
pub const MAX_GREP_LINES: usize = 200;
/// Characters kept of one matching line.
pub const MAX_GREP_LINE_CHARS: usize = 200;
/// Paths returned by one Glob at most.
pub const MAX_GLOB_PATHS: usize = 500;
/// Directory entries one walk visits at most.
pub const MAX_WALK_ENTRIES: usize = 100_000;
/// Longest regex or glob accepted.
const MAX_PATTERN_CHARS: usize = 1_000;

/// A tool call the model made, read from its input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    Read { file_path: String, offset: Option<u64>, limit: Option<u64> },
    Grep { pattern: String, path: Option<String>, glob: Option<String> },
    Glob { pattern: String, path: Option<String> },
}

/// What a tool call produced: the `tool_result` content (redacted) and whether it is an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolOutput {
    pub content: String,
    pub is_error: bool,
}

impl ToolOutput {
    fn ok(content: String) -> ToolOutput {
        ToolOutput { content, is_error: false }
    }

    /// A refusal or a failure, with its reason.
    pub fn error(reason: impl Into<String>) -> ToolOutput {
        ToolOutput { content: reason.into(), is_error: true }
    }
}

#[derive(Deserialize)]
struct ReadInput {
    file_path: String,
    #[serde(default)]
    offset: Option<u64>,
    #[serde(default)]
    limit: Option<u64>,
}

#[derive(Deserialize)]
struct GrepInput {
    pattern: String,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    glob: Option<String>,
}

#[derive(Deserialize)]
struct GlobInput {
    pattern: String,
    #[serde(default)]
    path: Option<String>,
}

/// The tool definitions sent with every agent request (`report_findings` is added by the prompt).
pub fn definitions() -> Vec<Tool> {
    let tool = |name: &str, description: &str, input_schema: Value| Tool {
        name: name.into(),
        description: description.into(),
        input_schema,
        cache_control: None,
    };
    vec![
        tool(
            READ,
            "Read a text file of the repository. Lines come back numbered (line number, a tab, the line). Reads up to 2000 lines (100 KB) from `offset`; files over 1 MB must be read in pages with offset and limit. Paths are relative to the repository root.",
            json!({
                "type": "object",
                "properties": {
                    "file_path": {"type": "string", "description": "Path relative to the repository root"},
                    "offset": {"type": "integer", "minimum": 1, "description": "One-based line to start from"},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 2000, "description": "Lines to read"}
                },
                "required": ["file_path"]
            }),
        ),
        tool(
            GREP,
            "Search file contents with a regular expression (Rust regex syntax, one line at a time). Returns `path:line:text` for up to 200 matching lines. Respects .gitignore; skips binary files and files over 1 MB.",
            json!({
                "type": "object",
                "properties": {
                    "pattern": {"type": "string", "description": "Regular expression"},
                    "path": {"type": "string", "description": "File or directory to search, relative to the repository root (default: the whole repository)"},
                    "glob": {"type": "string", "description": "Only files matching this glob, such as \"*.py\" or \"app/**/*.ts\""}
                },
                "required": ["pattern"]
            }),
        ),
        tool(
            GLOB,
            "List files whose path matches a glob such as \"**/*.py\" or \"app/*.js\" (relative to `path`, default the repository root). Returns up to 500 repository-relative paths. Respects .gitignore.",
            json!({
                "type": "object",
                "properties": {
                    "pattern": {"type": "string", "description": "Glob pattern"},
                    "path": {"type": "string", "description": "Directory to search, relative to the repository root"}
                },
                "required": ["pattern"]
            }),
        ),
    ]
}

/// Whether `name` is one of the investigation tools.
pub fn is_tool(name: &str) -> bool {
    matches!(name, READ | GREP | GLOB)
}

/// Reads the model's input for tool `name`; the error names what is wrong (a missing field, a wrong
/// type, an unknown tool).
pub fn parse(name: &str, input: &Value) -> Result<Call, String> {
    fn typed<T: for<'de> Deserialize<'de>>(name: &str, input: &Value) -> Result<T, String> {
        if !input.is_object() {
            return Err(format!("invalid {name} input: expected a JSON object of parameters"));
        }
        serde_json::from_value(input.clone()).map_err(|error| format!("invalid {name} input: {error}"))
    }
    match name {
        READ => {
            let input: ReadInput = typed(name, input)?;
            Ok(Call::Read { file_path: input.file_path, offset: input.offset, limit: input.limit })
        }
        GREP => {
            let input: GrepInput = typed(name, input)?;
            Ok(Call::Grep {
                pattern: input.pattern,
                path: non_empty(input.path),
                glob: non_empty(input.glob),
            })
        }
        GLOB => {
            let input: GlobInput = typed(name, input)?;
            Ok(Call::Glob { pattern: input.pattern, path: non_empty(input.path) })
        }
        other => Err(format!(
            "unknown tool `{}`: the tools are Read, Grep, Glob and report_findings",
            short(other)
        )),
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

impl Call {
    /// One line for progress reports ("Reading app/routes.py"); model-chosen text is shortened and
    /// stripped of control characters.
    pub fn describe(&self) -> String {
        match self {
            Call::Read { file_path, offset, .. } => {
                let mut out = format!("Reading {}", short(file_path));
                if let Some(first) = offset.filter(|&first| first > 1) {
                    let _ = write!(out, " (from line {first})");
                }
                out
            }
            Call::Grep { pattern, path, .. } => {
                let mut out = format!("Searching for {}", short(pattern));
                if let Some(path) = path {
                    let _ = write!(out, " in {}", short(path));
                }
                out
            }
            Call::Glob { pattern, path } => {
                let mut out = format!("Listing {}", short(pattern));
                if let Some(path) = path {
                    let _ = write!(out, " in {}", short(path));
                }
                out
            }
        }
    }

    /// The tool's name.
    pub fn name(&self) -> &'static str {
        match self {
            Call::Read { .. } => READ,
            Call::Grep { .. } => GREP,
            Call::Glob { .. } => GLOB,
        }
    }
}

/// At most 80 characters, no control characters.
fn short(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    if clean.chars().count() > 80 { clean.chars().take(79).collect::<String>() + "…" } else { clean }
}

/// Runs `call` inside `sandbox`; the content is redacted.
pub fn run(sandbox: &Sandbox, call: &Call) -> ToolOutput {
    let output = match call {
        Call::Read { file_path, offset, limit } => match sandbox.read(file_path, *offset, *limit) {
            Ok(page) => ToolOutput::ok(page.text),
            Err(refusal) => ToolOutput::error(refusal.0),
        },
        Call::Grep { pattern, path, glob } => grep(sandbox, pattern, path.as_deref(), glob.as_deref()),
        Call::Glob { pattern, path } => glob_files(sandbox, pattern, path.as_deref()),
    };
    ToolOutput { content: redact(&output.content), is_error: output.is_error }
}

/// Parses and runs one tool call: the call (when the input was valid) and its output.
pub fn execute(sandbox: &Sandbox, name: &str, input: &Value) -> (Option<Call>, ToolOutput) {
    match parse(name, input) {
        Ok(call) => {
            let output = run(sandbox, &call);
            (Some(call), output)
        }
        Err(why) => (None, ToolOutput::error(redact(&why))),
    }
}

/// Replaces every secret the pattern layer finds in `text`.
pub fn redact(text: &str) -> String {
    let mut redactor = Redactor::new();
    redactor.learn(text);
    redactor.redact(text)
}

/// A file met by a walk.
struct Entry<'a> {
    /// The path to open (a symlink's canonical target).
    full: &'a Path,
    /// Repository-relative, `/`-separated.
    relative: &'a str,
    /// Relative to the walk's base.
    from_base: &'a str,
    len: u64,
}

#[derive(Default)]
struct WalkStats {
    truncated: bool,
    skipped_links: usize,
}

/// Visits the files under `base` (sorted by name, `.gitignore` respected, hidden files included,
/// `.git` never, symlinks only when they resolve inside the repository) until `visit` returns false.
fn walk(sandbox: &Sandbox, base: &Path, mut visit: impl FnMut(&Entry<'_>) -> bool) -> WalkStats {
    let mut stats = WalkStats::default();
    let mut builder = ignore::WalkBuilder::new(base);
    builder
        .hidden(false)
        .parents(true)
        .ignore(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .follow_links(false)
        .sort_by_file_name(std::cmp::Ord::cmp)
        .filter_entry(|entry| !is_git_name(&entry.file_name().to_string_lossy()));
    let root = sandbox.root();
    for (seen, entry) in builder.build().flatten().enumerate() {
        if seen >= MAX_WALK_ENTRIES {
            stats.truncated = true;
            break;
        }
        let Some(kind) = entry.file_type() else { continue };
        let path = entry.path();
        let (full, len) = if kind.is_symlink() {
            let Ok(resolved) = sandbox.check_entry(path) else {
                stats.skipped_links += 1;
                continue;
            };
            match fs::metadata(&resolved.full) {
                Ok(meta) if meta.is_file() => (resolved.full, meta.len()),
                _ => continue,
            }
        } else if kind.is_file() {
            match entry.metadata() {
                Ok(meta) => (path.to_path_buf(), meta.len()),
                Err(_) => continue,
            }
        } else {
            continue;
        };
        let relative = slash(path.strip_prefix(root).unwrap_or(path));
        let from_base = slash(path.strip_prefix(base).unwrap_or(path));
        if !visit(&Entry { full: &full, relative: &relative, from_base: &from_base, len }) {
            stats.truncated = true;
            break;
        }
    }
    stats
}

fn slash(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn build_glob(pattern: &str) -> Result<GlobMatcher, String> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map(|glob| glob.compile_matcher())
        .map_err(|error| format!("invalid glob {}: {}", short(pattern), one_line(&error.to_string())))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Refuses glob patterns that try to leave the base (`..`) or are absolute.
fn check_glob_pattern(pattern: &str) -> Result<(), String> {
    let pattern = pattern.trim();
    if pattern.is_empty() {
        return Err("the glob pattern is empty".into());
    }
    if pattern.chars().count() > MAX_PATTERN_CHARS {
        return Err("the glob pattern is too long".into());
    }
    let bytes = pattern.as_bytes();
    if pattern.starts_with(['/', '\\']) || (bytes.len() >= 2 && bytes[1] == b':') {
        return Err(format!(
            "{}: absolute glob patterns are not allowed; patterns are relative to the repository root",
            short(pattern)
        ));
    }
    if pattern.split(['/', '\\']).any(|part| part == "..") {
        return Err(format!("{}: `..` is not allowed; patterns stay inside the repository", short(pattern)));
    }
    Ok(())
}

fn grep(sandbox: &Sandbox, pattern: &str, path: Option<&str>, glob: Option<&str>) -> ToolOutput {
    if pattern.is_empty() {
        return ToolOutput::error("the Grep pattern is empty");
    }
    if pattern.chars().count() > MAX_PATTERN_CHARS {
        return ToolOutput::error("the Grep pattern is too long");
    }
    let regex = match regex::RegexBuilder::new(pattern).size_limit(1 << 22).dfa_size_limit(1 << 22).build() {
        Ok(regex) => regex,
        Err(error) => {
            return ToolOutput::error(format!(
                "invalid regex {}: {}",
                short(pattern),
                one_line(&error.to_string())
            ));
        }
    };
    let matcher = match glob.map(|g| check_glob_pattern(g).and_then(|()| build_glob(g))).transpose() {
        Ok(matcher) => matcher,
        Err(why) => return ToolOutput::error(why),
    };
    let by_path = glob.is_some_and(|g| g.contains('/'));
    let base = match sandbox.resolve(path.unwrap_or(".")) {
        Ok(base) => base,
        Err(refusal) => return ToolOutput::error(refusal.0),
    };
    let mut lines: Vec<String> = Vec::new();
    let mut large = 0usize;
    let mut capped = false;
    let mut search = |full: &Path, relative: &str, len: u64| -> bool {
        if len > MAX_WHOLE_FILE {
            large += 1;
            return true;
        }
        let Ok(bytes) = fs::read(full) else { return true };
        if bytes[..bytes.len().min(BINARY_PROBE)].contains(&0) {
            return true;
        }
        let text = String::from_utf8_lossy(&bytes);
        for (index, line) in text.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if regex.is_match(line) {
                if lines.len() == MAX_GREP_LINES {
                    capped = true;
                    return false;
                }
                let mut shown: String = line.chars().take(MAX_GREP_LINE_CHARS).collect();
                if shown.len() < line.len() {
                    shown.push('…');
                }
                lines.push(format!("{relative}:{}:{shown}", index + 1));
            }
        }
        true
    };
    let mut notes = Vec::new();
    if base.full.is_file() {
        let len = fs::metadata(&base.full).map_or(0, |m| m.len());
        if len > MAX_WHOLE_FILE {
            return ToolOutput::error(format!(
                "{} is over 1 MB and is not searched; use Read with offset and limit",
                base.relative
            ));
        }
        search(&base.full, &base.relative, len);
    } else {
        let stats = walk(sandbox, &base.full, |entry| {
            let name = entry.from_base.rsplit('/').next().unwrap_or(entry.from_base);
            let wanted = matcher
                .as_ref()
                .is_none_or(|m| if by_path { m.is_match(entry.from_base) } else { m.is_match(name) });
            !wanted || search(entry.full, entry.relative, entry.len)
        });
        if stats.truncated && !capped {
            notes.push(format!("[search stopped after {MAX_WALK_ENTRIES} files]"));
        }
    }
    if capped {
        notes.push(format!(
            "[results capped at {MAX_GREP_LINES} matching lines; narrow the pattern or the path]"
        ));
    }
    if large > 0 {
        notes.push(format!("[{large} files over 1 MB not searched]"));
    }
    let mut out = if lines.is_empty() { "No matches found.".to_owned() } else { lines.join("\n") };
    for note in notes {
        out.push('\n');
        out.push_str(&note);
    }
    ToolOutput::ok(out)
}

fn glob_files(sandbox: &Sandbox, pattern: &str, path: Option<&str>) -> ToolOutput {
    if let Err(why) = check_glob_pattern(pattern) {
        return ToolOutput::error(why);
    }
    let pattern = pattern.trim();
    let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
    let matcher = match build_glob(pattern) {
        Ok(matcher) => matcher,
        Err(why) => return ToolOutput::error(why),
    };
    let base = match sandbox.resolve(path.unwrap_or(".")) {
        Ok(base) => base,
        Err(refusal) => return ToolOutput::error(refusal.0),
    };
    if !base.full.is_dir() {
        return ToolOutput::error(format!("{} is not a directory", base.relative));
    }
    let mut found = Vec::new();
    let mut capped = false;
    let stats = walk(sandbox, &base.full, |entry| {
        if matcher.is_match(entry.from_base) {
            if found.len() == MAX_GLOB_PATHS {
                capped = true;
                return false;
            }
            found.push(entry.relative.to_owned());
        }
        true
    });
    found.sort();
    let mut out = if found.is_empty() { "No files found.".to_owned() } else { found.join("\n") };
    if capped {
        let _ = write!(out, "\n[capped at {MAX_GLOB_PATHS} paths; narrow the pattern]");
    } else if stats.truncated {
        let _ = write!(out, "\n[listing stopped after {MAX_WALK_ENTRIES} files]");
    }
    ToolOutput::ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    struct Dir(PathBuf);

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn tree(name: &str) -> (Dir, Sandbox) {
        let dir = std::env::temp_dir().join(format!("sg-lsp-tools-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let repo = dir.join("repo");
        for (path, text) in [
            (
                "app/routes.py",
                "from app import db\n\ndef show(request):\n    return db.get_invoice(request.args['id'])\n",
            ),
            ("app/db.py", "def get_invoice(invoice_id):\n    return query(invoice_id)\n"),
            ("app/secret.py", "GITHUB_TOKEN = \"ghp_APWyCZfCEVS5r0StsItJ95t1pGjNovPXingG\"\n"),
            (".github/workflows/ci.yml", "on: push\n"),
            ("build/out.py", "def get_invoice(): pass\n"),
            (".gitignore", "build/\n"),
            (".git/config", "get_invoice = 1\n"),
            ("../outside.py", "get_invoice_outside = 1\n"),
        ] {
            let full = repo.join(path);
            fs::create_dir_all(full.parent().unwrap()).unwrap();
            fs::write(full, text).unwrap();
        }
        let sandbox = Sandbox::new(&repo).unwrap();
        (Dir(dir), sandbox)
    }

    #[allow(clippy::needless_pass_by_value)] // json! literals at the call sites
    fn call(sandbox: &Sandbox, name: &str, input: Value) -> ToolOutput {
        execute(sandbox, name, &input).1
    }

    #[test]
    fn grep_respects_gitignore_skips_git_and_includes_hidden_files() {
        let (_dir, sandbox) = tree("grep");
        let out = call(&sandbox, GREP, json!({"pattern": "get_invoice"}));
        assert!(!out.is_error);
        assert_eq!(
            out.content,
            "app/db.py:1:def get_invoice(invoice_id):\napp/routes.py:4:    return db.get_invoice(request.args['id'])"
        );
        let out = call(&sandbox, GREP, json!({"pattern": "push", "glob": "*.yml"}));
        assert_eq!(out.content, ".github/workflows/ci.yml:1:on: push");
        let out = call(&sandbox, GREP, json!({"pattern": "def", "path": "app/db.py"}));
        assert_eq!(out.content, "app/db.py:1:def get_invoice(invoice_id):");
        let out = call(&sandbox, GREP, json!({"pattern": "nothing-here"}));
        assert_eq!(out.content, "No matches found.");
    }

    #[test]
    fn results_are_redacted() {
        let (_dir, sandbox) = tree("redact");
        let out = call(&sandbox, GREP, json!({"pattern": "TOKEN"}));
        assert!(!out.content.contains("ghp_APWy"), "{}", out.content);
        assert!(out.content.contains("[REDACTED:any.github-token]"));
        let out = call(&sandbox, READ, json!({"file_path": "app/secret.py"}));
        assert!(!out.content.contains("ghp_APWy") && out.content.contains("REDACTED"));
    }

    #[test]
    fn bad_input_is_an_error_result_naming_the_problem() {
        let (_dir, sandbox) = tree("input");
        let out = call(&sandbox, READ, json!({"path": "app/db.py"}));
        assert!(out.is_error && out.content.contains("missing field `file_path`"), "{}", out.content);
        let out = call(&sandbox, READ, json!({"file_path": 7}));
        assert!(out.is_error && out.content.contains("invalid type"), "{}", out.content);
        let out = call(&sandbox, READ, json!("app/db.py"));
        assert!(out.is_error && out.content.contains("JSON object"));
        let out = call(&sandbox, GREP, json!({"pattern": "(unclosed"}));
        assert!(out.is_error && out.content.starts_with("invalid regex"), "{}", out.content);
        let out = call(&sandbox, "Bash", json!({"command": "ls"}));
        assert!(out.is_error && out.content.contains("unknown tool `Bash`"));
        let out = call(&sandbox, GLOB, json!({"pattern": "[z-a]"}));
        assert!(out.is_error && out.content.starts_with("invalid glob"), "{}", out.content);
    }

    #[test]
    fn glob_lists_files_and_refuses_escapes() {
        let (_dir, sandbox) = tree("glob");
        let out = call(&sandbox, GLOB, json!({"pattern": "**/*.py"}));
        assert_eq!(out.content, "app/db.py\napp/routes.py\napp/secret.py");
        let out = call(&sandbox, GLOB, json!({"pattern": "*.py", "path": "app"}));
        assert_eq!(out.content, "app/db.py\napp/routes.py\napp/secret.py");
        assert_eq!(call(&sandbox, GLOB, json!({"pattern": "*.rs"})).content, "No files found.");
        for (pattern, path) in
            [("../**", None), ("/etc/*", None), ("app/../../*", None), ("*", Some("..")), ("*", Some("/etc"))]
        {
            let mut input = json!({"pattern": pattern});
            if let Some(path) = path {
                input["path"] = json!(path);
            }
            let out = call(&sandbox, GLOB, input);
            assert!(out.is_error, "{pattern} {path:?}: {}", out.content);
            assert!(!out.content.contains("outside.py"));
        }
        for path in ["..", "/etc", ".git"] {
            let out = call(&sandbox, GREP, json!({"pattern": "get_invoice", "path": path}));
            assert!(out.is_error, "{path}: {}", out.content);
        }
    }

    #[test]
    fn progress_lines_are_short_and_clean() {
        let call = parse(GREP, &json!({"pattern": "get_invoice\n", "path": "app"})).unwrap();
        assert_eq!(call.describe(), "Searching for get_invoice in app");
        let call = parse(READ, &json!({"file_path": "a".repeat(200)})).unwrap();
        assert_eq!(call.describe().chars().count(), "Reading ".len() + 80);
    }
}
