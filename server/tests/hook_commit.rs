//! The commit review of `sg-lsp hook` (`PostToolUse` of a Bash `git commit` / `gt create` /
//! `gt modify`) from the outside: the real binary, a cleared environment pointing at the loopback mock
//! of the Messages API (scripted as an agent: Read, `report_findings` with a trace, the refuter), and
//! real commits in a temporary repository.

mod support;

use mock_llm::{Config, MockServer, Reply};
use serde_json::{Value, json};
use support::{HookSandbox, Outcome, borrowed, git, git_raw, request_text};

const KEY: &str = "test-key";
const SAFE: &str = "import subprocess\n\n\ndef run(name):\n    return subprocess.run(['echo', name])\n";
const VULNERABLE: &str =
    "import subprocess\n\n\ndef run(name):\n    return subprocess.run('echo ' + name, shell=True)\n";

struct Sandbox(HookSandbox);

impl std::ops::Deref for Sandbox {
    type Target = HookSandbox;

    fn deref(&self) -> &HookSandbox {
        &self.0
    }
}

impl Sandbox {
    /// A project with one committed file.
    fn new(name: &str) -> Sandbox {
        let sandbox = Sandbox(HookSandbox::new(&format!("commit-{name}")));
        git(&sandbox.project(), &["init", "-q"]);
        sandbox.write("app.py", SAFE);
        git(&sandbox.project(), &["add", "."]);
        git(&sandbox.project(), &["commit", "-q", "-m", "first"]);
        sandbox
    }

    fn write(&self, relative: &str, text: &str) {
        std::fs::write(self.project().join(relative), text).unwrap();
    }

    /// Commits everything with `args` (e.g. `-m msg`), returning git's stdout as the Bash tool shows it.
    fn commit(&self, args: &[&str]) -> String {
        git(&self.project(), &["add", "-A"]);
        let mut all = vec!["commit"];
        all.extend_from_slice(args);
        git_raw(&self.project(), &all)
    }

    fn head(&self) -> String {
        git(&self.project(), &["rev-parse", "HEAD"])
    }

    fn bash(&self, session: &str, id: &str, command: &str, stdout: &str, stderr: &str) -> String {
        json!({
            "session_id": session,
            "transcript_path": "/nowhere.jsonl",
            "cwd": self.project(),
            "permission_mode": "acceptEdits",
            "hook_event_name": "PostToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": command, "description": "commit"},
            "tool_response": {"stdout": stdout, "stderr": stderr, "interrupted": false, "isImage": false},
            "tool_use_id": id,
        })
        .to_string()
    }

    fn run(&self, stdin: &str, env: &[(&str, &str)]) -> Outcome {
        self.run_binary(env!("CARGO_BIN_EXE_sg-lsp"), stdin, env)
    }

    fn run_binary(&self, binary: &str, stdin: &str, env: &[(&str, &str)]) -> Outcome {
        self.hook(binary, stdin.as_bytes(), env)
    }

    fn session(&self, session: &str) -> Value {
        let path = self.state().join(format!("sg-lsp-session-{session}.json"));
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }
}

fn finding(candidate: Option<u32>) -> Value {
    let mut finding = json!({
        "file": "app.py", "line": 5, "code": "return subprocess.run('echo ' + name, shell=True)",
        "severity": "high", "category": "command-injection", "cwe": "CWE-78",
        "title": "Shell command built from the caller's input",
        "explanation": "name comes from the caller and reaches a shell",
        "exploit": "A caller passes `x; rm -rf ~` as the name and the shell runs it.",
        "evidence": "app.py:5 concatenates name into a shell=True command.",
        "fix": "pass a list without shell=True",
        "confidence": 0.9,
        "trace": [
            {"file": "app.py", "line": 4, "note": "name arrives as a parameter"},
            {"file": "app.py", "line": 5, "note": "concatenated into a shell command"}
        ]
    });
    if let Some(n) = candidate {
        finding["candidate"] = json!(n);
    }
    finding
}

