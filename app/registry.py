"""The dashboard's pages in navigation order (path relative to app/main.py)."""

from __future__ import annotations

from typing import NamedTuple

from app.auth import can


class PageSpec(NamedTuple):
    path: str
    title: str
    icon: str
    section: str
    needs: str | None = None  # capability a signed-in role needs (app.auth.ROLES)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("views/overview.py", "Overview", ":material/dashboard:", "Leadership"),
    PageSpec("views/access.py", "Patient access", ":material/event_available:", "Leadership"),
    PageSpec("views/staff.py", "Staff effort", ":material/support_agent:", "Leadership"),
    PageSpec("views/prior_auth.py", "Prior authorization", ":material/approval:", "Leadership"),
    PageSpec("views/documentation.py", "Documentation", ":material/edit_note:", "Leadership"),
    PageSpec("views/revenue.py", "Revenue cycle", ":material/payments:", "Leadership"),
    PageSpec("views/locations.py", "Locations and growth", ":material/location_on:", "Leadership"),
    PageSpec("views/data_health.py", "Data health", ":material/health_and_safety:", "Data"),
    PageSpec("views/sql.py", "SQL", ":material/terminal:", "Data", needs="sql"),
    PageSpec("views/exports.py", "Exports", ":material/download:", "Data", needs="export"),
)


def pages_for(role: str | None) -> tuple[PageSpec, ...]:
    """The pages a role sees (role None: sign-in is off, every page)."""
    return tuple(spec for spec in PAGES if spec.needs is None or can(role, spec.needs))
