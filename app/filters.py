"""Global sidebar filters, kept in st.session_state so they survive page switches.

kpi_monthly publishes one dimension at a time, so KPI tiles use the most specific filter
(provider, then location, specialty, payer); fact-level lists apply every filter at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from app import queries
from app.fmt import month_label
from app.queries import FactFilter
from app.snapshot import SnapshotKey

ALL = "__all__"
DEFAULT_MONTHS = 12
KEYS = ("f_period", "f_location", "f_specialty", "f_provider", "f_payer")


@dataclass(frozen=True)
class Filters:
    """The reader's choice: a month range and optional location/provider/specialty/payer."""

    start: date
    end: date
    location_id: str | None = None
    provider_id: str | None = None
    specialty: str | None = None
    payer_id: str | None = None
    labels: tuple[tuple[str, str], ...] = ()

    @property
    def previous_month(self) -> date:
        return (pd.Timestamp(self.end) - pd.DateOffset(months=1)).date()

    def scope(self) -> tuple[str, str, str]:
        """(dimension, value, label) of kpi_monthly rows the KPI tiles read."""
        names = dict(self.labels)
        for dimension, value in (
            ("provider", self.provider_id),
            ("location", self.location_id),
            ("specialty", self.specialty),
            ("payer", self.payer_id),
        ):
            if value is not None:
                return dimension, value, f"{dimension} {names.get(value, value)}"
        return "practice", "all", "whole practice"

    def facts(self) -> FactFilter:
        return FactFilter(
            self.start,
            self.end,
            self.location_id,
            self.provider_id,
            self.specialty,
            self.payer_id,
        )

    def period_label(self) -> str:
        if self.start == self.end:
            return month_label(self.end)
        return f"{month_label(self.start)} to {month_label(self.end)}"


def _choice(value: str) -> str | None:
    return None if value == ALL else value


def _keep_valid(state_key: str, options: list[str]) -> None:
    # A value from an older snapshot (or a narrowed provider list) must not crash the widget.
    if st.session_state.get(state_key) not in options:
        st.session_state[state_key] = ALL


def _select(label: str, state_key: str, names: dict[str, str]) -> str:
    options = [ALL, *names]
    _keep_valid(state_key, options)
    return st.selectbox(
        label, options, key=state_key, format_func=lambda v: "All" if v == ALL else names[v]
    )


def _period(months: list[date], end: date) -> tuple[date, date]:
    last = months.index(end)
    default = (months[max(0, last + 1 - DEFAULT_MONTHS)], end)
    if len(months) == 1:
        return months[0], months[0]
    current = st.session_state.get("f_period")
    if current is not None and not (
        isinstance(current, tuple | list) and len(current) == 2 and set(current) <= set(months)
    ):
        # A range from an older snapshot: forget it rather than crash the slider.
        del st.session_state["f_period"]
    # `value` must be a pair on every run: it tells Streamlit this is a range slider.
    start, stop = st.select_slider(
        "Period (months)", options=months, value=default, key="f_period", format_func=month_label
    )
    return start, stop


def reset() -> None:
    for state_key in KEYS:
        st.session_state.pop(state_key, None)


def render_sidebar(key: SnapshotKey) -> Filters:
    """Draw the filters in the sidebar and return the reader's current choice."""
    sidebar = st.sidebar
    with sidebar:
        st.subheader("Filters")
        start, end = _period(queries.months(key), queries.default_end_month(key))
        names = queries.labels(key)
        locs = queries.locations(key)
        provs = queries.providers(key)
        pays = queries.payers(key)

        def named(dimension: str, ids: pd.Series) -> dict[str, str]:
            return {str(i): names.get((dimension, str(i)), str(i)) for i in ids}

        location = _choice(
            _select("Location", "f_location", named("location", locs["location_id"]))
        )
        specialties = {
            s: s.replace("_", " ").capitalize()
            for s in sorted(provs["specialty"].dropna().unique())
        }
        specialty = _choice(_select("Specialty", "f_specialty", specialties))
        narrowed = provs
        if location is not None:
            narrowed = narrowed[narrowed["location_id"] == location]
        if specialty is not None:
            narrowed = narrowed[narrowed["specialty"] == specialty]
        provider = _choice(
            _select("Provider", "f_provider", named("provider", narrowed["provider_id"]))
        )
        payer = _choice(_select("Payer", "f_payer", named("payer", pays["payer_id"])))
        st.button("Reset filters", on_click=reset, width="stretch")
    labels = (*((ident, name) for (_, ident), name in names.items()), *specialties.items())
    filters = Filters(start, end, location, provider, specialty, payer, tuple(labels))
    dimension, _, label = filters.scope()
    if dimension != "practice":
        sidebar.caption(
            f"KPI tiles show **{label}** (the marts publish one dimension at a time). "
            "Claim and visit lists apply every filter."
        )
    return filters
