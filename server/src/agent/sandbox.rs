//! The agent's only way to the file system: read-only access confined to the repository's working
//! tree. Paths are relative to the repository root (an absolute path is accepted only inside it);
//! `..`, anything resolving outside the root (symlinks and symlinked parent directories included),
//! `.git` internals (any case, also the `.git` files of worktrees and submodules), non-regular files
//! and binary files are refused with a reason the model can read. Files over 1 MB are read only in
//! pages; a page holds at most 2,000 lines or 100 KB and is never built from more than that.
//!
//! Nothing here writes, executes or opens a connection, and nothing is logged.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Component, Path, PathBuf};

/// Files larger than this are read in pages only (`offset` / `limit`).
pub const MAX_WHOLE_FILE: u64 = 1_000_000;
/// Lines in one page at most.
pub const PAGE_LINES: usize = 2_000;
/// Bytes of file text in one page at most.
pub const PAGE_BYTES: usize = 100_000;
/// Characters kept of one line.
pub const MAX_LINE_CHARS: usize = 2_000;
/// A NUL byte in this many leading bytes makes a file binary.
pub const BINARY_PROBE: usize = 8 * 1024;

/// Why a path or a read was refused (sent to the model as an `is_error` tool result).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal(pub String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn refuse<T>(why: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(why.into()))
}

/// A path that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The canonical path (symlinks resolved), inside the root.
    pub full: PathBuf,
    /// Repository-relative with `/` separators, as the model named it (`.` for the root).
    pub relative: String,
}

/// One page of a file, numbered like `cat -n`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// `{line:>6}\t{text}` lines, then a bracketed note when the file goes on.
    pub text: String,
    /// One-based first and last line shown (`last < first` when none was).
    pub first: usize,
    pub last: usize,
    /// Whether the file has lines after `last`.
    pub more: bool,
}

/// Read-only, repository-confined file access.
#[derive(Clone, Debug)]
pub struct Sandbox {
    /// The canonical root.
    root: PathBuf,
    /// The root as given (absolute paths may use either spelling).
    given_root: PathBuf,
    /// The canonical git directory, when known (a worktree's lives outside the root).
    git_dir: Option<PathBuf>,
}

