//! Which changed files are worth reviewing: source and configuration by extension or basename;
//! vendored, generated, minified and lock files, binaries and deletions are skipped.

use crate::git::{FileDiff, FileStatus};

const EXTENSIONS: &[&str] = &[
    "py",
    "pyi",
    "js",
    "ts",
    "jsx",
    "tsx",
    "mjs",
    "cjs",
    "mts",
    "cts",
    "go",
    "java",
    "rb",
    "php",
    "rs",
    "c",
    "cc",
    "cpp",
    "cxx",
    "h",
    "hh",
    "hpp",
    "cs",
    "swift",
    "kt",
    "kts",
    "scala",
    "html",
    "htm",
    "ejs",
    "erb",
    "jinja",
    "j2",
    "hbs",
    "yaml",
    "yml",
    "properties",
    "vue",
    "svelte",
    "sh",
    "bash",
    "zsh",
    "fish",
    "ksh",
    "ps1",
    "psm1",
    "sql",
    "gradle",
    "groovy",
    "tf",
    "hcl",
    "tfvars",
    "json",
    "toml",
    "ini",
    "cfg",
    "conf",
    "xml",
    "ipynb",
    "lua",
    "pl",
    "pm",
    "ex",
    "exs",
    "dart",
    "m",
    "mm",
    "r",
    "env",
];

const BASENAMES: &[&str] = &[
    "dockerfile",
    "containerfile",
    "makefile",
    "gnumakefile",
    "jenkinsfile",
    "vagrantfile",
    "gemfile",
    "rakefile",
    "procfile",
    "brewfile",
    "podfile",
    "justfile",
    "caddyfile",
    ".env",
    ".htaccess",
    ".npmrc",
    ".pypirc",
    ".netrc",
];

/// Extensionless files that are metadata, not code.
const METADATA: &[&str] = &[
    "license",
    "licence",
    "copying",
    "notice",
    "readme",
    "changelog",
    "changes",
    "authors",
    "contributors",
    "codeowners",
    "owners",
    "version",
    "todo",
    "news",
    "history",
    "maintainers",
    "patents",
];

const SKIP_DIRS: &[&str] = &[
    "node_modules",
    "dist",
    "build",
    ".next",
    ".nuxt",
    "vendor",
    "third_party",
    "__generated__",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    "target",
    "bower_components",
    ".git",
    "coverage",
];

const SKIP_SUFFIXES: &[&str] = &[
    ".min.js",
    ".min.css",
    ".min.mjs",
    ".d.ts",
    ".lock",
    "_pb2.py",
    "_pb2_grpc.py",
    ".pb.go",
    ".pb.gw.go",
    ".generated.ts",
    ".generated.js",
    ".g.dart",
    ".freezed.dart",
    ".map",
    "-lock.json",
    "-lock.yaml",
];

const SKIP_BASENAMES: &[&str] = &[
    "package-lock.json",
    "yarn.lock",
    "cargo.lock",
    "pnpm-lock.yaml",
    "poetry.lock",
    "pipfile.lock",
    "gemfile.lock",
    "composer.lock",
    "go.sum",
    "npm-shrinkwrap.json",
    "bun.lockb",
    "uv.lock",
];

/// Why a file is not reviewed (`None`: it is reviewed).
pub fn skip_reason(file: &FileDiff) -> Option<&'static str> {
    if file.status == FileStatus::Deleted {
        return Some("deleted");
    }
    if file.binary {
        return Some("binary");
    }
    if !reviewable_path(&file.path) {
        return Some("not a reviewable file type, or vendored, generated, minified or a lock file");
    }
    if file.added_lines() == 0 {
        return Some("no added lines");
    }
    None
}

/// Whether a repository-relative path names a file the review looks at.
pub fn reviewable_path(path: &str) -> bool {
    // A control character in a path could forge prompt structure; such files are not reviewed.
    if path.chars().any(char::is_control) {
        return false;
    }
    let lower = path.to_ascii_lowercase();
    let mut components: Vec<&str> = lower.split('/').collect();
    let Some(basename) = components.pop() else { return false };
    if components.iter().any(|dir| SKIP_DIRS.contains(dir)) {
        return false;
    }
    if SKIP_BASENAMES.contains(&basename) || SKIP_SUFFIXES.iter().any(|suffix| basename.ends_with(suffix)) {
        return false;
    }
    if BASENAMES.contains(&basename)
        || BASENAMES.iter().any(|name| basename.starts_with(&format!("{name}.")) && !name.starts_with('.'))
        || basename.starts_with(".env.")
    {
        return true;
    }
    match basename.rsplit_once('.') {
        Some(("", _)) => false, // other dotfiles: .gitignore, .editorconfig, ...
        Some((_, extension)) => EXTENSIONS.contains(&extension),
        None => !METADATA.contains(&basename),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_and_config_files_are_reviewed() {
        for path in [
            "app/views.py",
            "src/index.TS",
            "web/App.tsx",
            "Dockerfile",
            "docker/Dockerfile.prod",
            "Makefile",
            ".github/workflows/ci.yml",
            "infra/main.tf",
            "bin/deploy",
            "config/.env",
            "config/.env.production",
            "notebook.ipynb",
        ] {
            assert!(reviewable_path(path), "{path} should be reviewed");
        }
    }

    #[test]
    fn vendored_generated_minified_lock_and_metadata_files_are_skipped() {
        for path in [
            "node_modules/left-pad/index.js",
            "web/dist/app.js",
            "build/out.py",
            "vendor/github.com/x/y.go",
            "target/debug/build.rs",
            ".venv/lib/site.py",
            "pkg/__pycache__/m.py",
            "src/__generated__/schema.ts",
            "static/app.min.js",
            "static/app.min.css",
            "types/index.d.ts",
            "Cargo.lock",
            "package-lock.json",
            "web/yarn.lock",
            "proto/api_pb2.py",
            "api/api.pb.go",
            "LICENSE",
            "README",
            "README.md",
            "docs/guide.txt",
            "image.png",
            ".gitignore",
            "evil\n=== DIFF: x.py ===.py",
        ] {
            assert!(!reviewable_path(path), "{path} should be skipped");
        }
    }

    #[test]
    fn deleted_binary_and_removal_only_files_are_skipped() {
        let mut file = FileDiff {
            path: "a.py".into(),
            old_path: None,
            status: FileStatus::Deleted,
            binary: false,
            hunks: Vec::new(),
        };
        assert_eq!(skip_reason(&file), Some("deleted"));
        file.status = FileStatus::Modified;
        file.binary = true;
        assert_eq!(skip_reason(&file), Some("binary"));
        file.binary = false;
        assert_eq!(skip_reason(&file), Some("no added lines"));
    }
}
