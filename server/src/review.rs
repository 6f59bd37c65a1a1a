//! The LLM diff review engine (SPEC §5), shared by `sg-lsp review`, review on save in the language
//! server and the Claude Code Stop hook: git diff → filters and caps → redaction → prompt → one forced
//! `report_findings` call (two with dual mode), cached → findings checked against the current files.
//!
//! Nothing here logs diffs, file contents or keys.

pub mod cache;
pub mod caps;
pub mod dual;
pub mod filter;
pub mod parse;
pub mod policy;
pub mod prioritise;
pub mod prompt;
pub mod redact;
pub mod rewrite;
pub mod suppressed;
pub mod validate;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::finding::{Confidence, Finding, Layer, Severity, fingerprint};
pub use crate::git::DiffTarget;
use crate::git::{Diff, FileDiff, Repo};
use crate::llm::{FailureCode, LlmError, Messages, MessagesRequest, Usage};
pub use prompt::PROMPT_VERSION;

/// Largest file read for context and validation.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// What to review and how.
#[derive(Clone, Debug)]
#[allow(clippy::struct_excessive_bools)] // independent switches
pub struct ReviewRequest {
    /// A path inside the repository (its root is found from here).
    pub root: PathBuf,
    pub target: DiffTarget,
    /// Home directory for `~/.claude/claude-security-guidance.md` (`None`: no user policy).
    pub home: Option<PathBuf>,
    pub no_cache: bool,
    /// Two reviews in parallel, findings unioned (`SG_DUAL_OR=on`).
    pub dual: bool,
    /// Keep low-severity findings (dropped by default).
    pub keep_low: bool,
    /// Restrict to these repository-relative paths (server: saved files; hook: touched files).
    pub only_paths: Option<Vec<String>>,
    /// Cache directory (default `<git dir>/sg-lsp/review-cache/`).
    pub cache_dir: Option<PathBuf>,
}

impl ReviewRequest {
    /// A working-tree review of the repository at `root` with default options.
    pub fn new(root: impl Into<PathBuf>, target: DiffTarget) -> ReviewRequest {
        ReviewRequest {
            root: root.into(),
            target,
            home: None,
            no_cache: false,
            dual: false,
            keep_low: false,
            only_paths: None,
            cache_dir: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewSeverity {
    Low,
    Medium,
    High,
    Critical,
}

impl ReviewSeverity {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewSeverity::Low => "low",
            ReviewSeverity::Medium => "medium",
            ReviewSeverity::High => "high",
            ReviewSeverity::Critical => "critical",
        }
    }

    /// Case-insensitive; `None` for anything else.
    pub fn parse(text: &str) -> Option<ReviewSeverity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "low" | "info" => Some(ReviewSeverity::Low),
            "medium" | "moderate" => Some(ReviewSeverity::Medium),
            "high" => Some(ReviewSeverity::High),
            "critical" => Some(ReviewSeverity::Critical),
            _ => None,
        }
    }

    /// critical/high → error, medium → warning, low → info.
    pub fn severity(self) -> Severity {
        match self {
            ReviewSeverity::Critical | ReviewSeverity::High => Severity::Error,
            ReviewSeverity::Medium => Severity::Warning,
            ReviewSeverity::Low => Severity::Info,
        }
    }
}

/// A checked review finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewFinding {
    /// Repository-relative path.
    pub path: String,
    /// One-based line in the current file.
    pub line: u32,
    /// One-based, at least `line`.
    pub end_line: u32,
    pub severity: ReviewSeverity,
    /// A slug such as `sql-injection`.
    pub category: String,
    pub cwe: Vec<String>,
    pub title: String,
    pub explanation: String,
    pub fix: String,
    pub confidence: f64,
}

impl ReviewFinding {
    /// `review.<category slug>`.
    pub fn rule_id(&self) -> String {
        format!("review.{}", validate::slug(&self.category))
    }

