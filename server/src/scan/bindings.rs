//! Which module a name comes from: `import pickle as pk`, `from os import system`,
//! `const { exec } = require('child_process')`, `import * as cp from 'node:child_process'`.
//!
//! A rule asks `(#resolves-to? @callee "^child_process\\.exec$")`; the callee's qualified name is its
//! dotted path with the head name replaced by what it was imported as. A name that was never imported
//! keeps its own spelling, so `db.exec` stays `db.exec` and `exec` stays `exec`.

use std::collections::{HashMap, HashSet};

use tree_sitter::{Node, Query, QueryCapture};

use crate::language::Language;

const PYTHON_IMPORTS: &str = r"
(import_statement name: (dotted_name . (identifier) @alias) @module)
(import_statement name: (aliased_import name: (dotted_name) @module alias: (identifier) @alias))
(import_from_statement module_name: (_) @module name: (dotted_name) @name)
(import_from_statement module_name: (_) @module name: (aliased_import name: (dotted_name) @name alias: (identifier) @alias))
(assignment left: (identifier) @alias right: [(attribute) (identifier)] @value)
";

const JS_IMPORTS: &str = r"
(import_statement (import_clause (identifier) @alias) source: (string (string_fragment) @module))
(import_statement (import_clause (namespace_import (identifier) @alias)) source: (string (string_fragment) @module))
(import_statement (import_clause (named_imports (import_specifier name: (_) @name alias: (identifier)? @alias)))
  source: (string (string_fragment) @module))
(variable_declarator name: (object_pattern (shorthand_property_identifier_pattern) @name) value: (_) @value)
(variable_declarator name: (object_pattern (pair_pattern key: (property_identifier) @name value: (identifier) @alias))
  value: (_) @value)
(variable_declarator name: (identifier) @alias value: [(call_expression) (member_expression) (identifier)] @value)
(assignment_expression left: (identifier) @alias right: [(call_expression) (member_expression)] @value)
";

/// The binding patterns of a language, appended to every plan's combined query so one pass over the
/// tree serves the rules and the imports alike.
pub(crate) fn binding_query_source(language: Language) -> Option<&'static str> {
    match language {
        Language::Python => Some(PYTHON_IMPORTS),
        Language::JavaScript | Language::TypeScript | Language::Tsx => Some(JS_IMPORTS),
        Language::Workflow | Language::Text => None,
    }
}

/// Capture indices of the binding patterns in the combined query.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BindingCaptures {
    module: Option<u32>,
    name: Option<u32>,
    alias: Option<u32>,
    value: Option<u32>,
}

impl BindingCaptures {
    pub(crate) fn of(query: &Query) -> Self {
        let index = |name: &str| query.capture_index_for_name(name);
        Self { module: index("module"), name: index("name"), alias: index("alias"), value: index("value") }
    }
}

/// Import bindings of one file: name → qualified name.
pub(crate) struct Bindings<'a> {
    text: &'a str,
    names: HashMap<String, String>,
}

impl<'a> Bindings<'a> {
    /// Builds the bindings from the captures of every binding-pattern match.
    pub(crate) fn from_matches<'tree>(
        text: &'a str,
        ids: BindingCaptures,
        matches: &[Vec<QueryCapture<'tree>>],
    ) -> Self {
        Self { text, names: collect(text, ids, matches) }
    }

    /// Bindings found by an earlier scan of the same file.
    pub(crate) fn with_names(text: &'a str, names: HashMap<String, String>) -> Self {
        Self { text, names }
    }

    pub(crate) fn names(&self) -> &HashMap<String, String> {
        &self.names
    }

    /// The dotted name of an expression with imports resolved, e.g. `pk.loads` → `pickle.loads`.
    pub(crate) fn qualified_name(&self, node: Node<'_>) -> String {
        qualify(node, self.text, &self.names, 0)
    }
}

