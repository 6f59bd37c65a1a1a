//! The `git` edge: the only module that touches git2. Opens the repository holding a path and
//! computes structured diffs (working tree, staged, against a revision or a baseline commit) without
//! spawning git and without writing the index.
//!
//! Settings are pinned in code (`DiffOptions`: 3 context lines, explicit rename detection, submodules
//! ignored), and git2 never runs external diff drivers, hooks or fsmonitor, so user configuration such
//! as `diff.noprefix`, `diff.external`, `core.fsmonitor` or `core.hooksPath` cannot change the result.

use std::fmt;
use std::path::{Path, PathBuf};

use git2::{Delta, DiffFindOptions, DiffOptions, Oid, Patch, Repository, Tree};

/// What to compare. The new side is the working tree except for `Staged` (the index) and `Commit` /
/// `Range` (a commit's tree).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffTarget {
    /// HEAD (or the empty tree before the first commit) → working tree, untracked files included.
    WorkingTree,
    /// HEAD (or the empty tree) → index, like `git diff --staged`.
    Staged,
    /// A revision (`main`, `HEAD~3`, a sha) → working tree, untracked files included.
    Base(String),
    /// A baseline commit sha (the Stop hook's turn baseline) → working tree, untracked included.
    Baseline(String),
    /// The changes a commit made, like `git show REV`: its first parent's tree (the empty tree for a
    /// root commit) → its own tree.
    Commit(String),
    /// One revision's tree → another's, like `git diff FROM TO` (the delta of an amend).
    Range(String, String),
}

/// One entry of a reflog: HEAD moved from `old` to `new` (full shas) with `message` (such as
/// `commit: subject` or `commit (amend): subject`) at `time` (Unix seconds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReflogEntry {
    pub old: String,
    pub new: String,
    pub message: String,
    pub time: i64,
}

/// A git failure, one line, never file contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitError(pub String);

impl fmt::Display for GitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GitError {}

impl From<git2::Error> for GitError {
    fn from(error: git2::Error) -> GitError {
        GitError(error.message().replace('\n', " "))
    }
}

/// How a file changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileStatus {
    Added,
    Modified,
    Deleted,
    Renamed,
    Copied,
    TypeChange,
    /// Not tracked by git and not ignored (a new file in the working tree).
    Untracked,
    Other,
}

/// The kind of a diff line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// `+`: only in the new side.
    Added,
    /// `-`: only in the old side.
    Removed,
    /// ` `: on both sides.
    Context,
}

impl LineKind {
    pub fn marker(self) -> char {
        match self {
            LineKind::Added => '+',
            LineKind::Removed => '-',
            LineKind::Context => ' ',
        }
    }
}

/// One line of a hunk, without its line break.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffLine {
    pub kind: LineKind,
    pub text: String,
    /// One-based line in the new file (`+` and context lines).
    pub new_line: Option<u32>,
    /// One-based line in the old file (`-` and context lines).
    pub old_line: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hunk {
    pub old_start: u32,
    pub old_lines: u32,
    pub new_start: u32,
    pub new_lines: u32,
    pub lines: Vec<DiffLine>,
}

/// One changed file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDiff {
    /// Repository-relative path with `/` separators: the new path (the old one for deletions).
    pub path: String,
    /// The old path when it differs (renames, copies).
    pub old_path: Option<String>,
    pub status: FileStatus,
    pub binary: bool,
    pub hunks: Vec<Hunk>,
}

impl FileDiff {
    /// Lines added by this change.
    pub fn added_lines(&self) -> usize {
        self.lines().filter(|line| line.kind == LineKind::Added).count()
    }

    pub fn lines(&self) -> impl Iterator<Item = &DiffLine> {
        self.hunks.iter().flat_map(|hunk| hunk.lines.iter())
    }
}

/// A structured diff: the changed files in git's order (by path).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    pub files: Vec<FileDiff>,
}

/// An open repository with a working tree.
pub struct Repo {
    inner: Repository,
    root: PathBuf,
    git_dir: PathBuf,
}

