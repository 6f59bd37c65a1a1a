//! `sg-lsp hook` from the outside: golden output for real Claude Code payload shapes of every event
//! (fixtures in `tests/hook/payloads/`, snapshots in `tests/hook/snapshots/`), the failure table
//! (every failure exits 0 with one stderr line), state, the git baseline and the debug log.

mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use support::{HookSandbox, Outcome, git};

/// A throw-away project, home and state dir for one test; outputs name the sandbox `<sandbox>`.
struct Sandbox(HookSandbox);

impl std::ops::Deref for Sandbox {
    type Target = HookSandbox;

    fn deref(&self) -> &HookSandbox {
        &self.0
    }
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        Sandbox(HookSandbox::new(name))
    }

    fn file(&self, relative: &str, text: &str) {
        let path = self.project().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A payload fixture with its placeholders filled in.
    fn payload(&self, fixture: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/hook/payloads")
            .join(format!("{fixture}.json"));
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .replace("<project>", &self.project().to_string_lossy())
            .replace("<home>", &self.home().to_string_lossy())
    }

    fn run(&self, stdin: &str, env: &[(&str, &str)]) -> Outcome {
        self.run_binary(env!("CARGO_BIN_EXE_sg-lsp"), stdin.as_bytes(), env)
    }

    fn run_binary(&self, binary: &str, stdin: &[u8], env: &[(&str, &str)]) -> Outcome {
        let outcome = self.hook(binary, stdin, env);
        let root = self.root().to_string_lossy();
        Outcome {
            code: outcome.code,
            stdout: outcome.stdout.replace(&*root, "<sandbox>"),
            stderr: outcome.stderr.replace(&*root, "<sandbox>"),
        }
    }
}

/// The outcome as a snapshot: exit code, the stdout JSON line, the model-facing text unescaped.
fn render(outcome: &Outcome) -> String {
    let mut text = format!("exit: {}\n", outcome.code);
    if outcome.stdout.is_empty() {
        text.push_str("stdout: (empty)\n");
    } else {
        let json: serde_json::Value =
            serde_json::from_str(&outcome.stdout).expect("stdout is one JSON object");
        assert_eq!(outcome.stdout.lines().count(), 1, "stdout is one line");
        let output = &json["hookSpecificOutput"];
        let _ = writeln!(text, "hookEventName: {}", output["hookEventName"]);
        if let Some(decision) = output.get("permissionDecision") {
            let _ = writeln!(text, "permissionDecision: {decision}");
        }
        for key in ["additionalContext", "permissionDecisionReason"] {
            if let Some(value) = output.get(key).and_then(serde_json::Value::as_str) {
                let _ = writeln!(text, "{key}:\n{value}");
            }
        }
    }
    let _ = write!(text, "stderr: {}", if outcome.stderr.is_empty() { "(empty)\n" } else { &outcome.stderr });
    text
}

/// Snapshots the shape of the output. The rules' own wording (`Why:` and `Safe alternative:` lines)
/// is redacted: it belongs to the rule catalogue, which changes on its own schedule, and
/// `warnings_quote_the_rule_message` checks it against the catalogue instead.
fn snapshot(name: &str, outcome: &Outcome) {
    let mut redacted = String::new();
    for line in render(outcome).lines() {
        match ["  Why: ", "  Safe alternative: "].into_iter().find(|label| line.starts_with(label)) {
            Some(label) => {
                redacted.push_str(label);
                redacted.push_str("<from the rule>");
            }
            None => redacted.push_str(line),
        }
        redacted.push('\n');
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../tests/hook/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, redacted));
}

const CALC: &str = "import os\n\n\ndef calculate(user_input):\n    return eval(user_input)\n";
const APP_AFTER_EDIT: &str = "import json\nold = eval(legacy)\nobj = eval(data)\n";

#[test]
fn post_tool_use_write_warns_once_per_session() {
    let sandbox = Sandbox::new("write");
    sandbox.file("calc.py", CALC);
    let payload = sandbox.payload("post-write");
    let first = sandbox.run(&payload, &[]);
    snapshot("post-write", &first);
    let again = sandbox.run(&payload, &[]);
    assert_eq!(
        (again.code, again.stdout.as_str(), again.stderr.as_str()),
        (0, "", ""),
        "reported once per session"
    );
    // Another session hears about it again.
    let other = sandbox.run(&payload.replace("\"s-write\"", "\"s-other\""), &[]);
    assert!(other.stdout.contains("python.eval"));
    // The slim binary behaves the same.
    let slim = sandbox.run_binary(
        env!("CARGO_BIN_EXE_sg-lsp-hook"),
        payload.replace("\"s-write\"", "\"s-slim\"").as_bytes(),
        &[],
    );
    assert_eq!(slim.stdout, first.stdout);
}

