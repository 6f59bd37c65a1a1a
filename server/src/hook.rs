//! Claude Code hook shim (`sg-lsp hook`): one hook event on stdin, routed per SPEC §4.
//!
//! Whatever happens inside, the exit code is 0 unless a layer found something (exit 2, reserved for
//! the review layers), and every failure becomes one line on stderr: a broken hook must never look
//! like findings, and must never fail silently.

mod baseline;
mod commit;
mod deadline;
mod document;
mod edit;
mod failure;
mod input;
mod limits;
mod llm_failure;
mod log;
mod output;
mod pattern;
mod review;
mod scanner;
mod select;
mod state;
mod stop;
mod supervise;
mod switches;

use std::io::{Read as _, Write as _};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use failure::{Code, Failure};
use input::Payload;
use switches::Switches;

/// Largest stdin accepted: a `Write` payload carries the whole file.
const MAX_STDIN: u64 = 64 * 1024 * 1024;

/// How long the pattern path may make the agent wait (`SG_HOOK_BUDGET_MS` overrides it).
const BUDGET: Duration = Duration::from_secs(1);

/// What the hook answers: at most one JSON line on stdout, problems for one stderr line, an exit code.
#[derive(Debug, Default)]
pub(crate) struct Reply {
    pub(crate) stdout: Option<Value>,
    /// Text for stderr before the problems line (the Stop review's findings, for Claude Code versions
    /// that read stderr on exit 2).
    pub(crate) stderr_text: Option<String>,
    pub(crate) problems: Vec<Failure>,
    /// `key=value` facts for the debug log (never file contents).
    pub(crate) facts: Vec<(&'static str, String)>,
    pub(crate) exit: u8,
}

impl Reply {
    pub(crate) fn fact(&mut self, key: &'static str, value: impl std::fmt::Display) {
        self.facts.push((key, value.to_string()));
    }

    fn failed(failure: Failure) -> Reply {
        Reply { problems: vec![failure], ..Reply::default() }
    }
}

/// What every handler may consult: the switches, the clock, where state lives.
pub(crate) struct Context {
    pub(crate) switches: Switches,
    pub(crate) started: Instant,
    pub(crate) budget: Duration,
    pub(crate) state_dir: Option<PathBuf>,
    /// `CLAUDE_PROJECT_DIR`, used to show paths relative to the project.
    pub(crate) project_dir: Option<PathBuf>,
    /// What this process may attempt (less when a supervised attempt before it ran out of memory).
    pub(crate) mode: supervise::Mode,
    /// Rules loaded / considered by the last scan.
    pub(crate) rules_loaded: std::cell::Cell<Option<(usize, usize)>>,
    /// The LLM review (`None` in the slim binary, which does not link the network code).
    pub(crate) engine: Option<stop::Engine>,
    /// The commit review's git and network side (`None` in the slim binary, which links neither).
    pub(crate) commit_engine: Option<commit::Engine>,
}

impl Context {
    fn from_env(started: Instant, engines: Option<(stop::Engine, commit::Engine)>) -> Context {
        Context {
            switches: Switches::from_env(),
            started,
            budget: switches::env_value("SG_HOOK_BUDGET_MS")
                .and_then(|ms| ms.trim().parse().ok())
                .map_or(BUDGET, Duration::from_millis),
            state_dir: state::state_dir(),
            project_dir: switches::env_value("CLAUDE_PROJECT_DIR").map(PathBuf::from),
            mode: supervise::Mode::from_env(),
            rules_loaded: std::cell::Cell::new(None),
            engine: engines.map(|(review, _)| review),
            commit_engine: engines.map(|(_, commit)| commit),
        }
    }

    /// Records how many rules a scan loaded, of how many it considered (for the debug log).
    pub(crate) fn note_rules(&self, loaded: usize, considered: usize) {
        self.rules_loaded.set(Some((loaded, considered)));
    }

