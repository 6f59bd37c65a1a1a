; An ECB cipher name ('aes-128-ecb', 'des-ede3', 'AES-ECB', 'AES/ECB/PKCS5Padding') given to a cipher
; constructor, or stored in a variable or option that names the algorithm. Lists of names and
; comparisons (`algo === 'aes-128-ecb'`) are not reported.
(call_expression
  function: (_) @callee
  arguments: (arguments [(string) (template_string)] @finding)
  (#match? @callee "(createCipheriv|createDecipheriv|createCipher|createDecipher)$")
  (#match? @finding "(?i)^[\"'`]((aes|aria|camellia|sm4|des|bf|blowfish|cast5?|idea|rc2|seed)(-?\\d+)?-ecb|des-ede3?|(aes|des|desede|tripledes|blowfish)/ecb(/[0-9A-Za-z_]+)?)[\"'`]$"))

([
  (variable_declarator value: [(string) (template_string)] @finding)
  (assignment_expression right: [(string) (template_string)] @finding)
  (pair value: [(string) (template_string)] @finding)
 ]
  (#match? @finding "(?i)^[\"'`]((aes|aria|camellia|sm4|des|bf|blowfish|cast5?|idea|rc2|seed)(-?\\d+)?-ecb|des-ede3?|(aes|des|desede|tripledes|blowfish)/ecb(/[0-9A-Za-z_]+)?)[\"'`]$"))

; CryptoJS: { mode: CryptoJS.mode.ECB }
([
  (variable_declarator value: (member_expression) @finding)
  (assignment_expression right: (member_expression) @finding)
  (pair value: (member_expression) @finding)
 ]
  (#match? @finding "(^|\\.)mode\\.ECB$"))

; aes-js: new aesjs.ModeOfOperation.ecb(key)
(new_expression
  constructor: (member_expression) @ctor
  (#match? @ctor "ModeOfOperation\\.ecb$")) @finding
