//! The agentic commit review end to end: commit diffs from the git edge, the tool loop against the
//! scripted loopback mock (a multi-file IDOR traced with Grep and Read, then kept by the refuter),
//! hostile scripts that try to read outside the repository (nothing from outside may reach any
//! request), budgets and the fallback to the single-shot review, refusal, malformed tool input and
//! cancellation.

mod review_support;
mod support;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mock_llm::{Config, Match, MockServer, Recorded, Reply, Rule};
use review_support::TestRepo;
use serde_json::{Value, json};
use sg_lsp::agent::{
    AgentError, AgentOutcome, AgentRequest, Budgets, Progress, Stage, render_report, review_commit,
    review_commit_blocking,
};
use sg_lsp::git::{DiffTarget, FileStatus, Repo};
use sg_lsp::llm::{Client, FailureCode};
use support::invoice::{DB, FILES, ROUTES, idor_finding};
use support::{added, tool_uses};

// ---- git edge: commit and range diffs -------------------------------------------------------------

#[test]
fn a_commit_diff_is_its_parent_against_its_tree_and_reads_the_commit_blob() {
    let repo = TestRepo::new("agent-commit");
    repo.write("app.py", "a = 1\n").write("old.py", "x = 1\n");
    let root = repo.commit(&["app.py", "old.py"], "one");
    repo.write("app.py", "a = 1\nb = eval(a)\n").write("new.py", "import os\n");
    repo.remove("old.py");
    let mut index = repo.repo.index().unwrap();
    index.remove_path(std::path::Path::new("old.py")).unwrap();
    index.write().unwrap();
    let second = repo.commit(&["app.py", "new.py"], "two");
    // The working tree moves on after the commit: the commit review must not see it.
    repo.write("app.py", "a = 1\nb = eval(a)\nc = exec(b)\n").write("untracked.py", "eval(1)\n");

    let git = Repo::discover(&repo.dir).unwrap();
    let diff = git.diff(&DiffTarget::Commit("HEAD".into()), None).unwrap();
    let summary: Vec<(&str, FileStatus)> = diff.files.iter().map(|f| (f.path.as_str(), f.status)).collect();
    assert_eq!(
        summary,
        [("app.py", FileStatus::Modified), ("new.py", FileStatus::Added), ("old.py", FileStatus::Deleted)]
    );
    assert_eq!(added(&diff, "app.py"), [(2, "b = eval(a)".to_owned())]);
    let by_sha = git.diff(&DiffTarget::Commit(second.to_string()), None).unwrap();
    assert_eq!(by_sha, diff);

    let target = DiffTarget::Commit("HEAD".into());
    assert_eq!(git.read_new_side(&target, "app.py", 1 << 20).as_deref(), Some("a = 1\nb = eval(a)\n"));
    assert_eq!(git.read_new_side(&target, "untracked.py", 1 << 20), None);
    assert_eq!(git.read_new_side(&target, "old.py", 1 << 20), None);
    assert_eq!(git.read_new_side(&target, "app.py", 3), None, "size limit");
    assert_eq!(git.resolve_commit("HEAD").unwrap(), second.to_string());
    assert_eq!(git.resolve_commit(&second.to_string()[..8]).unwrap(), second.to_string());

    // The root commit diffs against the empty tree.
    let first = git.diff(&DiffTarget::Commit(root.to_string()), None).unwrap();
    let paths: Vec<&str> = first.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["app.py", "old.py"]);
    assert!(first.files.iter().all(|f| f.status == FileStatus::Added));

    let error = git.diff(&DiffTarget::Commit("no-such-rev".into()), None).unwrap_err();
    assert!(error.to_string().contains("unknown revision"), "{error}");
}

#[test]
fn a_range_diff_is_the_delta_between_two_revisions() {
    let repo = TestRepo::new("agent-range");
    repo.write("app.py", "a = 1\n");
    let before = repo.commit(&["app.py"], "one");
    repo.write("app.py", "a = 1\nb = 2\n");
    let middle = repo.commit(&["app.py"], "two");
    repo.write("app.py", "a = 1\nb = 2\nc = eval(b)\n");
    let after = repo.commit(&["app.py"], "three");

    let git = Repo::discover(&repo.dir).unwrap();
    let delta = git.diff(&DiffTarget::Range(middle.to_string(), after.to_string()), None).unwrap();
    assert_eq!(added(&delta, "app.py"), [(3, "c = eval(b)".to_owned())]);
    let whole = git.diff(&DiffTarget::Range(before.to_string(), "HEAD".into()), None).unwrap();
    assert_eq!(added(&whole, "app.py").len(), 2);
    let target = DiffTarget::Range(before.to_string(), middle.to_string());
    assert_eq!(git.read_new_side(&target, "app.py", 1 << 20).as_deref(), Some("a = 1\nb = 2\n"));
}

