; tempfile.mktemp (and os.tempnam / os.tmpnam): a name, not a file, so another process can create it first
(call
  function: [(identifier) (attribute)] @callee
  (#match? @callee "(^|\\.)(mktemp|tempnam|tmpnam)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(tempfile\\.mktemp|os\\.(tempnam|tmpnam))$")) @finding
