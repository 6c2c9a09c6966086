#!/usr/bin/env bash
# Creates or refreshes .venv from requirements.lock; sourced by demo.sh and test.sh.
# Idempotent: reinstalls only when the lock file or pyproject.toml changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for cand in python3.11 python3 python; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PY="$cand"; break
    fi
  done
fi
[ -n "$PY" ] || { echo "error: Python 3.11 not found (set PYTHON=/path/to/python3.11)" >&2; exit 1; }

want="$(cat "$ROOT/requirements.lock" "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)"
have="$(cat "$VENV/.installed" 2>/dev/null || true)"
if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating $VENV"
  "$PY" -m venv "$VENV"
  have=""
fi
if [ "$want" != "$have" ]; then
  echo "==> installing locked dependencies (requirements.lock)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "uv==0.13.9" \
    || true
  if [ -x "$VENV/bin/uv" ]; then
    "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" -r "$ROOT/requirements.lock"
    "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" --no-deps -e "$ROOT"
  else
    "$VENV/bin/python" -m pip install --quiet -r "$ROOT/requirements.lock"
    "$VENV/bin/python" -m pip install --quiet --no-deps -e "$ROOT"
  fi
  echo "$want" > "$VENV/.installed"
fi
export PATH="$VENV/bin:$PATH"
# No telemetry from any part of the stack.
export DAGSTER_DISABLE_TELEMETRY=1 DO_NOT_TRACK=1 GX_ANALYTICS_ENABLED=false
export DBT_SEND_ANONYMOUS_USAGE_STATS=false STREAMLIT_BROWSER_GATHER_USAGE_STATS=false