#[test]
fn warnings_quote_the_rule_message() {
    let sandbox = Sandbox::new("message");
    sandbox.file("calc.py", CALC);
    let outcome = sandbox.run(&sandbox.payload("post-write"), &[]);
    let message = &sg_lsp::RuleSet::builtin().get("python.eval").expect("python.eval exists").meta.message;
    let (why, alternative) = message.split_once("; ").unwrap_or((message.as_str(), ""));
    let json: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
    let text = json["hookSpecificOutput"]["additionalContext"].as_str().unwrap();
    assert!(text.contains(&format!("  Why: {}", why.trim_end_matches('.'))), "{text}");
    assert!(text.contains(alternative.trim_end_matches('.')), "{text}");
}

#[test]
fn post_tool_use_reports_only_lines_the_edit_wrote() {
    let sandbox = Sandbox::new("edits");
    sandbox.file("app.py", APP_AFTER_EDIT);
    snapshot("post-edit", &sandbox.run(&sandbox.payload("post-edit"), &[]));
    let old_cli = sandbox.run(&sandbox.payload("post-edit-no-patch"), &[]);
    assert!(
        old_cli.stdout.contains("app.py:3") && !old_cli.stdout.contains("app.py:2"),
        "{}",
        old_cli.stdout
    );

    sandbox.file("both.py", "def a(x):\n    return eval(x)\n\n\ndef b(y):\n    return eval(y)\n");
    snapshot("post-write-overwrite", &sandbox.run(&sandbox.payload("post-write-overwrite"), &[]));

    sandbox.file("app.py", "import json\nimport builtins\nold = eval(legacy)\nobj = builtins.eval(data)\n");
    snapshot("post-multiedit", &sandbox.run(&sandbox.payload("post-multiedit"), &[]));
}

