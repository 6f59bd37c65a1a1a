; exec(x) / compile(x, ...) (or builtins.exec/compile) where x is not a constant literal. `re.compile`,
; `cursor.execute`, `self.exec` resolve to other names and never match. The span is the code argument.
; A bare name is skipped in files that define their own `compile`/`exec` (py_compile.compile) or star-import
; re/regex; compile(..., PyCF_ONLY_AST) only builds a syntax tree.
(call
  function: (identifier) @callee
  arguments: (argument_list
    .
    [(identifier) (attribute) (subscript) (call) (string) (concatenated_string) (binary_operator)
     (parenthesized_expression) (conditional_expression) (await)] @finding) @args
  (#any-of? @callee "exec" "compile")
  (#not-match? @args "ONLY_AST")
  (#not-file-match? "(^|\\n)[ \\t]*(def[ \\t]+(exec|compile)[ \\t]*\\(|from[ \\t]+(re|regex)[ \\t]+import[ \\t]+\\*)")
  (#resolves-to? @callee "^(exec|compile)$")
  (#is-dynamic? @finding))

(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    .
    [(identifier) (attribute) (subscript) (call) (string) (concatenated_string) (binary_operator)
     (parenthesized_expression) (conditional_expression) (await)] @finding) @args
  (#match? @callee "(^|\\.)(exec|compile)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#not-match? @args "ONLY_AST")
  (#resolves-to? @callee "^(builtins|__builtins__)\\.(exec|compile)$")
  (#is-dynamic? @finding))

(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    (keyword_argument name: (identifier) @kw value: (_) @finding))
  (#any-of? @kw "source" "object")
  (#match? @callee "(^|\\.)(exec|compile)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#not-file-match? "(^|\\n)[ \\t]*(def[ \\t]+(exec|compile)[ \\t]*\\(|from[ \\t]+(re|regex)[ \\t]+import[ \\t]+\\*)")
  (#resolves-to? @callee "^(builtins\\.|__builtins__\\.)?(exec|compile)$")
  (#is-dynamic? @finding))