    /// The finding as a `Finding` over `text` (the file's current content): the span is the cited
    /// line's bytes without surrounding whitespace.
    pub fn to_finding(&self, text: &str, layer: Layer) -> Finding {
        let span = line_span(text, self.line);
        let rule = self.rule_id();
        let confidence = if self.confidence >= 0.8 {
            Confidence::High
        } else if self.confidence >= 0.5 {
            Confidence::Medium
        } else {
            Confidence::Low
        };
        let message = match self.fix.split_whitespace().collect::<Vec<_>>().join(" ") {
            fix if fix.is_empty() => self.title.clone(),
            fix => format!("{} — {fix}", self.title),
        };
        Finding {
            fingerprint: fingerprint(&rule, &text[span.clone()], &self.path),
            rule,
            severity: self.severity.severity(),
            confidence,
            cwe: self.cwe.clone(),
            message,
            span,
            layer,
            fix: None,
        }
    }
}

/// Bytes of the one-based `line` of `text` (lines end at `\n`, as git counts them), trimmed.
fn line_span(text: &str, line: u32) -> std::ops::Range<usize> {
    let mut start = 0;
    for (index, piece) in text.split_inclusive('\n').enumerate() {
        if index + 1 == line as usize {
            let body = piece.trim_end_matches(['\n', '\r']);
            let leading = body.len() - body.trim_start().len();
            let trimmed = body.trim();
            return start + leading..start + leading + trimmed.len();
        }
        start += piece.len();
    }
    text.len()..text.len()
}

/// A file that was reviewed, with its current text (for mapping lines to spans).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewedFile {
    pub path: String,
    pub text: String,
}

