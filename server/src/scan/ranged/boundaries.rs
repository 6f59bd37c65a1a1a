//! Where a region of top-level statements can be parsed on its own and come out as it would within
//! the whole file: the rescan parses only the region when the text around it says so, and checks the
//! region's own parse where the text cannot tell.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::language::Language;

/// Whether `language` has region parses (see `before_parse` and `after_parse`).
pub(super) fn parses_regions(language: Language) -> bool {
    matches!(language, Language::Python | Language::JavaScript)
}

/// Whether the text around `region` lets it be parsed alone (`edited` is the whole file's tree before
/// the edit, with the edit applied; it holds the statements outside the region as they are, except in
/// the `stale` ranges, regions earlier rescans parsed alone).
pub(super) fn before_parse(
    language: Language,
    text: &str,
    region: &Range<usize>,
    edited: &Tree,
    stale: &[Range<usize>],
) -> bool {
    match language {
        Language::Python => python_region_stands_alone(text, region),
        Language::JavaScript => statement_before(edited.root_node(), region.start).is_none_or(|statement| {
            let current =
                !stale.iter().any(|r| r.start <= statement.end_byte() && statement.start_byte() <= r.end);
            current && javascript_statement_is_closed(statement, text)
        }),
        _ => false,
    }
}

/// Whether the region's own parse ends where the file's next statement cannot continue it.
pub(super) fn after_parse(language: Language, text: &str, region_tree: &Tree) -> bool {
    match language {
        Language::Python => true, // the next line of code was checked before the parse
        Language::JavaScript => last_statement(region_tree.root_node())
            .is_none_or(|statement| javascript_statement_is_closed(statement, text)),
        _ => false,
    }
}

/// Whether the Python in `region` parses the same on its own as within the file, as far as the text
/// around it tells: it starts a line with code at column 0, the line before does not continue into it,
/// and the next line of code after it starts a new top-level statement (at column 0, and neither of
/// them with `else`/`elif`/`except`/`finally`).
/// Together with a clean parse of the region this keeps the statements before and after it as they were.
fn python_region_stands_alone(text: &str, region: &Range<usize>) -> bool {
    let before = &text[..region.start];
    if !(before.is_empty() || before.ends_with('\n')) || before.trim_end().ends_with('\\') {
        return false;
    }
    // An indented first line of code (comments may sit at any column) would continue the block of the
    // line before (tree-sitter-python parses
    // `def f():` followed by a line at column 0 as an empty block, and the indented lines after it as
    // top-level statements, without an error).
    let first_code = text[region.clone()].split_inclusive('\n').find(|line| !is_blank_or_comment(line));
    if first_code.is_some_and(|line| line.starts_with([' ', '\t', '\x0c']) || starts_a_clause(line)) {
        return false;
    }
    let after = text[region.end..].split_inclusive('\n').skip(1);
    for line in after {
        if !is_blank_or_comment(line) {
            return !line.starts_with([' ', '\t', '\x0c']) && !starts_a_clause(line);
        }
    }
    true
}

fn is_blank_or_comment(line: &str) -> bool {
    let code = line.trim_start();
    code.is_empty() || code.starts_with('#')
}

/// Whether `code` starts with a keyword that continues the compound statement before it.
fn starts_a_clause(code: &str) -> bool {
    let word: String = code.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    matches!(word.as_str(), "else" | "elif" | "except" | "finally")
}

/// The last top-level statement ending at or before `offset`, comments skipped.
fn statement_before(root: Node<'_>, offset: usize) -> Option<Node<'_>> {
    let mut node = match root.first_child_for_byte(offset) {
        Some(child) => child.prev_sibling(),
        None => root.child(root.child_count().checked_sub(1)?),
    };
    while let Some(statement) = node {
        if statement.kind() != "comment" && statement.end_byte() <= offset {
            return Some(statement);
        }
        node = statement.prev_sibling();
    }
    None
}

/// The last named child of `node` that is not a comment.
fn last_statement(node: Node<'_>) -> Option<Node<'_>> {
    (0..node.named_child_count()).rev().filter_map(|i| node.named_child(i)).find(|n| n.kind() != "comment")
}

/// Whether no text after a JavaScript statement can continue it: it ends with its own `;`, or with the
/// `}` of a declaration's body or of a block statement. (A statement ended by automatic semicolon
/// insertion, or by the `}` of an object or function expression, may continue: `x = {}` then `(f)()`
/// is one call.)
fn javascript_statement_is_closed(statement: Node<'_>, text: &str) -> bool {
    if text[statement.byte_range()].ends_with(';') {
        return true; // a string, template or regex cannot end in `;`, so this is the statement's own
    }
    match statement.kind() {
        "statement_block"
        | "function_declaration"
        | "generator_function_declaration"
        | "class_declaration"
        | "try_statement"
        | "switch_statement" => text[statement.byte_range()].ends_with('}'),
        // Closed when what they end with is.
        "if_statement" | "else_clause" | "for_statement" | "for_in_statement" | "while_statement"
        | "with_statement" | "labeled_statement" => {
            last_statement(statement).is_some_and(|last| javascript_statement_is_closed(last, text))
        }
        "export_statement" => statement.child_by_field_name("declaration").is_some_and(|declaration| {
            matches!(
                declaration.kind(),
                "function_declaration" | "generator_function_declaration" | "class_declaration"
            ) && declaration.end_byte() == statement.end_byte()
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{javascript_statement_is_closed, python_region_stands_alone};
    use crate::language::Language;
    use crate::scan::parse;

    #[test]
    fn a_python_region_stands_alone_only_between_top_level_statements() {
        let text = "import os\n\ndef f():\n    x = 1\n    return x\n\n# note\nelse_value = 2\n";
        let def = text.find("def").unwrap();
        let def_end = text.find("return x").unwrap() + "return x".len();
        assert!(python_region_stands_alone(text, &(def..def_end)));
        // Starts mid-line, or the next code line is indented (the block goes on past the region).
        assert!(!python_region_stands_alone(text, &(def + 1..def_end)));
        assert!(!python_region_stands_alone(text, &(def..text.find("x = 1").unwrap() + 5)));
        let continued = "if a:\n    pass\nelse:\n    pass\n";
        assert!(!python_region_stands_alone(continued, &(0..continued.find("pass").unwrap() + 4)));
        let comment_first = "def f():\n    x = 1\n# note\n    return x\n";
        let note = comment_first.find("# note").unwrap();
        assert!(!python_region_stands_alone(comment_first, &(note..comment_first.len() - 1)));
        let backslash = "x = 1 + \\\n2\n";
        assert!(!python_region_stands_alone(backslash, &(backslash.find('2').unwrap()..backslash.len())));
    }

    #[test]
    fn a_javascript_statement_is_closed_by_its_semicolon_or_a_block() {
        let closed = [
            "x = 1;",
            "function f() {}",
            "class A { m() {} }",
            "if (a) { b(); }",
            "if (a) b(); else { c() }",
            "for (const x of xs) { use(x) }",
            "try { a() } catch (e) {} finally {}",
            "export function g() {}",
            "switch (x) { case 1: break; }",
        ];
        let open =
            ["x = 1", "x = {}", "f(function () {})", "if (a) x = {}", "export default {}", "do {} while (x)"];
        for (source, expected) in closed.iter().map(|s| (s, true)).chain(open.iter().map(|s| (s, false))) {
            let tree = parse(Language::JavaScript, source, None).unwrap();
            let statement = tree.root_node().named_child(0).unwrap();
            assert_eq!(javascript_statement_is_closed(statement, source), expected, "{source}");
        }
    }
}
