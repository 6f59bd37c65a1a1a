//! The review cache: the same request (diff, model, prompt version, policies, dual mode) is never paid
//! for twice. Entries are JSON files under `<git dir>/sg-lsp/review-cache/` (or a given directory),
//! keyed by a SHA-256 of the redacted request, at most `MAX_ENTRIES` of them (oldest pruned).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::parse::RawFinding;
use super::prompt::PROMPT_VERSION;
use crate::llm::{MessagesRequest, Usage};

/// Entries kept at most.
pub const MAX_ENTRIES: usize = 200;
const FORMAT: u32 = 1;

/// The cache key of a request: it holds the (redacted) diff, the policies and the model, plus the
/// prompt version and the dual mode.
pub fn key(request: &MessagesRequest, dual: bool) -> String {
    let mut hasher = Sha256::new();
    hasher.update(format!("sg-lsp review cache {FORMAT}\0{PROMPT_VERSION}\0{}\0{dual}\0", request.model));
    hasher.update(serde_json::to_vec(request).unwrap_or_default());
    hex::encode(hasher.finalize())
}

/// What is stored: the model's findings before validation, and what the review cost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub format: u32,
    pub prompt_version: String,
    pub model: String,
    pub findings: Vec<RawFinding>,
    pub usage: Usage,
    pub cost_usd: Option<f64>,
}

impl Entry {
    pub fn new(model: &str, findings: Vec<RawFinding>, usage: Usage, cost_usd: Option<f64>) -> Entry {
        Entry {
            format: FORMAT,
            prompt_version: PROMPT_VERSION.into(),
            model: model.into(),
            findings,
            usage,
            cost_usd,
        }
    }
}

/// A directory of cache entries.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    /// The default location for a repository: `<git dir>/sg-lsp/review-cache/`.
    pub fn in_git_dir(git_dir: &Path) -> Cache {
        Cache::new(git_dir.join("sg-lsp").join("review-cache"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// The stored entry for `key`; unreadable or foreign entries are misses.
    pub fn get(&self, key: &str) -> Option<Entry> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        let entry: Entry = serde_json::from_slice(&bytes).ok()?;
        (entry.format == FORMAT && entry.prompt_version == PROMPT_VERSION).then_some(entry)
    }

    /// Stores an entry (atomically: temp file, then rename) and prunes the oldest beyond
    /// `MAX_ENTRIES`. Failures are ignored: the cache is an optimisation.
    pub fn put(&self, key: &str, entry: &Entry) {
        if create_private_dir(&self.dir).is_err() {
            return;
        }
        let Ok(bytes) = serde_json::to_vec(entry) else { return };
        let temp = self.dir.join(format!(".{key}.{}.tmp", std::process::id()));
        if std::fs::write(&temp, bytes).is_ok() && std::fs::rename(&temp, self.path(key)).is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        self.prune(MAX_ENTRIES);
    }

    /// Removes the oldest entries beyond `keep`.
    pub fn prune(&self, keep: usize) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return };
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
            .flatten()
            .filter(|entry| entry.path().extension().is_some_and(|e| e == "json"))
            .filter_map(|entry| Some((entry.metadata().ok()?.modified().ok()?, entry.path())))
            .collect();
        if files.len() <= keep {
            return;
        }
        files.sort();
        for (_, path) in &files[..files.len() - keep] {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::Message;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sg-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn keys_change_with_the_diff_the_model_and_the_mode() {
        let a = MessagesRequest {
            model: "m".into(),
            messages: vec![Message::user_text("diff 1")],
            ..MessagesRequest::default()
        };
        let mut b = a.clone();
        assert_eq!(key(&a, false), key(&b, false));
        assert_ne!(key(&a, false), key(&a, true));
        b.model = "other".into();
        assert_ne!(key(&a, false), key(&b, false));
        let c = MessagesRequest { messages: vec![Message::user_text("diff 2")], ..a.clone() };
        assert_ne!(key(&a, false), key(&c, false));
        assert_eq!(key(&a, false).len(), 64);
    }

    #[test]
    fn entries_round_trip_and_are_pruned() {
        let dir = temp("prune");
        let cache = Cache::new(&dir);
        assert!(cache.get("k0").is_none());
        let entry = Entry::new("m", Vec::new(), Usage { input_tokens: 5, ..Usage::default() }, Some(0.01));
        for i in 0..5 {
            cache.put(&format!("k{i}"), &entry);
        }
        assert_eq!(cache.get("k4"), Some(entry));
        cache.prune(3);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 3);
        std::fs::write(dir.join("bad.json"), "{").unwrap();
        assert!(cache.get("bad").is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
