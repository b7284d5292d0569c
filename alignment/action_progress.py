"""Did the actions move what they promised? Each target checked against the next round and its export.

For an action agreed in round *r* with a target (``alignment.action_targets``), at a later round *n*:

- **Metric then / now**: the target's metric for its population, computed by the dashboard's own
  functions (``alignment.metrics``, ``alignment.lead_metrics``) on the export saved for round *r* and
  on the export saved for round *n*, with the same definitions and filters. Rates come with the
  counts behind them (``successes`` of ``trials``) and a 95% Wilson interval; medians with the number
  of values and a 95% distribution-free interval (the order statistics at ranks
  ``⌊n/2 − 1.96·√n/2⌋`` and ``⌈1 + n/2 + 1.96·√n/2⌉``).
- **Gap then / now**: the perception gap (marketing − sales, ``alignment.gaps``) on the action's
  dimension (or the perception target's) in round *r* and in round *n*, with its bootstrap interval.
- **Verdict**, one of:

  - **met** — the value now reaches the target: a pipeline metric at or beyond the target value in the
    metric's better direction (at or above for win rate, at or below for response time); a perception
    target when the absolute gap now is below the target's points.
  - **moving** — not met, but the change since round *r* goes toward the target and is larger than
    chance alone would give: for a rate, the 95% Newcombe interval of ``now − then`` (hybrid score
    method from the two Wilson intervals) excludes zero; for a median, the two medians' 95% intervals
    do not overlap; for a gap, ``|gap now| − |gap then|`` with a 95% interval from the two bootstrap
    intervals (normal approximation, ``se = (high − low) / 3.92``) lies wholly below zero.
  - **not moving** — not met, and the change goes the wrong way or is within what chance gives.
  - **cannot tell** — a figure cannot be computed then or now; the reason says which and why (no
    export saved for the round, the export lacks the metric's inputs, no rows in the population,
    a gap withheld because a team has fewer than k answers).

Everything here is pure: frames in, ``ActionProgress`` out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from alignment import numbers
from alignment.action_targets import PERCEPTION, TARGET_METRICS, ActionTarget, TargetMetric
from alignment.lead_metrics import filter_leads, lead_acceptance, lead_leakage, response_time
from alignment.metrics import Z_95, DealFilters, cycle_time, filter_deals, wilson_interval, win_rate

if TYPE_CHECKING:
    from alignment.store.actions import ActionInfo

MET: Final = "met"
MOVING: Final = "moving"
NOT_MOVING: Final = "not moving"
CANNOT_TELL: Final = "cannot tell"
VERDICTS: Final = (MET, MOVING, NOT_MOVING, CANNOT_TELL)
PROGRESS_COLUMNS: Final = ("Action", "Owner", "Agreed in round", "Checked in round", "Target", "Metric then",
                           "Metric now", "Counts then", "Counts now", "Change interval (95%)", "Gap then", "Gap now",
                           "Verdict", "Why")  # fmt: skip


@dataclass(frozen=True)
class RoundEvidence:
    """What one round brings to the check: its own exports (None when none was saved for the round)
    and its perception gaps per dimension (``PerceptionGaps.dimensions``; None without answers)."""

    round_no: int
    deals: pd.DataFrame | None = None
    leads: pd.DataFrame | None = None
    gaps: pd.DataFrame | None = None
    sla_hours: float = 24.0


@dataclass(frozen=True)
class MetricReading:
    """A target metric in one round. ``value`` is None when it cannot be computed (``reason`` says why).

    Rates: ``count`` successes of ``total`` trials. Medians: ``count`` values used of ``total`` rows in
    the population. ``low``/``high``: the 95% interval of the value.
    """

    value: float | None
    count: int = 0
    total: int = 0
    low: float | None = None
    high: float | None = None
    reason: str = ""


@dataclass(frozen=True)
class GapReading:
    """A dimension's perception gap in one round (None with a reason when withheld or unanswered)."""

    value: float | None
    low: float | None = None
    high: float | None = None
    reason: str = ""


@dataclass(frozen=True)
class ActionProgress:
    """One action checked: its target, the figures then and now, and the verdict with its reason."""

    action_id: int
    text: str
    owner: str
    target: ActionTarget
    round_then: int
    round_now: int
    metric_then: MetricReading | None
    metric_now: MetricReading | None
    change_low: float | None
    change_high: float | None
    gap_then: GapReading | None
    gap_now: GapReading | None
    verdict: str
    reason: str


def _rate(successes: int, trials: int, empty: str) -> MetricReading:
    if trials == 0:
        return MetricReading(None, reason=empty)
    low, high = wilson_interval(np.array([successes]), np.array([trials]))
    return MetricReading(successes / trials, successes, trials, float(low[0]), float(high[0]))


