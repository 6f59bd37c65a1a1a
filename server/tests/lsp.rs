//! The language server in process over `tokio::io::duplex`, through the same framing layer as stdio:
//! lifecycle, sync in every encoding, diagnostics, hover, code actions applied to the text,
//! configuration, bursts of edits and malformed input.

use std::sync::Arc;

use serde_json::{Value, json};
use sg_lsp::lsp::ServeOptions;
use sg_lsp::text::{Encoding, LineIndex, Position};
use tokio::io::AsyncWriteExt;

mod lsp_harness;

use lsp_harness::{TIMEOUT, TestServer};

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap()).collect()
}

fn find<'d>(diagnostics: &'d [Value], code: &str) -> &'d Value {
    diagnostics.iter().find(|d| d["code"] == code).unwrap_or_else(|| panic!("no {code} in {diagnostics:#?}"))
}

/// Applies the text edits of a code action's workspace edit to `text`.
fn apply(text: &str, action: &Value, encoding: Encoding) -> String {
    let edits = action["edit"]["documentChanges"][0]["edits"].as_array().expect("document edits");
    let index = LineIndex::new(text);
    let offset = |p: &Value| {
        let position =
            Position::new(p["line"].as_u64().unwrap() as u32, p["character"].as_u64().unwrap() as u32);
        index.offset(text, position, encoding)
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| (offset(&e["range"]["start"]), offset(&e["range"]["end"]), e["newText"].as_str().unwrap()))
        .collect();
    spans.sort_by_key(|&(start, end, _)| std::cmp::Reverse((start, end)));
    let mut out = text.to_owned();
    for (start, end, new_text) in spans {
        out.replace_range(start..end, new_text);
    }
    out
}

fn titled<'a>(actions: &'a [Value], prefix: &str) -> &'a Value {
    actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with(prefix))
        .unwrap_or_else(|| panic!("no action `{prefix}` in {actions:#?}"))
}

