;; SQL text built with a template literal (${}) or + concatenation and passed to a query API
;; (.query/.execute/.raw/knex *Raw/Prisma $queryRawUnsafe/sqlite prepare-run-all-get/pg-promise ...), or
;; stored in a variable named like a query. Tagged templates (sql`...`, Prisma $queryRaw`...`) are calls
;; with a template argument, not arguments lists, and never match. Substitutions that are ALL_CAPS
;; constants, numbers, placeholder lists or escape calls do not count. (`await db.query<Row>(...)` parses
;; in TypeScript as a call whose function is `await db.query`, hence the await_expression callee.)
;;
; Compile time: tree-sitter checks each pattern against the grammar when the query is compiled, which
; costs milliseconds for each node pattern with children rooted at an expression (call, assignment,
; new, member...). It analyses only the first alternative of a pattern's first child, so patterns
; rooted at an expression start with `. [(ERROR) @syntax_error (...the real children...)]`: the ERROR
; alternative is trivial to analyse, and a match through it (an ERROR node as first child) is dropped
; by `(#not-kind? @syntax_error "ERROR")`. (The real alternative is not analysed at all, so a typo that
; makes it unmatchable is not reported at compile time; the rule's examples catch that.) Nested nodes
; with children that are slow to analyse (member, subscript, call, object, string...) are wildcards
; whose kind is checked with #kind? (checks on a capture absent from a match hold); leaves and cheap
; nodes (pair, template_substitution, array, parenthesized_expression) stay concrete.
;; The capture holding the SQL text says which checks apply: @tpl / @atpl a template with ${} (a
;; template_substitution only occurs in a template_string; @sub is its expression), @bin / @obin a +
;; concatenation.

; db.query(`SELECT ... ${x}`), db.query('SELECT ... ' + x), pool.query({ text: `SELECT ... ${x}`, values }),
; pool.query({ sql: 'SELECT ... ' + x }); the callee is `x.method`, `method` or `await x.method`.
; (The callee alternation opens the last branch: tree-sitter 0.25 loses matches when an alternation
; opens a branch that other branches follow.)
(call_expression . [
    (ERROR) @syntax_error
    ([
        (_ property: (property_identifier) @method) @member
        (identifier) @method
        (_ (_ property: (property_identifier) @method) @member) @await
      ]
      arguments: (_ . [
          (_ (template_substitution (_) @sub)) @finding @tpl
          (binary_expression) @finding @bin
          (_ (pair
              key: (property_identifier) @key
              value: [
                (_ (template_substitution (_) @sub)) @finding @tpl
                (binary_expression) @finding @obin
              ]))
        ]) @args)
  ]
  (#not-kind? @syntax_error "ERROR")
  (#any-of? @method "query" "execute" "raw" "$queryRawUnsafe" "$executeRawUnsafe" "unsafe" "whereRaw" "orWhereRaw" "andWhereRaw" "havingRaw" "orHavingRaw" "orderByRaw" "groupByRaw" "joinRaw" "selectRaw" "fromRaw" "prepare" "exec" "run" "all" "get" "each" "none" "one" "oneOrNone" "many" "manyOrNone" "any" "result" "multi" "queryRaw" "executeRaw")
  (#any-of? @key "text" "sql" "query")
  (#kind? @args "^arguments$")
  (#kind? @member "^member_expression$")
  (#kind? @await "^await_expression$")
  (#is-dynamic? @finding)
  (#match? @bin "[`'\\\"]\\s*\\+\\s*[^\\s'\\\"`]")
  (#match? @obin "[`'\\\"]\\s*\\+\\s*[^\\s'\\\"`]")
  (#match? @tpl "(?is)^[\\s(]*[`'\\\"]\\s*\\(?\\s*(?:select\\b.*\\bfrom\\b|insert\\s+(?:ignore\\s+)?into\\b|update\\s+\\S+\\s+set\\b|delete\\s+from\\b|replace\\s+into\\b|merge\\s+into\\b|upsert\\s+into\\b|with\\s+(?:recursive\\s+)?\\S+\\s+as\\s*\\(|(?:create|alter|drop|truncate)\\s+(?:temporary\\s+)?(?:table|index|view|database|schema|user|role|function|procedure|trigger)\\b|grant\\s+[0-9A-Za-z_]|revoke\\s+[0-9A-Za-z_]|call\\s+[0-9A-Za-z_]|exec(?:ute)?\\s+[0-9A-Za-z_])")
  (#match? @obin "(?is)^[\\s(]*[`'\\\"]\\s*\\(?\\s*(?:select\\b.*\\bfrom\\b|insert\\s+(?:ignore\\s+)?into\\b|update\\s+\\S+\\s+set\\b|delete\\s+from\\b|replace\\s+into\\b|merge\\s+into\\b|upsert\\s+into\\b|with\\s+(?:recursive\\s+)?\\S+\\s+as\\s*\\(|(?:create|alter|drop|truncate)\\s+(?:temporary\\s+)?(?:table|index|view|database|schema|user|role|function|procedure|trigger)\\b|grant\\s+[0-9A-Za-z_]|revoke\\s+[0-9A-Za-z_]|call\\s+[0-9A-Za-z_]|exec(?:ute)?\\s+[0-9A-Za-z_])")
  (#match? @bin "(?is)^[\\s(]*[`'\\\"]\\s*\\(?\\s*(?:select\\b.*\\bfrom\\b|insert\\s+(?:ignore\\s+)?into\\b|update\\s+\\S+\\s+set\\b|delete\\s+from\\b|replace\\s+into\\b|merge\\s+into\\b|upsert\\s+into\\b|with\\s+(?:recursive\\s+)?\\S+\\s+as\\s*\\(|(?:create|alter|drop|truncate)\\s+(?:temporary\\s+)?(?:table|index|view|database|schema|user|role|function|procedure|trigger)\\b|grant\\s+[0-9A-Za-z_]|revoke\\s+[0-9A-Za-z_]|call\\s+[0-9A-Za-z_]|exec(?:ute)?\\s+[0-9A-Za-z_])|(?is)^(?:[0-9A-Za-z_$.]+\\s*\\+\\s*)?[`'\\\"]\\s*(?:where|and|or|not|order\\s+by|group\\s+by|limit|offset|having|set|values|on|union(?:\\s+all)?|(?:(?:inner|left|right|full|cross)\\s+)?(?:outer\\s+)?join|from|returning)\\b")
  (#not-match? @sub "(?s)^(?:[A-Z][A-Z0-9_]+|[0-9A-Za-z_$.]*\\.[A-Z][A-Z0-9_]+|\\d+|[0-9A-Za-z_$]*(?i:placeholders?|params?_?list|markers|bind_?vars)[0-9A-Za-z_$]*|[0-9A-Za-z_$.]*(?i:escape|quote|format|placeholder)[0-9A-Za-z_]*\\s*\\(.*\\)|(?:Number|parseInt|parseFloat|Math\\.[0-9A-Za-z_]+)\\s*\\(.*\\)|[0-9A-Za-z_$.]+\\.(?:length|size)|[0-9A-Za-z_$]+\\s*[-+*]\\s*\\d+|[0-9A-Za-z_$.]+\\.map\\(.*=>\\s*(?:'\\?'|\\\"\\?\\\"|`\\$\\$\\{.*\\}`|'\\$'\\s*\\+.*)\\)\\s*\\.join\\(.*\\))$"))

; const sql = `SELECT ... ${x}`;  query = `...`;  this.sql = `...`;  sql += ` AND name = '${x}'`;
; const sql = 'SELECT ... ' + x;  sql += ' AND id = ' + x
([
  (variable_declarator
    name: (identifier) @name
    value: [(_ (template_substitution (_) @sub)) @finding @tpl (binary_expression) @finding @bin])
  (assignment_expression . [
      (ERROR) @syntax_error
      ((identifier) @name
        right: [(_ (template_substitution (_) @sub)) @finding @tpl (binary_expression) @finding @bin])
      ((_ property: (property_identifier) @name) @member
        right: [(_ (template_substitution (_) @sub)) @finding @tpl (binary_expression) @finding @bin])
    ])
  (augmented_assignment_expression . [
      (ERROR) @syntax_error
      ((identifier) @name
        right: [(_ (template_substitution (_) @sub)) @finding @atpl (binary_expression) @finding @bin])
      ((_ property: (property_identifier) @name) @member
        right: [(_ (template_substitution (_) @sub)) @finding @atpl (binary_expression) @finding @bin])
    ])
 ]
  (#not-kind? @syntax_error "ERROR")
  (#kind? @member "^member_expression$")
  (#match? @name "(?i)(sql|query|stmt|statement)$|^(sql|query|stmt)|Sql|Query|Stmt")
  (#is-dynamic? @finding)
  (#match? @bin "[`'\\\"]\\s*\\+\\s*[^\\s'\\\"`]")
  (#match? @tpl "(?is)^[\\s(]*[`'\\\"]\\s*\\(?\\s*(?:select\\b.*\\bfrom\\b|insert\\s+(?:ignore\\s+)?into\\b|update\\s+\\S+\\s+set\\b|delete\\s+from\\b|replace\\s+into\\b|merge\\s+into\\b|upsert\\s+into\\b|with\\s+(?:recursive\\s+)?\\S+\\s+as\\s*\\(|(?:create|alter|drop|truncate)\\s+(?:temporary\\s+)?(?:table|index|view|database|schema|user|role|function|procedure|trigger)\\b|grant\\s+[0-9A-Za-z_]|revoke\\s+[0-9A-Za-z_]|call\\s+[0-9A-Za-z_]|exec(?:ute)?\\s+[0-9A-Za-z_])")
  (#match? @atpl "(?is)^[\\s(]*[`'\\\"]\\s*\\(?\\s*(?:select\\b.*\\bfrom\\b|insert\\s+(?:ignore\\s+)?into\\b|update\\s+\\S+\\s+set\\b|delete\\s+from\\b|replace\\s+into\\b|merge\\s+into\\b|upsert\\s+into\\b|with\\s+(?:recursive\\s+)?\\S+\\s+as\\s*\\(|(?:create|alter|drop|truncate)\\s+(?:temporary\\s+)?(?:table|index|view|database|schema|user|role|function|procedure|trigger)\\b|grant\\s+[0-9A-Za-z_]|revoke\\s+[0-9A-Za-z_]|call\\s+[0-9A-Za-z_]|exec(?:ute)?\\s+[0-9A-Za-z_])|(?is)^(?:[0-9A-Za-z_$.]+\\s*\\+\\s*)?[`'\\\"]\\s*(?:where|and|or|not|order\\s+by|group\\s+by|limit|offset|having|set|values|on|union(?:\\s+all)?|(?:(?:inner|left|right|full|cross)\\s+)?(?:outer\\s+)?join|from|returning)\\b")
  (#match? @bin "(?is)^[\\s(]*[`'\\\"]\\s*\\(?\\s*(?:select\\b.*\\bfrom\\b|insert\\s+(?:ignore\\s+)?into\\b|update\\s+\\S+\\s+set\\b|delete\\s+from\\b|replace\\s+into\\b|merge\\s+into\\b|upsert\\s+into\\b|with\\s+(?:recursive\\s+)?\\S+\\s+as\\s*\\(|(?:create|alter|drop|truncate)\\s+(?:temporary\\s+)?(?:table|index|view|database|schema|user|role|function|procedure|trigger)\\b|grant\\s+[0-9A-Za-z_]|revoke\\s+[0-9A-Za-z_]|call\\s+[0-9A-Za-z_]|exec(?:ute)?\\s+[0-9A-Za-z_])|(?is)^(?:[0-9A-Za-z_$.]+\\s*\\+\\s*)?[`'\\\"]\\s*(?:where|and|or|not|order\\s+by|group\\s+by|limit|offset|having|set|values|on|union(?:\\s+all)?|(?:(?:inner|left|right|full|cross)\\s+)?(?:outer\\s+)?join|from|returning)\\b")
  (#not-match? @sub "(?s)^(?:[A-Z][A-Z0-9_]+|[0-9A-Za-z_$.]*\\.[A-Z][A-Z0-9_]+|\\d+|[0-9A-Za-z_$]*(?i:placeholders?|params?_?list|markers|bind_?vars)[0-9A-Za-z_$]*|[0-9A-Za-z_$.]*(?i:escape|quote|format|placeholder)[0-9A-Za-z_]*\\s*\\(.*\\)|(?:Number|parseInt|parseFloat|Math\\.[0-9A-Za-z_]+)\\s*\\(.*\\)|[0-9A-Za-z_$.]+\\.(?:length|size)|[0-9A-Za-z_$]+\\s*[-+*]\\s*\\d+|[0-9A-Za-z_$.]+\\.map\\(.*=>\\s*(?:'\\?'|\\\"\\?\\\"|`\\$\\$\\{.*\\}`|'\\$'\\s*\\+.*)\\)\\s*\\.join\\(.*\\))$"))
