//! `sg-lsp review-commit` and `sg-lsp install-git-hook` as a user runs them: the real binary with a
//! cleared environment (PATH, a temporary HOME, no system git config, the `ANTHROPIC_*` variables
//! pointing at the scripted loopback mock) on throw-away git repositories, and a real `git commit`
//! through the installed pre-commit hook.

mod review_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mock_llm::{Config, MockServer, Reply};
use review_support::TestRepo;
use serde_json::{Value, json};

/// A key that must never appear in any output.
const KEY: &str = "sk-ant-fixture-NEVER-PRINT-2b8d4f6a1c";

const ROUTES: &str = "from flask import Flask, request\n\nfrom app import db\n\napp = Flask(__name__)\n\n\n@app.route(\"/invoices\")\ndef show_invoice():\n    invoice_id = request.args[\"id\"]\n    return db.get_invoice(invoice_id)\n";
const DB: &str = "import sqlite3\n\n\ndef get_invoice(invoice_id):\n    conn = sqlite3.connect(\"app.db\")\n    row = conn.execute(\"SELECT * FROM invoices WHERE id = ?\", (invoice_id,)).fetchone()\n    return dict(row)\n";
const FILES: [&str; 3] = ["app/routes.py", "app/db.py", "app/__init__.py"];

/// A temporary directory removed on drop.
struct Temp(PathBuf);

