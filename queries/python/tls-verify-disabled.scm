; verify=False / verify_ssl=False / ssl=False on an HTTP client: requests, httpx, aiohttp, urllib3, boto3
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    (keyword_argument name: (identifier) @kw value: (false) @off) @finding)
  (#resolves-to? @callee "^(requests|httpx|aiohttp|urllib3|boto3|botocore|treq|grequests|niquests|pip\\._vendor\\.requests)\\.")
  (#any-of? @kw "verify" "verify_ssl" "ssl"))

; ... or on a method with an HTTP client's name (session.get(url, verify=False), client = httpx.Client(...))
(call
  function: (attribute attribute: (identifier) @method)
  arguments: (argument_list
    (keyword_argument name: (identifier) @kw value: (false) @off) @finding)
  (#any-of? @method "get" "post" "put" "patch" "delete" "head" "options" "request" "send" "stream"
    "ws_connect" "Client" "AsyncClient" "Session" "ClientSession" "TCPConnector" "client" "resource"
    "urlopen" "PoolManager" "ProxyManager" "HTTPSConnectionPool" "connection_from_url")
  (#any-of? @kw "verify" "verify_ssl" "ssl"))

; session.verify = False / ctx.check_hostname = False
(assignment
  left: (attribute attribute: (identifier) @attr)
  right: (false) @off
  (#any-of? @attr "verify" "check_hostname")) @finding

; ssl._create_unverified_context, also assigned as the default HTTPS context
((attribute attribute: (identifier) @name) @finding
  (#match? @name "^_create_(unverified|stdlib)_context$")
  (#resolves-to? @finding "^ssl\\._create_(unverified|stdlib)_context$"))

; check_hostname=False / assert_hostname=False given to any call (urllib3, http.client)
(keyword_argument
  name: (identifier) @kw
  value: (false)
  (#any-of? @kw "check_hostname" "assert_hostname")) @finding

; ssl.CERT_NONE given as a value (not compared against)
(pair value: (attribute) @finding
  (#match? @finding "CERT_NONE$") (#resolves-to? @finding "^ssl\\.(VerifyMode\\.)?CERT_NONE$"))
(assignment right: (attribute) @finding
  (#match? @finding "CERT_NONE$") (#resolves-to? @finding "^ssl\\.(VerifyMode\\.)?CERT_NONE$"))
(keyword_argument value: (attribute) @finding
  (#match? @finding "CERT_NONE$") (#resolves-to? @finding "^ssl\\.(VerifyMode\\.)?CERT_NONE$"))
(argument_list (attribute) @finding
  (#match? @finding "CERT_NONE$") (#resolves-to? @finding "^ssl\\.(VerifyMode\\.)?CERT_NONE$"))
(assignment right: (identifier) @finding
  (#eq? @finding "CERT_NONE") (#resolves-to? @finding "^ssl\\.(VerifyMode\\.)?CERT_NONE$"))
(keyword_argument value: (identifier) @finding
  (#eq? @finding "CERT_NONE") (#resolves-to? @finding "^ssl\\.(VerifyMode\\.)?CERT_NONE$"))
(argument_list (identifier) @finding
  (#eq? @finding "CERT_NONE") (#resolves-to? @finding "^ssl\\.(VerifyMode\\.)?CERT_NONE$"))

; urllib3: cert_reqs='CERT_NONE' (or 'NONE')
(keyword_argument
  name: (identifier) @kw
  value: (string) @value
  (#eq? @kw "cert_reqs")
  (#match? @value "^[rRuU]?['\"](CERT_)?NONE['\"]$")) @finding

; pycurl: c.setopt(pycurl.SSL_VERIFYPEER, 0) / (SSL_VERIFYHOST, 0)
(call
  function: (attribute attribute: (identifier) @method)
  arguments: (argument_list
    .
    [(identifier) (attribute)] @option
    .
    [(integer) (false)] @value)
  (#eq? @method "setopt")
  (#match? @option "(^|\\.)SSL_VERIFY(PEER|HOST)$")
  (#match? @value "^(0|False)$")) @finding

; PYTHONHTTPSVERIFY=0 set from code
(assignment
  left: (subscript value: (attribute) @environ subscript: (string) @name)
  right: (string) @value
  (#resolves-to? @environ "^os\\.environ$")
  (#match? @name "^['\"]PYTHONHTTPSVERIFY['\"]$")
  (#match? @value "^['\"]0['\"]$")) @finding
