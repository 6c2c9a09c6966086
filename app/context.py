"""What main.py hands to the page it runs: the snapshot identity and the filters."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app import queries
from app.filters import Filters
from app.snapshot import SnapshotKey

_STATE_KEY = "_page_context"


@dataclass(frozen=True)
class PageContext:
    key: SnapshotKey
    filters: Filters

    @property
    def catalog(self) -> pd.DataFrame:
        return queries.metric_catalog(self.key)


def publish(context: PageContext) -> None:
    st.session_state[_STATE_KEY] = context


def page_context() -> PageContext:
    """The context main.py stored for this rerun; pages only run after it did."""
    return st.session_state[_STATE_KEY]
