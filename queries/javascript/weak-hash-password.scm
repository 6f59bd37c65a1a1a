;; md5/sha1 (Node crypto.createHash, the md5/sha1/blueimp-md5 packages, CryptoJS.MD5/SHA1) applied to a
;; password, token or secret, or producing a value named like one. Checksums, ETags and cache keys of
;; content are not matched.

; crypto.createHash('md5').update(password)
(call_expression
  function: (member_expression
    object: (call_expression
      function: (_) @hash
      arguments: (arguments . [(string) (template_string)] @algo)) @finding
    property: (property_identifier) @update)
  arguments: (arguments . (_) @input)
  (#resolves-to? @hash "^crypto\\.createHash$")
  (#match? @algo "(?i)^[\"'`](md5|md4|md2|sha1|sha-1|ripemd160|rmd160)[\"'`]$")
  (#eq? @update "update")
  (#match? @input "(?i)(passw|pwd|passphrase|secret|token|api_?key|credential|\\bpw\\b|\\bpin\\b)"))

; passwordHash = crypto.createHash('sha1').update(x).digest('hex'), when the update() input is not
; itself named like a secret (that case is the pattern above, reported on the createHash call)
([
  (variable_declarator name: (identifier) @name value: (call_expression) @finding)
  (assignment_expression
    left: [(identifier) @name (member_expression property: (property_identifier) @name)]
    right: (call_expression) @finding)
  (pair key: [(property_identifier) (string)] @name value: (call_expression) @finding)
 ]
  (#match? @name "(?i)(passw|pwd|passphrase|secret|token|api_?key|credential)")
  (#match? @finding "^[0-9A-Za-z_$.]*createHash\\s*\\(\\s*['\"`](?i:md5|md4|md2|sha1|sha-1|ripemd160|rmd160)['\"`]\\s*\\)\\s*\\.update\\s*\\(")
  (#not-match? @finding "\\.update\\s*\\([^)]*(?i:passw|pwd|passphrase|secret|token|api_?key|credential|\\bpw\\b|\\bpin\\b)"))

; const h = crypto.createHash('md5'); ... h.update(password)  (only in files that use no strong hash)
(call_expression
  function: (member_expression object: (identifier) property: (property_identifier)) @fn
  arguments: (arguments . (_) @input)
  (#resolves-to? @fn "^crypto\\.createHash\\(\\)\\.update$")
  (#match? @input "(?i)(passw|pwd|passphrase|secret|token|api_?key|credential|\\bpw\\b|\\bpin\\b)")
  (#file-match? "createHash\\(\\s*[\"'`](?i:md5|md4|sha1|sha-1|ripemd160)[\"'`]")
  (#not-file-match? "createHash\\(\\s*[^\"'`\\s]|createHash\\(\\s*[\"'`](?i:sha-?(224|256|384|512)|sha3|blake|shake)")) @finding

; md5(password), CryptoJS.SHA1(secret)
(call_expression
  function: [(identifier) (member_expression)] @hash
  arguments: (arguments . (_) @input)
  (#resolves-to? @hash "^(md5|sha1|js-md5|blueimp-md5|crypto-js/(md5|sha1)|(crypto-js|CryptoJS)\\.(MD5|SHA1)|js-sha1|locutus/php/strings/(md5|sha1))$")
  (#match? @input "(?i)(passw|pwd|passphrase|secret|token|api_?key|credential|\\bpw\\b|\\bpin\\b)")) @finding

; passwordHash = md5(x)
([
  (variable_declarator name: (identifier) @name value: (call_expression function: [(identifier) (member_expression)] @hash) @finding)
  (assignment_expression
    left: [(identifier) @name (member_expression property: (property_identifier) @name)]
    right: (call_expression function: [(identifier) (member_expression)] @hash) @finding)
  (pair key: [(property_identifier) (string)] @name value: (call_expression function: [(identifier) (member_expression)] @hash) @finding)
 ]
  (#match? @name "(?i)(passw|pwd|passphrase|secret|token|api_?key|credential)")
  (#resolves-to? @hash "^(md5|sha1|js-md5|blueimp-md5|crypto-js/(md5|sha1)|(crypto-js|CryptoJS)\\.(MD5|SHA1)|js-sha1|locutus/php/strings/(md5|sha1))$"))
