"""Ground truth beside the landing folder: what really happened, for judging the warehouse.

truth/claims.csv          one row per claim whose visit happened by the end date
truth/monthly.csv         one row per month: true totals
truth/monthly_denials.csv one row per month, denial category and root cause
truth/state.json          preset, seed and window, so a later run can add the next day
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .extracts import CLAIM, ENCOUNTER, LOCATION, PATIENT, PROVIDER, ident
from .payers import PAYERS
from .remit_files import Remit
from .tables import NULL
from .timebase import date_of, month_key
from .world import World

STATE_FILE = "state.json"
README = """# Simulator ground truth (not part of the landing contract)

- claims.csv: one row per claim whose visit happened on or before end_date. root_cause is the
  injected upstream failure (labels of metrics.md rcm.denial_root_cause, or none); status is as
  of end_date. Eligibility labels follow the evidence in pm/eligibility_checks: no answered
  check in the 7 days before the visit -> eligibility_not_checked; last answer inactive or
  not_found -> eligibility_result_ignored; last answer active -> payer_data_mismatch.
  Timely-filing labels name the longest of the three delays (note signing, coding, submission).
- monthly.csv: charges by month of service (lines coded by end_date); payer payments
  (sum of CLP04), contractual adjustments (CO-45, CO-253) and PLB amounts by 835 payment date;
  patient payments by received_at; denial write-offs by write-off date; bad debt by the date
  the balance is written off.
- monthly_denials.csv: initial denials by month of the 835 that carried them.
"""


def _usd(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _seen(day: int, end: int) -> str | None:
    return date_of(day).isoformat() if day != NULL and day <= end else None


@dataclass
class TruthPart:
    """One part's truth, in cents, before the parts are merged."""

    claims: pl.DataFrame
    monthly: dict[str, dict[str, int]] = field(default_factory=dict)
    denials: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)


def truth_part(w: World, remits: dict[int, list[Remit]], end: int) -> TruthPart:
    return TruthPart(_claims(w, end), _monthly(w, remits, end), _denials(w, end))


