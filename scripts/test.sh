#!/usr/bin/env bash
# One command: set up the environment, lint, and run the whole test suite.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
echo "==> ruff"
ruff check .
echo "==> pytest"
exec python -m pytest -q -p no:cacheprovider "$@"
