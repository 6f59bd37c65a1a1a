; SQL text built with an f-string, `%`, `.format()` or `+` from values that are not constants, passed as the
; query of execute/executemany/executescript/raw/query/fetch*/... or sqlalchemy.text / RawSQL / pandas.read_sql,
; or assigned to a variable named like sql/query/stmt (the line that builds the SQL is the one reported).
; Parameterised queries (`execute("... %s", (x,))`) are fine: the query is a constant and the values travel
; separately. f-strings whose interpolations are all UPPER_CASE constants (`{TABLE}`) and text without SQL
; keywords are not reported, nor f-strings that interpolate generated placeholders (`IN ({placeholders})`).
; `@fmt` only exists for `.format()` calls; a text predicate on an absent capture holds.
; (No sibling patterns linking an assignment to a later execute(): tree-sitter makes those quadratic in the
; length of a block, and slow to compile.)

; f-string, passed directly to a method with a query-running name
(call
  function: (attribute attribute: (identifier) @method)
  arguments: (argument_list
    .
    [(string (interpolation)) (concatenated_string (string (interpolation)))] @finding)
  (#any-of? @method "execute" "executemany" "executescript" "raw" "query" "mogrify" "exec_driver_sql"
    "read_sql" "read_sql_query" "execute_sql" "fetch" "fetchrow" "fetchval" "fetch_all" "fetch_one"
    "fetch_val" "iterate")
  (#match? @finding "(?is)((?-u:\\b)select(?-u:\\b).+(?-u:\\b)from(?-u:\\b)|(?-u:\\b)insert[ \\t\\r\\n]+(or[ \\t\\r\\n]+[a-z]+[ \\t\\r\\n]+)?into(?-u:\\b)|(?-u:\\b)update(?-u:\\b).+(?-u:\\b)set(?-u:\\b)|(?-u:\\b)delete[ \\t\\r\\n]+from(?-u:\\b)|(?-u:\\b)(replace|merge)[ \\t\\r\\n]+into(?-u:\\b)|(?-u:\\b)(create|drop|alter|truncate)[ \\t\\r\\n]+(temporary[ \\t\\r\\n]+|temp[ \\t\\r\\n]+)?(table|view|index|database|schema|user|role)(?-u:\\b)|(?-u:\\b)where(?-u:\\b).+(=|<|>|(?-u:\\b)like(?-u:\\b)|(?-u:\\b)in(?-u:\\b)|(?-u:\\b)is(?-u:\\b))|(?-u:\\b)order[ \\t\\r\\n]+by(?-u:\\b)|(?-u:\\b)grant(?-u:\\b).+(?-u:\\b)on(?-u:\\b)|(?-u:\\b)pragma[ \\t\\r\\n]+[a-z_])")
  (#match? @finding "\\{[^{}]*[a-z(\\[.][^{}]*\\}")
  (#not-match? @finding "\\{(placeholders?|qmarks|marks|param_marks|bind_?vars|binds|in_clause|params_sql)\\}"))

; f-string, passed directly to sqlalchemy.text / RawSQL / pandas.read_sql
(call
  function: [(identifier) (attribute)] @callee
  arguments: (argument_list
    .
    [(string (interpolation)) (concatenated_string (string (interpolation)))] @finding)
  (#match? @callee "(^|\\.)(text|RawSQL|read_sql|read_sql_query)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(sqlalchemy(\\.sql)?(\\.expression)?\\.text|django\\.db\\.models(\\.expressions)?\\.RawSQL|(pandas|pd)\\.read_sql(_query)?)$")
  (#match? @finding "(?is)((?-u:\\b)select(?-u:\\b).+(?-u:\\b)from(?-u:\\b)|(?-u:\\b)insert[ \\t\\r\\n]+(or[ \\t\\r\\n]+[a-z]+[ \\t\\r\\n]+)?into(?-u:\\b)|(?-u:\\b)update(?-u:\\b).+(?-u:\\b)set(?-u:\\b)|(?-u:\\b)delete[ \\t\\r\\n]+from(?-u:\\b)|(?-u:\\b)(replace|merge)[ \\t\\r\\n]+into(?-u:\\b)|(?-u:\\b)(create|drop|alter|truncate)[ \\t\\r\\n]+(temporary[ \\t\\r\\n]+|temp[ \\t\\r\\n]+)?(table|view|index|database|schema|user|role)(?-u:\\b)|(?-u:\\b)where(?-u:\\b).+(=|<|>|(?-u:\\b)like(?-u:\\b)|(?-u:\\b)in(?-u:\\b)|(?-u:\\b)is(?-u:\\b))|(?-u:\\b)order[ \\t\\r\\n]+by(?-u:\\b)|(?-u:\\b)grant(?-u:\\b).+(?-u:\\b)on(?-u:\\b)|(?-u:\\b)pragma[ \\t\\r\\n]+[a-z_])")
  (#match? @finding "\\{[^{}]*[a-z(\\[.][^{}]*\\}")
  (#not-match? @finding "\\{(placeholders?|qmarks|marks|param_marks|bind_?vars|binds|in_clause|params_sql)\\}"))

; %, + or .format(), passed directly to a method with a query-running name
(call
  function: (attribute attribute: (identifier) @method)
  arguments: (argument_list
    .
    [(binary_operator left: [(string) (concatenated_string)] operator: "%")
     (binary_operator operator: "+")
     (call function: (attribute object: [(string) (concatenated_string)] attribute: (identifier) @fmt)
       arguments: (argument_list (_)))] @finding)
  (#any-of? @method "execute" "executemany" "executescript" "raw" "query" "mogrify" "exec_driver_sql"
    "read_sql" "read_sql_query" "execute_sql" "fetch" "fetchrow" "fetchval" "fetch_all" "fetch_one"
    "fetch_val" "iterate")
  (#match? @finding "(?is)((?-u:\\b)select(?-u:\\b).+(?-u:\\b)from(?-u:\\b)|(?-u:\\b)insert[ \\t\\r\\n]+(or[ \\t\\r\\n]+[a-z]+[ \\t\\r\\n]+)?into(?-u:\\b)|(?-u:\\b)update(?-u:\\b).+(?-u:\\b)set(?-u:\\b)|(?-u:\\b)delete[ \\t\\r\\n]+from(?-u:\\b)|(?-u:\\b)(replace|merge)[ \\t\\r\\n]+into(?-u:\\b)|(?-u:\\b)(create|drop|alter|truncate)[ \\t\\r\\n]+(temporary[ \\t\\r\\n]+|temp[ \\t\\r\\n]+)?(table|view|index|database|schema|user|role)(?-u:\\b)|(?-u:\\b)where(?-u:\\b).+(=|<|>|(?-u:\\b)like(?-u:\\b)|(?-u:\\b)in(?-u:\\b)|(?-u:\\b)is(?-u:\\b))|(?-u:\\b)order[ \\t\\r\\n]+by(?-u:\\b)|(?-u:\\b)grant(?-u:\\b).+(?-u:\\b)on(?-u:\\b)|(?-u:\\b)pragma[ \\t\\r\\n]+[a-z_])")
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
  (#match? @callee "(^|\\.)(text|RawSQL|read_sql|read_sql_query)$|^[A-Za-z_][A-Za-z0-9_]*$")
  (#resolves-to? @callee "^(sqlalchemy(\\.sql)?(\\.expression)?\\.text|django\\.db\\.models(\\.expressions)?\\.RawSQL|(pandas|pd)\\.read_sql(_query)?)$")
  (#match? @finding "(?is)((?-u:\\b)select(?-u:\\b).+(?-u:\\b)from(?-u:\\b)|(?-u:\\b)insert[ \\t\\r\\n]+(or[ \\t\\r\\n]+[a-z]+[ \\t\\r\\n]+)?into(?-u:\\b)|(?-u:\\b)update(?-u:\\b).+(?-u:\\b)set(?-u:\\b)|(?-u:\\b)delete[ \\t\\r\\n]+from(?-u:\\b)|(?-u:\\b)(replace|merge)[ \\t\\r\\n]+into(?-u:\\b)|(?-u:\\b)(create|drop|alter|truncate)[ \\t\\r\\n]+(temporary[ \\t\\r\\n]+|temp[ \\t\\r\\n]+)?(table|view|index|database|schema|user|role)(?-u:\\b)|(?-u:\\b)where(?-u:\\b).+(=|<|>|(?-u:\\b)like(?-u:\\b)|(?-u:\\b)in(?-u:\\b)|(?-u:\\b)is(?-u:\\b))|(?-u:\\b)order[ \\t\\r\\n]+by(?-u:\\b)|(?-u:\\b)grant(?-u:\\b).+(?-u:\\b)on(?-u:\\b)|(?-u:\\b)pragma[ \\t\\r\\n]+[a-z_])")
  (#eq? @fmt "format")
  (#is-dynamic? @finding))

; f-string, assigned to a variable named like sql / query / stmt
(assignment
  left: [(identifier) (attribute)] @var
  right: [(string (interpolation)) (concatenated_string (string (interpolation)))] @finding
  (#match? @var "(?i)(^|[._])(sql|query|qry|q|stmt|statement|sql_?[a-z]*|[a-z]*_?(sql|query|qry|stmt|statement))$")
  (#match? @finding "(?is)((?-u:\\b)select(?-u:\\b).+(?-u:\\b)from(?-u:\\b)|(?-u:\\b)insert[ \\t\\r\\n]+(or[ \\t\\r\\n]+[a-z]+[ \\t\\r\\n]+)?into(?-u:\\b)|(?-u:\\b)update(?-u:\\b).+(?-u:\\b)set(?-u:\\b)|(?-u:\\b)delete[ \\t\\r\\n]+from(?-u:\\b)|(?-u:\\b)(replace|merge)[ \\t\\r\\n]+into(?-u:\\b)|(?-u:\\b)(create|drop|alter|truncate)[ \\t\\r\\n]+(temporary[ \\t\\r\\n]+|temp[ \\t\\r\\n]+)?(table|view|index|database|schema|user|role)(?-u:\\b)|(?-u:\\b)where(?-u:\\b).+(=|<|>|(?-u:\\b)like(?-u:\\b)|(?-u:\\b)in(?-u:\\b)|(?-u:\\b)is(?-u:\\b))|(?-u:\\b)order[ \\t\\r\\n]+by(?-u:\\b)|(?-u:\\b)grant(?-u:\\b).+(?-u:\\b)on(?-u:\\b)|(?-u:\\b)pragma[ \\t\\r\\n]+[a-z_])")
  (#match? @finding "\\{[^{}]*[a-z(\\[.][^{}]*\\}")
  (#not-match? @finding "\\{(placeholders?|qmarks|marks|param_marks|bind_?vars|binds|in_clause|params_sql)\\}"))

; f-string in parentheses, assigned to a variable named like sql / query / stmt
(assignment
  left: [(identifier) (attribute)] @var
  right: (parenthesized_expression [(string (interpolation)) (concatenated_string (string (interpolation)))] @finding)
  (#match? @var "(?i)(^|[._])(sql|query|qry|q|stmt|statement|sql_?[a-z]*|[a-z]*_?(sql|query|qry|stmt|statement))$")
  (#match? @finding "(?is)((?-u:\\b)select(?-u:\\b).+(?-u:\\b)from(?-u:\\b)|(?-u:\\b)insert[ \\t\\r\\n]+(or[ \\t\\r\\n]+[a-z]+[ \\t\\r\\n]+)?into(?-u:\\b)|(?-u:\\b)update(?-u:\\b).+(?-u:\\b)set(?-u:\\b)|(?-u:\\b)delete[ \\t\\r\\n]+from(?-u:\\b)|(?-u:\\b)(replace|merge)[ \\t\\r\\n]+into(?-u:\\b)|(?-u:\\b)(create|drop|alter|truncate)[ \\t\\r\\n]+(temporary[ \\t\\r\\n]+|temp[ \\t\\r\\n]+)?(table|view|index|database|schema|user|role)(?-u:\\b)|(?-u:\\b)where(?-u:\\b).+(=|<|>|(?-u:\\b)like(?-u:\\b)|(?-u:\\b)in(?-u:\\b)|(?-u:\\b)is(?-u:\\b))|(?-u:\\b)order[ \\t\\r\\n]+by(?-u:\\b)|(?-u:\\b)grant(?-u:\\b).+(?-u:\\b)on(?-u:\\b)|(?-u:\\b)pragma[ \\t\\r\\n]+[a-z_])")
  (#match? @finding "\\{[^{}]*[a-z(\\[.][^{}]*\\}")
  (#not-match? @finding "\\{(placeholders?|qmarks|marks|param_marks|bind_?vars|binds|in_clause|params_sql)\\}"))

; %, + or .format(), assigned to a variable named like sql / query / stmt
(assignment
  left: [(identifier) (attribute)] @var
  right: [(binary_operator left: [(string) (concatenated_string)] operator: "%")
     (binary_operator operator: "+")
     (call function: (attribute object: [(string) (concatenated_string)] attribute: (identifier) @fmt)
       arguments: (argument_list (_)))] @finding
  (#match? @var "(?i)(^|[._])(sql|query|qry|q|stmt|statement|sql_?[a-z]*|[a-z]*_?(sql|query|qry|stmt|statement))$")
  (#match? @finding "(?is)((?-u:\\b)select(?-u:\\b).+(?-u:\\b)from(?-u:\\b)|(?-u:\\b)insert[ \\t\\r\\n]+(or[ \\t\\r\\n]+[a-z]+[ \\t\\r\\n]+)?into(?-u:\\b)|(?-u:\\b)update(?-u:\\b).+(?-u:\\b)set(?-u:\\b)|(?-u:\\b)delete[ \\t\\r\\n]+from(?-u:\\b)|(?-u:\\b)(replace|merge)[ \\t\\r\\n]+into(?-u:\\b)|(?-u:\\b)(create|drop|alter|truncate)[ \\t\\r\\n]+(temporary[ \\t\\r\\n]+|temp[ \\t\\r\\n]+)?(table|view|index|database|schema|user|role)(?-u:\\b)|(?-u:\\b)where(?-u:\\b).+(=|<|>|(?-u:\\b)like(?-u:\\b)|(?-u:\\b)in(?-u:\\b)|(?-u:\\b)is(?-u:\\b))|(?-u:\\b)order[ \\t\\r\\n]+by(?-u:\\b)|(?-u:\\b)grant(?-u:\\b).+(?-u:\\b)on(?-u:\\b)|(?-u:\\b)pragma[ \\t\\r\\n]+[a-z_])")
  (#eq? @fmt "format")
  (#is-dynamic? @finding))

; %, + or .format() in parentheses, assigned to a variable named like sql / query / stmt
(assignment
  left: [(identifier) (attribute)] @var
  right: (parenthesized_expression [(binary_operator left: [(string) (concatenated_string)] operator: "%")
     (binary_operator operator: "+")
     (call function: (attribute object: [(string) (concatenated_string)] attribute: (identifier) @fmt)
       arguments: (argument_list (_)))] @finding)
  (#match? @var "(?i)(^|[._])(sql|query|qry|q|stmt|statement|sql_?[a-z]*|[a-z]*_?(sql|query|qry|stmt|statement))$")
  (#match? @finding "(?is)((?-u:\\b)select(?-u:\\b).+(?-u:\\b)from(?-u:\\b)|(?-u:\\b)insert[ \\t\\r\\n]+(or[ \\t\\r\\n]+[a-z]+[ \\t\\r\\n]+)?into(?-u:\\b)|(?-u:\\b)update(?-u:\\b).+(?-u:\\b)set(?-u:\\b)|(?-u:\\b)delete[ \\t\\r\\n]+from(?-u:\\b)|(?-u:\\b)(replace|merge)[ \\t\\r\\n]+into(?-u:\\b)|(?-u:\\b)(create|drop|alter|truncate)[ \\t\\r\\n]+(temporary[ \\t\\r\\n]+|temp[ \\t\\r\\n]+)?(table|view|index|database|schema|user|role)(?-u:\\b)|(?-u:\\b)where(?-u:\\b).+(=|<|>|(?-u:\\b)like(?-u:\\b)|(?-u:\\b)in(?-u:\\b)|(?-u:\\b)is(?-u:\\b))|(?-u:\\b)order[ \\t\\r\\n]+by(?-u:\\b)|(?-u:\\b)grant(?-u:\\b).+(?-u:\\b)on(?-u:\\b)|(?-u:\\b)pragma[ \\t\\r\\n]+[a-z_])")
  (#eq? @fmt "format")
  (#is-dynamic? @finding))

; Django QuerySet.extra(where=[...], select=[...], tables=[...], order_by=[...]) with a formatted fragment
; (fragments carry no SQL keywords, so no SQL check)
(call
  function: (attribute attribute: (identifier) @method)
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @kw
      value: (list
        [(string (interpolation))
         (binary_operator left: (string) operator: "%")
         (binary_operator operator: "+")
         (call function: (attribute object: (string) attribute: (identifier) @fmt))] @finding)))
  (#eq? @method "extra")
  (#any-of? @kw "where" "select" "tables" "order_by")
  (#eq? @fmt "format")
  (#match? @finding "\\{[^{}]*[a-z(\\[.][^{}]*\\}|%|[+]|[.]format")
  (#is-dynamic? @finding))
