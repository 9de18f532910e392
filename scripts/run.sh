#!/usr/bin/env bash
# Bootstraps what a fresh clone lacks (Node 24, dependencies), then runs one project command.
# Usage: bash scripts/run.sh start|test|bench [args...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
eval "$(bash scripts/setup-node.sh)"

# Reinstall when the lockfile changed since the last install (or nothing is installed).
STAMP="node_modules/.installed-lock-hash"
LOCK_HASH="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$LOCK_HASH" ]; then
  echo "Installing dependencies (npm ci)..." >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$LOCK_HASH" > "$STAMP"
fi

command="${1:-}"
shift || true
case "$command" in
  start)
    node scripts/build-web.ts --if-stale
    exec node infra/local/main.ts "$@"
    ;;
  test)
    exec node scripts/test.ts "$@"
    ;;
  bench)
    exec node bench/run.ts "$@"
    ;;
  *)
    echo "usage: $0 start|test|bench" >&2
    exit 2
    ;;
esac
