//! Shared by the review tests: throw-away git repositories built with git2 (never the user's git or
//! config), and a fake `Messages` model that records requests and answers with scripted findings.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use git2::{Oid, Repository, Signature};
use serde_json::{Value, json};
use sg_lsp::llm::{
    ContentBlock, Exchange, LlmError, Messages, MessagesRequest, MessagesResponse, StopReason, Usage,
};

/// Secrets the pattern rules report (from their own examples).
pub const AWS_SECRET: &str = "D4GTvKANhd5/kcQBVx4ak3L5rXNj2u6bcExib8R5";
pub const GITHUB_TOKEN: &str = "ghp_APWyCZfCEVS5r0StsItJ95t1pGjNovPXingG";
pub const PASSWORD: &str = "s3cr3t-Pr0d!";
pub const KEY_LINE_1: &str = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun";
pub const KEY_LINE_2: &str = "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK";
pub const ALL_SECRETS: [&str; 5] = [AWS_SECRET, GITHUB_TOKEN, PASSWORD, KEY_LINE_1, KEY_LINE_2];

/// A temporary repository with a working tree.
pub struct TestRepo {
    pub dir: PathBuf,
    pub repo: Repository,
}

impl TestRepo {
    pub fn new(name: &str) -> TestRepo {
        let dir = std::env::temp_dir().join(format!("sg-lsp-review-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let repo = Repository::init(&dir).unwrap();
        TestRepo { dir: dir.canonicalize().unwrap(), repo }
    }

    pub fn write(&self, path: &str, text: &str) -> &TestRepo {
        let full = self.dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
        self
    }

    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.dir.join(path)).unwrap();
    }

    /// `git add` of these paths (writes the index: test setup only).
    pub fn stage(&self, paths: &[&str]) -> &TestRepo {
        let mut index = self.repo.index().unwrap();
        for path in paths {
            index.add_path(Path::new(path)).unwrap();
        }
        index.write().unwrap();
        self
    }

    /// Stages `paths` and commits the index.
    pub fn commit(&self, paths: &[&str], message: &str) -> Oid {
        self.stage(paths);
        let mut index = self.repo.index().unwrap();
        let tree = self.repo.find_tree(index.write_tree().unwrap()).unwrap();
        let signature = Signature::now("Test", "test@example.invalid").unwrap();
        let parents: Vec<git2::Commit<'_>> =
            self.repo.head().ok().and_then(|head| head.peel_to_commit().ok()).into_iter().collect();
        let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
        self.repo.commit(Some("HEAD"), &signature, &signature, message, &tree, &parents).unwrap()
    }

    pub fn set_config(&self, key: &str, value: &str) {
        self.repo
            .config()
            .unwrap()
            .open_level(git2::ConfigLevel::Local)
            .unwrap()
            .set_str(key, value)
            .unwrap();
    }

    pub fn git_dir(&self) -> PathBuf {
        self.repo.path().to_path_buf()
    }

    pub fn index_bytes(&self) -> Vec<u8> {
        std::fs::read(self.git_dir().join("index")).unwrap_or_default()
    }
}

impl Drop for TestRepo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What the fake answers.
#[derive(Clone, Debug)]
pub enum FakeReply {
    /// A `report_findings` call with this input.
    Input(Value),
    /// This whole response.
    Response(MessagesResponse),
    Error(LlmError),
}

/// A model that records requests and answers from a queue (then with the default).
pub struct Fake {
    pub replies: Mutex<VecDeque<FakeReply>>,
    pub default: FakeReply,
    pub seen: Mutex<Vec<MessagesRequest>>,
    pub model: String,
}

impl Fake {
    /// Answers every request with these findings.
    pub fn new(findings: Value) -> Fake {
        Fake {
            replies: Mutex::new(VecDeque::new()),
            default: FakeReply::Input(Value::Object(
                [("findings".to_owned(), findings)].into_iter().collect(),
            )),
            seen: Mutex::new(Vec::new()),
            model: "fake-model".to_owned(),
        }
    }

    pub fn push(&self, reply: FakeReply) {
        self.replies.lock().unwrap().push_back(reply);
    }

    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    pub fn last(&self) -> MessagesRequest {
        self.seen.lock().unwrap().last().cloned().expect("a request was sent")
    }

    /// The text of the last request's user message.
    pub fn last_user_text(&self) -> String {
        match &self.last().messages.last().unwrap().content[0] {
            ContentBlock::Text { text, .. } => text.clone(),
            other => panic!("not text: {other:?}"),
        }
    }
}

pub fn tool_response(input: Value) -> MessagesResponse {
    MessagesResponse {
        id: "msg_fake".into(),
        model: "fake-model".into(),
        content: vec![ContentBlock::ToolUse { id: "toolu_1".into(), name: "report_findings".into(), input }],
        stop_reason: Some(StopReason::ToolUse),
        usage: Usage::default(),
    }
}

impl Messages for Fake {
    fn send(&self, request: &MessagesRequest) -> impl Future<Output = Result<Exchange, LlmError>> + Send {
        self.seen.lock().unwrap().push(request.clone());
        let reply = self.replies.lock().unwrap().pop_front().unwrap_or_else(|| self.default.clone());
        let bytes = serde_json::to_vec(request).unwrap().len();
        async move {
            let mut response = match reply {
                FakeReply::Input(input) => tool_response(input),
                FakeReply::Response(response) => response,
                FakeReply::Error(error) => return Err(error),
            };
            response.usage = Usage { input_tokens: bytes as u64 / 4, output_tokens: 100, ..Usage::default() };
            Ok(Exchange {
                response,
                attempts: 1,
                latency: Duration::from_millis(1),
                bytes_sent: bytes,
                cost_usd: Some(0.01),
            })
        }
    }

    fn model(&self) -> &str {
        &self.model
    }
}

/// One finding as the model would report it.
pub fn finding(file: &str, line: u32, code: &str, severity: &str, category: &str) -> Value {
    json!({
        "file": file, "line": line, "code": code, "severity": severity, "category": category,
        "cwe": "CWE-78", "title": format!("{category} in {file}"), "explanation": "input reaches a sink",
        "fix": "validate the input", "confidence": 0.9
    })
}
