; Values from the `random` module (Mersenne Twister, predictable from a few outputs) used as a token, password,
; secret, nonce, OTP, salt, session id or API key: assigned to such a name, passed as such a keyword, or returned
; from a function named like generate_token. `secrets.*` and `random.SystemRandom()` never match.
; The span is the expression that builds the value.

; token = ''.join(random.choice(alphabet) for _ in range(32))  (the module spelled out)
(assignment
  left: [(identifier) (attribute) (subscript)] @target
  right: (_) @finding
  (#match? @target "(?i)(passw(or)?d|passwd|passphrase|secret|nonce|salt|csrf|xsrf|api_?key|apikey|session_?id|sessid|(^|[^a-z])(pwd|token|otp|pin|sid)($|[^a-z])|(reset|verification|verify|confirm|confirmation|activation|auth|invite|magic|one_?time|2fa|mfa|sms|email|login|access)_?(code|key|link|token)|(access|private|signing|encryption|session)_?key)")
  (#not-match? @target "(?i)(tokeniz|(max|min|num|n|total|count)_?tokens?|tokens?_?(count|len|length|num|ids?|idx|index|type|limit|budget|size|per)|cache_?key|sort_?key|(^|_)(shuffle|jitter|sample|seed|delay|backoff)|color|colour|zip_?code|country_?code|status_?code|exit_?code|error_?code|lang)")
  (#match? @finding "(^|[^A-Za-z0-9_])random\\.(random|randint|choice|choices|getrandbits|randrange|sample|randbytes|uniform)\\s*\\(")
  (#is-dynamic? @finding))

(keyword_argument
  name: (identifier) @target
  value: (_) @finding
  (#match? @target "(?i)(passw(or)?d|passwd|passphrase|secret|nonce|salt|csrf|xsrf|api_?key|apikey|session_?id|sessid|(^|[^a-z])(pwd|token|otp|pin|sid)($|[^a-z])|(reset|verification|verify|confirm|confirmation|activation|auth|invite|magic|one_?time|2fa|mfa|sms|email|login|access)_?(code|key|link|token)|(access|private|signing|encryption|session)_?key)")
  (#not-match? @target "(?i)(tokeniz|(max|min|num|n|total|count)_?tokens?|tokens?_?(count|len|length|num|ids?|idx|index|type|limit|budget|size|per)|cache_?key|sort_?key|(^|_)(shuffle|jitter|sample|seed|delay|backoff)|color|colour|zip_?code|country_?code|status_?code|exit_?code|error_?code|lang)")
  (#match? @finding "(^|[^A-Za-z0-9_])random\\.(random|randint|choice|choices|getrandbits|randrange|sample|randbytes|uniform)\\s*\\(")
  (#is-dynamic? @finding))

(function_definition
  name: (identifier) @target
  body: (block (return_statement (_) @finding))
  (#match? @target "(?i)^_*(gen|generate|make|create|new|random|issue|build|mint|rand)_?(a_?)?(new_?)?(random_?|secure_?|unique_?)?(password|passwd|pwd|passphrase|token|secret|nonce|otp|pin|salt|api_?key|secret_?key|session_?(id|key)|sid|csrf_?token|(reset|verification|confirm|activation|auth|invite|otp|sms|email|login)_?(code|token|key))s?$")
  (#not-match? @target "(?i)(tokeniz|(max|min|num|n|total|count)_?tokens?|tokens?_?(count|len|length|num|ids?|idx|index|type|limit|budget|size|per)|cache_?key|sort_?key|(^|_)(shuffle|jitter|sample|seed|delay|backoff)|color|colour|zip_?code|country_?code|status_?code|exit_?code|error_?code|lang)")
  (#match? @finding "(^|[^A-Za-z0-9_])random\\.(random|randint|choice|choices|getrandbits|randrange|sample|randbytes|uniform)\\s*\\("))

; from random import choice, randint: otp = randint(100000, 999999) / str(randint(...)) / ''.join(choice(...) ...)
(assignment
  left: [(identifier) (attribute) (subscript)] @target
  right: [
    (call function: [(identifier) (attribute)] @callee)
    (call arguments: (argument_list . (call function: [(identifier) (attribute)] @callee)))
    (call arguments: (generator_expression body: (call function: [(identifier) (attribute)] @callee)))
    (call arguments: (argument_list . (list_comprehension body: (call function: [(identifier) (attribute)] @callee))))
    (call function: (attribute object: (call function: [(identifier) (attribute)] @callee)))
    (call function: (attribute object: (call arguments: (argument_list . (call function: [(identifier) (attribute)] @callee)))))
    (binary_operator (call function: [(identifier) (attribute)] @callee))
  ] @finding
  (#match? @target "(?i)(passw(or)?d|passwd|passphrase|secret|nonce|salt|csrf|xsrf|api_?key|apikey|session_?id|sessid|(^|[^a-z])(pwd|token|otp|pin|sid)($|[^a-z])|(reset|verification|verify|confirm|confirmation|activation|auth|invite|magic|one_?time|2fa|mfa|sms|email|login|access)_?(code|key|link|token)|(access|private|signing|encryption|session)_?key)")
  (#not-match? @target "(?i)(tokeniz|(max|min|num|n|total|count)_?tokens?|tokens?_?(count|len|length|num|ids?|idx|index|type|limit|budget|size|per)|cache_?key|sort_?key|(^|_)(shuffle|jitter|sample|seed|delay|backoff)|color|colour|zip_?code|country_?code|status_?code|exit_?code|error_?code|lang)")
  (#resolves-to? @callee "^(random|numpy\\.random)\\.(random|randint|choice|choices|getrandbits|randrange|sample|randbytes|uniform)$"))

(function_definition
  name: (identifier) @target
  body: (block (return_statement [
    (call function: [(identifier) (attribute)] @callee)
    (call arguments: (argument_list . (call function: [(identifier) (attribute)] @callee)))
    (call arguments: (generator_expression body: (call function: [(identifier) (attribute)] @callee)))
    (call arguments: (argument_list . (list_comprehension body: (call function: [(identifier) (attribute)] @callee))))
    (call function: (attribute object: (call function: [(identifier) (attribute)] @callee)))
    (call function: (attribute object: (call arguments: (argument_list . (call function: [(identifier) (attribute)] @callee)))))
    (binary_operator (call function: [(identifier) (attribute)] @callee))
  ] @finding))
  (#match? @target "(?i)^_*(gen|generate|make|create|new|random|issue|build|mint|rand)_?(a_?)?(new_?)?(random_?|secure_?|unique_?)?(password|passwd|pwd|passphrase|token|secret|nonce|otp|pin|salt|api_?key|secret_?key|session_?(id|key)|sid|csrf_?token|(reset|verification|confirm|activation|auth|invite|otp|sms|email|login)_?(code|token|key))s?$")
  (#not-match? @target "(?i)(tokeniz|(max|min|num|n|total|count)_?tokens?|tokens?_?(count|len|length|num|ids?|idx|index|type|limit|budget|size|per)|cache_?key|sort_?key|(^|_)(shuffle|jitter|sample|seed|delay|backoff)|color|colour|zip_?code|country_?code|status_?code|exit_?code|error_?code|lang)")
  (#resolves-to? @callee "^(random|numpy\\.random)\\.(random|randint|choice|choices|getrandbits|randrange|sample|randbytes|uniform)$"))