def median_interval(values: np.ndarray, z: float = Z_95) -> tuple[float, float]:
    """Distribution-free 95% interval of a median: the order statistics at ranks ``⌊n/2 − z·√n/2⌋`` and
    ``⌈1 + n/2 + z·√n/2⌉`` (clipped to 1…n), which holds whatever the distribution of the values."""
    ordered = np.sort(values)
    n = ordered.size
    lower = int(np.clip(np.floor(n / 2 - z * np.sqrt(n) / 2), 1, n))
    upper = int(np.clip(np.ceil(n / 2 + z * np.sqrt(n) / 2 + 1), 1, n))
    return float(ordered[lower - 1]), float(ordered[upper - 1])


def _median(values: np.ndarray, rows: int, empty: str) -> MetricReading:
    values = values[~np.isnan(values)]
    if values.size == 0:
        return MetricReading(None, 0, rows, reason=empty)
    low, high = median_interval(values)
    return MetricReading(float(np.median(values)), int(values.size), rows, low, high)


def _whole(frame: pd.DataFrame) -> pd.DataFrame:
    """The (already filtered) population as one source group, so the dashboard's per-group metric
    functions give the population's own figure rather than one per group."""
    return frame.assign(source_group="marketing")


def _won_cycle_days(deals: pd.DataFrame) -> np.ndarray:
    """Spans the sales-cycle median is taken over (``metrics.cycle_time``): won, both dates, not negative."""
    won = deals[(deals["outcome"] == "won").to_numpy(dtype=bool, na_value=False)]
    days = (won["close_date"] - won["created_date"]).dt.days.to_numpy(dtype="float64", na_value=np.nan)
    return np.where(days >= 0, days, np.nan)


def _response_hours(leads: pd.DataFrame) -> np.ndarray:
    """Spans the response median is taken over (``lead_metrics.response_time``): handed-over leads,
    hours from MQL date (else created date) to first touch, not negative."""
    handed = (leads["mql_date"].notna() | leads["accepted_date"].notna() | leads["rejected_date"].notna()).to_numpy()
    chosen = leads[handed]
    start = chosen["mql_date"].fillna(chosen["created_date"])
    hours = ((chosen["first_touch_date"] - start).dt.total_seconds() / 3600.0).to_numpy(
        dtype="float64", na_value=np.nan
    )
    return np.where(hours >= 0, hours, np.nan)


def metric_reading(target: ActionTarget, evidence: RoundEvidence) -> MetricReading:
    """The target's metric on round ``evidence.round_no``'s own export, for the target's population."""
    spec = TARGET_METRICS[target.metric or ""]
    frame = evidence.deals if spec.source == "deals" else evidence.leads
    where = f"round {evidence.round_no}'s {spec.source} export"
    if frame is None:
        return MetricReading(None, reason=f"no {spec.source} export was saved for round {evidence.round_no}")
    lacking = [c for c in spec.needs if c not in frame.columns or not frame[c].notna().any()]
    if lacking:
        return MetricReading(None, reason=f"{where} has no {spec.needs_words}")
    groups = (target.source_group,) if target.source_group else ()
    if spec.source == "deals":
        chosen = filter_deals(frame, DealFilters(segments=(target.segment,) if target.segment else (),
                                                  source_groups=groups))  # fmt: skip
    else:
        chosen = filter_leads(frame, DealFilters(source_groups=groups))
    empty = f"{where} has no {target.population_words()} {spec.counted.split(' of ')[-1]}"
    whole = _whole(chosen)
    if spec.id == "win_rate":
        table = win_rate(whole)
        return _rate(int(table["won"].sum()), int(table["closed"].sum()), empty)
    if spec.id == "lead_acceptance":
        table = lead_acceptance(whole)
        return _rate(int(table["accepted"].sum()), int(table["handed_over"].sum()), empty)
    if spec.id == "response_within_sla":
        table = response_time(whole, evidence.sla_hours)
        return _rate(int(table["within_sla"].sum()), int(table["handed_over"].sum()), empty)
    if spec.id == "lead_leakage":
        table = lead_leakage(whole, days=int(spec.parameters.get("days", 7)))
        return _rate(int(table["leaked"].sum()), int(table["eligible"].sum()), empty)
    if spec.id == "cycle_time":
        reading = _median(_won_cycle_days(chosen), len(chosen), empty)
        table = cycle_time(whole)
        return reading if table.empty else _same_median(reading, float(table["median_days"].iloc[0]))
    reading = _median(_response_hours(chosen), len(chosen), empty)
    table = response_time(whole, evidence.sla_hours)
    return reading if table.empty else _same_median(reading, float(table["median_hours"].iloc[0]))


