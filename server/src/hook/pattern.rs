//! The pattern layer in the agent loop: warnings after `Write`/`Edit`/`MultiEdit`/`NotebookEdit`
//! (`PostToolUse`), and the opt-in gate before them (`PreToolUse`, `SG_HOOK_BLOCK`).
//!
//! The file is scanned whole, with its syntax tree, but only findings on the lines the edit wrote are
//! reported, each once per session.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tree_sitter::{ParseOptions, ParseState, Parser, Tree};

use super::edit::{self, Lines};
use super::failure::{Code, Failure};
use super::input::{Change, FileEdit, Payload};
use super::limits::{self, Fit};
use super::output::{self, Reported};
use super::select;
use super::state::Session;
use super::supervise::Mode;
use super::switches::Block;
use super::{Context, Reply};
use crate::config::Config;
use crate::finding::{Finding, Severity};
use crate::language::Language;
use crate::notebook::Notebook;
use crate::rules::{RuleSet, Scope};
use crate::scan::{ScanOptions, scan_with};
use crate::text::LineIndex;

/// Bytes inspected for a NUL when deciding whether a file is binary (as git and ripgrep do).
const BINARY_SNIFF: usize = 8 * 1024;
/// From this size on, the parse runs under the time budget's deadline (smaller files parse in a few
/// milliseconds).
const DEADLINE_PARSE_FROM: usize = 64 * 1024;
/// CWEs of hardcoded credentials: what `SG_HOOK_BLOCK=secrets` denies.
const SECRET_CWES: &[&str] = &["CWE-798", "CWE-259", "CWE-321"];

/// `PostToolUse` for a file tool: warn about what the edit introduced.
pub(crate) fn post_tool_use(context: &Context, mut payload: Payload) -> Reply {
    let mut reply = Reply::default();
    reply.fact("tool", &payload.tool_name);
    if !context.switches.pattern {
        reply.fact("skip", "pattern_rules_off");
        return reply;
    }
    let edit = match FileEdit::from_payload(&mut payload, context.project_dir.as_deref()) {
        Ok(edit) => edit,
        Err(failure) => return with_problem(reply, failure),
    };
    reply.fact("path", &edit.shown);
    let config = project_config(context, &payload, &mut reply);
    if config.excludes(&edit.shown) {
        reply.fact("skip", "excluded_by_config");
        return reply;
    }
    let raw = match read_source(&edit.path) {
        Ok(Some(raw)) => raw,
        Ok(None) => {
            reply.fact("skip", "binary");
            return reply;
        }
        Err(failure) => return with_problem(reply, failure),
    };
    let document = Document::new(&edit, raw);
    let notebook = edit.is_notebook();
    let FileEdit { shown, change, .. } = edit;
    // The edit's text and Claude Code's response go before the parse needs the memory.
    let written = written_lines(change, notebook, payload.tool_response.take(), &document);
    reply.fact("lines_written", written.count());
    let scan_started = Instant::now();
    let (findings, note) = scan_document(context, &document);
    reply.fact("scan_us", scan_started.elapsed().as_micros());
    if let Some(note) = &note {
        reply.problems.push(note.clone());
    }
    let findings = config.config.apply(findings);
    let on_written: Vec<&Finding> = findings.iter().filter(|f| document.touches(f, &written)).collect();
    reply.fact("findings", on_written.len());

    let mut fresh = on_written.clone();
    if !on_written.is_empty() || context.switches.stop_review {
        // Without state (reported as a problem) every finding counts as fresh.
        if let Some(mut session) = open_session(context, &payload, &mut reply) {
            fresh.retain(|f| session.data.mark_shown(&dedupe_key(&shown, f)));
            if context.switches.stop_review {
                session.data.touch(&shown);
            }
            if let Err(failure) = session.save() {
                reply.problems.push(failure);
            }
        }
    }
    reply.fact("reported", fresh.len());
    if fresh.is_empty() {
        return reply;
    }
    let items: Vec<Reported<'_>> = fresh.iter().map(|f| document.reported(f)).collect();
    let note_text = note.map(|n| n.detail);
    let text = output::warning_text(&shown, &items, document.comment(), note_text.as_deref());
    reply.stdout = Some(output::post_tool_use(&text));
    reply
}

