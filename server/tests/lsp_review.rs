//! The LLM diff review inside the language server, against the loopback mock of the Messages API:
//! review on save, findings as their own source that survive rescans and go when their line is
//! edited, the command and code action, cancellation, auth failures told once with a cooldown.

mod lsp_harness;
mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lsp_harness::TestServer;
use mock_llm::{Config, MockServer, Reply};
use serde_json::{Value, json};
use sg_lsp::lsp::ServeOptions;
use support::{TempDir, git};

/// The repository under review: `app.py` committed, then changed on disk.
struct Project {
    _dir: TempDir,
    root: PathBuf,
    state: PathBuf,
}

const COMMITTED: &str = "def download(request):\n    return 'ok'\n";
/// Line 3 reads a path from the request; no pattern rule flags it, only the review does.
const CHANGED: &str =
    "def download(request):\n    name = request.args['file']\n    return open('/srv/files/' + name).read()\n";

fn project(name: &str) -> Project {
    let dir = TempDir::new(&format!("lsp-review-{name}"));
    let root = dir.path().join("repo");
    let state = dir.path().join("state");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&state).unwrap();
    git(&root, &["init", "-q"]);
    std::fs::write(root.join("app.py"), COMMITTED).unwrap();
    git(&root, &["add", "app.py"]);
    git(&root, &["commit", "-q", "-m", "init"]);
    std::fs::write(root.join("app.py"), CHANGED).unwrap();
    Project { _dir: dir, root, state }
}

impl Project {
    fn uri(&self, file: &str) -> String {
        format!("file://{}/{file}", self.root.display())
    }

    /// The server's environment: credentials for `mock` (or none), a private HOME and state dir.
    fn env(&self, mock: Option<&MockServer>) -> ServeOptions {
        let mut vars = vec![
            ("HOME".to_owned(), self.state.display().to_string()),
            ("SECURITY_WARNINGS_STATE_DIR".to_owned(), self.state.display().to_string()),
        ];
        if let Some(mock) = mock {
            vars.push(("ANTHROPIC_BASE_URL".to_owned(), mock.url()));
            vars.push(("ANTHROPIC_API_KEY".to_owned(), "test-key".to_owned()));
        }
        let env = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        ServeOptions { env: Some(Arc::new(env)), ..ServeOptions::default() }
    }

    async fn start(&self, mock: Option<&MockServer>) -> TestServer {
        let capabilities = json!({"window": {"workDoneProgress": true}});
        let root = format!("file://{}", self.root.display());
        let options = json!({"workspaceScan": false});
        TestServer::start_in(capabilities, options, self.env(mock), Some(&root)).await.0
    }
}

fn finding(line: u32) -> Value {
    json!({"findings": [{
        "file": "app.py", "line": line, "severity": "high", "category": "path-traversal", "cwe": "CWE-22",
        "title": "Path traversal from a request parameter",
        "explanation": "`name` comes from the request and reaches open() unchecked.",
        "fix": "Resolve the path and check it stays under /srv/files.", "confidence": 0.9,
        "code": "return open('/srv/files/' + name).read()"
    }]})
}

fn review_diagnostics(params: &Value) -> Vec<Value> {
    params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["source"] == "sg-lsp/review")
        .cloned()
        .collect()
}

