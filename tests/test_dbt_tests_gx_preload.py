"""GX loads on a thread of its own (``gx.preload_in_background``) while the checks query
DuckDB; a validation that comes while the import is still running waits for it and uses the
same context. The import costs seconds once per process; the rest of the suite pays it anyway
(tests/test_frame_checks.py, every refresh)."""

from __future__ import annotations

import threading

import pandas as pd

from dagster_project.defs.checks import gx


def test_a_validation_during_the_preload_waits_for_it_and_shares_its_context() -> None:
    gx.preload_in_background()
    gx.preload_in_background()  # once per process
    assert sum(t.name == "gx-preload" for t in threading.enumerate()) <= 1
    outcomes = gx.validate_frame(
        "preload_probe",
        pd.DataFrame({"x": [1, 2, 5]}),
        [
            gx.Expectation(
                "ExpectColumnValuesToBeBetween", {"column": "x", "min_value": 0, "max_value": 3}
            )
        ],
    )
    assert [(o.passed, o.unexpected_count) for o in outcomes] == [(False, 1)]
    # one context and one batch definition, whichever thread built them
    assert gx._context.cache_info().currsize == 1
    assert gx._batch_definition.cache_info().misses == 1
