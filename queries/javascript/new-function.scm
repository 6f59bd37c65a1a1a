; new Function(...args, body) / Function(...) where any argument (parameter list or body) is not a
; constant literal: every argument is pasted into JavaScript source text.
(new_expression
  constructor: [(identifier) (member_expression)] @callee
  arguments: (arguments (_) @arg)
  (#resolves-to? @callee "^((window|globalThis|self|global)\\.)?Function$")
  (#is-dynamic? @arg)) @finding

(call_expression
  function: [(identifier) (member_expression)] @callee
  arguments: (arguments (_) @arg)
  (#resolves-to? @callee "^((window|globalThis|self|global)\\.)?Function$")
  (#is-dynamic? @arg)) @finding
