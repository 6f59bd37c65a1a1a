//! The pattern layer in the agent loop: warnings after `Write`/`Edit`/`MultiEdit`/`NotebookEdit`
//! (`PostToolUse`), and the opt-in gate before them (`PreToolUse`, `SG_HOOK_BLOCK`).
//!
//! The file is scanned whole, with its syntax tree, but only findings on the lines the edit wrote are
//! reported, each once per session.

use std::path::PathBuf;
use std::time::Instant;

use super::document::{Document, read_source, written_lines};
use super::edit::{self, Lines};
use super::failure::{Code, Failure};
use super::input::{Change, FileEdit, Payload};
use super::output::{self, Reported};
use super::scanner::scan_document;
use super::state::Session;
use super::switches::Block;
use super::{Context, Reply};
use crate::config::Config;
use crate::finding::{Finding, Severity};

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
