; crypto.createCipher / createDecipher (any import form): key and IV derived from a password with one
; MD5 round and no salt; deprecated since Node 10, removed in Node 22.
;
; Compile time: tree-sitter checks each pattern against the grammar when the query is compiled, which
; costs milliseconds for each node pattern with children rooted at an expression (call, assignment,
; new, member...). It analyses only the first alternative of a pattern's first child, so patterns
; rooted at an expression start with `. [(ERROR) @syntax_error (...the real children...)]`: the ERROR
; alternative is trivial to analyse, and a match through it (an ERROR node as first child) is dropped
; by `(#not-kind? @syntax_error "ERROR")`. (The real alternative is not analysed at all, so a typo that
; makes it unmatchable is not reported at compile time; the rule's examples catch that.) Nested nodes
; with children that are slow to analyse (member, subscript, call, object, string...) are wildcards
; whose kind is checked with #kind? (checks on a capture absent from a match hold); leaves and cheap
; nodes (pair, template_substitution, array, parenthesized_expression) stay concrete.
(call_expression . [(ERROR) @syntax_error (_) @callee]
  (#not-kind? @syntax_error "ERROR")
  (#kind? @callee "^(identifier|member_expression|subscript_expression)$")
  (#resolves-to? @callee "^crypto\\.(createCipher|createDecipher)$")) @finding