fn collect(text: &str, ids: BindingCaptures, matches: &[Vec<QueryCapture<'_>>]) -> HashMap<String, String> {
    let mut names = HashMap::new();
    // Aliases of values (`loads = pickle.loads`) are resolved after the imports they refer to.
    let mut aliases: Vec<(String, Node<'_>)> = Vec::new();
    // An anchored scan finds a binding again in every window it overlaps (hundreds of times for a
    // declaration wrapping a whole bundle); each is resolved once, in the order first found.
    let mut seen = HashSet::new();
    for captures in matches {
        if !seen.insert(super::capture_ids(captures)) {
            continue;
        }
        let get = |i: Option<u32>| captures.iter().find(|c| Some(c.index) == i).map(|c| c.node);
        let text_of = |node: Node<'_>| text[node.byte_range()].to_owned();
        match (get(ids.module), get(ids.name), get(ids.alias), get(ids.value)) {
            (Some(module), name, alias, None) => {
                let module = normalise_module(&text_of(module));
                let (bound, target) = match (name, alias) {
                    (Some(name), Some(alias)) => (text_of(alias), format!("{module}.{}", text_of(name))),
                    (Some(name), None) => (text_of(name), format!("{module}.{}", text_of(name))),
                    (None, Some(alias)) if module.starts_with(&format!("{}.", text_of(alias))) => {
                        (text_of(alias), text_of(alias)) // `import os.path` binds `os`
                    }
                    (None, Some(alias)) => (text_of(alias), module),
                    (None, None) => continue,
                };
                names.insert(bound, target);
            }
            (None, Some(name), alias, Some(value)) => {
                // `const { exec: run } = require('child_process')`: bound name → value.name
                let bound = alias.map_or_else(|| text_of(name), text_of);
                aliases.push((format!("{bound}\u{0}{}", text_of(name)), value));
            }
            (None, None, Some(alias), Some(value)) if !in_class_body(alias) => {
                aliases.push((text_of(alias), value));
            }
            _ => {}
        }
    }
    for (key, value) in aliases {
        let resolved = qualify(value, text, &names, 0);
        let (bound, member) = match key.split_once('\u{0}') {
            Some((bound, member)) => (bound.to_owned(), Some(member)),
            None => (key, None),
        };
        let literal: String = text[value.byte_range()].split_whitespace().collect();
        let head = literal.split(['.', '(']).next().unwrap_or_default();
        // Only aliases that reach an import are worth remembering; `x = y` is not.
        if resolved != literal || names.contains_key(head) || is_require(value, text) {
            let target = member.map_or_else(|| resolved.clone(), |member| format!("{resolved}.{member}"));
            names.entry(bound).or_insert(target);
        }
    }
    names
}

/// Whether the assignment binding `alias` sits directly in a Python class body. It makes a class
/// attribute, which code outside the class body reaches only through the class or an instance
/// (`self.loads`), never as a bare name; as a file-wide binding it would hide a function's own alias of
/// the same name (`Unpickler = pickle._Unpickler` in a test class against `Unpickler = _pickle.Unpickler`
/// in a function). A bare use inside the class body itself is then left unresolved, a rare form.
fn in_class_body(alias: Node<'_>) -> bool {
    let statement = alias.parent().and_then(|assignment| assignment.parent());
    let block = statement.filter(|s| s.kind() == "expression_statement").and_then(|s| s.parent());
    let owner = block.filter(|b| b.kind() == "block").and_then(|b| b.parent());
    owner.is_some_and(|owner| owner.kind() == "class_definition")
}

fn normalise_module(raw: &str) -> String {
    raw.strip_prefix("node:").unwrap_or(raw).to_owned()
}

fn is_require(node: Node<'_>, text: &str) -> bool {
    node.kind() == "call_expression"
        && node.child_by_field_name("function").is_some_and(|f| &text[f.byte_range()] == "require")
}

/// The module named by a `require("m")` call, if `node` is one.
fn required_module(node: Node<'_>, text: &str) -> Option<String> {
    if !is_require(node, text) {
        return None;
    }
    let argument = node.child_by_field_name("arguments")?.named_child(0)?;
    (argument.kind() == "string")
        .then(|| normalise_module(text[argument.byte_range()].trim_matches(['"', '\'', '`'])))
}

fn qualify(node: Node<'_>, text: &str, names: &HashMap<String, String>, depth: usize) -> String {
    let own = || text[node.byte_range()].split_whitespace().collect::<String>();
    if depth > 16 {
        return own();
    }
    let field = |name: &str| node.child_by_field_name(name);
    let recurse = |child: Node<'_>| qualify(child, text, names, depth + 1);
    match node.kind() {
        "identifier" => {
            let name = own();
            names.get(&name).cloned().unwrap_or(name)
        }
        "attribute" | "member_expression" => {
            let (Some(object), Some(member)) =
                (field("object"), field("attribute").or_else(|| field("property")))
            else {
                return own();
            };
            format!("{}.{}", recurse(object), &text[member.byte_range()])
        }
        "subscript_expression" => match (field("object"), field("index")) {
            (Some(object), Some(index)) if index.kind() == "string" => {
                format!("{}.{}", recurse(object), text[index.byte_range()].trim_matches(['"', '\'', '`']))
            }
            _ => own(),
        },
        "call_expression" | "call" => {
            if let Some(module) = required_module(node, text) {
                return module;
            }
            field("function").map_or_else(own, |function| format!("{}()", recurse(function)))
        }
        "parenthesized_expression" | "await_expression" | "non_null_expression" => {
            node.named_child(0).map_or_else(own, recurse)
        }
        _ => own(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(language: Language, source: &str, callee: &str) -> String {
        use streaming_iterator::StreamingIterator;
        let tree = crate::scan::parse(language, source, None).unwrap();
        let query =
            Query::new(&language.grammar().unwrap(), binding_query_source(language).unwrap()).unwrap();
        let mut cursor = tree_sitter::QueryCursor::new();
        let mut found = cursor.matches(&query, tree.root_node(), source.as_bytes());
        let mut matches = Vec::new();
        while let Some(m) = found.next() {
            matches.push(m.captures.to_vec());
        }
        let bindings = Bindings::from_matches(source, BindingCaptures::of(&query), &matches);
        let offset = source.rfind(callee).unwrap();
        let mut node = tree.root_node().descendant_for_byte_range(offset, offset + callee.len()).unwrap();
        while node.byte_range() != (offset..offset + callee.len()) {
            node = node.parent().unwrap();
        }
        bindings.qualified_name(node)
    }

    #[test]
    fn resolves_python_imports() {
        let cases = [
            ("import pickle as pk\npk.loads(b)\n", "pk.loads", "pickle.loads"),
            ("from os import system\nsystem(c)\n", "system", "os.system"),
            ("from os import system as run\nrun(c)\n", "run", "os.system"),
            (
                "import pickle\npickle.Unpickler(f).load()\n",
                "pickle.Unpickler(f).load",
                "pickle.Unpickler().load",
            ),
            ("model.eval()\n", "model.eval", "model.eval"),
            ("import pickle\nl = pickle.loads\nl(x)\n", "l", "pickle.loads"),
            (
                "import pickle, _pickle\nclass A:\n    u = pickle._Unpickler\ndef f():\n    u = _pickle.Unpickler\n    u(x)\n",
                "u",
                "_pickle.Unpickler",
            ),
        ];
        for (source, callee, expected) in cases {
            assert_eq!(resolve(Language::Python, source, callee), expected, "{source}");
        }
    }

    #[test]
    fn resolves_javascript_requires_and_imports() {
        let cases = [
            ("const cp = require('child_process');\ncp.exec(c);\n", "cp.exec", "child_process.exec"),
            ("const { exec } = require('node:child_process');\nexec(c);\n", "exec", "child_process.exec"),
            ("const { exec: run } = require('child_process');\nrun(c);\n", "run", "child_process.exec"),
            ("import { exec as run } from 'child_process';\nrun(c);\n", "run", "child_process.exec"),
            (
                "import * as cp from 'child_process';\ncp.execSync(c);\n",
                "cp.execSync",
                "child_process.execSync",
            ),
            ("import cp from 'child_process';\ncp.exec(c);\n", "cp.exec", "child_process.exec"),
            ("require('child_process').exec(c);\n", "require('child_process').exec", "child_process.exec"),
            ("const re = /a/;\nre.exec(s);\n", "re.exec", "re.exec"),
            ("exec(c);\n", "exec", "exec"),
        ];
        for (source, callee, expected) in cases {
            assert_eq!(resolve(Language::JavaScript, source, callee), expected, "{source}");
        }
    }
}
