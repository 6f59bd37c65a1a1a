//! The Stop / `SubagentStop` review of `sg-lsp hook` from the outside: the real binary, a cleared
//! environment pointing at the loopback mock of the Messages API, a temporary git repository, and the
//! turn as Claude Code runs it (`UserPromptSubmit`, an edit and its `PostToolUse`, then `Stop`).

mod support;

use std::time::Duration;

use mock_llm::{Config, MockServer, Reply};
use serde_json::{Value, json};
use support::{HookSandbox, Outcome, borrowed, git, request_text};

const KEY: &str = "test-key";
const BEFORE: &str = "import subprocess\n\n\ndef run(name):\n    return subprocess.run(['echo', name])\n";
const AFTER: &str =
    "import subprocess\n\n\ndef run(name):\n    return subprocess.run('echo ' + name, shell=True)\n";

struct Sandbox {
    base: HookSandbox,
    turns: std::cell::Cell<usize>,
}

impl std::ops::Deref for Sandbox {
    type Target = HookSandbox;

    fn deref(&self) -> &HookSandbox {
        &self.base
    }
}

impl Sandbox {
    /// A project with one committed file.
    fn new(name: &str) -> Sandbox {
        let sandbox =
            Sandbox { base: HookSandbox::new(&format!("review-{name}")), turns: std::cell::Cell::new(0) };
        git(&sandbox.project(), &["init", "-q"]);
        sandbox.write("app.py", BEFORE);
        git(&sandbox.project(), &["add", "."]);
        git(&sandbox.project(), &["commit", "-q", "-m", "first"]);
        sandbox
    }

    fn write(&self, relative: &str, text: &str) {
        std::fs::write(self.project().join(relative), text).unwrap();
    }

    fn event(&self, session: &str, event: &str, extra: &Value) -> String {
        let mut payload = json!({
            "session_id": session,
            "transcript_path": "/nowhere.jsonl",
            "cwd": self.project(),
            "permission_mode": "acceptEdits",
            "hook_event_name": event,
        });
        for (key, value) in extra.as_object().unwrap() {
            payload[key] = value.clone();
        }
        payload.to_string()
    }

    fn prompt(&self, session: &str) -> String {
        self.event(session, "UserPromptSubmit", &json!({"prompt": "add a runner"}))
    }

    fn post_write(&self, session: &str, file: &str, content: &str) -> String {
        let path = self.project().join(file);
        self.event(
            session,
            "PostToolUse",
            &json!({
                "tool_name": "Write",
                "tool_input": {"file_path": path, "content": content},
                "tool_response": {"type": "update", "filePath": path, "content": content, "structuredPatch": []},
                "tool_use_id": "toolu_1",
            }),
        )
    }

    fn stop(&self, session: &str, active: bool) -> String {
        self.event(session, "Stop", &json!({"stop_hook_active": active, "last_assistant_message": "done"}))
    }

    /// The agent's turn up to its Stop: the baseline, then a vulnerable Write and its `PostToolUse`.
    /// Each turn writes something new (a numbered last line), so that there is always a change.
    fn turn(&self, session: &str, env: &[(&str, &str)]) {
        assert_eq!(self.run(&self.prompt(session), env).code, 0);
        let turns = self.turns.get() + 1;
        self.turns.set(turns);
        let text = if turns == 1 { AFTER.to_owned() } else { format!("{AFTER}# turn {turns}\n") };
        self.write("app.py", &text);
        assert_eq!(self.run(&self.post_write(session, "app.py", &text), env).code, 0);
    }

    fn run(&self, stdin: &str, env: &[(&str, &str)]) -> Outcome {
        self.run_binary(env!("CARGO_BIN_EXE_sg-lsp"), stdin, env)
    }

    fn run_binary(&self, binary: &str, stdin: &str, env: &[(&str, &str)]) -> Outcome {
        self.hook(binary, stdin.as_bytes(), env)
    }
}

