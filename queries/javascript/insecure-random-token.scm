;; Math.random() used to make a secret: a value assigned to (or a function named like) a token, password,
;; secret, session id, nonce, OTP, salt or API key that contains Math.random. The reported spans are the
;; Math.random occurrences inside it (`focus`).
;;
; Compile time: tree-sitter checks each pattern against the grammar when the query is compiled, which
; costs milliseconds for each node pattern with children rooted at an expression (call, assignment,
; new, member...). It analyses only the first alternative of a pattern's first child, so patterns
; rooted at an expression start with `. [(ERROR) @syntax_error (...the real children...)]`: the ERROR
; alternative is trivial to analyse, and a match through it (an ERROR node as first child) is dropped
; by `(#not-kind? @syntax_error "ERROR")`. (The real alternative is not analysed at all, so a typo that
; makes it unmatchable is not reported at compile time; the rule's examples catch that.) Nested nodes
; with children that are slow to analyse (member, subscript, call, object, string...) are wildcards
; whose kind is checked with #kind? (checks on a capture absent from a match hold); leaves and cheap
; nodes (pair, template_substitution, array, parenthesized_expression) stay concrete.

; const token = ..., this.token = ..., obj['token'] += ..., { token: ... }
([
  (variable_declarator name: (identifier) @name value: (_) @finding)
  (assignment_expression . [
      (ERROR) @syntax_error
      ((identifier) @name right: (_) @finding)
      ((_ property: (property_identifier) @name) @member right: (_) @finding)
      ((_ index: (_ (string_fragment) @name) @index) @subscript right: (_) @finding)
    ])
  (augmented_assignment_expression . [
      (ERROR) @syntax_error
      ((identifier) @name right: (_) @finding)
      ((_ property: (property_identifier) @name) @member right: (_) @finding)
      ((_ index: (_ (string_fragment) @name) @index) @subscript right: (_) @finding)
    ])
  (pair key: [(property_identifier) (string)] @name value: (_) @finding)
 ]
  (#not-kind? @syntax_error "ERROR")
  (#kind? @member "^member_expression$")
  (#kind? @subscript "^subscript_expression$")
  (#kind? @index "^string$")
  (#match? @name "(?i:token|passw|pwd|passphrase|secret|session_?id|sess_?id|nonce|csrf|xsrf|salt|passcode|pin_?code|(?:api|access|private|signing|encryption|auth|license|activation)_?key|(?:auth|reset|verif[0-9A-Za-z_]*|confirm[0-9A-Za-z_]*|invite|invitation|recovery|activation|magic|login|one_?time|mfa|sms|email)_?code)|(?:^|[_'\"])(?i:otp)|[a-z0-9]Otp|OTP")
  (#not-match? @name "(?i)(length|len|count|size|expir[0-9A-Za-z_]*|ttl|delay|timeout|interval|index|idx|jitter|backoff|retry[0-9A-Za-z_]*|attempts?|position|pos|width|height|colou?r|opacity|chance|probability|percent|ratio|weight|rate|duration|ms|seconds)['\"]?$|^['\"]?(is|has|should|can|show|use)[A-Z_]")
  (#is-dynamic? @finding)
  (#match? @finding "Math\\.random"))

; functions named like a token maker (@body). A body that also calls a crypto generator (randomBytes,
; getRandomValues, randomUUID, randomInt) makes its secret there and uses Math.random for something else.
; (A method's name is its only property_identifier child, its body its only statement_block child.)
; Class fields: javascript's `field_definition` (`property:`, only in a class body); typescript's
; `public_field_definition` is the pattern below.
([
  (function_declaration name: (identifier) @name body: (_) @finding @body)
  (generator_function_declaration name: (identifier) @name body: (_) @finding @body)
  (method_definition [
      (ERROR) @syntax_error
      ((property_identifier) @name (statement_block) @finding @body)
    ])
  (class_body (_ property: (property_identifier) @name value: (_) @finding))
 ]
  (#not-kind? @syntax_error "ERROR")
  (#match? @name "(?i:token|passw|pwd|passphrase|secret|session_?id|sess_?id|nonce|csrf|xsrf|salt|passcode|pin_?code|(?:api|access|private|signing|encryption|auth|license|activation)_?key|(?:auth|reset|verif[0-9A-Za-z_]*|confirm[0-9A-Za-z_]*|invite|invitation|recovery|activation|magic|login|one_?time|mfa|sms|email)_?code)|(?:^|[_'\"])(?i:otp)|[a-z0-9]Otp|OTP")
  (#not-match? @name "(?i)(length|len|count|size|expir[0-9A-Za-z_]*|ttl|delay|timeout|interval|index|idx|jitter|backoff|retry[0-9A-Za-z_]*|attempts?|position|pos|width|height|colou?r|opacity|chance|probability|percent|ratio|weight|rate|duration|ms|seconds)['\"]?$|^['\"]?(is|has|should|can|show|use)[A-Z_]")
  (#is-dynamic? @finding)
  (#match? @finding "Math\\.random")
  (#not-match? @body "randomBytes|getRandomValues|randomUUID|randomInt|randomFill"))

; typescript class fields (`public_field_definition`) and enum members. (A wildcard root with a
; concrete first child is matched from that child; its analysis costs about as much as one expression
; pattern, but any concrete root would not exist in all three grammars.)
((_ name: (property_identifier) @name value: (_) @finding)
  (#match? @name "(?i:token|passw|pwd|passphrase|secret|session_?id|sess_?id|nonce|csrf|xsrf|salt|passcode|pin_?code|(?:api|access|private|signing|encryption|auth|license|activation)_?key|(?:auth|reset|verif[0-9A-Za-z_]*|confirm[0-9A-Za-z_]*|invite|invitation|recovery|activation|magic|login|one_?time|mfa|sms|email)_?code)|(?:^|[_'\"])(?i:otp)|[a-z0-9]Otp|OTP")
  (#not-match? @name "(?i)(length|len|count|size|expir[0-9A-Za-z_]*|ttl|delay|timeout|interval|index|idx|jitter|backoff|retry[0-9A-Za-z_]*|attempts?|position|pos|width|height|colou?r|opacity|chance|probability|percent|ratio|weight|rate|duration|ms|seconds)['\"]?$|^['\"]?(is|has|should|can|show|use)[A-Z_]")
  (#is-dynamic? @finding)
  (#match? @finding "Math\\.random"))