/// The result of a review.
#[derive(Clone, Debug, Default)]
pub struct ReviewOutcome {
    pub findings: Vec<ReviewFinding>,
    pub files: Vec<ReviewedFile>,
    pub usage: Usage,
    pub cost_usd: Option<f64>,
    /// HTTP requests made (retries included); 0 on a cache hit or with nothing to review.
    pub requests: u32,
    pub cached: bool,
    /// Bytes of request bodies sent.
    pub bytes_sent: usize,
    pub elapsed: Duration,
    /// Skipped files, truncation, "nothing to review", dropped findings: one line each.
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ReviewError {
    #[error("git: {0}")]
    Git(String),
    #[error("review: {0}")]
    Llm(LlmError),
    #[error("review: {0}")]
    Runtime(String),
}

impl ReviewError {
    /// The LLM failure class, for cooldowns and notes.
    pub fn failure_code(&self) -> Option<FailureCode> {
        match self {
            ReviewError::Llm(error) => Some(error.code),
            _ => None,
        }
    }
}

impl From<crate::git::GitError> for ReviewError {
    fn from(error: crate::git::GitError) -> ReviewError {
        ReviewError::Git(error.0)
    }
}

/// A review ready to send: the request (if anything is reviewable), the files, the notes.
#[derive(Clone, Debug)]
pub struct BuiltReview {
    /// `None` when there is nothing to review.
    pub request: Option<MessagesRequest>,
    pub files: Vec<ReviewedFile>,
    pub notes: Vec<String>,
    contexts: Vec<validate::FileContext>,
}

impl BuiltReview {
    /// Bytes of the request body as JSON (0 without a request).
    pub fn request_bytes(&self) -> usize {
        self.request
            .as_ref()
            .and_then(|request| serde_json::to_vec(request).ok())
            .map_or(0, |body| body.len())
    }
}

/// The pieces of a review prompt, after the filters, prioritisation, rewrite filter, redaction and
/// caps: what `build_request` assembles, and what the agentic commit review puts in its own prompt.
#[derive(Debug)]
pub struct DiffParts {
    /// The files as they go into the prompt (redacted, capped bodies).
    pub prompt_files: Vec<prompt::PromptFile>,
    /// Suppressed lines shown in the diff.
    pub accepted: Vec<suppressed::AcceptedRisk>,
    /// The project guidance, redacted.
    pub policy: Option<String>,
    /// The reviewed files with their new-side text.
    pub files: Vec<ReviewedFile>,
    /// What findings are checked against.
    pub contexts: Vec<validate::FileContext>,
    /// Knows every secret seen in the files, the removed lines and the guidance.
    pub redactor: redact::Redactor,
    pub notes: Vec<String>,
}

/// Selects, reads, redacts and caps the files of `diff`; `Err(notes)` (the last one saying why) when
/// there is nothing to review. `read` returns a file's new-side content.
pub fn diff_parts(
    diff: Diff,
    read: impl Fn(&str) -> Option<String>,
    policy: Option<&str>,
) -> Result<DiffParts, Vec<String>> {
    let mut notes = Vec::new();
    let files = match select_files(diff, &mut notes) {
        Ok(files) => files,
        Err(why) => {
            notes.push(why);
            return Err(notes);
        }
    };

    let mut redactor = redact::Redactor::new();
    let mut contexts = Vec::new();
    let mut kept = Vec::new();
    let mut unreadable = Vec::new();
    for file in files {
        let Some(text) = read(&file.path) else {
            unreadable.push(file.path.clone());
            continue;
        };
        redactor.learn(&text);
        let removed: Vec<&str> = file
            .lines()
            .filter(|line| line.kind == crate::git::LineKind::Removed)
            .map(|line| line.text.as_str())
            .collect();
        if !removed.is_empty() {
            redactor.learn(&removed.join("\n"));
        }
        contexts.push(validate::FileContext::new(&file, text));
        kept.push(file);
    }
    if !unreadable.is_empty() {
        notes.push(format!(
            "skipped {} (unreadable or too large): {}",
            plural(unreadable.len(), "file"),
            list(&unreadable)
        ));
    }
    if kept.is_empty() {
        notes.push("nothing to review: no readable changed files".to_owned());
        return Err(notes);
    }
    if let Some(policy) = policy {
        redactor.learn(policy);
    }

    let mut bodies: Vec<String> =
        kept.iter().map(|file| redactor.redact(&prompt::render_body(file))).collect();
    for (file, capped) in kept.iter().zip(caps::apply(&mut bodies, caps::PER_FILE_BYTES, caps::TOTAL_BYTES)) {
        match capped {
            caps::Capped::Whole => {}
            caps::Capped::Truncated { omitted_lines } => {
                notes.push(format!("{}: diff truncated ({omitted_lines} lines not sent)", file.path));
            }
            caps::Capped::Omitted => notes.push(format!("{}: diff not sent (total size limit)", file.path)),
        }
    }
    let mut accepted = Vec::new();
    for (file, context) in kept.iter().zip(&contexts) {
        let visible: BTreeSet<u32> = file.lines().filter_map(|line| line.new_line).collect();
        accepted.extend(suppressed::accepted_risk(&file.path, &context.text, &visible));
    }
    let prompt_files: Vec<prompt::PromptFile> = kept
        .iter()
        .zip(bodies)
        .map(|(file, body)| prompt::PromptFile {
            path: file.path.clone(),
            old_path: file.old_path.clone(),
            body,
        })
        .collect();
    let policy = policy.map(|text| redactor.redact(text));
    let files =
        contexts.iter().map(|c| ReviewedFile { path: c.path.clone(), text: c.text.clone() }).collect();
    Ok(DiffParts { prompt_files, accepted, policy, files, contexts, redactor, notes })
}

/// Builds the review request from a diff. Pure apart from `read`, which returns a file's current
/// (new-side) content. Applies the filters, prioritisation, rewrite filter, redaction and caps.
pub fn build_request(
    diff: Diff,
    read: impl Fn(&str) -> Option<String>,
    policy: Option<&str>,
    model: &str,
) -> BuiltReview {
    let parts = match diff_parts(diff, read, policy) {
        Ok(parts) => parts,
        Err(notes) => return BuiltReview { request: None, files: Vec::new(), notes, contexts: Vec::new() },
    };
    let message = prompt::user_message(&parts.prompt_files, &parts.accepted, parts.policy.as_deref());
    // A last pass over exactly what is sent (accepted-risk code, paths, the whole assembly).
    let message = parts.redactor.redact(&message);
    BuiltReview {
        request: Some(prompt::request(model, message)),
        files: parts.files,
        notes: parts.notes,
        contexts: parts.contexts,
    }
}

/// The reviewable files of `diff` (filters, rewrite filter, prioritisation), or why there are none.
fn select_files(diff: Diff, notes: &mut Vec<String>) -> Result<Vec<FileDiff>, String> {
    let mut skipped: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut files: Vec<FileDiff> = Vec::new();
    for mut file in diff.files {
        if let Some(reason) = filter::skip_reason(&file) {
            skipped.entry(reason).or_default().push(file.path);
            continue;
        }
        rewrite::demote_readded(&mut file);
        if file.added_lines() == 0 {
            skipped.entry("only re-added lines").or_default().push(file.path);
            continue;
        }
        files.push(file);
    }
    for (reason, paths) in &skipped {
        notes.push(format!("skipped {} ({reason}): {}", plural(paths.len(), "file"), list(paths)));
    }
    if files.is_empty() {
        return Err("nothing to review: no reviewable added lines".into());
    }
    if files.len() > prioritise::SKIP_FILES {
        let why = format!(
            "review skipped: {} reviewable files changed (more than {}); review smaller changes or pass paths",
            files.len(),
            prioritise::SKIP_FILES
        );
        return Err(why);
    }
    let (files, dropped) = prioritise::prioritise(files);
    if !dropped.is_empty() {
        notes.push(format!(
            "not reviewed (over the {}-file limit, least security-relevant first): {}",
            prioritise::MAX_FILES,
            list(&dropped)
        ));
    }
    Ok(files)
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

fn list(paths: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut out = paths.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if paths.len() > SHOWN {
        let _ = write!(out, " and {} more", paths.len() - SHOWN);
    }
    out
}

/// Everything before the call: the repository, its diff, the policies, the built request and where the
/// cache lives. Synchronous (git2 and file reads).
fn prepare(request: &ReviewRequest, model: &str) -> Result<(BuiltReview, cache::Cache), ReviewError> {
    let repo = Repo::discover(&request.root)?;
    let diff = repo.diff(&request.target, request.only_paths.as_deref())?;
    let policy = policy::load(request.home.as_deref(), repo.root());
    let built = build_request(
        diff,
        |path| repo.read_new_side(&request.target, path, MAX_FILE_BYTES),
        policy.as_deref(),
        model,
    );
    let cache = match &request.cache_dir {
        Some(dir) => cache::Cache::new(dir),
        None => cache::Cache::in_git_dir(repo.git_dir()),
    };
    Ok((built, cache))
}

/// Reviews the change described by `request` with `model`.
pub async fn review<M: Messages>(model: &M, request: &ReviewRequest) -> Result<ReviewOutcome, ReviewError> {
    let started = Instant::now();
    let (built, cache) = prepare(request, model.model())?;
    let mut outcome = ReviewOutcome { files: built.files, notes: built.notes, ..ReviewOutcome::default() };
    let Some(messages_request) = built.request else {
        outcome.elapsed = started.elapsed();
        return Ok(outcome);
    };
    let key = cache::key(&messages_request, request.dual);
    let hit = if request.no_cache { None } else { cache.get(&key) };
    let raw = if let Some(entry) = hit {
        // Nothing was spent this time: usage stays zero (the entry keeps what the first review cost).
        outcome.cached = true;
        outcome.cost_usd = Some(0.0);
        outcome.notes.push("review answered from the cache (no request made)".into());
        entry.findings
    } else {
        let answer = dual::run(model, &messages_request, request.dual).await?;
        outcome.usage = answer.usage;
        outcome.cost_usd = answer.cost_usd;
        outcome.requests = answer.attempts;
        outcome.bytes_sent = answer.bytes_sent;
        outcome.notes.extend(answer.notes);
        cache.put(
            &key,
            &cache::Entry::new(model.model(), answer.findings.clone(), answer.usage, answer.cost_usd),
        );
        answer.findings
    };
    let (findings, dropped) = validate::validate(raw, &built.contexts, request.keep_low);
    outcome.notes.extend(dropped.note());
    outcome.findings = findings;
    outcome.elapsed = started.elapsed();
    Ok(outcome)
}

/// `review` on a current-thread runtime of its own, for synchronous callers (the hook, which must not
/// name tokio). Must not be called from inside an async runtime.
pub fn review_blocking<M: Messages>(
    model: &M,
    request: &ReviewRequest,
) -> Result<ReviewOutcome, ReviewError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| ReviewError::Runtime(format!("cannot start the async runtime: {error}")))?;
    runtime.block_on(review(model, request))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(line: u32, severity: ReviewSeverity, confidence: f64) -> ReviewFinding {
        ReviewFinding {
            path: "a.py".into(),
            line,
            end_line: line,
            severity,
            category: "Command Injection".into(),
            cwe: vec!["CWE-78".into()],
            title: "Shell command built from input".into(),
            explanation: "e".into(),
            fix: "pass a list\n to subprocess.run".into(),
            confidence,
        }
    }

