"""A small hand-made serving snapshot for the dashboard tests.

Every figure a test asserts is written here by hand (see EXPECTED), so a failing test points
at the app, not at the pipeline. The schemas follow the marts' conventions (kpi_monthly's
seven columns; medians carry a null numerator and the event count as denominator; counts
and sums carry the value as numerator and a null denominator). The metric catalog, targets
and reference seeds are read from dbt/seeds so titles and definitions match production.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import duckdb
from streamlit.components.v2.component_manager import BidiComponentManager
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
MAIN = str(REPO / "app" / "main.py")
SEEDS = REPO / "dbt" / "seeds"
MONTHS = (date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1))
JAN, FEB, MAR = MONTHS

# (metric_id, month, dimension, value, numerator, denominator); practice dimension value 'all'.
KPI_ROWS: list[tuple[str, date, str, str, float | None, float | None, float | None]] = [
    # no-show: 10/50, 10/50, 15/60 -> 20.0%, 20.0%, 25.0%
    ("access.no_show_rate", JAN, "practice", "all", 0.20, 10, 50),
    ("access.no_show_rate", FEB, "practice", "all", 0.20, 10, 50),
    ("access.no_show_rate", MAR, "practice", "all", 0.25, 15, 60),
    ("access.no_show_rate", FEB, "location", "L1", 0.15, 6, 40),
    ("access.no_show_rate", MAR, "location", "L1", 0.20, 8, 40),
    ("access.no_show_rate", MAR, "location", "L2", 0.35, 7, 20),
    ("access.no_show_rate", MAR, "provider", "P1", 0.10, 2, 20),
    ("access.no_show_rate", MAR, "provider", "P2", 0.30, 6, 20),
    ("access.no_show_rate", MAR, "provider", "P3", 0.35, 7, 20),
    ("access.no_show_rate", MAR, "payer", "Y1", 0.22, 8, 36),
    # lead time median (days)
    ("access.lead_time_days_median", JAN, "practice", "all", 7.0, None, 55),
    ("access.lead_time_days_median", FEB, "practice", "all", 8.0, None, 52),
    ("access.lead_time_days_median", MAR, "practice", "all", 9.0, None, 66),
    ("access.lead_time_days_median", MAR, "location", "L1", 7.0, None, 44),
    ("access.lead_time_days_median", MAR, "location", "L2", 14.0, None, 22),
    ("access.lead_time_days_median", MAR, "specialty", "family_medicine", 5.0, None, 22),
    ("access.lead_time_days_median", MAR, "specialty", "orthopedics", 21.0, None, 22),
    ("access.lead_time_days_median", MAR, "specialty", "cardiology", 14.0, None, 22),
    ("access.lead_time_days_median", MAR, "provider", "P1", 5.0, None, 22),
    ("access.lead_time_days_median", MAR, "provider", "P2", 21.0, None, 22),
    ("access.lead_time_days_median", MAR, "provider", "P3", 14.0, None, 22),
    # staff minutes per visit: 550/50 = 11.0 in Feb, 750/60 = 12.5 in Mar
    ("staff.minutes_per_visit", FEB, "practice", "all", 11.0, 550, 50),
    ("staff.minutes_per_visit", MAR, "practice", "all", 12.5, 750, 60),
    ("staff.minutes_per_visit", MAR, "location", "L1", 10.0, 400, 40),
    ("staff.minutes_per_visit", MAR, "location", "L2", 17.5, 350, 20),
    ("staff.minutes_per_visit", MAR, "work_type", "eligibility", 5.0, 300, 60),
    ("staff.minutes_per_visit", MAR, "work_type", "prior_auth", 4.0, 240, 60),
    ("staff.minutes_per_visit", MAR, "work_type", "claim_followup", 3.5, 210, 60),
    ("staff.minutes_per_visit", MAR, "channel", "phone", 7.5, 450, 60),
    ("staff.minutes_per_visit", MAR, "channel", "portal", 3.0, 180, 60),
    ("staff.minutes_per_visit", MAR, "channel", "fax", 2.0, 120, 60),
    ("growth.admin_minutes_per_visit_by_location", MAR, "location", "L1", 10.0, 400, 40),
    ("growth.admin_minutes_per_visit_by_location", MAR, "location", "L2", 17.5, 350, 20),
    ("staff.cost_per_visit", FEB, "practice", "all", 7.70, 385, 50),
    ("staff.cost_per_visit", MAR, "practice", "all", 8.40, 504, 60),
    ("staff.manual_share", MAR, "transaction_type", "eligibility", 0.40, 24, 60),
    ("staff.manual_share", MAR, "transaction_type", "prior_auth", 0.75, 15, 20),
    ("staff.automation_savings_usd", MAR, "transaction_type", "prior_auth", 84.15, 84.15, None),
    ("staff.open_backlog", MAR, "work_type", "claim_followup", 7, 7, None),
    ("staff.open_backlog", MAR, "work_type", "prior_auth", 3, 3, None),
    ("staff.open_backlog", MAR, "age_bucket", "0-7d", 6, 6, None),
    ("staff.open_backlog", MAR, "age_bucket", "8-30d", 4, 4, None),
    # denials: 5/50 = 10.0% in Feb, 6/50 = 12.0% in Mar
    ("rcm.initial_denial_rate_count", FEB, "practice", "all", 0.10, 5, 50),
    ("rcm.initial_denial_rate_count", MAR, "practice", "all", 0.12, 6, 50),
    ("rcm.initial_denial_rate_count", MAR, "location", "L1", 0.10, 4, 40),
    ("rcm.initial_denial_rate_count", MAR, "location", "L2", 0.20, 2, 10),
    ("rcm.initial_denial_rate_usd", MAR, "practice", "all", 0.15, 1300, 8666.67),
    ("rcm.days_to_payment_median", MAR, "practice", "all", 21.0, None, 40),
    ("rcm.days_to_payment_median", MAR, "payer", "Y1", 18.0, None, 25),
    ("rcm.days_to_payment_median", MAR, "payer", "Y2", 30.0, None, 15),
    ("rcm.net_days_in_ar", FEB, "practice", "all", 40.0, 40000, 1000),
    ("rcm.net_days_in_ar", MAR, "practice", "all", 38.5, 38500, 1000),
    ("rcm.denials_by_category", MAR, "category", "eligibility", 3, 3, None),
    ("rcm.denials_by_category", MAR, "category", "authorization", 2, 2, None),
    ("rcm.denials_by_category", MAR, "category", "coding", 1, 1, None),
    ("rcm.denials_by_category", MAR, "carc", "CO-27", 3, 3, None),
    ("rcm.denials_by_category", MAR, "carc", "CO-197", 2, 2, None),
    ("rcm.denials_by_category", MAR, "carc", "CO-16", 1, 1, None),
    ("rcm.denials_by_category_usd", MAR, "category", "eligibility", 470, 470, None),
    ("rcm.denials_by_category_usd", MAR, "category", "authorization", 750, 750, None),
    ("rcm.denials_by_category_usd", MAR, "category", "coding", 80, 80, None),
    ("rcm.denials_by_category_usd", MAR, "carc", "CO-27", 470, 470, None),
    ("rcm.denials_by_category_usd", MAR, "carc", "CO-197", 750, 750, None),
    ("rcm.denials_by_category_usd", MAR, "carc", "CO-16", 80, 80, None),
    ("rcm.ar_aging", MAR, "age_bucket", "0-30", 20000, 20000, None),
    ("rcm.ar_aging", MAR, "age_bucket", "31-60", 8000, 8000, None),
    ("rcm.ar_aging", MAR, "age_bucket", "61-90", 4000, 4000, None),
    ("rcm.ar_aging", MAR, "age_bucket", "91-120", 2000, 2000, None),
    ("rcm.ar_aging", MAR, "age_bucket", "120+", 1000, 1000, None),
    # 3,000 of 35,000 -> 8.6%
    ("rcm.ar_over_90_rate", MAR, "practice", "all", 3000 / 35000, 3000, 35000),
    # documentation
    ("docs.note_sign_lag_hours_median", FEB, "practice", "all", 26.0, None, 50),
    ("docs.note_sign_lag_hours_median", MAR, "practice", "all", 30.0, None, 60),
    ("docs.note_sign_lag_hours_median", MAR, "provider", "P1", 12.0, None, 20),
    ("docs.note_sign_lag_hours_median", MAR, "provider", "P2", 30.0, None, 20),
    ("docs.note_sign_lag_hours_median", MAR, "provider", "P3", 48.0, None, 20),
    ("docs.open_notes", MAR, "practice", "all", 14, 14, None),
    ("docs.open_notes", MAR, "provider", "P1", 2, 2, None),
    ("docs.open_notes", MAR, "provider", "P2", 4, 4, None),
    ("docs.open_notes", MAR, "provider", "P3", 8, 8, None),
    ("docs.open_notes", MAR, "age_bucket", "0-1d", 5, 5, None),
    ("docs.open_notes", MAR, "age_bucket", "2-7d", 6, 6, None),
    ("docs.open_notes", MAR, "age_bucket", ">7d", 3, 3, None),
    ("rcm.charge_lag_days_mean", MAR, "provider", "P1", 1.0, 20, 20),
    ("rcm.charge_lag_days_mean", MAR, "provider", "P2", 2.5, 50, 20),
    ("rcm.charge_lag_days_mean", MAR, "provider", "P3", 4.0, 80, 20),
    # prior auth by payer, urgency, channel
    ("auth.turnaround_hours_median", MAR, "payer", "Y1", 40.0, None, 12),
    ("auth.turnaround_hours_median", MAR, "payer", "Y2", 90.0, None, 8),
    ("auth.turnaround_hours_median", MAR, "urgency", "expedited", 30.0, None, 5),
    ("auth.turnaround_hours_median", MAR, "urgency", "standard", 80.0, None, 15),
    ("auth.turnaround_hours_median", MAR, "channel", "x12_278", 20.0, None, 6),
    ("auth.turnaround_hours_median", MAR, "channel", "portal", 60.0, None, 8),
    ("auth.turnaround_hours_median", MAR, "channel", "fax", 100.0, None, 6),
    ("auth.approval_rate", MAR, "payer", "Y1", 0.75, 9, 12),
    ("auth.approval_rate", MAR, "payer", "Y2", 0.50, 4, 8),
    ("auth.denial_rate", MAR, "payer", "Y1", 0.25, 3, 12),
    ("auth.denial_rate", MAR, "payer", "Y2", 0.50, 4, 8),
    ("auth.turnaround_hours_mean", MAR, "payer", "Y1", 44.0, 528, 12),
    ("auth.turnaround_hours_mean", MAR, "payer", "Y2", 96.0, 768, 8),
    ("auth.within_cms_timeframe_rate", MAR, "payer", "Y1", 1.0, 12, 12),
    ("auth.within_cms_timeframe_rate", MAR, "payer", "Y2", 0.875, 7, 8),
    ("auth.pending_at_service_count", MAR, "practice", "all", 2, 2, None),
    # cost of friction
    ("ops.friction_cost_usd", JAN, "practice", "all", 4000.0, 4000.0, None),
    ("ops.friction_cost_usd", FEB, "practice", "all", 4200.0, 4200.0, None),
    ("ops.friction_cost_usd", MAR, "practice", "all", 4850.0, 4850.0, None),
    ("ops.friction_cost_usd", MAR, "location", "L1", 2600.0, 2600.0, None),
    ("ops.friction_cost_usd", MAR, "location", "L2", 2250.0, 2250.0, None),
]

# Figures the tests assert, as the app must print them.
EXPECTED = {
    "no_show_practice": "25.0%",
    "no_show_delta": "+5.0 pts",
    "no_show_location_L1": "20.0%",
    "no_show_location_L1_delta": "+5.0 pts",
    "no_show_provider_P3": "35.0%",
    "lead_time_practice": "9.0 days",
    "minutes_per_visit": "12.5 min",
    "denial_rate": "12.0%",
    "sign_lag": "30.0 h",
    "days_in_ar": "38.5 days",
    "friction_cost": "$4,850",
}

LOCATIONS = [
    ("L1", "Main Street", "TX", date(2015, 6, 1), 117, "10y+", 2),
    ("L2", "Northside", "TX", date(2024, 1, 15), 14, "1-2y", 1),
]
PROVIDERS = [
    ("P1", "1000000001", "Dr. Avery", "family_medicine", "primary_care", 7, "L1"),
    ("P2", "1000000002", "Dr. Brooks", "orthopedics", "specialty", 14, "L1"),
    ("P3", "1000000003", "Dr. Chen", "cardiology", "specialty", 14, "L2"),
]
PAYERS = [
    ("Y1", "Acme Health", "commercial", "ACME1", 90),
    ("Y2", "Medicare", "medicare", "MCR01", 365),
]
# claim, payer, provider, location, service date, reason codes, category, root cause,
# evidence, denied dollars, outcome; denied 5 days after service (all in March).
DENIALS = [
    (
        "C001",
        "Y1",
        "P1",
        "L1",
        date(2025, 3, 3),
        "CO-27",
        "eligibility",
        "eligibility_not_checked",
        "no check within 7 days",
        120.0,
        "written_off",
    ),
    (
        "C002",
        "Y1",
        "P2",
        "L1",
        date(2025, 3, 5),
        "CO-27",
        "eligibility",
        "eligibility_result_ignored",
        "check said inactive",
        200.0,
        "overturned",
    ),
    (
        "C003",
        "Y2",
        "P3",
        "L2",
        date(2025, 3, 7),
        "CO-197",
        "authorization",
        "auth_pending_at_service",
        "auth undecided at service",
        450.0,
        "open",
    ),
    (
        "C004",
        "Y2",
        "P3",
        "L2",
        date(2025, 3, 10),
        "CO-197",
        "authorization",
        "auth_not_requested",
        "no auth request",
        300.0,
        "written_off",
    ),
    (
        "C005",
        "Y1",
        "P2",
        "L1",
        date(2025, 3, 12),
        "CO-16,CO-4",
        "coding",
        "coding_error",
        "missing modifier",
        80.0,
        "overturned",
    ),
    (
        "C006",
        "Y2",
        "P1",
        "L1",
        date(2025, 3, 20),
        "CO-27",
        "eligibility",
        "eligibility_not_checked",
        "no check within 7 days",
        150.0,
        "open",
    ),
]


def _seed(con: duckdb.DuckDBPyConnection, name: str) -> None:
    path = SEEDS / f"{name}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    columns = list(rows[0])
    con.execute(f"create table marts.{name} ({', '.join(f'{c} varchar' for c in columns)})")
    con.executemany(
        f"insert into marts.{name} values ({', '.join('?' for _ in columns)})",
        [[r[c] or None for c in columns] for r in rows],
    )


def _typed_seeds(con: duckdb.DuckDBPyConnection) -> None:
    for name in (
        "metric_catalog",
        "metric_targets",
        "caqh_reference_costs",
        "cms_0057f_timeframes",
    ):
        _seed(con, name)
    con.execute("alter table marts.metric_catalog alter higher_is_better type boolean")
    con.execute("alter table marts.metric_targets alter target_value type double")
    con.execute("alter table marts.caqh_reference_costs alter cost_per_transaction_usd type double")
    con.execute("alter table marts.caqh_reference_costs alter report_year type integer")
    con.execute("alter table marts.cms_0057f_timeframes alter max_decision_hours type integer")


def _kpis(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        create table marts.kpi_monthly (
            metric_id varchar, period_month date, dimension varchar,
            dimension_value varchar, numerator double, denominator double, value double
        )
        """
    )
    con.executemany(
        "insert into marts.kpi_monthly values (?, ?, ?, ?, ?, ?, ?)",
        [(m, p, d, v, n, den, val) for m, p, d, v, val, n, den in KPI_ROWS],
    )
    # Catalog metrics without hand-written practice rows get Feb/Mar filler so every tile
    # and trend has something to draw; no test asserts these.
    con.execute(
        """
        insert into marts.kpi_monthly
        select c.metric_id, m.month, 'practice', 'all',
               case when c.unit in ('count', 'usd') then f.v
                    when c.unit = 'rate' then f.v * 100 end,
               case when c.unit = 'rate' then 100 end, f.v
        from marts.metric_catalog c
        cross join (values (date '2025-02-01', 0), (date '2025-03-01', 1)) m(month, i)
        cross join lateral (select case c.unit
            when 'rate' then 0.80 + 0.05 * m.i when 'days' then 10 + 2 * m.i
            when 'hours' then 24 - 4 * m.i when 'minutes' then 15 - m.i
            when 'usd' then 1000 + 100 * m.i else 10 + 2 * m.i end as v) f
        where c.metric_id not in (
            select metric_id from marts.kpi_monthly where dimension = 'practice')
        """
    )


