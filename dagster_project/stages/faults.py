"""TEST-ONLY fault points: let a test SIGKILL a refresh at a known place.

Set ``FRICTION_FAULT_PAUSE_AT`` to one of ``FAULT_POINTS`` and the refresh, on reaching that
point, prints ``FAULT_MARK <point>`` on stderr and sleeps until it is killed (at most
``MAX_PAUSE_SECONDS``, then it fails). ``tests/test_faults_kill.py`` uses it to kill a refresh
mid-ingestion, mid-``dbt build`` and mid-publish. Never set it in production: it exists so
the kill lands at a deterministic point instead of a timing guess on a loaded machine.
It is read here and not in ``settings.py`` because it is no configuration of the product.
"""

from __future__ import annotations

import os
import sys
import time

FAULT_ENV = "FRICTION_FAULT_PAUSE_AT"
FAULT_MARK = "friction-fault-pause:"
INGEST, TRANSFORM, PUBLISH = "ingest", "dbt", "publish"
FAULT_POINTS = (INGEST, TRANSFORM, PUBLISH)
MAX_PAUSE_SECONDS = 600.0


def fault_requested(point: str) -> bool:
    return os.environ.get(FAULT_ENV) == point


def pause_if_requested(point: str) -> None:
    """At fault point ``point``: announce it and wait for the test to kill this process."""
    if not fault_requested(point):
        return
    sys.stderr.write(f"{FAULT_MARK} {point} pid={os.getpid()}\n")
    sys.stderr.flush()
    time.sleep(MAX_PAUSE_SECONDS)
    raise RuntimeError(f"{FAULT_ENV}={point}: paused {MAX_PAUSE_SECONDS:.0f} s, nobody killed it")
