; node-serialize's unserialize(data) evaluates functions marked `_$$ND_FUNC$$_` in its input (RCE).
(call_expression
  function: [(identifier) (member_expression) (subscript_expression)] @callee
  arguments: (arguments . (_) @finding)
  (#resolves-to? @callee "^node-serialize\\.unserialize$")
  (#is-dynamic? @finding))