fn finding(line: u32, severity: &str, category: &str, title: &str) -> Value {
    json!({
        "file": "app.py", "line": line, "code": "subprocess.run('echo ' + name, shell=True)",
        "severity": severity, "category": category, "cwe": "CWE-78", "title": title,
        "explanation": "name comes from the caller and reaches a shell", "fix": "pass a list without shell=True",
        "confidence": 0.9
    })
}

fn answer(findings: &[Value]) -> Reply {
    Reply::tool_use("report_findings", json!({ "findings": findings }))
}

fn mock() -> MockServer {
    support::mock_with_key(KEY)
}

/// The environment pointing the review at `url`, failing fast.
fn env_for(url: &str) -> Vec<(&'static str, String)> {
    support::llm_env(url, KEY)
}

#[test]
fn a_vulnerable_turn_blocks_the_stop_with_the_findings() {
    let sandbox = Sandbox::new("block");
    let mock = mock();
    mock.push(answer(&[
        finding(5, "medium", "missing-validation", "name is not validated"),
        finding(5, "high", "command-injection", "Shell command built from the caller's input"),
    ]));
    let env = env_for(&mock.url());
    let env = borrowed(&env);
    // The user's own uncommitted work before the prompt belongs to the baseline, not to the turn.
    sandbox.write("notes.py", "USER_DIRTY = 'written before the turn'\n");
    sandbox.turn("s1", &env);

    let outcome = sandbox.run(&sandbox.stop("s1", false), &env);
    assert_eq!(outcome.code, 2, "stderr: {}", outcome.stderr);
    // The mock was asked once, with the turn's diff: the new line, not the baseline's.
    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    let body = request_text(&mock, 0);
    let sent: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(sent["tool_choice"], json!({"type": "tool", "name": "report_findings"}));
    assert!(body.contains("+     return subprocess.run('echo ' + name, shell=True)"), "the new line: {body}");
    assert!(body.contains("-     return subprocess.run(['echo', name])"), "the old one, removed: {body}");
    assert!(!body.contains("USER_DIRTY"), "the baseline's own changes are not the turn's: {body}");

    // stdout: one JSON line with the decision, the reason and a short summary.
    assert_eq!(outcome.stdout.lines().count(), 1, "{}", outcome.stdout);
    let json: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(json["decision"], "block");
    let reason = json["reason"].as_str().unwrap();
    let summary = json["rewakeSummary"].as_str().unwrap();
    assert!(summary.chars().count() <= 280, "{summary}");
    assert_eq!(
        summary,
        "sg-lsp review found 2 issues: command-injection in app.py; missing-validation in app.py"
    );
    // stderr: the same text, high before medium, each with why and the fix.
    assert_eq!(outcome.stderr.trim_end(), reason);
    assert!(reason.starts_with("[sg-lsp security review:"), "{reason}");
    let high = reason.find("1. [HIGH] [command-injection] app.py:5 — Shell command built").unwrap();
    let medium = reason.find("2. [MEDIUM] [missing-validation] app.py:5 — name is not validated").unwrap();
    assert!(high < medium, "{reason}");
    assert!(reason.contains("Why: name comes from the caller and reaches a shell. (CWE-78)"), "{reason}");
    assert!(reason.contains("Suggested fix: pass a list without shell=True."), "{reason}");
    assert!(reason.contains("continue with the user's original request"), "{reason}");

    // The debug log has the facts, never the text.
    let log = sandbox.log();
    assert!(
        log.contains("event=Stop exit=2") && log.contains("findings=2") && log.contains("requests=1"),
        "{log}"
    );
    assert!(log.contains("input_tokens=") && log.contains("cost_usd=") && log.contains("fires=1"), "{log}");
    assert!(!log.contains("shell=True") && !log.contains("Shell command"), "{log}");

    // The Stop that the block caused is let through, without a request.
    let again = sandbox.run(&sandbox.stop("s1", true), &env);
    assert_eq!((again.code, again.stdout.as_str(), again.stderr.as_str()), (0, "", ""));
    assert_eq!(mock.requests().len(), 1);

    // The baseline was taken again: a Stop without new changes has nothing to review.
    let quiet = sandbox.run(&sandbox.stop("s1", false), &env);
    assert_eq!((quiet.code, quiet.stdout.as_str(), quiet.stderr.as_str()), (0, "", ""));
    assert_eq!(mock.requests().len(), 1, "nothing new to review");
}

