"""The dbt command line every refresh runs is built by one pure function."""

from __future__ import annotations

from dagster_project.defs.assets.dbt import dbt_build_args


def test_default_build_excludes_unit_tests() -> None:
    # No --threads: the count is the profile's (dbt/profiles.yml), one place for both the
    # refresh and a manual dbt run.
    assert dbt_build_args() == [
        "build",
        "--exclude-resource-type",
        "unit_test",
    ]


def test_full_refresh_exclusions_and_vars() -> None:
    args = dbt_build_args(
        full_refresh=True,
        exclude=["path:models/exports"],
        dbt_vars={"as_of": "2025-06-30 23:59:59", "eligibility_window_days": 7},
    )
    assert args == [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--exclude",
        "path:models/exports",
        "--full-refresh",
        "--vars",
        '{"as_of": "2025-06-30 23:59:59", "eligibility_window_days": 7}',
    ]


def test_no_dbt_deps_and_no_selection_of_our_own() -> None:
    # Dagster appends --select for subset runs; a second one of ours would conflict.
    args = dbt_build_args()
    assert "deps" not in args and "--select" not in args and "-s" not in args
