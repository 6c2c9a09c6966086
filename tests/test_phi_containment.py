"""PHI containment (issue 7, architecture invariant 4) on the session's refreshed small home.

Every raw PHI value is read straight from the landing files, independently of the loader:

- ``pm/patients`` CSVs (extracts.md marks the extract PHI): patient id, MRN, first and last
  name, the full name, birth date, member id;
- the 837 and 835 files: subscriber and patient names and member ids (NM1*IL, NM1*QC),
  their street addresses and ZIP codes (N3, N4 in those loops) and birth dates (DMG02).

Then every column of every table in the serving snapshot, and every cell of every export
file, is searched for them: a text cell is a hit when its whole value is one of them, or
when one of its alphanumeric tokens is an identifier (patient id, MRN, member id); a date
cell is a hit when it is a birth date. Zero hits allowed. The same scanner finds plenty in
the raw layer (the positive control), so zero means zero, not a blind scanner.

Values a patient shares with the practice itself are left out, with the reason beside each
rule: a provider named like a patient; birth dates in the year before the window, which are
also ordinary business days; the date columns of tables without patient rows (calendar,
code lists). A leak found and reported but not fixed yet is listed in ``KNOWN_LEAKS``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import duckdb
import jinja2
import pytest
from conftest import RefreshedHome, default_settings
from dagster import AssetKey

from dagster_project.stages.publish import PHI_COLUMN_NAMES

pytestmark = pytest.mark.slow

# Kinds whose values are identifiers: also searched as tokens inside longer text.
ID_KINDS = ("patient_id", "mrn", "member_id")
PATIENT_FILES = "pm/patients"
X12_FOLDERS = ("claims", "remits")
PERSON_ENTITIES = {"IL", "QC"}  # NM101: insured/subscriber, patient
TEXT_TYPES = ("VARCHAR", "JSON")
BUSINESS_DAYS_BACK = 365  # bookings and requests start months before the first visit
DATE_TYPES = ("DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_NS", "TIMESTAMP_S")


@dataclass(frozen=True)
class Hit:
    where: str
    kind: str
    value: str


# --- the PHI in the landing files -----------------------------------------------------------


def _patients_csv(landing: Path) -> Iterator[tuple[str, str]]:
    for path in sorted((landing / PATIENT_FILES).rglob("*.csv")):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                yield "patient_id", row["patient_id"]
                yield "mrn", row["mrn"]
                yield "member_id", row["member_id"]
                yield "name", row["first_name"]
                yield "name", row["last_name"]
                yield "name", f"{row['first_name']} {row['last_name']}"
                yield "birth_date", row["birth_date"]


def _x12_segments(path: Path) -> Iterator[list[str]]:
    """Segments as element lists; delimiters read from the ISA header (never assumed)."""
    text = path.read_bytes().decode("latin-1")
    if not text.startswith("ISA") or len(text) < 106:
        return
    element, terminator = text[3], text[105]
    for segment in text.split(terminator):
        segment = segment.strip()
        if segment:
            yield segment.split(element)


def _x12_person_values(path: Path) -> Iterator[tuple[str, str]]:
    """Names, member ids, addresses and birth dates of subscribers and patients."""
    in_person = False  # inside an NM1*IL / NM1*QC loop (until the next NM1 or HL)
    for seg in _x12_segments(path):
        tag = seg[0]
        if tag == "NM1":
            in_person = len(seg) > 1 and seg[1] in PERSON_ENTITIES
            if in_person:
                last = seg[3] if len(seg) > 3 else ""
                first = seg[4] if len(seg) > 4 else ""
                yield "name", last
                yield "name", first
                yield "name", f"{first} {last}"
                yield "member_id", seg[9] if len(seg) > 9 else ""
        elif tag == "HL":
            in_person = False
        elif in_person and tag == "N3":
            yield from (("address", line) for line in seg[1:3])
        elif in_person and tag == "N4" and len(seg) > 3:
            yield "zip", seg[3]
            yield "zip", seg[3][:5]
        elif in_person and tag == "DMG" and len(seg) > 2 and len(seg[2]) == 8:
            yield "birth_date", f"{seg[2][:4]}-{seg[2][4:6]}-{seg[2][6:]}"


def landing_phi(landing: Path) -> dict[str, set[str]]:
    """Every raw PHI value in the landing folder, lowercased, by kind."""
    found: dict[str, set[str]] = {}
    x12_files = [p for folder in X12_FOLDERS for p in (landing / folder).rglob("*") if p.is_file()]
    pairs = [
        *_patients_csv(landing),
        *(v for p in sorted(x12_files) for v in _x12_person_values(p)),
    ]
    for kind, value in pairs:
        value = value.strip().lower()
        if value:
            found.setdefault(kind, set()).add(value)
    return found


def provider_names(landing: Path) -> set[str]:
    """Names and name words of the practice's providers (pm/providers), lowercased."""
    names: set[str] = set()
    for path in (landing / "pm" / "providers").rglob("*.csv"):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                name = row["provider_name"].strip().lower()
                names |= {name, *name.replace(",", " ").replace(".", " ").split()}
    return names


