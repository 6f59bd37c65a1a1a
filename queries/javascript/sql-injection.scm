;; SQL text built with a template literal (${}) or + concatenation and passed to a query API
;; (.query/.execute/.raw/knex *Raw/Prisma $queryRawUnsafe/sqlite prepare-run-all-get/pg-promise ...), or
;; stored in a variable named like a query. Tagged templates (sql`...`, Prisma $queryRaw`...`) are calls
;; with a template argument, not arguments lists, and never match. Substitutions that are ALL_CAPS
;; constants, numbers, placeholder lists or escape calls do not count. (`await db.query<Row>(...)` parses
;; in TypeScript as a call whose function is `await db.query`, hence the await_expression callee.)

; db.query(`SELECT ... ${x}`)
(call_expression
  function: [
    (member_expression property: (property_identifier) @method)
    (identifier) @method
    (await_expression (member_expression property: (property_identifier) @method))
  ]
  arguments: (arguments . (template_string (template_substitution (_) @sub)) @finding)
  (#any-of? @method "query" "execute" "raw" "$queryRawUnsafe" "$executeRawUnsafe" "unsafe" "whereRaw" "orWhereRaw" "andWhereRaw" "havingRaw" "orHavingRaw" "orderByRaw" "groupByRaw" "joinRaw" "selectRaw" "fromRaw" "prepare" "exec" "run" "all" "get" "each" "none" "one" "oneOrNone" "many" "manyOrNone" "any" "result" "multi" "queryRaw" "executeRaw")
  (#match? @finding "(?is)^[\\s(]*[`'\\\"]\\s*\\(?\\s*(?:select\\b.*\\bfrom\\b|insert\\s+(?:ignore\\s+)?into\\b|update\\s+\\S+\\s+set\\b|delete\\s+from\\b|replace\\s+into\\b|merge\\s+into\\b|upsert\\s+into\\b|with\\s+(?:recursive\\s+)?\\S+\\s+as\\s*\\(|(?:create|alter|drop|truncate)\\s+(?:temporary\\s+)?(?:table|index|view|database|schema|user|role|function|procedure|trigger)\\b|grant\\s+[0-9A-Za-z_]|revoke\\s+[0-9A-Za-z_]|call\\s+[0-9A-Za-z_]|exec(?:ute)?\\s+[0-9A-Za-z_])")
  (#not-match? @sub "(?s)^(?:[A-Z][A-Z0-9_]+|[0-9A-Za-z_$.]*\\.[A-Z][A-Z0-9_]+|\\d+|[0-9A-Za-z_$]*(?i:placeholders?|params?_?list|markers|bind_?vars)[0-9A-Za-z_$]*|[0-9A-Za-z_$.]*(?i:escape|quote|format|placeholder)[0-9A-Za-z_]*\\s*\\(.*\\)|(?:Number|parseInt|parseFloat|Math\\.[0-9A-Za-z_]+)\\s*\\(.*\\)|[0-9A-Za-z_$.]+\\.(?:length|size)|[0-9A-Za-z_$]+\\s*[-+*]\\s*\\d+|[0-9A-Za-z_$.]+\\.map\\(.*=>\\s*(?:'\\?'|\\\"\\?\\\"|`\\$\\$\\{.*\\}`|'\\$'\\s*\\+.*)\\)\\s*\\.join\\(.*\\))$"))

; db.query('SELECT ... ' + x)
(call_expression
  function: [
    (member_expression property: (property_identifier) @method)
    (identifier) @method
    (await_expression (member_expression property: (property_identifier) @method))
  ]
  arguments: (arguments . (binary_expression) @finding)
  (#any-of? @method "query" "execute" "raw" "$queryRawUnsafe" "$executeRawUnsafe" "unsafe" "whereRaw" "orWhereRaw" "andWhereRaw" "havingRaw" "orHavingRaw" "orderByRaw" "groupByRaw" "joinRaw" "selectRaw" "fromRaw" "prepare" "exec" "run" "all" "get" "each" "none" "one" "oneOrNone" "many" "manyOrNone" "any" "result" "multi" "queryRaw" "executeRaw")
  (#is-dynamic? @finding)
  (#match? @finding "[`'\\\"]\\s*\\+\\s*[^\\s'\\\"`]")
  (#match? @finding "(?is)^[\\s(]*[`'\\\"]\\s*\\(?\\s*(?:select\\b.*\\bfrom\\b|insert\\s+(?:ignore\\s+)?into\\b|update\\s+\\S+\\s+set\\b|delete\\s+from\\b|replace\\s+into\\b|merge\\s+into\\b|upsert\\s+into\\b|with\\s+(?:recursive\\s+)?\\S+\\s+as\\s*\\(|(?:create|alter|drop|truncate)\\s+(?:temporary\\s+)?(?:table|index|view|database|schema|user|role|function|procedure|trigger)\\b|grant\\s+[0-9A-Za-z_]|revoke\\s+[0-9A-Za-z_]|call\\s+[0-9A-Za-z_]|exec(?:ute)?\\s+[0-9A-Za-z_])|(?is)^(?:[0-9A-Za-z_$.]+\\s*\\+\\s*)?[`'\\\"]\\s*(?:where|and|or|not|order\\s+by|group\\s+by|limit|offset|having|set|values|on|union(?:\\s+all)?|(?:(?:inner|left|right|full|cross)\\s+)?(?:outer\\s+)?join|from|returning)\\b"))

; pool.query({ text: `SELECT ... ${x}`, values })
(call_expression
  function: [
    (member_expression property: (property_identifier) @method)
    (identifier) @method
    (await_expression (member_expression property: (property_identifier) @method))
  ]
  arguments: (arguments . (object (pair
    key: (property_identifier) @key
    value: (template_string (template_substitution (_) @sub)) @finding)))
  (#any-of? @method "query" "execute" "raw" "$queryRawUnsafe" "$executeRawUnsafe" "unsafe" "whereRaw" "orWhereRaw" "andWhereRaw" "havingRaw" "orHavingRaw" "orderByRaw" "groupByRaw" "joinRaw" "selectRaw" "fromRaw" "prepare" "exec" "run" "all" "get" "each" "none" "one" "oneOrNone" "many" "manyOrNone" "any" "result" "multi" "queryRaw" "executeRaw")
  (#any-of? @key "text" "sql" "query")
  (#match? @finding "(?is)^[\\s(]*[`'\\\"]\\s*\\(?\\s*(?:select\\b.*\\bfrom\\b|insert\\s+(?:ignore\\s+)?into\\b|update\\s+\\S+\\s+set\\b|delete\\s+from\\b|replace\\s+into\\b|merge\\s+into\\b|upsert\\s+into\\b|with\\s+(?:recursive\\s+)?\\S+\\s+as\\s*\\(|(?:create|alter|drop|truncate)\\s+(?:temporary\\s+)?(?:table|index|view|database|schema|user|role|function|procedure|trigger)\\b|grant\\s+[0-9A-Za-z_]|revoke\\s+[0-9A-Za-z_]|call\\s+[0-9A-Za-z_]|exec(?:ute)?\\s+[0-9A-Za-z_])")
  (#not-match? @sub "(?s)^(?:[A-Z][A-Z0-9_]+|[0-9A-Za-z_$.]*\\.[A-Z][A-Z0-9_]+|\\d+|[0-9A-Za-z_$]*(?i:placeholders?|params?_?list|markers|bind_?vars)[0-9A-Za-z_$]*|[0-9A-Za-z_$.]*(?i:escape|quote|format|placeholder)[0-9A-Za-z_]*\\s*\\(.*\\)|(?:Number|parseInt|parseFloat|Math\\.[0-9A-Za-z_]+)\\s*\\(.*\\)|[0-9A-Za-z_$.]+\\.(?:length|size)|[0-9A-Za-z_$]+\\s*[-+*]\\s*\\d+|[0-9A-Za-z_$.]+\\.map\\(.*=>\\s*(?:'\\?'|\\\"\\?\\\"|`\\$\\$\\{.*\\}`|'\\$'\\s*\\+.*)\\)\\s*\\.join\\(.*\\))$"))

(call_expression
  function: [
    (member_expression property: (property_identifier) @method)
    (identifier) @method
    (await_expression (member_expression property: (property_identifier) @method))
  ]
  arguments: (arguments . (object (pair
    key: (property_identifier) @key
    value: (binary_expression) @finding)))
  (#any-of? @method "query" "execute" "raw" "$queryRawUnsafe" "$executeRawUnsafe" "unsafe" "whereRaw" "orWhereRaw" "andWhereRaw" "havingRaw" "orHavingRaw" "orderByRaw" "groupByRaw" "joinRaw" "selectRaw" "fromRaw" "prepare" "exec" "run" "all" "get" "each" "none" "one" "oneOrNone" "many" "manyOrNone" "any" "result" "multi" "queryRaw" "executeRaw")
  (#any-of? @key "text" "sql" "query")
  (#is-dynamic? @finding)
  (#match? @finding "[`'\\\"]\\s*\\+\\s*[^\\s'\\\"`]")
  (#match? @finding "(?is)^[\\s(]*[`'\\\"]\\s*\\(?\\s*(?:select\\b.*\\bfrom\\b|insert\\s+(?:ignore\\s+)?into\\b|update\\s+\\S+\\s+set\\b|delete\\s+from\\b|replace\\s+into\\b|merge\\s+into\\b|upsert\\s+into\\b|with\\s+(?:recursive\\s+)?\\S+\\s+as\\s*\\(|(?:create|alter|drop|truncate)\\s+(?:temporary\\s+)?(?:table|index|view|database|schema|user|role|function|procedure|trigger)\\b|grant\\s+[0-9A-Za-z_]|revoke\\s+[0-9A-Za-z_]|call\\s+[0-9A-Za-z_]|exec(?:ute)?\\s+[0-9A-Za-z_])"))

; const sql = `SELECT ... ${x}`;  query = `...`;  this.sql = `...`
([
  (variable_declarator name: (identifier) @name value: (template_string (template_substitution (_) @sub)) @finding)
  (assignment_expression
    left: [(identifier) @name (member_expression property: (property_identifier) @name)]
    right: (template_string (template_substitution (_) @sub)) @finding)
 ]
  (#match? @name "(?i)(sql|query|stmt|statement)$|^(sql|query|stmt)|Sql|Query|Stmt")
  (#match? @finding "(?is)^[\\s(]*[`'\\\"]\\s*\\(?\\s*(?:select\\b.*\\bfrom\\b|insert\\s+(?:ignore\\s+)?into\\b|update\\s+\\S+\\s+set\\b|delete\\s+from\\b|replace\\s+into\\b|merge\\s+into\\b|upsert\\s+into\\b|with\\s+(?:recursive\\s+)?\\S+\\s+as\\s*\\(|(?:create|alter|drop|truncate)\\s+(?:temporary\\s+)?(?:table|index|view|database|schema|user|role|function|procedure|trigger)\\b|grant\\s+[0-9A-Za-z_]|revoke\\s+[0-9A-Za-z_]|call\\s+[0-9A-Za-z_]|exec(?:ute)?\\s+[0-9A-Za-z_])")
  (#not-match? @sub "(?s)^(?:[A-Z][A-Z0-9_]+|[0-9A-Za-z_$.]*\\.[A-Z][A-Z0-9_]+|\\d+|[0-9A-Za-z_$]*(?i:placeholders?|params?_?list|markers|bind_?vars)[0-9A-Za-z_$]*|[0-9A-Za-z_$.]*(?i:escape|quote|format|placeholder)[0-9A-Za-z_]*\\s*\\(.*\\)|(?:Number|parseInt|parseFloat|Math\\.[0-9A-Za-z_]+)\\s*\\(.*\\)|[0-9A-Za-z_$.]+\\.(?:length|size)|[0-9A-Za-z_$]+\\s*[-+*]\\s*\\d+|[0-9A-Za-z_$.]+\\.map\\(.*=>\\s*(?:'\\?'|\\\"\\?\\\"|`\\$\\$\\{.*\\}`|'\\$'\\s*\\+.*)\\)\\s*\\.join\\(.*\\))$"))

; sql += ` AND name = '${x}'`
(augmented_assignment_expression
  left: [(identifier) @name (member_expression property: (property_identifier) @name)]
  right: (template_string (template_substitution (_) @sub)) @finding
  (#match? @name "(?i)(sql|query|stmt|statement)$|^(sql|query|stmt)|Sql|Query|Stmt")
  (#match? @finding "(?is)^[\\s(]*[`'\\\"]\\s*\\(?\\s*(?:select\\b.*\\bfrom\\b|insert\\s+(?:ignore\\s+)?into\\b|update\\s+\\S+\\s+set\\b|delete\\s+from\\b|replace\\s+into\\b|merge\\s+into\\b|upsert\\s+into\\b|with\\s+(?:recursive\\s+)?\\S+\\s+as\\s*\\(|(?:create|alter|drop|truncate)\\s+(?:temporary\\s+)?(?:table|index|view|database|schema|user|role|function|procedure|trigger)\\b|grant\\s+[0-9A-Za-z_]|revoke\\s+[0-9A-Za-z_]|call\\s+[0-9A-Za-z_]|exec(?:ute)?\\s+[0-9A-Za-z_])|(?is)^(?:[0-9A-Za-z_$.]+\\s*\\+\\s*)?[`'\\\"]\\s*(?:where|and|or|not|order\\s+by|group\\s+by|limit|offset|having|set|values|on|union(?:\\s+all)?|(?:(?:inner|left|right|full|cross)\\s+)?(?:outer\\s+)?join|from|returning)\\b")
  (#not-match? @sub "(?s)^(?:[A-Z][A-Z0-9_]+|[0-9A-Za-z_$.]*\\.[A-Z][A-Z0-9_]+|\\d+|[0-9A-Za-z_$]*(?i:placeholders?|params?_?list|markers|bind_?vars)[0-9A-Za-z_$]*|[0-9A-Za-z_$.]*(?i:escape|quote|format|placeholder)[0-9A-Za-z_]*\\s*\\(.*\\)|(?:Number|parseInt|parseFloat|Math\\.[0-9A-Za-z_]+)\\s*\\(.*\\)|[0-9A-Za-z_$.]+\\.(?:length|size)|[0-9A-Za-z_$]+\\s*[-+*]\\s*\\d+|[0-9A-Za-z_$.]+\\.map\\(.*=>\\s*(?:'\\?'|\\\"\\?\\\"|`\\$\\$\\{.*\\}`|'\\$'\\s*\\+.*)\\)\\s*\\.join\\(.*\\))$"))

; const sql = 'SELECT ... ' + x;  sql += ' AND id = ' + x
([
  (variable_declarator name: (identifier) @name value: (binary_expression) @finding)
  (assignment_expression
    left: [(identifier) @name (member_expression property: (property_identifier) @name)]
    right: (binary_expression) @finding)
  (augmented_assignment_expression
    left: [(identifier) @name (member_expression property: (property_identifier) @name)]
    right: (binary_expression) @finding)
 ]
  (#match? @name "(?i)(sql|query|stmt|statement)$|^(sql|query|stmt)|Sql|Query|Stmt")
  (#is-dynamic? @finding)
  (#match? @finding "[`'\\\"]\\s*\\+\\s*[^\\s'\\\"`]")
  (#match? @finding "(?is)^[\\s(]*[`'\\\"]\\s*\\(?\\s*(?:select\\b.*\\bfrom\\b|insert\\s+(?:ignore\\s+)?into\\b|update\\s+\\S+\\s+set\\b|delete\\s+from\\b|replace\\s+into\\b|merge\\s+into\\b|upsert\\s+into\\b|with\\s+(?:recursive\\s+)?\\S+\\s+as\\s*\\(|(?:create|alter|drop|truncate)\\s+(?:temporary\\s+)?(?:table|index|view|database|schema|user|role|function|procedure|trigger)\\b|grant\\s+[0-9A-Za-z_]|revoke\\s+[0-9A-Za-z_]|call\\s+[0-9A-Za-z_]|exec(?:ute)?\\s+[0-9A-Za-z_])|(?is)^(?:[0-9A-Za-z_$.]+\\s*\\+\\s*)?[`'\\\"]\\s*(?:where|and|or|not|order\\s+by|group\\s+by|limit|offset|having|set|values|on|union(?:\\s+all)?|(?:(?:inner|left|right|full|cross)\\s+)?(?:outer\\s+)?join|from|returning)\\b"))