// ---- the agent loop against the scripted mock ---------------------------------------------------------

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

fn client(mock: &MockServer) -> Client {
    let url = mock.url();
    Client::from_env(|name| match name {
        "ANTHROPIC_BASE_URL" => Some(url.clone()),
        "ANTHROPIC_API_KEY" => Some("test-key".into()),
        _ => None,
    })
    .unwrap()
    .agentic()
    .with_max_retries(0)
}

fn request(repo: &TestRepo) -> AgentRequest {
    let mut request = AgentRequest::new(&repo.dir, DiffTarget::Commit("HEAD".into()));
    request.no_cache = true;
    request.cache_dir = Some(repo.git_dir().join("test-cache"));
    request
}

/// Runs the review, collecting the progress messages.
fn run(client: &Client, request: &AgentRequest) -> (Result<AgentOutcome, AgentError>, Vec<Progress>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let result = review_commit_blocking(client, request, move |p| sink.lock().unwrap().push(p));
    let progress = seen.lock().unwrap().clone();
    (result, progress)
}

fn body(recorded: &Recorded) -> Value {
    recorded.json().expect("a JSON body")
}

/// The `tool_result` blocks at the start of the last user message: (content, `is_error`).
fn tool_results(recorded: &Recorded) -> Vec<(String, bool)> {
    let body = body(recorded);
    let last = body["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["role"], "user");
    last["content"]
        .as_array()
        .unwrap()
        .iter()
        .take_while(|b| b["type"] == "tool_result")
        .map(|b| (b["content"].as_str().unwrap().to_owned(), b["is_error"].as_bool().unwrap_or(false)))
        .collect()
}

/// `cat -n` numbering as the Read tool sends it.
fn numbered(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let _ = writeln!(out, "{:>6}\t{line}", i + 1);
    }
    out
}

fn assert_well_formed(requests: &[Recorded]) {
    for (index, recorded) in requests.iter().enumerate() {
        let body = body(recorded);
        let messages = body["messages"].as_array().unwrap();
        assert_eq!(messages.last().unwrap()["role"], "user", "request {index} ends on the user turn");
        // Pairing: every assistant tool_use is answered at the start of the next message, in order.
        for pair in messages.windows(2) {
            let ids: Vec<&str> = pair[0]["content"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|b| b["type"] == "tool_use")
                .map(|b| b["id"].as_str().unwrap())
                .collect();
            let answered: Vec<&str> = pair[1]["content"]
                .as_array()
                .unwrap()
                .iter()
                .take(ids.len())
                .map(|b| b["tool_use_id"].as_str().unwrap_or_default())
                .collect();
            assert_eq!(ids, answered, "request {index}: tool results pair with their tool uses");
        }
        assert_eq!(body["system"][0]["cache_control"], json!({"type": "ephemeral"}));
    }
}

