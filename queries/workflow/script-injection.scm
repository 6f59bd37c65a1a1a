; An attacker-controlled ${{ }} expression inside a step's `run:` script (plain, quoted or block scalar).
(block_mapping_pair
  key: (flow_node) @key
  value: [
    (flow_node [(plain_scalar) (single_quote_scalar) (double_quote_scalar)])
    (block_node (block_scalar))
  ] @finding
  (#eq? @key "run"))

(flow_pair
  key: (flow_node) @key
  value: (flow_node [(plain_scalar) (single_quote_scalar) (double_quote_scalar)]) @finding
  (#eq? @key "run"))

; ... or inside the `script:` input of actions/github-script (the expression is pasted into JavaScript).
(block_mapping
  (block_mapping_pair
    key: (flow_node) @uses_key
    value: (flow_node) @uses
    (#eq? @uses_key "uses")
    (#match? @uses "^[\"']?actions/github-script@"))
  (block_mapping_pair
    key: (flow_node) @with_key
    value: (block_node
      (block_mapping
        (block_mapping_pair
          key: (flow_node) @script_key
          value: [
            (flow_node [(plain_scalar) (single_quote_scalar) (double_quote_scalar)])
            (block_node (block_scalar))
          ] @finding
          (#eq? @script_key "script"))))
    (#eq? @with_key "with")))

(block_mapping
  (block_mapping_pair
    key: (flow_node) @with_key
    value: (block_node
      (block_mapping
        (block_mapping_pair
          key: (flow_node) @script_key
          value: [
            (flow_node [(plain_scalar) (single_quote_scalar) (double_quote_scalar)])
            (block_node (block_scalar))
          ] @finding
          (#eq? @script_key "script"))))
    (#eq? @with_key "with"))
  (block_mapping_pair
    key: (flow_node) @uses_key
    value: (flow_node) @uses
    (#eq? @uses_key "uses")
    (#match? @uses "^[\"']?actions/github-script@")))
