"""Random streams keyed by (seed, day, purpose).

Every day of the world draws from its own generators, so the history up to a day never depends
on how far the run goes: simulating to D and then one more day equals simulating to D + 1.
"""

from __future__ import annotations

import itertools
import math
import random
from bisect import bisect_right
from collections.abc import Iterable
from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    PRACTICE = 1
    PATIENTS = 2
    DEMAND = 3
    BOOKING = 4
    JOURNEY = 5
    REMITS = 6
    CALENDAR = 7


def rng_for(seed: int, stream: Stream, day: int = 0, part: int = 0) -> np.random.Generator:
    """The generator for one purpose on one day in one part of the group."""
    entropy = [seed, int(stream), day + 1_000_000, part]
    return np.random.default_rng(np.random.SeedSequence(entropy))


class Spare:
    """Numbers for the rare entity whose story outruns its row. One stream per part of the
    group, so the output never depends on how the parts share processes."""

    def __init__(self, seed: int, part: int) -> None:
        source = random.Random(seed * 16 + part)
        self.uniforms = itertools.starmap(source.random, itertools.repeat(()))
        self.normals = itertools.starmap(source.gauss, itertools.repeat((0.0, 1.0)))


class Draws:
    """The uniforms one entity (a request, an appointment) draws its whole story from.

    Each entity gets its own row, so however many numbers one entity's branches consume, no
    other entity's draws shift.
    """

    __slots__ = ("u", "normal")

    def __init__(self, uniforms: Iterable[float], normals: Iterable[float], spare: Spare) -> None:
        # C-level iterator steps: an entity draws up to a hundred numbers.
        self.u = itertools.chain(uniforms, spare.uniforms).__next__
        self.normal = itertools.chain(normals, spare.normals).__next__

    def chance(self, p: float) -> bool:
        return self.u() < p

    def lognormal(self, median: float, sigma: float) -> float:
        return median * math.exp(sigma * self.normal())

    def between(self, low: float, high: float) -> float:
        return low + (high - low) * self.u()

    def int_between(self, low: int, high: int) -> int:
        """Uniform integer in [low, high]."""
        return low + min(int(self.u() * (high - low + 1)), high - low)

    def pick(self, items: tuple | list):
        return items[min(int(self.u() * len(items)), len(items) - 1)]

    def weighted(self, items: tuple | list, cumulative: tuple[float, ...]):
        """Pick from `items` with a cumulative weight table ending at 1.0."""
        # The first edge above x; bisect runs in C, and weighted draws are made per entity.
        return items[min(bisect_right(cumulative, self.u()), len(items) - 1)]


def cumulative(weights: tuple[float, ...] | list[float]) -> tuple[float, ...]:
    total = float(sum(weights))
    out, acc = [], 0.0
    for w in weights:
        acc += w / total
        out.append(acc)
    out[-1] = 1.0
    return tuple(out)


def draw_rows(
    rng: np.random.Generator, n: int, width: int, spare: Spare, normals: int = 8
) -> list[Draws]:
    """One Draws per entity: `width` uniforms and `normals` standard normals each."""
    if n == 0:
        return []
    # Row i is numbers [i * width, (i + 1) * width) of the day's block. A memoryview slice hands
    # them out as floats only when drawn; entities use a fraction of their row.
    u = memoryview(rng.random(n * width))
    z = memoryview(rng.standard_normal(n * normals))
    return [
        Draws(u[i * width : (i + 1) * width], z[i * normals : (i + 1) * normals], spare)
        for i in range(n)
    ]
