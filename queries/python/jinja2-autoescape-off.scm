; autoescape=False given to a Jinja2 Environment or Template: the span is the keyword
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    (keyword_argument name: (identifier) @kw value: (false) @off) @finding)
  (#match? @callee "(^|\\.)(Environment|Template|Overlay|SandboxedEnvironment|ImmutableSandboxedEnvironment)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(jinja2\\.)?(Environment|Template|Overlay|sandbox\\.SandboxedEnvironment|sandbox\\.ImmutableSandboxedEnvironment|SandboxedEnvironment|ImmutableSandboxedEnvironment)$")
  (#eq? @kw "autoescape")
  (#file-match? "jinja2"))

; a Jinja2 Environment with no autoescape argument (the default is off) in a file that loads .html templates
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list) @args
  (#match? @callee "(^|\\.)(Environment|Template|Overlay|SandboxedEnvironment|ImmutableSandboxedEnvironment)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(jinja2\\.)?(Environment|sandbox\\.SandboxedEnvironment|SandboxedEnvironment)$")
  (#not-match? @args "autoescape|\\*\\*")
  (#file-match? "jinja2")
  (#file-match? "\\.html?['\"]|\\.j2['\"]|\\.jinja['\"]|\\.jinja2['\"]")) @finding

; env.autoescape = False / app.jinja_env.autoescape = False
(assignment
  left: (attribute attribute: (identifier) @attr)
  right: (false) @off
  (#eq? @attr "autoescape")
  (#file-match? "jinja|[Ff]lask")) @finding