def write_truth(parts: list[TruthPart], folder: Path, state: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    frames = [p.claims for p in parts if p.claims.height]
    claims = pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame()
    (claims.sort("claim_id") if claims.height else claims).write_csv(folder / "claims.csv")
    monthly: dict[str, dict[str, int]] = {}
    denials: dict[tuple[str, str, str], list[int]] = {}
    for p in parts:
        for month, values in p.monthly.items():
            _add_all(monthly.setdefault(month, {}), values)
        for key, (n, cents) in p.denials.items():
            acc = denials.setdefault(key, [0, 0])
            acc[0], acc[1] = acc[0] + n, acc[1] + cents
    _monthly_frame(monthly).write_csv(folder / "monthly.csv")
    _denials_frame(denials).write_csv(folder / "monthly_denials.csv")
    (folder / STATE_FILE).write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
    (folder / "README.md").write_text(README)


def _add_all(into: dict[str, int], values: dict[str, int]) -> None:
    for key, cents in values.items():
        into[key] = into.get(key, 0) + cents


def _status(t, end: int) -> str:
    if t.first_submitted_day > end:
        return "not_submitted"
    if t.resolved_day != NULL and t.resolved_day <= end:
        return t.resolution
    if t.denial_day != NULL and t.denial_day <= end:
        return "denied_open"
    if t.first_adjudicated_day <= end:
        return "paid"
    return "submitted"


def _claims(w: World, end: int) -> pl.DataFrame:
    # Built column by column: one dict per claim costs about a kilobyte, a large run has
    # hundreds of thousands of claims per part.
    columns: dict[str, list] = {name: [] for name in _CLAIM_COLUMNS}
    for t in w.claims.truths:
        c = t.claim
        if c.service_day > end:
            continue
        values = (
            ident(CLAIM, c.number),
            ident(ENCOUNTER, c.number),
            ident(PATIENT, c.patient),
            ident(PROVIDER, c.provider),
            ident(LOCATION, c.location),
            PAYERS[c.payer].payer_id,
            date_of(c.service_day).isoformat(),
            _usd(c.total),
            t.root_cause,
            t.category,
            t.carc,
            t.denial_level,
            _seen(t.first_submitted_day, end),
            _seen(t.first_adjudicated_day, end),
            _seen(t.denial_day, end),
            _usd(t.denied_cents) if t.denial_day != NULL else None,
            _status(t, end),
            _seen(t.resolved_day, end),
            _usd(t.writeoff_cents) if t.resolution == "written_off" else None,
            t.reversed,
            t.split,
            t.duplicate_submitted,
            t.lost,
        )
        for column, value in zip(columns.values(), values, strict=True):
            column.append(value)
    if not columns["claim_id"]:
        return pl.DataFrame()
    return pl.DataFrame(columns)


_CLAIM_COLUMNS = (
    "claim_id",
    "encounter_id",
    "patient_id",
    "provider_id",
    "location_id",
    "payer_id",
    "service_date",
    "total_charge",
    "root_cause",
    "denial_category",
    "carc",
    "denial_level",
    "submitted_on",
    "first_adjudicated_on",
    "denied_on",
    "denied_usd",
    "status",
    "resolved_on",
    "writeoff_usd",
    "reversed",
    "split",
    "duplicate_submitted",
    "lost_claim",
)


def _monthly(w: World, remits: dict[int, list[Remit]], end: int) -> dict[str, dict[str, int]]:
    totals: dict[str, dict[str, int]] = {}

    def add(day: int, key: str, cents: int) -> None:
        if day <= end:
            month = totals.setdefault(month_key(day), {})
            month[key] = month.get(key, 0) + cents

    charges = w.sinks["charges"].frame().filter(pl.col("coded_at") <= (end + 1) * 86_400 - 1)
    visits = w.sinks["encounters"].frame().select("encounter_id", "service_date")
    per_day = (
        charges.join(visits, on="encounter_id")
        .group_by("service_date")
        .agg(pl.col("charge_amount").sum())
        .sort("service_date")
    )
    for day, cents in per_day.iter_rows():
        add(day, "charges", cents)
    for day, n in visits.group_by("service_date").len().sort("service_date").iter_rows():
        add(day, "visits", n)
    for day, day_remits in remits.items():
        for remit in day_remits:
            for a in remit.answers:
                add(day, "payer_payments", a.paid)
                add(
                    day,
                    "contractual",
                    sum(
                        v
                        for x in a.lines
                        for g, c, v in x.adjustments
                        if g == "CO" and c in ("45", "253")
                    ),
                )
            for reason, _, cents in remit.plb:
                add(day, f"plb_{reason}", cents)
    payments = (
        w.sinks["patient_payments"]
        .frame()
        .group_by(pl.col("received_at") // 86_400)
        .agg(pl.col("amount").sum())
    )
    for day, cents in payments.sort("received_at").iter_rows():
        add(day, "patient_payments", cents)
    for t in w.claims.truths:
        if t.resolution == "written_off" and t.resolved_day != NULL:
            add(t.resolved_day, "denial_writeoffs", t.writeoff_cents)
    for day, cents, _ in w.claims.bad_debt:
        add(day, "bad_debt", cents)
    return totals


_MONTHLY_COLUMNS = (
    "charges",
    "payer_payments",
    "patient_payments",
    "contractual",
    "plb_L6",
    "plb_WO",
    "plb_FB",
    "denial_writeoffs",
    "bad_debt",
)


def _monthly_frame(totals: dict[str, dict[str, int]]) -> pl.DataFrame:
    rows = []
    for month in sorted(totals):
        m = totals[month]
        row: dict[str, object] = {"month": month, "visits": m.get("visits", 0)}
        for key in _MONTHLY_COLUMNS:
            row[f"{key}_usd"] = _usd(m.get(key, 0))
        rows.append(row)
    return pl.DataFrame(rows)


def _denials(w: World, end: int) -> dict[tuple[str, str, str], list[int]]:
    groups: dict[tuple[str, str, str], list[int]] = {}
    for t in w.claims.truths:
        if t.denial_day == NULL or t.denial_day > end:
            continue
        key = (month_key(t.denial_day), t.category or "", t.root_cause)
        acc = groups.setdefault(key, [0, 0])
        acc[0] += 1
        acc[1] += t.denied_cents
    return groups


def _denials_frame(groups: dict[tuple[str, str, str], list[int]]) -> pl.DataFrame:
    rows = [
        {"month": m, "category": c, "root_cause": rc, "claims": n, "denied_usd": _usd(cents)}
        for (m, c, rc), (n, cents) in sorted(groups.items())
    ]
    schema = {
        "month": pl.String,
        "category": pl.String,
        "root_cause": pl.String,
        "claims": pl.Int64,
        "denied_usd": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)
