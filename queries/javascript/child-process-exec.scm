(call_expression
  function: [(identifier) (member_expression)] @callee
  arguments: (arguments . (_) @arg)
  (#resolves-to? @callee "^child_process\\.(exec|execSync)$")
  (#is-dynamic? @arg)) @finding