impl Temp {
    fn new(name: &str) -> Temp {
        let dir = std::env::temp_dir().join(format!("sg-cli-commit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Temp(dir.canonicalize().unwrap())
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A cleared environment: PATH, HOME, no system git config, a git identity, and `vars`.
fn command(program: &Path, args: &[&str], dir: &Path, home: &Path, vars: &[(&str, String)]) -> Command {
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid");
    for (name, value) in vars {
        command.env(name, value);
    }
    command
}

/// A home and state dir, and the variables pointing at the mock (none without one: no credentials).
struct Setup {
    home: Temp,
    url: Option<String>,
}

impl Setup {
    fn new(name: &str, mock: Option<&MockServer>) -> Setup {
        Setup { home: Temp::new(name), url: mock.map(MockServer::url) }
    }

    fn vars(&self) -> Vec<(&'static str, String)> {
        let mut vars =
            vec![("SECURITY_WARNINGS_STATE_DIR", self.home.0.join("state").to_string_lossy().into_owned())];
        if let Some(url) = &self.url {
            vars.push(("ANTHROPIC_BASE_URL", url.clone()));
            vars.push(("ANTHROPIC_API_KEY", KEY.to_owned()));
            vars.push(("SG_LLM_MAX_RETRIES", "0".to_owned()));
        }
        vars
    }

    fn run(&self, args: &[&str], dir: &Path) -> Output {
        let exe = Path::new(env!("CARGO_BIN_EXE_sg-lsp"));
        let output = command(exe, args, dir, &self.home.0, &self.vars()).output().expect("run sg-lsp");
        assert!(!stdout(&output).contains(KEY) && !stderr(&output).contains(KEY), "the key was printed");
        output
    }

    fn git(&self, args: &[&str], dir: &Path) -> Output {
        let output =
            command(Path::new("git"), args, dir, &self.home.0, &self.vars()).output().expect("run git");
        assert!(!stdout(&output).contains(KEY) && !stderr(&output).contains(KEY), "the key was printed");
        output
    }
}

/// A repository whose HEAD commit adds a route reading an invoice id from the request and a data
/// function fetching it without an owner check.
fn invoice_repo(name: &str) -> TestRepo {
    let repo = TestRepo::new(name);
    repo.write("README.md", "# invoices\n");
    repo.commit(&["README.md"], "readme");
    repo.write("app/routes.py", ROUTES).write("app/db.py", DB).write("app/__init__.py", "");
    repo.commit(&FILES, "invoices");
    repo
}

fn idor_finding(candidate: Option<u32>) -> Value {
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

fn tool_uses(calls: &[(&str, Value)]) -> Reply {
    let content: Vec<Value> =
        calls.iter().map(|(name, input)| json!({"type": "tool_use", "name": name, "input": input})).collect();
    Reply::message(json!({"content": content, "stop_reason": "tool_use"}))
}

/// One review of the multi-file scenario: Grep, Read both files, report with a trace; the refuter
/// reads the sink again and keeps the candidate (5 requests).
fn script_idor(mock: &MockServer) {
    mock.push(Reply::tool_use("Grep", json!({"pattern": "get_invoice"})));
    mock.push(tool_uses(&[
        ("Read", json!({"file_path": "app/routes.py"})),
        ("Read", json!({"file_path": "app/db.py"})),
    ]));
    mock.push(Reply::tool_use("report_findings", json!({"findings": [idor_finding(None)]})));
    mock.push(Reply::tool_use("Read", json!({"file_path": "app/db.py", "offset": 4, "limit": 4})));
    mock.push(Reply::tool_use("report_findings", json!({"findings": [idor_finding(Some(1))]})));
}

/// A review straight to a report without tools (stage 2 adds a request when something is found).
fn script_direct(mock: &MockServer, findings: &Value) {
    mock.push(Reply::tool_use("report_findings", json!({"findings": findings})));
}

fn mock() -> MockServer {
    MockServer::start(Config { api_key: Some(KEY.to_owned()), ..Config::default() })
}

fn sarif_validator() -> jsonschema::Validator {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("tests/sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    jsonschema::options().with_draft(jsonschema::Draft::Draft4).build(&schema).unwrap()
}

#[test]
fn the_multi_file_idor_exits_1_with_its_trace_in_human_json_sarif_and_the_report() {
    let mock = mock();
    let setup = Setup::new("idor", Some(&mock));
    let repo = invoice_repo("cli-commit-idor");
    let report_file = setup.home.0.join("review.md");

    // Human, with the Markdown report and progress.
    script_idor(&mock);
    let report_arg = report_file.to_string_lossy().into_owned();
    let human =
        setup.run(&["review-commit", "--color", "never", "--verbose", "--report", &report_arg], &repo.dir);
    assert_eq!(human.status.code(), Some(1), "{}", stderr(&human));
    assert_eq!(mock.requests().len(), 5);
    let text = stdout(&human);
    assert!(text.contains("error[review.authorization]: Any user can read any invoice (IDOR)"), "{text}");
    assert!(text.contains("app/db.py:6:5") && text.contains("CWE-639"), "{text}");
    assert!(text.contains("= trace:"), "{text}");
    assert!(text.contains("1. app/routes.py:10  invoice_id taken from request.args"), "{text}");
    assert!(text.contains("3. app/db.py:6  fetched by id with no owner check"), "{text}");
    assert!(text.contains("= exploit: A logged-in user requests /invoices?id=2"), "{text}");
    let err = stderr(&human);
    for step in ["review-commit: Investigating 2 changed files", "review-commit: Reading app/routes.py"] {
        assert!(err.contains(step), "{step}: {err}");
    }
    let summary = err.lines().find(|l| l.starts_with("commit-review: ")).unwrap_or_else(|| panic!("{err}"));
    assert!(
        summary.contains("investigate → refute, 4 tool calls (Grep 1, Read 3), 5 turns, 5 requests"),
        "{summary}"
    );
    assert!(summary.contains("tokens in ") && summary.contains(", $0.") && summary.contains(" B read"));
    let markdown = std::fs::read_to_string(&report_file).unwrap();
    assert!(markdown.starts_with("# Commit security review: `"), "{markdown}");
    assert!(markdown.contains("**Evidence chain**"), "{markdown}");
    assert!(markdown.contains("1. `app/routes.py:10` — invoice_id taken from request.args"), "{markdown}");
    assert!(markdown.contains("**Exploit scenario**") && markdown.contains("## Cost"), "{markdown}");

    // JSON: the SPEC's fields, layer commit-review, and the trace.
    script_idor(&mock);
    let json_run = setup.run(&["review-commit", "HEAD", "--format", "json"], &repo.dir);
    assert_eq!(json_run.status.code(), Some(1), "{}", stderr(&json_run));
    assert!(
        !stderr(&json_run).contains("review-commit: Reading"),
        "no progress when stderr is not a terminal"
    );
    let report: Value = serde_json::from_slice(&json_run.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    let finding = &findings[0];
    assert_eq!(finding["layer"], "commit-review");
    assert_eq!(finding["rule"], "review.authorization");
    assert_eq!((finding["path"].as_str(), finding["line"].as_u64()), (Some("app/db.py"), Some(6)));
    assert_eq!(finding["severity"], "error");
    assert!(finding["fingerprint"].is_string() && finding["column"].is_u64());
    assert_eq!(
        finding["trace"][0],
        json!({"file": "app/routes.py", "line": 10, "note": "invoice_id taken from request.args"})
    );
    assert_eq!(finding["trace"].as_array().unwrap().len(), 3);
    assert!(finding["exploit"].as_str().unwrap().contains("/invoices?id=2"));
    let head = repo.repo.head().unwrap().peel_to_commit().unwrap().id().to_string();
    let review = &report["commit_review"];
    assert_eq!(review["commit"], head.as_str());
    assert_eq!(review["tool_calls"], json!({"Grep": 1, "Read": 3}));
    assert_eq!((review["turns"].as_u64(), review["requests"].as_u64()), (Some(5), Some(5)));
    assert_eq!(review["stages"], json!(["investigate", "refute"]));

    // SARIF validates; the trace is a code flow.
    script_idor(&mock);
    let sarif_run = setup.run(&["review-commit", "--format", "sarif"], &repo.dir);
    assert_eq!(sarif_run.status.code(), Some(1), "{}", stderr(&sarif_run));
    let sarif: Value = serde_json::from_slice(&sarif_run.stdout).unwrap();
    let validator = sarif_validator();
    let errors: Vec<String> =
        validator.iter_errors(&sarif).map(|e| format!("{e} at {}", e.instance_path)).collect();
    assert!(errors.is_empty(), "SARIF schema violations:\n{}", errors.join("\n"));
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "review.authorization");
    let steps = result["codeFlows"][0]["threadFlows"][0]["locations"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[0]["location"]["physicalLocation"]["artifactLocation"]["uri"], "app/routes.py");
    assert_eq!(steps[0]["location"]["physicalLocation"]["region"]["startLine"], 10);
    assert_eq!(steps[2]["location"]["message"]["text"], "fetched by id with no owner check");

    // --fail-on never: the same finding, exit 0.
    script_idor(&mock);
    let never = setup.run(&["review-commit", "--fail-on", "never"], &repo.dir);
    assert_eq!(never.status.code(), Some(0), "{}", stderr(&never));
    assert_eq!(mock.requests().len(), 20);
}

#[test]
fn staged_reviews_what_is_staged_and_not_the_working_tree() {
    let mock = mock();
    let setup = Setup::new("staged", Some(&mock));
    let repo = TestRepo::new("cli-commit-staged");
    repo.write("staged.py", "x = 1\n").write("loose.py", "y = 1\n");
    repo.commit(&["staged.py", "loose.py"], "one");
    repo.write("staged.py", "x = 1\nSTAGED_MARKER = eval(data)\n").stage(&["staged.py"]);
    repo.write("staged.py", "x = 1\nSTAGED_MARKER = eval(data)\nUNSTAGED_SAME_FILE = 1\n");
    repo.write("loose.py", "y = 1\nUNSTAGED_MARKER = 2\n");
    script_direct(&mock, &json!([]));
    let output = setup.run(&["review-commit", "--staged", "--format", "json"], &repo.dir);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["findings"], json!([]));
    assert_eq!(report["commit_review"]["commit"], Value::Null);
    assert_eq!(report["stats"]["files"], 1);
    let requests = mock.requests();
    assert_eq!(requests.len(), 1, "nothing found: no stage 2");
    let body = String::from_utf8_lossy(&requests[0].body).into_owned();
    assert!(body.contains("staged.py") && body.contains("STAGED_MARKER = eval(data)"), "the staged line");
    assert!(!body.contains("UNSTAGED_SAME_FILE") && !body.contains("UNSTAGED_MARKER"), "no unstaged line");
    assert!(!body.contains("loose.py"), "an unstaged file is not in the diff");

    let both = setup.run(&["review-commit", "HEAD", "--staged"], &repo.dir);
    assert_eq!(both.status.code(), Some(2), "REV and --staged conflict");
}

#[test]
fn a_bad_revision_or_no_repository_exits_2_with_one_line() {
    let mock = mock();
    let setup = Setup::new("badrev", Some(&mock));
    let repo = invoice_repo("cli-commit-badrev");
    let bad = setup.run(&["review-commit", "no-such-branch"], &repo.dir);
    assert_eq!(bad.status.code(), Some(2));
    assert!(bad.stdout.is_empty());
    let err = stderr(&bad);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("unknown revision") && err.contains("no-such-branch"), "{err}");

    let plain = Temp::new("plain-dir");
    let outside = setup.run(&["review-commit"], &plain.0);
    assert_eq!(outside.status.code(), Some(2));
    let err = stderr(&outside);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not inside a git repository") && err.contains("-C PATH"), "{err}");
    assert!(mock.requests().is_empty());

    // -C points at the repository from elsewhere.
    script_direct(&mock, &json!([]));
    let repo_arg = repo.dir.to_string_lossy().into_owned();
    let elsewhere = setup.run(&["review-commit", "-C", &repo_arg], &plain.0);
    assert_eq!(elsewhere.status.code(), Some(0), "{}", stderr(&elsewhere));
    assert_eq!(mock.requests().len(), 1);
}

#[test]
fn no_credentials_exit_2_with_one_line_naming_the_variable() {
    let setup = Setup::new("nocreds", None);
    let repo = invoice_repo("cli-commit-nocreds");
    let output = setup.run(&["review-commit"], &repo.dir);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("ANTHROPIC_API_KEY"), "{err}");
}

#[test]
fn a_rejected_key_cools_the_commit_review_layer_and_success_clears_it() {
    let mock = MockServer::start(Config { api_key: Some("the-right-key".to_owned()), ..Config::default() });
    let setup = Setup::new("auth", Some(&mock));
    let repo = invoice_repo("cli-commit-auth");
    let output = setup.run(&["review-commit"], &repo.dir);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("401") && err.contains("[auth]"), "{err}");
    let marker = setup.home.0.join("state/cooldown-commit-review.json");
    assert!(marker.is_file(), "the commit-review cooldown is written");

    // As the hook: the cooldown is honoured (no request) and the line says the commit goes ahead.
    let before = mock.requests().len();
    let hook = setup.run(&["review-commit", "--staged", "--fail-on", "error", "--git-hook"], &repo.dir);
    assert_eq!(hook.status.code(), Some(2));
    let err = stderr(&hook);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cooling down") && err.contains("the commit goes ahead"), "{err}");
    assert_eq!(mock.requests().len(), before, "no request during the cooldown");

    // A person asking still tries, and a success clears the marker.
    let fixed = Setup { home: Temp::new("auth-fixed"), url: Some(mock.url()) };
    std::fs::create_dir_all(fixed.home.0.join("state")).unwrap();
    std::fs::copy(&marker, fixed.home.0.join("state/cooldown-commit-review.json")).unwrap();
    let mut vars = fixed.vars();
    vars.retain(|(name, _)| *name != "ANTHROPIC_API_KEY");
    vars.push(("ANTHROPIC_API_KEY", "the-right-key".to_owned()));
    script_direct(&mock, &json!([]));
    let exe = Path::new(env!("CARGO_BIN_EXE_sg-lsp"));
    let retry = command(exe, &["review-commit"], &repo.dir, &fixed.home.0, &vars).output().unwrap();
    assert_eq!(retry.status.code(), Some(0), "{}", stderr(&retry));
    assert!(stderr(&retry).contains("cooling down until"), "{}", stderr(&retry));
    assert!(!fixed.home.0.join("state/cooldown-commit-review.json").exists(), "success clears it");
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 == 0o111)
}

#[cfg(unix)]
#[test]
fn install_git_hook_writes_refuses_a_foreign_hook_keeps_a_backup_and_uninstalls() {
    let setup = Setup::new("install", None);
    let repo = TestRepo::new("cli-commit-install");
    let hook = repo.git_dir().join("hooks/pre-commit");
    let backup = repo.git_dir().join("hooks/pre-commit.sg-lsp-backup");

    let first = setup.run(&["install-git-hook"], &repo.dir);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(stderr(&first).contains("--no-verify"), "{}", stderr(&first));
    let script = std::fs::read_to_string(&hook).unwrap();
    assert!(script.starts_with("#!/bin/sh\n") && script.contains("# sg-lsp: pre-commit hook"), "{script}");
    assert!(script.contains("review-commit --staged --fail-on error"), "{script}");
    let exe = Path::new(env!("CARGO_BIN_EXE_sg-lsp")).canonicalize().unwrap();
    assert!(script.contains(&format!("sg_lsp='{}'", exe.display())), "the absolute path: {script}");
    assert!(is_executable(&hook));
    let again = setup.run(&["install-git-hook"], &repo.dir);
    assert_eq!(again.status.code(), Some(0));
    assert!(stderr(&again).contains("already installed"), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), script, "idempotent");