def _dims(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        create table marts.dim_location (location_id varchar, location_name varchar,
            state varchar, opened_on date, location_age_months integer,
            location_age_band varchar, provider_count integer)
        """
    )
    con.executemany("insert into marts.dim_location values (?, ?, ?, ?, ?, ?, ?)", LOCATIONS)
    con.execute(
        """
        create table marts.dim_provider (provider_id varchar, npi varchar,
            provider_name varchar, specialty varchar, specialty_group varchar,
            new_patient_threshold_days integer, location_id varchar)
        """
    )
    con.executemany("insert into marts.dim_provider values (?, ?, ?, ?, ?, ?, ?)", PROVIDERS)
    con.execute(
        """
        create table marts.dim_payer (payer_id varchar, payer_name varchar,
            payer_type varchar, payer_x12_id varchar, timely_filing_days integer)
        """
    )
    con.executemany("insert into marts.dim_payer values (?, ?, ?, ?, ?)", PAYERS)
    con.execute(
        "create table marts.dim_patient as select 'k' || i as patient_key from range(1, 7) t(i)"
    )


def _facts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        create table marts.fct_claim_denials (claim_id varchar, payer_id varchar,
            provider_id varchar, location_id varchar, service_date date,
            denial_reason_codes varchar, denial_category varchar, root_cause varchar,
            evidence varchar, denied_amount double, denial_outcome varchar)
        """
    )
    con.executemany(
        "insert into marts.fct_claim_denials values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", DENIALS
    )
    # Columns the real mart derives, in its names.
    con.execute(
        """
        create or replace table marts.fct_claim_denials as
        select d.*, 'k' || substr(claim_id, 4) as patient_key,
               p.specialty, 'A' || substr(claim_id, 2) as appointment_id,
               'E' || substr(claim_id, 2) as encounter_id,
               service_date + 5 as denied_on,
               date_trunc('month', service_date + 5)::date as denial_month,
               split_part(denial_reason_codes, '-', 1) as denial_group_code,
               split_part(split_part(denial_reason_codes, ',', 1), '-', 2) as denial_carc,
               denial_outcome <> 'open' as is_resolved,
               case when denial_outcome = 'overturned' then service_date + 40 end
                   as overturned_on,
               case when denial_outcome = 'written_off' then service_date + 125 end
                   as written_off_on
        from marts.fct_claim_denials d
        join marts.dim_provider p using (provider_id)
        """
    )
    # One visit per denied claim: milestones relative to the service date.
    con.execute(
        """
        create table marts.fct_visit_journey as
        select appointment_id, patient_key, provider_id, location_id,
               'completed' as status, encounter_id, claim_id,
               (service_date - 20)::timestamp + interval 9 hour as requested_at,
               (service_date - 15)::timestamp + interval 10 hour as booked_at,
               service_date::timestamp + interval 9 hour as scheduled_start_at,
               case when root_cause = 'eligibility_not_checked' then null
                    else (service_date - 3)::timestamp + interval 11 hour
               end as eligibility_answered_at,
               service_date::timestamp + interval 8 hour + interval 50 minute as arrived_at,
               service_date::timestamp + interval 10 hour as departed_at,
               (service_date + 2)::timestamp + interval 17 hour as note_signed_at,
               (service_date + 3)::timestamp + interval 12 hour as coded_at,
               service_date + 4 as submitted_on,
               service_date + 5 as first_adjudicated_on,
               service_date,
               20 as lead_time_days
        from marts.fct_claim_denials
        """
    )
    con.execute(
        """
        create table marts.fct_visits as
        select appointment_id, patient_key, payer_id, provider_id, location_id, specialty,
               service_date, date_trunc('month', service_date)::date as service_month,
               case when root_cause like 'auth%' then '99213' end as auth_cpt_code,
               case when root_cause = 'auth_pending_at_service' then 'pending' end
                   as auth_status,
               root_cause = 'auth_pending_at_service' as is_auth_pending_at_service
        from marts.fct_claim_denials
        """
    )


