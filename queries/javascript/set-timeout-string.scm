; setTimeout / setInterval / setImmediate / execScript whose first argument is code built from a
; template with ${} or a + concatenation (a string evaluated like eval) rather than a function.
; timers/promises' setTimeout(delay, value) resolves to `timers/promises.setTimeout` and is not matched.
(call_expression
  function: [(identifier) (member_expression)] @callee
  arguments: (arguments . [(template_string) (binary_expression)] @finding)
  (#resolves-to? @callee "^((window|globalThis|self|global)\\.)?(setTimeout|setInterval|setImmediate|execScript)$")
  (#is-dynamic? @finding)
  (#match? @finding "^`|[\"'`]|\\+"))
