"""Every SQL statement the dashboard runs, in one module.

Opening a DuckDB file costs far more than the small queries the pages run, so each snapshot
is read in two ways:
- the small tables (kpi_monthly, catalog, targets, dimensions, reference seeds, meta) are
  read once through one short-lived read-only connection and kept in memory per snapshot
  identity; pages filter them;
- fact-level drill-downs and analyst SQL run against the file on a fresh connection each,
  with bound parameters, and are cached per snapshot identity.
No connection outlives a function call, so the refresh's rename is never blocked, and a new
``SnapshotKey`` (new file) means new reads on the next rerun.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd
import streamlit as st

from app.kpis import Series
from app.snapshot import SnapshotKey

# One configuration for every connection: DuckDB refuses to open the same file twice in a
# process with different settings, and the analyst SQL page needs the locked-down variant.
READ_ONLY_CONFIG: dict[str, object] = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "lock_configuration": True,
}

CACHE = {"show_spinner": False, "max_entries": 512}

# Read whole into memory once per snapshot (all small: one row per month x dimension value).
SMALL_TABLES = (
    "marts.kpi_monthly",
    "marts.metric_catalog",
    "marts.metric_targets",
    "marts.dim_location",
    "marts.dim_provider",
    "marts.dim_payer",
    "marts.caqh_reference_costs",
    "marts.cms_0057f_timeframes",
    "meta.snapshot",
    "meta.source_freshness",
    "meta.load_manifest",
    "meta.quarantine",
    "meta.check_results",
)
KPI_COLUMNS = [
    "metric_id",
    "period_month",
    "dimension",
    "dimension_value",
    "numerator",
    "denominator",
    "value",
]


@contextmanager
def connect(key: SnapshotKey) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(key.path, read_only=True, config=dict(READ_ONLY_CONFIG))
    try:
        yield con
    finally:
        con.close()


@dataclass(frozen=True)
class Loaded:
    """The small tables of one snapshot, or why it cannot be shown.

    kpi_monthly is kept as plain points per metric and scope: pages look up a handful of
    values many times per rerun, which dictionaries answer in microseconds.
    """

    problem: str | None
    tables: frozenset[str] = frozenset()
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    series: dict[str, Series] = field(default_factory=dict)
    info: dict[str, dict] = field(default_factory=dict)
    targets: dict[str, dict] = field(default_factory=dict)
    names: dict[tuple[str, str], str] = field(default_factory=dict)

    def frame(self, name: str) -> pd.DataFrame:
        return self.frames.get(name, pd.DataFrame()).copy()


def _floats(column: pd.Series) -> list[float | None]:
    return [None if v != v else v for v in column.astype(float).tolist()]  # NaN != NaN


def _series(kpi: pd.DataFrame) -> dict[str, Series]:
    # Column-wise conversion: a per-row pd.Timestamp/pd.isna loop took 1-2 s of the first
    # render after each refresh on the medium snapshot (52,000 rows).
    ordered = kpi.sort_values(["metric_id", "dimension", "dimension_value", "period_month"])
    points = zip(
        pd.to_datetime(ordered["period_month"]).dt.date.tolist(),
        _floats(ordered["numerator"]),
        _floats(ordered["denominator"]),
        _floats(ordered["value"]),
        strict=True,
    )
    series: dict[str, Series] = {}
    for metric, dimension, value, point in zip(
        ordered["metric_id"].tolist(),
        ordered["dimension"].tolist(),
        ordered["dimension_value"].astype(str).tolist(),
        points,
        strict=True,
    ):
        series.setdefault(metric, {}).setdefault((dimension, value), []).append(point)
    return series


def _by_metric(frame: pd.DataFrame | None) -> dict[str, dict]:
    if frame is None or frame.empty or "metric_id" not in frame:
        return {}
    return {str(row["metric_id"]): row for row in frame.to_dict("records")}


def _read_small_tables(key: SnapshotKey) -> Loaded:
    with connect(key) as con:
        tables = frozenset(
            name
            for (name,) in con.execute(
                "select table_schema || '.' || table_name from information_schema.tables"
            ).fetchall()
        )
        if "marts.kpi_monthly" not in tables:
            return Loaded("the snapshot has no marts.kpi_monthly table yet", tables)
        # Names come from SMALL_TABLES and were checked against information_schema.
        frames = {
            name: con.execute(f"select * from {name}").df()
            for name in SMALL_TABLES
            if name in tables
        }
    kpi = frames.pop("marts.kpi_monthly")
    if kpi.empty:
        return Loaded("the snapshot's marts.kpi_monthly is empty", tables)
    return Loaded(
        None,
        tables,
        frames,
        _series(kpi),
        _by_metric(frames.get("marts.metric_catalog")),
        _by_metric(frames.get("marts.metric_targets")),
        _names(frames),
    )


def _names(frames: dict[str, pd.DataFrame]) -> dict[tuple[str, str], str]:
    """(dimension, id) -> readable name for location, provider and payer ids."""
    # Values the kpi models use for rows without an id (macros/kpi.sql and kpi_staff).
    names: dict[tuple[str, str], str] = {
        ("location", "unplaced"): "Central office (no location)",
        **{(dim, "unknown"): "Unknown" for dim in ("location", "provider", "payer")},
    }
    for dimension, table, id_col, name_col in (
        ("location", "marts.dim_location", "location_id", "location_name"),
        ("provider", "marts.dim_provider", "provider_id", "provider_name"),
        ("payer", "marts.dim_payer", "payer_id", "payer_name"),
    ):
        frame = frames.get(table)
        if frame is None or not {id_col, name_col} <= set(frame.columns):
            continue
        pairs = [(str(i), str(n)) for i, n in zip(frame[id_col], frame[name_col], strict=False)]
        taken = [n for _, n in pairs]
        for ident, name in pairs:
            # Two providers may share a name; a chart or filter must still tell them apart.
            names[(dimension, ident)] = f"{name} ({ident})" if taken.count(name) > 1 else name
    return names


# cache_resource, not cache_data: the frames are shared read-only between reruns and
# sessions instead of being unpickled on every call; two entries let an open page finish
# on the old snapshot while the next rerun reads the new one.
@st.cache_resource(max_entries=2, show_spinner=False)
def _loaded(key: SnapshotKey) -> Loaded:
    try:
        return _read_small_tables(key)
    except duckdb.Error as exc:
        return Loaded(f"the snapshot file could not be opened ({type(exc).__name__})")
    except (KeyError, ValueError, TypeError) as exc:
        # A snapshot from an older or newer pipeline whose tables lack expected columns.
        return Loaded(f"the snapshot's tables are not in the expected shape ({exc!r})")


# --- snapshot status and metadata -------------------------------------------------------


def snapshot_problem(key: SnapshotKey) -> str | None:
    """Why the snapshot cannot be shown (None when it can)."""
    return _loaded(key).problem


def table_names(key: SnapshotKey) -> frozenset[str]:
    return _loaded(key).tables


def snapshot_meta(key: SnapshotKey) -> dict:
    """The one row of meta.snapshot (built_at, refresh_id, ...), empty when absent."""
    frame = _loaded(key).frame("meta.snapshot")
    return {} if frame.empty else frame.iloc[0].to_dict()


def meta_table(key: SnapshotKey, name: str) -> pd.DataFrame:
    """One of the meta tables, whole (they are small); empty when absent."""
    if name not in {"source_freshness", "load_manifest", "quarantine", "check_results"}:
        raise ValueError(f"unknown meta table {name!r}")
    return _loaded(key).frame(f"meta.{name}")


def quarantine_by_reason(key: SnapshotKey) -> pd.DataFrame:
    frame = meta_table(key, "quarantine")
    if frame.empty:
        return pd.DataFrame(columns=["reason_code", "disposition", "problems", "files"])
    grouped = frame.groupby(["reason_code", "disposition"], dropna=False, as_index=False)
    summary = grouped.agg(problems=("source_file", "size"), files=("source_file", "nunique"))
    return summary.sort_values(["problems", "reason_code"], ascending=[False, True]).reset_index(
        drop=True
    )


# --- metric catalog, targets, periods and filter options --------------------------------


def metric_catalog(key: SnapshotKey) -> pd.DataFrame:
    return _loaded(key).frame("marts.metric_catalog")


def metric_targets(key: SnapshotKey) -> pd.DataFrame:
    """Targets as published; an empty frame when the snapshot has none yet."""
    return _loaded(key).frame("marts.metric_targets")


def months(key: SnapshotKey) -> list[date]:
    series = _loaded(key).series.values()
    return sorted({p[0] for scopes in series for points in scopes.values() for p in points})


def default_end_month(key: SnapshotKey) -> date:
    """The latest month that most metrics report on.

    kpi_monthly also holds future months (appointments scheduled ahead count for late
    cancellations and bumps), so the newest month is usually nearly empty.
    """
    counts: dict[date, int] = {}
    for scopes in _loaded(key).series.values():
        for month, *_ in scopes.get(("practice", "all"), []):
            counts[month] = counts.get(month, 0) + 1
    if not counts:
        return months(key)[-1]
    busiest = max(counts.values())
    return max(m for m, n in counts.items() if n * 2 >= busiest)


def locations(key: SnapshotKey) -> pd.DataFrame:
    return _loaded(key).frame("marts.dim_location").sort_values("location_name")


def providers(key: SnapshotKey) -> pd.DataFrame:
    return _loaded(key).frame("marts.dim_provider").sort_values("provider_name")


def payers(key: SnapshotKey) -> pd.DataFrame:
    return _loaded(key).frame("marts.dim_payer").sort_values("payer_name")


def caqh_reference(key: SnapshotKey) -> pd.DataFrame:
    """CAQH Index cost per transaction: the newest report year with a value per type/mode."""
    frame = _loaded(key).frame("marts.caqh_reference_costs")
    if frame.empty:
        return frame
    frame = frame.dropna(subset=["cost_per_transaction_usd"])
    frame = frame.sort_values("report_year").groupby(["transaction_type", "mode"]).tail(1)
    columns = ["transaction_type", "mode", "cost_per_transaction_usd", "report_year", "source"]
    return frame[columns].sort_values(["transaction_type", "mode"]).reset_index(drop=True)


def cms_timeframes(key: SnapshotKey) -> pd.DataFrame:
    frame = _loaded(key).frame("marts.cms_0057f_timeframes")
    if frame.empty:
        return pd.DataFrame(columns=["urgency", "max_decision_hours", "timeframe_label"])
    return frame.sort_values("max_decision_hours").reset_index(drop=True)


# --- kpi_monthly --------------------------------------------------------------------------

UNKNOWN_METRIC = {
    "title": None,
    "unit": "",
    "higher_is_better": False,
    "definition": "Not described in marts.metric_catalog.",
    "source": "",
}


def metric_info(key: SnapshotKey, metric_id: str) -> dict:
    """The catalog row of a metric (title, unit, higher_is_better, definition, source)."""
    row = _loaded(key).info.get(metric_id)
    if row is None:
        return {**UNKNOWN_METRIC, "title": metric_id}
    better = row.get("higher_is_better")
    # A seed loaded without column types gives 'true'/'false' strings.
    if isinstance(better, str):
        row = {**row, "higher_is_better": better.strip().lower() == "true"}
    return row


def metric_target(key: SnapshotKey, metric_id: str) -> dict | None:
    return _loaded(key).targets.get(metric_id)


def kpi_series(key: SnapshotKey, metric_id: str) -> Series:
    """All published points of one metric: (dimension, value) -> [(month, num, den, value)]."""
    return _loaded(key).series.get(metric_id, {})


def _frame_of(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[*KPI_COLUMNS, "label"])


def kpi_scope(
    key: SnapshotKey,
    metric_ids: tuple[str, ...],
    dimension: str,
    dimension_value: str,
    start: date,
    end: date,
) -> pd.DataFrame:
    """Monthly rows of the metrics for one scope and for the whole practice (the fallback
    when a metric is not published by that dimension)."""
    rows = []
    for metric in metric_ids:
        for scope in {(dimension, dimension_value), ("practice", "all")}:
            for month, num, den, val in kpi_series(key, metric).get(scope, []):
                if start <= month <= end:
                    rows.append((metric, month, *scope, num, den, val, scope[1]))
    return _frame_of(rows).sort_values(["metric_id", "dimension", "period_month"])


def labels(key: SnapshotKey) -> dict[tuple[str, str], str]:
    """(dimension, id) -> readable name for location, provider and payer ids."""
    return _loaded(key).names


def kpi_breakdown(
    key: SnapshotKey, metric_ids: tuple[str, ...], dimension: str, start: date, end: date
) -> pd.DataFrame:
    """Monthly rows of the metrics by one dimension, with a readable label for ids."""
    names = labels(key)
    rows = []
    for metric in metric_ids:
        for (dim, value), points in kpi_series(key, metric).items():
            if dim != dimension:
                continue
            label = names.get((dim, value), value)
            rows.extend(
                (metric, month, dim, value, num, den, val, label)
                for month, num, den, val in points
                if start <= month <= end
            )
    frame = _frame_of(rows)
    return frame.sort_values(["metric_id", "period_month", "dimension_value"]).reset_index(
        drop=True
    )


def metric_dimensions(key: SnapshotKey) -> pd.DataFrame:
    pairs = sorted(
        {(metric, dim) for metric, scopes in _loaded(key).series.items() for dim, _ in scopes}
    )
    return pd.DataFrame(pairs, columns=["metric_id", "dimension"])


# --- fact drill-downs (all global filters apply here) --------------------------------------


@dataclass(frozen=True)
class FactFilter:
    """Global filters as bound parameters for fact tables (None = all)."""

    start: date
    end: date
    location_id: str | None = None
    provider_id: str | None = None
    specialty: str | None = None
    payer_id: str | None = None


def _fact_where(
    alias: str, date_column: str, f: FactFilter, columns: frozenset[str]
) -> tuple[str, list]:
    """WHERE clause of the global filters over a fact; a filter whose column the fact lacks
    (e.g. payer on a table without payer_id) is left out rather than failing."""
    clauses = [f"{alias}.{date_column} >= ?", f"{alias}.{date_column} < ? + interval 1 month"]
    params: list = [f.start, f.end]
    for column, value in (
        ("location_id", f.location_id),
        ("provider_id", f.provider_id),
        ("payer_id", f.payer_id),
        ("specialty", f.specialty),
    ):
        if value is None:
            continue
        if column in columns:
            clauses.append(f"{alias}.{column} = ?")
            params.append(value)
        elif column == "specialty" and "provider_id" in columns:
            clauses.append(
                f"{alias}.provider_id in "
                "(select provider_id from marts.dim_provider where specialty = ?)"
            )
            params.append(value)
    return " and ".join(clauses), params


def _fact_columns(con: duckdb.DuckDBPyConnection, table: str) -> frozenset[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'marts' and table_name = ?",
        [table],
    ).fetchall()
    return frozenset(name for (name,) in rows)


def _missing(key: SnapshotKey, *tables: str) -> bool:
    """True when a fact the query needs is absent (an older snapshot): show no rows."""
    return not all(f"marts.{t}" in table_names(key) for t in tables)


_NAMES_JOIN = """
    left join marts.dim_payer p on p.payer_id = {a}.payer_id
    left join marts.dim_provider pr on pr.provider_id = {a}.provider_id
    left join marts.dim_location l on l.location_id = {a}.location_id