# --- the scanner ------------------------------------------------------------------------------


def _load_phi(con: duckdb.DuckDBPyConnection, phi: dict[str, set[str]]) -> None:
    pairs = [(kind, value) for kind, values in phi.items() for value in values]
    con.execute(
        "create or replace temp table phi as select unnest(?) as kind, unnest(?) as value",
        [[kind for kind, _ in pairs], [value for _, value in pairs]],
    )


def _column_hits(
    con: duckdb.DuckDBPyConnection, relation: str, column: str, data_type: str
) -> list[tuple[str, str]]:
    col = f'"{column}"'
    if data_type in TEXT_TYPES:
        # the whole value, any kind; then identifiers as tokens inside longer text
        sql = f"""
            with cells as (select distinct lower(trim(cast({col} as varchar))) as v
                           from {relation} where {col} is not null),
                 tokens as (select distinct unnest(regexp_split_to_array(v, '[^a-z0-9]+')) as v
                            from cells)
            select kind, value from phi join cells on phi.value = cells.v
            union
            select kind, value from phi join tokens on phi.value = tokens.v
            where kind in {ID_KINDS}
        """
    elif data_type in DATE_TYPES:
        sql = f"""
            select kind, value from phi
            join (select distinct cast(cast({col} as date) as varchar) as v from {relation}) d
              on phi.value = d.v
            where kind = 'birth_date'
        """
    else:  # numbers and booleans: no PHI value here is a number
        return []
    return con.execute(sql).fetchall()


def scan_database(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    *,
    tables: list[str] | None = None,
    no_patient_dates: frozenset[str] = frozenset(),
) -> list[Hit]:
    """Search every column of every table of ``catalog`` (or of ``tables``, "schema.table").

    The date columns of ``no_patient_dates`` tables (calendars, code lists) are not searched
    for birth dates: they hold no patient rows, so a date there is nobody's birth date.
    """
    columns = con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = ? order by all",
        [catalog],
    ).fetchall()
    if tables is not None:
        columns = [c for c in columns if f"{c[0]}.{c[1]}" in tables]
    assert columns, f"nothing to scan in {catalog}"
    hits = []
    for schema, table, column, data_type in columns:
        if table in no_patient_dates and data_type in DATE_TYPES:
            continue
        relation = f'"{catalog}"."{schema}"."{table}"'
        for kind, value in _column_hits(con, relation, column, data_type):
            hits.append(Hit(f"{schema}.{table}.{column}", kind, value))
    return hits


def scan_csv(con: duckdb.DuckDBPyConnection, path: Path) -> list[Hit]:
    """Every cell of a CSV file, read as text (dates stay ISO strings)."""
    con.execute(
        "create or replace temp view export_file as "
        f"select * from read_csv('{path}', all_varchar = true, header = true)"
    )
    info = con.execute("select name from pragma_table_info('export_file')").fetchall()
    header = [name for (name,) in info]
    assert header, path
    return [
        Hit(f"{path.name}:{column}", kind, value)
        for column in header
        for kind, value in _column_hits(con, "export_file", column, "VARCHAR")
    ]


# --- fixtures -------------------------------------------------------------------------------


# Tables without patient rows: the calendar, the practice's own locations and providers, and
# the code lists (every dbt seed). Their date columns are not searched for birth dates.
SEEDS = Path(__file__).resolve().parents[1] / "dbt" / "seeds"
NO_PATIENT_DATES = frozenset(
    {"dim_date", "dim_location", "dim_provider", "dim_adjustment_reason"}
    | {path.stem for path in SEEDS.glob("*.csv")}
)
# Leaks found by this scan and reported, fixed in dbt: listed here, the test is an expected
# failure while they still leak and fails once they stop (so the entry gets removed).
KNOWN_LEAKS: dict[str, str] = {}  # where -> why; empty since fct_work_items hashes patient ids


