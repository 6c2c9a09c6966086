"""The friction the simulator injects must be caused by upstream evidence the warehouse can see.

Groups are built from the landing CSVs only; outcomes come from the 835 files (CARC) or the
truth, so each test checks a cause-effect link, not the simulator's bookkeeping.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import polars as pl
from test_simulator_support import read_extract, small_run, sql
from test_simulator_x12 import claims_837, remits

from ingestion.simulator.payers import PAYERS

ELIGIBILITY_CARCS = ("27", "31", "109", "22")
AUTH_CARCS = ("197", "198", "15")


@cache
def first_denial_carc() -> dict[str, str]:
    """claim_id -> CARC of its first denied line/claim in payment-date order."""
    out: dict[str, str] = {}
    for remit in sorted(remits(), key=lambda r: (r["paid_on"], r["file"])):
        for claim in remit["claims"]:
            if claim["status"] == "22" or claim["id"] in out:
                continue
            for line in claim["lines"]:
                for group, carc, _ in line["cas"]:
                    if group != "PR" and carc not in ("45", "253"):
                        out.setdefault(claim["id"], carc)
    return out


@cache
def visits() -> pl.DataFrame:
    """Completed insured visits with their evidence: answered check in the 7 days before,
    lead time, and the CARC of the claim's first denial (if any)."""
    run = small_run()
    denials = pl.DataFrame(
        {"claim_id": list(first_denial_carc()), "carc": list(first_denial_carc().values())},
        schema={"claim_id": pl.String, "carc": pl.String},
    )
    rows = sql(
        """
        with appt as (
            select * from appointments qualify row_number() over (
                partition by appointment_id order by filename desc, _row desc) = 1),
        checked as (
            select distinct a.appointment_id from appt a join checks c
              on c.appointment_id = a.appointment_id
             and c.result in ('active', 'inactive', 'not_found')
             and c.requested_at::timestamp between a.scheduled_start::timestamp - interval 7 day
                                                and a.scheduled_start::timestamp)
        select e.encounter_id, 'C' || substr(e.encounter_id, 2) as claim_id, a.location_id,
               a.appointment_id in (select appointment_id from checked) as checked,
               d.carc
        from encounters e join appt a using (appointment_id)
        left join denials d on d.claim_id = 'C' || substr(e.encounter_id, 2)
        where 'C' || substr(e.encounter_id, 2) in (select claim_id from answered)
        """,
        appointments=read_extract(run, "pm/appointments"),
        checks=read_extract(run, "pm/eligibility_checks"),
        encounters=read_extract(run, "ehr/encounters"),
        charges=read_extract(run, "ehr/charges"),
        denials=denials,
        answered=pl.DataFrame(
            {"claim_id": sorted({c["id"] for r in remits() for c in r["claims"]})}
        ),
    )
    return pl.DataFrame(
        rows, schema=["encounter_id", "claim_id", "location_id", "checked", "carc"], orient="row"
    )


def test_skipped_eligibility_checks_cause_eligibility_denials() -> None:
    v = visits().with_columns(elig=pl.col("carc").is_in(ELIGIBILITY_CARCS).fill_null(False))
    rates = dict(v.group_by("checked").agg(pl.col("elig").mean()).iter_rows())
    counts = dict(v.group_by("checked").len().iter_rows())
    assert counts[False] > 500 and counts[True] > 5000
    assert rates[False] >= 3 * rates[True] > 0


def test_auth_denials_hit_services_billed_without_a_valid_auth() -> None:
    """Visits whose payer requires auth for a billed CPT: the ones without an auth approved
    before the visit (and still valid) for that CPT get auth denials; the covered ones don't."""
    run = small_run()
    rules = {p.x12_id: p.auth_cpts for p in PAYERS if p.x12_id}
    payer_of = {c["id"]: c["payer"] for c in claims_837()}
    rows = sql(
        """
        select 'C' || substr(c.encounter_id, 2) as claim_id, c.cpt_code,
               exists (select 1 from auths a where a.patient_id = e.patient_id
                         and a.cpt_code = c.cpt_code
                         and a.decision in ('approved', 'partially_approved')
                         and a.decided_at::timestamp <= e.provider_start_at::timestamp
                         and a.valid_to::date >= e.service_date::date) as covered
        from charges c join encounters e using (encounter_id)
        """,
        charges=read_extract(run, "ehr/charges"),
        encounters=read_extract(run, "ehr/encounters"),
        auths=read_extract(run, "pm/prior_auths"),
    )
    needing: dict[str, bool] = {}
    for claim, cpt, covered in rows:
        if claim in payer_of and cpt in rules[payer_of[claim]]:
            needing[claim] = needing.get(claim, True) and covered
    auth_denied = {c for c, carc in first_denial_carc().items() if carc in AUTH_CARCS}
    assert len(auth_denied) > 20
    assert len(auth_denied & set(needing)) >= 0.95 * len(auth_denied)
    covered = [c for c, ok in needing.items() if ok]
    uncovered = [c for c, ok in needing.items() if not ok]
    rate_covered = sum(c in auth_denied for c in covered) / len(covered)
    rate_uncovered = sum(c in auth_denied for c in uncovered) / len(uncovered)
    assert len(uncovered) > 30 and rate_uncovered > 0.3
    assert rate_uncovered >= 5 * rate_covered


