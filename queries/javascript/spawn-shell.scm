; child_process spawn / spawnSync / execFile / execFileSync (and execa) with `shell: true` (or a shell
; path) in the options object, and a command or argument that is not a constant literal.

; the command itself is dynamic
(call_expression
  function: [(identifier) (member_expression) (subscript_expression)] @callee
  arguments: (arguments
    . (_) @cmd
    (object (pair key: [(property_identifier) (string)] @key value: [(true) (string) (template_string)] @shell)))
  (#resolves-to? @callee "^(child_process\\.(spawn|spawnSync|execFile|execFileSync)|execa(\\.(execa|execaSync|sync))?)$")
  (#match? @key "^[\"']?shell[\"']?$")
  (#not-match? @shell "^[\"'`][\"'`]$")
  (#is-dynamic? @cmd)) @finding

; an element of the argument array is dynamic
(call_expression
  function: [(identifier) (member_expression) (subscript_expression)] @callee
  arguments: (arguments
    . (_)
    . (array [(_) (spread_element)] @arg)
    (object (pair key: [(property_identifier) (string)] @key value: [(true) (string) (template_string)] @shell)))
  (#resolves-to? @callee "^(child_process\\.(spawn|spawnSync|execFile|execFileSync)|execa(\\.(execa|execaSync|sync))?)$")
  (#match? @key "^[\"']?shell[\"']?$")
  (#not-match? @shell "^[\"'`][\"'`]$")
  (#is-dynamic? @arg)) @finding

; the argument list is a variable or expression
(call_expression
  function: [(identifier) (member_expression) (subscript_expression)] @callee
  arguments: (arguments
    . (_)
    . [(identifier) (member_expression) (call_expression) (subscript_expression)] @args
    (object (pair key: [(property_identifier) (string)] @key value: [(true) (string) (template_string)] @shell)))
  (#resolves-to? @callee "^(child_process\\.(spawn|spawnSync|execFile|execFileSync)|execa(\\.(execa|execaSync|sync))?)$")
  (#match? @key "^[\"']?shell[\"']?$")
  (#not-match? @shell "^[\"'`][\"'`]$")) @finding
