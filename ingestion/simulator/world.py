"""One part of the simulated group as it runs day by day: state, id counters and the event
queues that carry one day's decisions into later days.

The group runs as two parts (halves of its locations, see practice.location_parts) in two
processes. Patients, schedules and claims never cross locations, so the parts are
independent; ids interleave (part 0 odd, part 1 even) so they never collide.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from .booking import Request
from .claim_book import ClaimBook
from .closures import ClosureCalendar
from .extracts import ALL_EXTRACTS, PAYMENT_METHODS
from .patients import PatientRegistry
from .practice import PARTS, Practice, Provider
from .randomness import Spare
from .schedule import ScheduleGrid
from .tables import Sink
from .timebase import DAY
from .work_log import WorkLog
from .x12_model import Subscriber


@dataclass
class World:
    seed: int
    part: int
    start_day: int  # first written day
    practice: Practice
    providers: list[Provider]  # this part's providers
    calendar: ClosureCalendar
    grid: ScheduleGrid
    sinks: dict[str, Sink] = field(default_factory=dict)
    claims: ClaimBook = field(default_factory=ClaimBook)
    releases: dict[int, list[tuple[int, int, int, int]]] = field(default_factory=dict)
    rebooks: dict[int, list[Request]] = field(default_factory=dict)
    _ids: dict[str, Iterator[int]] = field(default_factory=dict)
    subscribers: dict[tuple, Subscriber] = field(default_factory=dict)  # 837 reuse per patient

    def __post_init__(self) -> None:
        self.spare = Spare(self.seed, self.part)
        self.sinks = {spec.name: Sink(spec) for spec in ALL_EXTRACTS}
        # The registries draw from the counters themselves, not from closures over the world:
        # a world without reference cycles is freed by reference counting when its run ends,
        # instead of by a cyclic-GC pass over its millions of objects.
        self.patients = PatientRegistry(self.sinks["patients"], self._counter("patient").__next__)
        self.work = WorkLog(self.sinks["work_items"], self.practice, self._counter("work").__next__)

    def _counter(self, kind: str) -> Iterator[int]:
        counter = self._ids.get(kind)
        if counter is None:
            counter = self._ids[kind] = itertools.count(self.part + 1, PARTS)
        return counter

    def next_id(self, kind: str) -> int:
        return next(self._counter(kind))

    def release_slot(self, on_day: int, provider: int, day: int, slot: int, n: int) -> None:
        """Free a cancelled visit's slots, effective from `on_day`."""
        self.releases.setdefault(on_day, []).append((provider, day, slot, n))

    def rebook(self, on_day: int, request: Request) -> None:
        self.rebooks.setdefault(on_day, []).append(request)

    def patient_payment(
        self, patient: int, claim: int, received: int, cents: int, method: str
    ) -> None:
        number = self.next_id("payment")
        self.sinks["patient_payments"].add(
            (
                received // DAY,
                received,
                number,
                patient,
                claim,
                received,
                cents,
                PAYMENT_METHODS.index(method),
            )
        )
