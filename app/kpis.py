"""Reading mart values for a KPI tile: which scope, which month, change, target.

Pure functions over frames from ``queries``: nothing here computes a metric, it only picks
published values and subtracts two of them for the change and the gap to target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.fmt import fmt_delta, fmt_value, is_missing


@dataclass(frozen=True)
class Reading:
    """One metric in the chosen scope for one month, with what it is compared to."""

    metric_id: str
    title: str
    unit: str
    higher_is_better: bool
    month: date
    value: float | None
    previous: float | None
    numerator: float | None
    denominator: float | None
    scope_label: str
    fell_back: bool
    definition: str
    source: str
    target: float | None
    target_source: str | None
    target_direction: str | None = None

    @property
    def change(self) -> float | None:
        if is_missing(self.value) or is_missing(self.previous):
            return None
        return float(self.value) - float(self.previous)  # type: ignore[arg-type]

    @property
    def target_gap(self) -> float | None:
        if is_missing(self.value) or is_missing(self.target):
            return None
        return float(self.value) - float(self.target)  # type: ignore[arg-type]

    @property
    def meets_target(self) -> bool | None:
        gap = self.target_gap
        if gap is None:
            return None
        at_least = self.higher_is_better
        if self.target_direction in ("at_least", "at_most"):
            at_least = self.target_direction == "at_least"
        return gap >= 0 if at_least else gap <= 0

    def shown(self) -> str:
        return fmt_value(self.value, self.unit)

    def how_computed(self) -> str:
        parts = [self.definition.strip()]
        if self.source:
            parts.append(f"Source: {self.source}.")
        if not is_missing(self.numerator) and not is_missing(self.denominator):
            parts.append(
                f"This month: numerator {float(self.numerator):,.2f}, "  # type: ignore[arg-type]
                f"denominator {float(self.denominator):,.2f}."  # type: ignore[arg-type]
            )
        parts.append(f"Scope: {self.scope_label}. Metric id `{self.metric_id}`.")
        return "  \n".join(parts)

    def target_text(self) -> str | None:
        if is_missing(self.target):
            return None
        gap = self.target_gap
        if gap is None:
            verdict = "no value this month"
        else:
            verdict = "meets it" if self.meets_target else "misses it"
            verdict += f" by {(fmt_delta(abs(gap), self.unit) or '').lstrip('+')}"
        source = f". Source: {self.target_source}" if self.target_source else ""
        return f"Target {fmt_value(self.target, self.unit)}: {verdict}{source}"


Point = tuple[date, float | None, float | None, float | None]  # month, num, den, value
Series = dict[tuple[str, str], list[Point]]  # (dimension, dimension_value) -> by month


def pick_scope(series: Series, dimension: str, dimension_value: str) -> tuple[list[Point], bool]:
    """Points of one metric in the scope, or the practice's when the scope has none."""
    if dimension != "practice":
        scoped = series.get((dimension, dimension_value))
        if scoped:
            return scoped, False
        return series.get(("practice", "all"), []), True
    return series.get(("practice", "all"), []), False


def _at(points: list[Point], month: date) -> Point | None:
    return next((p for p in points if p[0] == month), None)


def _number(value: object) -> float | None:
    return None if is_missing(value) else float(value)  # type: ignore[arg-type]


def target_parts(row: dict | None) -> tuple[float | None, str | None, str | None]:
    """Target value, where it comes from and its direction (at_least/at_most) from a
    metric_targets row (column names tolerated in older spellings)."""
    if not row:
        return None, None, None

    def text(*names: str) -> str | None:
        name = next((n for n in names if n in row and not is_missing(row[n])), None)
        return None if name is None else str(row[name])

    value = text("target_value", "target")
    return (
        None if value is None else float(value),
        text("source_label", "source", "target_source"),
        text("direction"),
    )


def read_metric(
    metric_id: str,
    info: dict,
    target: dict | None,
    series: Series,
    scope: tuple[str, str, str],
    month: date,
    previous_month: date,
) -> Reading:
    """The tile for metric_id in scope (dimension, value, label) for month."""
    dimension, dimension_value, label = scope
    points, fell_back = pick_scope(series, dimension, dimension_value)
    now, before = _at(points, month), _at(points, previous_month)
    target_value, target_source, direction = target_parts(target)
    return Reading(
        metric_id=metric_id,
        title=str(info.get("title") or metric_id),
        unit=str(info.get("unit") or ""),
        higher_is_better=bool(info.get("higher_is_better")),
        month=month,
        value=_number(now[3]) if now else None,
        previous=_number(before[3]) if before else None,
        numerator=_number(now[1]) if now else None,
        denominator=_number(now[2]) if now else None,
        scope_label="whole practice (not published for this filter)" if fell_back else label,
        fell_back=fell_back,
        definition=str(info.get("definition") or ""),
        source="" if is_missing(info.get("source")) else str(info.get("source")),
        target=target_value,
        target_source=target_source,
        target_direction=direction,
    )
