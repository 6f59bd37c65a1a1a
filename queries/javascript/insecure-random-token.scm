;; Math.random() used to make a secret: a value assigned to (or a function named like) a token, password,
;; secret, session id, nonce, OTP, salt or API key that contains Math.random. The reported spans are the
;; Math.random occurrences inside it (`focus`).
([
  (variable_declarator name: (identifier) @name value: (_) @finding)
  (assignment_expression left: [
      (identifier) @name
      (member_expression property: (property_identifier) @name)
      (subscript_expression index: (string (string_fragment) @name))
    ] right: (_) @finding)
  (augmented_assignment_expression left: [
      (identifier) @name
      (member_expression property: (property_identifier) @name)
      (subscript_expression index: (string (string_fragment) @name))
    ] right: (_) @finding)
  (pair key: [(property_identifier) (string)] @name value: (_) @finding)
 ]
  (#match? @name "(?i:token|passw|pwd|passphrase|secret|session_?id|sess_?id|nonce|csrf|xsrf|salt|passcode|pin_?code|(?:api|access|private|signing|encryption|auth|license|activation)_?key|(?:auth|reset|verif[0-9A-Za-z_]*|confirm[0-9A-Za-z_]*|invite|invitation|recovery|activation|magic|login|one_?time|mfa|sms|email)_?code)|(?:^|[_'\"])(?i:otp)|[a-z0-9]Otp|OTP")
  (#not-match? @name "(?i)(length|len|count|size|expir[0-9A-Za-z_]*|ttl|delay|timeout|interval|index|idx|jitter|backoff|retry[0-9A-Za-z_]*|attempts?|position|pos|width|height|colou?r|opacity|chance|probability|percent|ratio|weight|rate|duration|ms|seconds)['\"]?$|^['\"]?(is|has|should|can|show|use)[A-Z_]")
  (#is-dynamic? @finding)
  (#match? @finding "Math\\.random"))

; functions named like a token maker. A body that also calls a crypto generator (randomBytes,
; getRandomValues, randomUUID, randomInt) makes its secret there and uses Math.random for something else.
([
  (function_declaration name: (identifier) @name body: (_) @finding)
  (generator_function_declaration name: (identifier) @name body: (_) @finding)
  (method_definition name: (property_identifier) @name body: (_) @finding)
 ]
  (#match? @name "(?i:token|passw|pwd|passphrase|secret|session_?id|sess_?id|nonce|csrf|xsrf|salt|passcode|pin_?code|(?:api|access|private|signing|encryption|auth|license|activation)_?key|(?:auth|reset|verif[0-9A-Za-z_]*|confirm[0-9A-Za-z_]*|invite|invitation|recovery|activation|magic|login|one_?time|mfa|sms|email)_?code)|(?:^|[_'\"])(?i:otp)|[a-z0-9]Otp|OTP")
  (#not-match? @name "(?i)(length|len|count|size|expir[0-9A-Za-z_]*|ttl|delay|timeout|interval|index|idx|jitter|backoff|retry[0-9A-Za-z_]*|attempts?|position|pos|width|height|colou?r|opacity|chance|probability|percent|ratio|weight|rate|duration|ms|seconds)['\"]?$|^['\"]?(is|has|should|can|show|use)[A-Z_]")
  (#is-dynamic? @finding)
  (#match? @finding "Math\\.random")
  (#not-match? @finding "randomBytes|getRandomValues|randomUUID|randomInt|randomFill"))

; class fields: `field_definition` (javascript) and `public_field_definition` (typescript) differ, so
; match any node with these fields
((_ property: (property_identifier) @name value: (_) @finding)
  (#match? @name "(?i:token|passw|pwd|passphrase|secret|session_?id|sess_?id|nonce|csrf|xsrf|salt|passcode|pin_?code|(?:api|access|private|signing|encryption|auth|license|activation)_?key|(?:auth|reset|verif[0-9A-Za-z_]*|confirm[0-9A-Za-z_]*|invite|invitation|recovery|activation|magic|login|one_?time|mfa|sms|email)_?code)|(?:^|[_'\"])(?i:otp)|[a-z0-9]Otp|OTP")
  (#not-match? @name "(?i)(length|len|count|size|expir[0-9A-Za-z_]*|ttl|delay|timeout|interval|index|idx|jitter|backoff|retry[0-9A-Za-z_]*|attempts?|position|pos|width|height|colou?r|opacity|chance|probability|percent|ratio|weight|rate|duration|ms|seconds)['\"]?$|^['\"]?(is|has|should|can|show|use)[A-Z_]")
  (#is-dynamic? @finding)
  (#match? @finding "Math\\.random"))

((_ name: (property_identifier) @name value: (_) @finding)
  (#match? @name "(?i:token|passw|pwd|passphrase|secret|session_?id|sess_?id|nonce|csrf|xsrf|salt|passcode|pin_?code|(?:api|access|private|signing|encryption|auth|license|activation)_?key|(?:auth|reset|verif[0-9A-Za-z_]*|confirm[0-9A-Za-z_]*|invite|invitation|recovery|activation|magic|login|one_?time|mfa|sms|email)_?code)|(?:^|[_'\"])(?i:otp)|[a-z0-9]Otp|OTP")
  (#not-match? @name "(?i)(length|len|count|size|expir[0-9A-Za-z_]*|ttl|delay|timeout|interval|index|idx|jitter|backoff|retry[0-9A-Za-z_]*|attempts?|position|pos|width|height|colou?r|opacity|chance|probability|percent|ratio|weight|rate|duration|ms|seconds)['\"]?$|^['\"]?(is|has|should|can|show|use)[A-Z_]")
  (#is-dynamic? @finding)
  (#match? @finding "Math\\.random"))
