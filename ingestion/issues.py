"""The one shape every reader uses to report a problem with landed data.

Readers (CSV and X12) return ``LoadIssue`` objects; the loader writes them to
``raw._quarantine``. A reason must be actionable by a practice's IT person: it says where
(file, row or segment, column), what was found and what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PositionKind = Literal["file", "row", "segment", "transaction"]
Disposition = Literal["quarantined", "flagged"]


@dataclass(frozen=True)
class LoadIssue:
    """One problem found in one landed file.

    ``units`` is how many rows (CSV) or segments (X12) this issue removed from the load;
    it is 0 for ``flagged`` issues, whose data was loaded anyway.
    """

    reason_code: str
    reason: str
    position_kind: PositionKind = "file"
    position: int | None = None
    column_name: str | None = None
    value: str | None = None
    disposition: Disposition = "quarantined"
    units: int = 0

    def with_value(self, value: object, limit: int = 200) -> LoadIssue:
        """Return a copy carrying ``value`` as text, cut to ``limit`` characters."""
        text = None if value is None else str(value)
        if text is not None and len(text) > limit:
            text = text[:limit] + "…"
        return LoadIssue(
            self.reason_code,
            self.reason,
            self.position_kind,
            self.position,
            self.column_name,
            text,
            self.disposition,
            self.units,
        )