@dataclass(frozen=True)
class PhiScan:
    phi: dict[str, set[str]]
    snapshot_hits: list[Hit]
    export_hits: list[Hit]
    export_files: list[Path]


@pytest.fixture(scope="module")
def phi(refreshed_small_home: RefreshedHome) -> dict[str, set[str]]:
    """The landing folder's PHI, minus values that also name the practice's own people/days."""
    settings = refreshed_small_home.settings
    found = landing_phi(settings.landing)
    # A provider may share a name with a patient; provider names are the practice's to show.
    found["name"] -= provider_names(settings.landing)
    # A birth date in the last year is also an ordinary business day (a visit, a booking made
    # weeks before the window opens). Older ones (nearly all) are searched for.
    cutoff = refreshed_small_home.simulation.start_date - dt.timedelta(days=BUSINESS_DAYS_BACK)
    found["birth_date"] = {d for d in found["birth_date"] if d < cutoff.isoformat()}
    return found


@pytest.fixture(scope="module")
def scan(refreshed_small_home: RefreshedHome, phi: dict[str, set[str]]) -> PhiScan:
    settings = refreshed_small_home.settings
    exports = sorted(p for p in settings.exports_dir.rglob("*") if p.is_file())
    with duckdb.connect() as con:
        _load_phi(con, phi)
        con.execute(f"attach '{settings.serving_db}' as serving (read_only)")
        snapshot_hits = scan_database(con, "serving", no_patient_dates=NO_PATIENT_DATES)
        export_hits = [hit for path in exports for hit in scan_csv(con, path)]
    return PhiScan(phi, snapshot_hits, export_hits, exports)


# --- tests ----------------------------------------------------------------------------------


def test_landing_files_hold_the_phi_the_contract_lists(phi: dict[str, set[str]]) -> None:
    """The search list is not empty by accident: the small preset's patients, from both
    the CSV extract and the X12 files (addresses and ZIP codes only come from X12)."""
    sizes = {kind: len(values) for kind, values in phi.items()}
    assert set(sizes) == {"patient_id", "mrn", "member_id", "name", "birth_date", "address", "zip"}
    assert min(sizes.values()) > 50, sizes
    assert sizes["patient_id"] == sizes["mrn"] > 1000, sizes
    assert all(v.startswith("p") for v in phi["patient_id"])


def test_serving_snapshot_has_no_phi(scan: PhiScan) -> None:
    """Every table and column of marts, exports and meta in the published snapshot."""
    unknown = [hit for hit in scan.snapshot_hits if hit.where not in KNOWN_LEAKS]
    assert Counter((h.where, h.kind) for h in unknown) == Counter(), unknown[:20]
    still = {h.where for h in scan.snapshot_hits}
    fixed = set(KNOWN_LEAKS) - still
    assert not fixed, f"no longer leaking, remove from KNOWN_LEAKS: {sorted(fixed)}"
    if still:
        pytest.xfail("; ".join(KNOWN_LEAKS[where] for where in sorted(still)))


def test_export_files_have_no_phi(scan: PhiScan) -> None:
    """Every cell of every file the refresh wrote under exports/ (CSVs, dictionary, totals)."""
    assert {p.suffix for p in scan.export_files} == {".csv"}
    assert len(scan.export_files) >= 6, scan.export_files
    assert scan.export_hits == [], scan.export_hits[:20]


def test_export_headers_carry_no_patient_identity(scan: PhiScan) -> None:
    """Not even the keyed hash: an accountant has no use for patient identity."""
    for path in scan.export_files:
        with path.open(newline="") as handle:
            header = next(csv.reader(handle))
        assert set(header) & (PHI_COLUMN_NAMES | {"patient_key"}) == set(), path.name


def test_the_scanner_finds_phi_where_it_is_allowed(
    refreshed_small_home: RefreshedHome, phi: dict[str, set[str]]
) -> None:
    """Positive control: the raw layer of the work database holds the very same values."""
    with duckdb.connect() as con:
        _load_phi(con, phi)
        con.execute(f"attach '{refreshed_small_home.settings.work_db}' as work (read_only)")
        hits = scan_database(con, "work", tables=["raw.pm__patients", "raw.x12_837_claims"])
    found = Counter((h.where, h.kind) for h in hits)
    # every patient of the extract, by each identifier (small preset: 24,678 patients)
    for column in ("patient_id", "mrn"):
        assert found[(f"raw.pm__patients.{column}", column)] == len(phi[column])
    assert found[("raw.pm__patients.birth_date", "birth_date")] > 1000
    assert found[("raw.x12_837_claims.subscriber_member_id", "member_id")] > 1000
    assert found[("raw.x12_837_claims.subscriber_last_name", "name")] > 20
    assert found[("raw.x12_837_claims.subscriber_birth_date", "birth_date")] > 1000


