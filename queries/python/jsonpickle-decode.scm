; jsonpickle.decode / loads / Unpickler on data that is not a constant literal
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list . (_) @arg)
  (#match? @callee "(^|\\.)(decode|loads)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^jsonpickle\\.(decode|loads|unpickler\\.decode)$")
  (#is-dynamic? @arg)) @finding

(call
  function: (attribute
    object: (call function: [(identifier) (attribute)] @class)
    attribute: (identifier) @method)
  arguments: (argument_list . (_) @arg)
  (#match? @class "(^|\\.)(Unpickler)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @class "^jsonpickle\\.(unpickler\\.)?Unpickler$")
  (#eq? @method "restore")
  (#is-dynamic? @arg)) @finding