def _same_median(reading: MetricReading, median: float) -> MetricReading:
    """The dashboard's median with the interval worked out here (both from the same spans)."""
    if reading.value is None or np.isnan(median):
        return reading
    return MetricReading(median, reading.count, reading.total, reading.low, reading.high)


def gap_reading(gaps: pd.DataFrame | None, dimension_id: str, round_no: int) -> GapReading:
    """The perception gap on ``dimension_id`` in a round, or why there is none."""
    if gaps is None or gaps.empty:
        return GapReading(None, reason=f"no answers in round {round_no}")
    rows = gaps[gaps["dimension_id"] == dimension_id]
    if rows.empty:
        return GapReading(None, reason=f"the framework of round {round_no} has no such dimension")
    row = rows.iloc[0]
    if pd.isna(row["gap"]):
        return GapReading(None, reason=f"round {round_no}'s gap is withheld: {row['reason']}")
    return GapReading(float(row["gap"]), float(row["low"]), float(row["high"]))


def newcombe_interval(then: MetricReading, now: MetricReading) -> tuple[float, float]:
    """95% interval of ``now − then`` for two independent proportions (Newcombe's hybrid score method):
    ``d ∓ √((p_now − l_now)² + (u_then − p_then)²)`` below and ``√((u_now − p_now)² + (p_then − l_then)²)`` above."""
    p0, p1 = float(then.value or 0), float(now.value or 0)
    l0, u0, l1, u1 = (float(x or 0) for x in (then.low, then.high, now.low, now.high))
    change = p1 - p0
    return change - float(np.hypot(p1 - l1, u0 - p0)), change + float(np.hypot(u1 - p1, p0 - l0))


def _reached(spec: TargetMetric, value: float, target: float) -> bool:
    return value >= target if spec.higher_is_better else value <= target


def _pipeline_verdict(
    target: ActionTarget, then: MetricReading, now: MetricReading, round_then: int, round_now: int
) -> tuple[str, str, float | None, float | None]:
    spec = TARGET_METRICS[target.metric or ""]
    if then.value is None:
        return CANNOT_TELL, f"Cannot tell: {then.reason}.", None, None
    if now.value is None:
        return CANNOT_TELL, f"Cannot tell: {now.reason}.", None, None
    goal = float(target.value or 0)
    moved = f"from {spec.format(then.value)} in round {round_then} to {spec.format(now.value)} in round {round_now}"
    low = high = None
    if spec.kind == "rate":
        low, high = newcombe_interval(then, now)
        change = spec.format_change(now.value - then.value)
        noise = f"the change ({change}, 95% interval {spec.format_change(low)} to {spec.format_change(high)})"
        beyond_chance = low > 0 or high < 0
    else:
        before = f"{spec.format(then.low or 0)}–{spec.format(then.high or 0)}"
        after = f"{spec.format(now.low or 0)}–{spec.format(now.high or 0)}"
        noise = f"the medians' 95% intervals ({before} and {after})"
        beyond_chance = (now.low or 0) > (then.high or 0) or (now.high or 0) < (then.low or 0)
    if _reached(spec, now.value, goal):
        return MET, f"Met: {moved}; the target is {spec.format(goal)}.", low, high
    toward = now.value > then.value if spec.higher_is_better else now.value < then.value
    if toward and beyond_chance:
        overlap = "do not overlap" if spec.kind == "median" else "is more than chance alone gives"
        return MOVING, f"Moving: {moved}; {noise} {overlap}, short of {spec.format(goal)}.", low, high
    if not toward and beyond_chance:
        return NOT_MOVING, f"Not moving: {moved}, away from {spec.format(goal)}.", low, high
    return NOT_MOVING, f"Not moving: {moved}; {noise} is within what chance alone gives.", low, high


def _gap_verdict(target: ActionTarget, then: GapReading, now: GapReading) -> tuple[str, str]:
    if now.value is None:
        return CANNOT_TELL, f"Cannot tell: {now.reason}."
    below = float(target.below or 0)
    if abs(now.value) < below:
        return MET, f"Met: the gap is {numbers.whole(abs(now.value))} points now, below {numbers.whole(below)}."
    if then.value is None:
        return CANNOT_TELL, f"Cannot tell: {then.reason}."
    se = np.hypot(((then.high or 0) - (then.low or 0)) / (2 * Z_95), ((now.high or 0) - (now.low or 0)) / (2 * Z_95))
    change = abs(now.value) - abs(then.value)
    words = f"from {numbers.whole(abs(then.value))} to {numbers.whole(abs(now.value))} points apart"
    if change + Z_95 * se < 0:
        return MOVING, f"Moving: {words}, a narrowing beyond chance, not yet below {numbers.whole(below)}."
    if change > 0:
        return NOT_MOVING, f"Not moving: {words}, wider than before."
    return NOT_MOVING, f"Not moving: {words}; within what chance alone gives for answers this few or this split."