#[test]
fn the_fire_cap_stops_a_loop_after_three_blocks() {
    let sandbox = Sandbox::new("cap");
    let mock = mock();
    mock.set_default(Some(answer(&[finding(5, "high", "command-injection", "Shell command")])));
    let env = env_for(&mock.url());
    let env = borrowed(&env);
    sandbox.turn("s2", &env);
    let mut codes = Vec::new();
    for round in 0..4 {
        // Each round changes the file again, so there is always something new to review.
        let text = format!("{AFTER}# round {round}\n");
        sandbox.write("app.py", &text);
        sandbox.run(&sandbox.post_write("s2", "app.py", &text), &env);
        codes.push(sandbox.run(&sandbox.stop("s2", false), &env).code);
    }
    assert_eq!(codes, [2, 2, 2, 0]);
    assert_eq!(mock.requests().len(), 3, "the capped Stop makes no request");
    assert!(sandbox.log().contains("skip=fire_cap"), "{}", sandbox.log());
    // A new prompt starts a new turn, and the count starts again.
    sandbox.turn("s2", &env);
    assert_eq!(sandbox.run(&sandbox.stop("s2", false), &env).code, 2);
}

#[test]
fn no_findings_exit_0_with_nothing_on_stdout() {
    let sandbox = Sandbox::new("clean");
    let mock = mock();
    mock.push(answer(&[]));
    let env = env_for(&mock.url());
    let env = borrowed(&env);
    sandbox.turn("s3", &env);
    let outcome = sandbox.run(&sandbox.stop("s3", false), &env);
    assert_eq!((outcome.code, outcome.stdout.as_str(), outcome.stderr.as_str()), (0, "", ""));
    assert_eq!(mock.requests().len(), 1);
    let log = sandbox.log();
    assert!(
        log.contains("event=Stop exit=0") && log.contains("findings=0 ") && log.contains("cached=false"),
        "{log}"
    );
    assert!(log.contains("output_tokens="), "{log}");
}

#[test]
fn without_credentials_the_review_is_skipped_with_one_line() {
    let sandbox = Sandbox::new("nokey");
    sandbox.turn("s4", &[]);
    let outcome = sandbox.run(&sandbox.stop("s4", false), &[]);
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, ""));
    assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    assert!(
        outcome.stderr.starts_with("sg-lsp hook: review skipped: no LLM credentials"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("ANTHROPIC_API_KEY") && outcome.stderr.contains("sg-lsp doctor"));
    assert!(outcome.stderr.trim_end().ends_with("[no_credentials]"), "{}", outcome.stderr);
    assert!(!sandbox.state().join("cooldown-review.json").exists(), "no cooldown: a key may appear any time");
    // What nothing will review is not kept: the next prompt takes a fresh baseline.
    let state: Value =
        serde_json::from_slice(&std::fs::read(sandbox.state().join("sg-lsp-session-s4.json")).unwrap())
            .unwrap();
    assert_eq!((state["touched"].clone(), state["stop"]["running"].clone()), (json!([]), json!(0)));
}

