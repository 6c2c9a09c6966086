"""Prior authorization: whether one is requested, how, and when and how the payer decides.

An auth belongs to the service, not to one appointment: when a visit is rescheduled the auth
travels with the replacement, and whichever appointment holds it when a decision arrives
writes that version of the pm/prior_auths row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .extracts import AUTH, AUTH_CHANNELS, AUTH_DECISIONS, URGENCIES, ident
from .payers import PAYERS
from .processes import Processes
from .randomness import Draws, cumulative
from .tables import NULL
from .timebase import DAY, HOUR, MINUTE, add_business_days

if TYPE_CHECKING:
    from .booking import Appointment
    from .world import World

# Median hours from request to decision by channel: electronic requests are answered fastest.
_TURNAROUND_HOURS = {"x12_278": 22.0, "portal": 40.0, "fax": 110.0, "phone": 64.0}
_SLOW_PAYERS = {"MCD": 1.5, "CRC": 1.4, "KWC": 1.6}
_DECISIONS = ("approved", "partially_approved", "denied")
_DECISION_CUM = cumulative((0.86, 0.05, 0.09))
_WORK_CHANNEL = {"x12_278": "internal", "portal": "portal", "fax": "fax", "phone": "phone"}


@dataclass(slots=True)
class AuthPlan:
    number: int
    patient: int
    payer: int
    provider: int
    appointment: int  # the appointment it was requested for
    cpt: str
    urgency: str
    channel: str
    requested_ts: int
    pended_ts: int  # NULL unless the payer pended it first
    decided_ts: int
    decision: str  # final decision
    peer_to_peer: bool
    valid_days: int
    valid_from_day: int = field(default=NULL)  # set for retro auths that cover a past visit
    emitted_until: int = field(default=NULL)  # versions up to this moment are written

    @property
    def auth_number(self) -> str | None:
        if self.decision not in ("approved", "partially_approved"):
            return None
        return f"PA{(self.number * 48_271 + 17) % 10**9:09d}"

    @property
    def valid_to_day(self) -> int:
        return self.decided_ts // DAY + self.valid_days

    def versions(self) -> list[tuple[int, str | None]]:
        out: list[tuple[int, str | None]] = [(self.requested_ts, None)]
        if self.pended_ts != NULL:
            out.append((self.pended_ts, "pended"))
        out.append((self.decided_ts, self.decision))
        return out

    def emit(self, w: World, until: int, withdraw_at: int | None = None) -> None:
        """Write the versions that happen up to `until`; withdraw it then if still undecided."""
        for ts, decision in self.versions():
            if self.emitted_until < ts <= until:
                self._row(w, ts, decision)
        if withdraw_at is not None and self.decided_ts > withdraw_at:
            self._row(w, withdraw_at, "withdrawn")
        self.emitted_until = max(self.emitted_until, until)

    def _row(self, w: World, ts: int, decision: str | None) -> None:
        final = decision in ("approved", "partially_approved", "denied")
        approved = decision in ("approved", "partially_approved")
        w.sinks["prior_auths"].add(
            (
                ts // DAY,
                ts,
                self.number,
                self.patient,
                self.payer,
                self.provider,
                self.appointment,
                self.cpt,
                URGENCIES.index(self.urgency),
                AUTH_CHANNELS.index(self.channel),
                self.requested_ts,
                ts if decision else NULL,
                AUTH_DECISIONS.index(decision) if decision else NULL,
                self.auth_number if approved else None,
                (self.decided_ts // DAY if self.valid_from_day == NULL else self.valid_from_day)
                if approved
                else NULL,
                self.valid_to_day if approved else NULL,
                int(self.peer_to_peer) if final or decision == "pended" else NULL,
            )
        )


def needs_auth(payer: int, cpt: str) -> bool:
    return cpt in PAYERS[payer].auth_cpts


def manual_channel(r: Draws, pr: Processes, names: tuple[str, str, str]) -> str:
    """One of (phone, fax, portal)-like channel names by the location's manual mix."""
    return r.weighted(names, pr.manual_mix_cum)


def request_auth(
    w: World, a: Appointment, r: Draws, pr: Processes, requested_ts: int, cpt: str
) -> AuthPlan:
    """A new auth request; its whole future (decision, timing, peer review) is drawn now."""
    payer = PAYERS[a.payer]
    electronic = r.chance(pr.electronic_share * (0.6 if payer.payer_type == "medicaid" else 1.0))
    channel = "x12_278" if electronic else manual_channel(r, pr, ("phone", "fax", "portal"))
    urgency = "expedited" if r.chance(0.06) else "standard"
    hours = r.lognormal(_TURNAROUND_HOURS[channel] * _SLOW_PAYERS.get(payer.payer_id, 1.0), 0.7)
    if urgency == "expedited":
        hours *= 0.3
    decided = requested_ts + int(hours * HOUR)
    pended, peer = NULL, False
    if r.chance(0.10):
        pended = decided
        peer = r.chance(0.45)
        decided = pended + int(r.between(2, 8) * DAY)
    decision = r.weighted(_DECISIONS, _DECISION_CUM)
    if pended != NULL and decision == "approved" and r.chance(0.3):
        decision = "denied"
    auth = AuthPlan(
        w.next_id("auth"),
        a.patient,
        a.payer,
        a.provider,
        a.number,
        cpt,
        urgency,
        channel,
        requested_ts,
        pended,
        decided,
        decision,
        peer,
        60 if r.chance(0.7) else 90,
    )
    entity = ident(AUTH, auth.number)
    w.work.touch(
        r,
        "prior_auth",
        "auth_coordinator",
        None,
        "auth",
        entity,
        _WORK_CHANNEL[channel],
        requested_ts,
        decided,
        outcome=decision,
    )
    if peer:
        w.work.touch(
            r,
            "prior_auth",
            "nurse",
            a.location,
            "auth",
            entity,
            "phone",
            pended + int(r.between(1, 30) * HOUR),
            pended + int(r.between(30, 60) * HOUR),
            outcome="peer_to_peer",
            minutes=r.lognormal(35, 0.3),
        )
    return auth


def auth_request_time(a: Appointment, r: Draws) -> int:
    """Auth coordinators work the queue within a few business days of booking."""
    day = add_business_days(a.booked_ts // DAY, r.int_between(0, 2))
    moment = day * DAY + int(r.between(8.5, 16.5) * HOUR)
    return max(moment, a.booked_ts + 20 * MINUTE)


def retro_auth(
    w: World, a: Appointment, r: Draws, pr: Processes, cpt: str, requested_ts: int
) -> AuthPlan:
    """An auth requested after the service to rescue a denied claim (approved here: the
    caller only asks for one when the appeal is going to succeed)."""
    channel = "portal" if r.chance(0.6) else manual_channel(r, pr, ("phone", "fax", "portal"))
    decided = requested_ts + int(r.lognormal(72, 0.5) * HOUR)
    auth = AuthPlan(
        w.next_id("auth"),
        a.patient,
        a.payer,
        a.provider,
        a.number,
        cpt,
        "standard",
        channel,
        requested_ts,
        NULL,
        decided,
        "approved",
        False,
        30,
        valid_from_day=a.day,
    )
    auth.emit(w, decided)
    w.work.touch(
        r,
        "prior_auth",
        "auth_coordinator",
        None,
        "auth",
        ident(AUTH, auth.number),
        _WORK_CHANNEL[channel],
        requested_ts,
        decided,
        outcome="retro_approved",
    )
    return auth
