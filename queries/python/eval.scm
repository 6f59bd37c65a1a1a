; eval(x) or builtins.eval(x) where x is not a constant literal
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list . (_) @arg)
  (#resolves-to? @callee "^(builtins\\.)?eval$")
  (#is-dynamic? @arg)) @finding
