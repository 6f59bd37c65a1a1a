; exec(x) / compile(x, ...) (or builtins.exec/compile) where x is not a constant literal. `re.compile`,
; `cursor.execute`, `self.exec` resolve to other names and never match. The span is the code argument.
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    .
    [(identifier) (attribute) (subscript) (call) (string) (concatenated_string) (binary_operator)
     (parenthesized_expression) (conditional_expression) (await)] @finding)
  (#match? @callee "(^|\\.)(exec|compile)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(builtins\\.|__builtins__\\.)?(exec|compile)$")
  (#is-dynamic? @finding))

(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    (keyword_argument name: (identifier) @kw value: (_) @finding))
  (#match? @callee "(^|\\.)(exec|compile)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(builtins\\.|__builtins__\\.)?(exec|compile)$")
  (#any-of? @kw "source" "object")
  (#is-dynamic? @finding))
