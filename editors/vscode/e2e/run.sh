#!/usr/bin/env bash
# VS Code end-to-end test: the packaged .vsix installed into code-server (VS Code 1.100), driven by
# Debian's Chromium through playwright-core. A real sg-lsp diagnostic must show as a squiggle and in the
# Problems panel. Prints `N passed, M failed`; the screenshot lands in target/vscode-e2e/screenshot.png.
# Installs what it needs (apt: chromium, libkrb5-dev, ripgrep; npm: code-server, playwright-core).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
tools="${SG_VSCODE_TOOLS:-$root/target/vscode-e2e}"
mkdir -p "$tools/tmp"
export TMPDIR="$tools/tmp"

if ! command -v chromium >/dev/null || ! command -v rg >/dev/null || [ ! -e /usr/include/gssapi/gssapi.h ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libkrb5-dev ripgrep >/dev/null
fi

code_server="$tools/cs/node_modules/.bin/code-server"
if [ ! -x "$code_server" ]; then
  # code-server's install wants to download ripgrep; Debian's rg in the cache it looks at satisfies it.
  cache="$TMPDIR/vscode-ripgrep-cache-1.15.11"
  mkdir -p "$cache"
  tar czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg
  npm_config_yes=true npm_config_unsafe_perm=true npm_config_nodedir=/usr \
    npm install --no-audit --no-fund --loglevel=error --prefix "$tools/cs" code-server@4.100.3 >/dev/null
fi
if [ ! -d "$tools/node_modules/playwright-core" ]; then
  npm install --no-audit --no-fund --loglevel=error --prefix "$tools" playwright-core@1.65.1 >/dev/null
fi

# The extension with a debug build of the server bundled (found through the bundled-binary fallback).
target="${CARGO_TARGET_DIR:-$root/target}"
if [ -z "${SG_LSP_BIN:-}" ]; then
  (cd "$root" && cargo build --quiet --bin sg-lsp)
  export SG_LSP_BIN="$target/debug/sg-lsp"
fi
(cd "$root" && cargo build --quiet -p mock-llm --bin mock-llm)
bash "$here/../build.sh" >/dev/null
vsix="$here/../sg-lsp.vsix"

# The workspace is a git repository: HEAD adds svc.py (for "Review commit"), and bad.py changes after it
# (for "Review changes"). The reviewer is the loopback mock, scripted by review-script.json.
run="$(mktemp -d /tmp/sg-lsp-vscode-e2e.XXXXXX)"
mkdir -p "$run"/{ud/User,ext,xdg,ws,state}
git_() { git -C "$run/ws" -c user.name=t -c user.email=t@example.com -c commit.gpgsign=false "$@"; }
git_ init --quiet
printf 'def load(data):\n    return data\n' > "$run/ws/bad.py"
git_ add bad.py && git_ commit --quiet -m load
printf 'import requests\n\n\ndef fetch(url):\n    return requests.get(url, timeout=5).text\n' > "$run/ws/svc.py"
git_ add svc.py && git_ commit --quiet -m fetch
printf 'import pickle\n\ndef load(data):\n    return pickle.loads(data)\n' > "$run/ws/bad.py"
"$target/debug/mock-llm" --script "$here/review-script.json" --record "$run/requests.jsonl" > "$run/mock-url" &
mock=$!
for _ in $(seq 100); do [ -s "$run/mock-url" ] && break; sleep 0.05; done
export ANTHROPIC_BASE_URL="$(head -1 "$run/mock-url")" ANTHROPIC_API_KEY=sk-ant-test-dummy
export SECURITY_WARNINGS_STATE_DIR="$run/state"
cp "$here/settings.json" "$run/ud/User/settings.json"
export XDG_CONFIG_HOME="$run/xdg" XDG_DATA_HOME="$run/xdg"
"$code_server" --user-data-dir "$run/ud" --extensions-dir "$run/ext" --install-extension "$vsix" >"$run/install.log" 2>&1
: >"$run/cs.log"
setsid "$code_server" --bind-addr 127.0.0.1:0 --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override \
  --user-data-dir "$run/ud" --extensions-dir "$run/ext" "$run/ws" >"$run/cs.log" 2>&1 &
server=$!
# One kill ends code-server, its extension host and the sg-lsp child.
trap 'kill -- -$server 2>/dev/null || kill $server 2>/dev/null || true; kill $mock 2>/dev/null; rm -rf "$run"' EXIT
url=""
for _ in $(seq 150); do
  url="$(sed -n 's/.*HTTP server listening on \(http[^ ]*\).*/\1/p' "$run/cs.log" | head -1)"
  [ -n "$url" ] && break
  sleep 0.2
done
[ -n "$url" ] || { cat "$run/cs.log"; echo "0 passed, 1 failed"; exit 1; }
NODE_PATH="$tools/node_modules" node "$here/e2e.js" "$url" "$tools/screenshot.png"
