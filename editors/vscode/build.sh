#!/usr/bin/env bash
# Builds editors/vscode/sg-lsp.vsix: compiles the extension and bundles an sg-lsp binary in bin/.
# SG_LSP_BIN picks the binary to bundle (default: a release build of this checkout).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ -z "${SG_LSP_BIN:-}" ]; then
  (cd "$root" && cargo build --release --quiet --bin sg-lsp)
  SG_LSP_BIN="$root/target/release/sg-lsp"
fi
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
npx tsc -p .
mkdir -p bin
cp "$SG_LSP_BIN" bin/sg-lsp
strip bin/sg-lsp 2>/dev/null || true # debug builds carry ~100 MB of symbols
npx vsce package --allow-missing-repository -o sg-lsp.vsix