/// `PreToolUse` for a file tool: deny an edit that would add a secret (or any error), when asked to.
pub(crate) fn pre_tool_use(context: &Context, mut payload: Payload) -> Reply {
    let mut reply = Reply::default();
    reply.fact("tool", &payload.tool_name);
    let block = context.switches.block;
    if block == Block::Off || !context.switches.pattern {
        reply.fact("skip", "blocking_off");
        return reply;
    }
    let edit = match FileEdit::from_payload(&mut payload, context.project_dir.as_deref()) {
        Ok(edit) => edit,
        Err(failure) => return with_problem(reply, failure),
    };
    reply.fact("path", &edit.shown);
    let config = project_config(context, &payload, &mut reply);
    if config.excludes(&edit.shown) {
        return reply;
    }
    let original = match read_source(&edit.path) {
        Ok(text) => text,
        Err(failure) if failure.code == Code::FileMissing => None,
        Err(failure) => return with_problem(reply, failure),
    };
    let (after, before) = match &edit.change {
        Change::Notebook { delete: true, .. } => return reply,
        // The cell alone, as Python: the rest of the notebook is not changing.
        Change::Notebook { new_source, .. } => (Document::cell(new_source.clone()), None),
        change => {
            let Some(after) = edit::apply(original.as_deref(), change) else {
                reply.fact("skip", "edit_would_fail");
                return reply;
            };
            let before = original.map(|text| Document::new(&edit, text));
            (Document::new(&edit, after), before)
        }
    };
    let written = match (&edit.change, &before) {
        (Change::Edit(replaces), _) if after.notebook.is_none() => {
            let mut lines = Lines::none(after.index.line_count());
            for replace in replaces {
                edit::locate(&after.text, &after.index, &replace.new, false, &mut lines);
            }
            lines
        }
        (Change::Write { .. }, Some(before)) if after.notebook.is_none() => {
            edit::rewritten(&before.text, &after.text, &after.index)
        }
        _ => Lines::all(after.index.line_count()),
    };
    let (findings, note) = scan_document(context, &after);
    if let Some(note) = note {
        reply.problems.push(note);
    }
    let mut blocked: Vec<Finding> = config
        .config
        .apply(findings)
        .into_iter()
        .filter(|f| after.touches(f, &written) && denies(block, f))
        .collect();
    if !blocked.is_empty()
        && let Some(before) = &before
    {
        // Only what the edit introduces: a finding already in the file is not this edit's doing.
        let (old, _) = scan_document(context, before);
        blocked.retain(|f| !old.iter().any(|o| o.rule == f.rule && o.fingerprint == f.fingerprint));
    }
    reply.fact("denied", blocked.len());
    if blocked.is_empty() {
        return reply;
    }
    let items: Vec<Reported<'_>> = blocked.iter().map(|f| after.reported(f)).collect();
    let reason = output::deny_text(&payload.tool_name, &edit.shown, &items, after.comment());
    reply.stdout = Some(output::deny(&reason));
    reply
}

fn denies(block: Block, finding: &Finding) -> bool {
    let secret = finding.cwe.iter().any(|cwe| SECRET_CWES.contains(&cwe.as_str()));
    match block {
        Block::Off => false,
        Block::Secrets => secret,
        Block::Errors => secret || finding.severity == Severity::Error,
    }
}

fn with_problem(mut reply: Reply, failure: Failure) -> Reply {
    reply.problems.push(failure);
    reply
}

/// De-duplication key of a finding: (path, rule, fingerprint); the session is the state file.
fn dedupe_key(path: &str, finding: &Finding) -> String {
    let key = format!("{path}\u{0}{}\u{0}{}", finding.rule, finding.fingerprint);
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(key.as_bytes()))
}

fn open_session(context: &Context, payload: &Payload, reply: &mut Reply) -> Option<Session> {
    let Some(dir) = &context.state_dir else {
        reply.problems.push(Failure::new(
            Code::StateUnwritable,
            "no state dir (HOME is unset; set SECURITY_WARNINGS_STATE_DIR): warnings are not de-duplicated",
        ));
        return None;
    };
    match Session::open(dir, &payload.session_key()) {
        Ok((session, note)) => {
            reply.problems.extend(note);
            Some(session)
        }
        Err(failure) => {
            reply.problems.push(failure);
            None
        }
    }
}

/// The project's `.sg-lsp.toml` (disabled rules, severities, excluded paths), if it has one.
struct ProjectConfig {
    config: Config,
    root: Option<PathBuf>,
}

impl ProjectConfig {
    fn excludes(&self, shown: &str) -> bool {
        let Some(root) = &self.root else { return false };
        if self.config.exclude.is_empty() || shown.starts_with('/') {
            return false;
        }
        let mut builder = ignore::overrides::OverrideBuilder::new(root);
        for glob in &self.config.exclude {
            if builder.add(&format!("!{glob}")).is_err() {
                return false;
            }
        }
        builder.build().is_ok_and(|overrides| overrides.matched(root.join(shown), false).is_ignore())
    }
}

