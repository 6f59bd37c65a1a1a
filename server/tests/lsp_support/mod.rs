//! A blocking LSP client over the real `sg-lsp` binary's stdio, shared by the stdio test and the benchmark.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const TIMEOUT: Duration = Duration::from_secs(60);

pub struct Client {
    pub child: Child,
    stdin: Option<ChildStdin>,
    /// Every frame read from stdout, or the reason stdout was not clean framing.
    messages: Receiver<Result<Value, String>>,
}

impl Client {
    /// This package's `sg-lsp` with debug logs captured.
    #[allow(dead_code)] // not every test binary that includes this module spawns this way
    pub fn spawn(args: &[&str]) -> Client {
        Client::spawn_binary(env!("CARGO_BIN_EXE_sg-lsp"), args, true)
    }

    /// `binary` with `args`; stderr is captured (debug logs) or dropped.
    pub fn spawn_binary(binary: &str, args: &[&str], capture_stderr: bool) -> Client {
        let mut child = Command::new(binary)
            .args(args)
            .env("SG_LSP_LOG", if capture_stderr { "debug" } else { "warn" })
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if capture_stderr { Stdio::piped() } else { Stdio::null() })
            .spawn()
            .expect("spawn sg-lsp");
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                match read_frame(&mut reader) {
                    Ok(Some(message)) => {
                        if sender.send(Ok(message)).is_err() {
                            return;
                        }
                    }
                    Ok(None) => return,
                    Err(problem) => {
                        let _ = sender.send(Err(problem));
                        return;
                    }
                }
            }
        });
        Client { stdin: child.stdin.take(), child, messages }
    }

    pub fn send_raw(&mut self, body: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        stdin.write_all(body).unwrap();
        stdin.flush().unwrap();
    }

    pub fn send(&mut self, message: &Value) {
        self.send_raw(message.to_string().as_bytes());
    }

    /// The next message satisfying `wanted`, skipping others.
    pub fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message =
                self.messages.recv_timeout(left).unwrap_or_else(|_| panic!("timed out waiting for {what}"));
            let message =
                message.unwrap_or_else(|problem| panic!("stdout is not clean LSP framing: {problem}"));
            if wanted(&message) {
                return message;
            }
        }
    }

    pub fn initialize(&mut self) {
        self.send(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
        );
        let init = self.wait_for("initialize", |m| m["id"] == 1);
        assert_eq!(init["result"]["serverInfo"]["name"], "sg-lsp");
        self.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    }

    /// Waits for the process to end; returns its exit code and stderr.
    pub fn wait(mut self) -> (i32, String) {
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "sg-lsp did not exit");
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            pipe.read_to_string(&mut stderr).unwrap();
        }
        (status.code().expect("exit code"), stderr)
    }
}

/// One frame; `Err` if stdout holds anything but `Content-Length` frames of JSON.
fn read_frame(reader: &mut impl BufRead) -> Result<Option<Value>, String> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            return if length.is_none() { Ok(None) } else { Err("cut off in the headers".into()) };
        }
        let trimmed = line.trim_end_matches("\r\n");
        if trimmed.is_empty() {
            break;
        }
        let value =
            trimmed.strip_prefix("Content-Length: ").ok_or_else(|| format!("unexpected line {line:?}"))?;
        length = Some(value.parse::<usize>().map_err(|e| e.to_string())?);
    }
    let mut body = vec![0; length.ok_or("a frame without Content-Length")?];
    reader.read_exact(&mut body).map_err(|e| e.to_string())?;
    serde_json::from_slice(&body).map(Some).map_err(|e| format!("body is not JSON: {e}"))
}
