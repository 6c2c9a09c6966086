"""How well each location runs its front office and billing: the knobs friction comes from.

Three locations carry a deliberate story the dashboards should find: one still works by
phone and fax, one often skips eligibility checks, and the newest starts immature and learns.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import cached_property

from .randomness import cumulative

# Days a new location takes to reach its steady-state habits.
LEARNING_DAYS = 240


@dataclass(frozen=True)
class Processes:
    check_rate: float  # visits that get an eligibility check in the 7 days before service
    booking_check_rate: float  # visits also checked when booked
    electronic_share: float  # eligibility checks and auth requests sent as X12 270/278
    manual_mix: tuple[float, float, float]  # phone, fax, portal when not electronic
    act_on_failed_check: float  # inactive / not-found results the front desk acts on
    auth_miss_rate: float  # services needing auth for which nobody requests one
    auth_reschedule_rate: float  # visits with an undecided auth moved rather than done
    pos_collection_rate: float  # copays collected in full at check-in
    door_to_room_min: float  # median minutes from arrival to exam room
    coding_error_rate: float  # claims leaving with a coding mistake
    coding_lag_days: float  # median business days from signed note to coded charges
    manual_charge_entry: bool  # charges keyed from superbills instead of flowing from the EHR
    blind_resubmit_rate: float  # follow-ups that resend a slow claim instead of asking
    statement_days: float  # days from remit to the first patient statement

    @cached_property
    def manual_mix_cum(self) -> tuple[float, ...]:
        return cumulative(self.manual_mix)


BASELINE = Processes(
    check_rate=0.94,
    booking_check_rate=0.30,
    electronic_share=0.80,
    manual_mix=(0.40, 0.15, 0.45),
    act_on_failed_check=0.90,
    auth_miss_rate=0.03,
    auth_reschedule_rate=0.80,
    pos_collection_rate=0.86,
    door_to_room_min=11.0,
    coding_error_rate=0.025,
    coding_lag_days=0.8,
    manual_charge_entry=False,
    blind_resubmit_rate=0.08,
    statement_days=6.0,
)
PHONE_AND_FAX = replace(
    BASELINE,
    electronic_share=0.15,
    manual_mix=(0.50, 0.35, 0.15),
    manual_charge_entry=True,
    door_to_room_min=13.0,
    coding_lag_days=1.5,
)
SKIPS_CHECKS = replace(
    BASELINE,
    check_rate=0.50,
    booking_check_rate=0.15,
    act_on_failed_check=0.80,
    pos_collection_rate=0.74,
)
NEW_LOCATION = replace(
    BASELINE,
    check_rate=0.74,
    electronic_share=0.45,
    act_on_failed_check=0.75,
    auth_miss_rate=0.09,
    auth_reschedule_rate=0.55,
    pos_collection_rate=0.70,
    door_to_room_min=19.0,
    coding_error_rate=0.055,
    coding_lag_days=2.5,
    manual_charge_entry=True,
    blind_resubmit_rate=0.30,
    statement_days=12.0,
)


def jittered(base: Processes, factors: list[float]) -> Processes:
    """A mature location's own variation around `base` (factors near 1.0)."""
    changes = {}
    for f, factor in zip(fields(base), factors, strict=False):
        value = getattr(base, f.name)
        if isinstance(value, float) and not isinstance(value, bool):
            changes[f.name] = min(value * factor, 0.99) if value < 1 else value * factor
    return replace(base, **changes)


def learned(start: Processes, steady: Processes, age_days: int) -> Processes:
    """Habits of a location `age_days` after opening: from `start` toward `steady`."""
    if age_days >= LEARNING_DAYS:
        return steady
    w = max(age_days, 0) / LEARNING_DAYS
    changes = {}
    for f in fields(steady):
        a, b = getattr(start, f.name), getattr(steady, f.name)
        if isinstance(b, float):
            changes[f.name] = a + (b - a) * w
        elif isinstance(b, bool):
            changes[f.name] = a if w < 0.75 else b
        else:
            changes[f.name] = tuple(x + (y - x) * w for x, y in zip(a, b, strict=True))
    return Processes(**changes)