impl fmt::Debug for Repo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Repo")
            .field("root", &self.root)
            .field("git_dir", &self.git_dir)
            .finish_non_exhaustive()
    }
}

impl Repo {
    /// Opens the repository containing `path` (a file or directory), searching parent directories.
    /// Environment variables such as `GIT_DIR` are not consulted.
    pub fn discover(path: &Path) -> Result<Repo, GitError> {
        let start = if path.is_file() { path.parent().unwrap_or(path) } else { path };
        let repo = Repository::discover(start)
            .map_err(|_| GitError(format!("not inside a git repository: {}", path.display())))?;
        let root = repo
            .workdir()
            .ok_or_else(|| GitError("bare repository: there is no working tree to review".into()))?
            .to_path_buf();
        let git_dir = repo.path().to_path_buf();
        Ok(Repo { inner: repo, root, git_dir })
    }

    /// The working tree's top directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The `.git` directory (for worktrees, that worktree's git dir).
    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    /// Uses the index file at `path` instead of the repository's own: the temporary index git hands
    /// to a pre-commit hook in `GIT_INDEX_FILE` (`git commit -a`, `git commit <paths>`). Read only.
    pub fn with_index_file(self, path: &Path) -> Result<Repo, GitError> {
        let full = if path.is_absolute() { path.to_path_buf() } else { self.root.join(path) };
        let mut index = git2::Index::open(&full).map_err(|error| {
            GitError(format!("cannot open the index {}: {}", full.display(), error.message()))
        })?;
        self.inner.set_index(&mut index)?;
        Ok(self)
    }

    /// The directory git runs hooks from: `core.hooksPath` when set (`~/` expanded; a relative path
    /// is relative to the working tree's top, where git runs hooks), else `hooks/` in the common git
    /// directory (shared by all worktrees).
    pub fn hooks_dir(&self) -> PathBuf {
        if let Ok(config) = self.inner.config()
            && let Ok(path) = config.get_path("core.hooksPath")
            && !path.as_os_str().is_empty()
        {
            return if path.is_absolute() { path } else { self.root.join(path) };
        }
        self.inner.commondir().join("hooks")
    }

    /// The commit HEAD points at; `None` before the first commit.
    pub fn head_sha(&self) -> Option<String> {
        self.inner.head().ok()?.peel_to_commit().ok().map(|commit| commit.id().to_string())
    }

    /// Computes the diff for `target`, restricted to `paths` (repository-relative, literal) when given.
    pub fn diff(&self, target: &DiffTarget, paths: Option<&[String]>) -> Result<Diff, GitError> {
        let mut options = pinned_options(paths);
        let mut diff = match target {
            DiffTarget::WorkingTree => {
                let base = self.head_tree()?;
                self.inner.diff_tree_to_workdir_with_index(base.as_ref(), Some(&mut options))?
            }
            DiffTarget::Staged => {
                let base = self.head_tree()?;
                let index = self.inner.index()?;
                self.inner.diff_tree_to_index(base.as_ref(), Some(&index), Some(&mut options))?
            }
            DiffTarget::Base(rev) | DiffTarget::Baseline(rev) => {
                let tree = self.rev_tree(rev)?;
                self.inner.diff_tree_to_workdir_with_index(Some(&tree), Some(&mut options))?
            }
            DiffTarget::Commit(rev) => {
                let commit = self.rev_commit(rev)?;
                let tree = commit.tree()?;
                let parent = if commit.parent_count() == 0 { None } else { Some(commit.parent(0)?.tree()?) };
                self.inner.diff_tree_to_tree(parent.as_ref(), Some(&tree), Some(&mut options))?
            }
            DiffTarget::Range(from, to) => {
                let old = self.rev_tree(from)?;
                let new = self.rev_tree(to)?;
                self.inner.diff_tree_to_tree(Some(&old), Some(&new), Some(&mut options))?
            }
        };
        let mut find = DiffFindOptions::new();
        find.renames(true).for_untracked(true).rename_limit(1000);
        diff.find_similar(Some(&mut find))?;

        let mut files = Vec::new();
        for index in 0..diff.deltas().len() {
            let Some(delta) = diff.get_delta(index) else { continue };
            let status = match delta.status() {
                Delta::Added => FileStatus::Added,
                Delta::Deleted => FileStatus::Deleted,
                Delta::Modified => FileStatus::Modified,
                Delta::Renamed => FileStatus::Renamed,
                Delta::Copied => FileStatus::Copied,
                Delta::Typechange => FileStatus::TypeChange,
                Delta::Untracked => FileStatus::Untracked,
                Delta::Unmodified | Delta::Ignored => continue,
                _ => FileStatus::Other,
            };
            let new_path = delta.new_file().path().map(path_string);
            let old_path = delta.old_file().path().map(path_string);
            let path = if status == FileStatus::Deleted { old_path.clone() } else { new_path.clone() };
            let Some(path) = path.or_else(|| old_path.clone()) else { continue };
            let old_path = old_path.filter(|old| *old != path);
            let mut file = FileDiff { path, old_path, status, binary: false, hunks: Vec::new() };
            let patch = Patch::from_diff(&diff, index)?;
            file.binary = delta.flags().is_binary()
                || patch.as_ref().is_some_and(|patch| patch.delta().flags().is_binary());
            if let Some(patch) = patch.filter(|_| !file.binary) {
                file.hunks = hunks(&patch)?;
            }
            files.push(file);
        }
        Ok(Diff { files })
    }

