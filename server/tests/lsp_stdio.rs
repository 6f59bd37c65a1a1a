//! The real `sg-lsp` binary over stdio: `main` wiring, clean framing on stdout (a stray write would
//! break a frame), logs on stderr, and the exit status after `shutdown`/`exit` or the end of input.

mod lsp_support;

use lsp_support::Client;
use serde_json::json;

#[test]
fn serve_over_stdio_publishes_diagnostics_survives_garbage_and_exits_zero() {
    let mut client = Client::spawn(&["serve", "--stdio"]);
    client.initialize();
    client.send_raw(b"{\"this is\": not json");
    let error = client.wait_for("the parse error", |m| m.get("error").is_some());
    assert_eq!(error["error"]["code"], -32700);
    let document = json!({"uri": "file:///tmp/app.py", "languageId": "python", "version": 1, "text": "x = eval(data)\n"});
    client.send(
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": document}}),
    );
    let published = client.wait_for("diagnostics", |m| m["method"] == "textDocument/publishDiagnostics");
    assert_eq!(published["params"]["diagnostics"][0]["code"], "python.eval");
    client.send(&json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    client.wait_for("the shutdown answer", |m| m["id"] == 2);
    client.send(&json!({"jsonrpc": "2.0", "method": "exit"}));
    let (code, stderr) = client.wait();
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("didOpen"), "logs go to stderr: {stderr}");
    assert!(!stderr.contains("eval(data)"), "logs never hold document text: {stderr}");
}

#[test]
fn no_subcommand_serves_too_and_exit_without_shutdown_is_status_one() {
    let mut client = Client::spawn(&["--stdio"]);
    client.initialize();
    client.send(&json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(client.wait().0, 1);
}

#[test]
fn the_end_of_input_ends_the_server() {
    let mut client = Client::spawn(&["serve"]);
    client.initialize();
    let (code, stderr) = client.wait();
    assert_eq!(code, 1, "{stderr}");
}