#[test]
fn post_tool_use_notebook_edit_names_the_cell() {
    let sandbox = Sandbox::new("notebook");
    let notebook = serde_json::json!({
        "cells": [
            {"cell_type": "markdown", "id": "c0", "metadata": {}, "source": ["# Analysis"]},
            {"cell_type": "code", "id": "c1", "metadata": {}, "outputs": [], "execution_count": null,
             "source": ["expr = input()\n", "old = eval(expr)"]},
            {"cell_type": "code", "id": "c2", "metadata": {}, "outputs": [], "execution_count": null,
             "source": ["%matplotlib inline\n", "result = eval(expr)"]}
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5
    });
    sandbox.file("analysis.ipynb", &notebook.to_string());
    snapshot("post-notebookedit", &sandbox.run(&sandbox.payload("post-notebookedit"), &[]));
}

#[test]
fn post_tool_use_understands_windows_separators() {
    let sandbox = Sandbox::new("windows");
    sandbox.file("src/calc.py", CALC);
    let outcome = sandbox.run(&sandbox.payload("post-write-windows-path"), &[]);
    assert!(outcome.stdout.contains("src/calc.py:5: python.eval"), "{}", outcome.stdout);
}

#[test]
fn pre_tool_use_blocks_only_when_asked() {
    let sandbox = Sandbox::new("pre");
    snapshot("pre-write-default", &sandbox.run(&sandbox.payload("pre-write"), &[]));
    let secret = sandbox.payload("pre-write-secret");
    assert_eq!(sandbox.run(&secret, &[]).stdout, "", "off by default");
    snapshot("pre-write-secret", &sandbox.run(&secret, &[("SG_HOOK_BLOCK", "secrets")]));
    assert!(!sandbox.run(&secret, &[("SG_HOOK_BLOCK", "secrets")]).stdout.contains("\"allow\""));

    // eval is an error but not a secret.
    sandbox.file("app.py", "import json\n\ndef a(data):\n    return json.loads(data)\n\ndef b(data):\n    return json.loads(data)\n");
    let edit = sandbox.payload("pre-edit-replace-all");
    assert_eq!(sandbox.run(&edit, &[("SG_HOOK_BLOCK", "secrets")]).stdout, "");
    snapshot("pre-edit-replace-all-errors", &sandbox.run(&edit, &[("SG_HOOK_BLOCK", "errors")]));

    // What is already in the file is not the edit's doing.
    sandbox.file("settings.py", "DEBUG = True\nAWS_ACCESS_KEY_ID = 'AKIAZ3MSJV4WWAD7ZQ6B'\n");
    assert_eq!(sandbox.run(&secret, &[("SG_HOOK_BLOCK", "secrets")]).stdout, "", "the key was there before");
}

#[test]
fn review_events_exit_0_in_silence_and_keep_their_state() {
    let sandbox = Sandbox::new("review");
    for fixture in
        ["stop", "stop-active", "subagent-stop", "post-bash-commit", "post-read", "user-prompt-submit"]
    {
        let outcome = sandbox.run(&sandbox.payload(fixture), &[]);
        assert_eq!(
            (outcome.code, outcome.stdout.as_str(), outcome.stderr.as_str()),
            (0, "", ""),
            "{fixture}"
        );
    }
    // The same Bash call through a second `if` handler is handled once.
    sandbox.run(&sandbox.payload("post-bash-commit"), &[]);
    let log = sandbox.log();
    assert!(log.contains("command=git_commit skip=not_a_git_repository"), "{log}");
    assert!(log.contains("command=git_commit skip=already_handled"), "{log}");
    assert!(log.contains("event=Stop") && log.contains("skip=stop_hook_active"), "{log}");
    // stop_hook_active never touches state (so it can never loop on it).
    assert!(!sandbox.state().join("sg-lsp-session-s-stop-active.json").exists() || log.contains("s-stop"));
    let off = sandbox.run(&sandbox.payload("post-bash-commit"), &[("ENABLE_COMMIT_REVIEW", "0")]);
    assert_eq!(off.stdout, "");
}

#[test]
fn user_prompt_submit_records_a_baseline_without_touching_the_index() {
    let sandbox = Sandbox::new("baseline");
    let project = sandbox.project();
    git(&project, &["init", "-q"]);
    sandbox.file("app.py", "print('v1')\n");
    sandbox.file("staged.py", "print('staged v1')\n");
    git(&project, &["add", "."]);
    git(&project, &["commit", "-q", "-m", "first"]);
    let head = git(&project, &["rev-parse", "HEAD"]);
    sandbox.file("app.py", "print('v2, dirty')\n");
    sandbox.file("staged.py", "print('staged v2')\n");
    git(&project, &["add", "staged.py"]);
    sandbox.file("new.py", "print('untracked')\n");
    let index = std::fs::read(project.join(".git/index")).unwrap();
    let status = git(&project, &["status", "--porcelain"]);

    let outcome = sandbox.run(&sandbox.payload("user-prompt-submit"), &[]);
    assert_eq!((outcome.code, outcome.stdout.as_str(), outcome.stderr.as_str()), (0, "", ""));

    assert_eq!(std::fs::read(project.join(".git/index")).unwrap(), index, "the user's index is untouched");
    assert_eq!(git(&project, &["status", "--porcelain"]), status);
    assert_eq!(git(&project, &["stash", "list"]), "", "no stash entry");
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sandbox.state().join("sg-lsp-session-s-prompt.json")).unwrap())
            .unwrap();
    let baseline = state["baseline"]["sha"].as_str().unwrap();
    assert_eq!(state["baseline"]["head"].as_str(), Some(head.as_str()));
    assert_ne!(baseline, head);
    assert_eq!(git(&project, &["show", &format!("{baseline}:app.py")]), "print('v2, dirty')");
    assert_eq!(git(&project, &["show", &format!("{baseline}:staged.py")]), "print('staged v2')");
    assert_eq!(git(&project, &["show", &format!("{baseline}:new.py")]), "print('untracked')");
    assert_eq!(git(&project, &["rev-parse", &format!("{baseline}^")]), head);

    // A clean tree's baseline is HEAD itself; outside a repository there is none, silently.
    let clean = Sandbox::new("baseline-clean");
    git(&clean.project(), &["init", "-q"]);
    clean.file("a.py", "x = 1\n");
    git(&clean.project(), &["add", "."]);
    git(&clean.project(), &["commit", "-q", "-m", "c"]);
    assert_eq!(clean.run(&clean.payload("user-prompt-submit"), &[]).stderr, "");
    assert!(clean.log().contains("baseline=head"), "{}", clean.log());
    let bare = Sandbox::new("baseline-none");
    assert_eq!(bare.run(&bare.payload("user-prompt-submit"), &[]).stderr, "");
    assert!(bare.log().contains("baseline=none"), "{}", bare.log());
}

