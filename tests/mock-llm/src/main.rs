//! `mock-llm`: the loopback mock as a standalone server. Prints `http://127.0.0.1:PORT` on stdout when ready,
//! then serves until killed.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use mock_llm::{Config, MockServer, Mode, Options, Script};

const USAGE: &str = "usage: mock-llm [--mode anthropic|bedrock|vertex] [--api-key K] [--script FILE.json]
                [--default FILE.json] [--record FILE.jsonl] [--port N] [--strict-betas] [--allow-prefill]
                [--aws-access-key K] [--aws-secret-key S] [--aws-session-token T] [--region R]
                [--project P] [--token T]
Without --api-key any key is accepted. Bedrock defaults: AKIDMOCK / mock-secret, us-east-1.
Vertex defaults: project mock-project, region us-east5, token mock-token.";

struct Args {
    mode: String,
    api_key: Option<String>,
    script: Option<PathBuf>,
    default: Option<PathBuf>,
    record: Option<PathBuf>,
    port: u16,
    strict_betas: bool,
    allow_prefill: bool,
    access_key: String,
    secret_key: String,
    session_token: Option<String>,
    region: Option<String>,
    project: String,
    token: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        mode: "anthropic".to_owned(),
        api_key: None,
        script: None,
        default: None,
        record: None,
        port: 0,
        strict_betas: false,
        allow_prefill: false,
        access_key: "AKIDMOCK".to_owned(),
        secret_key: "mock-secret".to_owned(),
        session_token: None,
        region: None,
        project: "mock-project".to_owned(),
        token: "mock-token".to_owned(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--mode" => args.mode = value()?,
            "--api-key" => args.api_key = Some(value()?),
            "--script" => args.script = Some(value()?.into()),
            "--default" => args.default = Some(value()?.into()),
            "--record" => args.record = Some(value()?.into()),
            "--port" => args.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--strict-betas" => args.strict_betas = true,
            "--allow-prefill" => args.allow_prefill = true,
            "--aws-access-key" => args.access_key = value()?,
            "--aws-secret-key" => args.secret_key = value()?,
            "--aws-session-token" => args.session_token = Some(value()?),
            "--region" => args.region = Some(value()?),
            "--project" => args.project = value()?,
            "--token" => args.token = value()?,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(args)
}

fn load_script(args: &Args) -> Result<Script, String> {
    let read = |path: &PathBuf| std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()));
    let mut script = match &args.script {
        Some(path) => Script::parse(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))?,
        None => Script::default(),
    };
    if let Some(path) = &args.default {
        let default = Script::parse(&format!("[{{\"default\": {}}}]", read(path)?))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        script.default = default.default;
    }
    Ok(script)
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let mode = match args.mode.as_str() {
        "anthropic" => Mode::Anthropic,
        "bedrock" => Mode::Bedrock {
            access_key: args.access_key.clone(),
            secret_key: args.secret_key.clone(),
            session_token: args.session_token.clone(),
            region: args.region.clone().unwrap_or_else(|| "us-east-1".to_owned()),
        },
        "vertex" => Mode::Vertex {
            project: args.project.clone(),
            region: args.region.clone().unwrap_or_else(|| "us-east5".to_owned()),
            token: args.token.clone(),
        },
        other => return Err(format!("--mode: unknown mode {other}")),
    };
    let script = load_script(&args)?;
    let config = Config { mode, api_key: args.api_key.clone(), reject_prefill: !args.allow_prefill };
    let options = Options {
        port: args.port,
        record: args.record.clone(),
        // The real Claude Code CLI sends betas the mock cannot know; only check them when asked to.
        any_beta: !args.strict_betas,
        extra_betas: Vec::new(),
    };
    let server = MockServer::try_start_with(config, options).map_err(|e| format!("cannot start: {e}"))?;
    server.load(script);
    print_url(&server.url()).map_err(|e| format!("stdout: {e}"))?;
    // Serve until killed.
    loop {
        std::thread::park();
    }
}

#[allow(clippy::print_stdout, reason = "the URL on stdout is this binary's readiness protocol")]
fn print_url(url: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{url}")?;
    stdout.flush()
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "mock-llm: {message}");
            ExitCode::from(2)
        }
    }
}
