//! The agentic commit review end to end: commit diffs from the git edge, the tool loop against the
//! scripted loopback mock (a multi-file IDOR traced with Grep and Read, then kept by the refuter),
//! hostile scripts that try to read outside the repository (nothing from outside may reach any
//! request), budgets and the fallback to the single-shot review, refusal, malformed tool input and
//! cancellation.

mod review_support;

use review_support::TestRepo;
use sg_lsp::git::{DiffTarget, FileStatus, LineKind, Repo};

fn added(diff: &sg_lsp::git::Diff, path: &str) -> Vec<(u32, String)> {
    let file = diff.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} not in diff"));
    file.lines()
        .filter(|l| l.kind == LineKind::Added)
        .map(|l| (l.new_line.unwrap(), l.text.clone()))
        .collect()
}

// ---- git edge: commit and range diffs -------------------------------------------------------------

#[test]
fn a_commit_diff_is_its_parent_against_its_tree_and_reads_the_commit_blob() {
    let repo = TestRepo::new("agent-commit");
    repo.write("app.py", "a = 1\n").write("old.py", "x = 1\n");
    let root = repo.commit(&["app.py", "old.py"], "one");
    repo.write("app.py", "a = 1\nb = eval(a)\n").write("new.py", "import os\n");
    repo.remove("old.py");
    let mut index = repo.repo.index().unwrap();
    index.remove_path(std::path::Path::new("old.py")).unwrap();
    index.write().unwrap();
    let second = repo.commit(&["app.py", "new.py"], "two");
    // The working tree moves on after the commit: the commit review must not see it.
    repo.write("app.py", "a = 1\nb = eval(a)\nc = exec(b)\n").write("untracked.py", "eval(1)\n");

    let git = Repo::discover(&repo.dir).unwrap();
    let diff = git.diff(&DiffTarget::Commit("HEAD".into()), None).unwrap();
    let summary: Vec<(&str, FileStatus)> = diff.files.iter().map(|f| (f.path.as_str(), f.status)).collect();
    assert_eq!(
        summary,
        [("app.py", FileStatus::Modified), ("new.py", FileStatus::Added), ("old.py", FileStatus::Deleted)]
    );
    assert_eq!(added(&diff, "app.py"), [(2, "b = eval(a)".to_owned())]);
    let by_sha = git.diff(&DiffTarget::Commit(second.to_string()), None).unwrap();
    assert_eq!(by_sha, diff);

    let target = DiffTarget::Commit("HEAD".into());
    assert_eq!(git.read_new_side(&target, "app.py", 1 << 20).as_deref(), Some("a = 1\nb = eval(a)\n"));
    assert_eq!(git.read_new_side(&target, "untracked.py", 1 << 20), None);
    assert_eq!(git.read_new_side(&target, "old.py", 1 << 20), None);
    assert_eq!(git.read_new_side(&target, "app.py", 3), None, "size limit");
    assert_eq!(git.resolve_commit("HEAD").unwrap(), second.to_string());
    assert_eq!(git.resolve_commit(&second.to_string()[..8]).unwrap(), second.to_string());

    // The root commit diffs against the empty tree.
    let first = git.diff(&DiffTarget::Commit(root.to_string()), None).unwrap();
    let paths: Vec<&str> = first.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["app.py", "old.py"]);
    assert!(first.files.iter().all(|f| f.status == FileStatus::Added));

    let error = git.diff(&DiffTarget::Commit("no-such-rev".into()), None).unwrap_err();
    assert!(error.to_string().contains("unknown revision"), "{error}");
}

#[test]
fn a_range_diff_is_the_delta_between_two_revisions() {
    let repo = TestRepo::new("agent-range");
    repo.write("app.py", "a = 1\n");
    let before = repo.commit(&["app.py"], "one");
    repo.write("app.py", "a = 1\nb = 2\n");
    let middle = repo.commit(&["app.py"], "two");
    repo.write("app.py", "a = 1\nb = 2\nc = eval(b)\n");
    let after = repo.commit(&["app.py"], "three");

    let git = Repo::discover(&repo.dir).unwrap();
    let delta = git.diff(&DiffTarget::Range(middle.to_string(), after.to_string()), None).unwrap();
    assert_eq!(added(&delta, "app.py"), [(3, "c = eval(b)".to_owned())]);
    let whole = git.diff(&DiffTarget::Range(before.to_string(), "HEAD".into()), None).unwrap();
    assert_eq!(added(&whole, "app.py").len(), 2);
    let target = DiffTarget::Range(before.to_string(), middle.to_string());
    assert_eq!(git.read_new_side(&target, "app.py", 1 << 20).as_deref(), Some("a = 1\nb = 2\n"));
}
