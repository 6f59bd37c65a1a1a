//! `sg-lsp review` and `sg-lsp doctor` as a user runs them: the real binary with a cleared environment
//! (PATH, a temporary HOME, no system git config, the `ANTHROPIC_*` variables pointing at the loopback
//! mock), on throw-away git repositories built with git2.

mod review_support;
mod support;

use std::path::{Path, PathBuf};

use mock_llm::{Config, MockServer, Reply, Rule};
use review_support::TestRepo;
use serde_json::{Value, json};
use support::{Outcome, TempDir, sarif_validator};

/// A key that must never appear in any output.
const KEY: &str = "sk-ant-fixture-NEVER-PRINT-7f3a9c1e5b";

const APP_V1: &str =
    "import os\n\n\ndef handler(request):\n    name = request.args['name']\n    return name\n";
const APP_V2: &str = "import os\n\n\ndef handler(request):\n    name = request.args['name']\n    os.system('echo ' + name)\n    return name\n";

/// Runs the binary in `dir` with only PATH, HOME, no system git config, a git identity, and `vars`.
fn sg(args: &[&str], dir: &Path, home: &Path, vars: &[(&str, &str)]) -> Outcome {
    support::run(support::command(env!("CARGO_BIN_EXE_sg-lsp"), args, dir, home, vars), None)
}

/// A mock that answers every review with `findings`.
fn mock_answering(findings: &Value) -> MockServer {
    let mock = MockServer::start(Config { api_key: Some(KEY.to_owned()), ..Config::default() });
    mock.push_rule(
        Rule::when(
            mock_llm::Match::tool("report_findings"),
            Reply::tool_use("report_findings", json!({ "findings": findings })),
        )
        .always(),
    );
    mock
}

fn injection() -> Value {
    json!([{
        "file": "app.py", "line": 6, "severity": "high", "category": "command-injection", "cwe": "CWE-78",
        "title": "Shell command built from request data", "explanation": "name reaches os.system",
        "fix": "pass a list to subprocess.run", "confidence": 0.9
    }])
}

/// A repository whose working tree adds a command injection on line 6 of `app.py`.
fn changed_repo(name: &str) -> TestRepo {
    let repo = TestRepo::new(&format!("cli-{name}"));
    repo.write("app.py", APP_V1);
    repo.commit(&["app.py"], "one");
    repo.write("app.py", APP_V2);
    repo
}

/// Everything a run needs: a home, a state dir and the variables pointing at `mock`.
struct Setup {
    home: TempDir,
    url: String,
}

impl Setup {
    fn new(name: &str, mock: &MockServer) -> Setup {
        Setup { home: TempDir::new(name), url: mock.url() }
    }

    fn state(&self) -> PathBuf {
        self.home.path().join("state")
    }

    fn vars(&self) -> Vec<(&str, String)> {
        vec![
            ("ANTHROPIC_BASE_URL", self.url.clone()),
            ("ANTHROPIC_API_KEY", KEY.to_owned()),
            ("SECURITY_WARNINGS_STATE_DIR", self.state().to_string_lossy().into_owned()),
        ]
    }

    fn run(&self, args: &[&str], dir: &Path) -> Outcome {
        self.run_with(args, dir, &[])
    }

    fn run_with(&self, args: &[&str], dir: &Path, extra: &[(&str, &str)]) -> Outcome {
        let vars = self.vars();
        let mut all: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        all.extend_from_slice(extra);
        let output = sg(args, dir, self.home.path(), &all);
        assert!(!output.stdout.contains(KEY) && !output.stderr.contains(KEY), "the key was printed");
        output
    }
}

