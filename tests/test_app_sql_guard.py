"""The analysts' SQL page: one read-only SELECT/WITH at a time, nothing else.

Attacks are refused by the guard (app/sql_guard.py); the same attacks sent straight to the
locked-down connection, bypassing the guard, fail too; and the snapshot file is
byte-identical afterwards with no file written anywhere.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from app_fixture import build_snapshot

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


def test_at_least_fifty_attacks_are_listed(tmp_path: Path) -> None:
    assert len(attacks(tmp_path)) >= 50


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
