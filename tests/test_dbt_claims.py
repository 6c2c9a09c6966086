"""Static checks of the claims side of the dbt project: the X12 sources follow the raw table
definitions, the code-set seeds follow the reference lists (with the project's own labels),
the denial map follows metrics.md, and every claims model, metric and root-cause rule is
documented and unit-tested. Nothing here needs a database; tests/test_truth_reconciliation.py
builds the warehouse."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from ingestion.x12.tables import X12_TABLES

REPO = Path(__file__).resolve().parents[1]
DBT = REPO / "dbt"
SEEDS = DBT / "seeds"
CLAIMS_DIRS = [
    DBT / "models" / "staging" / "x12",
    DBT / "models" / "intermediate" / "claims",
    DBT / "models" / "marts" / "revenue",
]
CATEGORIES = {
    "eligibility", "authorization", "coding", "medical_necessity", "bundling", "documentation",
    "timely_filing", "duplicate", "provider_eligibility", "other",
}  # fmt: skip
# metrics.md, "Denial": CO-45, PR-1/2/3, OA-23, CO-253, 59, 94, 131, 44 are not denials
NOT_DENIAL = {"45", "1", "2", "3", "23", "253", "59", "94", "131", "44"}


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


@pytest.fixture(scope="module")
def codes_dir(shared_dir: Path) -> Path:
    return shared_dir / "reference" / "codes"


def test_x12_sources_follow_the_raw_table_definitions() -> None:
    """Every raw X12 table is a source with its columns, freshness and Dagster asset key."""
    sources = _yaml(DBT / "models" / "staging" / "x12" / "_sources.yml")["sources"]
    (raw,) = [s for s in sources if s["name"] == "raw"]
    assert raw["loaded_at_field"] == "_loaded_at" and raw["freshness"]
    tables = {t["name"]: t for t in raw["tables"]}
    assert set(tables) == set(X12_TABLES)
    for name, columns in X12_TABLES.items():
        described = [c["name"] for c in tables[name]["columns"]]
        assert [c for c, _ in columns] == described[: len(columns)], name
        assert tables[name]["meta"]["dagster"]["asset_key"] == ["raw", name]


def test_every_raw_x12_table_has_a_staging_model() -> None:
    for name in X12_TABLES:
        model = "stg_x12__" + name.removeprefix("x12_")
        assert (DBT / "models" / "staging" / "x12" / f"{model}.sql").exists(), name


def test_carc_seed_covers_the_reference_with_own_short_labels(codes_dir: Path) -> None:
    reference = {r["code"]: r for r in _csv(codes_dir / "carc_vista_2015.csv")}
    seed = {r["carc_code"]: r for r in _csv(SEEDS / "carc_codes.csv")}
    assert set(seed) == set(reference)
    for code, row in seed.items():
        label = row["short_label"]
        assert 0 < len(label) <= 45, code
        assert label.lower() != reference[code]["description"].lower(), code
        assert row["start_date"] == reference[code]["start_date"], code
        assert row["stop_date"] == reference[code]["stop_date"], code


def test_rarc_and_plb_seeds_follow_the_reference(codes_dir: Path) -> None:
    rarc_ref = {r["code"]: r for r in _csv(codes_dir / "rarc_vista_2015.csv")}
    rarc = {r["rarc_code"]: r for r in _csv(SEEDS / "rarc_codes.csv")}
    assert set(rarc) == set(rarc_ref)
    labelled = {c: r["short_label"] for c, r in rarc.items() if r["short_label"]}
    assert len(labelled) >= 50
    for code, label in labelled.items():
        assert len(label) <= 45 and label.lower() != rarc_ref[code]["description"].lower()
    plb_ref = {r["code"] for r in _csv(codes_dir / "plb_adjustment_reason_vista.csv")}
    assert {r["plb_reason_code"] for r in _csv(SEEDS / "x12_plb_reason_codes.csv")} == plb_ref
    groups_ref = {r["code"] for r in _csv(codes_dir / "claim_adjustment_group_codes_vista.csv")}
    groups = {r["group_code"] for r in _csv(SEEDS / "x12_adjustment_group_codes.csv")}
    assert groups == groups_ref


def test_denial_category_map_follows_metrics_md() -> None:
    rows = {r["carc_code"]: r for r in _csv(SEEDS / "denial_category_map.csv")}
    carcs = {r["carc_code"] for r in _csv(SEEDS / "carc_codes.csv")}
    assert set(rows) == carcs
    assert {c for c, r in rows.items() if r["is_denial"] == "false"} == NOT_DENIAL
    for code, row in rows.items():
        if row["is_denial"] == "true":
            assert row["denial_category"] in CATEGORIES, code
            assert row["adjustment_class"] == "denial", code
        else:
            assert row["denial_category"] == "", code
    # the CARCs the simulator injects land in the categories its truth expects
    from ingestion.simulator import denial_codes as dc

    injected = [
        *dc.COVERAGE_PROBLEMS.values(), *dc.AUTH_DENIALS.values(), dc.TIMELY_FILING,
        *dc.CODING_ERRORS.values(), *dc.CLINICAL_DOCUMENTATION.values(), dc.DUPLICATE,
        dc.NOT_COVERED,
    ]  # fmt: skip
    for code in injected:
        assert rows[code.carc]["denial_category"] == code.category, code


def test_claim_status_seed_knows_every_clp02() -> None:
    codes = {r["claim_status_code"]: r for r in _csv(SEEDS / "x12_claim_status_codes.csv")}
    assert set(codes) == {"1", "2", "3", "4", "19", "20", "21", "22", "23", "25"}
    assert [c for c, r in codes.items() if r["is_reversal"] == "true"] == ["22"]
    assert [c for c, r in codes.items() if r["is_denied_status"] == "true"] == ["4"]


def test_every_claims_seed_is_documented() -> None:
    documented = {s["name"] for s in _yaml(SEEDS / "_claims_seeds.yml")["seeds"]}
    mine = {
        p.stem
        for p in SEEDS.glob("*.csv")
        if p.stem.startswith(("x12_", "carc_", "rarc_", "denial_"))
    }
    assert mine == documented


def test_every_claims_model_is_documented_with_its_grain() -> None:
    for folder in CLAIMS_DIRS:
        for sql in folder.glob("*.sql"):
            doc = folder / f"{sql.stem}.yml"
            assert doc.exists(), sql
            (model,) = _yaml(doc)["models"]
            assert model["name"] == sql.stem
            assert "grain" in model["description"].lower(), sql.stem
            assert sql.read_text().lstrip().startswith("-- Grain:"), sql.stem
    for kpi in ("kpi_revenue", "kpi_finance"):
        assert (DBT / "models" / "metrics" / f"{kpi}.yml").exists()


def test_unit_tests_cover_metrics_root_causes_and_the_awkward_cases() -> None:
    """Unit tests exist for each metric formula and each root-cause rule, including reversal
    then re-payment, a replacement claim, an auth expired the day before service, a check that
    said inactive, and a partial denial at line level."""
    tested: dict[str, str] = {}
    folders = [*CLAIMS_DIRS, DBT / "models" / "metrics"]
    for folder in folders:
        for path in folder.glob("*__unit_tests.yml"):
            for test in _yaml(path).get("unit_tests", []):
                tested.setdefault(test["model"], "")
                tested[test["model"]] += yaml.safe_dump(test)
    revenue = tested.get("kpi_revenue", "")
    for metric in (
        "rcm.initial_denial_rate_count", "rcm.initial_denial_rate_usd", "rcm.line_denial_rate",
        "rcm.denials_by_category", "rcm.denial_root_cause", "rcm.first_pass_resolution_rate",
        "rcm.denial_overturn_rate", "rcm.days_to_payment_median", "rcm.net_days_in_ar",
        "rcm.ar_aging", "rcm.ar_over_90_rate", "rcm.ar_over_120_rate", "rcm.net_collection_rate",
        "rcm.denial_writeoff_usd", "rcm.submission_lag_days_median",
    ):  # fmt: skip
        assert f"metric_id: {metric}" in revenue, metric
    finance = tested.get("kpi_finance", "")
    for metric in (
        "fin.charges_usd", "fin.payer_payments_usd", "fin.patient_payments_usd",
        "fin.contractual_adjustments_usd", "fin.writeoffs_usd", "fin.cost_to_collect_rate",
    ):  # fmt: skip
        assert f"metric_id: {metric}" in finance, metric
    attribution = tested.get("int_claim_denial_attribution", "")
    for label in (
        "eligibility_not_checked", "eligibility_result_ignored", "payer_data_mismatch",
        "auth_not_requested", "auth_pending_at_service", "auth_mismatch",
        "auth_denied_service_rendered", "documentation_delay", "coding_delay",
        "submission_delay", "coding_error", "clinical_documentation",
    ):  # fmt: skip
        assert f"root_cause: {label}" in attribution, label
    assert "expired the day" in attribution and "said inactive" in attribution
    assert "reversed" in tested.get("int_claim_adjudications", "")
    assert "replaced" in tested.get("int_claim_lifecycle", "")
    assert "partial" in tested.get("int_claim_line_adjudications", "")
