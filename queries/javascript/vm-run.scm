; vm.runInNewContext / runInThisContext / runInContext / compileFunction(code) and new vm.Script(code),
; new vm.SourceTextModule(code), where code is not a constant literal. vm is not a sandbox.
(call_expression
  function: [(identifier) (member_expression) (subscript_expression)] @callee
  arguments: (arguments . (_) @finding)
  (#resolves-to? @callee "^vm\\.(runInNewContext|runInThisContext|runInContext|compileFunction)$")
  (#is-dynamic? @finding))

(new_expression
  constructor: [(identifier) (member_expression)] @callee
  arguments: (arguments . (_) @finding)
  (#resolves-to? @callee "^vm\\.(Script|SourceTextModule)$")
  (#is-dynamic? @finding))