    #[test]
    fn review_findings_become_findings_on_their_line() {
        let text = "import os\r\n    os.system(cmd)   \r\nx = 1\n";
        let result = finding(2, ReviewSeverity::High, 0.9).to_finding(text, Layer::Review);
        assert_eq!(&text[result.span.clone()], "os.system(cmd)");
        assert_eq!(result.rule, "review.command-injection");
        assert_eq!(result.severity, Severity::Error);
        assert_eq!(result.confidence, Confidence::High);
        assert_eq!(result.message, "Shell command built from input — pass a list to subprocess.run");
        assert_eq!(result.layer, Layer::Review);
        let moved = finding(3, ReviewSeverity::High, 0.9)
            .to_finding("\n\nimport os\n    os.system(cmd)   \r\n", Layer::Review);
        assert_ne!(moved.fingerprint, result.fingerprint, "different code, different fingerprint");
        let same = finding(4, ReviewSeverity::High, 0.9)
            .to_finding("\n\nimport os\n    os.system(cmd)\n", Layer::Review);
        assert_eq!(same.fingerprint, result.fingerprint, "the fingerprint survives line moves");
        let medium = finding(1, ReviewSeverity::Medium, 0.6).to_finding(text, Layer::Review);
        assert_eq!((medium.severity, medium.confidence), (Severity::Warning, Confidence::Medium));
        let low = finding(9, ReviewSeverity::Low, 0.1).to_finding(text, Layer::Review);
        assert_eq!((low.severity, low.confidence), (Severity::Info, Confidence::Low));
        assert_eq!(low.span, text.len()..text.len());
    }

