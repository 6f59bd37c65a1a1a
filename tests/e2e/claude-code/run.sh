#!/usr/bin/env bash
# End-to-end test of the Claude Code plugin with the real Claude Code CLI against a loopback mock of
# the Messages API (tests/e2e/claude-code/mock_messages.py): the plugin is installed from this
# repository (`claude plugin marketplace add` + `claude plugin install`), a scripted model edits files,
# and the checks read what the model was sent back. The same mock also answers sg-lsp's own Stop review
# (the hook inherits ANTHROPIC_BASE_URL; the reviewer's request is the one whose tools hold
# report_findings): with the scenario's "review" findings, or none.
#
#   bash tests/e2e/claude-code/run.sh [SCENARIO...]     (default: every scenarios/*.json)
#
# Needs node/npm (the pinned CLI is installed into a cache folder when missing), python3, git, cargo.
# Only 127.0.0.1 is contacted at run time. Prints "N passed, M failed" last; exits 1 on any failure.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
VERSION=2.1.330
CLI_DIR=${SG_E2E_CLI_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sg-lsp/claude-code-$VERSION}
CLAUDE=$CLI_DIR/node_modules/.bin/claude

say() { printf '%s\n' "$*"; }
fail_setup() {
  say "e2e setup failed: $*"
  say "0 passed, 1 failed"
  exit 1
}

# 1. The pinned CLI. Its native binary ships inside an npm package (nothing is downloaded elsewhere).
if ! "$CLAUDE" --version >/dev/null 2>&1; then
  say "installing @anthropic-ai/claude-code@$VERSION into $CLI_DIR"
  mkdir -p "$CLI_DIR"
  npm install --prefix "$CLI_DIR" --no-audit --no-fund --loglevel=error "@anthropic-ai/claude-code@$VERSION" \
    >"$CLI_DIR/npm.log" 2>&1 || fail_setup "npm install failed (see $CLI_DIR/npm.log)"
  # With install scripts skipped the wrapper is a stub; its own installer links the native binary.
  if ! "$CLAUDE" --version >/dev/null 2>&1; then
    (cd "$CLI_DIR/node_modules/@anthropic-ai/claude-code" && node install.cjs) >>"$CLI_DIR/npm.log" 2>&1
  fi
  "$CLAUDE" --version >/dev/null 2>&1 || fail_setup "the claude CLI does not run (see $CLI_DIR/npm.log)"
fi
say "claude $("$CLAUDE" --version 2>/dev/null)"

