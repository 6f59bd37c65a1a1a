; An ECB cipher name ('aes-128-ecb', 'des-ede3', 'AES-ECB', 'AES/ECB/PKCS5Padding') given to a cipher
; constructor, or stored in a variable or option that names the algorithm. Lists of names and
; comparisons (`algo === 'aes-128-ecb'`) are not reported.
;
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
(call_expression . [
    (ERROR) @syntax_error
    ((_) @callee arguments: (_ [(string) (template_string)] @finding) @args)
  ]
  (#not-kind? @syntax_error "ERROR")
  (#kind? @args "^arguments$")
  (#match? @callee "(createCipheriv|createDecipheriv|createCipher|createDecipher)$")
  (#match? @finding "(?i)^[\"'`]((aes|aria|camellia|sm4|des|bf|blowfish|cast5?|idea|rc2|seed)(-?\\d+)?-ecb|des-ede3?|(aes|des|desede|tripledes|blowfish)/ecb(/[0-9A-Za-z_]+)?)[\"'`]$"))

; a variable or option holding the name, or CryptoJS `{ mode: CryptoJS.mode.ECB }`: a string or template
; with an ECB name, or a member expression ending in mode.ECB (neither regex alternative can match the
; other kinds: a string ends with a quote, a member expression with a name)
([
  (variable_declarator value: [(string) (template_string) (member_expression)] @finding)
  (assignment_expression . [
      (ERROR) @syntax_error
      ((_) right: [(string) (template_string) (member_expression)] @finding)
    ])
  (pair value: [(string) (template_string) (member_expression)] @finding)
 ]
  (#not-kind? @syntax_error "ERROR")
  (#match? @finding "(?i:^[\"'`]((aes|aria|camellia|sm4|des|bf|blowfish|cast5?|idea|rc2|seed)(-?\\d+)?-ecb|des-ede3?|(aes|des|desede|tripledes|blowfish)/ecb(/[0-9A-Za-z_]+)?)[\"'`]$)|(^|\\.)mode\\.ECB$"))

; aes-js: new aesjs.ModeOfOperation.ecb(key)
(new_expression . [(ERROR) @syntax_error (member_expression) @ctor]
  (#not-kind? @syntax_error "ERROR")
  (#match? @ctor "ModeOfOperation\\.ecb$")) @finding