#[test]
fn findings_exit_1_in_human_json_and_sarif() {
    let mock = mock_answering(&injection());
    let setup = Setup::new("findings", &mock);
    let repo = changed_repo("findings");

    let human = setup.run(&["review", "--color", "never"], &repo.dir);
    assert_eq!(human.code, 1, "{}", human.stderr);
    let text = human.stdout;
    assert!(text.contains("error[review.command-injection]"), "{text}");
    assert!(text.contains("app.py:6:5"), "{text}");
    assert!(text.contains("os.system('echo ' + name)") && text.contains("CWE-78"), "{text}");

    let json_run = setup.run(&["review", "--format", "json"], &repo.dir);
    assert_eq!(json_run.code, 1);
    let report: Value = serde_json::from_str(&json_run.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    let finding = &findings[0];
    assert_eq!(finding["layer"], "review");
    assert_eq!(finding["rule"], "review.command-injection");
    assert_eq!(finding["path"], "app.py");
    assert_eq!((finding["line"].as_u64(), finding["column"].as_u64()), (Some(6), Some(5)));
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["cwe"], json!(["CWE-78"]));
    assert_eq!(report["stats"]["files"], 1);
    assert_eq!(report["review"]["model"], "claude-opus-4-7");

    let sarif_run = setup.run(&["review", "--format", "sarif"], &repo.dir);
    assert_eq!(sarif_run.code, 1);
    let sarif: Value = serde_json::from_str(&sarif_run.stdout).unwrap();
    let validator = sarif_validator();
    let errors: Vec<String> =
        validator.iter_errors(&sarif).map(|e| format!("{e} at {}", e.instance_path)).collect();
    assert!(errors.is_empty(), "SARIF schema violations:\n{}", errors.join("\n"));
    let run = &sarif["runs"][0];
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "review.command-injection");
    assert_eq!(result["level"], "error");
    let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
    assert_eq!(run["tool"]["driver"]["rules"][index]["id"], "review.command-injection");
    assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 1, "only the rules used");

    // --fail-on error still fails on a high finding; never does not.
    assert_eq!(setup.run(&["review", "--fail-on", "never"], &repo.dir).code, 0);
    assert_eq!(mock.requests().len(), 1, "the later runs were answered from the cache");
}

#[test]
fn nothing_found_exits_0_and_the_summary_has_tokens_and_cost() {
    let mock = mock_answering(&json!([]));
    let setup = Setup::new("clean", &mock);
    let repo = changed_repo("clean");
    let output = setup.run(&["review"], &repo.dir);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(output.stdout.contains("No findings in 1 file"), "{}", output.stdout);
    let err = output.stderr;
    let summary = err.lines().find(|l| l.starts_with("review: ")).unwrap_or_else(|| panic!("{err}"));
    assert!(summary.contains("1 file, 1 request"), "{summary}");
    assert!(summary.contains("tokens in ") && summary.contains(" / out 50 / cache read 0 / cache write 0"));
    assert!(summary.contains(", $0.") && !summary.contains("(cached)"), "{summary}");

    // An unknown model: the cost says so instead of guessing.
    let unknown =
        setup.run_with(&["review", "--no-cache"], &repo.dir, &[("SECURITY_REVIEW_MODEL", "mock-model-9")]);
    assert_eq!(unknown.code, 0, "{}", unknown.stderr);
    assert!(unknown.stderr.contains("cost unknown for model mock-model-9"), "{}", unknown.stderr);
}

#[test]
fn a_second_identical_review_is_cached_and_no_cache_asks_again() {
    let mock = mock_answering(&injection());
    let setup = Setup::new("cache", &mock);
    let repo = changed_repo("cache");
    assert_eq!(setup.run(&["review"], &repo.dir).code, 1);
    assert_eq!(mock.requests().len(), 1);
    let again = setup.run(&["review"], &repo.dir);
    assert_eq!(again.code, 1, "cached findings still count");
    assert_eq!(mock.requests().len(), 1, "no request for the same review");
    let err = again.stderr;
    assert!(err.contains("(cached)") && err.contains("0 requests"), "{err}");
    assert!(repo.git_dir().join("sg-lsp/review-cache").is_dir());
    let fresh = setup.run(&["review", "--no-cache"], &repo.dir);
    assert_eq!(fresh.code, 1);
    assert_eq!(mock.requests().len(), 2, "--no-cache asks the model");
    assert!(!fresh.stderr.contains("(cached)"));
}

#[test]
fn staged_reviews_only_what_is_staged_and_base_takes_a_revision() {
    let mock = mock_answering(&json!([]));
    let setup = Setup::new("staged", &mock);
    let repo = TestRepo::new("cli-staged");
    repo.write("staged.py", "x = 1\n").write("loose.py", "y = 1\n");
    repo.commit(&["staged.py", "loose.py"], "one");
    repo.write("staged.py", "x = 1\nimport pickle\nobj = pickle.loads(blob)\n").stage(&["staged.py"]);
    repo.write("loose.py", "y = 1\neval(data)\n");
    let output = setup.run(&["review", "--staged", "--format", "json"], &repo.dir);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let report: Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["stats"]["files"], 1);
    let body = String::from_utf8_lossy(&mock.requests()[0].body).into_owned();
    assert!(body.contains("staged.py") && body.contains("pickle.loads"), "the staged change is sent");
    assert!(!body.contains("loose.py") && !body.contains("eval(data)"), "the unstaged change is not");

    // --base HEAD reviews the working tree: both files.
    let base = setup.run(&["review", "--base", "HEAD", "--format", "json"], &repo.dir);
    assert_eq!(base.code, 0, "{}", base.stderr);
    let report: Value = serde_json::from_str(&base.stdout).unwrap();
    assert_eq!(report["stats"]["files"], 2);

    let bad = setup.run(&["review", "--base", "no-such-branch"], &repo.dir);
    assert_eq!(bad.code, 2);
    let err = bad.stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("unknown revision") && err.contains("--base"), "{err}");

    let both = setup.run(&["review", "--staged", "--base", "HEAD"], &repo.dir);
    assert_eq!(both.code, 2, "--staged and --base conflict");
}