fn project_config(context: &Context, payload: &Payload, reply: &mut Reply) -> ProjectConfig {
    let root = context.project_dir.clone().or_else(|| payload.cwd.clone());
    let Some(text) = root.as_ref().and_then(|root| std::fs::read_to_string(root.join(".sg-lsp.toml")).ok())
    else {
        return ProjectConfig { config: Config::default(), root };
    };
    let config = Config::parse(&text).unwrap_or_else(|e| {
        reply
            .problems
            .push(Failure::new(Code::BadConfig, format!(".sg-lsp.toml ignored: {}", first_line(&e))));
        Config::default()
    });
    ProjectConfig { config, root }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// Reads the edited file: `None` for a binary file; too large, gone or unreadable are failures.
fn read_source(path: &Path) -> Result<Option<String>, Failure> {
    let open = std::fs::File::open(path).and_then(|file| Ok((file.metadata()?.len(), file)));
    let (size, file) = match open {
        Ok(found) => found,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::new(
                Code::FileMissing,
                format!("{} no longer exists; nothing scanned", path.display()),
            ));
        }
        Err(e) => {
            return Err(Failure::new(
                Code::FileUnreadable,
                format!("cannot read {} ({e}); nothing scanned", path.display()),
            ));
        }
    };
    if size > limits::MAX_FILE_SIZE {
        return Err(Failure::new(
            Code::TooLarge,
            format!(
                "{} is {size} bytes, over the {}-byte limit; not scanned",
                path.display(),
                limits::MAX_FILE_SIZE
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    if let Err(e) = file.take(limits::MAX_FILE_SIZE).read_to_end(&mut bytes) {
        return Err(Failure::new(
            Code::FileUnreadable,
            format!("cannot read {} ({e}); nothing scanned", path.display()),
        ));
    }
    if bytes[..bytes.len().min(BINARY_SNIFF)].contains(&0) {
        return Ok(None);
    }
    Ok(Some(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }))
}

/// The text that is scanned, with what is needed to map findings back to the file.
struct Document {
    language: Language,
    /// The file's text, or for a notebook its code cells joined.
    text: String,
    notebook: Option<Notebook>,
    index: LineIndex,
}

impl Document {
    fn new(edit: &FileEdit, raw: String) -> Document {
        let language = Language::from_path(Path::new(&edit.shown));
        if edit.is_notebook() {
            if let Some(notebook) = Notebook::parse(&raw) {
                let text = notebook.source.clone();
                return Document {
                    language: Language::Python,
                    index: LineIndex::new(&text),
                    text,
                    notebook: Some(notebook),
                };
            }
            // Not a Python notebook (or not JSON): secrets only.
            return Document {
                language: Language::Text,
                index: LineIndex::new(&raw),
                text: raw,
                notebook: None,
            };
        }
        Document { language, index: LineIndex::new(&raw), text: raw, notebook: None }
    }

    /// One notebook cell's source, scanned as Python.
    fn cell(source: String) -> Document {
        Document { language: Language::Python, index: LineIndex::new(&source), text: source, notebook: None }
    }

    fn lines_of(&self, finding: &Finding) -> (usize, usize) {
        let first = self.index.line_of(finding.span.start);
        let last = self.index.line_of(finding.span.end.saturating_sub(1).max(finding.span.start));
        (first, last)
    }

    fn touches(&self, finding: &Finding, written: &Lines) -> bool {
        let (first, last) = self.lines_of(finding);
        written.any_in(first, last)
    }

    fn reported<'f>(&self, finding: &'f Finding) -> Reported<'f> {
        let (line, _) = self.lines_of(finding);
        match &self.notebook {
            Some(notebook) => {
                let (cell, in_cell) = notebook.locate(line);
                Reported { finding, line: in_cell + 1, cell: Some(cell) }
            }
            None => Reported { finding, line: line + 1, cell: None },
        }
    }

    /// The line-comment marker to write a suppression with.
    fn comment(&self) -> &'static str {
        self.language.line_comment()
    }
}

/// The lines of the scanned text that the edit wrote.
#[allow(clippy::needless_pass_by_value, reason = "taken to free the edit's text before the parse")]
fn written_lines(change: Change, notebook: bool, response: serde_json::Value, document: &Document) -> Lines {
    let count = document.index.line_count();
    let (text, index) = (&document.text, &document.index);
    if document.notebook.is_none()
        && !notebook
        && let Some(lines) = edit::from_patch(&response, text, index)
    {
        return lines;
    }
    match &change {
        Change::Notebook { delete: true, .. } => Lines::none(count),
        Change::Notebook { new_source, .. } if document.notebook.is_some() => {
            let mut lines = Lines::none(count);
            edit::locate(text, index, new_source, true, &mut lines);
            lines
        }
        Change::Write { content } if document.notebook.is_none() && !notebook => {
            match response.get("originalFile").and_then(serde_json::Value::as_str) {
                Some(original) => edit::rewritten(original, text, index),
                None if content == text => Lines::all(count),
                None => {
                    let mut lines = Lines::none(count);
                    edit::locate(text, index, content, false, &mut lines);
                    lines
                }
            }
        }
        Change::Edit(replaces) if document.notebook.is_none() && !notebook => {
            let mut lines = Lines::none(count);
            for replace in replaces {
                edit::locate(text, index, &replace.new, false, &mut lines);
            }
            lines
        }
        // A notebook written or edited as JSON: every cell counts.
        _ => Lines::all(count),
    }
}

