//! The agentic commit review (SPEC §5, issue 6): a native tool-use loop over a commit's diff. Stage 1
//! investigates with sandboxed `Read`/`Grep`/`Glob` and reports candidates with their data-flow
//! trace; stage 2 tries to refute each candidate and keeps the survivors. Budgets (turns, tokens,
//! bytes read, wall clock) bound it; when stage 1 fails or runs out, the single-shot diff review of
//! the commit answers instead.
//!
//! Nothing here logs file contents, diffs, prompts or keys.

pub mod sandbox;
pub mod tools;
