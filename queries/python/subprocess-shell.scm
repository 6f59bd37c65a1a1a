; subprocess.run/call/Popen/check_output/check_call with shell=True and a command string that is not a
; constant literal. An argument list (`subprocess.run([...])`) and constant commands are fine.
; The span is the command, the value that carries the injection.

; positional command, shell=True anywhere after it
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    .
    [(identifier) (attribute) (subscript) (call) (string) (concatenated_string) (binary_operator)
     (parenthesized_expression) (conditional_expression) (await)] @finding
    (keyword_argument name: (identifier) @shell value: (true)))
  (#match? @callee "(^|\\.)(run|call|Popen|check_output|check_call|getoutput|getstatusoutput)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^subprocess\\.(run|call|Popen|check_output|check_call)$")
  (#eq? @shell "shell")
  (#not-match? @finding "^([fF][rR]?|[rR][fF])[\"']([^{}]|\\{\\{|\\}\\}|\\{(shlex|pipes)\\.quote\\([^{}()]*(\\([^{}()]*\\)[^{}()]*)*\\)\\})*[\"']$|^(shlex|pipes)\\.(join|quote)\\(|^[\"'] ?[\"']\\.join\\((shlex|pipes)\\.quote\\b")
  (#is-dynamic? @finding))

; args=... given by keyword, before or after shell=True
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    (keyword_argument name: (identifier) @kw
      value: [(identifier) (attribute) (subscript) (call) (string) (concatenated_string) (binary_operator)
              (parenthesized_expression) (conditional_expression) (await)] @finding)
    (keyword_argument name: (identifier) @shell value: (true)))
  (#match? @callee "(^|\\.)(run|call|Popen|check_output|check_call|getoutput|getstatusoutput)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^subprocess\\.(run|call|Popen|check_output|check_call)$")
  (#eq? @kw "args")
  (#eq? @shell "shell")
  (#not-match? @finding "^([fF][rR]?|[rR][fF])[\"']([^{}]|\\{\\{|\\}\\}|\\{(shlex|pipes)\\.quote\\([^{}()]*(\\([^{}()]*\\)[^{}()]*)*\\)\\})*[\"']$|^(shlex|pipes)\\.(join|quote)\\(|^[\"'] ?[\"']\\.join\\((shlex|pipes)\\.quote\\b")
  (#is-dynamic? @finding))

(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    (keyword_argument name: (identifier) @shell value: (true))
    (keyword_argument name: (identifier) @kw
      value: [(identifier) (attribute) (subscript) (call) (string) (concatenated_string) (binary_operator)
              (parenthesized_expression) (conditional_expression) (await)] @finding))
  (#match? @callee "(^|\\.)(run|call|Popen|check_output|check_call|getoutput|getstatusoutput)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^subprocess\\.(run|call|Popen|check_output|check_call)$")
  (#eq? @kw "args")
  (#eq? @shell "shell")
  (#not-match? @finding "^([fF][rR]?|[rR][fF])[\"']([^{}]|\\{\\{|\\}\\}|\\{(shlex|pipes)\\.quote\\([^{}()]*(\\([^{}()]*\\)[^{}()]*)*\\)\\})*[\"']$|^(shlex|pipes)\\.(join|quote)\\(|^[\"'] ?[\"']\\.join\\((shlex|pipes)\\.quote\\b")
  (#is-dynamic? @finding))

; a list whose program is itself dynamic, still run through a shell
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    .
    (list . (_) @finding)
    (keyword_argument name: (identifier) @shell value: (true)))
  (#match? @callee "(^|\\.)(run|call|Popen|check_output|check_call|getoutput|getstatusoutput)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^subprocess\\.(run|call|Popen|check_output|check_call)$")
  (#eq? @shell "shell")
  (#not-match? @finding "^([fF][rR]?|[rR][fF])[\"']([^{}]|\\{\\{|\\}\\}|\\{(shlex|pipes)\\.quote\\([^{}()]*(\\([^{}()]*\\)[^{}()]*)*\\)\\})*[\"']$|^(shlex|pipes)\\.(join|quote)\\(|^[\"'] ?[\"']\\.join\\((shlex|pipes)\\.quote\\b")
  (#is-dynamic? @finding))

; getoutput / getstatusoutput always use a shell
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    .
    [(identifier) (attribute) (subscript) (call) (string) (concatenated_string) (binary_operator)
     (parenthesized_expression) (conditional_expression) (await)] @finding)
  (#match? @callee "(^|\\.)(run|call|Popen|check_output|check_call|getoutput|getstatusoutput)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(subprocess|commands)\\.(getoutput|getstatusoutput)$")
  (#not-match? @finding "^([fF][rR]?|[rR][fF])[\"']([^{}]|\\{\\{|\\}\\}|\\{(shlex|pipes)\\.quote\\([^{}()]*(\\([^{}()]*\\)[^{}()]*)*\\)\\})*[\"']$|^(shlex|pipes)\\.(join|quote)\\(|^[\"'] ?[\"']\\.join\\((shlex|pipes)\\.quote\\b")
  (#is-dynamic? @finding))