#[test]
fn no_credentials_exit_2_with_one_line_naming_the_variable() {
    let repo = changed_repo("nocreds");
    let home = TempDir::new("nocreds");
    let output = sg(&["review"], &repo.dir, home.path(), &[]);
    assert_eq!(output.code, 2);
    assert!(output.stdout.is_empty());
    let err = output.stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("ANTHROPIC_API_KEY"), "{err}");
}

#[test]
fn not_a_repository_exits_2() {
    let mock = mock_answering(&json!([]));
    let setup = Setup::new("norepo", &mock);
    let plain = TempDir::new("plain-dir");
    let output = setup.run(&["review"], plain.path());
    assert_eq!(output.code, 2);
    let err = output.stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not inside a git repository"), "{err}");
    assert!(mock.requests().is_empty());
}

#[test]
fn a_malformed_answer_exits_2() {
    let mock = MockServer::start(Config { api_key: Some(KEY.to_owned()), ..Config::default() });
    mock.push(Reply::text("I found nothing worth a tool call."));
    let setup = Setup::new("malformed", &mock);
    let repo = changed_repo("malformed");
    let output = setup.run(&["review"], &repo.dir);
    assert_eq!(output.code, 2);
    let err = output.stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("[bad_response]"), "{err}");
    assert!(!setup.state().join("cooldown-review.json").exists(), "a one-off failure starts no cooldown");
}

#[test]
fn a_spend_limit_and_a_dead_endpoint_exit_2_and_only_the_lasting_one_cools() {
    let mock = MockServer::start(Config { api_key: Some(KEY.to_owned()), ..Config::default() });
    mock.push(Reply::spend_limit());
    let setup = Setup::new("quota", &mock);
    let repo = changed_repo("quota");
    let output = setup.run(&["review"], &repo.dir);
    assert_eq!(output.code, 2);
    let err = output.stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("spend limit") && err.contains("[rate_limited]"), "{err}");
    assert!(setup.state().join("cooldown-review.json").is_file(), "a spend limit lasts: cooldown");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let home = TempDir::new("dead");
    let state = home.path().join("state");
    let vars = [
        ("ANTHROPIC_BASE_URL", dead.as_str()),
        ("ANTHROPIC_API_KEY", KEY),
        ("SG_LLM_MAX_RETRIES", "0"),
        ("SECURITY_WARNINGS_STATE_DIR", state.to_str().unwrap()),
    ];
    let output = sg(&["review"], &repo.dir, home.path(), &vars);
    assert_eq!(output.code, 2);
    let err = output.stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("[network]") && err.contains("check the network"), "{err}");
    assert!(!state.join("cooldown-review.json").exists(), "a network failure may not repeat: no cooldown");
    assert_eq!(sg_lsp::llm::cooldown::recent_failures(&state).len(), 1, "but it is remembered for doctor");
}

#[test]
fn a_rejected_key_exits_2_writes_a_cooldown_that_doctor_shows_and_success_clears_it() {
    let mock = MockServer::start(Config { api_key: Some("the-right-key".to_owned()), ..Config::default() });
    mock.set_default(Some(Reply::tool_use("report_findings", json!({"findings": []}))));
    let setup = Setup::new("auth", &mock);
    let repo = changed_repo("auth");
    let output = setup.run(&["review"], &repo.dir);
    assert_eq!(output.code, 2);
    let err = output.stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("check ANTHROPIC_API_KEY") && err.contains("401"), "{err}");
    let marker = setup.state().join("cooldown-review.json");
    assert!(marker.is_file(), "cooldown marker written");
    let content: Value = serde_json::from_slice(&std::fs::read(&marker).unwrap()).unwrap();
    assert_eq!(content["code"], "auth");

    // doctor shows the cooldown and the failure, never the key.
    let doctor = setup.run(&["doctor"], &repo.dir);
    assert_eq!(doctor.code, 0);
    let text = doctor.stdout;
    assert!(text.contains("review: active until") && text.contains("[auth]"), "{text}");
    assert!(text.contains("not used yet"), "{text}");
    assert!(text.contains("Recent failures") && text.contains("  review  auth  "), "{text}");
    let doctor_json = setup.run(&["doctor", "--format", "json"], &repo.dir);
    let report: Value = serde_json::from_str(&doctor_json.stdout).unwrap();
    let cooldown = &report["cooldowns"][0];
    assert_eq!((cooldown["layer"].as_str(), cooldown["active"].as_bool()), (Some("review"), Some(true)));
    assert_eq!(cooldown["retry_used"], false);
    assert_eq!(report["recent_failures"][0]["code"], "auth");

    // The CLI still tries during the cooldown (a person asked), says so, and a success clears it.
    let output = setup.run_with(&["review"], &repo.dir, &[("ANTHROPIC_API_KEY", "the-right-key")]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(output.stderr.contains("cooling down until"), "{}", output.stderr);
    assert!(!marker.exists(), "a successful review clears the marker");
}