impl TestServer {
    /// The next publish for `uri` that satisfies `wanted`.
    async fn publish_where(&mut self, uri: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let params = self.notification("textDocument/publishDiagnostics").await;
            if params["uri"] == uri && wanted(&params) {
                return params;
            }
        }
    }

    async fn save(&mut self, uri: &str) {
        self.notify("textDocument/didSave", json!({"textDocument": {"uri": uri}})).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_publishes_review_findings_that_survive_rescans_and_go_when_their_line_is_edited() {
    let project = project("save");
    let mock = MockServer::start(Config::default());
    mock.push(Reply::tool_use("report_findings", finding(3)));
    let mut server = project.start(Some(&mock)).await;
    let uri = project.uri("app.py");
    server.open(&uri, "python", CHANGED).await;
    server.diagnostics(&uri, 1).await;
    server.save(&uri).await;
    // Notifications are read in order: the status comes before the findings.
    let status = server.notification("sgLsp/reviewStatus").await;
    assert_eq!(status["state"], "running");
    let status = server.notification("sgLsp/reviewStatus").await;
    assert_eq!(status["state"], "done");
    assert_eq!(status["findings"], 1);
    assert!(status["inputTokens"].as_u64().unwrap() > 0);
    let published = server.publish_where(&uri, |p| !review_diagnostics(p).is_empty()).await;
    let review = review_diagnostics(&published);
    assert_eq!(review.len(), 1, "{published:#}");
    assert_eq!(review[0]["code"], "review.path-traversal");
    assert_eq!(review[0]["severity"], 1, "high is an error");
    assert_eq!(review[0]["range"]["start"]["line"], 2);
    assert_eq!(review[0]["codeDescription"]["href"], "https://cwe.mitre.org/data/definitions/22.html");
    assert!(review[0]["message"].as_str().unwrap().contains("Fix: Resolve the path"));

    let requests = mock.requests();
    assert_eq!(requests.len(), 1, "one review per save");
    let body = requests[0].text();
    assert!(body.contains("open('/srv/files/' + name)"), "the diff was sent");

    // An edit above the finding moves it; the pattern rescan keeps it.
    server.change(&uri, 2, ((0, 0), (0, 0)), "# download handler\n").await;
    let published = server.publish_where(&uri, |p| p["version"] == 2).await;
    let review = review_diagnostics(&published);
    assert_eq!(review.len(), 1);
    assert_eq!(review[0]["range"]["start"]["line"], 3, "moved down one line");
    // An edit on its line drops it: the model judged code that is gone.
    server.change(&uri, 3, ((3, 11), (3, 15)), "safe_open").await;
    let published = server.publish_where(&uri, |p| p["version"] == 3).await;
    assert!(review_diagnostics(&published).is_empty(), "{published:#}");
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_reviews_every_change_and_publishes_closed_files_too() {
    let project = project("command");
    let mock = MockServer::start(Config::default());
    mock.push(Reply::tool_use("report_findings", finding(3)));
    let mut server = project.start(Some(&mock)).await;
    let uri = project.uri("app.py");

    let actions = server.code_actions(&project.uri("other.py"), (0, 0), Some("source")).await;
    assert!(
        actions.iter().any(|a| a["command"]["command"] == "sg-lsp.reviewChanges"),
        "a Review changes action: {actions:#?}"
    );
    let response = server
        .request("workspace/executeCommand", json!({"command": "sg-lsp.reviewChanges", "arguments": []}))
        .await;
    assert!(response.get("error").is_none(), "{response}");
    // app.py is not open: its findings are published for the file.
    let published = server.publish_where(&uri, |p| !review_diagnostics(p).is_empty()).await;
    assert_eq!(published["version"], Value::Null);
    assert_eq!(review_diagnostics(&published)[0]["range"]["start"]["line"], 2);
    // Opening it keeps them.
    server.open(&uri, "python", CHANGED).await;
    let published = server.publish_where(&uri, |p| p["version"] == 1).await;
    assert_eq!(review_diagnostics(&published).len(), 1);
    assert_eq!(mock.requests().len(), 1);
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_credentials_saves_do_nothing_and_the_command_says_why() {
    let project = project("nocreds");
    let mut server = project.start(None).await;
    let uri = project.uri("app.py");
    server.open(&uri, "python", CHANGED).await;
    server.diagnostics(&uri, 1).await;
    let actions = server.code_actions(&uri, (0, 0), None).await;
    assert!(!actions.iter().any(|a| a["command"]["command"] == "sg-lsp.reviewChanges"));
    server.save(&uri).await;
    server.request("workspace/executeCommand", json!({"command": "sg-lsp.reviewChanges"})).await;
    let message = server.notification("window/showMessage").await;
    let text = message["message"].as_str().unwrap();
    assert!(text.contains("review unavailable") && text.contains("ANTHROPIC_API_KEY"), "{text}");
    let unknown = server.request("workspace/executeCommand", json!({"command": "sg-lsp.nope"})).await;
    assert!(unknown.get("error").is_some());
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_key_is_told_once_and_cools_the_review_down() {
    let project = project("auth");
    let mock = MockServer::start(Config::default());
    mock.push(Reply::error(401, "authentication_error", "invalid x-api-key"));
    let mut server = project.start(Some(&mock)).await;
    let uri = project.uri("app.py");
    server.open(&uri, "python", CHANGED).await;
    server.diagnostics(&uri, 1).await;
    server.save(&uri).await;
    let message = server.notification("window/showMessage").await;
    assert_eq!(message["type"], 1, "an error");
    assert!(message["message"].as_str().unwrap().contains("ANTHROPIC_API_KEY"), "{message}");
    assert!(project.state.join("cooldown-review.json").exists(), "a cooldown marker");
    // The next save is skipped: no request, no second message.
    server.save(&uri).await;
    let response = server
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    assert!(response.get("error").is_none());
    assert_eq!(mock.requests().len(), 1, "cooling down: no second request");
    assert!(!server.notifications.iter().any(|n| n["method"] == "window/showMessage"));
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cancel_button_or_a_newer_save_cancels_the_running_review() {
    let project = project("cancel");
    let mock = MockServer::start(Config::default());
    // Far longer than any test wait: only a cancellation ends these reviews in time.
    let slow = || Reply::delayed(Duration::from_secs(600), Reply::tool_use("report_findings", finding(3)));
    mock.push(slow());
    mock.push(slow());
    mock.push(Reply::tool_use("report_findings", finding(3)));
    let mut server = project.start(Some(&mock)).await;
    let uri = project.uri("app.py");
    server.open(&uri, "python", CHANGED).await;
    server.diagnostics(&uri, 1).await;

    // Cancelled from the progress bar: the bar ends long before the reply would come.
    server.save(&uri).await;
    let begin = server.notification("$/progress").await;
    assert_eq!(begin["value"]["kind"], "begin");
    assert_eq!(begin["value"]["cancellable"], true);
    mock.wait_for_requests(1, Duration::from_secs(60));
    server.notify("window/workDoneProgress/cancel", json!({"token": "sg-lsp/review"})).await;
    let end = server.notification("$/progress").await;
    assert_eq!(end["value"]["kind"], "end");

    // A save while a review runs: the running review is stale and cancelled; the newer one reports.
    server.save(&uri).await;
    // Reading the progress answers the server's `window/workDoneProgress/create` first.
    assert_eq!(server.notification("$/progress").await["value"]["kind"], "begin");
    mock.wait_for_requests(2, Duration::from_secs(60));
    let newer = CHANGED.replace("'file'", "'path'");
    std::fs::write(project.root.join("app.py"), &newer).unwrap();
    server.save(&uri).await;
    let published = server.publish_where(&uri, |p| !review_diagnostics(p).is_empty()).await;
    assert_eq!(review_diagnostics(&published).len(), 1);
    assert_eq!(mock.requests().len(), 3);
    assert_eq!(server.shutdown().await, 0);
}

const ROUTES: &str = "from flask import request\n\nfrom app import db\n\n\n@app.route(\"/invoices\")\ndef show_invoice():\n    invoice_id = request.args[\"id\"]\n    return db.get_invoice(invoice_id)\n";
const DB: &str = "import sqlite3\n\n\ndef get_invoice(invoice_id):\n    conn = sqlite3.connect(\"app.db\")\n    row = conn.execute(\"SELECT * FROM invoices WHERE id = ?\", (invoice_id,)).fetchone()\n    return dict(row)\n";

fn idor(candidate: Option<u32>) -> Value {
    let mut finding = json!({
        "file": "app/db.py", "line": 6,
        "code": "row = conn.execute(\"SELECT * FROM invoices WHERE id = ?\", (invoice_id,)).fetchone()",
        "severity": "high", "category": "authorization", "cwe": "CWE-639",
        "title": "Any user can read any invoice (IDOR)",
        "explanation": "The id comes from the query string; the invoice is fetched without an owner check.",
        "exploit": "A user requests /invoices?id=2 and gets another customer's invoice.",
        "evidence": "app/routes.py:8 reads the id; app/db.py:6 selects by id only.",
        "fix": "Filter by the current user's id.", "confidence": 0.9,
        "trace": [
            {"file": "app/routes.py", "line": 8, "note": "invoice_id taken from request.args"},
            {"file": "app/db.py", "line": 6, "note": "fetched by id with no owner check"}
        ]
    });
    if let Some(n) = candidate {
        finding["candidate"] = json!(n);
    }
    json!({"findings": [finding]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_commit_reports_progress_traces_findings_and_opens_the_report() {
    let project = project("commit");
    std::fs::create_dir_all(project.root.join("app")).unwrap();
    std::fs::write(project.root.join("app/routes.py"), ROUTES).unwrap();
    std::fs::write(project.root.join("app/db.py"), DB).unwrap();
    git(&project.root, &["add", "app"]);
    git(&project.root, &["commit", "-q", "-m", "invoices"]);
    let mock = MockServer::start(Config::default());
    mock.push(Reply::tool_use("Read", json!({"file_path": "app/routes.py"})));
    mock.push(Reply::tool_use("report_findings", idor(None)));
    mock.push(Reply::tool_use("report_findings", idor(Some(1))));

    let capabilities = json!({"window": {"workDoneProgress": true, "showDocument": {"support": true}}});
    let root = format!("file://{}", project.root.display());
    let options = json!({"workspaceScan": false});
    let (mut server, _) =
        TestServer::start_in(capabilities, options, project.env(Some(&mock)), Some(&root)).await;
    let actions = server.code_actions(&project.uri("app/db.py"), (0, 0), Some("source")).await;
    assert!(actions.iter().any(|a| a["command"]["command"] == "sg-lsp.reviewCommit"), "{actions:#?}");
    server.request("workspace/executeCommand", json!({"command": "sg-lsp.reviewCommit"})).await;

    // Each step shows in the progress bar; the findings come through another queue, in any order.
    let db = project.uri("app/db.py");
    let mut steps = Vec::new();
    let (mut ended, mut published) = (false, None);
    while !ended || published.is_none() {
        let message = server.recv().await;
        let params = &message["params"];
        match message["method"].as_str() {
            Some("$/progress") if params["token"] == "sg-lsp/commit-review" => {
                match params["value"]["kind"].as_str() {
                    Some("report") => {
                        steps.push(params["value"]["message"].as_str().unwrap_or_default().to_owned());
                    }
                    Some("end") => ended = true,
                    _ => {}
                }
            }
            Some("textDocument/publishDiagnostics")
                if params["uri"] == db.as_str()
                    && params["diagnostics"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|d| d["source"] == "sg-lsp/commit-review") =>
            {
                published = Some(params.clone());
            }
            _ => {}
        }
    }
    assert!(steps.iter().any(|s| s.contains("Reading app/routes.py")), "{steps:?}");
    let published = published.unwrap();
    let diagnostic = &published["diagnostics"][0];
    assert_eq!(diagnostic["code"], "review.authorization");
    assert_eq!(diagnostic["range"]["start"]["line"], 5);
    assert!(diagnostic["message"].as_str().unwrap().contains("Exploit: A user requests /invoices?id=2"));
    let trace = diagnostic["relatedInformation"].as_array().expect("the trace");
    assert_eq!(trace.len(), 2);
    assert_eq!(trace[0]["location"]["uri"], project.uri("app/routes.py"));
    assert_eq!(trace[0]["location"]["range"]["start"]["line"], 7);
    assert_eq!(trace[0]["message"], "invoice_id taken from request.args");

    // The report is written under .git/sg-lsp/reviews/ and the client is asked to open it.
    let reports: Vec<PathBuf> = std::fs::read_dir(project.root.join(".git/sg-lsp/reviews"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(reports.len(), 1);
    let report = std::fs::read_to_string(&reports[0]).unwrap();
    assert!(report.contains("IDOR") && report.contains("app/routes.py"), "{report}");
    server
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": db}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    assert!(
        server.server_requests.iter().any(|m| m == "window/showDocument"),
        "{:?}",
        server.server_requests
    );
    assert_eq!(mock.requests().len(), 3);
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_pull_diagnostics_review_findings_arrive_through_a_refresh() {
    let project = project("pull");
    let mock = MockServer::start(Config::default());
    mock.push(Reply::tool_use("report_findings", finding(3)));
    let capabilities = json!({
        "textDocument": {"diagnostic": {}},
        "workspace": {"diagnostics": {"refreshSupport": true}},
    });
    let root = format!("file://{}", project.root.display());
    let options = json!({"workspaceScan": false});
    let (mut server, _) =
        TestServer::start_in(capabilities, options, project.env(Some(&mock)), Some(&root)).await;
    let uri = project.uri("app.py");
    server.open(&uri, "python", CHANGED).await;
    let report = server.pull(&uri, None).await;
    assert_eq!(report["items"], json!([]));
    let id = report["resultId"].as_str().unwrap().to_owned();
    server.save(&uri).await;
    // The review's findings change the document's diagnostics without an edit: the client is told.
    server.server_request("workspace/diagnostic/refresh").await;
    let report = server.pull(&uri, Some(&id)).await;
    assert_eq!(report["kind"], "full", "{report}");
    let items = report["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:#?}");
    assert_eq!(
        (&items[0]["source"], &items[0]["range"]["start"]["line"]),
        (&json!("sg-lsp/review"), &json!(2))
    );
    assert!(server.notifications.iter().all(|n| n["method"] != "textDocument/publishDiagnostics"));
    assert_eq!(server.shutdown().await, 0);
}