/// One row of the failure table: whatever goes wrong, exit 0, nothing on stdout (unless findings were
/// still delivered), and exactly one stderr line naming the failure code.
struct Row {
    name: &'static str,
    stdin: String,
    env: Vec<(&'static str, String)>,
    code: Option<&'static str>,
    findings_still_reported: bool,
}

/// What is wrong with a row's outcome (nothing, when it is as specified).
fn check_row(row: &Row, outcome: &Outcome) -> Vec<String> {
    let mut wrong = Vec::new();
    if outcome.code != 0 {
        wrong.push(format!("exit {}", outcome.code));
    }
    let stderr_ok = match row.code {
        Some(code) => outcome.stderr.lines().count() == 1 && outcome.stderr.contains(&format!("[{code}]")),
        None => outcome.stderr.is_empty(),
    };
    if !stderr_ok {
        wrong.push(format!("stderr {:?}", outcome.stderr));
    }
    if outcome.stdout.contains("python.eval") != row.findings_still_reported {
        wrong.push(format!("stdout {:?}", outcome.stdout));
    }
    if row.name == "panic" && !outcome.stdout.contains("systemMessage") {
        wrong.push("no systemMessage for a panic".into());
    }
    wrong
}

#[test]
fn every_failure_exits_0_with_one_stderr_line() {
    let sandbox = Sandbox::new("failures");
    sandbox.file("calc.py", CALC);
    sandbox.file("big.py", &"x = 1\n".repeat(400_000));
    sandbox.file("large.py", &format!("{}eval(x)\n", "value = compute(a, b) + other(c)\n".repeat(3_000)));
    std::fs::create_dir_all(sandbox.project().join("adir.py")).unwrap();
    let write = |session: &str, path: &str| {
        sandbox
            .payload("post-write")
            .replace("\"s-write\"", &format!("\"{session}\""))
            .replace("/calc.py", path)
    };
    let not_a_dir = sandbox.root().join("a-file");
    std::fs::write(&not_a_dir, "").unwrap();
    std::fs::write(sandbox.state().join("sg-lsp-session-corrupt.json"), "{\"shown\": [1, 2").unwrap();
    std::fs::write(sandbox.state().join("sg-lsp-session-locked.lock"), "1").unwrap();
    let row = |name, stdin: String, code, findings| Row {
        name,
        stdin,
        env: vec![],
        code,
        findings_still_reported: findings,
    };
    let with_env = |mut row: Row, env: Vec<(&'static str, String)>| {
        row.env = env;
        row
    };
    let rows = vec![
        row("empty stdin", String::new(), Some("bad_stdin"), false),
        row("blank stdin", " \n".into(), Some("bad_stdin"), false),
        row("not JSON", "hello".into(), Some("bad_json"), false),
        row("truncated JSON", "{\"hook_event_name\":\"PostToolUse\"".into(), Some("bad_json"), false),
        row("a JSON array", format!("[{}]", write("arr", "/calc.py")), Some("bad_event"), false),
        row("no event name", "{\"session_id\":\"x\"}".into(), Some("bad_event"), false),
        row("unknown event", "{\"hook_event_name\":\"Teleport\"}".into(), Some("unknown_event"), false),
        row("known event with nothing to do", "{\"hook_event_name\":\"SessionStart\",\"source\":\"startup\"}".into(), None, false),
        row(
            "Write without content",
            "{\"hook_event_name\":\"PostToolUse\",\"tool_name\":\"Write\",\"tool_input\":{\"file_path\":\"/x.py\"}}".into(),
            Some("bad_tool_input"),
            false,
        ),
        row("file gone", write("gone", "/gone.py"), Some("file_missing"), false),
        row("file unreadable", write("unreadable", "/adir.py"), Some("file_unreadable"), false),
        row("file too large", write("big", "/big.py"), Some("too_large"), false),
        with_env(
            row("state dir unwritable", write("unwritable", "/calc.py"), Some("state_unwritable"), true),
            vec![("SECURITY_WARNINGS_STATE_DIR", not_a_dir.join("state").to_string_lossy().into_owned())],
        ),
        row("state corrupt", write("corrupt", "/calc.py"), Some("state_corrupt"), true),
        row("state locked", write("locked", "/calc.py"), Some("state_locked"), true),
        with_env(
            row("time budget spent", write("slow", "/large.py"), Some("timeout"), false),
            vec![("SG_HOOK_BUDGET_MS", "0".into())],
        ),
        with_env(
            row("bad SG_HOOK_BLOCK", sandbox.payload("pre-write"), Some("bad_config"), false),
            vec![("SG_HOOK_BLOCK", "maybe".into())],
        ),
        with_env(row("panic", write("panic", "/calc.py"), Some("panic"), false), vec![("SG_LSP_HOOK_TEST_PANIC", "1".into())]),
        with_env(
            row("kill switch", write("killed", "/calc.py"), None, false),
            vec![("SECURITY_GUIDANCE_DISABLE", "1".into())],
        ),
        with_env(
            row("legacy kill switch", write("killed2", "/calc.py"), None, false),
            vec![("ENABLE_SECURITY_REMINDER", "0".into())],
        ),
        with_env(
            row("pattern layer off", write("nopattern", "/calc.py"), None, false),
            vec![("ENABLE_PATTERN_RULES", "0".into())],
        ),
    ];
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            let env: Vec<(&str, &str)> = row.env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let wrong = check_row(row, &sandbox.run(&row.stdin, &env));
            (!wrong.is_empty()).then(|| format!("{}: {}", row.name, wrong.join(", ")))
        })
        .collect();
    assert!(failures.is_empty(), "failure table:\n{}", failures.join("\n"));
    // The corrupt state file was replaced by a good one.
    let state = std::fs::read_to_string(sandbox.state().join("sg-lsp-session-corrupt.json")).unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&state).is_ok());
}

