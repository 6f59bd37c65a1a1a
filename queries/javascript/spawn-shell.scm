; child_process spawn / spawnSync / execFile / execFileSync (and execa) with `shell: true` (or a shell
; path) in the options object, and a command or argument that is not a constant literal.
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
; The options object is the wildcard parent of a pair (a pair only occurs in an object).

; the command itself (the first argument) is dynamic, or the argument list (the second argument) is a
; variable or an expression (never a constant literal); both cases are one pattern, with their own @arg
(call_expression . [
    (ERROR) @syntax_error
    ((_) @callee
      arguments: (_ . [
          (_) @arg
          ((_) . (_) @arg @arg_list)
        ]
        (_ (pair
          key: [(property_identifier) (string)] @key
          value: [(true) (string) (template_string)] @shell))) @args)
  ]
  (#not-kind? @syntax_error "ERROR")
  (#kind? @callee "^(identifier|member_expression|subscript_expression)$")
  (#kind? @args "^arguments$")
  (#match? @key "^[\"']?shell[\"']?$")
  (#not-match? @shell "^[\"'`][\"'`]$")
  (#kind? @arg_list "^(identifier|member_expression|call_expression|subscript_expression)$")
  (#is-dynamic? @arg)
  (#resolves-to? @callee "^(child_process\\.(spawn|spawnSync|execFile|execFileSync)|execa(\\.(execa|execaSync|sync))?)$")) @finding

; an element of the argument array is dynamic (kept apart: each element is a match in progress until
; the options object is found, and tree-sitter compares the matches in progress of a pattern pairwise)
(call_expression . [
    (ERROR) @syntax_error
    ((_) @callee
      arguments: (_ . (_) . (array (_) @arg)
        (_ (pair
          key: [(property_identifier) (string)] @key
          value: [(true) (string) (template_string)] @shell))) @args)
  ]
  (#not-kind? @syntax_error "ERROR")
  (#kind? @callee "^(identifier|member_expression|subscript_expression)$")
  (#kind? @args "^arguments$")
  (#match? @key "^[\"']?shell[\"']?$")
  (#not-match? @shell "^[\"'`][\"'`]$")
  (#is-dynamic? @arg)
  (#resolves-to? @callee "^(child_process\\.(spawn|spawnSync|execFile|execFileSync)|execa(\\.(execa|execaSync|sync))?)$")) @finding
