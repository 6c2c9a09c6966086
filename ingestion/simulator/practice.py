"""The medical group itself: locations, providers and staff, drawn once per seed."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from . import processes as proc
from .presets import Preset
from .randomness import Stream, rng_for
from .specialties import SPECIALTIES, SPECIALTY_NAMES
from .timebase import day_of

_LOCATION_NAMES = (
    "Downtown",
    "Northside",
    "Lakeview",
    "Riverside",
    "Westgate",
    "Cedar Park",
    "Hillcrest",
    "Maple Grove",
    "Eastwood",
    "Fairview",
    "Oak Ridge",
    "Pinecrest",
    "Southgate",
    "Brookside",
    "Meadowbrook",
    "Stonebridge",
    "Willow Creek",
    "Harbor Point",
    "Greenfield",
    "Summit View",
    "Elm Street",
    "Kingsley",
    "Bayview",
    "Parkside",
    "Ashford",
)
_STATES = ("IL", "IL", "IL", "IN", "WI")
_FIRST = (
    "Alex",
    "Maria",
    "James",
    "Priya",
    "David",
    "Elena",
    "Samuel",
    "Grace",
    "Omar",
    "Hannah",
    "Victor",
    "Leah",
    "Daniel",
    "Aisha",
    "Robert",
    "Mei",
    "Carlos",
    "Nora",
    "Ethan",
    "Fatima",
)
_LAST = (
    "Nguyen",
    "Patel",
    "Okafor",
    "Schmidt",
    "Garcia",
    "Kowalski",
    "Bennett",
    "Haddad",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Reyes",
    "Fischer",
    "Adeyemi",
    "Russo",
    "Chen",
    "Brennan",
    "Novak",
    "Iyer",
    "Dubois",
    "Yilmaz",
    "Larsen",
    "Mendes",
    "Sato",
)
HOURLY_COST = {
    "front_desk": 24.5,
    "scheduler": 25.0,
    "eligibility": 26.5,
    "auth_coordinator": 31.0,
    "biller": 33.0,
    "coder": 37.5,
    "collector": 29.0,
    "nurse": 46.0,
    "manager": 58.0,
}


@dataclass
class Location:
    index: int
    name: str
    state: str
    zip3: str
    opened_day: int
    steady: proc.Processes
    start: proc.Processes  # habits on opening day (same as steady for mature locations)
    _cache: dict[int, proc.Processes] = field(default_factory=dict, repr=False)

    def processes(self, day: int) -> proc.Processes:
        age = day - self.opened_day
        if age >= proc.LEARNING_DAYS or self.start is self.steady:
            return self.steady
        week = age // 7
        if week not in self._cache:
            self._cache[week] = proc.learned(self.start, self.steady, week * 7)
        return self._cache[week]


@dataclass(frozen=True)
class Provider:
    index: int
    npi: str
    first_name: str
    last_name: str
    specialty: str
    location: int
    fte: float
    active_from: int
    clinic_weekdays: tuple[int, ...]
    sign_median_hours: float  # how long this provider usually leaves notes open
    sign_tail_rate: float  # notes forgotten for weeks
    documentation_factor: float  # scales documentation and medical-necessity denials


@dataclass(frozen=True)
class Staff:
    index: int
    role: str
    location: int | None  # None = central business office
    fte: float
    hourly_cost_cents: int


@dataclass
class Practice:
    locations: list[Location]
    providers: list[Provider]
    staff: list[Staff]
    group_npi: str
    tax_id: str
    by_role: dict[tuple[str, int | None], list[int]]

    def staff_for(self, role: str, location: int | None) -> list[int]:
        """Staff of a role at a location, falling back to the central office."""
        return self.by_role.get((role, location)) or self.by_role[(role, None)]


def npi_with_check_digit(base9: int) -> str:
    """A syntactically valid NPI: Luhn over the 80840 prefix plus nine digits."""
    digits = [int(c) for c in f"80840{base9:09d}"]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return f"{base9:09d}{(10 - total % 10) % 10}"


def build_practice(preset: Preset, seed: int, start_day: int, window_days: int) -> Practice:
    rng = rng_for(seed, Stream.PRACTICE)
    locations = _locations(preset, rng, start_day, window_days)
    providers = _providers(preset, rng, locations, start_day)
    staff = _staff(rng, locations, providers)
    by_role: dict[tuple[str, int | None], list[int]] = {}
    for s in staff:
        by_role.setdefault((s.role, s.location), []).append(s.index)
    return Practice(
        locations,
        providers,
        staff,
        npi_with_check_digit(int(rng.integers(100_000_000, 200_000_000))),
        f"{int(rng.integers(10, 99))}-{int(rng.integers(1_000_000, 9_999_999))}",
        by_role,
    )


def _locations(preset: Preset, rng, start_day: int, window_days: int) -> list[Location]:
    n, opening = preset.locations, preset.locations_opening_in_window
    out = []
    for i in range(n):
        if n - i <= opening:
            # Growth: these open inside the window, evenly spread over its first three quarters.
            k = opening - (n - i) + 1
            opened = start_day + int(window_days * 0.75 * k / (opening + 1))
        elif i == n - 1 and opening == 0:
            opened = start_day - 75  # the small preset's newest location opened lately
        else:
            opened = day_of(dt.date(2006 + (i * 3) % 14, 1 + (i * 5) % 12, 1))
        young = opened >= start_day - proc.LEARNING_DAYS
        steady = (
            proc.PHONE_AND_FAX
            if i == 0
            else proc.SKIPS_CHECKS
            if i == 1 and n > 2
            else proc.jittered(proc.BASELINE, list(rng.uniform(0.85, 1.15, 14)))
        )
        out.append(
            Location(
                index=i + 1,
                name=f"{_LOCATION_NAMES[i % len(_LOCATION_NAMES)]} Clinic",
                state=_STATES[i % len(_STATES)] if n > 8 else "IL",
                zip3=f"6{(i * 7) % 100:02d}",
                opened_day=opened,
                steady=steady,
                start=proc.NEW_LOCATION if young else steady,
            )
        )
    return out


def _specialty_plan(n: int, rng) -> list[str]:
    names = list(SPECIALTY_NAMES)
    shares = [SPECIALTIES[s].share for s in names]
    plan = names[:n]
    counts = {s: plan.count(s) for s in names}
    while len(plan) < n:
        # Fill toward the target shares: the specialty furthest below its share goes next.
        gap = [shares[j] * (len(plan) + 1) - counts[s] for j, s in enumerate(names)]
        pick = names[max(range(len(names)), key=lambda j: (gap[j], -j))]
        plan.append(pick)
        counts[pick] += 1
    rng.shuffle(plan)
    return plan


def _providers(preset: Preset, rng, locations: list[Location], start_day: int) -> list[Provider]:
    plan = _specialty_plan(preset.providers, rng)
    weights = [0.6 if loc.opened_day > start_day - 120 else 1.0 for loc in locations]
    primary = [s for s in plan if SPECIALTIES[s].primary_care]
    order = primary + [s for s in plan if not SPECIALTIES[s].primary_care]
    out = []
    for i, specialty in enumerate(order):
        if i < len(locations):
            loc = locations[i % len(locations)]  # every location gets a primary-care provider
        else:
            loc = locations[int(rng.choice(len(locations), p=[w / sum(weights) for w in weights]))]
        fte = float(rng.choice([1.0, 0.8, 0.6], p=[0.7, 0.2, 0.1]))
        days_off = round((1.0 - fte) * 5)
        weekdays = tuple(sorted(rng.choice(5, size=5 - days_off, replace=False).tolist()))
        if loc.opened_day >= start_day:
            active = loc.opened_day + int(rng.integers(0, 45))
        else:
            active = min(loc.opened_day + int(rng.integers(0, 3000)), start_day - 120)
        late = rng.random()
        sign_median = 70.0 if late < 0.07 else 26.0 if late < 0.25 else float(rng.uniform(2, 8))
        out.append(
            Provider(
                index=i + 1,
                npi=npi_with_check_digit(int(rng.integers(100_000_000, 200_000_000))),
                first_name=str(rng.choice(_FIRST)),
                last_name=str(rng.choice(_LAST)),
                specialty=specialty,
                location=loc.index,
                fte=fte,
                active_from=max(active, 0),
                clinic_weekdays=weekdays,
                sign_median_hours=sign_median,
                sign_tail_rate=0.05 if late < 0.07 else 0.012,
                documentation_factor=float(rng.lognormal(0.0, 0.35)),
            )
        )
    return out


def _staff(rng, locations: list[Location], providers: list[Provider]) -> list[Staff]:
    n_total = len(providers)
    counts: list[tuple[str, int | None, int]] = []
    for loc in locations:
        n_here = sum(1 for p in providers if p.location == loc.index)
        counts += [
            ("front_desk", loc.index, max(2, math.ceil(0.7 * n_here))),
            ("nurse", loc.index, max(1, math.ceil(0.6 * n_here))),
            ("eligibility", loc.index, 1),
            ("manager", loc.index, 1),
        ]
    counts += [
        ("scheduler", None, math.ceil(n_total / 6)),
        ("eligibility", None, math.ceil(n_total / 20)),
        ("auth_coordinator", None, math.ceil(n_total / 10)),
        ("biller", None, math.ceil(n_total / 10)),
        ("coder", None, math.ceil(n_total / 12)),
        ("collector", None, math.ceil(n_total / 15)),
        ("manager", None, 1),
    ]
    out = []
    for role, loc, count in counts:
        for _ in range(count):
            fte = float(rng.choice([1.0, 0.5], p=[0.85, 0.15]))
            cost = HOURLY_COST[role] * float(rng.uniform(0.92, 1.08))
            out.append(Staff(len(out) + 1, role, loc, fte, round(cost * 100)))
    return out


PARTS = 2  # the group simulates as two halves (by location) in parallel processes


def location_parts(practice: Practice) -> dict[int, int]:
    """Part (0 or 1) of each location, balancing the providers between the halves."""
    load = [0] * PARTS
    out = {}
    sizes = {loc.index: 0 for loc in practice.locations}
    for p in practice.providers:
        sizes[p.location] += 1
    for loc in sorted(sizes, key=lambda i: (-sizes[i], i)):
        part = min(range(PARTS), key=lambda k: (load[k], k))
        out[loc] = part
        load[part] += sizes[loc]
    return out
