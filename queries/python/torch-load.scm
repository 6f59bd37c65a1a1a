; torch.load without weights_only (and without **kwargs that might carry it): the fix appends
; `weights_only=True` after the last argument.
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list (_) @last .) @args
  (#match? @callee "(^|\\.)(load)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^torch\\.(serialization\\.)?load$")
  (#not-match? @args "weights_only|\\*\\*")) @finding

; weights_only=False said explicitly: the span is the keyword
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    (keyword_argument name: (identifier) @kw value: (false)) @finding)
  (#match? @callee "(^|\\.)(load)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^torch\\.(serialization\\.)?load$")
  (#eq? @kw "weights_only"))