impl Sandbox {
    /// A sandbox over the directory `root` (the repository's working tree).
    pub fn new(root: &Path) -> io::Result<Sandbox> {
        let canonical = fs::canonicalize(root)?;
        if !canonical.is_dir() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "the sandbox root is not a directory"));
        }
        Ok(Sandbox { root: canonical, given_root: root.to_path_buf(), git_dir: None })
    }

    /// Also refuses everything under `git_dir` (canonicalized), wherever it lives.
    #[must_use]
    pub fn with_git_dir(mut self, git_dir: &Path) -> Sandbox {
        self.git_dir = fs::canonicalize(git_dir).ok();
        self
    }

    /// The canonical root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Checks `requested` (relative to the root, or absolute inside it) and resolves it.
    pub fn resolve(&self, requested: &str) -> Result<Resolved, Refusal> {
        let trimmed = requested.trim();
        if trimmed.is_empty() {
            return refuse("the path is empty: give a path relative to the repository root");
        }
        if trimmed.contains('\0') {
            return refuse("the path contains a NUL byte");
        }
        let path = Path::new(trimmed);
        let relative = if path.has_root() || path.is_absolute() {
            match path.strip_prefix(&self.root).or_else(|_| path.strip_prefix(&self.given_root)) {
                Ok(rest) => rest,
                Err(_) => {
                    return refuse(format!(
                        "{trimmed}: absolute path outside the repository; paths are relative to the repository root"
                    ));
                }
            }
        } else {
            path
        };
        let mut parts: Vec<String> = Vec::new();
        for component in relative.components() {
            match component {
                Component::Normal(name) => {
                    let name = name.to_string_lossy();
                    if is_git_name(&name) {
                        return refuse(format!("{trimmed}: .git internals are off limits"));
                    }
                    parts.push(name.into_owned());
                }
                Component::CurDir => {}
                Component::ParentDir => {
                    return refuse(format!(
                        "{trimmed}: `..` is not allowed; paths stay inside the repository (relative to its root)"
                    ));
                }
                Component::RootDir | Component::Prefix(_) => {
                    return refuse(format!("{trimmed}: absolute path outside the repository"));
                }
            }
        }
        let joined = parts.iter().fold(self.root.clone(), |full, part| full.join(part));
        let display = if parts.is_empty() { ".".to_owned() } else { parts.join("/") };
        let full = match fs::canonicalize(&joined) {
            Ok(full) => full,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return refuse(format!("{display}: no such file or directory"));
            }
            Err(_) => return refuse(format!("{display}: cannot be accessed")),
        };
        self.confine(&full, &display)?;
        Ok(Resolved { full, relative: display })
    }

    /// Checks a path met while walking the tree (a symlink, typically): its target must be inside the
    /// root and outside `.git`.
    pub fn check_entry(&self, path: &Path) -> Result<Resolved, Refusal> {
        let display = path
            .strip_prefix(&self.root)
            .map_or_else(|_| path.display().to_string(), |rest| rest.to_string_lossy().replace('\\', "/"));
        let Ok(full) = fs::canonicalize(path) else {
            return refuse(format!("{display}: cannot be resolved"));
        };
        self.confine(&full, &display)?;
        Ok(Resolved { full, relative: display })
    }

    /// `full` (canonical) must lie inside the root and outside any `.git`.
    fn confine(&self, full: &Path, display: &str) -> Result<(), Refusal> {
        let Ok(inside) = full.strip_prefix(&self.root) else {
            return refuse(format!(
                "{display}: resolves (through a symlink) to outside the repository; refused"
            ));
        };
        let in_git = inside
            .components()
            .any(|c| matches!(c, Component::Normal(n) if is_git_name(&n.to_string_lossy())))
            || self.git_dir.as_ref().is_some_and(|git| full.starts_with(git));
        if in_git {
            return refuse(format!("{display}: resolves into .git internals, which are off limits"));
        }
        Ok(())
    }

    /// Reads `requested` as numbered lines: from `offset` (one-based line, default 1), at most `limit`
    /// lines (default and cap [`PAGE_LINES`]) and [`PAGE_BYTES`] bytes. Files over
    /// [`MAX_WHOLE_FILE`] need `offset` or `limit`. Non-UTF-8 bytes are read lossily.
    pub fn read(&self, requested: &str, offset: Option<u64>, limit: Option<u64>) -> Result<Page, Refusal> {
        let resolved = self.resolve(requested)?;
        let name = &resolved.relative;
        let Ok(metadata) = fs::metadata(&resolved.full) else {
            return refuse(format!("{name}: cannot be accessed"));
        };
        if metadata.is_dir() {
            return refuse(format!("{name} is a directory: use Glob to list its files"));
        }
        if !metadata.is_file() {
            return refuse(format!("{name} is not a regular file"));
        }
        let Ok(mut file) = File::open(&resolved.full) else {
            return refuse(format!("{name}: cannot be opened"));
        };
        let mut probe = Vec::with_capacity(BINARY_PROBE);
        if (&mut file).take(BINARY_PROBE as u64).read_to_end(&mut probe).is_err() {
            return refuse(format!("{name}: cannot be read"));
        }
        if probe.contains(&0) {
            return refuse(format!("{name} is a binary file; only text files can be read"));
        }
        let paged = offset.is_some() || limit.is_some();
        if metadata.len() > MAX_WHOLE_FILE && !paged {
            return refuse(format!(
                "{name} is {} bytes, over the 1 MB limit for whole reads: read it in pages with offset and limit (at most {PAGE_LINES} lines or {PAGE_BYTES} bytes a page)",
                metadata.len()
            ));
        }
        let first = usize::try_from(offset.unwrap_or(1).max(1)).unwrap_or(usize::MAX);
        let limit =
            limit.map_or(PAGE_LINES, |l| usize::try_from(l).unwrap_or(PAGE_LINES).clamp(1, PAGE_LINES));
        let mut reader = BufReader::new(io::Cursor::new(probe).chain(file));
        page(&mut reader, first, limit).map_err(|_| Refusal(format!("{name}: cannot be read")))
    }
}

