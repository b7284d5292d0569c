"""Measurable targets for agreed actions, and the metrics a target can name.

An action may carry one target:

- a **pipeline target**: a metric of ``TARGET_METRICS`` for a population (a source group and/or a
  deal segment; none = every deal or lead) to reach a value by a date, e.g. "marketing-sourced win
  rate to 30% by 30 June";
- a **perception target**: the perception gap (marketing − sales, ``alignment.gaps``) on one
  dimension to fall below a number of points, e.g. "the hand-off gap below 10 points".

``TARGET_METRICS`` lists the metrics a target can name. Each is a reading of a metric of the
catalogue (``data/metrics.yaml``, ``alignment.catalogue``), from which it takes its label, unit,
direction and parameters (the leakage window); this module adds only how the figure is read as a
target — a rate with its counts or a median — and the canonical columns it needs. The list is built
from the catalogue when the module loads and fails, naming the metric, if the catalogue lacks one or
gives it a unit or direction a target cannot use. The action form, the progress check and the
store's validation all read it. Rates are stored as shares (0.3 for 30%), medians in their unit
(hours, days).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from alignment import numbers
from alignment.canonical import SOURCE_GROUPS
from alignment.catalogue import Catalogue, CatalogueError, load_catalogue

PIPELINE: Final = "pipeline"
PERCEPTION: Final = "perception"
MEDIAN_UNITS: Final = ("days", "hours")


@dataclass(frozen=True)
class TargetMetric:
    """A metric a target can name.

    ``catalogue_id`` is the catalogue metric it reads; ``kind`` is ``rate`` (a share with a count behind
    it: ``successes / trials``) or ``median``; ``source`` the dataset it is computed from (``deals`` or
    ``leads``); ``needs`` the canonical columns that must hold values for it to be computed at all, in
    words in ``needs_words``; ``parameters`` the catalogue metric's (e.g. the leakage window ``days``).
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
    catalogue_id: str = ""
    parameters: dict[str, float] = field(default_factory=dict, hash=False, compare=False)

    def format(self, value: float) -> str:
        """A value as the room reads it (``alignment.numbers``): ``35%``, ``12 hours``, ``48 days``."""
        return numbers.percent(value) if self.kind == "rate" else f"{numbers.whole(value)} {self.unit}"

    def format_change(self, change: float) -> str:
        """A change of the value: ``+15 points`` for rates, ``-6 hours`` for medians (never ``-0``)."""
        if self.kind == "rate":
            return f"{numbers.signed(change * 100)} points"
        return f"{numbers.signed(change)} {self.unit}"


@dataclass(frozen=True)
class _Reading:
    """How a target reads a catalogue metric. ``label`` and ``higher_is_better`` are set only for a
    reading that is not the catalogue metric's own figure (the share of leads touched within the SLA)."""

    id: str
    catalogue_id: str
    source: str
    kind: str
    needs: tuple[str, ...]
    needs_words: str
    counted: str
    label: str | None = None
    higher_is_better: bool | None = None


# Each is computed by the dashboard's own functions in alignment.metrics / alignment.lead_metrics
# (see alignment.action_progress.metric_reading).
READINGS: Final = (
    _Reading("win_rate", "win_rate", "deals", "rate", ("outcome",), "won or lost deals", "won of closed deals"),
    _Reading("cycle_time", "cycle_time", "deals", "median", ("created_date", "close_date"), "created and close dates",
             "won deals with both dates"),
    _Reading("lead_acceptance", "lead_acceptance", "leads", "rate", ("accepted_date",), "acceptance dates",
             "accepted of handed-over leads"),
    _Reading("response_within_sla", "response_time", "leads", "rate", ("first_touch_date",), "first-touch dates",
             "touched within the SLA of handed-over leads", "Leads touched within the SLA", True),
    _Reading("response_time", "response_time", "leads", "median", ("first_touch_date",), "first-touch dates",
             "touched leads"),
    _Reading("lead_leakage", "lead_leakage", "leads", "rate", ("first_touch_date",), "first-touch dates",
             "leaked of eligible leads"),
)  # fmt: skip


def target_metrics(catalogue: Catalogue) -> dict[str, TargetMetric]:
    """The metrics a target can name, with label, unit, direction and parameters from ``catalogue``.

    A median reads a catalogue metric in days or hours and is labelled "Median …"; a rate reads a share.
    Raises ``CatalogueError`` naming the metric when the catalogue lacks it or its unit or direction does
    not fit."""
    found = {}
    for reading in READINGS:
        if reading.catalogue_id not in catalogue.ids:
            raise CatalogueError(f"Targets read the metric '{reading.catalogue_id}', which the catalogue lacks.")
        metric = catalogue.metric(reading.catalogue_id)
        own_figure = reading.label is None
        unit = metric.unit if reading.kind == "median" else "share"
        fits = unit in MEDIAN_UNITS if reading.kind == "median" else (metric.unit == "share" or not own_figure)
        if not fits or (own_figure and metric.direction == "neither"):
            raise CatalogueError(
                f"metric '{metric.id}': a target reads it as a {reading.kind}, which its unit "
                f"'{metric.unit}' and direction '{metric.direction}' do not allow."
            )
        median_label = f"Median {metric.label[0].lower()}{metric.label[1:]}"
        label = reading.label or (median_label if reading.kind == "median" else metric.label)
        better = (
            metric.direction == "higher_is_better" if reading.higher_is_better is None else reading.higher_is_better
        )
        found[reading.id] = TargetMetric(
            reading.id,
            label,
            reading.source,
            reading.kind,
            unit,
            better,
            reading.needs,
            reading.needs_words,
            reading.counted,
            metric.id,
            dict(metric.parameters),
        )
    return found


TARGET_METRICS: Final[dict[str, TargetMetric]] = target_metrics(load_catalogue())


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
            return f"Gap on {name} below {numbers.whole(self.below)} points"
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