# --- the keyed hash -------------------------------------------------------------------------

PHI_MACROS = Path(__file__).resolve().parents[1] / "dbt" / "macros" / "phi.sql"


def patient_key_sql(key: str, column: str = "patient_id") -> str:
    """The DuckDB SQL dbt generates for ``patient_key(column)`` when var phi_key is ``key``.

    Renders dbt/macros/phi.sql itself (duckdb__patient_key) with the two dbt helpers it calls,
    so these tests follow the macro if it changes.
    """
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.globals["var"] = {"phi_key": key}.__getitem__
    env.globals["dbt"] = SimpleNamespace(
        string_literal=lambda text: "'" + text.replace("'", "''") + "'",
        type_string=lambda: "varchar",
    )
    return str(env.from_string(PHI_MACROS.read_text()).module.duckdb__patient_key(column))


def _patient_key_relations(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_schema, table_name from information_schema.columns "
        "where table_catalog = 'serving' and column_name = 'patient_key' order by all"
    ).fetchall()
    return [f"serving.{schema}.{table}" for schema, table in rows]


def _matching_keys(con: duckdb.DuckDBPyConnection, relation: str, key: str) -> tuple[int, int]:
    """(distinct patient keys in the relation, how many hash some raw patient id under key)."""
    return con.execute(
        f"""
        with expected as (select {patient_key_sql(key)} as k from work.raw.pm__patients)
        select count(distinct patient_key),
               count(distinct patient_key) filter (where patient_key in (select k from expected))
        from {relation}
        """
    ).fetchone()


def test_patient_key_is_the_hash_under_the_configured_key(
    refreshed_small_home: RefreshedHome,
) -> None:
    """Every patient key in the snapshot is the keyed hash of a raw patient id under the key
    the refresh ran with; under any other key (the demo default included) none is."""
    settings = refreshed_small_home.settings
    assert settings.phi_key
    with duckdb.connect() as con:
        con.execute(f"attach '{settings.serving_db}' as serving (read_only)")
        con.execute(f"attach '{settings.work_db}' as work (read_only)")
        relations = _patient_key_relations(con)
        assert "serving.marts.dim_patient" in relations and len(relations) >= 5, relations
        for relation in relations:
            keys, matched = _matching_keys(con, relation, settings.phi_key)
            assert keys > 0 and matched == keys, (relation, keys, matched)
            for other in ("demo-only-key", settings.phi_key + "x"):
                assert _matching_keys(con, relation, other) == (keys, 0), (relation, other)


KEYS = ("key-a", "key-b", "it's", "schlüssel-ключ", "k" * 100)  # a quote in the key stays data


def test_the_hash_changes_with_the_key() -> None:
    """The macro's SQL on one id is HMAC-SHA256(key, id), as Python's hmac computes it;
    another key gives an unrelated digest. Keys: short, with a quote, non-ASCII, and longer
    than the 64-byte block (hashed first)."""
    with duckdb.connect() as con:
        one_id = "'P0000001'"
        digests = [
            con.execute(f"select {patient_key_sql(key, one_id)}").fetchone()[0]
            for key in KEYS
        ]
        (null_id,) = con.execute(f"select {patient_key_sql('key-a', 'null')}").fetchone()
    assert digests == [
        hmac.new(key.encode(), b"P0000001", hashlib.sha256).hexdigest() for key in KEYS
    ]
    assert len(set(digests)) == len(KEYS)
    assert null_id is None


def test_marts_are_not_built_without_the_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The dbt step itself refuses (the path the schedule and sensor take, not only the CLI):
    without the variable dbt_project.yml would fall back to the public demo key."""
    from dagster import materialize

    from dagster_project.defs import build_defs

    defs = build_defs(default_settings(tmp_path / "home"))
    dbt_assets = defs.get_assets_def(AssetKey(["marts", "dim_patient"]))
    monkeypatch.delenv("FRICTION_PHI_KEY")
    run = materialize(
        [dbt_assets],
        resources=defs.resources,
        selection=[AssetKey(["marts", "dim_patient"])],
        raise_on_error=False,
    )
    assert not run.success
    (failure,) = run.get_step_failure_events()
    assert "FRICTION_PHI_KEY is not set" in failure.step_failure_data.error.message
    assert not (tmp_path / "home" / "warehouse" / "work.duckdb").exists()
