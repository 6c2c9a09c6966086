"""The dbt project as Dagster assets: one ``dbt build`` per refresh, tests as asset checks.

dagster-dbt turns every dbt test into an asset check on the model it tests; error-severity
tests are blocking, so a failing one stops everything downstream, publish included (dbt
itself skips the failing model's children inside the build).
"""

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetsDefinition, Failure
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from dagster_project.defs.project import dbt_environment
from dagster_project.defs.resources import WarehouseResource
from dagster_project.defs.tags import STAGE_TAG, TRANSFORM
from dagster_project.stages.build_state import (
    forget_build,
    full_refresh_reason,
    project_fingerprint,
    record_build,
)

DBT_TARGET_DIR = "dbt_target"  # under <home>/warehouse: run artifacts stay with the database
PHI_KEY_ENV = "FRICTION_PHI_KEY"


def require_phi_key() -> None:
    """Refuse to build marts without the patient-identity hash key.

    dbt_project.yml falls back to a public demo key, so a run without the variable would
    publish patient keys anyone can recompute. ``friction demo`` sets a generated key; every
    other path (``friction refresh``, the schedule and the sensor under ``friction ui``)
    reaches this asset, so the refusal lives here.
    """
    if not os.environ.get(PHI_KEY_ENV):
        raise Failure(
            f"{PHI_KEY_ENV} is not set: refusing to build marts without the secret that "
            "keys the patient-identity hash (set it in the environment; `friction demo` "
            "generates one)"
        )


def dbt_build_args(
    *,
    full_refresh: bool = False,
    dbt_vars: Mapping[str, Any] | None = None,
    exclude: Sequence[str] = (),
) -> list[str]:
    """The ``dbt build`` arguments every refresh uses.

    Unit tests are excluded: they test SQL logic against fixtures, belong in CI, and would
    otherwise run (and could fail) inside every production build. Dagster appends its own
    ``--select`` for subset runs. The thread count is the profile's (dbt/profiles.yml).
    """
    args = ["build", "--exclude-resource-type", "unit_test"]
    if exclude:
        args += ["--exclude", *exclude]
    if full_refresh:
        args.append("--full-refresh")
    if dbt_vars:
        args += ["--vars", json.dumps(dict(dbt_vars), sort_keys=True)]
    return args


class LayerTranslator(DagsterDbtTranslator):
    """Groups dbt assets by the schema they build into (staging, intermediate, marts, exports).

    Why: the UI then shows the layers of the architecture, and the asset-graph snapshot test
    catches a model that moved layer. Keys stay dagster-dbt's default ``[schema, name]``,
    which already match the DuckDB table names analysts query.
    """

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        schema = dbt_resource_props.get("config", {}).get("schema")
        return schema or super().get_group_name(dbt_resource_props)


def build_dbt_assets(project: DbtProject) -> AssetsDefinition:
    """``@dbt_assets`` over the project's manifest (which must exist: see ``project.py``)."""

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        name="dbt_warehouse",
        dagster_dbt_translator=LayerTranslator(),
        op_tags={STAGE_TAG: TRANSFORM},
    )
    def dbt_warehouse(
        context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
    ) -> Iterator[Any]:
        require_phi_key()
        settings = warehouse.settings()
        # One target folder per home, reused: partial parsing stays warm between refreshes
        # and run artifacts do not pile up inside the repository.
        target: Path = settings.warehouse_dir / DBT_TARGET_DIR
        fingerprint = project_fingerprint(os.environ[PHI_KEY_ENV])
        reason = full_refresh_reason(settings.warehouse_dir, fingerprint)
        if reason is not None:
            context.log.info(f"full rebuild of every dbt model: {reason}")
        forget_build(settings.warehouse_dir)  # a build that stops half-way leaves no record
        args = dbt_build_args(full_refresh=reason is not None)
        with dbt_environment(settings.work_db):
            yield from dbt.cli(args, context=context, target_path=target).stream()
        record_build(settings.warehouse_dir, fingerprint)

    return dbt_warehouse