#[test]
fn a_multi_file_idor_is_traced_with_grep_and_read_and_survives_refutation() {
    let repo = invoice_repo("agent-idor");
    let mock = MockServer::start(Config::default());
    // Stage 1: Grep for the function, Read both files (one turn, two tool uses), report with a trace.
    mock.push(Reply::tool_use("Grep", json!({"pattern": "get_invoice"})));
    mock.push(tool_uses(&[
        ("Read", json!({"file_path": "app/routes.py"})),
        ("Read", json!({"file_path": "app/db.py"})),
    ]));
    mock.push(Reply::tool_use("report_findings", json!({"findings": [idor_finding(None)]})));
    // Stage 2: the refuter reads the sink again and keeps the candidate.
    mock.push(Reply::tool_use("Read", json!({"file_path": "app/db.py", "offset": 4, "limit": 4})));
    mock.push(Reply::tool_use("report_findings", json!({"findings": [idor_finding(Some(1))]})));

    let client = client(&mock);
    let (result, progress) = run(&client, &request(&repo));
    let outcome = result.unwrap();
    let requests = mock.requests();
    assert_eq!(requests.len(), 5);
    assert_well_formed(&requests);

    // One finding, with its trace, checked against the commit's files.
    assert_eq!(outcome.findings.len(), 1, "{:?}", outcome.notes);
    let finding = &outcome.findings[0];
    assert_eq!((finding.finding.path.as_str(), finding.finding.line), ("app/db.py", 6));
    assert_eq!(finding.finding.rule_id(), "review.authorization");
    assert_eq!(finding.trace.len(), 3);
    assert_eq!(finding.trace[0].file, "app/routes.py");
    assert!(finding.exploit.contains("/invoices?id=2"));
    assert_eq!(outcome.stages, [Stage::Investigate, Stage::Refute]);
    assert_eq!(outcome.fallback, None);
    assert_eq!(outcome.tool_calls.get("Grep"), Some(&1));
    assert_eq!(outcome.tool_calls.get("Read"), Some(&3));
    assert_eq!(outcome.tool_errors, 0);
    assert_eq!(outcome.turns, 5);
    assert!(outcome.files.iter().any(|f| f.path == "app/db.py" && f.text == DB));
    assert_eq!(outcome.commit, Some(Repo::discover(&repo.dir).unwrap().head_sha().unwrap()));

    // The tool results hold the real file contents, numbered, and nothing else.
    assert_eq!(
        tool_results(&requests[1]),
        [(
            "app/db.py:4:def get_invoice(invoice_id):\napp/routes.py:11:    return db.get_invoice(invoice_id)"
                .to_owned(),
            false
        )]
    );
    assert_eq!(tool_results(&requests[2]), [(numbered(ROUTES), false), (numbered(DB), false)]);
    let page: String = numbered(DB).lines().skip(3).take(4).flat_map(|l| [l, "\n"]).collect();
    assert_eq!(tool_results(&requests[4]), [(page, false)]);

    // Stage 1 saw the diff; stage 2 saw the candidate as data and the refuter's tool.
    let first = String::from_utf8_lossy(&requests[0].body).into_owned();
    assert!(first.contains("=== DIFF: app/db.py ===") && first.contains("- app/routes.py"));
    assert_eq!(body(&requests[0])["tool_choice"], json!({"type": "auto"}));
    let names: Vec<String> = body(&requests[0])["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Read", "Grep", "Glob", "report_findings"]);
    let refute = String::from_utf8_lossy(&requests[3].body).into_owned();
    assert!(refute.contains("<candidates>") && refute.contains("Any user can read any invoice"));

    let steps: Vec<&str> = progress.iter().map(|p| p.message.as_str()).collect();
    for expected in [
        "Investigating 2 changed files",
        "Searching for get_invoice",
        "Reading app/routes.py",
        "Reading app/db.py",
        "Refuting 1 candidate",
        "Reading app/db.py (from line 4)",
    ] {
        assert!(steps.contains(&expected), "{expected:?} not in {steps:?}");
    }

    let report = render_report(&outcome);
    assert!(
        report.contains("**Evidence chain**") && report.contains("`app/routes.py:10` — invoice_id taken")
    );

    eprintln!(
        "multi-file IDOR scenario: {} tool calls ({:?}), {} turns, {} requests, {} input + {} output tokens (mock estimate), cost ${:.4}, {} bytes read by tools, {} bytes sent, wall {:.0} ms",
        outcome.tool_call_count(),
        outcome.tool_calls,
        outcome.turns,
        outcome.requests,
        outcome.input_tokens(),
        outcome.usage.output_tokens,
        outcome.cost_usd.unwrap_or_default(),
        outcome.bytes_read,
        outcome.bytes_sent,
        outcome.elapsed.as_secs_f64() * 1000.0
    );
}

