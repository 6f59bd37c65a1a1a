; pickle.load / pickle.loads / pickle.Unpickler (and _pickle, cPickle, cloudpickle, dill) on data that is
; not a constant literal. Only the modules' own loaders: `json.loads`, `self.pickle.load` never match.
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list . (_) @arg)
  (#match? @callee "(^|\\.)(load|loads|Unpickler)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(pickle|_pickle|cPickle|pickle5|cloudpickle|dill)\\.(load|loads|Unpickler)$")
  (#is-dynamic? @arg)) @finding
