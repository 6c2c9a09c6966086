#!/usr/bin/env bash
# One command: set up the environment, simulate the demo practice, refresh, open the dashboard.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
exec friction demo "$@"