def test_no_shows_rise_with_lead_time() -> None:
    rows = sql(
        """
        with appt as (
            select * from a qualify row_number() over (
                partition by appointment_id order by filename desc, _row desc) = 1)
        select date_diff('day', requested_at::date, scheduled_start::date) > 30 as long_wait,
               avg(case when status = 'no_show' then 1.0 else 0.0 end), count(*)
        from appt where status in ('completed', 'no_show') group by 1
        """,
        a=read_extract(small_run(), "pm/appointments"),
    )
    rate = {long_wait: r for long_wait, r, _ in rows}
    assert rate[True] >= 1.4 * rate[False]


def test_manual_channels_take_more_staff_minutes() -> None:
    work = read_extract(small_run(), "pm/work_items").filter(pl.col("completed_at").is_not_null())
    minutes = dict(
        work.filter(pl.col("work_type").is_in(["eligibility", "prior_auth"]))
        .group_by("channel")
        .agg(pl.col("touch_minutes").cast(pl.Float64).mean())
        .iter_rows()
    )
    assert min(minutes["phone"], minutes["fax"]) > 2 * minutes["internal"]


def test_every_denial_is_worked() -> None:
    work = read_extract(small_run(), "pm/work_items")
    worked = set(
        work.filter(pl.col("work_type").is_in(["claim_followup", "denial_appeal"]))["entity_id"]
    )
    last_remit = max(dt.datetime.strptime(r["paid_on"], "%Y%m%d") for r in remits())
    cutoff = (last_remit - dt.timedelta(days=30)).strftime("%Y%m%d")  # time to start the work
    denied = {c["id"] for r in remits() if r["paid_on"] < cutoff for c in r["claims"]}
    denied &= set(first_denial_carc())
    assert len(denied) > 100 and denied <= worked


def test_locations_differ_in_front_office_habits() -> None:
    run = small_run()
    v = visits()
    checked = dict(v.group_by("location_id").agg(pl.col("checked").mean()).iter_rows())
    checks = read_extract(run, "pm/eligibility_checks").join(
        read_extract(run, "pm/appointments")
        .unique("appointment_id")
        .select("appointment_id", "location_id"),
        on="appointment_id",
    )
    electronic = dict(
        checks.group_by("location_id").agg((pl.col("channel") == "x12_270").mean()).iter_rows()
    )
    assert checked["L02"] < 0.75 < min(checked["L01"], checked["L03"])
    assert electronic["L01"] < 0.4 < min(electronic["L02"], electronic["L03"])
    locations = read_extract(run, "pm/locations")
    newest = locations.sort("opened_on")["location_id"][-1]
    assert newest == "L03"


def test_truth_labels_agree_with_the_evidence() -> None:
    truth = pl.read_csv(small_run() / "truth" / "claims.csv", infer_schema=False)
    v = visits().join(truth.select("claim_id", "root_cause"), on="claim_id")
    labels = dict(v.group_by("root_cause").agg(pl.col("checked").mean()).iter_rows())
    assert labels["eligibility_not_checked"] == 0
    assert labels["eligibility_result_ignored"] == 1
    assert labels["payer_data_mismatch"] == 1
    causes = set(truth["root_cause"])
    assert {
        "eligibility_not_checked",
        "auth_not_requested",
        "coding_error",
        "duplicate",
        "clinical_documentation",
        "documentation_delay",
    } <= causes


def test_timely_filing_follows_late_submission() -> None:
    """Every claim labelled with a filing delay went out after the payer's limit, and every
    claim that went out that late carries a delay label unless an earlier check failed it."""
    run = small_run()
    truth = pl.read_csv(run / "truth" / "claims.csv", infer_schema=False)
    limits = dict(
        read_extract(run, "pm/payers").select("payer_id", "timely_filing_days").iter_rows()
    )
    delays = {"documentation_delay", "coding_delay", "submission_delay"}
    earlier = {"eligibility_not_checked", "eligibility_result_ignored", "payer_data_mismatch"}
    late_seen = 0
    for row in truth.filter(pl.col("submitted_on").is_not_null()).iter_rows(named=True):
        lag = (
            dt.date.fromisoformat(row["submitted_on"]) - dt.date.fromisoformat(row["service_date"])
        ).days
        late = lag > int(limits[row["payer_id"]])
        late_seen += late
        assert (row["root_cause"] in delays) == (late and row["root_cause"] not in earlier)
    assert late_seen > 0
