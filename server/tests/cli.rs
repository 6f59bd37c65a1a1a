//! The `sg-lsp` binary as a user runs it: exit codes, output formats, walking rules.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn sg(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sg-lsp")).args(args).current_dir(dir).output().expect("run sg-lsp")
}

fn sample() -> PathBuf {
    repo().join("tests/cli")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn json_scan(args: &[&str], dir: &Path) -> (Value, Output) {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    let output = sg(&all, dir);
    let value: Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&output)));
    (value, output)
}

fn rules_of(report: &Value) -> Vec<(String, String, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["rule"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn human_output_matches_the_golden_file() {
    let output = sg(&["scan", "sample", "--color", "never"], &sample());
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("human", stdout(&output));
}

#[test]
fn json_output_matches_the_golden_file() {
    let (mut report, output) = json_scan(&["sample"], &sample());
    assert_eq!(output.status.code(), Some(1));
    report["stats"]["elapsed_ms"] = Value::from(0);
    insta::assert_json_snapshot!("json", report);
}

#[test]
fn comments_constants_suppressions_lookalikes_and_gitignored_files_are_not_flagged() {
    let (report, _) = json_scan(&["sample"], &sample());
    let found = rules_of(&report);
    let at = |path: &str, line: u64| found.iter().any(|(p, _, l)| p == path && *l == line);
    assert!(at("sample/src/app.py", 7), "eval of request data: {found:?}");
    for (path, line) in [
        ("sample/src/app.py", 5),
        ("sample/src/app.py", 11),
        ("sample/src/app.py", 15),
        ("sample/src/run.js", 5),
    ] {
        assert!(
            !found.iter().any(|(p, r, l)| p == path && *l == line && !r.starts_with("sg.")),
            "{path}:{line}: {found:?}"
        );
    }
    assert!(!found.iter().any(|(p, _, _)| p.contains("ignored/")), "gitignored file scanned: {found:?}");
    assert!(
        found.iter().any(|(p, r, _)| p == "sample/.env" && r == "any.aws-access-key-id"),
        "hidden files are scanned"
    );
    assert!(
        found.iter().any(|(p, r, l)| p == "sample/src/app.py" && r == "sg.unused-suppression" && *l == 19)
    );
    assert!(
        found
            .iter()
            .any(|(p, r, l)| p == "sample/src/app.py" && r == "sg.suppression-without-reason" && *l == 19)
    );
}

#[test]
fn no_ignore_scans_gitignored_files_too() {
    let (report, _) = json_scan(&["--no-ignore", "sample"], &sample());
    assert!(rules_of(&report).iter().any(|(p, _, _)| p.contains("ignored/skipped.py")));
}

#[test]
fn columns_count_unicode_scalar_values() {
    let (report, _) = json_scan(&["sample/src/unicode.py"], &sample());
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "python.eval");
    // `café = eval(données)`: eval starts at the 8th scalar value; the call ends after `)` (21 chars).
    assert_eq!((finding["column"].as_u64(), finding["end_column"].as_u64()), (Some(8), Some(21)));
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let output = sg(&["scan", "--format", "sarif", "sample"], &sample());
    assert_eq!(output.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("tests/sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft4).build(&schema).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&sarif).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "SARIF schema violations:\n{}", errors.join("\n"));
    let run = &sarif["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let result = &run["results"][0];
    assert!(result["partialFingerprints"]["sgLsp/v1"].is_string());
    let rule_index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
    assert_eq!(run["tool"]["driver"]["rules"][rule_index]["id"], result["ruleId"]);
    // A schema that accepts everything would prove nothing: a broken document must fail.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("catastrophic");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn a_bad_path_is_an_error_but_other_files_are_still_scanned() {
    let (report, output) = json_scan(&["missing-dir", "sample/src/app.py"], &sample());
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(report["errors"][0]["path"], "missing-dir");
    assert!(rules_of(&report).iter().any(|(_, r, _)| r == "python.eval"));
}

#[test]
fn fail_on_sets_the_exit_code() {
    let clean = tempfile_dir("clean");
    std::fs::write(clean.join("ok.py"), "print('hello')\n").unwrap();
    assert_eq!(sg(&["scan", "."], &clean).status.code(), Some(0));
    assert_eq!(sg(&["scan", "sample", "--fail-on", "never"], &sample()).status.code(), Some(0));
    assert_eq!(sg(&["scan", "sample", "--fail-on", "error"], &sample()).status.code(), Some(1));
}

#[test]
fn binary_oversized_and_invalid_utf8_files_are_handled() {
    let dir = tempfile_dir("odd");
    std::fs::write(dir.join("blob.py"), b"eval(x)\0\x01\x02").unwrap();
    std::fs::write(dir.join("big.py"), format!("{}eval(x)\n", "#\n".repeat(600))).unwrap();
    let mut latin1 = b"# caf\xe9\n".to_vec();
    latin1.extend_from_slice(b"eval(user)\n");
    std::fs::write(dir.join("latin1.py"), latin1).unwrap();
    let (report, output) = json_scan(&[".", "--max-file-size", "1000"], &dir);
    assert_eq!(output.status.code(), Some(1));
    let found = rules_of(&report);
    assert_eq!(found, vec![("latin1.py".to_owned(), "python.eval".to_owned(), 2)]);
    assert_eq!(report["skipped"][0]["path"], "big.py");
    assert!(String::from_utf8_lossy(&output.stderr).contains("big.py"), "a note on stderr");
}

#[test]
fn git_internals_are_never_scanned_but_hidden_files_are() {
    let dir = tempfile_dir("hidden");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join(".git/config.py"), "eval(x)\n").unwrap();
    std::fs::create_dir_all(dir.join(".hidden")).unwrap();
    std::fs::write(dir.join(".hidden/a.py"), "eval(x)\n").unwrap();
    let (report, _) = json_scan(&["."], &dir);
    let paths: Vec<String> = rules_of(&report).into_iter().map(|(p, _, _)| p).collect();
    assert_eq!(paths, vec![".hidden/a.py".to_owned()]);
}

#[test]
fn notebooks_report_cells() {
    let dir = tempfile_dir("nb");
    let notebook = r#"{"cells":[{"cell_type":"markdown","source":["eval(x) in prose"]},
        {"cell_type":"code","source":["import os\n","%pip install x\n","eval(os.environ['X'])\n"]}],
        "metadata":{"kernelspec":{"language":"python"}},"nbformat":4,"nbformat_minor":5}"#;
    std::fs::write(dir.join("nb.ipynb"), notebook).unwrap();
    let (report, _) = json_scan(&["."], &dir);
    let finding = &report["findings"][0];
    assert_eq!(
        (finding["rule"].as_str(), finding["cell"].as_u64(), finding["line"].as_u64()),
        (Some("python.eval"), Some(2), Some(3))
    );
}

#[test]
fn rules_lists_explains_and_rejects_unknown_ids() {
    let output = sg(&["rules", "--format", "json"], &repo());
    assert_eq!(output.status.code(), Some(0));
    let listing: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules = listing["rules"].as_array().unwrap();
    assert!(rules.iter().all(|r| r["id"].is_string()
        && r["severity"].is_string()
        && r["cwe"].is_array()
        && r["languages"].is_array()));
    let explain = sg(&["rules", "explain", "python.eval"], &repo());
    assert!(stdout(&explain).contains("CWE-95") && stdout(&explain).contains("sg-ignore[python.eval]"));
    let unknown = sg(&["rules", "explain", "python.nope"], &repo());
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("sg-lsp rules"));
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    let output = sg(&["scan", "--format", "xml"], &repo());
    assert_eq!(output.status.code(), Some(2));
    assert!(!output.stderr.is_empty());
}

#[test]
fn config_disables_rules_and_overrides_severity() {
    let dir = tempfile_dir("config");
    std::fs::write(dir.join("a.py"), "eval(x)\n").unwrap();
    std::fs::write(dir.join(".sg-lsp.toml"), "[rules]\nseverity = { \"python.eval\" = \"info\" }\n").unwrap();
    let (report, output) = json_scan(&["."], &dir);
    assert_eq!(report["findings"][0]["severity"], "info");
    assert_eq!(output.status.code(), Some(0), "info is below the default --fail-on warning");
    std::fs::write(dir.join(".sg-lsp.toml"), "[rules]\ndisable = [\"eval\"]\n").unwrap();
    let (report, _) = json_scan(&["."], &dir);
    assert!(report["findings"].as_array().unwrap().is_empty());
    std::fs::write(dir.join(".sg-lsp.toml"), "[rules\n").unwrap();
    assert_eq!(sg(&["scan", "."], &dir).status.code(), Some(2), "a broken config is an error");
}

/// A fresh directory under the target dir (kept for inspection after a failure).
fn tempfile_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
