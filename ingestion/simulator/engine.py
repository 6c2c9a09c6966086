"""Runs the world day by day, from the warm-up before the window to its last day.

Each day: closures announced today take effect, cancelled slots reopen, Monday's schedule is
read, then today's requests are booked and each new appointment's future is drawn. Nothing
drawn for a day depends on days after it, which is what makes runs extend one day at a time.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from .booking import MAX_LEAD_DAYS, book, daily_requests
from .closures import ClosureCalendar
from .extracts import SLOT_TYPES
from .practice import build_practice, location_parts
from .presets import WARMUP_DAYS, Preset
from .randomness import Stream, draw_rows, rng_for
from .reference_rows import emit_reference
from .schedule import BOOKING_HORIZON_DAYS, ScheduleGrid
from .specialties import SPECIALTIES
from .timebase import DAY, weekday
from .visit_fate import live
from .world import World

Progress = Callable[[str, int, int], None]

_JOURNEY_WIDTH = 128  # typical journeys draw 20-80; the rare longer one uses World.spare
_JOURNEY_NORMALS = 32
_BOOKING_WIDTH = 16
# Bookings never aim further out than this, so the grid built for a run always covers them.
MAX_BOOKING_REACH = MAX_LEAD_DAYS + BOOKING_HORIZON_DAYS


def build_world(preset: Preset, seed: int, start_day: int, last_day: int, part: int) -> World:
    # The group's shape depends on the preset's nominal window, never on the run's end date.
    nominal_days = round(preset.months * 30.44)
    practice = build_practice(preset, seed, start_day, nominal_days)
    parts = location_parts(practice)
    providers = [p for p in practice.providers if parts[p.location] == part]
    first = start_day - WARMUP_DAYS
    grid_end = last_day + MAX_BOOKING_REACH + 7
    calendar = ClosureCalendar(practice, seed, first, grid_end)
    grid = ScheduleGrid(practice, providers, calendar, first, grid_end)
    w = World(seed, part, start_day, practice, providers, calendar, grid)
    emit_reference(practice, w.sinks, start_day, parts, part)
    w.patients.seed_panels(rng_for(seed, Stream.PATIENTS, 0, part), _panel_sizes(w), start_day)
    return w


def _panel_sizes(w: World) -> list[tuple[int, str, str, int]]:
    """Existing patients per provider: about a year of visits, each patient seen ~2.5 times."""
    out = []
    for p in w.providers:
        if p.active_from >= w.start_day:
            continue
        spec = SPECIALTIES[p.specialty]
        visits_per_year = w.grid.slots_per_day[p.index] / 1.3 * len(p.clinic_weekdays) * 46
        loc = w.practice.locations[p.location - 1]
        out.append((p.index, spec.name, loc.zip3, int(visits_per_year / 2.5)))
    return out


def run(w: World, last_day: int, progress: Progress | None = None) -> None:
    first = w.grid.first_day
    total = last_day - first + 1
    for i, day in enumerate(range(first, last_day + 1)):
        step(w, day)
        if progress is not None and (i % 7 == 0 or day == last_day):
            progress("simulate", i + 1, total)


def step(w: World, day: int) -> None:
    for provider, closed_day in w.calendar.announced_on.get(day, ()):
        w.grid.close(provider, closed_day)
    w.patients.apply_corrections(day)
    for release in w.releases.pop(day, ()):
        w.grid.release(*release)
    if day >= w.start_day and weekday(day) == 0:
        _snapshot_open_slots(w, day)
    demand = daily_requests(w, day, rng_for(w.seed, Stream.DEMAND, day, w.part))
    requests = w.rebooks.pop(day, []) + demand
    booking = rng_for(w.seed, Stream.BOOKING, day, w.part)
    booking_draws = draw_rows(booking, len(requests), _BOOKING_WIDTH, w.spare)
    booked = []
    for request, r in zip(requests, booking_draws, strict=True):
        appointment = book(w, request, r)
        # Visits before the window are history the extracts never show; they only fill slots.
        if appointment is not None and appointment.day >= w.start_day:
            booked.append(appointment)
    journey = rng_for(w.seed, Stream.JOURNEY, day, w.part)
    journeys = draw_rows(journey, len(booked), _JOURNEY_WIDTH, w.spare, _JOURNEY_NORMALS)
    for appointment, r in zip(booked, journeys, strict=True):
        live(w, appointment, r)
    for sink in w.sinks.values():
        sink.flush_if_large()


def _snapshot_open_slots(w: World, day: int) -> None:
    provider, starts, minutes = w.grid.open_slots(day)
    n = provider.size
    w.sinks["open_slots"].add_frame(
        pl.DataFrame(
            {
                "_day": np.full(n, day, dtype=np.int64),
                "_order": np.full(n, day * DAY, dtype=np.int64),
                "snapshot_date": np.full(n, day, dtype=np.int64),
                "provider_id": provider.astype(np.int64),
                "slot_start": starts.astype(np.int64),
                "slot_minutes": minutes.astype(np.int64),
                "slot_type": np.full(n, SLOT_TYPES.index("any"), dtype=np.int64),
            }
        )
    )
