; Values from the `random` module (Mersenne Twister, predictable from a few outputs) used as a token, password,
; secret, nonce, OTP, salt, session id or API key: assigned to such a name, passed as such a keyword, or returned
; from a function named like generate_token. `secrets.*` and `random.SystemRandom()` never match. The span is
; the expression that builds the value. The random call is found in its text (`random.choice(` spelled out, or a
; bare `choice(` in a file that does `from random import ...`), so it may sit anywhere inside the expression:
; `''.join(random.choice(abc) for _ in range(32))`, `'%032x' % random.getrandbits(128)`.

([(assignment left: [(identifier) (attribute) (subscript)] @target right: (_) @finding)
  (keyword_argument name: (identifier) @target value: (_) @finding)]
  (#match? @target "(?i)(passw(or)?d|passwd|passphrase|secret|nonce|salt|csrf|xsrf|api_?key|apikey|session_?id|sessid|(^|[^a-z])(pwd|token|otp|pin|sid)($|[^a-z])|(reset|verification|verify|confirm|confirmation|activation|auth|invite|magic|one_?time|2fa|mfa|sms|email|login|access)_?(code|key|link|token)|(access|private|signing|encryption|session)_?key)")
  (#not-match? @target "(?i)(tokeniz|(max|min|num|n|total|count)_?tokens?|tokens?_?(count|len|length|num|ids?|idx|index|type|limit|budget|size|per)|cache_?key|sort_?key|(^|_)(shuffle|jitter|sample|seed|delay|backoff)|color|colour|zip_?code|country_?code|status_?code|exit_?code|error_?code|lang)")
  (#not-match? @finding "(?i)vocab|tokens|words|corpus|sentences|synonyms|stopwords")
  (#match? @finding "(^|[^A-Za-z0-9_])random\\.(random|randint|choice|choices|getrandbits|randrange|sample|randbytes|uniform)[ \\t]*\\(")
  (#is-dynamic? @finding))

([(assignment left: [(identifier) (attribute) (subscript)] @target right: (_) @finding)
  (keyword_argument name: (identifier) @target value: (_) @finding)]
  (#match? @target "(?i)(passw(or)?d|passwd|passphrase|secret|nonce|salt|csrf|xsrf|api_?key|apikey|session_?id|sessid|(^|[^a-z])(pwd|token|otp|pin|sid)($|[^a-z])|(reset|verification|verify|confirm|confirmation|activation|auth|invite|magic|one_?time|2fa|mfa|sms|email|login|access)_?(code|key|link|token)|(access|private|signing|encryption|session)_?key)")
  (#not-match? @target "(?i)(tokeniz|(max|min|num|n|total|count)_?tokens?|tokens?_?(count|len|length|num|ids?|idx|index|type|limit|budget|size|per)|cache_?key|sort_?key|(^|_)(shuffle|jitter|sample|seed|delay|backoff)|color|colour|zip_?code|country_?code|status_?code|exit_?code|error_?code|lang)")
  (#not-match? @finding "(?i)vocab|tokens|words|corpus|sentences|synonyms|stopwords")
  (#match? @finding "(^|[^A-Za-z0-9_.])(random|randint|choice|choices|getrandbits|randrange|sample|randbytes|uniform)[ \\t]*\\(")
  (#file-match? "(^|\\n)[ \\t]*from[ \\t]+(numpy\\.)?random[ \\t]+import[ \\t]")
  (#is-dynamic? @finding))

((function_definition
  name: (identifier) @target
  body: (block (return_statement (_) @finding)))
  (#match? @target "(?i)^_*(gen|generate|make|create|new|random|issue|build|mint|rand)_?(a_?)?(new_?)?(random_?|secure_?|unique_?)?(password|passwd|pwd|passphrase|token|secret|nonce|otp|pin|salt|api_?key|secret_?key|session_?(id|key)|sid|csrf_?token|(reset|verification|confirm|activation|auth|invite|otp|sms|email|login)_?(code|token|key))s?$")
  (#not-match? @target "(?i)(tokeniz|(max|min|num|n|total|count)_?tokens?|tokens?_?(count|len|length|num|ids?|idx|index|type|limit|budget|size|per)|cache_?key|sort_?key|(^|_)(shuffle|jitter|sample|seed|delay|backoff)|color|colour|zip_?code|country_?code|status_?code|exit_?code|error_?code|lang)")
  (#match? @finding "(^|[^A-Za-z0-9_])random\\.(random|randint|choice|choices|getrandbits|randrange|sample|randbytes|uniform)[ \\t]*\\("))

((function_definition
  name: (identifier) @target
  body: (block (return_statement (_) @finding)))
  (#match? @target "(?i)^_*(gen|generate|make|create|new|random|issue|build|mint|rand)_?(a_?)?(new_?)?(random_?|secure_?|unique_?)?(password|passwd|pwd|passphrase|token|secret|nonce|otp|pin|salt|api_?key|secret_?key|session_?(id|key)|sid|csrf_?token|(reset|verification|confirm|activation|auth|invite|otp|sms|email|login)_?(code|token|key))s?$")
  (#not-match? @target "(?i)(tokeniz|(max|min|num|n|total|count)_?tokens?|tokens?_?(count|len|length|num|ids?|idx|index|type|limit|budget|size|per)|cache_?key|sort_?key|(^|_)(shuffle|jitter|sample|seed|delay|backoff)|color|colour|zip_?code|country_?code|status_?code|exit_?code|error_?code|lang)")
  (#match? @finding "(^|[^A-Za-z0-9_.])(random|randint|choice|choices|getrandbits|randrange|sample|randbytes|uniform)[ \\t]*\\(")
  (#file-match? "(^|\\n)[ \\t]*from[ \\t]+(numpy\\.)?random[ \\t]+import[ \\t]"))
