; crypto.createCipher / createDecipher (any import form): key and IV derived from a password with one
; MD5 round and no salt; deprecated since Node 10, removed in Node 22.
(call_expression
  function: [(identifier) (member_expression) (subscript_expression)] @callee
  (#resolves-to? @callee "^crypto\\.(createCipher|createDecipher)$")) @finding
