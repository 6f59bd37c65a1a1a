; `uses: owner/repo@ref` (an action or a reusable workflow) whose ref is a branch or tag, not a commit SHA.
(block_mapping_pair
  key: (flow_node) @key
  value: (flow_node) @finding
  (#eq? @key "uses")
  (#match? @finding "^[\"']?[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@")
  (#not-match? @finding "@[0-9a-fA-F]{40}[\"']?$")
  (#not-match? @finding "^[\"']?(actions|github)/"))
