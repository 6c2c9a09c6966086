"""The analysts' SQL page: one read-only SELECT/WITH at a time, nothing else.

Attacks are refused by the guard (app/sql_guard.py); the same attacks sent straight to the
locked-down connection, bypassing the guard, fail too; and the snapshot file is
byte-identical afterwards with no file written anywhere.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from app_fixture import app_test, build_snapshot
from streamlit.testing.v1 import AppTest

from app.queries import run_analyst_sql
from app.snapshot import SnapshotKey, snapshot_key
from app.sql_guard import check_sql, tokenize


def attacks(out: Path) -> list[str]:
    """Statements that must never run; `out` is where a successful write would land."""
    target = (out / "stolen.csv").as_posix()
    return [
        f"COPY marts.kpi_monthly TO '{target}'",
        f"copy (select * from marts.dim_patient) to '{target}' (format csv)",
        f"ATTACH '{(out / 'other.duckdb').as_posix()}' AS other",
        "INSTALL httpfs",
        "LOAD httpfs",
        "FORCE INSTALL httpfs",
        "PRAGMA enable_profiling",
        "SET threads = 1",
        "SET enable_external_access = true",
        "RESET lock_configuration",
        "CREATE TABLE marts.x AS SELECT 1",
        "CREATE TEMP TABLE x AS SELECT 1",
        "INSERT INTO marts.kpi_monthly SELECT * FROM marts.kpi_monthly",
        "UPDATE marts.kpi_monthly SET value = 0",
        "DELETE FROM marts.kpi_monthly",
        "DROP TABLE marts.kpi_monthly",
        "ALTER TABLE marts.kpi_monthly ADD COLUMN x INTEGER",
        f"EXPORT DATABASE '{(out / 'dump').as_posix()}'",
        f"IMPORT DATABASE '{(out / 'dump').as_posix()}'",
        "CALL pragma_version()",
        "CHECKPOINT",
        "VACUUM",
        "USE meta",
        "DETACH warehouse",
        "BEGIN TRANSACTION",
        "DESCRIBE marts.kpi_monthly",
        "EXPLAIN ANALYZE SELECT 1",
        # several statements, hidden behind comments and string tricks
        "SELECT 1; DROP TABLE marts.kpi_monthly",
        "SELECT 1 -- harmless\n; DROP TABLE marts.kpi_monthly",
        "SELECT 1 /* ; */ ; DELETE FROM marts.kpi_monthly",
        "SELECT E'\\''; DROP TABLE marts.kpi_monthly; --'",
        "SELECT 'it''s'; DROP TABLE marts.kpi_monthly",
        "SELECT $$;$$; DROP TABLE marts.kpi_monthly",
        "SELECT $tag$ ; $tag$ ; SET threads = 1",
        ";; SELECT 1; VACUUM",
        "SELECT 1 /* unclosed ; DROP TABLE marts.kpi_monthly",
        "SELECT 'unclosed ; DROP TABLE marts.kpi_monthly",
        "SELECT 1;\x00DROP TABLE marts.kpi_monthly",
        "SELECT 1\uff1b DROP TABLE marts.kpi_monthly",
        "WITH t AS (DELETE FROM marts.kpi_monthly RETURNING *) SELECT * FROM t",
        # reading files or the environment from inside a SELECT
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM READ_CSV_AUTO('/etc/passwd')",
        "SELECT * FROM read_parquet('/etc/passwd')",
        "SELECT * FROM read_json_auto('/etc/passwd')",
        "SELECT * FROM read_ndjson_objects('/etc/passwd')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_blob('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM sniff_csv('/etc/passwd')",
        "SELECT * FROM parquet_scan('/etc/passwd')",
        "SELECT * FROM parquet_metadata('/etc/passwd')",
        "SELECT * FROM '/etc/passwd'",
        "SELECT * FROM marts.kpi_monthly JOIN 'data.csv' USING (metric_id)",
        'SELECT * FROM "/etc/passwd"',
        "SELECT * FROM \"read_csv\"('/etc/passwd')",
        "SELECT * FROM query('COPY marts.kpi_monthly TO ''/tmp/x.csv''')",
        "SELECT * FROM query_table('marts.kpi_monthly')",
        "SELECT getenv('HOME')",
        "SELECT * FROM read_csv/**/('/etc/passwd')",
        "SELECT * FROM main.read_text('/etc/passwd')",
        "SELECT 1 UNION ALL SELECT content FROM read_text('/etc/passwd')",
        "SELECT * FROM sqlite_scan('/tmp/x.db', 't')",
        "SELECT * FROM delta_scan('/tmp/table')",
        "FROM '/etc/passwd'",
        "SUMMARIZE marts.kpi_monthly",
        "PIVOT marts.kpi_monthly ON metric_id USING sum(value)",
        "CREATE OR REPLACE MACRO m(x) AS x",
        "CREATE SECRET s (TYPE s3, KEY_ID 'k', SECRET 's')",
        "SET GLOBAL enable_external_access = true",
        "",
        "   -- only a comment",
    ]


# First words whose statements must fail on the locked connection even without the guard
# (CREATE TEMP TABLE, CHECKPOINT and VACUUM succeed there as in-memory or no-op work, so
# they are covered by the file hash instead).
WRITES = {
    "COPY",
    "ATTACH",
    "INSTALL",
    "LOAD",
    "FORCE",
    "SET",
    "RESET",
    "INSERT",
    "UPDATE",
    "DELETE",
    "DROP",
    "ALTER",
    "EXPORT",
    "IMPORT",
}

ALLOWED = [
    "select count(*) from marts.kpi_monthly",
    "WITH a AS (SELECT 1 AS x) SELECT x FROM a;",
    "select 'drop table x; -- not a statement' as s",
    '/* leading */ select "metric_id" from marts.metric_catalog -- trailing',
    "select load_id, units_loaded from meta.load_manifest",
    "select * from meta.load_manifest where source_file like 'pm/%.csv'",
    "select replace(metric_id, '.', '_') as m from marts.metric_catalog",
    "select $$a;b$$ as dollars",
    'select 1 as "set"',
    "select 1 as read_at, 2 as glob_count",
]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> SnapshotKey:
    home = tmp_path_factory.mktemp("sql_home")
    key = snapshot_key(build_snapshot(home))
    assert key is not None
    return key


def _sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_at_least_seventy_attacks_are_listed(tmp_path: Path) -> None:
    assert len(attacks(tmp_path)) >= 70


@pytest.mark.parametrize("index", range(len(attacks(Path("/tmp")))))
def test_guard_refuses_attack(tmp_path: Path, index: int) -> None:
    sql = attacks(tmp_path)[index]
    verdict = check_sql(sql)
    assert not verdict.allowed, sql
    assert verdict.reason and verdict.statement == ""


@pytest.mark.parametrize("sql", ALLOWED)
def test_guard_allows_plain_selects(sql: str) -> None:
    verdict = check_sql(sql)
    assert verdict.allowed, verdict.reason
    assert not verdict.statement.endswith(";")


def test_guard_reasons_are_clear() -> None:
    assert "one statement at a time" in check_sql("select 1; select 2").reason
    assert "COPY" in check_sql("copy t to 'x'").reason
    assert "read_csv" in check_sql("select * from read_csv('x')").reason
    assert "SELECT or WITH" in check_sql("describe t").reason


def test_escape_string_is_lexed_like_duckdb() -> None:
    tokens = tokenize("SELECT E'\\''; DROP TABLE t; --'")
    assert [t.kind for t in tokens][:4] == ["word", "string", "semicolon", "word"]


def test_snapshot_unchanged_after_every_attack(snapshot: SnapshotKey, tmp_path: Path) -> None:
    before = _sha256(snapshot.path)
    for sql in attacks(tmp_path):
        verdict = check_sql(sql)
        if verdict.allowed:  # never, but run it the way the page would
            run_analyst_sql(snapshot, verdict.statement, timeout_s=5)
        # Second line of defence: the connection itself, with the guard bypassed.
        if sql.strip() and "\x00" not in sql:
            result = run_analyst_sql(snapshot, sql, timeout_s=5)
            if sql.split()[0].upper() in WRITES:
                assert result.error, sql
    assert _sha256(snapshot.path) == before
    assert list(tmp_path.iterdir()) == []
    assert not Path(snapshot.path + ".wal").exists()


def test_locked_connection_refuses_file_reads(snapshot: SnapshotKey) -> None:
    for sql in (
        "select * from read_csv('/etc/passwd')",
        "select * from '/etc/passwd'",
        "select * from glob('/*')",
    ):
        result = run_analyst_sql(snapshot, sql)
        assert result.frame is None and result.error, sql


def test_runner_returns_rows_and_caps_them(snapshot: SnapshotKey) -> None:
    result = run_analyst_sql(
        snapshot,
        "select location_id, location_name from marts.dim_location order by 1",
    )
    assert result.error is None
    assert result.frame.to_dict("list") == {
        "location_id": ["L1", "L2"],
        "location_name": ["Main Street", "Northside"],
    }
    capped = run_analyst_sql(snapshot, "select * from range(50)", row_cap=10)
    assert len(capped.frame) == 10 and capped.truncated


def test_runner_stops_at_time_limit(snapshot: SnapshotKey) -> None:
    result = run_analyst_sql(snapshot, "select count(*) from range(100000000000) a", timeout_s=0.5)
    assert result.frame is None
    assert "time limit" in result.error


def test_huge_cross_join_passes_the_guard_but_stops_at_time_limit(
    snapshot: SnapshotKey,
) -> None:
    # A SELECT the guard cannot refuse (10^18 rows): only the time limit stops it.
    sql = (
        "select count(*) from range(1000000) a cross join range(1000000) b "
        "cross join range(1000000) c"
    )
    verdict = check_sql(sql)
    assert verdict.allowed
    before = _sha256(snapshot.path)
    started = time.perf_counter()
    result = run_analyst_sql(snapshot, verdict.statement, timeout_s=1.0)
    assert result.frame is None and result.error == "stopped after the 1 s time limit"
    assert time.perf_counter() - started < 15  # interrupted, not run to the end
    assert _sha256(snapshot.path) == before


def _run_button(at: AppTest):  # noqa: ANN202 - streamlit element
    return next(b for b in at.button if b.label == "Run")


def test_sql_page_refuses_attacks_and_runs_a_select(
    snapshot: SnapshotKey, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The page itself, as an analyst uses it: refusal shown, nothing run, file unchanged."""
    monkeypatch.setenv("FRICTION_HOME", str(Path(snapshot.path).parents[1]))
    for name in ("FRICTION_AUTH", "FRICTION_AUTH_FILE"):
        monkeypatch.delenv(name, raising=False)
    before = _sha256(snapshot.path)
    at = app_test("views/sql.py")
    at.run()
    target = (tmp_path / "stolen.csv").as_posix()
    for sql, reason in (
        (f"COPY marts.kpi_monthly TO '{target}'", "Not run: COPY is not allowed"),
        ("SELECT 1 -- x\n; DROP TABLE marts.kpi_monthly", "Not run: Run one statement"),
        ("SELECT * FROM read_text('/etc/passwd')", "Not run: read_text reads outside"),
        ("INSTALL httpfs", "Not run: INSTALL is not allowed"),
    ):
        at.text_area(key="sql_text").input(sql)
        _run_button(at).click().run()
        assert not at.exception
        assert at.error[0].value.startswith(reason), at.error[0].value
    at.text_area(key="sql_text").input("select count(*) as n from marts.dim_location")
    _run_button(at).click().run()
    assert not at.error
    assert at.dataframe[-1].value.to_dict("list") == {"n": [2]}
    assert _sha256(snapshot.path) == before
    assert list(tmp_path.iterdir()) == []
