"""polars' memory allocator, configured before polars is loaded.

polars allocates with jemalloc, built to hand freed memory back to the kernel within 0.5-1 s
(``dirty_decay_ms`` 500, ``muzzy_decay_ms`` 1000). The X12 reader frees and reallocates hundreds
of MB per batch, so each batch faulted the same memory in again: on the
medium preset's remittances a quarter of the read's CPU was the kernel mapping pages (170,000
page faults per read). Keeping freed memory for 10 s cuts the faults 3-4x and the read's wall
time by about 15 % (ingestion/x12/README.md, "Speed"); the peak stays about the same (1.01-1.08
GB either way on those files), memory is only returned later.

jemalloc reads ``_RJEM_MALLOC_CONF`` once, when polars' library first allocates, so this must
run before ``import polars``: the ``ingestion`` and ``dagster_project`` packages call it on
import. A value already in the environment wins.
"""

from __future__ import annotations

import os

SETTING = "_RJEM_MALLOC_CONF"
KEEP_FREED_MEMORY = "dirty_decay_ms:10000,muzzy_decay_ms:10000"


def keep_freed_memory() -> None:
    """Ask polars' allocator to keep freed memory for 10 s (no effect once polars is loaded)."""
    os.environ.setdefault(SETTING, KEEP_FREED_MEMORY)
