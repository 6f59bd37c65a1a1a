//! `sg-lsp review-commit` and `sg-lsp install-git-hook` as a user runs them: the real binary with a
//! cleared environment (PATH, a temporary HOME, no system git config, the `ANTHROPIC_*` variables
//! pointing at the scripted loopback mock) on throw-away git repositories, and a real `git commit`
//! through the installed pre-commit hook.

mod review_support;
mod support;

use std::path::Path;

use mock_llm::{Config, MockServer, Reply};
use review_support::TestRepo;
use serde_json::{Value, json};
use support::invoice::{DB, FILES, ROUTES, idor_finding};
use support::{Outcome, TempDir, borrowed, sarif_validator, tool_uses};

/// A key that must never appear in any output.
const KEY: &str = "sk-ant-fixture-NEVER-PRINT-2b8d4f6a1c";

/// A home and state dir, and the variables pointing at the mock (none without one: no credentials).
struct Setup {
    home: TempDir,
    url: Option<String>,
}

impl Setup {
    fn new(name: &str, mock: Option<&MockServer>) -> Setup {
        Setup { home: TempDir::new(name), url: mock.map(MockServer::url) }
    }

    fn vars(&self) -> Vec<(&'static str, String)> {
        let mut vars = vec![(
            "SECURITY_WARNINGS_STATE_DIR",
            self.home.path().join("state").to_string_lossy().into_owned(),
        )];
        if let Some(url) = &self.url {
            vars.extend(support::llm_env(url, KEY));
        }
        vars
    }

    fn run(&self, args: &[&str], dir: &Path) -> Outcome {
        self.run_program(env!("CARGO_BIN_EXE_sg-lsp"), args, dir)
    }

    fn git(&self, args: &[&str], dir: &Path) -> Outcome {
        self.run_program("git", args, dir)
    }

    fn run_program(&self, program: &str, args: &[&str], dir: &Path) -> Outcome {
        let vars = self.vars();
        let command = support::command(program, args, dir, self.home.path(), &borrowed(&vars));
        let output = support::run(command, None);
        assert!(!output.stdout.contains(KEY) && !output.stderr.contains(KEY), "the key was printed");
        output
    }
}

/// A repository whose HEAD commit adds a route reading an invoice id from the request and a data
/// function fetching it without an owner check.
fn invoice_repo(name: &str) -> TestRepo {
    let repo = TestRepo::new(name);
    repo.write("README.md", "# invoices\n");
    repo.commit(&["README.md"], "readme");
    for (path, text) in FILES {
        repo.write(path, text);
    }
    repo.commit(&FILES.map(|(path, _)| path), "invoices");
    repo
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

#[test]
fn the_multi_file_idor_exits_1_with_its_trace_in_human_json_sarif_and_the_report() {
    let mock = mock();
    let setup = Setup::new("idor", Some(&mock));
    let repo = invoice_repo("cli-commit-idor");
    let report_file = setup.home.path().join("review.md");

    // Human, with the Markdown report and progress.
    script_idor(&mock);
    let report_arg = report_file.to_string_lossy().into_owned();
    let human =
        setup.run(&["review-commit", "--color", "never", "--verbose", "--report", &report_arg], &repo.dir);
    assert_eq!(human.code, 1, "{}", human.stderr);
    assert_eq!(mock.requests().len(), 5);
    let text = human.stdout;
    assert!(text.contains("error[review.authorization]: Any user can read any invoice (IDOR)"), "{text}");
    assert!(text.contains("app/db.py:6:5") && text.contains("CWE-639"), "{text}");
    assert!(text.contains("= trace:"), "{text}");
    assert!(text.contains("1. app/routes.py:10  invoice_id taken from request.args"), "{text}");
    assert!(text.contains("3. app/db.py:6  fetched by id with no owner check"), "{text}");
    assert!(text.contains("= exploit: A logged-in user requests /invoices?id=2"), "{text}");
    let err = human.stderr;
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
    assert_eq!(json_run.code, 1, "{}", json_run.stderr);
    assert!(!json_run.stderr.contains("review-commit: Reading"), "no progress when stderr is not a terminal");
    let report: Value = serde_json::from_str(&json_run.stdout).unwrap();
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
    assert_eq!(sarif_run.code, 1, "{}", sarif_run.stderr);
    let sarif: Value = serde_json::from_str(&sarif_run.stdout).unwrap();
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
    assert_eq!(never.code, 0, "{}", never.stderr);
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
    assert_eq!(output.code, 0, "{}", output.stderr);
    let report: Value = serde_json::from_str(&output.stdout).unwrap();
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
    assert_eq!(both.code, 2, "REV and --staged conflict");
}

#[test]
fn a_bad_revision_or_no_repository_exits_2_with_one_line() {
    let mock = mock();
    let setup = Setup::new("badrev", Some(&mock));
    let repo = invoice_repo("cli-commit-badrev");
    let bad = setup.run(&["review-commit", "no-such-branch"], &repo.dir);
    assert_eq!(bad.code, 2);
    assert!(bad.stdout.is_empty());
    let err = bad.stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("unknown revision") && err.contains("no-such-branch"), "{err}");

    let plain = TempDir::new("plain-dir");
    let outside = setup.run(&["review-commit"], plain.path());
    assert_eq!(outside.code, 2);
    let err = outside.stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not inside a git repository") && err.contains("-C PATH"), "{err}");
    assert!(mock.requests().is_empty());

    // -C points at the repository from elsewhere.
    script_direct(&mock, &json!([]));
    let repo_arg = repo.dir.to_string_lossy().into_owned();
    let elsewhere = setup.run(&["review-commit", "-C", &repo_arg], plain.path());
    assert_eq!(elsewhere.code, 0, "{}", elsewhere.stderr);
    assert_eq!(mock.requests().len(), 1);
}

