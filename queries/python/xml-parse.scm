; Standard-library XML parsers on input that is not a constant literal (defusedxml.* resolves elsewhere and is
; never matched)
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list . (_) @arg)
  (#match? @callee "(^|\\.)(parse|iterparse|fromstring|fromstringlist|XML|XMLID|parseString|XMLParser|XMLPullParser)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(xml\\.etree\\.c?ElementTree\\.(parse|iterparse|fromstring|fromstringlist|XML|XMLID)|xml\\.dom\\.(minidom|pulldom)\\.(parse|parseString)|xml\\.dom\\.expatbuilder\\.(parse|parseString)|xml\\.sax\\.(parse|parseString))$")
  (#is-dynamic? @arg)) @finding

; lxml with external entity resolution or network access explicitly switched on
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    (keyword_argument name: (identifier) @kw value: (true)) @finding)
  (#match? @callee "(^|\\.)(parse|iterparse|fromstring|fromstringlist|XML|XMLID|parseString|XMLParser|XMLPullParser)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^lxml\\.etree\\.(XMLParser|XMLPullParser|iterparse)$")
  (#eq? @kw "resolve_entities"))

(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    (keyword_argument name: (identifier) @kw value: (false)) @finding)
  (#match? @callee "(^|\\.)(parse|iterparse|fromstring|fromstringlist|XML|XMLID|parseString|XMLParser|XMLPullParser)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^lxml\\.etree\\.(XMLParser|XMLPullParser|iterparse)$")
  (#eq? @kw "no_network"))

; xml.sax external entities switched on: parser.setFeature(feature_external_ges, True)
(call
  function: (attribute attribute: (identifier) @method)
  arguments: (argument_list
    .
    [(identifier) (attribute)] @feature
    .
    (true))
  (#eq? @method "setFeature")
  (#match? @feature "(^|\\.)feature_external_(ges|pes)$")) @finding