# 2. The binaries under test (the debug build; a no-op when fresh).
(cd "$ROOT" && cargo build -q --bin sg-lsp --bin sg-lsp-hook) || fail_setup "cargo build failed"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sg-lsp-e2e.XXXXXX")
MOCK_PID=
cleanup() {
  [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null
  if [ "${KEEP_E2E:-0}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# The binaries are found on PATH, as a user's `cargo install` would put them.
mkdir -p "$WORK/bin" "$WORK/home" "$WORK/tmp"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
ln -s "$TARGET/debug/sg-lsp" "$WORK/bin/sg-lsp"
ln -s "$TARGET/debug/sg-lsp-hook" "$WORK/bin/sg-lsp-hook"

QUIET=(CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1
  DISABLE_AUTOUPDATER=1 CLAUDE_CODE_MAX_RETRIES=0)
cli() {
  env -i PATH="$WORK/bin:$PATH" HOME="$WORK/home" CLAUDE_CODE_TMPDIR="$WORK/tmp" "${QUIET[@]}" "$@"
}

# 3. Install the plugin the way a user does, from this repository.
cli "$CLAUDE" plugin marketplace add "$ROOT/editors/claude-code" </dev/null >"$WORK/install.log" 2>&1 &&
  cli "$CLAUDE" plugin install sg-lsp@sg-lsp </dev/null >>"$WORK/install.log" 2>&1 ||
  fail_setup "plugin install failed: $(tail -3 "$WORK/install.log")"
say "plugin installed: $(grep -o 'Successfully installed[^(]*' "$WORK/install.log")"

if [ $# -gt 0 ]; then
  scenarios=("$@")
else
  scenarios=("$HERE"/scenarios/*.json)
fi

passed=0
failed=0
for scenario in "${scenarios[@]}"; do
  name=$(basename "$scenario" .json)
  run="$WORK/$name"
  mkdir -p "$run/proj"
  git -C "$run/proj" init -q
  # Files the scenario starts from.
  python3 - "$scenario" "$run/proj" <<'PY'
import json, os, sys
for path, text in json.load(open(sys.argv[1])).get("setup", {}).items():
    with open(os.path.join(sys.argv[2], path), "w") as f:
        f.write(text)
PY
  # "commit_setup": the setup files are committed first, so the turn has a git baseline to diff against.
  if python3 -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1])).get("commit_setup") else 1)' "$scenario"; then
    git -C "$run/proj" add -A &&
      git -C "$run/proj" -c user.name=e2e -c user.email=e2e@localhost -c commit.gpgsign=false commit -qm setup
  fi
  # "dirty": the user's uncommitted work from before the prompt (part of the turn's baseline).
  python3 - "$scenario" "$run/proj" <<'PY'
import json, os, sys
for path, text in json.load(open(sys.argv[1])).get("dirty", {}).items():
    with open(os.path.join(sys.argv[2], path), "w") as f:
        f.write(text)
PY
  # "tools": the CLI's tool list (default Read,Edit,Write; a commit scenario adds Bash).
  tools=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("tools", "Read,Edit,Write"))' "$scenario")
  # "allowed_tools": permission rules granted without asking (acceptEdits does not cover Bash).
  allowed=()
  allowed_rules=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("allowed_tools", ""))' "$scenario")
  [ -n "$allowed_rules" ] && allowed=(--allowedTools "$allowed_rules")
  extra_env=$(python3 -c 'import json,sys; print(" ".join("%s=%s" % kv for kv in json.load(open(sys.argv[1])).get("env", {}).items()))' "$scenario")

  python3 "$HERE/mock_messages.py" --script "$scenario" --log "$run/requests.jsonl" \
    --project "$run/proj" --port-file "$run/port" &
  MOCK_PID=$!
  for _ in $(seq 100); do [ -s "$run/port" ] && break; sleep 0.05; done
  if [ ! -s "$run/port" ]; then
    say "FAIL $name: the mock did not start"
    failed=$((failed + 1))
    continue
  fi

  started=$(date +%s.%N)
  # shellcheck disable=SC2086 # extra_env is a list of NAME=value words
  # Each scenario has its own hook state (session files, cooldown markers, the debug log).
  (cd "$run/proj" && cli $extra_env SECURITY_WARNINGS_STATE_DIR="$run/state" ANTHROPIC_BASE_URL="http://127.0.0.1:$(cat "$run/port")" \
    ANTHROPIC_API_KEY=sk-ant-test-dummy timeout 120 "$CLAUDE" -p "do the task" \
    --output-format stream-json --verbose --include-hook-events --permission-mode acceptEdits \
    --tools "$tools" "${allowed[@]}" --model claude-sonnet-4-5 </dev/null >"$run/out.jsonl" 2>"$run/err.txt")
  code=$?
  kill "$MOCK_PID" 2>/dev/null
  wait "$MOCK_PID" 2>/dev/null
  MOCK_PID=
  seconds=$(python3 -c "import time; print(round(time.time() - $started, 1))")

  if python3 "$HERE/check.py" "$scenario" "$run" "$code" >"$run/checks.txt" 2>&1; then
    say "ok   $name (${seconds}s)"
    passed=$((passed + 1))
  else
    say "FAIL $name (${seconds}s)"
    cat "$run/checks.txt"
    say "  stderr: $(tail -c 400 "$run/err.txt")"
    failed=$((failed + 1))
  fi
done

say "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