#[cfg(unix)]
#[test]
fn hostile_tool_calls_are_refused_and_nothing_from_outside_reaches_any_request() {
    use std::io::Write as _;
    let repo = invoice_repo("agent-hostile");
    let outside = std::env::temp_dir().join(format!("sg-lsp-agent-outside-{}", std::process::id()));
    std::fs::create_dir_all(&outside).unwrap();
    let marker = format!("OUTSIDE-UNIQUE-{}-c0ffee", std::process::id());
    let outside_file = outside.join("outside-marker.txt");
    std::fs::write(&outside_file, format!("{marker}\n")).unwrap();
    std::os::unix::fs::symlink(&outside_file, repo.dir.join("app/link.txt")).unwrap();
    std::os::unix::fs::symlink(&outside, repo.dir.join("app/outdir")).unwrap();
    // 50 MB: a text head, then a sparse tail (never read whole, never sent whole).
    let mut big = std::fs::File::create(repo.dir.join("big.log")).unwrap();
    for n in 1..=1000 {
        writeln!(big, "head line {n:04}").unwrap();
    }
    big.set_len(50 * 1024 * 1024).unwrap();
    drop(big);
    let passwd_marker = "root:x:0:0";

    let mock = MockServer::start(Config::default());
    let hostile: Vec<(&str, Value)> = vec![
        ("Read", json!({"file_path": "../../etc/passwd"})),
        ("Read", json!({"file_path": "/etc/hostname"})),
        ("Read", json!({"file_path": "/etc/passwd"})),
        ("Read", json!({"file_path": "app/link.txt"})),
        ("Read", json!({"file_path": "app/outdir/outside-marker.txt"})),
        ("Read", json!({"file_path": outside_file.to_str().unwrap()})),
        ("Read", json!({"file_path": ".git/config"})),
        ("Read", json!({"file_path": ".git/HEAD"})),
        ("Read", json!({"file_path": "big.log"})),
        ("Glob", json!({"pattern": "../**"})),
        ("Glob", json!({"pattern": "/etc/*"})),
        ("Glob", json!({"pattern": "**", "path": ".."})),
        ("Grep", json!({"pattern": "root", "path": ".."})),
        ("Grep", json!({"pattern": "root", "path": "/etc"})),
        ("Grep", json!({"pattern": "OUTSIDE", "path": "app/outdir"})),
    ];
    mock.push(tool_uses(&hostile));
    // Allowed, but bounded: a page of the 50 MB file, and whole-tree searches that must not follow
    // the symlinks out.
    mock.push(tool_uses(&[
        ("Read", json!({"file_path": "big.log", "offset": 1, "limit": 5})),
        ("Grep", json!({"pattern": "OUTSIDE|root:x"})),
        ("Glob", json!({"pattern": "**/*"})),
    ]));
    mock.push(Reply::tool_use("report_findings", json!({"findings": []})));

    let client = client(&mock);
    let (result, _) = run(&client, &request(&repo));
    let outcome = result.unwrap();
    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    assert_well_formed(&requests);

    let refused = tool_results(&requests[1]);
    assert_eq!(refused.len(), hostile.len());
    for ((name, input), (content, is_error)) in hostile.iter().zip(&refused) {
        assert!(is_error, "{name} {input} was not refused: {content}");
        assert!(!content.is_empty(), "{name} {input}: a reason is given");
    }
    assert!(refused[0].0.contains("`..` is not allowed"), "{}", refused[0].0);
    assert!(refused[1].0.contains("outside the repository"), "{}", refused[1].0);
    assert!(refused[3].0.contains("outside the repository"), "{}", refused[3].0);
    assert!(refused[6].0.contains(".git internals"), "{}", refused[6].0);
    assert!(refused[8].0.contains("over the 1 MB limit"), "{}", refused[8].0);
    assert_eq!(outcome.stages, [Stage::Investigate], "nothing reported, nothing to refute");

    let allowed = tool_results(&requests[2]);
    let head = (1..=5).fold(String::new(), |mut head, n| {
        let _ = writeln!(head, "{n:>6}\thead line {n:04}");
        head
    });
    assert_eq!(
        allowed[0],
        (format!("{head}[lines 1-5 shown; the file goes on: continue with offset=6]"), false),
        "one page of the 50 MB file, never the whole"
    );
    assert!(!allowed[1].1 && !allowed[2].1);
    assert!(!allowed[2].0.contains("outside-marker"), "{}", allowed[2].0);
    assert!(outcome.bytes_read < 100_000);

    for recorded in &requests {
        let text = recorded.text();
        assert!(!text.contains(&marker), "the outside file's content reached a request");
        assert!(!text.contains(passwd_marker), "/etc/passwd reached a request");
        assert!(!text.contains("repositoryformatversion"), ".git/config reached a request");
    }
    let _ = std::fs::remove_dir_all(&outside);
}

