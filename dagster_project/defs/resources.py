"""Resources: where the runtime folders are (from settings) and the dbt CLI."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from dagster import ConfigurableResource

from dagster_project.settings import Settings, load_settings

LoadProgress = Callable[[str, int, int], None]


class WarehouseResource(ConfigurableResource):
    """The runtime folders a run reads and writes, as configured by ``settings.py``.

    The PHI key is deliberately not a field: Dagster shows resource config in the UI, and
    dbt reads ``FRICTION_PHI_KEY`` from the environment itself.
    """

    home: str
    landing: str
    snapshots_kept: int = 3

    @classmethod
    def from_settings(cls, settings: Settings) -> WarehouseResource:
        return cls(
            home=str(settings.home),
            landing=str(settings.landing),
            snapshots_kept=settings.snapshots_kept,
        )

    def settings(self) -> Settings:
        loaded = load_settings(home=Path(self.home), landing=Path(self.landing))
        return dataclasses.replace(loaded, snapshots_kept=self.snapshots_kept)


def no_progress(label: str, done: int, total: int) -> None:
    """The default load progress sink: the Dagster event log already records the load."""