#[test]
fn no_credentials_exit_2_with_one_line_naming_the_variable() {
    let setup = Setup::new("nocreds", None);
    let repo = invoice_repo("cli-commit-nocreds");
    let output = setup.run(&["review-commit"], &repo.dir);
    assert_eq!(output.code, 2);
    assert!(output.stdout.is_empty());
    let err = output.stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("ANTHROPIC_API_KEY"), "{err}");
}

#[test]
fn a_rejected_key_cools_the_commit_review_layer_and_success_clears_it() {
    let mock = MockServer::start(Config { api_key: Some("the-right-key".to_owned()), ..Config::default() });
    let setup = Setup::new("auth", Some(&mock));
    let repo = invoice_repo("cli-commit-auth");
    let output = setup.run(&["review-commit"], &repo.dir);
    assert_eq!(output.code, 2);
    let err = output.stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("401") && err.contains("[auth]"), "{err}");
    let marker = setup.home.path().join("state/cooldown-commit-review.json");
    assert!(marker.is_file(), "the commit-review cooldown is written");

    // As the hook: the cooldown is honoured (no request) and the line says the commit goes ahead.
    let before = mock.requests().len();
    let hook = setup.run(&["review-commit", "--staged", "--fail-on", "error", "--git-hook"], &repo.dir);
    assert_eq!(hook.code, 2);
    let err = hook.stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cooling down") && err.contains("the commit goes ahead"), "{err}");
    assert_eq!(mock.requests().len(), before, "no request during the cooldown");

    // A person asking still tries, and a success clears the marker.
    let fixed = Setup { home: TempDir::new("auth-fixed"), url: Some(mock.url()) };
    std::fs::create_dir_all(fixed.home.path().join("state")).unwrap();
    std::fs::copy(&marker, fixed.home.path().join("state/cooldown-commit-review.json")).unwrap();
    let mut vars = fixed.vars();
    vars.retain(|(name, _)| *name != "ANTHROPIC_API_KEY");
    vars.push(("ANTHROPIC_API_KEY", "the-right-key".to_owned()));
    script_direct(&mock, &json!([]));
    let exe = env!("CARGO_BIN_EXE_sg-lsp");
    let retry = support::run(
        support::command(exe, &["review-commit"], &repo.dir, fixed.home.path(), &borrowed(&vars)),
        None,
    );
    assert_eq!(retry.code, 0, "{}", retry.stderr);
    assert!(retry.stderr.contains("cooling down until"), "{}", retry.stderr);
    assert!(!fixed.home.path().join("state/cooldown-commit-review.json").exists(), "success clears it");
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
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stderr.contains("--no-verify"), "{}", first.stderr);
    let script = std::fs::read_to_string(&hook).unwrap();
    assert!(script.starts_with("#!/bin/sh\n") && script.contains("# sg-lsp: pre-commit hook"), "{script}");
    assert!(script.contains("review-commit --staged --fail-on error"), "{script}");
    let exe = Path::new(env!("CARGO_BIN_EXE_sg-lsp")).canonicalize().unwrap();
    assert!(script.contains(&format!("sg_lsp='{}'", exe.display())), "the absolute path: {script}");
    assert!(is_executable(&hook));
    let again = setup.run(&["install-git-hook"], &repo.dir);
    assert_eq!(again.code, 0);
    assert!(again.stderr.contains("already installed"), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), script, "idempotent");

    let removed = setup.run(&["install-git-hook", "--uninstall"], &repo.dir);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert!(!hook.exists());
    assert_eq!(setup.run(&["install-git-hook", "--uninstall"], &repo.dir).code, 0);

    // A hook of someone else's: refused without --force, kept as a backup with it.
    let foreign = "#!/bin/sh\necho foreign hook\n";
    std::fs::write(&hook, foreign).unwrap();
    let refused = setup.run(&["install-git-hook"], &repo.dir);
    assert_eq!(refused.code, 2);
    let err = refused.stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--force") && err.contains("not installed by sg-lsp"), "{err}");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign, "left alone");
    let not_ours = setup.run(&["install-git-hook", "--uninstall"], &repo.dir);
    assert_eq!(not_ours.code, 2, "uninstall leaves a foreign hook alone");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);

    let forced = setup.run(&["install-git-hook", "--force"], &repo.dir);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), foreign, "the foreign hook is kept");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), script);
    let restored = setup.run(&["install-git-hook", "--uninstall"], &repo.dir);
    assert_eq!(restored.code, 0, "{}", restored.stderr);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign, "the backup is restored");
    assert!(!backup.exists());

    // core.hooksPath is respected (relative to the working tree's top).
    repo.set_config("core.hooksPath", "githooks");
    std::fs::remove_file(&hook).unwrap();
    let custom = setup.run(&["install-git-hook"], &repo.dir);
    assert_eq!(custom.code, 0, "{}", custom.stderr);
    assert!(repo.dir.join("githooks/pre-commit").is_file());
    assert!(!hook.exists());

    let plain = TempDir::new("install-plain");
    let outside = setup.run(&["install-git-hook"], plain.path());
    assert_eq!(outside.code, 2);
    assert!(outside.stderr.contains("not inside a git repository"));
}

