"""Dagster entry point (``dagster dev -m dagster_project.definitions``): one call, see defs/."""

from dagster_project.defs import build_defs
from dagster_project.settings import load_settings

defs = build_defs(load_settings())
