//! Which files to keep when a change is too large: more than `MAX_FILES` files are ranked by security
//! relevance of their path, then real code before tests, migrations and generated files, then by lines
//! added; more than `SKIP_FILES` files and the review is skipped.

use crate::git::FileDiff;

/// Files reviewed at most in one request.
pub const MAX_FILES: usize = 30;
/// Above this many reviewable files the review is skipped with a note.
pub const SKIP_FILES: usize = 300;

const SECURITY_TOKENS: &[&str] = &[
    "auth",
    "login",
    "logout",
    "session",
    "token",
    "oauth",
    "saml",
    "sso",
    "jwt",
    "route",
    "api",
    "handler",
    "controller",
    "view",
    "endpoint",
    "exec",
    "shell",
    "command",
    "sql",
    "query",
    "db",
    "database",
    "http",
    "request",
    "upload",
    "download",
    "admin",
    "crypto",
    "cipher",
    "password",
    "passwd",
    "secret",
    "credential",
    "key",
    "cert",
    "tls",
    "ssl",
    "config",
    "settings",
    "middleware",
    "webhook",
    "permission",
    "acl",
    "role",
    "policy",
    "user",
    "account",
    "payment",
    "billing",
    "serializ",
    "pickle",
    "template",
    "render",
    "redirect",
    "cors",
    "csrf",
    "proxy",
    "fetch",
    "url",
    "file",
    "path",
    "workflow",
    "docker",
    "deploy",
    "iam",
    "sandbox",
];

/// The security relevance of a path: how many security tokens occur in it.
pub fn score(path: &str) -> usize {
    let lower = path.to_ascii_lowercase();
    SECURITY_TOKENS.iter().filter(|token| lower.contains(*token)).count()
}

/// Tests, fixtures, migrations, generated code and docs: reviewed last.
pub fn low_priority(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let basename = lower.rsplit('/').next().unwrap_or(&lower);
    lower.split('/').any(|dir| {
        matches!(
            dir,
            "test"
                | "tests"
                | "__tests__"
                | "spec"
                | "specs"
                | "testdata"
                | "fixtures"
                | "__mocks__"
                | "migrations"
                | "migration"
                | "generated"
                | "examples"
                | "docs"
                | "e2e"
        )
    }) || basename.starts_with("test_")
        || basename.contains("_test.")
        || basename.contains(".test.")
        || basename.contains(".spec.")
        || basename.contains("_spec.")
        || basename.contains("generated")
        || basename.starts_with("conftest")
}

/// Keeps at most `MAX_FILES` files, most relevant first; returns (kept, dropped paths). The kept
/// files stay in their original (path) order.
pub fn prioritise(files: Vec<FileDiff>) -> (Vec<FileDiff>, Vec<String>) {
    if files.len() <= MAX_FILES {
        return (files, Vec::new());
    }
    let mut ranked: Vec<(usize, FileDiff)> = files.into_iter().enumerate().collect();
    ranked.sort_by(|(_, a), (_, b)| {
        score(&b.path)
            .cmp(&score(&a.path))
            .then(low_priority(&a.path).cmp(&low_priority(&b.path)))
            .then(b.added_lines().cmp(&a.added_lines()))
            .then(a.path.cmp(&b.path))
    });
    let dropped = ranked.split_off(MAX_FILES);
    ranked.sort_by_key(|(order, _)| *order);
    (
        ranked.into_iter().map(|(_, file)| file).collect(),
        dropped.into_iter().map(|(_, file)| file.path).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::{DiffLine, FileStatus, Hunk, LineKind};

    fn file(path: &str, added: usize) -> FileDiff {
        let lines = (0..added)
            .map(|i| DiffLine {
                kind: LineKind::Added,
                text: format!("x{i}"),
                new_line: u32::try_from(i + 1).ok(),
                old_line: None,
            })
            .collect();
        FileDiff {
            path: path.into(),
            old_path: None,
            status: FileStatus::Modified,
            binary: false,
            hunks: vec![Hunk { old_start: 0, old_lines: 0, new_start: 1, new_lines: 1, lines }],
        }
    }

    #[test]
    fn small_changes_are_kept_whole() {
        let (kept, dropped) = prioritise(vec![file("a.py", 1), file("b.py", 2)]);
        assert_eq!(kept.len(), 2);
        assert!(dropped.is_empty());
    }

    #[test]
    fn security_paths_then_real_code_then_size_win() {
        let mut files: Vec<FileDiff> = (0..40).map(|i| file(&format!("misc/m{i:02}.py"), 1)).collect();
        files.push(file("app/auth/login.py", 1));
        files.push(file("tests/auth/test_login.py", 50));
        files.push(file("misc/zz_big.py", 100));
        let (kept, dropped) = prioritise(files);
        assert_eq!(kept.len(), MAX_FILES);
        let paths: Vec<&str> = kept.iter().map(|f| f.path.as_str()).collect();
        assert!(paths.contains(&"app/auth/login.py"));
        assert!(paths.contains(&"tests/auth/test_login.py"));
        assert!(paths.contains(&"misc/zz_big.py"));
        assert_eq!(dropped.len(), 13);
        // The real login module outranks its test (same score, test is low priority).
        assert!(score("app/auth/login.py") >= 2 && low_priority("tests/auth/test_login.py"));
        // Kept files stay in their original order.
        assert_eq!(paths[0], "misc/m00.py");
        assert_eq!(
            &paths[MAX_FILES - 3..],
            ["app/auth/login.py", "tests/auth/test_login.py", "misc/zz_big.py"]
        );
    }

    #[test]
    fn tests_and_migrations_rank_last() {
        assert!(low_priority("db/migrations/0001_init.py"));
        assert!(low_priority("src/app.test.ts"));
        assert!(low_priority("pkg/handler_test.go"));
        assert!(!low_priority("src/handler.go"));
    }
}
