; Loaders that unpickle under the hood: joblib.load, pandas.read_pickle
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list . (_) @arg)
  (#match? @callee "(^|\\.)(load|read_pickle)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(joblib\\.load|sklearn\\.externals\\.joblib\\.load|(pandas|pd)\\.read_pickle|(pandas|pd)\\.io\\.pickle\\.read_pickle)$")
  (#is-dynamic? @arg)) @finding

; numpy.load with allow_pickle=True: the span is the keyword
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    (keyword_argument name: (identifier) @kw value: (true)) @finding)
  (#match? @callee "(^|\\.)(load|read_pickle)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(numpy|np)\\.load$")
  (#eq? @kw "allow_pickle"))