/// The agent's script: Read the file, report the candidate with its trace, the refuter keeps it.
fn script_finding(mock: &MockServer) {
    mock.push(Reply::tool_use("Read", json!({"file_path": "app.py"})));
    mock.push(Reply::tool_use("report_findings", json!({"findings": [finding(None)]})));
    mock.push(Reply::tool_use("report_findings", json!({"findings": [finding(Some(1))]})));
}

fn script_clean(mock: &MockServer) {
    mock.push(Reply::tool_use("report_findings", json!({"findings": []})));
}

fn mock() -> MockServer {
    support::mock_with_key(KEY)
}

/// The environment pointing the review at `url`, failing fast.
fn env_for(url: &str) -> Vec<(&'static str, String)> {
    support::llm_env(url, KEY)
}

fn quiet(outcome: &Outcome) -> (i32, &str, &str) {
    (outcome.code, outcome.stdout.as_str(), outcome.stderr.as_str())
}

#[test]
fn a_commit_with_a_finding_wakes_the_agent_with_the_trace_and_the_report() {
    let sandbox = Sandbox::new("finding");
    let mock = mock();
    script_finding(&mock);
    let env = env_for(&mock.url());
    let env = borrowed(&env);
    sandbox.write("app.py", VULNERABLE);
    let stdout = sandbox.commit(&["-m", "use a shell"]);
    let sha = sandbox.head();
    assert!(stdout.starts_with('[') && stdout.contains(&sha[..7]), "{stdout}");
    let event = sandbox.bash("c1", "toolu_1", "git add -A && git commit -m 'use a shell'", &stdout, "");

    let outcome = sandbox.run(&event, &env);
    assert_eq!(outcome.code, 2, "stderr: {}", outcome.stderr);
    // The agent: the Read, the report, the refuter.
    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    let first = request_text(&mock, 0);
    assert!(first.contains("5 +     return subprocess.run('echo ' + name, shell=True)"), "{first}");
    assert!(first.contains(&sha[..12]), "the commit is named: {first}");

    // stdout: one JSON line with additionalContext (and the task notification).
    assert_eq!(outcome.stdout.lines().count(), 1, "{}", outcome.stdout);
    let json: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(json["hookSpecificOutput"]["hookEventName"], "PostToolUse");
    let text = json["hookSpecificOutput"]["additionalContext"].as_str().unwrap();
    assert!(text.starts_with("[sg-lsp commit review:"), "{text}");
    assert!(text.contains(&sha), "{text}");
    assert!(
        text.contains("1. [HIGH] [command-injection] app.py:5 — Shell command built from the caller's input"),
        "{text}"
    );
    assert!(text.contains("Why: name comes from the caller and reaches a shell. (CWE-78)"), "{text}");
    assert!(
        text.contains("Trace:\n     app.py:4 name arrives as a parameter\n     app.py:5 concatenated"),
        "{text}"
    );
    assert!(text.contains("Exploit: A caller passes `x; rm -rf ~` as the name"), "{text}");
    assert!(text.contains("Fix: pass a list without shell=True."), "{text}");
    assert!(text.contains("say briefly why it does not apply"), "{text}");
    assert_eq!(
        json["rewakeSummary"],
        format!("sg-lsp commit review of {} found 1 issue: command-injection in app.py", &sha[..7])
    );
    // stderr: the same text (asyncRewake hooks deliver it).
    assert_eq!(outcome.stderr.trim_end(), text);
    // The report exists under .git/sg-lsp/reviews/ and is named in the text.
    let report =
        text.lines().find_map(|l| l.strip_prefix("Full report (evidence chain, exploit, fix): ")).unwrap();
    assert!(report.contains("/.git/sg-lsp/reviews/"), "{report}");
    let markdown = std::fs::read_to_string(report).unwrap();
    assert!(markdown.contains("Shell command built from the caller's input"), "{markdown}");
    // The sha is recorded as reviewed.
    let reviewed = std::fs::read_to_string(sandbox.project().join(".git/sg-reviewed-shas")).unwrap();
    assert!(reviewed.starts_with(&format!("{sha}\t")), "{reviewed}");

    // The debug log has the facts, never the text.
    let log = sandbox.log();
    assert!(log.contains("event=PostToolUse exit=2") && log.contains("found=output"), "{log}");
    assert!(
        log.contains("findings=1") && log.contains("tool_calls=Read:1") && log.contains("turns="),
        "{log}"
    );
    assert!(
        log.contains("input_tokens=")
            && log.contains("cost_usd=")
            && log.contains("stages=investigate,refute")
    );
    assert!(!log.contains("shell=True") && !log.contains("Shell command"), "{log}");

    // The same tool call again (another matching `if` rule): nothing.
    let again = sandbox.run(&event, &env);
    assert_eq!(quiet(&again), (0, "", ""));
    // The same sha from another call: already reviewed, no request.
    let other = sandbox.bash("c1", "toolu_2", "git commit -m 'use a shell'", &stdout, "");
    assert_eq!(quiet(&sandbox.run(&other, &env)), (0, "", ""));
    assert_eq!(mock.requests().len(), 3);
    assert!(
        sandbox.log().contains("skip=already_handled") && sandbox.log().contains("skip=already_reviewed")
    );
}