/// Scans with the whole-file tree when memory and time allow, else with regex rules only (and says so).
fn scan_document(context: &Context, document: &Document) -> (Vec<Finding>, Option<Failure>) {
    // Debug builds only: lets the tests check what a crash (for `supervise`) looks like.
    if cfg!(debug_assertions)
        && std::env::var("SG_LSP_HOOK_TEST_ABORT")
            .is_ok_and(|modes| modes.split(',').any(|m| m == context.mode.name()))
    {
        std::process::abort();
    }
    let literal_only = matches!(context.mode, Mode::Literal | Mode::Minimal);
    let (rules, considered) = select::rules_for(document.language, &document.text, literal_only);
    let rules = &rules;
    context.note_rules(rules.rules().len(), considered);
    let mut options = ScanOptions { lean: true, ..ScanOptions::default() };
    let mut note = None;
    let mut tree = None;
    let parses = document.language.grammar().is_some();
    if context.mode != Mode::Full {
        // A fuller attempt ran out of address space (see `supervise`).
        options.regex_only = matches!(context.mode, Mode::RegexOnly | Mode::Minimal);
        let what = match context.mode {
            Mode::Literal => "the rules that have literal prefilters only",
            Mode::RegexOnly => "regex rules only",
            _ => "regex rules with literal prefilters only",
        };
        note = Some(Failure::new(
            Code::MemoryTight,
            format!("the full scan did not fit the address-space limit (ulimit -v): scanned with {what}"),
        ));
        if options.regex_only {
            return (scan_with(rules, document.language, &document.text, None, options), note);
        }
    }
    match limits::fit(document.text.len(), rules.rules().len(), parses) {
        Fit::Nothing(reason) => return (Vec::new(), Some(Failure::new(Code::MemoryTight, reason))),
        Fit::RegexOnly(reason) => {
            options.regex_only = true;
            note = Some(Failure::new(Code::MemoryTight, reason));
        }
        Fit::Full if parses && document.text.len() >= DEADLINE_PARSE_FROM && wants_tree(rules, document) => {
            tree = parse_within(document.language, &document.text, context.remaining());
            if tree.is_none() {
                options.regex_only = true;
                note = Some(Failure::new(
                    Code::Timeout,
                    format!(
                        "parsing {} KiB did not finish within the {} ms budget: scanned with regex rules only",
                        document.text.len() / 1024,
                        context.budget.as_millis()
                    ),
                ));
            }
        }
        Fit::Full => {}
    }
    // Debug builds only: and a panic.
    assert!(
        !(cfg!(debug_assertions) && std::env::var_os("SG_LSP_HOOK_TEST_PANIC").is_some()),
        "test panic requested by SG_LSP_HOOK_TEST_PANIC"
    );
    (scan_with(rules, document.language, &document.text, tree.as_ref(), options), note)
}

/// Whether any rule that may match this text needs its syntax tree (as the engine decides).
fn wants_tree(rules: &RuleSet, document: &Document) -> bool {
    rules.rules().iter().any(|rule| {
        rule.languages.contains(&document.language)
            && (rule.is_query_rule() || rule.meta.scope != Scope::Anywhere)
            && rule
                .meta
                .prefilter
                .as_ref()
                .or(rule.meta.regex.as_ref())
                .is_none_or(|pattern| regex::Regex::new(pattern).is_ok_and(|re| re.is_match(&document.text)))
    })
}

/// Parses under a deadline; `None` when it ran out (or the grammar failed to load).
fn parse_within(language: Language, text: &str, budget: Duration) -> Option<Tree> {
    let mut parser = Parser::new();
    parser.set_language(&language.grammar()?).ok()?;
    let deadline = Instant::now() + budget;
    let mut cancel = |_: &ParseState| Instant::now() >= deadline;
    let bytes = text.as_bytes();
    let mut read = |offset: usize, _| &bytes[offset.min(bytes.len())..];
    parser.parse_with_options(&mut read, None, Some(ParseOptions::new().progress_callback(&mut cancel)))
}