    let removed = setup.run(&["install-git-hook", "--uninstall"], &repo.dir);
    assert_eq!(removed.status.code(), Some(0), "{}", stderr(&removed));
    assert!(!hook.exists());
    assert_eq!(setup.run(&["install-git-hook", "--uninstall"], &repo.dir).status.code(), Some(0));

    // A hook of someone else's: refused without --force, kept as a backup with it.
    let foreign = "#!/bin/sh\necho foreign hook\n";
    std::fs::write(&hook, foreign).unwrap();
    let refused = setup.run(&["install-git-hook"], &repo.dir);
    assert_eq!(refused.status.code(), Some(2));
    let err = stderr(&refused);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--force") && err.contains("not installed by sg-lsp"), "{err}");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign, "left alone");
    let not_ours = setup.run(&["install-git-hook", "--uninstall"], &repo.dir);
    assert_eq!(not_ours.status.code(), Some(2), "uninstall leaves a foreign hook alone");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);

    let forced = setup.run(&["install-git-hook", "--force"], &repo.dir);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), foreign, "the foreign hook is kept");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), script);
    let restored = setup.run(&["install-git-hook", "--uninstall"], &repo.dir);
    assert_eq!(restored.status.code(), Some(0), "{}", stderr(&restored));
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign, "the backup is restored");
    assert!(!backup.exists());

    // core.hooksPath is respected (relative to the working tree's top).
    repo.set_config("core.hooksPath", "githooks");
    std::fs::remove_file(&hook).unwrap();
    let custom = setup.run(&["install-git-hook"], &repo.dir);
    assert_eq!(custom.status.code(), Some(0), "{}", stderr(&custom));
    assert!(repo.dir.join("githooks/pre-commit").is_file());
    assert!(!hook.exists());

    let plain = Temp::new("install-plain");
    let outside = setup.run(&["install-git-hook"], &plain.0);
    assert_eq!(outside.status.code(), Some(2));
    assert!(stderr(&outside).contains("not inside a git repository"));
}

