//! The language server in process over `tokio::io::duplex`, through the same framing layer as stdio:
//! a typed client for the in-process suites.
#![allow(dead_code, reason = "each suite uses a different part of the harness")]

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::{Value, json};
use sg_lsp::lsp::{ServeOptions, serve};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::task::JoinHandle;

/// Every wait ends here; debug builds compile all rule queries at start, which takes a few seconds.
pub const TIMEOUT: Duration = Duration::from_secs(60);

pub struct TestServer {
    pub to_server: DuplexStream,
    pub from_server: BufReader<DuplexStream>,
    pub next_id: i64,
    /// Notifications read while waiting for something else, oldest first.
    pub notifications: VecDeque<Value>,
    /// Server-to-client requests seen (and answered), by method.
    pub server_requests: Vec<String>,
    /// Server-to-client requests not yet taken by [`TestServer::server_request`], whole.
    pub pending_requests: VecDeque<Value>,
    /// The answer to `workspace/configuration`.
    pub configuration: Value,
    pub server: JoinHandle<u8>,
}

impl TestServer {
    pub async fn start() -> (TestServer, Value) {
        Self::start_with(json!({}), json!(null), ServeOptions::default()).await
    }

    /// Starts a server and runs `initialize`/`initialized` with these client capabilities and options.
    pub async fn start_with(
        capabilities: Value,
        initialization_options: Value,
        options: ServeOptions,
    ) -> (TestServer, Value) {
        Self::start_in(capabilities, initialization_options, options, None).await
    }

    pub async fn start_in(
        capabilities: Value,
        initialization_options: Value,
        options: ServeOptions,
        root: Option<&str>,
    ) -> (TestServer, Value) {
        let (to_server, server_input) = tokio::io::duplex(1 << 20);
        let (server_output, from_server) = tokio::io::duplex(1 << 20);
        let server = tokio::spawn(serve(server_input, server_output, options));
        let mut test = TestServer {
            to_server,
            from_server: BufReader::new(from_server),
            next_id: 0,
            notifications: VecDeque::new(),
            server_requests: Vec::new(),
            pending_requests: VecDeque::new(),
            configuration: Value::Null,
            server,
        };
        let init = test
            .request(
                "initialize",
                json!({
                    "capabilities": capabilities,
                    "initializationOptions": initialization_options,
                    "rootUri": root,
                }),
            )
            .await;
        test.notify("initialized", json!({})).await;
        (test, init["result"].clone())
    }

    pub async fn send_raw(&mut self, body: &[u8]) {
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        self.to_server.write_all(header.as_bytes()).await.unwrap();
        self.to_server.write_all(body).await.unwrap();
        self.to_server.flush().await.unwrap();
    }

