//! Which language a file is, and the tree-sitter grammar behind it.

use std::path::Path;

/// A language the pattern layer understands. Everything not listed is scanned as [`Language::Text`]
/// (secrets and Unicode rules only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    /// A GitHub Actions workflow: YAML under `.github/workflows/`.
    Workflow,
    Text,
}

/// The rule family a language draws its rules from: the folder name under `queries/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Python,
    JavaScript,
    Workflow,
    /// Regex-only rules that apply to every file (`queries/any/`).
    Any,
}

impl Family {
    pub const ALL: [Family; 4] = [Family::Python, Family::JavaScript, Family::Workflow, Family::Any];

    pub fn name(self) -> &'static str {
        match self {
            Family::Python => "python",
            Family::JavaScript => "javascript",
            Family::Workflow => "workflow",
            Family::Any => "any",
        }
    }

    pub fn from_name(name: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|family| family.name() == name)
    }

    /// The grammars a rule of this family is compiled for.
    pub fn languages(self) -> &'static [Language] {
        match self {
            Family::Python => &[Language::Python],
            Family::JavaScript => &[Language::JavaScript, Language::TypeScript, Language::Tsx],
            Family::Workflow => &[Language::Workflow],
            Family::Any => &Language::ALL,
        }
    }
}

impl Language {
    pub const ALL: [Language; 6] = [
        Language::Python,
        Language::JavaScript,
        Language::TypeScript,
        Language::Tsx,
        Language::Workflow,
        Language::Text,
    ];

    /// Detects the language from a path. `\` separators (Windows paths in hook payloads) are understood.
    /// TypeScript declaration files (`.d.ts`) hold no code and are scanned as text.
    pub fn from_path(path: &Path) -> Language {
        let normalised = path.to_string_lossy().replace('\\', "/");
        let name = normalised.rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
        let extension = name.rsplit_once('.').map_or("", |(_, ext)| ext);
        if is_declaration_file(&name) {
            return Language::Text;
        }
        match extension {
            "py" | "pyi" | "pyw" | "ipynb" => Language::Python,
            "js" | "mjs" | "cjs" | "jsx" => Language::JavaScript,
            "ts" | "mts" | "cts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "yml" | "yaml" if is_workflow_path(&normalised) => Language::Workflow,
            _ => Language::Text,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Tsx => "tsx",
            Language::Workflow => "workflow",
            Language::Text => "text",
        }
    }

    pub fn from_name(name: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|language| language.name() == name)
    }

    /// The family whose rules apply to this language (besides `any`).
    pub fn family(self) -> Family {
        match self {
            Language::Python => Family::Python,
            Language::JavaScript | Language::TypeScript | Language::Tsx => Family::JavaScript,
            Language::Workflow => Family::Workflow,
            Language::Text => Family::Any,
        }
    }

    /// The tree-sitter grammar, or `None` for plain text.
    pub fn grammar(self) -> Option<tree_sitter::Language> {
        Some(match self {
            Language::Python => tree_sitter_python::LANGUAGE.into(),
            Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Language::Workflow => tree_sitter_yaml::LANGUAGE.into(),
            Language::Text => return None,
        })
    }

    /// The line-comment marker used when inserting a suppression comment.
    pub fn line_comment(self) -> &'static str {
        match self {
            Language::Python | Language::Workflow | Language::Text => "#",
            Language::JavaScript | Language::TypeScript | Language::Tsx => "//",
        }
    }

    /// Node kinds that are comments in this grammar.
    pub(crate) fn is_comment_kind(kind: &str) -> bool {
        matches!(kind, "comment" | "html_comment")
    }

    /// Node kinds that are string literals (including docstrings and template strings).
    pub(crate) fn is_string_kind(self, kind: &str) -> bool {
        match self {
            Language::Python => matches!(kind, "string" | "string_content" | "concatenated_string"),
            Language::JavaScript | Language::TypeScript | Language::Tsx => {
                matches!(kind, "string" | "string_fragment" | "template_string" | "jsx_text")
            }
            Language::Workflow => {
                matches!(kind, "double_quote_scalar" | "single_quote_scalar" | "block_scalar")
            }
            Language::Text => false,
        }
    }
}

fn is_declaration_file(name: &str) -> bool {
    [".d.ts", ".d.mts", ".d.cts"].iter().any(|suffix| name.ends_with(suffix))
}

fn is_workflow_path(normalised: &str) -> bool {
    normalised.contains(".github/workflows/") || normalised.starts_with(".github/workflows/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grammar_loads_and_parses() {
        for language in Language::ALL {
            let Some(grammar) = language.grammar() else { continue };
            let mut parser = tree_sitter::Parser::new();
            parser.set_language(&grammar).unwrap_or_else(|e| panic!("{language:?}: {e}"));
            let tree = parser.parse("x = 1\n", None).expect("parse");
            assert!(tree.root_node().child_count() > 0, "{language:?}");
        }
    }

    #[test]
    fn detects_languages_from_paths() {
        let cases = [
            ("a/b.py", Language::Python),
            ("nb.ipynb", Language::Python),
            ("x.MJS", Language::JavaScript),
            ("x.tsx", Language::Tsx),
            ("types.d.ts", Language::Text),
            (".github/workflows/ci.yml", Language::Workflow),
            ("C:\\repo\\.github\\workflows\\ci.yaml", Language::Workflow),
            ("config/app.yaml", Language::Text),
            (".env", Language::Text),
        ];
        for (path, expected) in cases {
            assert_eq!(Language::from_path(Path::new(path)), expected, "{path}");
        }
    }
}
