"""Run independent per-table work on both cores of the machine.

numpy and polars release the GIL while they compute, so plain threads overlap the heavy parts
(element extraction, typing, Arrow conversion) of different segment kinds or tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
WORKERS = 2  # the target machine has two cores


def map_in_threads(function: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[function(item) for item in items]``, computed on ``WORKERS`` threads, in order."""
    items = list(items)
    if len(items) < 2:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(function, items))


def run_in_threads(*calls: Callable[[], R]) -> list[R]:
    """``[call() for call in calls]``, computed on ``WORKERS`` threads, in order."""
    return map_in_threads(lambda call: call(), calls)