def _meta(con: duckdb.DuckDBPyConnection, built_at: datetime) -> None:
    con.execute(
        "create table meta.snapshot (built_at timestamp, refresh_id varchar, files_loaded integer)"
    )
    con.execute("insert into meta.snapshot values (?, 'r-fixture', 12)", [built_at])
    con.execute(
        """
        create table meta.source_freshness (source varchar, newest_event_at timestamp,
            loaded_at timestamp, files_loaded integer, hours_since_newest_event double,
            hours_since_load double)
        """
    )
    con.executemany(
        "insert into meta.source_freshness values (?, ?, ?, ?, ?, ?)",
        [
            ("pm/appointments", datetime(2025, 3, 31, 18), built_at, 3, 0.0, 0.0),
            ("ehr/clinical_notes", datetime(2025, 3, 30, 6), built_at, 3, 36.0, 0.0),
            ("remits", datetime(2025, 3, 30, 22), built_at, 2, 20.0, 0.0),
        ],
    )
    con.execute(
        """
        create table meta.load_manifest (file_hash varchar, source_file varchar,
            unit varchar, units_total integer, units_loaded integer,
            units_quarantined integer, status varchar, load_id integer, loaded_at timestamp)
        """
    )
    con.executemany(
        "insert into meta.load_manifest values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("h1", "pm/appointments/2025-03-31.csv", "row", 100, 97, 3, "partial", 1, built_at),
            ("h2", "ehr/clinical_notes/2025-03-31.csv", "row", 50, 50, 0, "loaded", 1, built_at),
            ("h3", "remits/era_0331.835", "segment", 40, 0, 40, "quarantined", 1, built_at),
        ],
    )
    con.execute(
        """
        create table meta.quarantine (source_file varchar, position_kind varchar,
            position bigint, column_name varchar, reason_code varchar, reason varchar,
            disposition varchar)
        """
    )
    con.executemany(
        "insert into meta.quarantine values (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                "pm/appointments/2025-03-31.csv",
                "row",
                4,
                "booked_at",
                "bad_timestamp",
                "booked_at 'yesterday' is not a timestamp",
                "quarantined",
            ),
            (
                "pm/appointments/2025-03-31.csv",
                "row",
                9,
                "patient_id",
                "missing_required",
                "patient_id is required",
                "quarantined",
            ),
            (
                "pm/appointments/2025-03-31.csv",
                "row",
                12,
                "patient_id",
                "missing_required",
                "patient_id is required",
                "quarantined",
            ),
            (
                "remits/era_0331.835",
                "file",
                0,
                None,
                "bad_envelope",
                "ISA segment is not 106 characters",
                "quarantined",
            ),
        ],
    )
    con.execute(
        """
        create table meta.check_results (check_name varchar, asset varchar,
            severity varchar, blocking boolean, passed boolean, detail varchar,
            checked_at timestamp)
        """
    )
    con.executemany(
        "insert into meta.check_results values (?, ?, ?, ?, ?, ?, ?)",
        [
            ("unique_claim_id", "fct_claims", "ERROR", True, True, "0 duplicates", built_at),
            ("no_phi_columns", "marts", "ERROR", True, True, "none found", built_at),
            ("remit_balance", "fct_payments", "WARN", False, False, "1 unbalanced 835", built_at),
        ],
    )


