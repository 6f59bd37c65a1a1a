//! Scaffolding the process-level suites share: a temporary directory removed on drop, running a
//! binary in a cleared environment, git that never reads the user's config, the hook sandbox, the
//! mock's credentials, and the invoice IDOR scenario of the commit review.
#![allow(dead_code, reason = "each suite uses a part")]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use mock_llm::{Config, MockServer, Reply};
use serde_json::{Value, json};

/// A fresh directory under the system temp dir (canonicalized), removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// `name` only makes the directory recognisable; the process id and a counter make it unique.
    pub fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("sg-lsp-test-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir.canonicalize().unwrap())
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How a process ended: its exit code (-1 when killed by a signal) and its output as text.
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The identity every git in a test commits with.
const GIT_IDENTITY: [(&str, &str); 4] = [
    ("GIT_AUTHOR_NAME", "Test"),
    ("GIT_AUTHOR_EMAIL", "test@example.invalid"),
    ("GIT_COMMITTER_NAME", "Test"),
    ("GIT_COMMITTER_EMAIL", "test@example.invalid"),
];

/// A command in `dir` with a cleared environment: PATH, HOME, no system git config, a git identity,
/// then `vars` (which may override any of these).
pub fn command(
    program: impl AsRef<std::ffi::OsStr>,
    args: &[&str],
    dir: &Path,
    home: &Path,
    vars: &[(&str, &str)],
) -> Command {
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .envs(GIT_IDENTITY)
        .envs(vars.iter().copied());
    command
}

/// Runs `command`, writing `stdin` (nothing when `None`; a process that exits early may not read it all).
pub fn run(mut command: Command, stdin: Option<&[u8]>) -> Outcome {
    command
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap_or_else(|e| panic!("run {:?}: {e}", command.get_program()));
    if let Some(bytes) = stdin {
        let _ = child.stdin.take().unwrap().write_all(bytes);
    }
    let output = child.wait_with_output().unwrap();
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// git in `dir`, reading neither the system nor the user's config, with an identity and no signing;
/// panics unless it succeeds. Returns stdout as git wrote it.
pub fn git_raw(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .envs(GIT_IDENTITY)
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .expect("run git");
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// [`git_raw`], its stdout trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    git_raw(dir, args).trim().to_owned()
}

// ---- the hook -----------------------------------------------------------------------------------

/// A throw-away project, home and state dir for one run of `sg-lsp hook`.
pub struct HookSandbox {
    dir: TempDir,
}

impl HookSandbox {
    pub fn new(name: &str) -> HookSandbox {
        let dir = TempDir::new(&format!("hook-{name}"));
        for sub in ["project", "home", "state"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        HookSandbox { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn project(&self) -> PathBuf {
        self.root().join("project")
    }

    pub fn home(&self) -> PathBuf {
        self.root().join("home")
    }

    pub fn state(&self) -> PathBuf {
        self.root().join("state")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.state().join("log.txt")).unwrap_or_default()
    }

    /// `program args` in the project, its state dir in the sandbox, `env` on top.
    fn command(&self, program: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
        let state = self.state();
        let mut vars = vec![("SECURITY_WARNINGS_STATE_DIR", state.to_str().unwrap())];
        vars.extend_from_slice(env);
        command(program, args, &self.project(), &self.home(), &vars)
    }

    /// `binary hook` with `stdin`.
    pub fn hook(&self, binary: &str, stdin: &[u8], env: &[(&str, &str)]) -> Outcome {
        run(self.command(binary, &["hook"], env), Some(stdin))
    }

    /// `sg-lsp hook` under a finite (if generous) memory limit, which turns supervision on.
    pub fn hook_limited(&self, stdin: &str, env: &[(&str, &str)]) -> Outcome {
        let script = format!("ulimit -v 8000000 && exec '{}' hook", env!("CARGO_BIN_EXE_sg-lsp"));
        run(self.command("sh", &["-c", &script], env), Some(stdin.as_bytes()))
    }
}

// ---- the loopback mock ----------------------------------------------------------------------------

/// The mock, accepting only `key`.
pub fn mock_with_key(key: &str) -> MockServer {
    MockServer::start(Config { api_key: Some(key.to_owned()), ..Config::default() })
}

/// The environment pointing a review at `url` with `key`, failing fast.
pub fn llm_env(url: &str, key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("ANTHROPIC_BASE_URL", url.to_owned()),
        ("ANTHROPIC_API_KEY", key.to_owned()),
        ("SG_LLM_MAX_RETRIES", "0".to_owned()),
    ]
}

pub fn borrowed<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The body of the mock's `index`th request, as text.
pub fn request_text(mock: &MockServer, index: usize) -> String {
    String::from_utf8_lossy(&mock.requests()[index].body).into_owned()
}

/// A message with several `tool_use` blocks (the mock fills in fresh ids).
pub fn tool_uses(calls: &[(&str, Value)]) -> Reply {
    let content: Vec<Value> =
        calls.iter().map(|(name, input)| json!({"type": "tool_use", "name": name, "input": input})).collect();
    Reply::message(json!({"content": content, "stop_reason": "tool_use"}))
}

// ---- reviews --------------------------------------------------------------------------------------

/// The added lines of `path` in `diff`: (new line number, text).
pub fn added(diff: &sg_lsp::git::Diff, path: &str) -> Vec<(u32, String)> {
    let file = diff.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} not in diff"));
    file.lines()
        .filter(|l| l.kind == sg_lsp::git::LineKind::Added)
        .map(|l| (l.new_line.unwrap(), l.text.clone()))
        .collect()
}

/// The SARIF 2.1.0 schema, as a validator.
pub fn sarif_validator() -> jsonschema::Validator {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("tests/sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    jsonschema::options().with_draft(jsonschema::Draft::Draft4).build(&schema).unwrap()
}

/// The multi-file IDOR: a route reads an invoice id from the request (`app/routes.py:10`) and hands it
/// to a data function that fetches the invoice without an owner check (`app/db.py:6`).
pub mod invoice {
    use serde_json::{Value, json};

    pub const ROUTES: &str = "from flask import Flask, request\n\nfrom app import db\n\napp = Flask(__name__)\n\n\n@app.route(\"/invoices\")\ndef show_invoice():\n    invoice_id = request.args[\"id\"]\n    return db.get_invoice(invoice_id)\n";
    pub const DB: &str = "import sqlite3\n\n\ndef get_invoice(invoice_id):\n    conn = sqlite3.connect(\"app.db\")\n    row = conn.execute(\"SELECT * FROM invoices WHERE id = ?\", (invoice_id,)).fetchone()\n    return dict(row)\n";
    /// The files the commit adds, with their texts.
    pub const FILES: [(&str, &str); 3] =
        [("app/routes.py", ROUTES), ("app/db.py", DB), ("app/__init__.py", "")];

    /// The model's finding, traced through both files; with `candidate`, as the refuter keeps it.
    pub fn idor_finding(candidate: Option<u32>) -> Value {
        let mut finding = json!({
            "file": "app/db.py", "line": 6,
            "code": "row = conn.execute(\"SELECT * FROM invoices WHERE id = ?\", (invoice_id,)).fetchone()",
            "severity": "high", "category": "authorization", "cwe": "CWE-639",
            "title": "Any user can read any invoice (IDOR)",
            "explanation": "The invoice id comes from the query string and the invoice is fetched without an owner check.",
            "exploit": "A logged-in user requests /invoices?id=2 and receives another customer's invoice.",
            "evidence": "app/routes.py:10 reads request.args[\"id\"]; app/db.py:6 selects by id only.",
            "fix": "Filter the query by the current user's id and return 404 otherwise.",
            "confidence": 0.9,
            "trace": [
                {"file": "app/routes.py", "line": 10, "note": "invoice_id taken from request.args"},
                {"file": "app/routes.py", "line": 11, "note": "passed to db.get_invoice"},
                {"file": "app/db.py", "line": 6, "note": "fetched by id with no owner check"}
            ]
        });
        if let Some(n) = candidate {
            finding["candidate"] = json!(n);
        }
        finding
    }
}
