; { rejectUnauthorized: false } (https.Agent, tls.connect, axios/got/undici/pg/ws/nodemailer options),
; { strictSSL: false } (request), { ignoreHTTPSErrors: true } (Puppeteer, Playwright)
(pair
  key: [(property_identifier) (string)] @key
  value: [(false) (number) (unary_expression)] @value
  (#match? @key "^[\"']?(rejectUnauthorized|strictSSL|strict_ssl|strict-ssl)[\"']?$")
  (#match? @value "^(false|0|!1)$")) @finding

(pair
  key: [(property_identifier) (string)] @key
  value: (true) @value
  (#match? @key "^[\"']?(ignoreHTTPSErrors|acceptInsecureCerts|ignoreCertificateErrors)[\"']?$")) @finding

; opts.rejectUnauthorized = false, https.globalAgent.options.rejectUnauthorized = false
(assignment_expression
  left: [
    (member_expression property: (property_identifier) @key)
    (subscript_expression index: (string (string_fragment) @key))
  ]
  right: [(false) (number) (unary_expression)] @value
  (#any-of? @key "rejectUnauthorized" "strictSSL" "ignoreHTTPSErrors")
  (#match? @value "^(false|0|!1)$")) @finding

; process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0' (or 0, or process.env['...']), and
; { NODE_TLS_REJECT_UNAUTHORIZED: '0' } in an env object
(assignment_expression
  left: [
    (member_expression property: (property_identifier) @key)
    (subscript_expression index: (string (string_fragment) @key))
  ]
  right: [(string) (number) (template_string)] @value
  (#eq? @key "NODE_TLS_REJECT_UNAUTHORIZED")
  (#match? @value "^[\"'`]?0[\"'`]?$")) @finding

(pair
  key: [(property_identifier) (string)] @key
  value: [(string) (number) (template_string)] @value
  (#match? @key "^[\"']?NODE_TLS_REJECT_UNAUTHORIZED[\"']?$")
  (#match? @value "^[\"'`]?0[\"'`]?$")) @finding

; a command string that sets it for a child process: execSync('NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci')
(call_expression
  function: (_) @fn
  arguments: (arguments [(string) (template_string)] @finding)
  (#match? @fn "(exec|execSync|spawn|spawnSync|execa|execaSync|execaCommand|execaCommandSync)$")
  (#match? @finding "NODE_TLS_REJECT_UNAUTHORIZED=[\"']?0\\b"))

; { checkServerIdentity: () => undefined } accepts a certificate for any host name
(pair
  key: (property_identifier) @key
  value: [(arrow_function) (function_expression)] @value
  (#eq? @key "checkServerIdentity")
  (#match? @value "(=>\\s*(\\{\\s*(return\\s*(undefined|null|void 0)?\\s*;?\\s*)?\\}|undefined|null|void 0)|\\)\\s*\\{\\s*(return\\s*(undefined|null|void 0)?\\s*;?\\s*)?\\})\\s*$")) @finding

(method_definition
  name: (property_identifier) @key
  body: (statement_block) @value
  (#eq? @key "checkServerIdentity")
  (#match? @value "^\\{\\s*(return\\s*(undefined|null|void 0)?\\s*;?\\s*)?\\}$")) @finding

; superagent: request.get(url).disableTLSCerts()
(call_expression
  function: (member_expression property: (property_identifier) @method)
  (#eq? @method "disableTLSCerts")) @finding

; Chromium/Electron: app.commandLine.appendSwitch('ignore-certificate-errors'), args: ['--ignore-certificate-errors']
([
  (arguments . (string) @finding)
  (array (string) @finding)
 ]
  (#match? @finding "^[\"'](--)?ignore-certificate-errors[\"']$"))

; Electron: session.setCertificateVerifyProc((request, callback) => callback(0))
(call_expression
  function: (member_expression property: (property_identifier) @method)
  arguments: (arguments . [(arrow_function) (function_expression)] @proc)
  (#eq? @method "setCertificateVerifyProc")
  (#match? @proc "^(async\\s+)?(function\\s*[0-9A-Za-z_]*\\s*)?\\([^)]*\\)\\s*(=>)?\\s*\\{?\\s*(return\\s+)?[0-9A-Za-z_]+\\(\\s*0\\s*\\)\\s*;?\\s*\\}?$")) @finding
