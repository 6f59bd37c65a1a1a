//! Checks the invariants ARCHITECTURE.md promises, by reading the source.

use std::fs;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, with its path relative to `src/`.
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(src()).unwrap().to_string_lossy().replace('\\', "/");
            out.push((relative, fs::read_to_string(&path).unwrap()));
        }
    }
    out
}

/// Source without `//` comments, so that docs may name what code may not use.
fn code(text: &str) -> String {
    text.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

fn in_module(path: &str, module: &str) -> bool {
    path == format!("{module}.rs") || path.starts_with(&format!("{module}/"))
}

const CORE: [&str; 6] = ["text", "language", "finding", "rules", "scan", "notebook"];

#[test]
fn the_core_does_no_io() {
    let forbidden =
        ["std::fs", "std::net", "std::process", "std::env", "reqwest", "git2", "tokio", "File::open"];
    for (path, text) in sources(&src()) {
        if CORE.iter().any(|module| in_module(&path, module)) {
            let code = code(&text);
            for needle in forbidden {
                assert!(!code.contains(needle), "{path} is core and must not use {needle}");
            }
        }
    }
}

#[test]
fn only_the_lsp_module_knows_lsp_types() {
    for (path, text) in sources(&src()) {
        if !in_module(&path, "lsp") {
            let code = code(&text);
            for needle in ["lsp_types", "tower_lsp", "ls_types"] {
                assert!(!code.contains(needle), "{path} uses {needle}; only lsp/ may");
            }
        }
    }
}

#[test]
fn only_git_touches_git2_and_only_llm_touches_http() {
    for (path, text) in sources(&src()) {
        let code = code(&text);
        if !in_module(&path, "git") {
            assert!(!code.contains("git2::"), "{path} uses git2; only git/ may");
        }
        if !in_module(&path, "llm") {
            assert!(!code.contains("reqwest"), "{path} uses reqwest; only llm/ may");
        }
    }
}

#[test]
fn the_hook_pattern_path_has_no_async_runtime() {
    for (path, text) in sources(&src()) {
        if in_module(&path, "hook") {
            assert!(!code(&text).contains("tokio"), "{path}: the hook's pattern path must stay synchronous");
        }
    }
}

#[test]
fn every_module_says_what_it_is_for() {
    for (path, text) in sources(&src()) {
        assert!(text.trim_start().starts_with("//!"), "{path} must start with a `//!` line");
    }
}

#[test]
fn architecture_md_maps_every_top_level_module() {
    let map = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../ARCHITECTURE.md")).unwrap();
    for entry in fs::read_dir(src()).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(module) = name.strip_suffix(".rs") {
            if module == "lib" || module == "main" {
                continue;
            }
            assert!(map.contains(&format!("`{module}`")), "ARCHITECTURE.md code map lacks `{module}`");
        }
    }
}
