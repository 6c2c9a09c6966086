"""Staff touches (pm/work_items): who did what, through which channel, for how many minutes.

Minutes differ by channel on purpose: a phone call or a fax takes far longer than reviewing an
electronic response, which is the saving the automation metrics estimate.
"""

from __future__ import annotations

from collections.abc import Callable

from .extracts import CLAIM, ENTITY_TYPES, WORK_CHANNELS, WORK_TYPES, ident
from .practice import Practice
from .randomness import Draws
from .tables import NULL, Sink
from .timebase import DAY

# Median touch minutes by (work type, channel).
TOUCH_MINUTES: dict[tuple[str, str], float] = {
    ("scheduling", "phone"): 6.0,
    ("scheduling", "portal"): 1.5,
    ("scheduling", "internal"): 3.0,
    ("registration", "phone"): 9.0,
    ("registration", "portal"): 4.0,
    ("registration", "internal"): 7.0,
    ("eligibility", "phone"): 12.0,
    ("eligibility", "fax"): 8.0,
    ("eligibility", "portal"): 5.0,
    ("eligibility", "internal"): 1.0,
    ("prior_auth", "phone"): 28.0,
    ("prior_auth", "fax"): 22.0,
    ("prior_auth", "portal"): 14.0,
    ("prior_auth", "internal"): 5.0,
    ("charge_entry", "internal"): 3.5,
    ("coding", "internal"): 6.0,
    ("documentation_query", "email"): 6.0,
    ("documentation_query", "internal"): 8.0,
    ("claim_followup", "phone"): 16.0,
    ("claim_followup", "portal"): 6.0,
    ("claim_followup", "internal"): 3.0,
    ("denial_appeal", "phone"): 24.0,
    ("denial_appeal", "fax"): 30.0,
    ("denial_appeal", "portal"): 18.0,
    ("denial_appeal", "internal"): 12.0,
    ("payment_posting", "internal"): 4.0,
    ("patient_billing", "phone"): 8.0,
    ("patient_billing", "email"): 2.0,
    ("patient_billing", "internal"): 1.0,
}
_WORK_TYPE = {name: i for i, name in enumerate(WORK_TYPES)}
_ENTITY = {name: i for i, name in enumerate(ENTITY_TYPES)}
_CHANNEL = {name: i for i, name in enumerate(WORK_CHANNELS)}


class WorkLog:
    def __init__(self, sink: Sink, practice: Practice, next_id: Callable[[], int]) -> None:
        self.sink = sink
        self.practice = practice
        self.next_id = next_id

    def touch(
        self,
        r: Draws,
        work_type: str,
        role: str,
        location: int | None,
        entity: str,
        entity_id: str,
        channel: str,
        started: int,
        completed: int | None,
        outcome: str | None = None,
        minutes: float | None = None,
        number: int | None = None,
    ) -> None:
        """One work item. It lands open on its start day and again, completed, on the day it
        closes; `completed=None` leaves it open."""
        team = self.practice.staff_for(role, location)
        staff = team[min(int(r.u() * len(team)), len(team) - 1)]
        if minutes is None:
            minutes = r.lognormal(TOUCH_MINUTES[(work_type, channel)], 0.35)
        tenths = max(1, round(minutes * 10))
        head = (
            self.next_id() if number is None else number,
            staff,
            _WORK_TYPE[work_type],
            _ENTITY[entity],
            entity_id,
            _CHANNEL[channel],
            started,
        )
        if completed is None or completed // DAY != started // DAY:
            first_touch = max(1, tenths // 2) if completed is not None else tenths
            self.sink.add((started // DAY, started, *head, NULL, first_touch, None))
        if completed is not None:
            self.sink.add((completed // DAY, completed, *head, completed, tenths, outcome))

    def on_claim(
        self,
        r: Draws,
        work_type: str,
        role: str,
        claim: int,
        channel: str,
        started: int,
        completed: int,
        outcome: str,
    ) -> None:
        """Billing-office work on a claim: the central office's staff, the claim as entity."""
        self.touch(
            r,
            work_type,
            role,
            None,
            "claim",
            ident(CLAIM, claim),
            channel,
            started,
            completed,
            outcome=outcome,
        )