#[test]
fn the_debug_log_is_private_and_holds_no_file_contents() {
    let sandbox = Sandbox::new("log");
    sandbox.file("calc.py", CALC);
    sandbox.file("settings.py", "AWS_ACCESS_KEY_ID = 'AKIAZ3MSJV4WWAD7ZQ6B'\n");
    sandbox.run(&sandbox.payload("post-write"), &[]);
    sandbox.run(&sandbox.payload("pre-write-secret"), &[("SG_HOOK_BLOCK", "secrets")]);
    let log = sandbox.log();
    assert!(log.contains("event=PostToolUse") && log.contains("reported=1"), "{log}");
    assert!(!log.contains("eval(user_input)") && !log.contains("AKIA"), "{log}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(sandbox.state().join("log.txt")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let custom = sandbox.root().join("custom.log");
    sandbox.run("", &[("SECURITY_GUIDANCE_DEBUG_LOG", &custom.to_string_lossy())]);
    assert!(std::fs::read_to_string(custom).unwrap().contains("failure=bad_stdin"));
}

#[test]
fn suppressions_and_project_config_are_honoured() {
    let sandbox = Sandbox::new("config");
    let payload = sandbox.payload("post-write");
    sandbox.file("calc.py", "def calculate(user_input):\n    return eval(user_input)  # sg-ignore[python.eval]: trusted admin input\n");
    assert_eq!(sandbox.run(&payload, &[]).stdout, "");
    sandbox.file("calc.py", CALC);
    sandbox.file(".sg-lsp.toml", "[rules]\ndisable = [\"python.eval\"]\n");
    assert_eq!(sandbox.run(&payload, &[]).stdout, "");
    sandbox.file(".sg-lsp.toml", "exclude = [\"calc.py\"]\n");
    assert_eq!(sandbox.run(&payload, &[]).stdout, "");
    sandbox.file(".sg-lsp.toml", "not toml [");
    let broken = sandbox.run(&payload, &[]);
    assert!(
        broken.stdout.contains("python.eval") && broken.stderr.contains("[bad_config]"),
        "{}",
        broken.stderr
    );
}

#[test]
fn under_a_memory_limit_a_dying_worker_is_retried_with_less() {
    let sandbox = Sandbox::new("supervise");
    sandbox.file("calc.py", CALC);
    let payload = sandbox.payload("post-write");
    // A finite (if generous) limit turns supervision on; the test switch aborts the chosen modes.
    let run = |aborting: &str, session: &str| {
        let stdin = payload.replace("\"s-write\"", &format!("\"{session}\""));
        let outcome = sandbox.hook_limited(&stdin, &[("SG_LSP_HOOK_TEST_ABORT", aborting)]);
        (Some(outcome.code), outcome.stdout, outcome.stderr)
    };
    let (code, stdout, stderr) = run("", "sup-ok");
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
    assert!(stdout.contains("python.eval"), "{stdout}");

    // The full and the literal-rules attempts die: the tree-less retry still answers, with a note.
    let (code, stdout, stderr) = run("full,literal", "sup-retry");
    assert_eq!(code, Some(0));
    assert_eq!(stdout, "", "python.eval needs the tree, so the regex-only retry finds nothing");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("scanned with regex rules only [memory_tight]"), "{stderr}");
    assert!(
        sandbox.log().contains("worker_died=full:signal_killed:6 worker_died=literal:signal_killed:6"),
        "{}",
        sandbox.log()
    );

    // Every attempt dies: one line, exit 0, never the crash's own output.
    let (code, stdout, stderr) = run("full,literal,regex-only,minimal", "sup-dead");
    assert_eq!((code, stdout.as_str()), (Some(0), ""));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("too tight for any scan") && stderr.contains("[memory_tight]"), "{stderr}");
}