"""


@st.cache_data(**CACHE)
def denial_flow(key: SnapshotKey, f: FactFilter) -> pd.DataFrame:
    """Denied claims and dollars per (root cause, category, outcome), denials dated in the
    period (the month rcm.denials_by_category counts them in)."""
    if _missing(key, "fct_claim_denials"):
        return pd.DataFrame(
            columns=["root_cause", "denial_category", "outcome", "claims", "denied_usd"]
        )
    with connect(key) as con:
        where, params = _fact_where("d", "denied_on", f, _fact_columns(con, "fct_claim_denials"))
        sql = f"""
            select coalesce(d.root_cause, 'unattributed') as root_cause,
                   coalesce(d.denial_category, 'other') as denial_category,
                   coalesce(d.denial_outcome, 'open') as outcome,
                   count(*) as claims,
                   sum(d.denied_amount) as denied_usd
            from marts.fct_claim_denials d
            where {where}
            group by all
            order by claims desc, root_cause, denial_category, outcome
        """
        return con.execute(sql, params).df()


@st.cache_data(**CACHE)
def denied_claims(key: SnapshotKey, f: FactFilter, category: str | None) -> pd.DataFrame:
    """De-identified denied claims dated in the period, optionally of one category."""
    if _missing(key, "fct_claim_denials"):
        return pd.DataFrame(columns=["claim_id", "denied_amount"])
    with connect(key) as con:
        where, params = _fact_where("d", "denied_on", f, _fact_columns(con, "fct_claim_denials"))
        if category is not None:
            where += " and d.denial_category = ?"
            params.append(category)
        sql = f"""
            select d.claim_id, d.service_date::varchar as service_date,
                   d.denied_on::varchar as denied_on, p.payer_name as payer,
                   pr.provider_name as provider, l.location_name as location,
                   d.denial_category, d.denial_reason_codes, d.root_cause, d.evidence,
                   d.denied_amount, d.denial_outcome
            from marts.fct_claim_denials d
            {_NAMES_JOIN.format(a="d")}
            where {where}
            order by d.denied_amount desc nulls last, d.claim_id
        """
        return con.execute(sql, params).df()


# Claim events after the visit, from fct_claim_denials (column -> milestone name).
DENIAL_EVENTS = {
    "denied_on": "claim_denied",
    "overturned_on": "denial_overturned",
    "written_off_on": "denial_written_off",
}


@st.cache_data(**CACHE)
def claim_journey(key: SnapshotKey, claim_id: str) -> pd.DataFrame:
    """The visit behind a denied claim as (milestone, at) rows in time order: every
    timestamp/date column of fct_visit_journey plus the claim's denial events. New milestones
    the marts publish appear without a change here."""
    if _missing(key, "fct_claim_denials", "fct_visit_journey"):
        return pd.DataFrame(columns=["milestone", "at"])
    with connect(key) as con:
        kinds = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'fct_visit_journey'"
        ).fetchall()
        stamps = [c for c, t in kinds if t.startswith(("TIMESTAMP", "DATE"))]
        denial_columns = _fact_columns(con, "fct_claim_denials")
        events = [c for c in DENIAL_EVENTS if c in denial_columns]
        # Identifiers come from information_schema and DENIAL_EVENTS, never from the user.
        denial = con.execute(
            "select appointment_id"
            + "".join(f", {c}::timestamp as {DENIAL_EVENTS[c]}" for c in events)
            + " from marts.fct_claim_denials where claim_id = ? limit 1",
            [claim_id],
        ).df()
        if denial.empty or not stamps:
            return pd.DataFrame(columns=["milestone", "at"])
        unpivot = ", ".join(f'"{c}"::timestamp as "{c}"' for c in stamps)
        visit = con.execute(
            f"select {unpivot} from marts.fct_visit_journey where appointment_id = ? limit 1",
            [denial["appointment_id"].iloc[0]],
        ).df()
    rows = pd.concat([visit, denial.drop(columns="appointment_id")], axis=1)
    long = rows.melt(var_name="milestone", value_name="at").dropna(subset=["at"])
    return long.sort_values("at", kind="stable").reset_index(drop=True)


@st.cache_data(**CACHE)
def auth_pending_visits(key: SnapshotKey, f: FactFilter) -> pd.DataFrame:
    """Visits seen while their needed prior auth was undecided (the visits
    auth.pending_at_service_count counts), de-identified."""
    if _missing(key, "fct_visits"):
        return pd.DataFrame(columns=["appointment_id"])
    with connect(key) as con:
        where, params = _fact_where("v", "service_date", f, _fact_columns(con, "fct_visits"))
        sql = f"""
            select v.appointment_id, v.service_date::varchar as service_date,
                   pr.provider_name as provider,
                   p.payer_name as payer, l.location_name as location, v.auth_cpt_code,
                   v.auth_status
            from marts.fct_visits v
            {_NAMES_JOIN.format(a="v")}
            where {where} and v.is_auth_pending_at_service
            order by v.service_date, v.appointment_id
        """
        return con.execute(sql, params).df()


# --- analyst SQL ------------------------------------------------------------------------


@st.cache_data(**CACHE)
def schema_columns(key: SnapshotKey) -> pd.DataFrame:
    with connect(key) as con:
        return con.execute(
            """
            select table_schema, table_name, column_name, data_type
            from information_schema.columns
            where table_schema not in ('information_schema', 'pg_catalog')
            order by table_schema, table_name, ordinal_position
            """
        ).df()


@dataclass
class AnalystResult:
    """What an analyst query returned: at most row_cap rows, or a message why not."""

    frame: pd.DataFrame | None
    truncated: bool = False
    seconds: float = 0.0
    error: str | None = None


def run_analyst_sql(
    key: SnapshotKey, sql: str, row_cap: int = 10_000, timeout_s: float = 20.0
) -> AnalystResult:
    """Run one already-guarded statement on a fresh locked-down connection.

    A timer thread interrupts the connection after timeout_s; only row_cap + 1 rows are
    fetched so a huge result never reaches the browser.
    """
    started = time.perf_counter()
    con = duckdb.connect(key.path, read_only=True, config=dict(READ_ONLY_CONFIG))
    timer = threading.Timer(timeout_s, con.interrupt)
    timer.start()
    try:
        con.execute(sql)
        columns = [d[0] for d in con.description or []]
        rows = con.fetchmany(row_cap + 1)
    except duckdb.InterruptException:
        return AnalystResult(None, error=f"stopped after the {timeout_s:.0f} s time limit")
    except duckdb.Error as exc:
        return AnalystResult(None, error=f"{type(exc).__name__}: {exc}")
    finally:
        timer.cancel()
        con.close()
    frame = pd.DataFrame.from_records(rows[:row_cap], columns=columns)
    return AnalystResult(
        frame, truncated=len(rows) > row_cap, seconds=time.perf_counter() - started
    )
