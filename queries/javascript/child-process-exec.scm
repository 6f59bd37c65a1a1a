; child_process.exec / execSync (any require or import form) and shelljs exec, where the command is
; not a constant literal: the string is run by /bin/sh -c (cmd.exe on Windows).
(call_expression
  function: [(identifier) (member_expression) (subscript_expression)] @callee
  arguments: (arguments . (_) @finding)
  (#resolves-to? @callee "^(child_process\\.(exec|execSync)|shelljs\\.exec)$")
  (#is-dynamic? @finding))