    /// Time left of the pattern path's budget.
    pub(crate) fn remaining(&self) -> Duration {
        self.budget.saturating_sub(self.started.elapsed())
    }
}

/// Runs the hook (`sg-lsp hook`) and returns the process exit code.
pub fn main() -> u8 {
    run_main(Some((stop::engine, commit::ENGINE)))
}

/// The slim `sg-lsp-hook`: the same hook without the LLM reviews, so that it maps neither the network
/// code nor git2; review events (`Stop`, `SubagentStop`, a Bash commit's `PostToolUse`) are handed to
/// the full `sg-lsp` found next to it or on PATH.
pub fn slim_main() -> u8 {
    run_main(None)
}

fn run_main(engines: Option<(stop::Engine, commit::Engine)>) -> u8 {
    let started = Instant::now();
    let panic_message = install_quiet_panic_hook();
    let context = Context::from_env(started, engines);
    if context.switches.disabled {
        return 0;
    }
    let raw = read_stdin();
    let mut notes = Vec::new();
    if let Ok(bytes) = &raw
        && engines.is_none()
        && supervise::is_review_event(bytes)
        && let Some(done) = supervise::delegate(bytes)
    {
        return relay(&context, &done);
    }
    if let Ok(bytes) = &raw
        && supervise::wanted()
    {
        match supervise::run(bytes) {
            Ok(done) => return relay(&context, &done),
            Err(failure) => notes.push(failure),
        }
    }
    let mut event = String::from("-");
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| match raw {
        Ok(bytes) => run(&context, bytes, &mut event),
        Err(failure) => Reply::failed(failure),
    }));
    let mut reply = outcome.unwrap_or_else(|_| {
        let message = panic_message.lock().ok().and_then(|m| m.clone()).unwrap_or_else(|| "unknown".into());
        let mut reply =
            Reply::failed(Failure::new(Code::Panic, format!("internal error ({message}); please report it")));
        // A person should see this one: the hook is broken, not the code.
        reply.stdout = Some(
            serde_json::json!({ "systemMessage": "sg-lsp hook hit an internal error; see the debug log" }),
        );
        reply
    });
    reply.problems.extend(notes);
    finish(&context, &event, &reply)
}

fn read_stdin() -> Result<Vec<u8>, Failure> {
    let mut raw = Vec::new();
    if let Err(e) = std::io::stdin().lock().take(MAX_STDIN + 1).read_to_end(&mut raw) {
        return Err(Failure::new(Code::BadStdin, format!("cannot read stdin: {e}")));
    }
    if raw.len() as u64 > MAX_STDIN {
        return Err(Failure::new(Code::BadStdin, "stdin is over 64 MiB; ignoring the event"));
    }
    Ok(raw)
}

/// Passes on what the supervised child said, and logs the children that died before it.
fn relay(context: &Context, done: &supervise::Supervised) -> u8 {
    let _ = std::io::stdout().lock().write_all(&done.stdout);
    let _ = std::io::stderr().lock().write_all(&done.stderr);
    if !done.deaths.is_empty() {
        let mut reply = Reply { exit: done.exit, ..Reply::default() };
        for (mode, how) in &done.deaths {
            reply.fact("worker_died", format!("{mode}:{how}"));
        }
        log::record(context, "supervisor", &reply);
    }
    done.exit
}

fn run(context: &Context, raw: Vec<u8>, event: &mut String) -> Reply {
    // The raw bytes go as soon as they are parsed: under `ulimit -v` every copy of a file counts.
    let payload = match Payload::parse(raw) {
        Ok(payload) => payload,
        Err(failure) => return Reply::failed(failure),
    };
    event.clone_from(&payload.event);
    let mut reply = route(context, payload);
    if let Some(problem) = &context.switches.problem {
        reply.problems.push(Failure::new(Code::BadConfig, problem.clone()));
    }
    reply
}

/// Sends the event to its handler (SPEC §4).
fn route(context: &Context, payload: Payload) -> Reply {
    match (payload.event.as_str(), payload.tool_name.as_str()) {
        ("PostToolUse", "Write" | "Edit" | "MultiEdit" | "NotebookEdit") => {
            pattern::post_tool_use(context, payload)
        }
        ("PreToolUse", "Write" | "Edit" | "MultiEdit" | "NotebookEdit") => {
            pattern::pre_tool_use(context, payload)
        }
        ("PostToolUse", "Bash") => review::bash(context, &payload),
        ("UserPromptSubmit", _) => baseline::user_prompt_submit(context, &payload),
        ("Stop" | "SubagentStop", _) => stop::stop(context, &payload),
        (event, _) if input::KNOWN_EVENTS.contains(&event) => Reply::default(),
        (event, _) => {
            Reply::failed(Failure::new(Code::UnknownEvent, format!("unknown hook event `{event}`; ignored")))
        }
    }
}

/// Writes the reply, logs it, and returns the exit code.
fn finish(context: &Context, event: &str, reply: &Reply) -> u8 {
    let mut exit = reply.exit;
    if let Some(text) = &reply.stderr_text {
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }
    if let Some(json) = &reply.stdout {
        let mut out = std::io::stdout().lock();
        if writeln!(out, "{json}").and_then(|()| out.flush()).is_err() {
            // Nobody is reading; findings that cannot be delivered must not become an exit 2.
            exit = 0;
        }
    }
    if let Some(line) = failure::stderr_line(&reply.problems) {
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
    log::record(context, event, reply);
    exit
}

/// Replaces the default panic output (several lines, a backtrace hint) with nothing; the message is
/// kept so the one stderr line can say what happened.
fn install_quiet_panic_hook() -> &'static Mutex<Option<String>> {
    static MESSAGE: Mutex<Option<String>> = Mutex::new(None);
    std::panic::set_hook(Box::new(|info| {
        let text = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        if let Ok(mut slot) = MESSAGE.lock() {
            *slot = Some(format!("{}{place}", text.lines().next().unwrap_or("panic")));
        }
    }));
    &MESSAGE
}
