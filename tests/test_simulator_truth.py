"""The ground truth beside the landing folder agrees with what the landing files hold."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

import polars as pl
from test_simulator_support import SEED, SMALL_START, read_extract, small_run, sql
from test_simulator_x12 import claims_837, remits


def _monthly() -> dict[str, dict[str, str]]:
    frame = pl.read_csv(small_run() / "truth" / "monthly.csv", infer_schema=False)
    return {row["month"]: row for row in frame.to_dicts()}


def test_payer_payments_equal_the_835s_per_month() -> None:
    clp04: dict[str, Decimal] = defaultdict(Decimal)
    for remit in remits():
        month = f"{remit['paid_on'][:4]}-{remit['paid_on'][4:6]}"
        clp04[month] += sum(c["paid"] for c in remit["claims"])
    truth = _monthly()
    assert clp04
    for month, total in clp04.items():
        assert Decimal(truth[month]["payer_payments_usd"]) == total, month


def test_charges_and_patient_payments_equal_the_extracts_per_month() -> None:
    run = small_run()
    charges = sql(
        """select strftime(e.service_date::date, '%Y-%m'), sum(c.charge_amount::decimal(18, 2))
           from c join e using (encounter_id) group by 1""",
        c=read_extract(run, "ehr/charges"),
        e=read_extract(run, "ehr/encounters"),
    )
    payments = sql(
        """select strftime(received_at::timestamp, '%Y-%m'), sum(amount::decimal(18, 2))
           from p group by 1""",
        p=read_extract(run, "pm/patient_payments"),
    )
    truth = _monthly()
    for month, total in charges:
        assert Decimal(truth[month]["charges_usd"]) == total, month
    for month, total in payments:
        assert Decimal(truth[month]["patient_payments_usd"]) == total, month
    assert any(Decimal(row["patient_payments_usd"]) > 0 for row in truth.values())


def test_truth_claims_match_the_claim_files() -> None:
    truth = pl.read_csv(small_run() / "truth" / "claims.csv", infer_schema=False)
    submitted = set(truth.filter(pl.col("submitted_on").is_not_null())["claim_id"])
    assert submitted == {c["id"] for c in claims_837()}
    work = read_extract(small_run(), "pm/work_items")
    claim_work = set(work.filter(pl.col("entity_type") == "claim")["entity_id"])
    assert claim_work and claim_work <= set(truth["claim_id"])
    denied = truth.filter(pl.col("denied_on").is_not_null())
    assert denied.height > 0.05 * truth.height
    assert set(denied["denial_category"]) >= {
        "eligibility",
        "authorization",
        "coding",
        "duplicate",
        "documentation",
    }
    status = set(truth["status"])
    assert {"paid", "overturned", "written_off", "denied_open", "submitted"} <= status


def test_monthly_denials_sum_to_the_claim_rows() -> None:
    truth = pl.read_csv(small_run() / "truth" / "claims.csv", infer_schema=False)
    denials = pl.read_csv(small_run() / "truth" / "monthly_denials.csv", infer_schema=False)
    assert denials["claims"].cast(pl.Int64).sum() == truth["denied_on"].drop_nulls().len()


def test_state_records_the_run() -> None:
    state = json.loads((small_run() / "truth" / "state.json").read_text())
    assert state == {
        "preset": "small",
        "seed": SEED,
        "start_date": SMALL_START.isoformat(),
        "end_date": "2026-10-31",
        "format": 1,
    }


def test_point_of_service_payments_match_copays_collected() -> None:
    run = small_run()
    ((mismatched, matched),) = sql(
        """
        with visit as (
            select * from a qualify row_number() over (
                partition by appointment_id order by filename desc, _row desc) = 1)
        select count(*) filter (where p.amount is distinct from v.copay_collected),
               count(*)
        from visit v left join p on p.patient_id = v.patient_id
                               and p.received_at = v.checked_in_at
                               and p.method = 'point_of_service'
        where v.status = 'completed' and v.copay_collected::decimal > 0
        """,
        a=read_extract(run, "pm/appointments"),
        p=read_extract(run, "pm/patient_payments"),
    )
    assert matched > 1000 and mismatched == 0
