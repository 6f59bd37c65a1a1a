; md5 / sha1 (hashlib.md5, hashlib.sha1, hashlib.new("md5"), PyCryptodome MD5/SHA1) applied to a value whose
; name says password / token / secret / api key, or whose digest is stored under such a name.
; Never with usedforsecurity=False; checksums of file contents and other data do not match.

; hashlib.md5(password.encode()) -- the span is the hashing call
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list . (_) @data) @args
  (#match? @callee "(^|\\.)(md5|sha1|md4|new|MD5|SHA1|SHA|MD4)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(hashlib\\.(md5|sha1|md4)|(Crypto|Cryptodome)\\.Hash\\.(MD5|SHA1|SHA|MD4)\\.new)$")
  (#match? @data "(?i)(passw(or)?d|passwd|passphrase|secret|api_?key|apikey|credential|(^|[^a-z])(pwd|token|pin|otp)($|[^a-z]))")
  (#not-match? @data "^[rRbBuU]*['\"]")
  (#not-match? @args "usedforsecurity\\s*=\\s*False")) @finding

; hashlib.new("md5", password)
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list . (string) @algo . (_) @data) @args
  (#match? @callee "(^|\\.)(md5|sha1|md4|new|MD5|SHA1|SHA|MD4)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^hashlib\\.new$")
  (#match? @algo "^[rRbBuU]*['\"](?i:md5|sha1|sha-1|md4)['\"]$")
  (#match? @data "(?i)(passw(or)?d|passwd|passphrase|secret|api_?key|apikey|credential|(^|[^a-z])(pwd|token|pin|otp)($|[^a-z]))")
  (#not-match? @data "^[rRbBuU]*['\"]")
  (#not-match? @args "usedforsecurity\\s*=\\s*False")) @finding

; h = hashlib.md5() directly followed by h.update(password) (anchored: an unanchored sibling pattern is
; quadratic in the length of the block)
(_
  (expression_statement (assignment left: (identifier) @var
    right: (call function: [(identifier) (attribute)] @callee arguments: (argument_list) @args) @finding))
  .
  (expression_statement (call
    function: (attribute object: (identifier) @use attribute: (identifier) @update)
    arguments: (argument_list . (_) @data)))
  (#eq? @var @use)
  (#eq? @update "update")
  (#match? @callee "(^|\\.)(md5|sha1|md4|new|MD5|SHA1|SHA|MD4)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(hashlib\\.(md5|sha1|md4)|(Crypto|Cryptodome)\\.Hash\\.(MD5|SHA1|SHA|MD4)\\.new)$")
  (#match? @data "(?i)(passw(or)?d|passwd|passphrase|secret|api_?key|apikey|credential|(^|[^a-z])(pwd|token|pin|otp)($|[^a-z]))")
  (#not-match? @data "^[rRbBuU]*['\"]")
  (#not-match? @args "usedforsecurity\\s*=\\s*False"))

; password_hash = hashlib.md5(salt + raw).hexdigest() -- digest stored under a sensitive name
(assignment
  left: [(identifier) (attribute) (subscript)] @target
  right: (call
    function: (attribute
      object: (call function: [(identifier) (attribute)] @callee arguments: (argument_list) @args) @finding
      attribute: (identifier) @digest))
  (#any-of? @digest "hexdigest" "digest")
  (#match? @callee "(^|\\.)(md5|sha1|md4|new|MD5|SHA1|SHA|MD4)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(hashlib\\.(md5|sha1|md4)|(Crypto|Cryptodome)\\.Hash\\.(MD5|SHA1|SHA|MD4)\\.new)$")
  (#match? @target "(?i)(passw(or)?d|passwd|passphrase|secret|api_?key|apikey|credential|(^|[^a-z])(pwd|token|pin|otp)($|[^a-z]))")
  (#not-match? @target "(?i)(checksum|etag|cache|fingerprint)")
  (#not-match? @args "usedforsecurity\\s*=\\s*False"))