def _exports(home: Path) -> None:
    for day, files in {
        "2025-03-31": {
            "charges.csv": "month,charges_usd\n2025-03,8666.67\n",
            "payments.csv": "month,payments_usd\n2025-03,7000.00\n",
        },
        "2025-02-28": {"charges.csv": "month,charges_usd\n2025-02,8100.00\n"},
    }.items():
        folder = home / "exports" / "finance" / day
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")


def build_snapshot(home: Path, built_at: datetime | None = None) -> Path:
    """Write <home>/serving/warehouse.duckdb (and finance exports); returns the db path."""
    target = home / "serving" / "warehouse.duckdb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(target))
    try:
        con.execute("create schema marts")
        con.execute("create schema meta")
        _typed_seeds(con)
        _kpis(con)
        _dims(con)
        _facts(con)
        _meta(con, built_at or datetime.now() - timedelta(hours=2))
        con.execute("checkpoint")
    finally:
        con.close()
    _exports(home)
    return target


@cache
def _components() -> BidiComponentManager:
    manager = BidiComponentManager()
    manager.discover_and_register_components(start_file_watching=False)
    return manager


def app_test(page: str | None = None, timeout: float = 60) -> AppTest:
    """A new AppTest session of the dashboard (not yet run), optionally on one page.

    Every AppTest otherwise scans the metadata of each installed package for custom
    components before its first run (some 2 s here, 3/4 of a warm page load); a served app
    does that once at start-up, so sharing the registry also keeps timings honest.
    """
    at = AppTest.from_file(MAIN, default_timeout=timeout)
    at._bidi_component_manager = _components()
    if page is not None:
        # Page urls are the file stems, so the page can be chosen before the first run.
        at.switch_page(page)
    return at