#[test]
fn without_the_sha_in_the_output_the_reflog_names_the_commit_and_gt_create_counts() {
    let sandbox = Sandbox::new("reflog");
    let mock = mock();
    let env = env_for(&mock.url());
    let env = borrowed(&env);
    // The setup's commit is not this session's business (it is young and in the reflog too).
    std::fs::write(sandbox.project().join(".git/sg-reviewed-shas"), format!("{}\t0\t1\t0\n", sandbox.head()))
        .unwrap();
    // `git commit -q` prints nothing.
    script_clean(&mock);
    sandbox.write("app.py", VULNERABLE);
    assert_eq!(sandbox.commit(&["-q", "-m", "quiet"]), "");
    let first = sandbox.head();
    let outcome = sandbox.run(&sandbox.bash("c2", "toolu_1", "git commit -qam quiet", "", ""), &env);
    assert_eq!(quiet(&outcome), (0, "", ""), "no findings: nothing on stdout");
    assert_eq!(mock.requests().len(), 1);
    assert!(request_text(&mock, 0).contains(&first[..12]));
    let log = sandbox.log();
    assert!(log.contains("found=reflog") && log.contains("findings=0 "), "{log}");

    // `gt create` (graphite) prints its own text; the reflog names the commit it made.
    script_clean(&mock);
    sandbox.write("extra.py", "import os\n");
    sandbox.commit(&["-q", "-m", "stacked"]);
    let second = sandbox.head();
    let outcome = sandbox
        .run(&sandbox.bash("c2", "toolu_2", "gt create -am stacked", "Created branch stacked.\n", ""), &env);
    assert_eq!(quiet(&outcome), (0, "", ""));
    assert_eq!(mock.requests().len(), 2);
    assert!(request_text(&mock, 1).contains(&second[..12]));
    assert!(sandbox.log().contains("command=gt_create"), "{}", sandbox.log());
    let reviewed = std::fs::read_to_string(sandbox.project().join(".git/sg-reviewed-shas")).unwrap();
    assert_eq!(reviewed.lines().count(), 3, "{reviewed}");

    // Nothing newer in the reflog: nothing to review.
    let none = sandbox.run(&sandbox.bash("c2", "toolu_3", "git commit -q -m again", "", ""), &env);
    assert_eq!(quiet(&none), (0, "", ""));
    assert_eq!(mock.requests().len(), 2);
    assert!(sandbox.log().contains("skip=no_commit_found"), "{}", sandbox.log());
}

