; eval(x), window.eval(x), globalThis['eval'](x) where x is not a constant literal
(call_expression
  function: [(identifier) (member_expression) (subscript_expression)] @callee
  arguments: (arguments . (_) @finding)
  (#resolves-to? @callee "^((window|globalThis|self|global|top|parent)\\.)?eval$")
  (#is-dynamic? @finding))

; indirect eval: (0, eval)(x)
(call_expression
  function: (parenthesized_expression (sequence_expression (identifier) @callee .))
  arguments: (arguments . (_) @finding)
  (#eq? @callee "eval")
  (#is-dynamic? @finding))
