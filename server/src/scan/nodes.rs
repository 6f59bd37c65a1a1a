//! Questions about syntax nodes that rules ask: is this a constant, where does it live, is it text.

use tree_sitter::{Node, Tree};

use crate::language::Language;

/// Whether `node` is a constant literal without interpolation: a plain string, a template string with
/// no `${}`, a number, a boolean or null, or a `+` of constants. Anything else may carry input.
pub(crate) fn is_constant(node: Node<'_>) -> bool {
    match node.kind() {
        "string" => !has_child_of_kind(node, "interpolation"),
        "template_string" => !has_child_of_kind(node, "template_substitution"),
        "integer" | "float" | "number" | "true" | "false" | "none" | "null" | "undefined" => true,
        "binary_operator" | "binary_expression" => {
            node.child_by_field_name("operator").is_some_and(|op| op.kind() == "+")
                && named_children(node).all(is_constant)
        }
        "concatenated_string" | "parenthesized_expression" => named_children(node).all(is_constant),
        _ => false,
    }
}

fn has_child_of_kind(node: Node<'_>, kind: &str) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor).any(|child| child.kind() == kind)
}

fn named_children(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    (0..node.named_child_count()).filter_map(move |i| node.named_child(i)).filter(|c| c.kind() != "comment")
}

/// Dotted names of the functions and classes enclosing `node`, outermost first (for fingerprints).
pub(crate) fn scope_name(node: Node<'_>, text: &str) -> String {
    let mut names = Vec::new();
    let mut current = node.parent();
    while let Some(ancestor) = current {
        if matches!(
            ancestor.kind(),
            "function_definition"
                | "class_definition"
                | "function_declaration"
                | "generator_function_declaration"
                | "method_definition"
                | "class_declaration"
        ) && let Some(name) = ancestor.child_by_field_name("name")
        {
            names.push(&text[name.byte_range()]);
        }
        current = ancestor.parent();
    }
    names.reverse();
    names.join(".")
}

/// Whether byte `offset` lies inside a comment or a string literal.
pub(crate) fn in_comment_or_string(tree: &Tree, language: Language, offset: usize) -> bool {
    let Some(mut node) = tree.root_node().descendant_for_byte_range(offset, offset) else { return false };
    loop {
        let kind = node.kind();
        if Language::is_comment_kind(kind) || language.is_string_kind(kind) {
            return true;
        }
        match node.parent() {
            Some(parent) => node = parent,
            None => return false,
        }
    }
}

/// Dotted scope name of the innermost node at `offset`.
pub(crate) fn scope_at(tree: &Tree, offset: usize, text: &str) -> String {
    tree.root_node()
        .descendant_for_byte_range(offset, offset)
        .map(|node| scope_name(node, text))
        .unwrap_or_default()
}
