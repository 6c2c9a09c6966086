#!/usr/bin/env bash
# One command: set up the environment, lint, and run the whole test suite.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
# The browser tests drive Debian's Chromium (never a downloaded browser build).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "==> installing chromium (Debian package) for the browser tests"
  apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null
fi
echo "==> ruff"
ruff check .
echo "==> pytest"
exec python -m pytest -q -p no:cacheprovider --durations=15 "$@"