    /// A file's current content in the working tree (lossy UTF-8); `None` when it does not exist or
    /// is larger than `max_bytes`.
    pub fn read_worktree(&self, path: &str, max_bytes: u64) -> Option<String> {
        let full = self.root.join(path);
        let metadata = std::fs::symlink_metadata(&full).ok()?;
        if !metadata.is_file() || metadata.len() > max_bytes {
            return None;
        }
        let bytes = std::fs::read(full).ok()?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// A file's content in the index (lossy UTF-8), the new side of `DiffTarget::Staged`.
    pub fn read_index(&self, path: &str, max_bytes: u64) -> Option<String> {
        let index = self.inner.index().ok()?;
        let entry = index.get_path(Path::new(path), 0)?;
        let blob = self.inner.find_blob(entry.id).ok()?;
        if blob.size() as u64 > max_bytes {
            return None;
        }
        Some(String::from_utf8_lossy(blob.content()).into_owned())
    }

    /// A file's content in a revision's tree (lossy UTF-8), the new side of `DiffTarget::Commit` and
    /// `DiffTarget::Range`; `None` when the path is not a regular file there or is larger than
    /// `max_bytes`.
    pub fn read_revision(&self, rev: &str, path: &str, max_bytes: u64) -> Option<String> {
        let tree = self.rev_tree(rev).ok()?;
        let entry = tree.get_path(Path::new(path)).ok()?;
        // Regular files only (a symlink's blob is its target path, a gitlink has no blob).
        if !matches!(entry.filemode(), 0o100_644 | 0o100_755 | 0o100_664) {
            return None;
        }
        let blob = self.inner.find_blob(entry.id()).ok()?;
        if blob.size() as u64 > max_bytes {
            return None;
        }
        Some(String::from_utf8_lossy(blob.content()).into_owned())
    }

    /// The new side of `target` for `path`: the index for `Staged`, the commit's tree for `Commit` and
    /// `Range`, else the working tree.
    pub fn read_new_side(&self, target: &DiffTarget, path: &str, max_bytes: u64) -> Option<String> {
        match target {
            DiffTarget::Staged => self.read_index(path, max_bytes),
            DiffTarget::Commit(rev) | DiffTarget::Range(_, rev) => self.read_revision(rev, path, max_bytes),
            _ => self.read_worktree(path, max_bytes),
        }
    }

    /// The common git directory (shared by all worktrees; the git dir itself for the main one).
    pub fn common_dir(&self) -> &Path {
        self.inner.commondir()
    }

    /// The newest `limit` entries of HEAD's reflog, newest first (`HEAD@{0}` first); empty when there
    /// is no reflog.
    pub fn head_reflog(&self, limit: usize) -> Vec<ReflogEntry> {
        let Ok(reflog) = self.inner.reflog("HEAD") else { return Vec::new() };
        reflog
            .iter()
            .take(limit)
            .map(|entry| ReflogEntry {
                old: entry.id_old().to_string(),
                new: entry.id_new().to_string(),
                message: String::from_utf8_lossy(entry.message_bytes().unwrap_or_default()).into_owned(),
                time: entry.committer().when().seconds(),
            })
            .collect()
    }

    /// The full sha of the commit `rev` names (`HEAD`, a branch, a short sha).
    pub fn resolve_commit(&self, rev: &str) -> Result<String, GitError> {
        Ok(self.rev_commit(rev)?.id().to_string())
    }

    fn head_tree(&self) -> Result<Option<Tree<'_>>, GitError> {
        match self.inner.head() {
            Ok(head) => Ok(Some(head.peel_to_tree()?)),
            // No commits yet (unborn branch): the empty tree is the base.
            Err(error)
                if matches!(error.code(), git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound) =>
            {
                Ok(None)
            }
            Err(error) => Err(error.into()),
        }
    }

