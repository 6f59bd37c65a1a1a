; os.system / os.popen (also through `from os import system` or an alias) with a command that is not a
; constant literal. The span is the command, the value that carries the injection.
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    .
    [(identifier) (attribute) (subscript) (call) (string) (concatenated_string) (binary_operator)
     (parenthesized_expression) (conditional_expression) (await)] @finding)
  (#match? @callee "(^|\\.)(system|popen[234]?)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(os|posix|nt|platform)\\.(system|popen[234]?)$")
  (#not-match? @finding "^([fF][rR]?|[rR][fF])[\"']([^{}]|\\{\\{|\\}\\}|\\{(shlex|pipes)\\.quote\\([^{}()]*(\\([^{}()]*\\)[^{}()]*)*\\)\\})*[\"']$|^(shlex|pipes)\\.(join|quote)\\(|^[\"'] ?[\"']\\.join\\((shlex|pipes)\\.quote\\b")
  (#is-dynamic? @finding))

(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @kw
      value: (_) @finding))
  (#match? @callee "(^|\\.)(system|popen[234]?)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(os|posix|nt|platform)\\.(system|popen[234]?)$")
  (#any-of? @kw "command" "cmd")
  (#not-match? @finding "^([fF][rR]?|[rR][fF])[\"']([^{}]|\\{\\{|\\}\\}|\\{(shlex|pipes)\\.quote\\([^{}()]*(\\([^{}()]*\\)[^{}()]*)*\\)\\})*[\"']$|^(shlex|pipes)\\.(join|quote)\\(|^[\"'] ?[\"']\\.join\\((shlex|pipes)\\.quote\\b")
  (#is-dynamic? @finding))