#[cfg(unix)]
#[test]
fn a_real_git_commit_is_blocked_on_a_critical_finding_and_never_on_a_review_that_cannot_run() {
    let mock = mock();
    let setup = Setup::new("e2e", Some(&mock));
    let repo = TestRepo::new("cli-commit-e2e");
    repo.write("README.md", "# invoices\n");
    let first = repo.commit(&["README.md"], "readme").to_string();
    let head = || setup.git(&["rev-parse", "HEAD"], &repo.dir).stdout.trim().to_owned();
    assert_eq!(head(), first);
    let installed = setup.run(&["install-git-hook"], &repo.dir);
    assert_eq!(installed.code, 0, "{}", installed.stderr);

    // A critical finding blocks the commit.
    repo.write("app/routes.py", ROUTES).write("app/db.py", DB).write("app/__init__.py", "");
    assert!(setup.git(&["add", "app"], &repo.dir).code == 0);
    let mut critical = idor_finding(None);
    critical["severity"] = json!("critical");
    script_direct(&mock, &json!([critical.clone()]));
    critical["candidate"] = json!(1);
    script_direct(&mock, &json!([critical]));
    let blocked = setup.git(&["commit", "-m", "invoices"], &repo.dir);
    assert!(blocked.code != 0, "{}", blocked.stderr);
    let err = blocked.stderr;
    assert!(err.contains("git commit --no-verify"), "{err}");
    // git sends a hook's stdout to stderr.
    assert!(err.contains("error[review.authorization]: Any user can read any invoice"), "{err}");
    assert_eq!(head(), first, "nothing committed");
    assert_eq!(mock.requests().len(), 2);
    let body = String::from_utf8_lossy(&mock.requests()[0].body).into_owned();
    assert!(body.contains("=== DIFF: app/db.py ==="), "the staged files were reviewed");

    // --no-verify skips the hook (no request).
    let skipped = setup.git(&["commit", "--no-verify", "-m", "invoices"], &repo.dir);
    assert!(skipped.code == 0, "{}", skipped.stderr);
    assert_ne!(head(), first);
    assert_eq!(mock.requests().len(), 2, "the hook did not run");

    // `git commit -a`: the hook reviews git's temporary index (GIT_INDEX_FILE), and nothing found passes.
    let second = head();
    repo.write("app/db.py", &format!("{DB}\n\ndef ALL_MARKER():\n    return 1\n"));
    script_direct(&mock, &json!([]));
    let clean = setup.git(&["commit", "-a", "-m", "more"], &repo.dir);
    assert!(clean.code == 0, "{}", clean.stderr);
    assert_ne!(head(), second);
    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    assert!(String::from_utf8_lossy(&requests[2].body).contains("ALL_MARKER"), "the -a change was reviewed");

    // No credentials: the commit goes through with a one-line note.
    let third = head();
    repo.write("notes.txt", "later\n");
    let bare = Setup::new("e2e-nocreds", None);
    assert!(bare.git(&["add", "notes.txt"], &repo.dir).code == 0);
    let through = bare.git(&["commit", "-m", "notes"], &repo.dir);
    assert!(through.code == 0, "{}", through.stderr);
    assert_ne!(head(), third);
    let err = through.stderr;
    let ours: Vec<&str> = err.lines().filter(|l| l.contains("sg-lsp")).collect();
    assert_eq!(ours.len(), 1, "{err}");
    assert!(ours[0].contains("ANTHROPIC_API_KEY") && ours[0].contains("the commit goes ahead"), "{err}");
    assert_eq!(mock.requests().len(), 3);

    // ENABLE_COMMIT_REVIEW=0 (as for the Claude Code hook): credentials or not, no review and not a word.
    let fourth = head();
    repo.write("notes.txt", "even later\n");
    assert!(setup.git(&["add", "notes.txt"], &repo.dir).code == 0);
    let mut vars = setup.vars();
    vars.push(("ENABLE_COMMIT_REVIEW", "0".to_owned()));
    let off =
        support::command("git", &["commit", "-m", "off"], &repo.dir, setup.home.path(), &borrowed(&vars));
    let off = support::run(off, None);
    assert!(off.code == 0, "{}", off.stderr);
    assert_ne!(head(), fourth);
    assert!(!off.stderr.contains("sg-lsp"), "{}", off.stderr);
    assert_eq!(mock.requests().len(), 3, "switched off: no request");
}