#[test]
fn running_out_of_turns_falls_back_to_the_single_shot_review() {
    let repo = invoice_repo("agent-budget");
    let mock = MockServer::start(Config::default());
    // The agent (its requests offer Read) never reports; the single-shot review (no Read) does.
    mock.push_rule(
        Rule::when(Match::tool("Read"), Reply::tool_use("Grep", json!({"pattern": "def "}))).always(),
    );
    mock.push_rule(
        Rule::when(
            Match::tool("report_findings"),
            Reply::tool_use(
                "report_findings",
                json!({"findings": [{
                    "file": "app/routes.py", "line": 10, "code": "invoice_id = request.args[\"id\"]",
                    "severity": "high", "category": "authorization", "title": "Invoice id from the request",
                    "explanation": "e", "fix": "f", "confidence": 0.7
                }]}),
            ),
        )
        .always(),
    );
    let client = client(&mock);
    let mut request = request(&repo);
    request.budgets = Budgets { max_turns: 3, ..Budgets::default() };
    let (result, progress) = run(&client, &request);
    let outcome = result.unwrap();

    assert_eq!(outcome.fallback.as_deref(), Some("turn budget"));
    assert!(outcome.notes.iter().any(|n| n.starts_with("fallback: turn budget")), "{:?}", outcome.notes);
    assert_eq!(outcome.stages, [Stage::Investigate, Stage::Fallback]);
    assert_eq!(outcome.turns, 3);
    assert_eq!(outcome.tool_calls.get("Grep"), Some(&3));
    assert_eq!(outcome.findings.len(), 1);
    assert!(outcome.findings[0].trace.is_empty());
    assert_eq!(outcome.findings[0].finding.path, "app/routes.py");
    let requests = mock.requests();
    assert_eq!(requests.len(), 4, "3 agent turns, then the single-shot review");
    assert_well_formed(&requests);
    // The last turn the budget allowed forced report_findings.
    assert_eq!(body(&requests[2])["tool_choice"], json!({"type": "tool", "name": "report_findings"}));
    assert_eq!(body(&requests[1])["tool_choice"], json!({"type": "auto"}));
    let last_results = body(&requests[2]);
    let last_user = last_results["messages"].as_array().unwrap().last().unwrap().to_string();
    assert!(last_user.contains("this is your last turn"));
    assert!(body(&requests[3])["tools"].as_array().unwrap().len() == 1, "the diff review's request");
    assert!(progress.iter().any(|p| p.stage == Stage::Fallback));
    assert!(render_report(&outcome).contains("**Fallback:** turn budget"));
}

#[test]
fn a_refusal_is_an_error_without_fallback() {
    let repo = invoice_repo("agent-refusal");
    let mock = MockServer::start(Config::default());
    mock.push(Reply::refusal());
    let client = client(&mock);
    let (result, _) = run(&client, &request(&repo));
    let error = result.unwrap_err();
    assert_eq!(error.failure_code(), Some(FailureCode::Refused), "{error}");
    assert_eq!(mock.requests().len(), 1, "a refusal would repeat: no fallback request");
}

#[test]
fn malformed_tool_input_gets_error_results_and_the_loop_goes_on() {
    let repo = invoice_repo("agent-malformed");
    let mock = MockServer::start(Config::default());
    mock.push(tool_uses(&[
        ("Read", json!({"path": "app/db.py"})),
        ("Read", json!({"file_path": ["app/db.py"]})),
        ("Grep", json!({"pattern": "get_invoice("})),
        ("Glob", json!({})),
        ("Bash", json!({"command": "cat /etc/passwd"})),
        ("report_findings", json!({"items": 3})),
    ]));
    mock.push(Reply::tool_use("report_findings", json!({"findings": []})));
    let client = client(&mock);
    let (result, _) = run(&client, &request(&repo));
    let outcome = result.unwrap();
    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    assert_well_formed(&requests);
    let results = tool_results(&requests[1]);
    assert_eq!(results.len(), 6);
    assert!(results.iter().all(|(_, is_error)| *is_error), "{results:?}");
    assert!(results[0].0.contains("missing field `file_path`"), "{}", results[0].0);
    assert!(results[1].0.contains("invalid type"), "{}", results[1].0);
    assert!(results[2].0.starts_with("invalid regex"), "{}", results[2].0);
    assert!(results[3].0.contains("missing field `pattern`"), "{}", results[3].0);
    assert!(results[4].0.contains("unknown tool `Bash`"), "{}", results[4].0);
    assert!(results[5].0.contains("report_findings"), "{}", results[5].0);
    // A malformed report forces report_findings on the next turn.
    assert_eq!(body(&requests[1])["tool_choice"], json!({"type": "tool", "name": "report_findings"}));
    assert_eq!(outcome.tool_errors, 5);
    assert!(outcome.findings.is_empty() && outcome.fallback.is_none());
}