#[test]
fn doctor_without_credentials_says_what_to_set() {
    let home = TempDir::new("doctor-none");
    let plain = TempDir::new("doctor-plain");
    let output = sg(&["doctor"], plain.path(), home.path(), &[]);
    assert_eq!(output.code, 0);
    let text = output.stdout;
    for needle in [
        "LLM layers: off",
        "ANTHROPIC_API_KEY",
        "CLAUDE_CODE_USE_BEDROCK=1",
        "AWS_BEARER_TOKEN_BEDROCK",
        "ANTHROPIC_VERTEX_PROJECT_ID",
        "ANTHROPIC_FOUNDRY_API_KEY",
        "SG_DUAL_OR",
        "ENABLE_STOP_REVIEW",
        "(from HOME)",
        "not inside a git repository",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    let json_run = sg(&["doctor", "--format", "json"], plain.path(), home.path(), &[("SG_DUAL_OR", "on")]);
    assert_eq!(json_run.code, 0);
    let report: Value = serde_json::from_str(&json_run.stdout).unwrap();
    assert_eq!(report["llm"]["configured"], false);
    assert_eq!(report["llm"]["to_enable"].as_array().unwrap().len(), 5);
    assert_eq!(report["state"]["dir"], home.path().join(".claude/security").to_string_lossy().as_ref());
    let dual = report["switches"].as_array().unwrap().iter().find(|s| s["name"] == "SG_DUAL_OR").unwrap();
    assert_eq!(dual["value"], "on");
    assert!(report["repository"]["problem"].is_string());
    assert_eq!(sg(&["doctor", "--format", "sarif"], plain.path(), home.path(), &[]).code, 2);
}

#[test]
fn doctor_with_credentials_names_their_source_but_never_the_key() {
    let mock = mock_answering(&json!([]));
    let setup = Setup::new("doctor-creds", &mock);
    let repo = changed_repo("doctor-creds");
    assert_eq!(setup.run(&["review"], &repo.dir).code, 0);
    let extra =
        [("ANTHROPIC_CUSTOM_HEADERS", "X-Gateway-Token: hush-hush-value"), ("SECURITY_REVIEW_MODEL", "m-x")];
    let output = setup.run_with(&["doctor"], &repo.dir, &extra);
    assert_eq!(output.code, 0);
    let text = output.stdout;
    assert!(text.contains("LLM layers: configured"), "{text}");
    assert!(text.contains("x-api-key from ANTHROPIC_API_KEY"), "{text}");
    assert!(text.contains(&format!("{}/v1/messages (ANTHROPIC_BASE_URL)", setup.url)), "{text}");
    assert!(text.contains("m-x (SECURITY_REVIEW_MODEL)") && text.contains("price"), "{text}");
    assert!(text.contains("X-Gateway-Token (values hidden)") && !text.contains("hush-hush-value"), "{text}");
    assert!(text.contains("(from SECURITY_WARNINGS_STATE_DIR)"), "{text}");
    assert!(text.contains("review cache") && text.contains("(1 entries)"), "{text}");
    assert!(text.contains("Cooldowns\n  none"), "{text}");
    let json_run = setup.run_with(&["doctor", "--format", "json"], &repo.dir, &extra);
    let raw = &json_run.stdout;
    assert!(!raw.contains("hush-hush-value"));
    let report: Value = serde_json::from_str(&json_run.stdout).unwrap();
    assert_eq!(report["llm"]["configured"], true);
    assert_eq!(report["llm"]["settings"]["provider"], "Anthropic API");
    assert_eq!(report["llm"]["settings"]["auth"], "x-api-key from ANTHROPIC_API_KEY");
    assert_eq!(report["repository"]["review_cache_entries"], 1);
    assert_eq!(report["version"], env!("CARGO_PKG_VERSION"));
}
