; shelve.open / shelve.DbfilenameShelf: the values of a shelf are pickles
(call
  function: [(identifier) (attribute)] @callee
  (#resolves-to? @callee "^shelve\\.(open|DbfilenameShelf|Shelf|BsdDbShelf)$")) @finding
