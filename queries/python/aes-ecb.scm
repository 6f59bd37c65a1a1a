; ECB mode of a block cipher: PyCryptodome `AES.MODE_ECB` (any cipher module's MODE_ECB)
(attribute attribute: (identifier) @mode (#eq? @mode "MODE_ECB")) @finding

; `from Crypto.Cipher.AES import MODE_ECB` then `AES.new(key, MODE_ECB)`
(argument_list
  (identifier) @finding
  (#eq? @finding "MODE_ECB")
  (#resolves-to? @finding "\\.MODE_ECB$"))

(keyword_argument
  value: (identifier) @finding
  (#eq? @finding "MODE_ECB")
  (#resolves-to? @finding "\\.MODE_ECB$"))

; cryptography: modes.ECB()
(call
  function: [(identifier) (attribute)] @callee
  (#match? @callee "(^|\\.)(ECB|AESModeOfOperationECB)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^((cryptography\\.hazmat\\.primitives\\.ciphers\\.)?modes\\.ECB|cryptography\\.hazmat\\.primitives\\.ciphers\\.modes\\.ECB|pyaes\\.AESModeOfOperationECB)$")) @finding

; OpenSSL cipher names, e.g. M2Crypto EVP.Cipher('aes_128_ecb', ...)
(argument_list
  (string) @finding
  (#match? @finding "^[rRbBuU]?['\"](?i:aes|des|des3|des-ede3|bf|blowfish|camellia|sm4)[-_]?(128|192|256)?[-_]ecb['\"]$"))