#[test]
fn a_rejected_key_cools_the_review_down() {
    let sandbox = Sandbox::new("auth");
    let mock = MockServer::start(Config { api_key: Some("the-right-key".to_owned()), ..Config::default() });
    let env = env_for(&mock.url());
    let env = borrowed(&env);
    sandbox.turn("s5", &env);
    let outcome = sandbox.run(&sandbox.stop("s5", false), &env);
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, ""));
    assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("HTTP 401") && outcome.stderr.contains("reviews pause until"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.trim_end().ends_with("[auth]"), "{}", outcome.stderr);
    assert_eq!(mock.requests().len(), 1);
    let marker: Value =
        serde_json::from_slice(&std::fs::read(sandbox.state().join("cooldown-review.json")).unwrap())
            .unwrap();
    assert_eq!(marker["code"], "auth");

    // The next turn's Stop makes no request and says why.
    sandbox.turn("s5", &env);
    let next = sandbox.run(&sandbox.stop("s5", false), &env);
    assert_eq!((next.code, next.stdout.as_str()), (0, ""));
    assert_eq!(next.stderr.lines().count(), 1, "{}", next.stderr);
    assert!(
        next.stderr.contains("review skipped: cooling down until") && next.stderr.contains("`auth`"),
        "{}",
        next.stderr
    );
    assert!(next.stderr.trim_end().ends_with("[cooling_down]"), "{}", next.stderr);
    assert_eq!(mock.requests().len(), 1, "no request while cooling down");

    // When the window is over, one retry goes out; it succeeds and clears the marker.
    let right = [("ANTHROPIC_API_KEY", "the-right-key")];
    let env: Vec<(&str, &str)> =
        env.iter().filter(|(k, _)| *k != "ANTHROPIC_API_KEY").copied().chain(right).collect();
    // The key is fixed and the window is over (the marker rewritten as an expired one).
    let mut expired = marker.clone();
    expired["until"] = json!(1);
    expired["since"] = json!(0);
    std::fs::write(sandbox.state().join("cooldown-review.json"), expired.to_string()).unwrap();
    mock.push(answer(&[]));
    sandbox.turn("s5", &env);
    let retried = sandbox.run(&sandbox.stop("s5", false), &env);
    assert_eq!((retried.code, retried.stderr.as_str()), (0, ""));
    assert_eq!(mock.requests().len(), 2);
    assert!(!sandbox.state().join("cooldown-review.json").exists());
    assert!(sandbox.log().contains("cooldown=retry"), "{}", sandbox.log());
}

#[test]
fn a_dead_endpoint_is_a_note_and_the_next_stop_retries() {
    let sandbox = Sandbox::new("dead");
    // A port nothing listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let env = env_for(&format!("http://127.0.0.1:{port}"));
    let env = borrowed(&env);
    sandbox.turn("s6", &env);
    let outcome = sandbox.run(&sandbox.stop("s6", false), &env);
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, ""));
    assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    assert!(outcome.stderr.starts_with("sg-lsp hook: review failed:"), "{}", outcome.stderr);
    assert!(outcome.stderr.contains("the next Stop tries again"), "{}", outcome.stderr);
    assert!(outcome.stderr.trim_end().ends_with("[network]"), "{}", outcome.stderr);
    assert!(!sandbox.state().join("cooldown-review.json").exists(), "a network failure is not a cooldown");
    // The touched file was given back, and the endpoint is back: the next Stop reviews it.
    let state: Value =
        serde_json::from_slice(&std::fs::read(sandbox.state().join("sg-lsp-session-s6.json")).unwrap())
            .unwrap();
    assert_eq!(state["touched"], json!(["app.py"]));
    assert_eq!(state["stop"]["running"], 0);
    let mock = mock();
    mock.push(answer(&[finding(5, "high", "command-injection", "Shell command")]));
    let env = env_for(&mock.url());
    let env = borrowed(&env);
    let outcome = sandbox.run(&sandbox.stop("s6", false), &env);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
}

#[test]
fn a_timeout_is_a_note_within_the_budget() {
    let sandbox = Sandbox::new("slow");
    let mock = mock();
    mock.push(Reply::delayed(Duration::from_secs(30), answer(&[])));
    let mut env = env_for(&mock.url());
    env.push(("SG_STOP_REVIEW_TIMEOUT_SECS", "1".to_owned()));
    let env = borrowed(&env);
    sandbox.turn("s7", &env);
    let outcome = sandbox.run(&sandbox.stop("s7", false), &env);
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, ""));
    assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    assert!(outcome.stderr.trim_end().ends_with("[timeout]"), "{}", outcome.stderr);
}

