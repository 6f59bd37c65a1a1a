#!/usr/bin/env bash
# The hook under a tight address-space limit (`ulimit -v`), as the original plugin's users ran it:
#   - a 10k-line Python file under `ulimit -v 32000`,
#   - a 1k-line Python file under `ulimit -v 16000`,
# each must exit 0, and either report its findings or say on stderr that it fell back to regex rules
# ([memory_tight]) — never crash, never print nothing with a non-zero exit.
# Then it measures the floor: the smallest limit (KiB) at which each file still gets its full,
# tree-based scan, and the smallest at which the binary starts at all.
#
#   bash tests/hook/ulimit.sh [BINARY]
#
# BINARY defaults to the release build of the slim `sg-lsp-hook` (built when missing); a debug build
# maps several times more address space and cannot start under these limits.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${1:-$ROOT/target/release/sg-lsp-hook}
if [ $# -eq 0 ] && [ ! -x "$BIN" ]; then
  echo "building the release hook binary"
  (cd "$ROOT" && cargo build -q --release --bin sg-lsp-hook) || { echo "0 passed, 1 failed"; exit 1; }
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sg-lsp-ulimit.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/proj" "$WORK/state"

# A Python file of N lines with an eval() every 400 lines: realistic line lengths (~35 bytes).
python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
def source(n):
    out, i = ["import os, json, subprocess", "", ""], 0
    while len(out) < n:
        i += 1
        out += [f"def handler_{i}(request, data):",
                f"    value = request.args.get('v{i}')",
                f"    items = [x * {i} for x in range(10) if x % 2 == 0]",
                f"    result = json.loads(data) if data else {{'k': {i}, 'name': \"n{i}\"}}",
                f"    if value and len(items) > {i % 7}:",
                "        return eval(value)" if i % 50 == 0 else "        return str(value).strip()",
                "    return result", ""]
    return "\n".join(out[:n]) + "\n"
for name, lines in (("f1k", 1000), ("f10k", 10000)):
    path = f"{work}/proj/{name}.py"
    text = source(lines)
    open(path, "w").write(text)
    payload = {"session_id": name, "cwd": f"{work}/proj", "hook_event_name": "PostToolUse", "tool_name": "Write",
               "tool_input": {"file_path": path, "content": text},
               "tool_response": {"type": "create", "filePath": path, "content": text, "structuredPatch": [],
                                 "originalFile": None},
               "tool_use_id": "toolu_" + name}
    open(f"{work}/{name}.json", "w").write(json.dumps(payload))
PY

# run KIB NAME -> sets rc, out, err
run() {
  rm -f "$WORK"/state/sg-lsp-session-*
  out=$( (ulimit -v "$1"; SECURITY_WARNINGS_STATE_DIR="$WORK/state" ENABLE_STOP_REVIEW=0 \
    "$BIN" hook <"$WORK/$2.json" 2>"$WORK/err") 2>/dev/null)
  rc=$?
  err=$(cat "$WORK/err")
}

passed=0
failed=0
check() { # NAME KIB
  run "$2" "$1"
  local how
  if [ "$rc" -eq 0 ] && printf '%s' "$out" | grep -q 'python.eval'; then
    how="findings reported${err:+, with a note: ${err#*: }}"
  elif [ "$rc" -eq 0 ] && [ -z "$out" ] && printf '%s' "$err" | grep -q '\[memory_tight\]' && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]; then
    how="fallback with a note: ${err#*: }"
  else
    echo "FAIL $1 under ulimit -v $2: exit $rc, stdout ${#out} bytes, stderr: $err"
    failed=$((failed + 1))
    return
  fi
  echo "ok   $1 under ulimit -v $2: exit 0, $how"
  passed=$((passed + 1))
}

check f10k 32000
check f1k 16000

# The floors, by bisection: the smallest limit giving a full scan, and the smallest where the binary
# still exits 0 (with the fallback note).
floor() { # NAME WANT(full|ok)
  local lo=4000 hi=131072 mid
  while [ $((hi - lo)) -gt 256 ]; do
    mid=$(((lo + hi) / 2))
    run "$mid" "$1"
    if { [ "$2" = full ] && [ "$rc" -eq 0 ] && printf '%s' "$out" | grep -q 'python.eval'; } ||
      { [ "$2" = ok ] && [ "$rc" -eq 0 ]; }; then
      hi=$mid
    else
      lo=$mid
    fi
  done
  echo "$hi"
}
echo "floor f1k  ($(wc -c <"$WORK/proj/f1k.py") bytes): full scan from ulimit -v $(floor f1k full) KiB; exits 0 from $(floor f1k ok) KiB"
echo "floor f10k ($(wc -c <"$WORK/proj/f10k.py") bytes): full scan from ulimit -v $(floor f10k full) KiB; exits 0 from $(floor f10k ok) KiB"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
