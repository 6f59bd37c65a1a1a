;; md5/sha1 (Node crypto.createHash, the md5/sha1/blueimp-md5 packages, CryptoJS.MD5/SHA1) applied to a
;; password, token or secret, or producing a value named like one. Checksums, ETags and cache keys of
;; content are not matched.
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

; crypto.createHash('md5').update(password)
(call_expression . [
    (ERROR) @syntax_error
    ((_
        object: (_
          function: (_) @hash
          arguments: (_ . [(string) (template_string)] @algo) @algo_args) @finding
        property: (property_identifier) @update) @update_call
      arguments: (_ . (_) @input) @args)
  ]
  (#not-kind? @syntax_error "ERROR")
  (#eq? @update "update")
  (#kind? @update_call "^member_expression$")
  (#kind? @finding "^call_expression$")
  (#kind? @algo_args "^arguments$")
  (#kind? @args "^arguments$")
  (#match? @algo "(?i)^[\"'`](md5|md4|md2|sha1|sha-1|ripemd160|rmd160)[\"'`]$")
  (#match? @input "(?i)(passw|pwd|passphrase|secret|token|api_?key|credential|\\bpw\\b|\\bpin\\b)")
  (#resolves-to? @hash "^crypto\\.createHash$"))

; passwordHash = crypto.createHash('sha1').update(x).digest('hex'), when the update() input is not
; itself named like a secret (that case is the pattern above, reported on the createHash call)
([
  (variable_declarator name: (identifier) @name value: (call_expression) @finding)
  (assignment_expression . [
      (ERROR) @syntax_error
      ((identifier) @name right: (call_expression) @finding)
      ((_ property: (property_identifier) @name) @member right: (call_expression) @finding)
    ])
  (pair key: [(property_identifier) (string)] @name value: (call_expression) @finding)
 ]
  (#not-kind? @syntax_error "ERROR")
  (#kind? @member "^member_expression$")
  (#match? @name "(?i)(passw|pwd|passphrase|secret|token|api_?key|credential)")
  (#match? @finding "^[0-9A-Za-z_$.]*createHash\\s*\\(\\s*['\"`](?i:md5|md4|md2|sha1|sha-1|ripemd160|rmd160)['\"`]\\s*\\)\\s*\\.update\\s*\\(")
  (#not-match? @finding "\\.update\\s*\\([^)]*(?i:passw|pwd|passphrase|secret|token|api_?key|credential|\\bpw\\b|\\bpin\\b)"))

; const h = crypto.createHash('md5'); ... h.update(password)  (only in files that use no strong hash)
(call_expression . [
    (ERROR) @syntax_error
    ((_ object: (identifier) property: (property_identifier)) @fn arguments: (_ . (_) @input) @args)
  ]
  (#not-kind? @syntax_error "ERROR")
  (#kind? @fn "^member_expression$")
  (#kind? @args "^arguments$")
  (#match? @input "(?i)(passw|pwd|passphrase|secret|token|api_?key|credential|\\bpw\\b|\\bpin\\b)")
  (#resolves-to? @fn "^crypto\\.createHash\\(\\)\\.update$")
  (#file-match? "createHash\\(\\s*[\"'`](?i:md5|md4|sha1|sha-1|ripemd160)[\"'`]")
  (#not-file-match? "createHash\\(\\s*[^\"'`\\s]|createHash\\(\\s*[\"'`](?i:sha-?(224|256|384|512)|sha3|blake|shake)")) @finding

; md5(password), CryptoJS.SHA1(secret)
(call_expression . [
    (ERROR) @syntax_error
    ((_) @hash arguments: (_ . (_) @input) @args)
  ]
  (#not-kind? @syntax_error "ERROR")
  (#kind? @hash "^(identifier|member_expression)$")
  (#kind? @args "^arguments$")
  (#match? @input "(?i)(passw|pwd|passphrase|secret|token|api_?key|credential|\\bpw\\b|\\bpin\\b)")
  (#resolves-to? @hash "^(md5|sha1|js-md5|blueimp-md5|crypto-js/(md5|sha1)|(crypto-js|CryptoJS)\\.(MD5|SHA1)|js-sha1|locutus/php/strings/(md5|sha1))$")) @finding

; passwordHash = md5(x)  (the call's function is its first child: the anchor drops other values at once)
([
  (variable_declarator name: (identifier) @name value: (_ . function: [(identifier) (member_expression)] @hash) @finding)
  (assignment_expression . [
      (ERROR) @syntax_error
      ((identifier) @name right: (_ . function: [(identifier) (member_expression)] @hash) @finding)
      ((_ property: (property_identifier) @name) @member right: (_ . function: [(identifier) (member_expression)] @hash) @finding)
    ])
  (pair key: [(property_identifier) (string)] @name value: (_ . function: [(identifier) (member_expression)] @hash) @finding)
 ]
  (#not-kind? @syntax_error "ERROR")
  (#kind? @member "^member_expression$")
  (#kind? @finding "^call_expression$")
  (#match? @name "(?i)(passw|pwd|passphrase|secret|token|api_?key|credential)")
  (#resolves-to? @hash "^(md5|sha1|js-md5|blueimp-md5|crypto-js/(md5|sha1)|(crypto-js|CryptoJS)\\.(MD5|SHA1)|js-sha1|locutus/php/strings/(md5|sha1))$"))