#[cfg(unix)]
#[test]
fn a_real_git_commit_is_blocked_on_a_critical_finding_and_never_on_a_review_that_cannot_run() {
    let mock = mock();
    let setup = Setup::new("e2e", Some(&mock));
    let repo = TestRepo::new("cli-commit-e2e");
    repo.write("README.md", "# invoices\n");
    let first = repo.commit(&["README.md"], "readme").to_string();
    let head =
        || String::from_utf8_lossy(&setup.git(&["rev-parse", "HEAD"], &repo.dir).stdout).trim().to_owned();
    assert_eq!(head(), first);
    let installed = setup.run(&["install-git-hook"], &repo.dir);
    assert_eq!(installed.status.code(), Some(0), "{}", stderr(&installed));

    // A critical finding blocks the commit.
    repo.write("app/routes.py", ROUTES).write("app/db.py", DB).write("app/__init__.py", "");
    assert!(setup.git(&["add", "app"], &repo.dir).status.success());
    let mut critical = idor_finding(None);
    critical["severity"] = json!("critical");
    script_direct(&mock, &json!([critical.clone()]));
    critical["candidate"] = json!(1);
    script_direct(&mock, &json!([critical]));
    let blocked = setup.git(&["commit", "-m", "invoices"], &repo.dir);
    assert!(!blocked.status.success(), "{}", stderr(&blocked));
    let err = stderr(&blocked);
    assert!(err.contains("git commit --no-verify"), "{err}");
    // git sends a hook's stdout to stderr.
    assert!(err.contains("error[review.authorization]: Any user can read any invoice"), "{err}");
    assert_eq!(head(), first, "nothing committed");
    assert_eq!(mock.requests().len(), 2);
    let body = String::from_utf8_lossy(&mock.requests()[0].body).into_owned();
    assert!(body.contains("=== DIFF: app/db.py ==="), "the staged files were reviewed");

    // --no-verify skips the hook (no request).
    let skipped = setup.git(&["commit", "--no-verify", "-m", "invoices"], &repo.dir);
    assert!(skipped.status.success(), "{}", stderr(&skipped));
    assert_ne!(head(), first);
    assert_eq!(mock.requests().len(), 2, "the hook did not run");

    // `git commit -a`: the hook reviews git's temporary index (GIT_INDEX_FILE), and nothing found passes.
    let second = head();
    repo.write("app/db.py", &format!("{DB}\n\ndef ALL_MARKER():\n    return 1\n"));
    script_direct(&mock, &json!([]));
    let clean = setup.git(&["commit", "-a", "-m", "more"], &repo.dir);
    assert!(clean.status.success(), "{}", stderr(&clean));
    assert_ne!(head(), second);
    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    assert!(String::from_utf8_lossy(&requests[2].body).contains("ALL_MARKER"), "the -a change was reviewed");

    // No credentials: the commit goes through with a one-line note.
    let third = head();
    repo.write("notes.txt", "later\n");
    let bare = Setup::new("e2e-nocreds", None);
    assert!(bare.git(&["add", "notes.txt"], &repo.dir).status.success());
    let through = bare.git(&["commit", "-m", "notes"], &repo.dir);
    assert!(through.status.success(), "{}", stderr(&through));
    assert_ne!(head(), third);
    let err = stderr(&through);
    let ours: Vec<&str> = err.lines().filter(|l| l.contains("sg-lsp")).collect();
    assert_eq!(ours.len(), 1, "{err}");
    assert!(ours[0].contains("ANTHROPIC_API_KEY") && ours[0].contains("the commit goes ahead"), "{err}");
    assert_eq!(mock.requests().len(), 3);
}
