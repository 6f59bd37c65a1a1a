; mark_safe / Markup / SafeString / format_html of a string built with an f-string, %, .format() or +
; from non-constant values: the span is the built string.
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    .
    [(string (interpolation))
     (concatenated_string (string (interpolation)))
     (binary_operator left: [(string) (concatenated_string)] operator: "%")
     (binary_operator operator: "+")
     (call function: (attribute object: [(string) (concatenated_string)] attribute: (identifier) @fmt)
       arguments: (argument_list (_)))] @finding)
  (#match? @callee "(^|\\.)(mark_safe|SafeString|SafeText|format_html|Markup)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(django\\.utils\\.(safestring|html)\\.(mark_safe|SafeString|SafeText)|django\\.utils\\.html\\.format_html|markupsafe\\.Markup|flask\\.Markup|jinja2\\.Markup|jinja2\\.utils\\.markupsafe\\.Markup)$")
  (#eq? @fmt "format")
  (#is-dynamic? @finding))
