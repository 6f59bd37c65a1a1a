//! Byte caps on what is sent: 80 KB of diff per file and 400 KB in total. A cut is made at a line
//! boundary and a truncation marker is written into the content, so the model knows code is missing.

use std::fmt::Write as _;

/// Bytes of rendered diff per file.
pub const PER_FILE_BYTES: usize = 80_000;
/// Bytes of rendered diff over all files.
pub const TOTAL_BYTES: usize = 400_000;
/// Below this many bytes left, a file is omitted rather than cut to a stub.
const MIN_USEFUL_BYTES: usize = 2_000;

/// What happened to one file's rendered diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capped {
    Whole,
    Truncated { omitted_lines: usize },
    Omitted,
}

/// Applies the per-file and the running total budget to each body in order; bodies are changed in
/// place (truncated ones end with a marker line, omitted ones become a marker line).
pub fn apply(bodies: &mut [String], per_file: usize, total: usize) -> Vec<Capped> {
    let mut used = 0usize;
    let mut out = Vec::with_capacity(bodies.len());
    for body in bodies.iter_mut() {
        let left = total.saturating_sub(used);
        let budget = per_file.min(left);
        if body.len() <= budget {
            used += body.len();
            out.push(Capped::Whole);
            continue;
        }
        if budget < MIN_USEFUL_BYTES.min(per_file) {
            body.clear();
            body.push_str(
                "[sg-lsp: this file's diff is not shown: the total size limit of the review was reached]\n",
            );
            used += body.len();
            out.push(Capped::Omitted);
            continue;
        }
        let omitted_lines = truncate_lines(body, budget.saturating_sub(200));
        let limit = if budget == per_file { "per-file" } else { "total" };
        let _ = writeln!(
            body,
            "[sg-lsp: diff truncated at the {limit} size limit: {omitted_lines} more lines not shown]"
        );
        used += body.len();
        out.push(Capped::Truncated { omitted_lines });
    }
    out
}

/// Cuts `body` to at most `max` bytes at a line boundary; returns the number of lines removed.
fn truncate_lines(body: &mut String, max: usize) -> usize {
    let mut cut = 0;
    for (index, _) in body.match_indices('\n') {
        if index + 1 > max {
            break;
        }
        cut = index + 1;
    }
    let omitted = body[cut..].lines().count();
    body.truncate(cut);
    omitted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(lines: usize, width: usize) -> String {
        let mut out = String::new();
        for i in 0..lines {
            let _ = writeln!(out, "{:>width$}", i, width = width - 1);
        }
        out
    }

    #[test]
    fn small_bodies_pass_whole() {
        let mut bodies = vec![body(10, 10), body(5, 10)];
        assert_eq!(apply(&mut bodies, PER_FILE_BYTES, TOTAL_BYTES), [Capped::Whole, Capped::Whole]);
        assert_eq!(bodies[0].len(), 100);
    }

    #[test]
    fn a_large_file_is_cut_at_a_line_with_a_marker() {
        let mut bodies = vec![body(10_000, 20)]; // 200 KB
        let capped = apply(&mut bodies, PER_FILE_BYTES, TOTAL_BYTES);
        let Capped::Truncated { omitted_lines } = capped[0] else { panic!("{capped:?}") };
        assert!(bodies[0].len() <= PER_FILE_BYTES);
        assert!(bodies[0].ends_with("more lines not shown]\n"));
        assert!(bodies[0].contains("per-file size limit"));
        assert_eq!(omitted_lines + bodies[0].lines().count() - 1, 10_000);
    }

    #[test]
    fn the_total_budget_cuts_then_omits_later_files() {
        let mut bodies: Vec<String> = (0..7).map(|_| body(3_500, 20)).collect(); // 70 KB each
        let capped = apply(&mut bodies, PER_FILE_BYTES, TOTAL_BYTES);
        assert_eq!(&capped[..5], &[Capped::Whole; 5]);
        assert!(matches!(capped[5], Capped::Truncated { .. }));
        assert!(bodies[5].contains("total size limit"));
        assert_eq!(capped[6], Capped::Omitted);
        assert!(bodies.iter().map(String::len).sum::<usize>() <= TOTAL_BYTES + 200);
    }
}