const PY: &str = "file:///project/app.py";
const JS: &str = "file:///project/app.js";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_negotiates_the_encoding_and_exits_cleanly_after_shutdown() {
    let utf8 = json!({"general": {"positionEncodings": ["utf-16", "utf-8"]}});
    let (server, init) = TestServer::start_with(utf8, Value::Null, ServeOptions::default()).await;
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(init["serverInfo"]["name"], "sg-lsp");
    assert_eq!(server.shutdown().await, 0);

    let (mut server, init) = TestServer::start().await;
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    // `exit` without `shutdown` is an error exit, as LSP asks.
    server.notify("exit", Value::Null).await;
    assert_eq!(tokio::time::timeout(TIMEOUT, server.server).await.unwrap().unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_carry_code_link_source_severity_and_data_and_clear_on_close() {
    let (mut server, _) = TestServer::start().await;
    server.open(PY, "python", "import pickle\nresult = eval(x)\npickle.loads(blob)\n").await;
    let diagnostics = server.diagnostics(PY, 1).await;
    assert_eq!(codes(&diagnostics), ["python.eval", "python.pickle-load"]);
    let eval = find(&diagnostics, "python.eval");
    assert_eq!(
        eval["range"],
        json!({"start": {"line": 1, "character": 9}, "end": {"line": 1, "character": 16}})
    );
    assert_eq!(eval["source"], "sg-lsp");
    assert_eq!(eval["severity"], 1);
    assert_eq!(eval["codeDescription"]["href"], "https://cwe.mitre.org/data/definitions/95.html");
    assert_eq!(eval["data"]["fixable"], true);
    assert!(eval["data"]["fingerprint"].is_string());

    server.notify("textDocument/didClose", json!({"textDocument": {"uri": PY}})).await;
    let cleared = server.notification("textDocument/publishDiagnostics").await;
    assert_eq!(cleared["uri"], PY);
    assert_eq!(cleared["diagnostics"], json!([]));
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_sync_with_emoji_cjk_and_crlf_in_each_encoding() {
    // `eval` is typed after `s = "😀中"; ` on the second line; its column depends on the encoding.
    for (offered, line_end, eval_column) in [("utf-8", 15, 15), ("utf-16", 11, 11), ("utf-32", 10, 10)] {
        let capabilities = json!({"general": {"positionEncodings": [offered]}});
        let options = json!({"positionEncoding": offered});
        let (mut server, init) = TestServer::start_with(capabilities, options, ServeOptions::default()).await;
        assert_eq!(init["capabilities"]["positionEncoding"], offered);
        server.open(PY, "python", "# 注释 😀\r\ns = \"😀中\"; \r\nprint(s)\r\n").await;
        assert!(server.diagnostics(PY, 1).await.is_empty());
        server.change(PY, 2, ((1, line_end), (1, line_end)), "eval(s)").await;
        let diagnostics = server.diagnostics(PY, 2).await;
        let eval = find(&diagnostics, "python.eval");
        assert_eq!(eval["range"]["start"], json!({"line": 1, "character": eval_column}), "{offered}");
        // Replace `print(s)` on the CRLF line after it; the eval finding stays where it was.
        server.change(PY, 3, ((2, 0), (2, 8)), "exec(s)").await;
        let diagnostics = server.diagnostics(PY, 3).await;
        assert_eq!(find(&diagnostics, "python.eval")["range"]["start"]["character"], eval_column);
        assert_eq!(find(&diagnostics, "python.exec-compile")["range"]["start"]["line"], 2);
        assert_eq!(server.shutdown().await, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_rapid_changes_end_in_the_right_text_and_diagnostics() {
    let (mut server, _) = TestServer::start().await;
    server.open(PY, "python", "").await;
    let program =
        "import os\n\ndef run(cmd, data):\n    os.system(cmd)\n    result = eval(data)\n    return result\n";
    let mut expected = String::new();
    let mut version = 1;
    // Type the program one character at a time, with a typo fixed by a backspace on every line.
    for ch in program.chars() {
        let index = LineIndex::new(&expected);
        let (line, column) = {
            let end = index.position(&expected, expected.len(), Encoding::Utf16);
            (end.line, end.column)
        };
        if ch == '\n' {
            version += 1;
            server.change(PY, version, ((line, column), (line, column)), "x").await;
            version += 1;
            server.change(PY, version, ((line, column), (line, column + 1)), "").await;
        }
        version += 1;
        server.change(PY, version, ((line, column), (line, column)), &ch.to_string()).await;
        expected.push(ch);
    }
    assert!(version >= 100, "{version} changes");
    let diagnostics = server.diagnostics(PY, version).await;
    assert_eq!(codes(&diagnostics), ["python.os-system", "python.eval"]);
    assert_eq!(find(&diagnostics, "python.eval")["range"]["start"], json!({"line": 4, "character": 13}));
    // The server's text is the program: the suppression it offers sits above the `eval` line.
    let actions = server.code_actions(PY, (4, 14), Some("quickfix")).await;
    let suppressed = apply(&expected, titled(&actions, "Suppress python.eval"), Encoding::Utf16);
    let expected_suppressed = expected.replace("    result", "    # sg-ignore[python.eval]: \n    result");
    assert_eq!(suppressed, expected_suppressed);
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_explains_the_finding_with_its_cwe_link() {
    let (mut server, _) = TestServer::start().await;
    server.open(PY, "python", "import pickle\npickle.loads(blob)\n").await;
    server.diagnostics(PY, 1).await;
    let hover = |line, character| json!({"textDocument": {"uri": PY}, "position": {"line": line, "character": character}});
    let response = server.request("textDocument/hover", hover(1, 3)).await;
    let text = response["result"]["contents"]["value"].as_str().unwrap();
    assert!(text.starts_with("**python.pickle-load**"), "{text}");
    assert!(text.contains("[CWE-502](https://cwe.mitre.org/data/definitions/502.html)"), "{text}");
    assert_eq!(response["result"]["range"]["start"], json!({"line": 1, "character": 0}));
    let nothing = server.request("textDocument/hover", hover(0, 2)).await;
    assert_eq!(nothing["result"], Value::Null);
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_fixes_rewrite_the_code_and_the_finding_goes_away() {
    let (mut server, _) = TestServer::start().await;
    let cases = [
        (
            "file:///p/a.py",
            "python",
            "import yaml\nconf = yaml.load(f)\n",
            (1, 7),
            "import yaml\nconf = yaml.safe_load(f)\n",
        ),
        (
            "file:///p/b.py",
            "python",
            "import torch\nm = torch.load(path)\n",
            (1, 4),
            "import torch\nm = torch.load(path, weights_only=True)\n",
        ),
        (
            "file:///p/c.js",
            "javascript",
            "el.innerHTML = userInput;\n",
            (0, 15),
            "el.textContent = userInput;\n",
        ),
    ];
    for (uri, language, text, at, fixed) in cases {
        server.open(uri, language, text).await;
        let diagnostics = server.diagnostics(uri, 1).await;
        let start = &diagnostics.first().unwrap_or_else(|| panic!("{uri}: no finding"))["range"]["start"];
        assert_eq!((start["line"].as_u64().unwrap(), start["character"].as_u64().unwrap()), at, "{uri}");
        let actions = server.code_actions(uri, (at.0 as u32, at.1 as u32), None).await;
        let fix = &actions[0];
        assert_eq!(fix["kind"], "quickfix");
        assert_eq!(fix["isPreferred"], true);
        assert_eq!(fix["edit"]["documentChanges"][0]["textDocument"]["version"], 1);
        let after = apply(text, fix, Encoding::Utf16);
        assert_eq!(after, fixed, "{uri}");
        let replace =
            json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": after}]});
        server.notify("textDocument/didChange", replace).await;
        assert_eq!(server.diagnostics(uri, 2).await, Vec::<Value>::new(), "{uri} after the fix");
    }
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_all_applies_every_quick_fix_in_the_file() {
    let (mut server, _) = TestServer::start().await;
    let text = "import yaml\na = yaml.load(f)\nb = yaml.load(g)\nc = eval(x)\n";
    server.open(PY, "python", text).await;
    assert_eq!(server.diagnostics(PY, 1).await.len(), 3);
    let actions = server.code_actions(PY, (0, 0), Some("source.fixAll")).await;
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.sg-lsp");
    let after = apply(text, &actions[0], Encoding::Utf16);
    assert_eq!(after, "import yaml\na = yaml.safe_load(f)\nb = yaml.safe_load(g)\nc = ast.literal_eval(x)\n");
    // Also offered next to a fixable finding's own quick fix.
    let here = server.code_actions(PY, (1, 10), None).await;
    titled(&here, "Fix all sg-lsp findings in this file (3)");
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suppress_on_this_line_uses_the_comment_syntax_and_silences_the_finding() {
    let (mut server, _) = TestServer::start().await;
    let text = "function f(s) {\n  return eval(s);\n}\n";
    server.open(JS, "javascript", text).await;
    let diagnostics = server.diagnostics(JS, 1).await;
    assert_eq!(codes(&diagnostics), ["javascript.eval"]);
    // JavaScript rules point at the dangerous argument.
    assert_eq!(diagnostics[0]["range"]["start"], json!({"line": 1, "character": 14}));
    let actions = server.code_actions(JS, (1, 14), None).await;
    let suppressed = apply(text, titled(&actions, "Suppress javascript.eval on this line"), Encoding::Utf16);
    assert_eq!(suppressed, "function f(s) {\n  // sg-ignore[javascript.eval]: \n  return eval(s);\n}\n");
    // The reason still to write shows as a hint.
    server.change(JS, 2, ((1, 0), (1, 0)), "  // sg-ignore[javascript.eval]: \n").await;
    let diagnostics = server.diagnostics(JS, 2).await;
    assert_eq!(codes(&diagnostics), ["sg.suppression-without-reason"]);
    assert_eq!(diagnostics[0]["severity"], 4, "hint");
    server.change(JS, 3, ((1, 35), (1, 35)), "input is a constant table").await;
    assert_eq!(server.diagnostics(JS, 3).await, Vec::<Value>::new());
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unused_suppression_is_an_unnecessary_hint_with_a_remove_action() {
    let (mut server, _) = TestServer::start().await;
    let text = "x = 1\n# sg-ignore[python.eval]: was needed once\ny = 2\n";
    server.open(PY, "python", text).await;
    let diagnostics = server.diagnostics(PY, 1).await;
    let unused = find(&diagnostics, "sg.unused-suppression");
    assert_eq!(unused["severity"], 4);
    assert_eq!(unused["tags"], json!([1]));
    let actions = server.code_actions(PY, (1, 5), None).await;
    assert!(actions.iter().all(|a| !a["title"].as_str().unwrap().starts_with("Suppress")), "{actions:#?}");
    assert_eq!(apply(text, titled(&actions, "Remove unused suppression"), Encoding::Utf16), "x = 1\ny = 2\n");
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_from_initialization_options_and_configuration_changes() {
    let options = json!({"sgLsp": {"rules": {"disable": ["python.eval"]}}});
    let (mut server, _) = TestServer::start_with(json!({}), options, ServeOptions::default()).await;
    server.open(PY, "python", "import pickle\neval(x)\npickle.loads(b)\n").await;
    let diagnostics = server.diagnostics(PY, 1).await;
    assert_eq!(codes(&diagnostics), ["python.pickle-load"]);
    assert_eq!(diagnostics[0]["severity"], 1);

    // Pushed settings replace the initialization options: eval is back, pickle is downgraded.
    let settings = json!({"settings": {"sgLsp": {"rules": {"severity": {"pickle-load": "info"}}}}});
    server.notify("workspace/didChangeConfiguration", settings).await;
    let diagnostics = server.diagnostics(PY, 1).await;
    assert_eq!(codes(&diagnostics), ["python.eval", "python.pickle-load"]);
    assert_eq!(find(&diagnostics, "python.pickle-load")["severity"], 3);
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_are_pulled_with_workspace_configuration_when_the_client_can_answer() {
    let capabilities = json!({"workspace": {"configuration": true}});
    let (mut server, _) = TestServer::start_with(capabilities, Value::Null, ServeOptions::default()).await;
    server.configuration = json!({"rules": {"disable": ["pickle-load"]}});
    server.notify("workspace/didChangeConfiguration", json!({"settings": null})).await;
    server.open(PY, "python", "import pickle\npickle.loads(b)\n").await;
    // The first scan may run before or after the answer; the pulled settings win in the end.
    let mut diagnostics = server.diagnostics(PY, 1).await;
    while !diagnostics.is_empty() {
        diagnostics = server.diagnostics(PY, 1).await;
    }
    assert!(server.server_requests.iter().any(|m| m == "workspace/configuration"));
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_project_file_is_read_from_the_workspace_root() {
    let root = std::env::temp_dir().join(format!("sg-lsp-test-{}", std::process::id()));
    std::fs::create_dir_all(root.join("vendor")).unwrap();
    std::fs::write(root.join(".sg-lsp.toml"), "exclude = [\"vendor/**\"]\n[rules]\ndisable = [\"eval\"]\n")
        .unwrap();
    let root_uri = format!("file://{}", root.display());
    let (mut server, _) =
        TestServer::start_in(json!({}), Value::Null, ServeOptions::default(), Some(&root_uri)).await;
    let app = format!("{root_uri}/app.py");
    let vendored = format!("{root_uri}/vendor/lib.py");
    server.open(&app, "python", "eval(x)\nexec(x)\n").await;
    assert_eq!(codes(&server.diagnostics(&app, 1).await), ["python.exec-compile"]);
    server.open(&vendored, "python", "exec(x)\n").await;
    assert_eq!(server.diagnostics(&vendored, 1).await, Vec::<Value>::new());
    assert_eq!(server.shutdown().await, 0);
    let _ = std::fs::remove_dir_all(root);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_gets_a_parse_error_and_the_session_goes_on() {
    let (mut server, _) = TestServer::start().await;
    server.send_raw(b"{\"jsonrpc\": \"2.0\", \"method\": ").await;
    let error = server.recv().await;
    assert_eq!(error["error"]["code"], -32700);
    assert_eq!(error["id"], Value::Null);
    server.send_raw(br#"{"jsonrpc": "2.0", "id": 41, "params": 3, "method": 7}"#).await;
    let invalid = server.recv().await;
    assert_eq!(invalid["error"]["code"], -32600);
    assert_eq!(invalid["id"], 41);
    // A header without a length is skipped too.
    server.to_server.write_all(b"Content-Type: nothing\r\n\r\n").await.unwrap();
    assert_eq!(server.recv().await["error"]["code"], -32700);
    server.open(PY, "python", "eval(x)\n").await;
    assert_eq!(codes(&server.diagnostics(PY, 1).await), ["python.eval"]);
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_range_positions_and_unknown_documents_are_harmless() {
    let (mut server, _) = TestServer::start().await;
    server.open(PY, "python", "x = 1\n").await;
    server.diagnostics(PY, 1).await;
    // A range past the end appends; a reversed range is read forwards.
    server.change(PY, 2, ((40, 7), (99, 0)), "eval(x)\n").await;
    let diagnostics = server.diagnostics(PY, 2).await;
    assert_eq!(find(&diagnostics, "python.eval")["range"]["start"], json!({"line": 1, "character": 0}));
    server.change(PY, 3, ((1, 99), (1, 0)), "exec(y)").await;
    assert_eq!(codes(&server.diagnostics(PY, 3).await), ["python.exec-compile"]);
    let far = json!({"textDocument": {"uri": PY}, "position": {"line": 4_000_000_000u32, "character": 4_000_000_000u32}});
    assert_eq!(server.request("textDocument/hover", far).await["result"], Value::Null);
    let unknown =
        json!({"textDocument": {"uri": "file:///nowhere.py"}, "position": {"line": 0, "character": 0}});
    assert_eq!(server.request("textDocument/hover", unknown).await["result"], Value::Null);
    server.change("file:///nowhere.py", 2, ((0, 0), (0, 0)), "eval(x)").await;
    server.notify("textDocument/didClose", json!({"textDocument": {"uri": "file:///nowhere.py"}})).await;
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_scan_is_caught_and_the_server_keeps_going() {
    let scanner: sg_lsp::lsp::Scanner = Arc::new(|rules, language, text, tree, options| {
        assert!(!text.contains("PANIC"), "simulated rule bug");
        sg_lsp::scan::scan_remembering(rules, language, text, tree, options)
    });
    let options = ServeOptions { scanner: Some(scanner), ..ServeOptions::default() };
    let (mut server, _) = TestServer::start_with(json!({}), Value::Null, options).await;
    server.open(PY, "python", "PANIC = eval(x)\n").await;
    let hover = json!({"textDocument": {"uri": PY}, "position": {"line": 0, "character": 9}});
    assert_eq!(server.request("textDocument/hover", hover.clone()).await["result"], Value::Null);
    server.change(PY, 2, ((0, 0), (0, 5)), "value").await;
    assert_eq!(codes(&server.diagnostics(PY, 2).await), ["python.eval"]);
    assert!(server.request("textDocument/hover", hover).await["result"].is_object());
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_files_get_only_the_regex_rules_and_one_log_message() {
    let options = json!({"maxFileSize": 64});
    let (mut server, _) = TestServer::start_with(json!({}), options, ServeOptions::default()).await;
    let text = format!("result = eval(x)\nkey = \"AKIA{}\"\n{}\n", "Q3EGWZXCVBNM7K2P", "#".repeat(64));
    server.open(PY, "python", &text).await;
    let log = server.notification("window/logMessage").await;
    assert!(log["message"].as_str().unwrap().contains("only the regex rules"), "{log}");
    let diagnostics = server.diagnostics(PY, 1).await;
    assert!(!codes(&diagnostics).contains(&"python.eval"), "{diagnostics:#?}");
    assert!(codes(&diagnostics).iter().any(|code| code.starts_with("any.aws")), "{diagnostics:#?}");
    server.change(PY, 2, ((3, 0), (3, 0)), "# more\n").await;
    server.diagnostics(PY, 2).await;
    assert!(server.notifications.iter().all(|n| n["method"] != "window/logMessage"), "said once");
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_rules_load_a_broken_one_shows_in_its_file_and_changes_reload() {
    let root = std::env::temp_dir().join(format!("sg-lsp-rules-test-{}", std::process::id()));
    let rules = root.join(".sg-lsp/rules/python");
    std::fs::create_dir_all(&rules).unwrap();
    let meta = "severity = \"warning\"\nconfidence = \"high\"\nmessage = \"no danger()\"\nnote = \"n\"\n";
    std::fs::write(rules.join("danger.toml"), meta).unwrap();
    std::fs::write(
        rules.join("danger.scm"),
        "((call function: (identifier) @f) @finding (#eq? @f \"danger\"))",
    )
    .unwrap();
    std::fs::write(rules.join("broken.toml"), "severity = \"loud\"\n").unwrap();
    let root_uri = format!("file://{}", root.display());
    let capabilities = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    let (mut server, _) =
        TestServer::start_in(capabilities, Value::Null, ServeOptions::default(), Some(&root_uri)).await;
    let broken = format!("{root_uri}/.sg-lsp/rules/python/broken.toml");
    let published = loop {
        let params = server.notification("textDocument/publishDiagnostics").await;
        if params["uri"] == broken.as_str() {
            break params;
        }
    };
    assert_eq!(published["diagnostics"][0]["code"], "sg.broken-rule");
    assert!(published["diagnostics"][0]["message"].as_str().unwrap().contains("invalid TOML"), "{published}");
    let app = format!("{root_uri}/app.py");
    server.open(&app, "python", "danger(x)\neval(y)\n").await;
    assert_eq!(codes(&server.diagnostics(&app, 1).await), ["python.danger", "python.eval"]);
    assert!(server.server_requests.iter().any(|m| m == "client/registerCapability"));

    // Fixing the broken rule and telling the server clears its diagnostic and loads it.
    std::fs::write(rules.join("broken.toml"), meta.replace("no danger()", "no eval here")).unwrap();
    std::fs::write(
        rules.join("broken.scm"),
        "((call function: (identifier) @f) @finding (#eq? @f \"eval\"))",
    )
    .unwrap();
    let change = json!({"changes": [{"uri": broken, "type": 2}]});
    server.notify("workspace/didChangeWatchedFiles", change).await;
    let cleared = loop {
        let params = server.notification("textDocument/publishDiagnostics").await;
        if params["uri"] == broken.as_str() {
            break params;
        }
    };
    assert_eq!(cleared["diagnostics"], json!([]));
    let diagnostics = server.diagnostics(&app, 1).await;
    assert!(codes(&diagnostics).contains(&"python.broken"), "{diagnostics:#?}");
    assert_eq!(server.shutdown().await, 0);
    let _ = std::fs::remove_dir_all(root);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workspace_is_scanned_in_the_background_with_progress() {
    let root = std::env::temp_dir().join(format!("sg-lsp-workspace-test-{}", std::process::id()));
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/app.py"), "import pickle\npickle.loads(blob)\n").unwrap();
    std::fs::write(root.join("src/clean.py"), "print('hello')\n").unwrap();
    std::fs::write(root.join(".gitignore"), "build/\n").unwrap();
    std::fs::create_dir_all(root.join("build")).unwrap();
    std::fs::write(root.join("build/gen.py"), "eval(x)\n").unwrap();
    let root_uri = format!("file://{}", root.display());
    let capabilities = json!({"window": {"workDoneProgress": true}});
    let (mut server, _) =
        TestServer::start_in(capabilities, Value::Null, ServeOptions::default(), Some(&root_uri)).await;
    let mut kinds = Vec::new();
    let mut published = Vec::new();
    while kinds.last() != Some(&"end".to_owned()) {
        let message = server.recv().await;
        match message["method"].as_str() {
            Some("$/progress") => kinds.push(message["params"]["value"]["kind"].as_str().unwrap().to_owned()),
            Some("textDocument/publishDiagnostics") => published.push(message["params"].clone()),
            _ => {}
        }
    }
    assert_eq!(kinds.first().map(String::as_str), Some("begin"));
    assert!(server.server_requests.iter().any(|m| m == "window/workDoneProgress/create"));
    assert_eq!(published.len(), 1, "only app.py has findings, build/ is ignored: {published:#?}");
    assert_eq!(published[0]["uri"], format!("{root_uri}/src/app.py"));
    assert_eq!(published[0]["diagnostics"][0]["code"], "python.pickle-load");

    // Opened, the buffer wins; closed, the file on disk is scanned again.
    let app = format!("{root_uri}/src/app.py");
    server.open(&app, "python", "import pickle\n").await;
    assert_eq!(server.diagnostics(&app, 1).await, Vec::<Value>::new());
    server.notify("textDocument/didClose", json!({"textDocument": {"uri": app}})).await;
    let cleared = server.notification("textDocument/publishDiagnostics").await;
    assert_eq!(cleared["diagnostics"], json!([]));
    let from_disk = server.notification("textDocument/publishDiagnostics").await;
    assert_eq!(from_disk["uri"], app.as_str());
    assert_eq!(from_disk["diagnostics"][0]["code"], "python.pickle-load");
    assert_eq!(server.shutdown().await, 0);
    let _ = std::fs::remove_dir_all(root);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ten_megabyte_document_with_a_burst_of_edits() {
    let (mut server, _) = TestServer::start().await;
    let mut text = "x = compute(value)  # filler line\n".repeat(10 * 1024 * 1024 / 34);
    text.push_str("key = \"AKIAQ3EGWZXCVBNM7K2P\"\n");
    let lines = u32::try_from(text.lines().count()).unwrap();
    server.open(PY, "python", &text).await;
    // Typed as fast as the pipe takes them, in the middle of the document.
    for version in 2..=201 {
        server.change(PY, version, ((lines / 2, 0), (lines / 2, 0)), "y").await;
    }
    let diagnostics = server.diagnostics(PY, 201).await;
    assert_eq!(codes(&diagnostics), ["any.aws-access-key-id"]);
    assert_eq!(find(&diagnostics, "any.aws-access-key-id")["range"]["start"]["line"], lines - 1);
    assert_eq!(server.shutdown().await, 0);
}

/// A temporary workspace folder, removed when dropped.
struct Workspace {
    root: std::path::PathBuf,
    uri: String,
}

impl Workspace {
    fn new(name: &str, files: &[(&str, &str)]) -> Workspace {
        let root = std::env::temp_dir().join(format!("sg-lsp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let uri = format!("file://{}", root.display());
        Workspace { root, uri }
    }

    fn uri(&self, path: &str) -> String {
        format!("{}/{path}", self.uri)
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// What a client that pulls diagnostics and takes refreshes declares (as vscode-languageclient does).
fn pulling() -> Value {
    json!({
        "textDocument": {"diagnostic": {"dynamicRegistration": true}},
        "workspace": {"diagnostics": {"refreshSupport": true}},
    })
}

fn report_codes(report: &Value) -> Vec<&str> {
    report["items"].as_array().expect("a full report").iter().map(|d| d["code"].as_str().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_diagnostics_for_documents_and_the_workspace_with_nothing_pushed() {
    let workspace = Workspace::new(
        "pull",
        &[
            ("src/closed.py", "import pickle\npickle.loads(blob)\n"),
            ("src/clean.py", "print('hello')\n"),
            ("src/app.py", "exec(z)\n"),
        ],
    );
    let (mut server, init) =
        TestServer::start_in(pulling(), Value::Null, ServeOptions::default(), Some(&workspace.uri)).await;
    assert_eq!(
        init["capabilities"]["diagnosticProvider"],
        json!({"identifier": "sg-lsp", "interFileDependencies": false, "workspaceDiagnostics": true})
    );

    // The workspace report waits for the background scan: the files with findings, not the clean one.
    let (app, closed) = (workspace.uri("src/app.py"), workspace.uri("src/closed.py"));
    let items = server.pull_workspace(&[]).await;
    let uris: Vec<&Value> = items.iter().map(|item| &item["uri"]).collect();
    assert_eq!(uris, [&json!(app), &json!(closed)], "{items:#?}");
    assert_eq!(items[1]["kind"], "full");
    assert_eq!(report_codes(&items[0]), ["python.exec-compile"]);
    assert_eq!(report_codes(&items[1]), ["python.pickle-load"]);
    let closed_id = items[1]["resultId"].as_str().unwrap().to_owned();
    let items = server.pull_workspace(&[(&closed, &closed_id)]).await;
    let kinds: Vec<&Value> = items.iter().map(|item| &item["kind"]).collect();
    assert_eq!(kinds, ["full", "unchanged"], "{items:#?}");

    // An open document: a pull right after the open or an edit answers for that text.
    server.open(&app, "python", "result = eval(x)\n").await;
    let report = server.pull(&app, None).await;
    assert_eq!(report["kind"], "full");
    assert_eq!(report_codes(&report), ["python.eval"]);
    let id = report["resultId"].as_str().unwrap().to_owned();
    assert_eq!(server.pull(&app, Some(&id)).await, json!({"kind": "unchanged", "resultId": id}));
    server.change(&app, 2, ((1, 0), (1, 0)), "exec(y)\n").await;
    let report = server.pull(&app, Some(&id)).await;
    assert_eq!(report_codes(&report), ["python.eval", "python.exec-compile"]);
    let id = report["resultId"].as_str().unwrap().to_owned();
    // Open files are the document pull's, not the workspace's.
    let items = server.pull_workspace(&[]).await;
    assert_eq!(items.len(), 1, "{items:#?}");
    assert_eq!(items[0]["uri"], closed.as_str());

    // A setting change rescans both; the client is asked to pull again and gets the new results.
    let settings = json!({"settings": {"sgLsp": {"rules": {"disable": ["eval", "pickle-load"]}}}});
    server.notify("workspace/didChangeConfiguration", settings).await;
    server.server_request("workspace/diagnostic/refresh").await;
    let report = server.pull(&app, Some(&id)).await;
    assert_eq!(report_codes(&report), ["python.exec-compile"]);
    let items = server.pull_workspace(&[(&closed, &closed_id)]).await;
    assert_eq!(items.len(), 1, "{items:#?}");
    assert_eq!((&items[0]["uri"], &items[0]["kind"]), (&json!(closed), &json!("full")));
    assert_eq!(items[0]["items"], json!([]), "cleared");

    // Closed again, the file's findings come from the disk through the workspace report.
    server.notify("textDocument/didClose", json!({"textDocument": {"uri": app}})).await;
    loop {
        server.server_request("workspace/diagnostic/refresh").await;
        let items = server.pull_workspace(&[]).await;
        if let Some(item) = items.iter().find(|item| item["uri"] == app.as_str()) {
            assert_eq!(report_codes(item), ["python.exec-compile"]);
            break;
        }
    }
    let pushed: Vec<&Value> =
        server.notifications.iter().filter(|n| n["method"] == "textDocument/publishDiagnostics").collect();
    assert!(pushed.is_empty(), "pull mode pushes nothing: {pushed:#?}");
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_pull_without_refresh_get_pushed_diagnostics() {
    // Neovim 0.11 declares textDocument.diagnostic but cannot be told to pull again.
    let capabilities = json!({"textDocument": {"diagnostic": {"dynamicRegistration": false}}});
    let (mut server, init) = TestServer::start_with(capabilities, Value::Null, ServeOptions::default()).await;
    assert_eq!(init["capabilities"]["diagnosticProvider"], Value::Null);
    server.open(PY, "python", "eval(x)\n").await;
    assert_eq!(codes(&server.diagnostics(PY, 1).await), ["python.eval"]);
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_files_are_pushed_until_the_client_pulls_the_workspace() {
    let workspace = Workspace::new("pull-late", &[("app.py", "eval(x)\n")]);
    let (mut server, _) =
        TestServer::start_in(pulling(), Value::Null, ServeOptions::default(), Some(&workspace.uri)).await;
    let app = workspace.uri("app.py");
    let pushed = server.notification("textDocument/publishDiagnostics").await;
    assert_eq!(
        (&pushed["uri"], codes(pushed["diagnostics"].as_array().unwrap())),
        (&json!(app), vec!["python.eval"])
    );
    // The first workspace pull takes over: the push is cleared and the report carries the finding.
    let items = server.pull_workspace(&[]).await;
    assert_eq!(report_codes(&items[0]), ["python.eval"]);
    let cleared = server.notification("textDocument/publishDiagnostics").await;
    assert_eq!((&cleared["uri"], &cleared["diagnostics"]), (&json!(app), &json!([])));
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_changes_rescan_the_closed_files_of_the_workspace() {
    let workspace = Workspace::new(
        "rescan",
        &[("src/app.py", "import pickle\neval(x)\npickle.loads(b)\n"), ("src/other.py", "eval(y)\n")],
    );
    let (mut server, _) =
        TestServer::start_in(json!({}), Value::Null, ServeOptions::default(), Some(&workspace.uri)).await;
    let (app, other) = (workspace.uri("src/app.py"), workspace.uri("src/other.py"));
    let mut found = std::collections::BTreeMap::new();
    while found.len() < 2 {
        let params = server.notification("textDocument/publishDiagnostics").await;
        found.insert(params["uri"].as_str().unwrap().to_owned(), params["diagnostics"].clone());
    }
    assert_eq!(codes(found[&app].as_array().unwrap()), ["python.eval", "python.pickle-load"]);

    // eval off: app.py keeps pickle, other.py is cleared; nothing else is republished.
    let settings = json!({"settings": {"sgLsp": {"rules": {"disable": ["eval"]}}}});
    server.notify("workspace/didChangeConfiguration", settings).await;
    let mut found = std::collections::BTreeMap::new();
    while found.len() < 2 {
        let params = server.notification("textDocument/publishDiagnostics").await;
        assert!(
            found.insert(params["uri"].as_str().unwrap().to_owned(), params["diagnostics"].clone()).is_none()
        );
    }
    assert_eq!(codes(found[&app].as_array().unwrap()), ["python.pickle-load"]);
    assert_eq!(found[&other], json!([]));

    // Excluding a folder clears what was published for the files in it.
    let settings = json!({"settings": {"sgLsp": {"rules": {"disable": ["eval"]}, "exclude": ["src/**"]}}});
    server.notify("workspace/didChangeConfiguration", settings).await;
    let params = server.notification("textDocument/publishDiagnostics").await;
    assert_eq!((&params["uri"], &params["diagnostics"]), (&json!(app), &json!([])));
    assert_eq!(server.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suppress_on_this_line_puts_the_cursor_where_the_reason_goes() {
    let capabilities = json!({"window": {"showDocument": {"support": true}}});
    let (mut server, init) = TestServer::start_with(capabilities, Value::Null, ServeOptions::default()).await;
    let commands = init["capabilities"]["executeCommandProvider"]["commands"].as_array().unwrap();
    assert!(commands.contains(&json!("sg-lsp.placeCursor")), "{commands:?}");
    let text = "function f(s) {\n  return eval(s);\n}\n";
    server.open(JS, "javascript", text).await;
    server.diagnostics(JS, 1).await;
    let actions = server.code_actions(JS, (1, 14), None).await;
    let suppress = titled(&actions, "Suppress javascript.eval on this line");
    let after = apply(text, suppress, Encoding::Utf16);
    assert_eq!(after, "function f(s) {\n  // sg-ignore[javascript.eval]: \n  return eval(s);\n}\n");
    let command = &suppress["command"];
    assert_eq!(command["command"], "sg-lsp.placeCursor");
    let reason_at = json!({"line": 1, "character": "  // sg-ignore[javascript.eval]: ".len()});
    assert_eq!(command["arguments"], json!([JS, reason_at]));

    // The client applies the edit, then runs the command: the server asks it to show the cursor there.
    server.change(JS, 2, ((1, 0), (1, 0)), "  // sg-ignore[javascript.eval]: \n").await;
    let params = json!({"command": "sg-lsp.placeCursor", "arguments": command["arguments"]});
    let response = server.request("workspace/executeCommand", params).await;
    assert!(response.get("error").is_none(), "{response}");
    let shown = server.server_request("window/showDocument").await;
    assert_eq!(shown["uri"], JS);
    assert_eq!(shown["selection"], json!({"start": reason_at, "end": reason_at}));
    assert_eq!(shown["takeFocus"], true);
    assert_eq!(server.shutdown().await, 0);

    // A client that cannot show documents gets the edit alone.
    let (mut server, _) = TestServer::start().await;
    server.open(JS, "javascript", text).await;
    server.diagnostics(JS, 1).await;
    let actions = server.code_actions(JS, (1, 14), None).await;
    assert_eq!(titled(&actions, "Suppress javascript.eval").get("command"), None);
    assert_eq!(server.shutdown().await, 0);
}