/// Whether a path component names a git directory or file (`.git` in any case, with the trailing dots
/// or spaces Windows ignores).
pub fn is_git_name(name: &str) -> bool {
    name.trim_end_matches(['.', ' ']).eq_ignore_ascii_case(".git")
}

/// Numbers lines `first..first + limit` of `reader`, within [`PAGE_BYTES`].
fn page(reader: &mut impl BufRead, first: usize, limit: usize) -> io::Result<Page> {
    use std::fmt::Write as _;
    let mut number = 0usize;
    let mut text = String::new();
    let mut line = Vec::new();
    let mut last = first.saturating_sub(1);
    let mut shown = 0usize;
    let mut page_bytes = 0usize;
    while number + 1 < first {
        if !skip_line(reader)? {
            let note = if number == 0 {
                "[the file is empty]".to_owned()
            } else {
                format!("[the file has only {number} lines; offset {first} is past its end]")
            };
            return Ok(Page { text: note, first, last: number, more: false });
        }
        number += 1;
    }
    loop {
        if shown == limit || page_bytes >= PAGE_BYTES {
            break;
        }
        let Some(cut) = read_line(reader, MAX_LINE_CHARS * 4, &mut line)? else { break };
        number += 1;
        let lossy = String::from_utf8_lossy(&line);
        let body = lossy.trim_end_matches(['\n', '\r']);
        let mut body: String = body.chars().take(MAX_LINE_CHARS).collect();
        if cut || body.len() < lossy.trim_end_matches(['\n', '\r']).len() {
            body.push_str(" … [line truncated]");
        }
        let _ = writeln!(text, "{number:>6}\t{body}");
        page_bytes += body.len();
        shown += 1;
        last = number;
    }
    let more = !reader.fill_buf()?.is_empty();
    if shown == 0 && number == 0 {
        text.push_str("[the file is empty]");
    } else if more {
        let _ =
            write!(text, "[lines {first}-{last} shown; the file goes on: continue with offset={}]", last + 1);
    }
    Ok(Page { text, first, last, more })
}

/// Skips one line; `false` at the end of the input.
fn skip_line(reader: &mut impl BufRead) -> io::Result<bool> {
    let mut any = false;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(any);
        }
        any = true;
        if let Some(at) = buffer.iter().position(|&b| b == b'\n') {
            reader.consume(at + 1);
            return Ok(true);
        }
        let len = buffer.len();
        reader.consume(len);
    }
}