    fn rev_commit(&self, rev: &str) -> Result<git2::Commit<'_>, GitError> {
        let object = self
            .inner
            .revparse_single(rev)
            .map_err(|error| GitError(format!("unknown revision {rev:?}: {}", error.message())))?;
        object
            .peel_to_commit()
            .map_err(|error| GitError(format!("revision {rev:?} is not a commit: {}", error.message())))
    }

    fn rev_tree(&self, rev: &str) -> Result<Tree<'_>, GitError> {
        let object = match Oid::from_str(rev) {
            Ok(oid) if rev.len() == 40 => self.inner.find_object(oid, None),
            _ => self.inner.revparse_single(rev),
        }
        .map_err(|error| GitError(format!("unknown revision {rev:?}: {}", error.message())))?;
        object
            .peel_to_tree()
            .map_err(|error| GitError(format!("revision {rev:?} has no tree: {}", error.message())))
    }
}

fn pinned_options(paths: Option<&[String]>) -> DiffOptions {
    let mut options = DiffOptions::new();
    options
        .context_lines(3)
        .interhunk_lines(0)
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .show_untracked_content(true)
        .include_ignored(false)
        .ignore_submodules(true)
        .include_typechange(true)
        .update_index(false)
        .force_text(false)
        .ignore_whitespace(false)
        .ignore_filemode(false)
        .old_prefix("a/")
        .new_prefix("b/");
    if let Some(paths) = paths {
        options.disable_pathspec_match(true);
        for path in paths {
            options.pathspec(path.as_str());
        }
    }
    options
}

fn hunks(patch: &Patch<'_>) -> Result<Vec<Hunk>, GitError> {
    let mut out = Vec::with_capacity(patch.num_hunks());
    for hunk_index in 0..patch.num_hunks() {
        let (hunk, count) = patch.hunk(hunk_index)?;
        let mut lines = Vec::with_capacity(count);
        for line_index in 0..count {
            let line = patch.line_in_hunk(hunk_index, line_index)?;
            let kind = match line.origin() {
                '+' => LineKind::Added,
                '-' => LineKind::Removed,
                ' ' => LineKind::Context,
                _ => continue, // "\ No newline at end of file" markers
            };
            let text = String::from_utf8_lossy(line.content());
            let text = text.strip_suffix('\n').unwrap_or(&text);
            let text = text.strip_suffix('\r').unwrap_or(text);
            lines.push(DiffLine {
                kind,
                text: text.to_owned(),
                new_line: line.new_lineno(),
                old_line: line.old_lineno(),
            });
        }
        out.push(Hunk {
            old_start: hunk.old_start(),
            old_lines: hunk.old_lines(),
            new_start: hunk.new_start(),
            new_lines: hunk.new_lines(),
            lines,
        });
    }
    Ok(out)
}

fn path_string(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
