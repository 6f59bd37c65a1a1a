; marshal.load / marshal.loads on data that is not a constant literal
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list . (_) @arg)
  (#match? @callee "(^|\\.)(load|loads)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^marshal\\.(load|loads)$")
  (#is-dynamic? @arg)) @finding