/// Reads one line into `out`, keeping at most `keep` bytes of it (the rest is skipped, never held).
/// `None` at the end of the input; `Some(true)` when the line was cut.
fn read_line(reader: &mut impl BufRead, keep: usize, out: &mut Vec<u8>) -> io::Result<Option<bool>> {
    out.clear();
    let mut any = false;
    let mut cut = false;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(any.then_some(cut));
        }
        any = true;
        let (chunk, done) = match buffer.iter().position(|&b| b == b'\n') {
            Some(at) => (&buffer[..=at], true),
            None => (buffer, false),
        };
        let room = keep.saturating_sub(out.len());
        if chunk.len() > room {
            cut = true;
        }
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let len = chunk.len();
        reader.consume(len);
        if done {
            return Ok(Some(cut));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Dir(PathBuf);

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn temp(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("sg-lsp-sandbox-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("repo/app")).unwrap();
        fs::create_dir_all(dir.join("repo/.git")).unwrap();
        fs::write(dir.join("repo/.git/config"), "[core]\n").unwrap();
        fs::write(dir.join("repo/app/a.py"), "one\ntwo\r\nthree\n").unwrap();
        fs::write(dir.join("outside.txt"), "OUTSIDE-UNIQUE\n").unwrap();
        Dir(fs::canonicalize(dir).unwrap())
    }

    fn refused(result: Result<Page, Refusal>) -> String {
        match result {
            Err(Refusal(why)) => why,
            Ok(page) => panic!("expected a refusal, read {:?}", page.text),
        }
    }

    #[test]
    fn relative_paths_read_as_numbered_lines() {
        let dir = temp("read");
        let sandbox = Sandbox::new(&dir.0.join("repo")).unwrap();
        let page = sandbox.read("app/a.py", None, None).unwrap();
        assert_eq!(page.text, "     1\tone\n     2\ttwo\n     3\tthree\n");
        assert!(!page.more);
        let page = sandbox.read("./app/a.py", Some(2), Some(1)).unwrap();
        assert_eq!(page.text, "     2\ttwo\n[lines 2-2 shown; the file goes on: continue with offset=3]");
        let page = sandbox.read("app/a.py", Some(9), None).unwrap();
        assert!(page.text.contains("only 3 lines"), "{}", page.text);
        let absolute = dir.0.join("repo/app/a.py");
        assert!(sandbox.read(absolute.to_str().unwrap(), None, None).is_ok(), "absolute inside the root");
    }

    #[test]
    fn escapes_are_refused() {
        let dir = temp("escape");
        let sandbox = Sandbox::new(&dir.0.join("repo")).unwrap();
        assert!(refused(sandbox.read("../outside.txt", None, None)).contains("`..` is not allowed"));
        assert!(refused(sandbox.read("app/../../outside.txt", None, None)).contains("`..`"));
        let outside = dir.0.join("outside.txt");
        assert!(
            refused(sandbox.read(outside.to_str().unwrap(), None, None)).contains("outside the repository")
        );
        assert!(refused(sandbox.read("/etc/passwd", None, None)).contains("outside the repository"));
        for git in [".git/config", ".GIT/config", "app/.Git", ".git"] {
            assert!(refused(sandbox.read(git, None, None)).contains(".git internals"), "{git}");
        }
        assert!(refused(sandbox.read("app", None, None)).contains("is a directory"));
        assert!(refused(sandbox.read("missing.py", None, None)).contains("no such file"));
        assert!(refused(sandbox.read("", None, None)).contains("empty"));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_root_or_into_git_are_refused() {
        use std::os::unix::fs::symlink;
        let dir = temp("symlink");
        let repo = dir.0.join("repo");
        symlink(dir.0.join("outside.txt"), repo.join("link.txt")).unwrap();
        symlink(&dir.0, repo.join("up")).unwrap();
        symlink(repo.join(".git/config"), repo.join("cfg")).unwrap();
        symlink(repo.join("app/a.py"), repo.join("inside.py")).unwrap();
        let sandbox = Sandbox::new(&repo).unwrap();
        assert!(refused(sandbox.read("link.txt", None, None)).contains("outside the repository"));
        assert!(refused(sandbox.read("up/outside.txt", None, None)).contains("outside the repository"));
        assert!(refused(sandbox.read("cfg", None, None)).contains(".git internals"));
        assert!(sandbox.read("inside.py", None, None).unwrap().text.starts_with("     1\tone"));
    }

    #[test]
    fn binary_and_large_files() {
        let dir = temp("large");
        let repo = dir.0.join("repo");
        fs::write(repo.join("bin.dat"), b"abc\0def").unwrap();
        let line = "x".repeat(99) + "\n";
        fs::write(repo.join("big.txt"), line.repeat(12_000)).unwrap();
        fs::write(repo.join("long.txt"), "y".repeat(50_000)).unwrap();
        fs::write(repo.join("latin1.txt"), b"caf\xe9\n").unwrap();
        let sandbox = Sandbox::new(&repo).unwrap();
        assert!(refused(sandbox.read("bin.dat", None, None)).contains("binary"));
        assert!(refused(sandbox.read("big.txt", None, None)).contains("over the 1 MB limit"));
        let page = sandbox.read("big.txt", Some(100), None).unwrap();
        assert_eq!((page.first, page.last, page.more), (100, 1_110, true), "100 KB cap");
        assert!(page.text.len() < PAGE_BYTES + 20_000);
        let page = sandbox.read("big.txt", Some(11_999), Some(5)).unwrap();
        assert_eq!((page.last, page.more), (12_000, false));
        let page = sandbox.read("long.txt", None, None).unwrap();
        assert!(page.text.ends_with("… [line truncated]\n") && page.text.len() < 2_100);
        assert_eq!(sandbox.read("latin1.txt", None, None).unwrap().text, "     1\tcaf\u{fffd}\n");
    }
}