    pub async fn send(&mut self, message: &Value) {
        self.send_raw(message.to_string().as_bytes()).await;
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params})).await;
    }

    /// Sends a request and returns the whole response message.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await;
        self.response(&json!(id)).await
    }

    /// Reads until the response with `id`, keeping notifications for later.
    pub async fn response(&mut self, id: &Value) -> Value {
        loop {
            let message = self.recv().await;
            if message.get("method").is_none() && &message["id"] == id {
                return message;
            }
            if message.get("method").is_some() {
                self.notifications.push_back(message);
            }
        }
    }

    /// One message from the server; server-to-client requests are answered here and not returned.
    pub async fn recv(&mut self) -> Value {
        loop {
            if let Some(message) = self.recv_or_answer().await {
                return message;
            }
        }
    }

    /// One message from the server, or `None` for a server-to-client request (answered and kept in
    /// `pending_requests`).
    async fn recv_or_answer(&mut self) -> Option<Value> {
        let message = tokio::time::timeout(TIMEOUT, read_message(&mut self.from_server))
            .await
            .expect("timed out waiting for the server");
        let (Some(method), Some(id)) = (message.get("method").and_then(Value::as_str), message.get("id"))
        else {
            return Some(message);
        };
        let result = match method {
            "workspace/configuration" => json!([self.configuration.clone()]),
            "window/showDocument" => json!({"success": true}),
            _ => Value::Null,
        };
        self.server_requests.push(method.to_owned());
        let reply = json!({"jsonrpc": "2.0", "id": id.clone(), "result": result});
        self.pending_requests.push_back(message);
        self.send(&reply).await;
        None
    }

    /// The params of the next server-to-client request with `method` (already answered), skipping
    /// (and dropping) earlier requests of other methods; notifications read meanwhile are kept.
    pub async fn server_request(&mut self, method: &str) -> Value {
        loop {
            while let Some(request) = self.pending_requests.pop_front() {
                if request["method"] == method {
                    return request["params"].clone();
                }
            }
            if let Some(message) = self.recv_or_answer().await {
                self.notifications.push_back(message);
            }
        }
    }

    /// `textDocument/diagnostic` for `uri`, with the result id the client holds.
    pub async fn pull(&mut self, uri: &str, previous: Option<&str>) -> Value {
        let params =
            json!({"textDocument": {"uri": uri}, "identifier": "sg-lsp", "previousResultId": previous});
        let response = self.request("textDocument/diagnostic", params).await;
        assert!(response.get("error").is_none(), "{response}");
        response["result"].clone()
    }

    /// `workspace/diagnostic` with the result ids the client holds (`[uri, id]` pairs).
    pub async fn pull_workspace(&mut self, previous: &[(&str, &str)]) -> Vec<Value> {
        let previous: Vec<Value> =
            previous.iter().map(|(uri, value)| json!({"uri": uri, "value": value})).collect();
        let params = json!({"identifier": "sg-lsp", "previousResultIds": previous});
        let response = self.request("workspace/diagnostic", params).await;
        assert!(response.get("error").is_none(), "{response}");
        response["result"]["items"].as_array().cloned().unwrap_or_default()
    }

    /// The next notification with `method`, skipping (and dropping) others.
    pub async fn notification(&mut self, method: &str) -> Value {
        loop {
            let message = match self.notifications.pop_front() {
                Some(message) => message,
                None => self.recv().await,
            };
            if message["method"] == method {
                return message["params"].clone();
            }
        }
    }

    /// Waits for the diagnostics of `uri` at `version` (earlier versions are skipped).
    pub async fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        loop {
            let params = self.notification("textDocument/publishDiagnostics").await;
            if params["uri"] == uri && params["version"].as_i64().is_some_and(|v| v >= version) {
                assert_eq!(params["version"], version, "diagnostics for a newer version than expected");
                return params["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    pub async fn open(&mut self, uri: &str, language: &str, text: &str) {
        let document = json!({"uri": uri, "languageId": language, "version": 1, "text": text});
        self.notify("textDocument/didOpen", json!({"textDocument": document})).await;
    }

    /// One `didChange` with one edit replacing `range` ((line, column) pairs) by `text`.
    pub async fn change(&mut self, uri: &str, version: i64, range: ((u32, u32), (u32, u32)), text: &str) {
        let ((sl, sc), (el, ec)) = range;
        let change = json!({"range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}, "text": text});
        let params = json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]});
        self.notify("textDocument/didChange", params).await;
    }

    pub async fn code_actions(&mut self, uri: &str, at: (u32, u32), only: Option<&str>) -> Vec<Value> {
        let mut context = json!({"diagnostics": []});
        if let Some(only) = only {
            context["only"] = json!([only]);
        }
        let position = json!({"line": at.0, "character": at.1});
        let params = json!({"textDocument": {"uri": uri}, "range": {"start": position, "end": position}, "context": context});
        let response = self.request("textDocument/codeAction", params).await;
        response["result"].as_array().cloned().unwrap_or_default()
    }

    /// `shutdown` then `exit`; returns the server's exit status.
    pub async fn shutdown(mut self) -> u8 {
        let response = self.request("shutdown", Value::Null).await;
        assert!(response.get("error").is_none(), "{response}");
        self.notify("exit", Value::Null).await;
        tokio::time::timeout(TIMEOUT, self.server).await.expect("server did not exit").unwrap()
    }
}

pub async fn read_message(reader: &mut BufReader<DuplexStream>) -> Value {
    let mut length = None;
    loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).await.unwrap() > 0, "the server closed its output");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = Some(value.parse::<usize>().unwrap());
        }
    }
    let mut body = vec![0; length.expect("Content-Length")];
    reader.read_exact(&mut body).await.unwrap();
    serde_json::from_slice(&body).unwrap()
}
