"""Measurable targets for agreed actions, and the metrics a target can name.

An action may carry one target:

- a **pipeline target**: a metric of ``TARGET_METRICS`` for a population (a source group and/or a
  deal segment; none = every deal or lead) to reach a value by a date, e.g. "marketing-sourced win
  rate to 30% by 30 June";
- a **perception target**: the perception gap (marketing − sales, ``alignment.gaps``) on one
  dimension to fall below a number of points, e.g. "the hand-off gap below 10 points".

``TARGET_METRICS`` is the one list of metrics a target can name, with each metric's unit, direction
and the canonical columns it needs; the action form, the progress check and the store's validation
all read it. Rates are stored as shares (0.3 for 30%), medians in their unit (hours, days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from alignment.canonical import SOURCE_GROUPS

PIPELINE: Final = "pipeline"
PERCEPTION: Final = "perception"


@dataclass(frozen=True)
class TargetMetric:
    """A metric a target can name.

    ``kind`` is ``rate`` (a share with a count behind it: ``successes / trials``) or ``median``;
    ``source`` the dataset it is computed from (``deals`` or ``leads``); ``needs`` the canonical
    columns that must hold values for it to be computed at all, in words in ``needs_words``.
    """

    id: str
    label: str
    source: str
    kind: str
    unit: str
    higher_is_better: bool
    needs: tuple[str, ...]
    needs_words: str
    counted: str

    def format(self, value: float) -> str:
        """A value as the room reads it: ``35%``, ``12 hours``, ``48 days``."""
        return f"{value:.0%}" if self.kind == "rate" else f"{value:,.0f} {self.unit}"

    def format_change(self, change: float) -> str:
        """A change of the value: ``+15 points`` for rates, ``−6 hours`` for medians."""
        if self.kind == "rate":
            return f"{change * 100:+.0f} points".replace("-", "−")
        return f"{change:+,.0f} {self.unit}".replace("-", "−")


# The one list of metrics a target can name. Each is computed by the dashboard's own functions in
# alignment.metrics / alignment.lead_metrics (see alignment.action_progress.metric_reading).
TARGET_METRICS: Final[dict[str, TargetMetric]] = {
    m.id: m
    for m in (
        TargetMetric("win_rate", "Win rate", "deals", "rate", "share", True, ("outcome",),
                     "won or lost deals", "won of closed deals"),
        TargetMetric("cycle_time", "Median sales cycle", "deals", "median", "days", False,
                     ("created_date", "close_date"), "created and close dates", "won deals with both dates"),
        TargetMetric("lead_acceptance", "Lead acceptance", "leads", "rate", "share", True, ("accepted_date",),
                     "acceptance dates", "accepted of handed-over leads"),
        TargetMetric("response_within_sla", "Leads touched within the SLA", "leads", "rate", "share", True,
                     ("first_touch_date",), "first-touch dates", "touched within the SLA of handed-over leads"),
        TargetMetric("response_time", "Median lead response time", "leads", "median", "hours", False,
                     ("first_touch_date",), "first-touch dates", "touched leads"),
        TargetMetric("lead_leakage", "Lead leakage", "leads", "rate", "share", False, ("first_touch_date",),
                     "first-touch dates", "leaked of eligible leads"),
    )
}  # fmt: skip


@dataclass(frozen=True)
class ActionTarget:
    """What an action promises to move, and how far.

    Pipeline: ``metric`` (an id of ``TARGET_METRICS``), ``source_group`` and ``segment`` (None =
    all), ``value`` (a share for rates) and ``by`` (the target date, optional). Perception:
    ``dimension`` and ``below`` (points of absolute gap).
    """

    kind: str
    metric: str | None = None
    source_group: str | None = None
    segment: str | None = None
    value: float | None = None
    by: date | None = None
    dimension: str | None = None
    below: float | None = None

    def __post_init__(self) -> None:
        if self.kind == PIPELINE:
            if self.metric not in TARGET_METRICS:
                raise ValueError("Choose a pipeline metric for the target.")
            if self.value is None or self.value < 0:
                raise ValueError("Give the target value (zero or more).")
            if self.source_group is not None and self.source_group not in SOURCE_GROUPS:
                raise ValueError(f"A source group is one of {', '.join(SOURCE_GROUPS)}.")
            if self.segment is not None and TARGET_METRICS[self.metric].source != "deals":
                raise ValueError("Leads have no segment: a segment applies to deal metrics only.")
        elif self.kind == PERCEPTION:
            if not self.dimension:
                raise ValueError("Choose the dimension whose gap should close.")
            if self.below is None or not 0 < self.below <= 100:
                raise ValueError("The gap target is a number of points between 0 and 100.")
        else:
            raise ValueError("A target is a pipeline target or a perception target.")

    @property
    def metric_spec(self) -> TargetMetric | None:
        return TARGET_METRICS.get(self.metric or "")

    def population_words(self) -> str:
        """``marketing-sourced, Enterprise`` or ``all sources``."""
        parts = [f"{self.source_group}-sourced" if self.source_group else "all sources"]
        if self.segment:
            parts.append(self.segment)
        return ", ".join(parts)

    def describe(self, dimension_names: dict[str, str] | None = None) -> str:
        """The target in one line: ``Win rate (marketing-sourced) to 30% by 30 Jun 2027``."""
        if self.kind == PERCEPTION:
            name = (dimension_names or {}).get(self.dimension or "", self.dimension)
            return f"Gap on {name} below {self.below:.0f} points"
        spec = TARGET_METRICS[self.metric or ""]
        words = f"{spec.label} ({self.population_words()}) to {spec.format(float(self.value or 0))}"
        return words + (f" by {self.by:%d %b %Y}" if self.by else "")

    def to_json(self) -> dict[str, Any]:
        """The stored form: only the fields that are set; the date as ``YYYY-MM-DD``."""
        data = {"kind": self.kind, "metric": self.metric, "source_group": self.source_group,
                "segment": self.segment, "value": self.value, "by": self.by.isoformat() if self.by else None,
                "dimension": self.dimension, "below": self.below}  # fmt: skip
        return {key: value for key, value in data.items() if value is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ActionTarget:
        fields = dict(data)
        if fields.get("by"):
            fields["by"] = date.fromisoformat(str(fields["by"]))
        return cls(**fields)
