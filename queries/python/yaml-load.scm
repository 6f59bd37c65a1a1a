; yaml.load / yaml.load_all without a Loader (PyYAML < 6 then builds arbitrary Python objects)
; `yaml.load(f)`: the fix inserts `safe_` before the method name.
(call
  function: (attribute attribute: (identifier) @method) @callee
  arguments: (argument_list . (_) .)
  (#match? @callee "(^|\\.)(load|load_all|unsafe_load|unsafe_load_all|full_load|full_load_all)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^yaml\\.(load|load_all)$")) @finding

; `from yaml import load; load(f)`
(call
  function: (identifier) @callee
  arguments: (argument_list . (_) .)
  (#match? @callee "(^|\\.)(load|load_all|unsafe_load|unsafe_load_all|full_load|full_load_all)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^yaml\\.(load|load_all)$")) @finding

; an unsafe Loader by keyword
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    (keyword_argument name: (identifier) @kw value: [(identifier) (attribute)] @loader))
  (#match? @callee "(^|\\.)(load|load_all|unsafe_load|unsafe_load_all|full_load|full_load_all)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^yaml\\.(load|load_all)$")
  (#eq? @kw "Loader")
  (#resolves-to? @loader "^yaml\\.(loader\\.|cyaml\\.)?C?(Unsafe|Full)?Loader$")) @finding

; an unsafe Loader as the second positional argument
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list . (_) . [(identifier) (attribute)] @loader)
  (#match? @callee "(^|\\.)(load|load_all|unsafe_load|unsafe_load_all|full_load|full_load_all)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^yaml\\.(load|load_all)$")
  (#resolves-to? @loader "^yaml\\.(loader\\.|cyaml\\.)?C?(Unsafe|Full)?Loader$")) @finding

; the explicitly unsafe entry points
(call
  function: [(identifier) (attribute)] @callee
  (#match? @callee "(^|\\.)(load|load_all|unsafe_load|unsafe_load_all|full_load|full_load_all)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^yaml\\.(unsafe_load|unsafe_load_all|full_load|full_load_all)$")) @finding
