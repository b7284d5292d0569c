"""The measurable-target part of the action form: a pipeline metric or a perception gap.

Only metrics the workshop's data can compute are offered, each with today's value beside it (all
sources, then marketing- and sales-sourced); the perception choice shows today's gap per dimension.
The widgets live inside the action form, so they are read once, when the action is added.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import date
from typing import Any, Final

import streamlit as st

from alignment.action_history import computable_metrics, round_evidence
from alignment.action_targets import PERCEPTION, PIPELINE, TARGET_METRICS, ActionTarget
from alignment.charts import source_label
from alignment.store import WorkshopInfo
from alignment.ui import session

NO_TARGET: Final = "No target"
KINDS: Final = {NO_TARGET: None, "A pipeline metric": PIPELINE, "A perception gap": PERCEPTION}
GROUPS: Final = (None, "marketing", "sales", "partner", "other")


@st.cache_data(max_entries=8, ttl=900, show_spinner=False)
def todays_figures(workshop: WorkshopInfo, revision: int) -> tuple[dict[str, dict[str | None, str]], list[str],
                                                                   dict[str, float]]:  # fmt: skip
    """What the room sees today (``revision`` keys the cache): the computable metrics with their values,
    the deal segments, and the shown perception gap per dimension."""
    evidence = round_evidence(session.engine(), workshop, session.framework(workshop), workshop.current_round,
                              own_exports_only=False)  # fmt: skip
    segments = []
    if evidence.deals is not None and "segment" in evidence.deals.columns:
        segments = sorted(str(s) for s in evidence.deals["segment"].dropna().unique())
    gaps = {}
    if evidence.gaps is not None:
        gaps = {str(r.dimension_id): float(r.gap) for r in evidence.gaps.dropna(subset=["gap"]).itertuples()}
    return computable_metrics(evidence), segments, gaps


def _metric_words(metric_id: str, values: dict[str | None, str]) -> str:
    groups = ", ".join(f"{group} {value}" for group, value in values.items() if group)
    return f"{TARGET_METRICS[metric_id].label} — today {values[None]}" + (f" ({groups})" if groups else "")


def _position(options: list[Any], value: Any) -> int:
    return options.index(value) if value in options else 0


def target_fields(key: str, workshop: WorkshopInfo, current: ActionTarget | None = None, narrow: bool = False) -> None:
    """The target widgets of the action form ``key``, showing ``current`` (an action's target) when given;
    ``narrow`` (an edit popover) puts the metric on a line of its own."""
    metrics, segments, gaps = todays_figures(workshop, workshop.revision)
    kind = next(label for label, value in KINDS.items() if value == getattr(current, "kind", None))
    st.radio(
        "Measurable target",
        list(KINDS),
        index=list(KINDS).index(kind),
        horizontal=True,
        key=f"{key}-target-kind",
        help="Checked at the next round against that round's answers and CRM export.",
    )
    if metrics:
        if narrow:
            metric, (group, segment, value, by) = st.container(), st.columns([2, 2, 1.3, 1.5])
        else:
            metric, group, segment, value, by = st.columns([4, 2, 2, 1.3, 1.5])
        metric.selectbox(
            "Pipeline metric",
            list(metrics),
            index=_position(list(metrics), getattr(current, "metric", None)),
            key=f"{key}-target-metric",
            format_func=lambda m: _metric_words(m, metrics[m]),
        )
        group.selectbox(
            "Source group",
            GROUPS,
            index=_position(list(GROUPS), getattr(current, "source_group", None)),
            key=f"{key}-target-group",
            format_func=lambda g: source_label(g) if g else "All sources",
        )
        segment.selectbox(
            "Segment (deal metrics)",
            [None, *segments],
            index=_position([None, *segments], getattr(current, "segment", None)),
            key=f"{key}-target-segment",
            format_func=lambda s: s or "All segments",
        )
        shown = float(current.value) if current is not None and current.value is not None else None
        if shown is not None and current.metric_spec is not None and current.metric_spec.kind == "rate":
            shown *= 100
        value.number_input("Target (%, hours or days)", min_value=0.0, value=shown, step=1.0, key=f"{key}-target-value")
        by.date_input(
            "By",
            value=getattr(current, "by", None),
            min_value=date(2000, 1, 1),
            format="YYYY-MM-DD",
            key=f"{key}-target-by",
        )
    else:
        st.caption("No pipeline metric can be computed from this workshop's data yet: add a CRM export on the "
                   "Pipeline data page to set a pipeline target.")  # fmt: skip
    gap_column, today_column = (st.container(), st.container()) if narrow else st.columns([1, 4])
    gap_column.number_input(
        "Gap below (points)",
        min_value=1.0,
        max_value=100.0,
        value=float(current.below) if current is not None and current.below is not None else None,
        step=1.0,
        key=f"{key}-target-below",
        help="For a perception gap: on the dimension chosen above.",
    )
    names = {d.id: d.name for d in session.framework(workshop).dimensions}
    shown = sorted(gaps.items(), key=lambda item: -abs(item[1]))
    today_column.caption("Today's gaps: " + ", ".join(f"{names.get(d, d)} {abs(g):.0f} points" for d, g in shown)
                         if shown else "No perception gap can be shown for this round yet.")  # fmt: skip


def read_target(state: MutableMapping[str, Any], key: str, dimension_id: str | None) -> ActionTarget | None:
    """The target the form describes, or None; raises ValueError with a sentence when it is incomplete."""
    kind = KINDS.get(state.get(f"{key}-target-kind") or NO_TARGET)
    if kind is None:
        return None
    if kind == PERCEPTION:
        return ActionTarget(PERCEPTION, dimension=dimension_id, below=state.get(f"{key}-target-below"))
    metric = state.get(f"{key}-target-metric")
    if metric not in TARGET_METRICS:
        raise ValueError("No pipeline metric can be computed yet: add a CRM export first.")
    value = state.get(f"{key}-target-value")
    if value is not None and TARGET_METRICS[metric].kind == "rate":
        value = value / 100.0
    return ActionTarget(
        PIPELINE,
        metric=metric,
        source_group=state.get(f"{key}-target-group"),
        segment=state.get(f"{key}-target-segment"),
        value=value,
        by=state.get(f"{key}-target-by"),
    )