#[test]
fn the_plugin_launcher_never_turns_a_failure_into_findings() {
    let sandbox = Sandbox::new("launcher");
    let launcher = Path::new(env!("CARGO_MANIFEST_DIR")).join("../editors/claude-code/scripts/sg-lsp-launch");
    let fake = |name: &str, body: &str| {
        let path = sandbox.root().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        path.to_string_lossy().into_owned()
    };
    let launch = |env: &[(&str, &str)]| {
        let mut command = Command::new("bash");
        command
            .arg(&launcher)
            .arg("hook")
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = launch(&[]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""), "a missing binary is not a finding");
    assert!(stderr.contains("binary not found") && stderr.lines().count() == 1, "{stderr}");

    let killed = fake("killed", "kill -9 $$");
    let (code, _, stderr) = launch(&[("SG_LSP_BIN", &killed)]);
    assert_eq!(code, Some(0));
    assert!(stderr.contains("killed by signal 9") && stderr.lines().count() == 1, "{stderr}");

    let python_like = fake("exit2-lookalike", "echo \"can't open file\" >&2; exit 1");
    let (code, _, stderr) = launch(&[("SG_LSP_BIN", &python_like)]);
    assert_eq!(code, Some(0));
    assert!(stderr.contains("exited with status 1"), "{stderr}");

    let findings = fake("findings", "echo '{}'; exit 2");
    assert_eq!(launch(&[("SG_LSP_BIN", &findings)]).0, Some(2), "the binary's own exit 2 passes through");

    // Found through the plugin data dir, with the real binary.
    let data = sandbox.root().join("plugin-data/bin");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_sg-lsp"), data.join("sg-lsp")).unwrap();
    let (code, stdout, stderr) =
        launch(&[("CLAUDE_PLUGIN_DATA", &sandbox.root().join("plugin-data").to_string_lossy())]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""));
    assert!(stderr.contains("[bad_stdin]"), "the real binary ran: {stderr}");
}

#[test]
fn state_dir_resolution_follows_the_original_plugin() {
    let sandbox = Sandbox::new("statedir");
    sandbox.file("calc.py", CALC);
    let payload = sandbox.payload("post-write");
    let config = sandbox.root().join("config");
    // An empty SECURITY_WARNINGS_STATE_DIR counts as unset: then $CLAUDE_CONFIG_DIR/security.
    sandbox.run(
        &payload,
        &[("SECURITY_WARNINGS_STATE_DIR", ""), ("CLAUDE_CONFIG_DIR", &config.to_string_lossy())],
    );
    assert!(config.join("security/sg-lsp-session-s-write.json").exists());
    // Then ~/.claude/security.
    sandbox.run(&payload.replace("\"s-write\"", "\"s-home\""), &[("SECURITY_WARNINGS_STATE_DIR", "")]);
    assert!(sandbox.root().join("home/.claude/security/sg-lsp-session-s-home.json").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let state = sandbox.root().join("home/.claude/security/sg-lsp-session-s-home.json");
        assert_eq!(std::fs::metadata(state).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
