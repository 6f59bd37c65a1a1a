//! Generated from `queries/` by the `builtin_table_is_fresh` test in `server/tests/catalogue.rs`.
//! Do not edit: add or remove rule files and run `cargo test --test catalogue`.

use super::RuleSource;

const TABLE: &[(&str, &str, Option<&str>)] = &[
    ("any/aws-access-key-id", include_str!("../../../queries/any/aws-access-key-id.toml"), None),
    ("javascript/child-process-exec", include_str!("../../../queries/javascript/child-process-exec.toml"), Some(include_str!("../../../queries/javascript/child-process-exec.scm"))),
    ("python/eval", include_str!("../../../queries/python/eval.toml"), Some(include_str!("../../../queries/python/eval.scm"))),
];

pub(super) fn sources() -> Vec<RuleSource> {
    TABLE
        .iter()
        .map(|&(path, toml, query)| RuleSource { path: path.into(), toml: toml.into(), query: query.map(Into::into) })
        .collect()
}
