//! Resource limits: the address-space limit (`ulimit -v`) decides whether a file can be parsed, or is
//! scanned with regex rules only (with a note) rather than be killed half-way.
//!
//! An allocation failure aborts the process (Rust and tree-sitter both abort). The estimates here keep
//! the hook from attempting what clearly cannot fit; `supervise` catches what they get wrong. They are
//! measured values, not worst cases: an underestimate costs one retry, an overestimate a scan.

/// Files larger than this are not scanned at all (as `sg-lsp scan` does).
pub(crate) const MAX_FILE_SIZE: u64 = 2 * 1024 * 1024;

/// Address space a parse needs, per byte of source: tree-sitter's tree and stacks plus the query
/// cursor's state. Measured: a 350 KB, 10k-line Python file takes 19.5 MB to parse and 1.5 MB more
/// to query (about 60 bytes per byte).
const PARSE_BYTES_PER_SOURCE_BYTE: u64 = 60;
/// Fixed cost of a parse and of compiling the candidate rules' queries.
const PARSE_BASE: u64 = 512 * 1024;
/// Address space set aside per loaded rule for compiling and running its regexes (the regex
/// engine's automata and caches; Unicode classes such as `\p{L}` cost the most).
const REGEX_PER_RULE: u64 = 256 * 1024;

/// How much of the pattern layer fits in the address space left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Fit {
    /// Parse and run every loaded rule.
    Full,
    /// Regex rules only: the parse would not fit.
    RegexOnly(String),
    /// Not even the regexes fit: nothing is scanned.
    Nothing(String),
}

/// Decides what fits for a source of `source_len` bytes with `rules` rules loaded.
pub(crate) fn fit(source_len: usize, rules: usize, parse: bool) -> Fit {
    let Some(headroom) = headroom() else { return Fit::Full };
    let regexes = rules as u64 * REGEX_PER_RULE;
    if regexes > headroom {
        return Fit::Nothing(format!(
            "the address-space limit (ulimit -v) leaves {} KiB, too little to run {rules} rules: nothing was scanned",
            headroom / 1024
        ));
    }
    let need = regexes + PARSE_BASE + source_len as u64 * PARSE_BYTES_PER_SOURCE_BYTE;
    if parse && need > headroom {
        return Fit::RegexOnly(format!(
            "the address-space limit (ulimit -v) leaves {} KiB and parsing needs about {} KiB: scanned with regex rules only",
            headroom / 1024,
            need / 1024
        ));
    }
    Fit::Full
}

/// Bytes of address space still free under `RLIMIT_AS`, or `None` when there is no limit (or the
/// platform does not tell).
pub(crate) fn headroom() -> Option<u64> {
    let limit = address_space_limit()?;
    let used = address_space_used().unwrap_or(0);
    Some(limit.saturating_sub(used))
}

/// The soft `RLIMIT_AS` in bytes, read from `/proc/self/limits` (no `unsafe` needed).
pub(crate) fn address_space_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    parse_limit(&limits)
}

fn parse_limit(limits: &str) -> Option<u64> {
    let line = limits.lines().find(|line| line.starts_with("Max address space"))?;
    let soft = line["Max address space".len()..].split_whitespace().next()?;
    soft.parse().ok()
}

/// The address space mapped now (`VmSize`), in bytes.
pub(crate) fn address_space_used() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_size(&status)
}

fn parse_vm_size(status: &str) -> Option<u64> {
    status_kib(status, "VmSize:").map(|kib| kib * 1024)
}

/// Peak address space and peak resident memory so far, in KiB (for the debug log and benchmarks).
pub(crate) fn peaks() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    Some((status_kib(&status, "VmPeak:")?, status_kib(&status, "VmHWM:")?))
}

fn status_kib(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_proc_files() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max cpu time              unlimited            unlimited            seconds   \n\
                      Max address space         16384000             unlimited            bytes     \n";
        assert_eq!(parse_limit(limits), Some(16_384_000));
        assert_eq!(parse_limit(&limits.replace("16384000 ", "unlimited")), None);
        assert_eq!(parse_vm_size("Name:\tx\nVmSize:\t   12345 kB\n"), Some(12_345 * 1024));
        assert_eq!(parse_vm_size("Name:\tx\n"), None);
    }
}
