"""Gathers the published values behind the Overview's six one-sentence answers."""

from __future__ import annotations

from app import insights, panels, queries, ui
from app.context import PageContext
from app.insights import Answer

METRICS = (
    "access.lead_time_days_median",
    "access.no_show_rate",
    "staff.minutes_per_visit",
    "staff.cost_per_visit",
    "rcm.initial_denial_rate_count",
    "rcm.initial_denial_rate_usd",
    "rcm.days_to_payment_median",
    "docs.note_sign_lag_hours_median",
    "docs.open_notes",
)


def _worst(ctx: PageContext, metric_id: str, dimension: str) -> tuple[str, float] | None:
    return insights.worst(panels.latest_by(ctx, metric_id, dimension), higher_is_better=False)


def six_answers(ctx: PageContext) -> tuple[Answer, ...]:
    tiles = {r.metric_id: r for r in ui.readings(ctx, METRICS)}
    meta = queries.snapshot_meta(ctx.key)
    freshness = insights.hours_behind(
        queries.meta_table(ctx.key, "source_freshness"), meta.get("built_at")
    )
    locations = panels.latest_by(ctx, "growth.admin_minutes_per_visit_by_location", "location")
    locations = locations.merge(
        queries.locations(ctx.key), left_on="dimension_value", right_on="location_id"
    )
    return (
        Answer(
            "Where are patients waiting unnecessarily?",
            insights.waiting(
                tiles["access.lead_time_days_median"],
                tiles["access.no_show_rate"],
                _worst(ctx, "access.lead_time_days_median", "specialty"),
            ),
            "views/access.py",
            "Patient access",
        ),
        Answer(
            "Where are staff chasing information?",
            insights.chasing(
                tiles["staff.minutes_per_visit"],
                tiles["staff.cost_per_visit"],
                _worst(ctx, "staff.minutes_per_visit", "work_type"),
            ),
            "views/staff.py",
            "Staff effort",
        ),
        Answer(
            "Where are claims delayed or denied?",
            insights.claims(
                tiles["rcm.initial_denial_rate_count"],
                tiles["rcm.initial_denial_rate_usd"],
                tiles["rcm.days_to_payment_median"],
            ),
            "views/revenue.py",
            "Revenue cycle",
        ),
        Answer(
            "Where are providers losing time to documentation?",
            insights.documentation(
                tiles["docs.note_sign_lag_hours_median"], tiles["docs.open_notes"]
            ),
            "views/documentation.py",
            "Documentation",
        ),
        Answer(
            "Where do leaders lack visibility?",
            insights.visibility(
                freshness,
                insights.quarantined_count(queries.quarantine_by_reason(ctx.key)),
                insights.failed_count(queries.meta_table(ctx.key, "check_results")),
            ),
            "views/data_health.py",
            "Data health",
        ),
        Answer(
            "Where does growth add complexity instead of leverage?",
            insights.growth(locations),
            "views/locations.py",
            "Locations and growth",
        ),
    )