#[test]
fn pause_turn_is_resent_and_end_turn_gets_one_nudge() {
    let repo = invoice_repo("agent-nudge");
    let mock = MockServer::start(Config::default());
    mock.push(Reply::message(
        json!({"content": [{"type": "text", "text": "looking"}], "stop_reason": "pause_turn"}),
    ));
    mock.push(Reply::text("I think it is fine."));
    mock.push(Reply::tool_use("report_findings", json!({"findings": []})));
    let client = client(&mock);
    let (result, _) = run(&client, &request(&repo));
    let outcome = result.unwrap();
    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    assert_well_formed(&requests);
    let last_text =
        |r: &Recorded| body(r)["messages"].as_array().unwrap().last().unwrap()["content"][0]["text"].clone();
    assert_eq!(last_text(&requests[1]), "Continue.");
    assert!(
        last_text(&requests[2])
            .as_str()
            .unwrap()
            .starts_with("You ended your turn without calling report_findings")
    );
    assert_eq!(body(&requests[2])["tool_choice"], json!({"type": "tool", "name": "report_findings"}));
    assert!(outcome.fallback.is_none());

    // Ending the turn again after the nudge fails the stage: the single-shot review answers.
    let mock = MockServer::start(Config::default());
    mock.push(Reply::text("fine"));
    mock.push(Reply::text("still fine"));
    mock.push(Reply::tool_use("report_findings", json!({"findings": []})));
    let client = self::client(&mock);
    let (result, _) = run(&client, &request(&repo));
    let outcome = result.unwrap();
    let reason = outcome.fallback.unwrap();
    assert!(reason.contains("without calling report_findings"), "{reason}");

    // A tool call cut off at max_tokens is an error too.
    let mock = MockServer::start(Config::default());
    mock.push(Reply::message(
        json!({"content": [{"type": "tool_use", "name": "Read", "input": {}}], "stop_reason": "max_tokens"}),
    ));
    mock.push(Reply::tool_use("report_findings", json!({"findings": []})));
    let client = self::client(&mock);
    let (result, _) = run(&client, &request(&repo));
    assert!(result.unwrap().fallback.unwrap().contains("max_tokens"));
}

#[test]
fn cancelling_during_a_slow_answer_returns_cancelled() {
    let repo = invoice_repo("agent-cancel");
    let mock = MockServer::start(Config::default());
    mock.push(Reply::delayed(Duration::from_secs(3), Reply::tool_use("Grep", json!({"pattern": "x"}))));
    let client = client(&mock);
    let request = request(&repo);
    let cancel = request.cancel.clone();
    let canceller = std::thread::spawn(move || {
        // Cancel once the request is in flight.
        std::thread::sleep(Duration::from_millis(200));
        cancel.cancel();
    });
    let (result, _) = run(&client, &request);
    canceller.join().unwrap();
    assert_eq!(result.unwrap_err(), AgentError::Cancelled);
    assert_eq!(mock.requests().len(), 1, "no fallback after a cancellation");
}

#[test]
fn the_review_future_is_send_and_an_empty_commit_makes_no_request() {
    fn assert_send<T: Send>(_: &T) {}
    let repo = TestRepo::new("agent-empty");
    repo.write("README.md", "# docs\n");
    repo.commit(&["README.md"], "docs");
    repo.write("notes.txt", "");
    repo.commit(&["notes.txt"], "empty file");
    let mock = MockServer::start(Config::default());
    let client = client(&mock);
    let request = request(&repo);
    let future = review_commit(&client, &request, |_| {});
    assert_send(&future);
    drop(future);
    let (result, _) = run(&client, &request);
    let outcome = result.unwrap();
    assert!(outcome.stages.is_empty() && outcome.findings.is_empty());
    assert!(outcome.notes.iter().any(|n| n.starts_with("nothing to review")), "{:?}", outcome.notes);
    assert!(mock.requests().is_empty());
}