#[test]
fn an_amend_reviews_only_its_delta() {
    let sandbox = Sandbox::new("amend");
    let mock = mock();
    script_clean(&mock);
    let env = env_for(&mock.url());
    let env = borrowed(&env);
    sandbox.write("other.py", "UNTOUCHED_ORIGINAL = 1\n");
    sandbox.commit(&["-q", "-m", "other"]);
    sandbox.write("app.py", format!("{SAFE}AMENDED_LINE = eval(input())\n").as_str());
    let stdout = sandbox.commit(&["--amend", "--no-edit"]);
    let outcome =
        sandbox.run(&sandbox.bash("c3", "toolu_1", "git commit -a --amend --no-edit", &stdout, ""), &env);
    assert_eq!(quiet(&outcome), (0, "", ""));
    assert_eq!(mock.requests().len(), 1);
    let body = request_text(&mock, 0);
    assert!(body.contains("6 + AMENDED_LINE = eval(input())"), "the amended line: {body}");
    assert!(!body.contains("UNTOUCHED_ORIGINAL"), "not the untouched lines of the original: {body}");
    assert!(sandbox.log().contains("amend=amend_delta") && sandbox.log().contains("found=output"));
}

#[test]
fn a_failed_or_unrelated_command_does_nothing() {
    let sandbox = Sandbox::new("failed");
    let mock = mock();
    let env = env_for(&mock.url());
    let env = borrowed(&env);
    sandbox.write("app.py", VULNERABLE);
    sandbox.commit(&["-q", "-m", "x"]);
    let failed = sandbox.bash("c4", "toolu_1", "git commit -m x", "", "fatal: not a git repository\n");
    assert_eq!(quiet(&sandbox.run(&failed, &env)), (0, "", ""));
    let status = sandbox.bash("c4", "toolu_2", "git status", "On branch main\n", "");
    assert_eq!(quiet(&sandbox.run(&status, &env)), (0, "", ""));
    assert_eq!(mock.requests().len(), 0);
    let log = sandbox.log();
    assert!(log.contains("skip=command_failed") && log.contains("skip=not_a_commit"), "{log}");
}

#[test]
fn the_21st_review_in_an_hour_is_skipped_with_one_note() {
    let sandbox = Sandbox::new("rate");
    let mock = mock();
    let env = env_for(&mock.url());
    let env = borrowed(&env);
    // Twenty reviews already ran in this session within the hour.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    std::fs::write(
        sandbox.state().join("sg-lsp-session-c5.json"),
        json!({"version": 1, "commit": {"reviews": vec![now - 60; 20], "rate_noted": 0}}).to_string(),
    )
    .unwrap();
    sandbox.write("app.py", VULNERABLE);
    let stdout = sandbox.commit(&["-m", "one"]);
    let outcome = sandbox.run(&sandbox.bash("c5", "toolu_1", "git commit -m one", &stdout, ""), &env);
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, ""));
    assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("20 commits were reviewed"), "{}", outcome.stderr);
    assert!(outcome.stderr.trim_end().ends_with("[commit_rate_limit]"), "{}", outcome.stderr);
    // The next one is skipped too, silently (the note was said once); the log has both.
    sandbox.write("extra.py", "x = 1\n");
    let stdout = sandbox.commit(&["-m", "two"]);
    let next = sandbox.run(&sandbox.bash("c5", "toolu_2", "git commit -m two", &stdout, ""), &env);
    assert_eq!(quiet(&next), (0, "", ""));
    assert_eq!(mock.requests().len(), 0);
    assert_eq!(sandbox.log().matches("skip=rate_limited").count(), 2, "{}", sandbox.log());
}

#[test]
fn without_credentials_the_commit_review_is_skipped_with_one_line() {
    let sandbox = Sandbox::new("nokey");
    sandbox.write("app.py", VULNERABLE);
    let stdout = sandbox.commit(&["-m", "x"]);
    let outcome = sandbox.run(&sandbox.bash("c6", "toolu_1", "git commit -m x", &stdout, ""), &[]);
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, ""));
    assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    assert!(
        outcome.stderr.starts_with("sg-lsp hook: commit review skipped: no LLM credentials"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.trim_end().ends_with("[no_credentials]"), "{}", outcome.stderr);
    assert!(!sandbox.state().join("cooldown-commit-review.json").exists());
    assert_eq!(sandbox.session("c6")["commit"]["reviews"], json!([]), "no review ran: no slot taken");
    assert!(!sandbox.project().join(".git/sg-reviewed-shas").exists(), "not reviewed");
}