#[test]
fn subagent_stop_reviews_like_stop() {
    let sandbox = Sandbox::new("subagent");
    let mock = mock();
    mock.push(answer(&[finding(5, "critical", "command-injection", "Shell command")]));
    let env = env_for(&mock.url());
    let env = borrowed(&env);
    sandbox.turn("s8", &env);
    let stop = sandbox.event("s8", "SubagentStop", &json!({"stop_hook_active": false, "agent_id": "a1"}));
    let outcome = sandbox.run(&stop, &env);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    let json: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert!(json["reason"].as_str().unwrap().contains("1. [CRITICAL] [command-injection] app.py:5"));
    let active = sandbox.event("s8", "SubagentStop", &json!({"stop_hook_active": true}));
    assert_eq!(sandbox.run(&active, &env).code, 0);
    assert_eq!(mock.requests().len(), 1);
}

#[test]
fn without_a_baseline_only_the_touched_files_are_reviewed() {
    // No commit yet: there is no baseline, so the review covers what the agent wrote, not the rest.
    let sandbox = Sandbox::new("unborn");
    let project = sandbox.project();
    std::fs::remove_dir_all(project.join(".git")).unwrap();
    git(&project, &["init", "-q"]);
    sandbox.write("other.py", "import os\nos.system(input())\n");
    let mock = mock();
    mock.push(answer(&[finding(5, "high", "command-injection", "Shell command")]));
    let env = env_for(&mock.url());
    let env = borrowed(&env);
    sandbox.turn("s9", &env);
    let outcome = sandbox.run(&sandbox.stop("s9", false), &env);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    let body = request_text(&mock, 0);
    assert!(body.contains("shell=True") && !body.contains("os.system(input())"), "{body}");
    // Nothing touched since: nothing to review.
    let quiet = sandbox.run(&sandbox.stop("s9", false), &env);
    assert_eq!((quiet.code, quiet.stderr.as_str()), (0, ""));
    assert!(sandbox.log().contains("skip=nothing_touched"), "{}", sandbox.log());
    assert_eq!(mock.requests().len(), 1);
}

#[test]
fn the_slim_binary_hands_the_review_to_the_full_one() {
    let sandbox = Sandbox::new("slim");
    let mock = mock();
    mock.push(answer(&[finding(5, "high", "command-injection", "Shell command")]));
    let env = env_for(&mock.url());
    let env = borrowed(&env);
    sandbox.turn("s10", &env);
    let outcome = sandbox.run_binary(env!("CARGO_BIN_EXE_sg-lsp-hook"), &sandbox.stop("s10", false), &env);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(outcome.stdout.contains("\"decision\":\"block\""), "{}", outcome.stdout);
    assert_eq!(mock.requests().len(), 1);
}

#[test]
fn a_review_killed_under_a_memory_limit_cools_down_instead_of_dying_again() {
    let sandbox = Sandbox::new("killed");
    let mock = mock();
    let env = env_for(&mock.url());
    let mut env = borrowed(&env);
    sandbox.turn("s11", &env);
    env.push(("SG_LSP_HOOK_TEST_ABORT", "review"));
    let run = || {
        let outcome = sandbox.hook_limited(&sandbox.stop("s11", false), &env);
        (Some(outcome.code), outcome.stdout, outcome.stderr)
    };
    let (code, stdout, stderr) = run();
    assert_eq!((code, stdout.as_str()), (Some(0), ""));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("killed by signal 6") && stderr.contains("reviews pause until"), "{stderr}");
    assert!(stderr.trim_end().ends_with("[signal_killed]"), "{stderr}");
    let marker: Value =
        serde_json::from_slice(&std::fs::read(sandbox.state().join("cooldown-review.json")).unwrap())
            .unwrap();
    assert_eq!(marker["code"], "signal_killed:6");
    assert!(sandbox.log().contains("worker_died=full:signal_killed:6"), "{}", sandbox.log());
    assert!(!sandbox.log().contains("worker_died=literal"), "a review is not retried in lesser modes");
    // The next Stop is not killed again: it skips, with one line.
    sandbox.turn("s11", &env);
    let (code, stdout, stderr) = run();
    assert_eq!((code, stdout.as_str()), (Some(0), ""));
    assert!(stderr.contains("cooling down") && stderr.trim_end().ends_with("[cooling_down]"), "{stderr}");
    assert_eq!(mock.requests().len(), 0);
}
