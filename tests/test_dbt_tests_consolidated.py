"""The consolidated data tests (dbt/macros/generic_tests.sql) fail exactly when the per-column
tests they replace fail, and their failing rows name the column and the key.

A throwaway dbt project holds the project's generic-test macros and three small models: a
clean one (with a null code, which passes) and two broken ones that between them hold every
kind of breakage once (a null key, a repeated key, a null in each required column, a value
outside each code list), each breaking a different test. Every model carries both the dbt
built-in tests (not_null, unique, accepted_values) and the consolidated ones (primary_key,
not_null_columns, accepted_values_columns); one ``dbt build`` runs them all (12-17 s, most
of it dbt's start-up and parse). The project's own yml files are checked without a database:
every column a consolidated test names is a documented column of its model.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DBT_DIR = REPO / "dbt"
MACROS = DBT_DIR / "macros" / "generic_tests.sql"

STATUSES = ["scheduled", "completed", "no_show"]
CHANNELS = ["portal", "phone"]
# (id, a, b, status, channel, is_ok); r4's null status passes, as in dbt's accepted_values
CLEAN = [
    ("r1", "a1", 1, "scheduled", "portal", True),
    ("r2", "a2", 2, "completed", "phone", True),
    ("r3", "a3", 3, "no_show", "portal", True),
    ("r4", "a4", 4, None, "phone", True),
]
# model -> rows replacing clean rows (by position) or added: each breakage hits one test group
BROKEN: dict[str, dict[int, tuple]] = {
    "clean": {},
    "broken_one": {
        0: (None, "a1", 1, "scheduled", "portal", True),  # a null key
        1: ("r2", None, 2, "completed", "phone", True),  # a null required column (a)
        2: ("r3", "a3", 3, "booked", "portal", True),  # a status outside its list
    },
    "broken_two": {
        1: ("r2", "a2", None, "completed", "phone", True),  # the other required column (b)
        2: ("r3", "a3", 3, "no_show", "fax", False),  # the other list (channel); the flag
        4: ("r1", "a9", 9, "no_show", "phone", True),  # a repeated key
    },
}
BUILT_IN = ["not_null_id", "unique_id", "not_null_a", "not_null_b", "accepted_status",
            "accepted_channel", "accepted_is_ok"]  # fmt: skip
# consolidated test -> the built-in tests it replaces
REPLACES = {
    "primary_key_id": ["not_null_id", "unique_id"],
    "not_null_columns": ["not_null_a", "not_null_b"],
    "accepted_values_columns": ["accepted_status", "accepted_channel"],
    "accepted_flag": ["accepted_is_ok"],
}
# the consolidated tests each model must fail (worked out by hand)
EXPECTED_FAILURES = {
    "clean": set(),
    "broken_one": {"primary_key_id", "not_null_columns", "accepted_values_columns"},
    "broken_two": set(REPLACES),
}


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return f"'{value}'"


def _model_sql(changes: dict[int, tuple]) -> str:
    rows = list(CLEAN)
    for position, row in changes.items():
        if position < len(rows):
            rows[position] = row
        else:
            rows.append(row)
    values = ",\n".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in rows)
    return f"select * from (values\n{values}\n) as t(id, a, b, status, channel, is_ok)\n"


def _tests(model: str) -> dict:
    """Built-in and consolidated tests of one fixture model, each named ``<model>__<test>``."""

    def named(test: str, kind: str, arguments: dict, **config: Any) -> dict:
        spec: dict[str, Any] = {"name": f"{model}__{test}", "arguments": arguments}
        if config:
            spec["config"] = config
        return {kind: spec}

    accepted = {"status": STATUSES, "channel": CHANNELS}
    return {
        "name": model,
        "data_tests": [
            named("not_null_columns", "not_null_columns", {"columns": ["a", "b"], "key": "id"},
                  store_failures=True),
            named("accepted_values_columns", "accepted_values_columns",
                  {"values": accepted, "key": "id"}, store_failures=True),
            named("unique_id_flag", "unique_combination", {"columns": ["id", "is_ok"]},
                  store_failures=True),
            named("accepted_flag", "accepted_values_columns",
                  {"values": {"is_ok": [True]}, "key": ["id", "a"], "quote": False},
                  severity="warn"),
        ],
        "columns": [
            {"name": "id", "data_tests": [
                named("primary_key_id", "primary_key", {}, store_failures=True),
                named("not_null_id", "not_null", {}),
                named("unique_id", "unique", {}),
            ]},
            {"name": "a", "data_tests": [named("not_null_a", "not_null", {})]},
            {"name": "b", "data_tests": [named("not_null_b", "not_null", {})]},
            {"name": "status", "data_tests": [
                named("accepted_status", "accepted_values", {"values": STATUSES})]},
            {"name": "channel", "data_tests": [
                named("accepted_channel", "accepted_values", {"values": CHANNELS})]},
            {"name": "is_ok", "data_tests": [
                named("accepted_is_ok", "accepted_values", {"values": [True], "quote": False},
                      severity="warn")]},
        ],
    }  # fmt: skip


def _write_project(root: Path, database: Path) -> None:
    (root / "models").mkdir(parents=True)
    (root / "macros").mkdir()
    shutil.copy(MACROS, root / "macros" / MACROS.name)
    (root / "dbt_project.yml").write_text(
        yaml.safe_dump(
            {
                "name": "consolidated_tests_fixture",
                "version": "1.0.0",
                "config-version": 2,
                "profile": "fixture",
                "model-paths": ["models"],
                "macro-paths": ["macros"],
                "flags": {"send_anonymous_usage_stats": False},
                "models": {"consolidated_tests_fixture": {"+materialized": "table"}},
            }
        )
    )
    (root / "profiles.yml").write_text(
        yaml.safe_dump(
            {
                "fixture": {
                    "target": "dev",
                    "outputs": {"dev": {"type": "duckdb", "path": str(database), "threads": 1}},
                }
            }
        )
    )
    for model, changes in BROKEN.items():
        (root / "models" / f"{model}.sql").write_text(_model_sql(changes))
    (root / "models" / "schema.yml").write_text(
        yaml.safe_dump({"version": 2, "models": [_tests(model) for model in BROKEN]})
    )


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, dict], Path]:
    """Build the fixture project once: (test name -> run result, database)."""
    root = tmp_path_factory.mktemp("consolidated_tests")
    database = root / "fixture.duckdb"
    _write_project(root / "project", database)
    project = root / "project"
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "build",
            "--project-dir", str(project),
            "--profiles-dir", str(project),
            "--target-path", str(root / "target"),
            "--log-path", str(root / "logs"),
        ],
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    results_file = root / "target" / "run_results.json"
    assert results_file.exists(), result.stdout[-3000:] + result.stderr[-2000:]
    results = json.loads(results_file.read_text())["results"]
    by_name = {
        r["unique_id"].split(".")[2]: r for r in results if r["unique_id"].startswith("test.")
    }
    per_model = len(BUILT_IN) + len(REPLACES) + 1  # + unique_id_flag
    assert len(by_name) == len(BROKEN) * per_model, result.stdout[-3000:]
    return by_name, database


def _failed(result: dict) -> bool:
    """Failing rows found, whatever the severity (a warn test reports them as ``warn``)."""
    assert result["status"] in ("pass", "fail", "warn"), result  # "error" = broken SQL
    return result["status"] != "pass"


@pytest.mark.parametrize("model", list(BROKEN))
def test_consolidated_tests_fail_exactly_when_the_tests_they_replace_fail(
    fixture_build: tuple[dict[str, dict], Path], model: str
) -> None:
    results, _ = fixture_build
    failed = {test for test in REPLACES if _failed(results[f"{model}__{test}"])}
    assert failed == EXPECTED_FAILURES[model]
    for test, replaced in REPLACES.items():
        assert _failed(results[f"{model}__{test}"]) == any(
            _failed(results[f"{model}__{old}"]) for old in replaced
        ), (model, test)


def test_severity_is_kept(fixture_build: tuple[dict[str, dict], Path]) -> None:
    results, _ = fixture_build
    # the flag's code list warns, as its built-in twin does; the others block
    assert results["broken_two__accepted_flag"]["status"] == "warn"
    assert results["broken_two__accepted_is_ok"]["status"] == "warn"
    assert results["broken_two__not_null_columns"]["status"] == "fail"
    assert results["broken_two__primary_key_id"]["status"] == "fail"


def _failing_rows(database: Path, test: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        (schema,) = con.execute(
            "select table_schema from information_schema.tables where table_name = ?", [test]
        ).fetchone()
        return sorted(con.execute(f'select * from "{schema}"."{test}"').fetchall(), key=str)


def test_failing_rows_name_the_column_and_the_key(
    fixture_build: tuple[dict[str, dict], Path],
) -> None:
    results, database = fixture_build
    assert _failing_rows(database, "broken_one__not_null_columns") == [("a", "r2")]
    assert _failing_rows(database, "broken_two__not_null_columns") == [("b", "r2")]
    assert results["broken_two__not_null_columns"]["failures"] == 1
    # column, unexpected value, rows holding it, the smallest key among them
    assert _failing_rows(database, "broken_one__accepted_values_columns") == [
        ("status", "booked", 1, "r3")
    ]
    assert _failing_rows(database, "broken_two__accepted_values_columns") == [
        ("channel", "fax", 1, "r3")
    ]
    # a repeated key and its row count; a missing key counts the rows without one
    assert _failing_rows(database, "broken_two__primary_key_id") == [("r1", 2)]
    assert _failing_rows(database, "broken_one__primary_key_id") == [(None, 1)]


def test_unique_combination_finds_the_repeated_combination(
    fixture_build: tuple[dict[str, dict], Path],
) -> None:
    """Repeats are found through their hashes first, then counted on the exact values."""
    results, database = fixture_build
    # broken_two repeats r1 (both rows with is_ok true); a single null id repeats nothing
    assert [m for m in BROKEN if _failed(results[f"{m}__unique_id_flag"])] == ["broken_two"]
    assert _failing_rows(database, "broken_two__unique_id_flag") == [("r1", True, 2)]


# --- the project's own declarations --------------------------------------------------------

CONSOLIDATED = ("primary_key", "not_null_columns", "accepted_values_columns")


def _yml_models() -> list[tuple[Path, dict]]:
    models = []
    for path in sorted((DBT_DIR / "models").rglob("*.yml")):
        for model in yaml.safe_load(path.read_text()).get("models") or []:
            models.append((path, model))
    return models


def _test_kind(test: str | dict) -> tuple[str, dict]:
    if isinstance(test, str):
        return test, {}
    ((kind, spec),) = test.items()
    return kind, spec or {}


def test_consolidated_tests_name_documented_columns() -> None:
    """A misspelt column would only show as an SQL error in the middle of a refresh."""
    checked = 0
    for path, model in _yml_models():
        documented = {c["name"] for c in model.get("columns") or []}
        for test in model.get("data_tests") or []:
            kind, spec = _test_kind(test)
            if kind not in CONSOLIDATED:
                continue
            arguments = spec.get("arguments") or {}
            key = arguments["key"]
            named = [*(key if isinstance(key, list) else [key])]
            named += arguments.get("columns") or list(arguments.get("values") or {})
            missing = set(named) - documented
            assert not missing, f"{path.name}: {model['name']} {kind} names {sorted(missing)}"
            checked += 1
    assert checked >= 20  # the project's models declare two dozen or more of them


def test_a_model_declares_not_null_once() -> None:
    """Per-column not_null tests are one dbt node each: two or more on a model belong in its
    not_null_columns test, and a key's not_null + unique in primary_key."""
    for path, model in _yml_models():
        not_null = []
        for column in model.get("columns") or []:
            kinds = [_test_kind(t)[0] for t in column.get("data_tests") or []]
            if "not_null" in kinds:
                not_null.append(column["name"])
            assert not {"not_null", "unique"} <= set(kinds), (path.name, column["name"])
        assert len(not_null) <= 1, f"{path.name}: {model['name']} not_null on {not_null}"