def action_progress(
    actions: Sequence[ActionInfo], rounds: Mapping[int, RoundEvidence], now_round: int, today: date
) -> list[ActionProgress]:
    """Every action with a target agreed before ``now_round``, checked against ``now_round``.

    ``rounds`` maps a round number to its evidence; a round missing from it counts as one without
    exports or answers. ``today`` only adds "the target date has passed" to a verdict that is not met.
    """
    now = rounds.get(now_round, RoundEvidence(now_round))
    checked = []
    for action in actions:
        target = action.target
        if target is None or action.round_no >= now_round:
            continue
        then = rounds.get(action.round_no, RoundEvidence(action.round_no))
        dimension = target.dimension if target.kind == PERCEPTION else action.dimension_id
        gap_then = gap_reading(then.gaps, dimension, then.round_no) if dimension else None
        gap_now = gap_reading(now.gaps, dimension, now.round_no) if dimension else None
        metric_then = metric_now = None
        low = high = None
        if target.kind == PERCEPTION:
            verdict, reason = _gap_verdict(target, gap_then or GapReading(None), gap_now or GapReading(None))
        else:
            metric_then, metric_now = metric_reading(target, then), metric_reading(target, now)
            verdict, reason, low, high = _pipeline_verdict(target, metric_then, metric_now, then.round_no, now_round)
            if verdict in (MOVING, NOT_MOVING) and target.by is not None and target.by < today:
                reason += f" The target date ({target.by:%d %b %Y}) has passed."
        checked.append(ActionProgress(
            action_id=action.id, text=action.text, owner=action.owner, target=target, round_then=action.round_no,
            round_now=now_round, metric_then=metric_then, metric_now=metric_now, change_low=low, change_high=high,
            gap_then=gap_then, gap_now=gap_now, verdict=verdict, reason=reason,
        ))  # fmt: skip
    return checked


def progress_table(progress: Sequence[ActionProgress], dimension_names: Mapping[str, str]) -> pd.DataFrame:
    """One row per checked action (``PROGRESS_COLUMNS``), in words and figures, for the workbook and CSV files."""
    rows = []
    for p in progress:
        spec = p.target.metric_spec
        rows.append({
            "Action": p.text, "Owner": p.owner, "Agreed in round": p.round_then, "Checked in round": p.round_now,
            "Target": p.target.describe(dict(dimension_names)),
            "Metric then": _figure(spec, p.metric_then), "Metric now": _figure(spec, p.metric_now),
            "Counts then": _counts(spec, p.metric_then), "Counts now": _counts(spec, p.metric_now),
            "Change interval (95%)": (f"{spec.format_change(p.change_low)} to {spec.format_change(p.change_high)}"
                                      if spec and p.change_low is not None else ""),
            "Gap then": _gap(p.gap_then), "Gap now": _gap(p.gap_now), "Verdict": p.verdict, "Why": p.reason,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(PROGRESS_COLUMNS))


def _figure(spec: TargetMetric | None, reading: MetricReading | None) -> str:
    if spec is None or reading is None:
        return ""
    return spec.format(reading.value) if reading.value is not None else f"cannot tell: {reading.reason}"


def _counts(spec: TargetMetric | None, reading: MetricReading | None) -> str:
    """``12 won of 40 closed deals`` or ``35 of 50 touched leads`` — what a figure rests on."""
    if spec is None or reading is None or reading.value is None:
        return ""
    if spec.kind == "rate":
        did, of = spec.counted.split(" of ")
        return f"{reading.count:,} {did} of {reading.total:,} {of}"
    return f"median of {reading.count:,} {spec.counted}"


def _gap(reading: GapReading | None) -> str:
    if reading is None:
        return ""
    if reading.value is None:
        return f"cannot tell: {reading.reason}"
    return f"{numbers.signed(reading.value)} ({numbers.interval(reading.low, reading.high)})"


def figure_words(progress: ActionProgress) -> dict[str, str]:
    """The figures of one checked action as short texts for a screen or a slide:
    ``metric_then, metric_now, counts_then, counts_now, gap_then, gap_now``."""
    spec = progress.target.metric_spec
    return {"metric_then": _figure(spec, progress.metric_then), "metric_now": _figure(spec, progress.metric_now),
            "counts_then": _counts(spec, progress.metric_then), "counts_now": _counts(spec, progress.metric_now),
            "gap_then": _gap(progress.gap_then), "gap_now": _gap(progress.gap_now)}  # fmt: skip
