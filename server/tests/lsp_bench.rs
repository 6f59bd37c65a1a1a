//! Language server benchmark over the real binary's stdio (a no-op unless `SG_LSP_BENCH=1`): keystroke →
//! `publishDiagnostics` latency over 1,000 single-character edits of 10k-line Python and JavaScript
//! documents, and resident memory with 100 open 1k-line documents. Use a release build:
//! `cargo build --release && SG_LSP_BENCH=1 SG_LSP_BIN=target/release/sg-lsp cargo test --test lsp_bench -- --nocapture`.

mod bench_documents;
mod lsp_support;

use bench_documents::{javascript, python};

use std::time::{Duration, Instant};

use lsp_support::Client;
use serde_json::json;

fn open(client: &mut Client, uri: &str, language: &str, text: &str) {
    let document = json!({"uri": uri, "languageId": language, "version": 1, "text": text});
    client.send(
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": document}}),
    );
    client.wait_for("the first diagnostics", |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
    });
}

/// The `per_mille`th per-mille of sorted durations, in milliseconds.
fn percentile(sorted: &[Duration], per_mille: usize) -> f64 {
    sorted[(sorted.len() - 1) * per_mille / 1000].as_secs_f64() * 1000.0
}

/// `VmRSS` and `VmHWM` of a process, in MiB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(f64::NAN, |kib| kib / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[test]
fn keystroke_latency_and_memory() {
    if std::env::var_os("SG_LSP_BENCH").is_none() {
        eprintln!(
            "lsp_bench: skipped (set SG_LSP_BENCH=1, or =latency or =memory, and SG_LSP_BIN=target/release/sg-lsp)"
        );
        return;
    }
    let only = std::env::var("SG_LSP_BENCH").unwrap_or_default();
    let binary = std::env::var("SG_LSP_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_sg-lsp").to_owned());
    eprintln!("binary: {binary}");
    if only != "memory" {
        latency(&binary);
    }
    if only != "latency" {
        memory_with_open_documents(&binary);
    }
}

/// Keystroke → diagnostics over 1,000 edits of two 10k-line documents, one edit at a time.
fn latency(binary: &str) {
    eprintln!("| document | open → diagnostics | p50 | p90 | p99 | max |");
    eprintln!("|---|---|---|---|---|---|");
    for (name, language, (text, targets)) in [
        ("10k-line Python", "python", python(10_000)),
        ("10k-line JavaScript", "javascript", javascript(10_000)),
    ] {
        let uri = if language == "python" { "file:///bench/app.py" } else { "file:///bench/app.js" };
        let mut client = Client::spawn_binary(binary, &["serve"], false);
        client.initialize();
        let opened = Instant::now();
        open(&mut client, uri, language, &text);
        let open_ms = opened.elapsed().as_secs_f64() * 1000.0;
        let mut latencies = Vec::new();
        for edit in 0..1000_usize {
            let (line, column) = targets[(edit * 7919) % targets.len()];
            let version = 2 + i64::try_from(edit).unwrap();
            let position = json!({"line": line, "character": column});
            let change = json!({"range": {"start": position, "end": position}, "text": "x"});
            let params =
                json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]});
            let typed = Instant::now();
            client.send(&json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": params}));
            client.wait_for("diagnostics of the edit", |m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == version
            });
            latencies.push(typed.elapsed());
        }
        latencies.sort();
        eprintln!(
            "| {name} ({} lines) | {open_ms:.1} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |",
            text.lines().count(),
            percentile(&latencies, 500),
            percentile(&latencies, 900),
            percentile(&latencies, 990),
            percentile(&latencies, 1000),
        );
        client.send(&json!({"jsonrpc": "2.0", "method": "exit"}));
        client.wait();
    }
}

/// Resident memory with 100 open 1k-line documents.
fn memory_with_open_documents(binary: &str) {
    let mut client = Client::spawn_binary(binary, &["serve"], false);
    client.initialize();
    let (idle, _) = memory(client.child.id());
    let (text, _) = python(1_000);
    for n in 0..100 {
        open(&mut client, &format!("file:///bench/module_{n}.py"), "python", &text);
    }
    std::thread::sleep(Duration::from_millis(200));
    let (rss, peak) = memory(client.child.id());
    eprintln!(
        "memory: {idle:.1} MiB after initialize; {rss:.1} MiB RSS ({peak:.1} MiB peak) with 100 open 1k-line documents"
    );
    client.send(&json!({"jsonrpc": "2.0", "method": "exit"}));
    client.wait();
}
