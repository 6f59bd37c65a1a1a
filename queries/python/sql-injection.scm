; SQL text built with an f-string, `%`, `.format()` or `+` from values that are not constants, passed as
; the query of execute/executemany/executescript/raw/query/... or sqlalchemy.text / RawSQL / pandas.read_sql.
; Parameterised queries (`execute("... %s", (x,))`) are fine: the query is a constant and the values travel
; separately. The span is the built SQL value (also when it is built in an assignment just before the call).
; f-strings whose interpolations are only UPPER_CASE constants (`{TABLE}`) are not reported.

; f-string, passed directly to a method with a query-running name
(call
  function: (attribute attribute: (identifier) @method)
  arguments: (argument_list
    .
    [(string (interpolation)) (concatenated_string (string (interpolation)))] @finding)
  (#any-of? @method "execute" "executemany" "executescript" "raw" "query" "mogrify" "exec_driver_sql" "read_sql" "read_sql_query" "execute_sql" "fetch" "fetchrow" "fetchval" "fetch_all" "fetch_one" "fetch_val" "iterate")
  (#match? @finding "(?is)(\\bselect\\b.+\\bfrom\\b|\\binsert\\s+(or\\s+\\w+\\s+)?into\\b|\\bupdate\\b.+\\bset\\b|\\bdelete\\s+from\\b|\\breplace\\s+into\\b|\\bmerge\\s+into\\b|\\b(create|drop|alter|truncate)\\s+(temporary\\s+|temp\\s+)?(table|view|index|database|schema|user|role)\\b|\\bwhere\\b.+(=|<|>|\\blike\\b|\\bin\\b|\\bis\\b)|\\border\\s+by\\b|\\bgrant\\b.+\\bon\\b|\\bpragma\\s+\\w)")
  (#match? @finding "\\{[^{}]*[a-z(\\[.][^{}]*\\}"))

; f-string, passed directly to sqlalchemy.text / RawSQL / pandas.read_sql
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    .
    [(string (interpolation)) (concatenated_string (string (interpolation)))] @finding)
  (#resolves-to? @callee "^(sqlalchemy(\\.sql)?(\\.expression)?\\.text|sqlalchemy\\.sql\\.text|django\\.db\\.models(\\.expressions)?\\.RawSQL|(pandas|pd)\\.read_sql(_query)?)$")
  (#match? @finding "(?is)(\\bselect\\b.+\\bfrom\\b|\\binsert\\s+(or\\s+\\w+\\s+)?into\\b|\\bupdate\\b.+\\bset\\b|\\bdelete\\s+from\\b|\\breplace\\s+into\\b|\\bmerge\\s+into\\b|\\b(create|drop|alter|truncate)\\s+(temporary\\s+|temp\\s+)?(table|view|index|database|schema|user|role)\\b|\\bwhere\\b.+(=|<|>|\\blike\\b|\\bin\\b|\\bis\\b)|\\border\\s+by\\b|\\bgrant\\b.+\\bon\\b|\\bpragma\\s+\\w)")
  (#match? @finding "\\{[^{}]*[a-z(\\[.][^{}]*\\}"))

; f-string, assigned to a name that a later statement of the same block passes to a query method
; (the call at most four levels down: `return conn.execute(sql).fetchone()`, inside `with`/`if`)
(_
  (expression_statement (assignment left: (identifier) @var
    right: [[(string (interpolation)) (concatenated_string (string (interpolation)))] @finding
            (parenthesized_expression [(string (interpolation)) (concatenated_string (string (interpolation)))] @finding)]))
  [(_ (call function: (attribute attribute: (identifier) @method)
      arguments: (argument_list . [(identifier) @use (call arguments: (argument_list . (identifier) @use))]))) (_ (_ (call function: (attribute attribute: (identifier) @method)
      arguments: (argument_list . [(identifier) @use (call arguments: (argument_list . (identifier) @use))])))) (_ (_ (_ (call function: (attribute attribute: (identifier) @method)
      arguments: (argument_list . [(identifier) @use (call arguments: (argument_list . (identifier) @use))]))))) (_ (_ (_ (_ (call function: (attribute attribute: (identifier) @method)
      arguments: (argument_list . [(identifier) @use (call arguments: (argument_list . (identifier) @use))]))))))]
  (#eq? @var @use)
  (#any-of? @method "execute" "executemany" "executescript" "raw" "query" "mogrify" "exec_driver_sql" "read_sql" "read_sql_query" "execute_sql" "fetch" "fetchrow" "fetchval" "fetch_all" "fetch_one" "fetch_val" "iterate")
  (#match? @finding "(?is)(\\bselect\\b.+\\bfrom\\b|\\binsert\\s+(or\\s+\\w+\\s+)?into\\b|\\bupdate\\b.+\\bset\\b|\\bdelete\\s+from\\b|\\breplace\\s+into\\b|\\bmerge\\s+into\\b|\\b(create|drop|alter|truncate)\\s+(temporary\\s+|temp\\s+)?(table|view|index|database|schema|user|role)\\b|\\bwhere\\b.+(=|<|>|\\blike\\b|\\bin\\b|\\bis\\b)|\\border\\s+by\\b|\\bgrant\\b.+\\bon\\b|\\bpragma\\s+\\w)")
  (#match? @finding "\\{[^{}]*[a-z(\\[.][^{}]*\\}"))

; %, + or .format(), passed directly to a method with a query-running name
(call
  function: (attribute attribute: (identifier) @method)
  arguments: (argument_list
    .
    [(binary_operator left: [(string) (concatenated_string)] operator: "%")
     (binary_operator operator: "+")
     (call function: (attribute object: [(string) (concatenated_string)] attribute: (identifier) @fmt)
       arguments: (argument_list (_)))] @finding)
  (#any-of? @method "execute" "executemany" "executescript" "raw" "query" "mogrify" "exec_driver_sql" "read_sql" "read_sql_query" "execute_sql" "fetch" "fetchrow" "fetchval" "fetch_all" "fetch_one" "fetch_val" "iterate")
  (#match? @finding "(?is)(\\bselect\\b.+\\bfrom\\b|\\binsert\\s+(or\\s+\\w+\\s+)?into\\b|\\bupdate\\b.+\\bset\\b|\\bdelete\\s+from\\b|\\breplace\\s+into\\b|\\bmerge\\s+into\\b|\\b(create|drop|alter|truncate)\\s+(temporary\\s+|temp\\s+)?(table|view|index|database|schema|user|role)\\b|\\bwhere\\b.+(=|<|>|\\blike\\b|\\bin\\b|\\bis\\b)|\\border\\s+by\\b|\\bgrant\\b.+\\bon\\b|\\bpragma\\s+\\w)")
  (#eq? @fmt "format")
  (#is-dynamic? @finding))

; %, + or .format(), passed directly to sqlalchemy.text / RawSQL / pandas.read_sql
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    .
    [(binary_operator left: [(string) (concatenated_string)] operator: "%")
     (binary_operator operator: "+")
     (call function: (attribute object: [(string) (concatenated_string)] attribute: (identifier) @fmt)
       arguments: (argument_list (_)))] @finding)
  (#resolves-to? @callee "^(sqlalchemy(\\.sql)?(\\.expression)?\\.text|sqlalchemy\\.sql\\.text|django\\.db\\.models(\\.expressions)?\\.RawSQL|(pandas|pd)\\.read_sql(_query)?)$")
  (#match? @finding "(?is)(\\bselect\\b.+\\bfrom\\b|\\binsert\\s+(or\\s+\\w+\\s+)?into\\b|\\bupdate\\b.+\\bset\\b|\\bdelete\\s+from\\b|\\breplace\\s+into\\b|\\bmerge\\s+into\\b|\\b(create|drop|alter|truncate)\\s+(temporary\\s+|temp\\s+)?(table|view|index|database|schema|user|role)\\b|\\bwhere\\b.+(=|<|>|\\blike\\b|\\bin\\b|\\bis\\b)|\\border\\s+by\\b|\\bgrant\\b.+\\bon\\b|\\bpragma\\s+\\w)")
  (#eq? @fmt "format")
  (#is-dynamic? @finding))

; %, + or .format(), assigned to a name that a later statement of the same block passes to a query method
; (the call at most four levels down: `return conn.execute(sql).fetchone()`, inside `with`/`if`)
(_
  (expression_statement (assignment left: (identifier) @var
    right: [[(binary_operator left: [(string) (concatenated_string)] operator: "%")
     (binary_operator operator: "+")
     (call function: (attribute object: [(string) (concatenated_string)] attribute: (identifier) @fmt)
       arguments: (argument_list (_)))] @finding
            (parenthesized_expression [(binary_operator left: [(string) (concatenated_string)] operator: "%")
     (binary_operator operator: "+")
     (call function: (attribute object: [(string) (concatenated_string)] attribute: (identifier) @fmt)
       arguments: (argument_list (_)))] @finding)]))
  [(_ (call function: (attribute attribute: (identifier) @method)
      arguments: (argument_list . [(identifier) @use (call arguments: (argument_list . (identifier) @use))]))) (_ (_ (call function: (attribute attribute: (identifier) @method)
      arguments: (argument_list . [(identifier) @use (call arguments: (argument_list . (identifier) @use))])))) (_ (_ (_ (call function: (attribute attribute: (identifier) @method)
      arguments: (argument_list . [(identifier) @use (call arguments: (argument_list . (identifier) @use))]))))) (_ (_ (_ (_ (call function: (attribute attribute: (identifier) @method)
      arguments: (argument_list . [(identifier) @use (call arguments: (argument_list . (identifier) @use))]))))))]
  (#eq? @var @use)
  (#any-of? @method "execute" "executemany" "executescript" "raw" "query" "mogrify" "exec_driver_sql" "read_sql" "read_sql_query" "execute_sql" "fetch" "fetchrow" "fetchval" "fetch_all" "fetch_one" "fetch_val" "iterate")
  (#match? @finding "(?is)(\\bselect\\b.+\\bfrom\\b|\\binsert\\s+(or\\s+\\w+\\s+)?into\\b|\\bupdate\\b.+\\bset\\b|\\bdelete\\s+from\\b|\\breplace\\s+into\\b|\\bmerge\\s+into\\b|\\b(create|drop|alter|truncate)\\s+(temporary\\s+|temp\\s+)?(table|view|index|database|schema|user|role)\\b|\\bwhere\\b.+(=|<|>|\\blike\\b|\\bin\\b|\\bis\\b)|\\border\\s+by\\b|\\bgrant\\b.+\\bon\\b|\\bpragma\\s+\\w)")
  (#eq? @fmt "format")
  (#is-dynamic? @finding))

; QuerySet.extra(where=[...], select={...}, tables=[...], order_by=[...]) with formatted fragments
(call
  function: (attribute attribute: (identifier) @method)
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @kw
      value: [(list [(string (interpolation)) (concatenated_string (string (interpolation)))] @finding) (dictionary (pair value: [(string (interpolation)) (concatenated_string (string (interpolation)))] @finding))]))
  (#eq? @method "extra")
  (#any-of? @kw "where" "select" "tables" "order_by")
  (#match? @finding "\\{[^{}]*[a-z(\\[.][^{}]*\\}"))

(call
  function: (attribute attribute: (identifier) @method)
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @kw
      value: [(list [(binary_operator left: [(string) (concatenated_string)] operator: "%")
     (binary_operator operator: "+")
     (call function: (attribute object: [(string) (concatenated_string)] attribute: (identifier) @fmt)
       arguments: (argument_list (_)))] @finding) (dictionary (pair value: [(binary_operator left: [(string) (concatenated_string)] operator: "%")
     (binary_operator operator: "+")
     (call function: (attribute object: [(string) (concatenated_string)] attribute: (identifier) @fmt)
       arguments: (argument_list (_)))] @finding))]))
  (#eq? @method "extra")
  (#any-of? @kw "where" "select" "tables" "order_by")
  (#eq? @fmt "format")
  (#is-dynamic? @finding))
