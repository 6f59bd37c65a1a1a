//! Generated from `queries/` by the `builtin_table_is_fresh` test in `server/tests/catalogue.rs`.
//! Do not edit: add or remove rule files and run `cargo test --test catalogue`.

use super::RuleSource;

#[rustfmt::skip]
const TABLE: &[(&str, &str, Option<&str>)] = &[
    ("any/anthropic-api-key", include_str!("../../../queries/any/anthropic-api-key.toml"), None),
    ("any/aws-access-key-id", include_str!("../../../queries/any/aws-access-key-id.toml"), None),
    ("any/aws-secret-access-key", include_str!("../../../queries/any/aws-secret-access-key.toml"), None),
    ("any/bidi-control", include_str!("../../../queries/any/bidi-control.toml"), None),
    ("any/github-token", include_str!("../../../queries/any/github-token.toml"), None),
    ("any/gitlab-token", include_str!("../../../queries/any/gitlab-token.toml"), None),
    ("any/google-api-key", include_str!("../../../queries/any/google-api-key.toml"), None),
    ("any/hardcoded-password", include_str!("../../../queries/any/hardcoded-password.toml"), None),
    ("any/homoglyph-identifier", include_str!("../../../queries/any/homoglyph-identifier.toml"), None),
    ("any/invisible-character", include_str!("../../../queries/any/invisible-character.toml"), None),
    ("any/openai-api-key", include_str!("../../../queries/any/openai-api-key.toml"), None),
    ("any/private-key", include_str!("../../../queries/any/private-key.toml"), None),
    ("any/prompt-injection", include_str!("../../../queries/any/prompt-injection.toml"), None),
    ("any/prompt-injection-html-comment", include_str!("../../../queries/any/prompt-injection-html-comment.toml"), None),
    ("any/script-without-sri", include_str!("../../../queries/any/script-without-sri.toml"), None),
    ("any/slack-token", include_str!("../../../queries/any/slack-token.toml"), None),
    ("any/stripe-live-key", include_str!("../../../queries/any/stripe-live-key.toml"), None),
    ("any/tls-reject-unauthorized-env", include_str!("../../../queries/any/tls-reject-unauthorized-env.toml"), None),
    ("javascript/aes-ecb", include_str!("../../../queries/javascript/aes-ecb.toml"), Some(include_str!("../../../queries/javascript/aes-ecb.scm"))),
    ("javascript/child-process-exec", include_str!("../../../queries/javascript/child-process-exec.toml"), Some(include_str!("../../../queries/javascript/child-process-exec.scm"))),
    ("javascript/create-cipher-no-iv", include_str!("../../../queries/javascript/create-cipher-no-iv.toml"), Some(include_str!("../../../queries/javascript/create-cipher-no-iv.scm"))),
    ("javascript/dangerously-set-inner-html", include_str!("../../../queries/javascript/dangerously-set-inner-html.toml"), Some(include_str!("../../../queries/javascript/dangerously-set-inner-html.scm"))),
    ("javascript/document-write", include_str!("../../../queries/javascript/document-write.toml"), Some(include_str!("../../../queries/javascript/document-write.scm"))),
    ("javascript/eval", include_str!("../../../queries/javascript/eval.toml"), Some(include_str!("../../../queries/javascript/eval.scm"))),
    ("javascript/inner-html", include_str!("../../../queries/javascript/inner-html.toml"), Some(include_str!("../../../queries/javascript/inner-html.scm"))),
    ("javascript/insecure-random-token", include_str!("../../../queries/javascript/insecure-random-token.toml"), Some(include_str!("../../../queries/javascript/insecure-random-token.scm"))),
    ("javascript/insert-adjacent-html", include_str!("../../../queries/javascript/insert-adjacent-html.toml"), Some(include_str!("../../../queries/javascript/insert-adjacent-html.scm"))),
    ("javascript/new-function", include_str!("../../../queries/javascript/new-function.toml"), Some(include_str!("../../../queries/javascript/new-function.scm"))),
    ("javascript/node-serialize", include_str!("../../../queries/javascript/node-serialize.toml"), Some(include_str!("../../../queries/javascript/node-serialize.scm"))),
    ("javascript/set-timeout-string", include_str!("../../../queries/javascript/set-timeout-string.toml"), Some(include_str!("../../../queries/javascript/set-timeout-string.scm"))),
    ("javascript/spawn-shell", include_str!("../../../queries/javascript/spawn-shell.toml"), Some(include_str!("../../../queries/javascript/spawn-shell.scm"))),
    ("javascript/sql-injection", include_str!("../../../queries/javascript/sql-injection.toml"), Some(include_str!("../../../queries/javascript/sql-injection.scm"))),
    ("javascript/tls-verify-disabled", include_str!("../../../queries/javascript/tls-verify-disabled.toml"), Some(include_str!("../../../queries/javascript/tls-verify-disabled.scm"))),
    ("javascript/vm-run", include_str!("../../../queries/javascript/vm-run.toml"), Some(include_str!("../../../queries/javascript/vm-run.scm"))),
    ("javascript/weak-hash-password", include_str!("../../../queries/javascript/weak-hash-password.toml"), Some(include_str!("../../../queries/javascript/weak-hash-password.scm"))),
    ("python/aes-ecb", include_str!("../../../queries/python/aes-ecb.toml"), Some(include_str!("../../../queries/python/aes-ecb.scm"))),
    ("python/django-debug", include_str!("../../../queries/python/django-debug.toml"), Some(include_str!("../../../queries/python/django-debug.scm"))),
    ("python/eval", include_str!("../../../queries/python/eval.toml"), Some(include_str!("../../../queries/python/eval.scm"))),
    ("python/exec-compile", include_str!("../../../queries/python/exec-compile.toml"), Some(include_str!("../../../queries/python/exec-compile.scm"))),
    ("python/flask-debug", include_str!("../../../queries/python/flask-debug.toml"), Some(include_str!("../../../queries/python/flask-debug.scm"))),
    ("python/insecure-random-token", include_str!("../../../queries/python/insecure-random-token.toml"), Some(include_str!("../../../queries/python/insecure-random-token.scm"))),
    ("python/jinja2-autoescape-off", include_str!("../../../queries/python/jinja2-autoescape-off.toml"), Some(include_str!("../../../queries/python/jinja2-autoescape-off.scm"))),
    ("python/jsonpickle-decode", include_str!("../../../queries/python/jsonpickle-decode.toml"), Some(include_str!("../../../queries/python/jsonpickle-decode.scm"))),
    ("python/mark-safe", include_str!("../../../queries/python/mark-safe.toml"), Some(include_str!("../../../queries/python/mark-safe.scm"))),
    ("python/marshal-load", include_str!("../../../queries/python/marshal-load.toml"), Some(include_str!("../../../queries/python/marshal-load.scm"))),
    ("python/os-system", include_str!("../../../queries/python/os-system.toml"), Some(include_str!("../../../queries/python/os-system.scm"))),
    ("python/pickle-load", include_str!("../../../queries/python/pickle-load.toml"), Some(include_str!("../../../queries/python/pickle-load.scm"))),
    ("python/pickle-wrappers", include_str!("../../../queries/python/pickle-wrappers.toml"), Some(include_str!("../../../queries/python/pickle-wrappers.scm"))),
    ("python/shelve-open", include_str!("../../../queries/python/shelve-open.toml"), Some(include_str!("../../../queries/python/shelve-open.scm"))),
    ("python/sql-injection", include_str!("../../../queries/python/sql-injection.toml"), Some(include_str!("../../../queries/python/sql-injection.scm"))),
    ("python/subprocess-shell", include_str!("../../../queries/python/subprocess-shell.toml"), Some(include_str!("../../../queries/python/subprocess-shell.scm"))),
    ("python/tempfile-mktemp", include_str!("../../../queries/python/tempfile-mktemp.toml"), Some(include_str!("../../../queries/python/tempfile-mktemp.scm"))),
    ("python/tls-verify-disabled", include_str!("../../../queries/python/tls-verify-disabled.toml"), Some(include_str!("../../../queries/python/tls-verify-disabled.scm"))),
    ("python/torch-load", include_str!("../../../queries/python/torch-load.toml"), Some(include_str!("../../../queries/python/torch-load.scm"))),
    ("python/weak-hash-password", include_str!("../../../queries/python/weak-hash-password.toml"), Some(include_str!("../../../queries/python/weak-hash-password.scm"))),
    ("python/xml-parse", include_str!("../../../queries/python/xml-parse.toml"), Some(include_str!("../../../queries/python/xml-parse.scm"))),
    ("python/yaml-load", include_str!("../../../queries/python/yaml-load.toml"), Some(include_str!("../../../queries/python/yaml-load.scm"))),
    ("workflow/pull-request-target-checkout", include_str!("../../../queries/workflow/pull-request-target-checkout.toml"), Some(include_str!("../../../queries/workflow/pull-request-target-checkout.scm"))),
    ("workflow/script-injection", include_str!("../../../queries/workflow/script-injection.toml"), Some(include_str!("../../../queries/workflow/script-injection.scm"))),
    ("workflow/unpinned-action", include_str!("../../../queries/workflow/unpinned-action.toml"), Some(include_str!("../../../queries/workflow/unpinned-action.scm"))),
];

#[rustfmt::skip]
pub(super) fn sources() -> Vec<RuleSource> {
    TABLE
        .iter()
        .map(|&(path, toml, query)| RuleSource { path: path.into(), toml: toml.into(), query: query.map(Into::into) })
        .collect()
}
