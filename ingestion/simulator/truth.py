"""Ground truth beside the landing folder: what really happened, for judging the warehouse.

truth/claims.csv          one row per claim whose visit happened by the end date
truth/monthly.csv         one row per month: true totals
truth/monthly_denials.csv one row per month, denial category and root cause
truth/state.json          preset, seed and window, so a later run can add the next day
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

import numpy as np
import polars as pl

from .claim_book import ClaimTruth
from .extracts import CLAIM, ENCOUNTER, LOCATION, PATIENT, PAYER, PROVIDER
from .remit_files import Remit
from .tables import NULL, Col, Kind, TableSpec, formatted
from .timebase import month_key
from .world import World

STATE_FILE = "state.json"
TRUTH_SINKS = ("charges", "encounters", "patient_payments")  # the extracts truth_part reads
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


def _claims(w: World, end: int) -> pl.DataFrame:
    """One row per claim whose visit happened by `end`, as text (see README)."""
    # Built column by column from numpy arrays and formatted by polars, as the extracts are: a
    # large run has hundreds of thousands of claims per part, and a Python string per value
    # would cost about a gigabyte at the run's memory peak.
    truths = [t for t in w.claims.truths if t.claim.service_day <= end]
    if not truths:
        return pl.DataFrame()
    claims = [t.claim for t in truths]

    def ints(items: list, name: str) -> np.ndarray:
        return np.fromiter(map(attrgetter(name), items), dtype=np.int64, count=len(items))

    def texts(name: str) -> pl.Series:
        return pl.Series(list(map(attrgetter(name), truths)), dtype=pl.String)

    number = ints(claims, "number")
    denial_day = ints(truths, "denial_day")
    written_off = (texts("resolution") == "written_off").to_numpy()
    storage = pl.DataFrame(
        {
            "_day": ints(claims, "service_day"),
            "claim_id": number,
            "encounter_id": number,
            "patient_id": ints(claims, "patient"),
            "provider_id": ints(claims, "provider"),
            "location_id": ints(claims, "location"),
            "payer_id": ints(claims, "payer"),
            "service_date": ints(claims, "service_day"),
            "total_charge": ints(claims, "total"),
            "root_cause": texts("root_cause"),
            "denial_category": texts("category"),
            "carc": texts("carc"),
            "denial_level": texts("denial_level"),
            "submitted_on": _seen(ints(truths, "first_submitted_day"), end),
            "first_adjudicated_on": _seen(ints(truths, "first_adjudicated_day"), end),
            "denied_on": _seen(denial_day, end),
            "denied_usd": np.where(denial_day != NULL, ints(truths, "denied_cents"), NULL),
            "status": pl.Series([_status(t, end) for t in truths], dtype=pl.String),
            "resolved_on": _seen(ints(truths, "resolved_day"), end),
            "writeoff_usd": np.where(written_off, ints(truths, "writeoff_cents"), NULL),
            **{name: ints(truths, field) for name, field in _FLAGS.items()},
        }
    )
    frame = formatted(_CLAIMS, storage).drop("_day")
    # Dates as ISO text, as the truth files have always held them.
    return frame.with_columns(
        pl.col(c.name).dt.to_string("%Y-%m-%d") for c in _CLAIMS.columns if c.kind is Kind.DATE
    )


def _seen(days: np.ndarray, end: int) -> np.ndarray:
    """Days that happened by `end`; NULL (no value) for the rest."""
    return np.where((days != NULL) & (days <= end), days, NULL)


def _status(t: ClaimTruth, end: int) -> str:
    if t.first_submitted_day > end:
        return "not_submitted"
    if t.resolved_day != NULL and t.resolved_day <= end:
        return t.resolution
    if t.denial_day != NULL and t.denial_day <= end:
        return "denied_open"
    if t.first_adjudicated_day <= end:
        return "paid"
    return "submitted"


_FLAGS = {
    "reversed": "reversed",
    "split": "split",
    "duplicate_submitted": "duplicate_submitted",
    "lost_claim": "lost",
}


def _cols(kind: Kind, *names: str) -> tuple[Col, ...]:
    return tuple(Col(name, kind) for name in names)


_CLAIMS = TableSpec(
    "truth/claims",
    (
        *(CLAIM, ENCOUNTER, PATIENT, PROVIDER, LOCATION, PAYER),
        *_cols(Kind.DATE, "service_date"),
        *_cols(Kind.MONEY, "total_charge"),
        *_cols(Kind.TEXT, "root_cause", "denial_category", "carc", "denial_level"),
        *_cols(Kind.DATE, "submitted_on", "first_adjudicated_on", "denied_on"),
        *_cols(Kind.MONEY, "denied_usd"),
        *_cols(Kind.TEXT, "status"),
        *_cols(Kind.DATE, "resolved_on"),
        *_cols(Kind.MONEY, "writeoff_usd"),
        *_cols(Kind.BOOL, *_FLAGS),
    ),
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
