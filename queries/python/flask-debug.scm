; app.run(debug=True) in a Flask application: the span is the keyword
; (not asyncio.run, uvicorn.run and other runners whose debug flag is harmless or not Flask's)
(call
  function: (attribute attribute: (identifier) @method) @callee
  arguments: (argument_list
    (keyword_argument name: (identifier) @kw value: (true) @on) @finding)
  (#eq? @method "run")
  (#not-resolves-to? @callee "^(asyncio|uvicorn|hypercorn|trio|anyio|unittest|pytest|doctest|subprocess|aiohttp\\.web|web|loop)\\.")
  (#eq? @kw "debug")
  (#file-match? "(^|\\n)\\s*(from\\s+flask(_\\w+)?[\\s.]|import\\s+flask)"))

; app.debug = True / app.config["DEBUG"] = True
(assignment
  left: (attribute attribute: (identifier) @attr)
  right: (true) @on
  (#eq? @attr "debug")
  (#file-match? "(^|\\n)\\s*(from\\s+flask(_\\w+)?[\\s.]|import\\s+flask)")) @finding

(assignment
  left: (subscript value: (attribute attribute: (identifier) @config) subscript: (string) @key)
  right: (true) @on
  (#eq? @config "config")
  (#match? @key "^['\"]DEBUG['\"]$")
  (#file-match? "(^|\\n)\\s*(from\\s+flask(_\\w+)?[\\s.]|import\\s+flask)")) @finding

(call
  function: (attribute object: (attribute attribute: (identifier) @config) attribute: (identifier) @update)
  arguments: (argument_list (keyword_argument name: (identifier) @kw value: (true) @on) @finding)
  (#eq? @config "config")
  (#eq? @update "update")
  (#eq? @kw "DEBUG")
  (#file-match? "(^|\\n)\\s*(from\\s+flask(_\\w+)?[\\s.]|import\\s+flask)"))