    fn synthetic(count: usize, lines_each: usize) -> Diff {
        use crate::git::{DiffLine, FileStatus, Hunk, LineKind};
        let files = (0..count)
            .map(|i| {
                let lines = (0..lines_each)
                    .map(|n| DiffLine {
                        kind: LineKind::Added,
                        text: format!("value_{n} = compute({n})"),
                        new_line: Some(u32::try_from(n + 1).unwrap()),
                        old_line: None,
                    })
                    .collect();
                FileDiff {
                    path: format!("src/m{i:03}.py"),
                    old_path: None,
                    status: FileStatus::Untracked,
                    binary: false,
                    hunks: vec![Hunk { old_start: 0, old_lines: 0, new_start: 1, new_lines: 1, lines }],
                }
            })
            .collect();
        Diff { files }
    }

    fn text_of(lines: usize) -> String {
        let mut out = String::new();
        for n in 0..lines {
            let _ = writeln!(out, "value_{n} = compute({n})");
        }
        out
    }

    #[test]
    fn large_changes_are_prioritised_capped_or_skipped_with_notes() {
        let built = build_request(synthetic(35, 3), |_| Some(text_of(3)), None, "m");
        assert_eq!(built.files.len(), prioritise::MAX_FILES);
        assert!(
            built.notes.iter().any(|n| n.starts_with("not reviewed (over the 30-file limit")),
            "{:?}",
            built.notes
        );

        let built = build_request(synthetic(301, 1), |_| Some(text_of(1)), None, "m");
        assert!(built.request.is_none());
        assert!(built.notes.iter().any(|n| n.starts_with("review skipped: 301 reviewable files")));

        let built = build_request(synthetic(1, 5_000), |_| Some(text_of(5_000)), None, "m");
        assert!(built.request_bytes() < caps::PER_FILE_BYTES + 20_000);
        assert!(built.notes.iter().any(|n| n.contains("diff truncated")), "{:?}", built.notes);

        let built =
            build_request(synthetic(2, 1), |path| (path == "src/m001.py").then(|| text_of(1)), None, "m");
        assert_eq!(built.files.len(), 1);
        assert!(built.notes.iter().any(|n| n.contains("unreadable")));
    }

    #[test]
    fn errors_display_on_one_line() {
        let error = ReviewError::Llm(LlmError::new(
            FailureCode::BadResponse,
            "the model did not call report_findings",
        ));
        assert_eq!(error.to_string(), "review: the model did not call report_findings [bad_response]");
        assert_eq!(error.failure_code(), Some(FailureCode::BadResponse));
        assert_eq!(
            ReviewError::Git("not inside a git repository: /x".into()).to_string(),
            "git: not inside a git repository: /x"
        );
    }
}
