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

; opts.rejectUnauthorized = false, https.globalAgent.options.rejectUnauthorized = false (@key, @value);
; process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0' (or 0, or process.env['...']) (@env_key, @env_value).
; One pattern: the left side (the first child) and the right side are matched by position, so the
; property and the value that go together are captured under the same names. (The branches are kept
; flat: tree-sitter 0.25 loses matches when an alternation opens a branch that other branches follow.)
(assignment_expression . [
    (ERROR) @syntax_error
    ((_ property: (property_identifier) @key) @member
      [(false) (number) (unary_expression)] @value)
    ((_ index: (_ (string_fragment) @key) @index) @subscript
      [(false) (number) (unary_expression)] @value)
    ((_ property: (property_identifier) @env_key) @member
      [(string) (number) (template_string)] @env_value)
    ((_ index: (_ (string_fragment) @env_key) @index) @subscript
      [(string) (number) (template_string)] @env_value)
  ]
  (#not-kind? @syntax_error "ERROR")
  (#any-of? @key "rejectUnauthorized" "strictSSL" "ignoreHTTPSErrors")
  (#eq? @env_key "NODE_TLS_REJECT_UNAUTHORIZED")
  (#kind? @member "^member_expression$")
  (#kind? @subscript "^subscript_expression$")
  (#kind? @index "^string$")
  (#match? @value "^(false|0|!1)$")
  (#match? @env_value "^[\"'`]?0[\"'`]?$")) @finding

; { NODE_TLS_REJECT_UNAUTHORIZED: '0' } in an env object
(pair
  key: [(property_identifier) (string)] @key
  value: [(string) (number) (template_string)] @value
  (#match? @key "^[\"']?NODE_TLS_REJECT_UNAUTHORIZED[\"']?$")
  (#match? @value "^[\"'`]?0[\"'`]?$")) @finding

; a command string that sets it for a child process: execSync('NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci')
(call_expression . [
    (ERROR) @syntax_error
    ((_) @fn arguments: (_ [(string) (template_string)] @finding) @args)
  ]
  (#not-kind? @syntax_error "ERROR")
  (#kind? @args "^arguments$")
  (#match? @finding "NODE_TLS_REJECT_UNAUTHORIZED=[\"']?0\\b")
  (#match? @fn "(exec|execSync|spawn|spawnSync|execa|execaSync|execaCommand|execaCommandSync)$"))

; { checkServerIdentity: () => undefined } accepts a certificate for any host name
(pair
  key: (property_identifier) @key
  value: [(arrow_function) (function_expression)] @value
  (#eq? @key "checkServerIdentity")
  (#match? @value "(=>\\s*(\\{\\s*(return\\s*(undefined|null|void 0)?\\s*;?\\s*)?\\}|undefined|null|void 0)|\\)\\s*\\{\\s*(return\\s*(undefined|null|void 0)?\\s*;?\\s*)?\\})\\s*$")) @finding

; checkServerIdentity() {} as a method (its name is the only property_identifier child, its body the
; only statement_block child)
(method_definition [
    (ERROR) @syntax_error
    ((property_identifier) @key (statement_block) @value)
  ]
  (#not-kind? @syntax_error "ERROR")
  (#eq? @key "checkServerIdentity")
  (#match? @value "^\\{\\s*(return\\s*(undefined|null|void 0)?\\s*;?\\s*)?\\}$")) @finding

; Chromium/Electron: app.commandLine.appendSwitch('ignore-certificate-errors'), args: ['--ignore-certificate-errors']
([
  (arguments . (string) @finding)
  (array (string) @finding)
 ]
  (#match? @finding "^[\"'](--)?ignore-certificate-errors[\"']$"))

; superagent: request.get(url).disableTLSCerts()
(call_expression . [
    (ERROR) @syntax_error
    ((_ property: (property_identifier) @method) @callee)
  ]
  (#not-kind? @syntax_error "ERROR")
  (#eq? @method "disableTLSCerts")
  (#kind? @callee "^member_expression$")) @finding

; Electron: session.setCertificateVerifyProc((request, callback) => callback(0))
(call_expression . [
    (ERROR) @syntax_error
    ((_ property: (property_identifier) @method) @callee
      arguments: (_ . [(arrow_function) (function_expression)] @proc) @args)
  ]
  (#not-kind? @syntax_error "ERROR")
  (#eq? @method "setCertificateVerifyProc")
  (#kind? @callee "^member_expression$")
  (#kind? @args "^arguments$")
  (#match? @proc "^(async\\s+)?(function\\s*[0-9A-Za-z_]*\\s*)?\\([^)]*\\)\\s*(=>)?\\s*\\{?\\s*(return\\s+)?[0-9A-Za-z_]+\\(\\s*0\\s*\\)\\s*;?\\s*\\}?$")) @finding