#[test]
fn a_rejected_key_cools_the_commit_review_down() {
    let sandbox = Sandbox::new("auth");
    let mock = MockServer::start(Config { api_key: Some("the-right-key".to_owned()), ..Config::default() });
    let env = env_for(&mock.url());
    let env = borrowed(&env);
    sandbox.write("app.py", VULNERABLE);
    let stdout = sandbox.commit(&["-m", "x"]);
    let outcome = sandbox.run(&sandbox.bash("c7", "toolu_1", "git commit -m x", &stdout, ""), &env);
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, ""));
    assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("HTTP 401") && outcome.stderr.contains("commit reviews pause until"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.trim_end().ends_with("[auth]"), "{}", outcome.stderr);
    assert_eq!(mock.requests().len(), 1);
    let marker: Value =
        serde_json::from_slice(&std::fs::read(sandbox.state().join("cooldown-commit-review.json")).unwrap())
            .unwrap();
    assert_eq!(marker["code"], "auth");
    assert!(!sandbox.project().join(".git/sg-reviewed-shas").exists(), "a failed review is not a review");

    // The next commit makes no request and says why.
    sandbox.write("extra.py", "x = 1\n");
    let stdout = sandbox.commit(&["-m", "y"]);
    let next = sandbox.run(&sandbox.bash("c7", "toolu_2", "git commit -m y", &stdout, ""), &env);
    assert_eq!((next.code, next.stdout.as_str()), (0, ""));
    assert_eq!(next.stderr.lines().count(), 1, "{}", next.stderr);
    assert!(next.stderr.contains("commit review skipped: cooling down until"), "{}", next.stderr);
    assert!(next.stderr.trim_end().ends_with("[cooling_down]"), "{}", next.stderr);
    assert_eq!(mock.requests().len(), 1, "no request while cooling down");
}

#[test]
fn the_slim_binary_hands_the_commit_review_to_the_full_one() {
    let sandbox = Sandbox::new("slim");
    let mock = mock();
    script_finding(&mock);
    let env = env_for(&mock.url());
    let env = borrowed(&env);
    sandbox.write("app.py", VULNERABLE);
    let stdout = sandbox.commit(&["-m", "x"]);
    let event = sandbox.bash("c8", "toolu_1", "git commit -m x", &stdout, "");
    let outcome = sandbox.run_binary(env!("CARGO_BIN_EXE_sg-lsp-hook"), &event, &env);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    let json: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert!(json["hookSpecificOutput"]["additionalContext"].as_str().unwrap().contains("app.py:5"));
    assert_eq!(mock.requests().len(), 3);
}

#[test]
fn a_commit_review_killed_under_a_memory_limit_cools_down() {
    let sandbox = Sandbox::new("killed");
    let mock = mock();
    let env = env_for(&mock.url());
    let mut env = borrowed(&env);
    env.push(("SG_LSP_HOOK_TEST_ABORT", "commit-review"));
    sandbox.write("app.py", VULNERABLE);
    let stdout = sandbox.commit(&["-m", "x"]);
    let event = sandbox.bash("c9", "toolu_1", "git commit -m x", &stdout, "");
    let outcome = sandbox.hook_limited(&event, &env);
    let stderr = &outcome.stderr;
    assert_eq!((Some(outcome.code), outcome.stdout.as_bytes()), (Some(0), &b""[..]));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("killed by signal 6") && stderr.contains("commit reviews pause until"),
        "{stderr}"
    );
    let marker: Value =
        serde_json::from_slice(&std::fs::read(sandbox.state().join("cooldown-commit-review.json")).unwrap())
            .unwrap();
    assert_eq!(marker["code"], "signal_killed:6");
    assert_eq!(mock.requests().len(), 0);
}
