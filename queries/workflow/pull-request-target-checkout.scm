; A workflow triggered by pull_request_target (or workflow_run) whose actions/checkout step checks out the
; pull request's head: untrusted code then runs with the base repository's token and secrets.
(block_mapping
  (block_mapping_pair
    key: (flow_node) @uses_key
    value: (flow_node) @uses
    (#eq? @uses_key "uses")
    (#match? @uses "^[\"']?actions/checkout@"))
  (block_mapping_pair
    key: (flow_node) @with_key
    value: (block_node
      (block_mapping
        (block_mapping_pair
          key: (flow_node) @ref_key
          value: (flow_node) @finding
          (#eq? @ref_key "ref")
          (#match? @finding "github\\.event\\.pull_request\\.(head\\.(sha|ref)|merge_commit_sha)|github\\.head_ref|refs/pull/|github\\.event\\.workflow_run\\.(head_sha|head_branch)|github\\.event\\.(issue\\.)?number[^}]*\\}\\}/(head|merge)"))))
    (#eq? @with_key "with"))
  (#file-match? "(?m)^[^#\\n]*\\b(pull_request_target|workflow_run)\\b"))

(block_mapping
  (block_mapping_pair
    key: (flow_node) @with_key
    value: (block_node
      (block_mapping
        (block_mapping_pair
          key: (flow_node) @ref_key
          value: (flow_node) @finding
          (#eq? @ref_key "ref")
          (#match? @finding "github\\.event\\.pull_request\\.(head\\.(sha|ref)|merge_commit_sha)|github\\.head_ref|refs/pull/|github\\.event\\.workflow_run\\.(head_sha|head_branch)|github\\.event\\.(issue\\.)?number[^}]*\\}\\}/(head|merge)"))))
    (#eq? @with_key "with"))
  (block_mapping_pair
    key: (flow_node) @uses_key
    value: (flow_node) @uses
    (#eq? @uses_key "uses")
    (#match? @uses "^[\"']?actions/checkout@"))
  (#file-match? "(?m)^[^#\\n]*\\b(pull_request_target|workflow_run)\\b"))

; ... or whose `run:` script fetches or checks the pull request out itself (`gh pr checkout`,
; `git fetch origin pull/N/head`, `git checkout ${{ github.event.pull_request.head.sha }}`).
(block_mapping_pair
  key: (flow_node) @run_key
  value: [
    (flow_node [(plain_scalar) (single_quote_scalar) (double_quote_scalar)])
    (block_node (block_scalar))
  ] @finding
  (#eq? @run_key "run")
  (#match? @finding "\\bgh\\s+pr\\s+checkout\\b|\\bgit\\s+(fetch|checkout|switch|pull)\\b[^\\n]*(\\bpull/|refs/pull/|github\\.event\\.pull_request\\.(head\\.(sha|ref)|merge_commit_sha)|github\\.head_ref|github\\.event\\.workflow_run\\.head_(sha|branch))")
  (#file-match? "(?m)^[^#\\n]*\\b(pull_request_target|workflow_run)\\b"))
