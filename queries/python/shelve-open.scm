; shelve.open / shelve.DbfilenameShelf: the values of a shelf are pickles
(call
  function: [(identifier) (attribute)] @callee
  (#match? @callee "(^|\\.)(open|DbfilenameShelf|Shelf|BsdDbShelf)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^shelve\\.(open|DbfilenameShelf|Shelf|BsdDbShelf)$")) @finding
