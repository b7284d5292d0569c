"""Pure chart builders for the pipeline and lead metrics (``alignment.metrics`` tables in).

Same rules as ``alignment.charts``: aggregated input only, input never changed, exact values in
tooltips, alt text in ``description``, one colour per source group (marketing-sourced in
marketing's colour, sales-sourced in sales').
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import altair as alt
import pandas as pd

from alignment.canonical import SOURCE_GROUPS
from alignment.charts import bounded, finish, source_label, source_scale
from alignment.metrics import AGING_BUCKETS


def _with_labels(data: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    data["source"] = data["source_group"].map(source_label)
    present = [g for g in SOURCE_GROUPS if g in set(data["source_group"])]
    return data, present


def _source_colour(groups: list[str], legend: bool = True) -> alt.Color:
    """Colour by source group; no legend where the axis already names each group."""
    return alt.Color("source:N", title="Source", scale=source_scale(groups), sort=[source_label(g) for g in groups],
                     legend=alt.Legend() if legend else None)


def pipeline_created_chart(table: pd.DataFrame, measure: str = "deals", font_scale: float = 1.0) -> alt.Chart:
    """Stacked bars of pipeline created per month by source group; ``measure`` is ``deals`` or ``value``."""
    data, groups = _with_labels(bounded(table, ["month", "source_group", "deals", "value"]))
    title = "Deals created" if measure == "deals" else "Amount created"
    chart = alt.Chart(data).mark_bar().encode(
        x=alt.X("yearmonth(month):O", title=None, axis=alt.Axis(labelAngle=-45, format="%b %Y")),
        y=alt.Y(f"{measure}:Q", title=title, axis=alt.Axis(format="~s")),
        color=_source_colour(groups),
        tooltip=[alt.Tooltip("yearmonth(month):T", title="Month", format="%B %Y"),
                 alt.Tooltip("source:N", title="Source"), alt.Tooltip("deals:Q", title="Deals", format=","),
                 alt.Tooltip("value:Q", title="Amount", format=",.0f")],
    )
    months = data["month"].nunique()
    description = f"Stacked bar chart of {title.lower()} per month over {months} months, split by source group."
    return finish(chart, description, font_scale, height=int(260 * min(font_scale, 1.5)))


def _rate_chart(data: pd.DataFrame, groups: list[str], rate: str, axis_title: str, tooltip: list[alt.Tooltip],
                description: str, font_scale: float) -> alt.Chart:
    y = alt.Y("source:N", title=None, sort=[source_label(g) for g in groups])
    x_scale = alt.Scale(domain=[0, 1])
    interval = alt.Chart(data).mark_rule(strokeWidth=3).encode(
        y=y, x=alt.X("low:Q", scale=x_scale), x2=alt.X2("high:Q"), color=_source_colour(groups, legend=False),
        tooltip=tooltip)
    point = alt.Chart(data).mark_point(filled=True, size=int(160 * font_scale), opacity=1).encode(
        y=y, x=alt.X(f"{rate}:Q", title=axis_title, scale=x_scale, axis=alt.Axis(format="%")),
        color=_source_colour(groups, legend=False), tooltip=tooltip)
    return finish(alt.layer(interval, point), description, font_scale, step=40)


def win_rate_chart(table: pd.DataFrame, font_scale: float = 1.0) -> alt.Chart:
    """Win rate by count per source group with its 95% interval; by value in the tooltip."""
    columns = ["source_group", "won", "lost", "closed", "win_rate", "low", "high", "win_rate_value"]
    data, groups = _with_labels(bounded(table, columns))
    tooltip = [alt.Tooltip("source:N", title="Source"), alt.Tooltip("win_rate:Q", title="Win rate", format=".1%"),
               alt.Tooltip("low:Q", title="95% interval from", format=".1%"),
               alt.Tooltip("high:Q", title="95% interval to", format=".1%"),
               alt.Tooltip("won:Q", title="Won", format=","), alt.Tooltip("lost:Q", title="Lost", format=","),
               alt.Tooltip("win_rate_value:Q", title="Win rate by value", format=".1%")]
    description = "Win rate by source group with 95% intervals: " + "; ".join(
        f"{source_label(r.source_group)} {r.win_rate:.0%} ({r.won} of {r.closed})" for r in data.itertuples()) + "."
    return _rate_chart(data, groups, "win_rate", "Win rate (won ÷ closed)", tooltip, description, font_scale)


def lead_acceptance_chart(table: pd.DataFrame, font_scale: float = 1.0) -> alt.Chart:
    """Lead acceptance rate per source group with its 95% interval."""
    columns = ["source_group", "handed_over", "accepted", "rejected", "acceptance_rate", "low", "high"]
    data, groups = _with_labels(bounded(table, columns))
    tooltip = [alt.Tooltip("source:N", title="Source"),
               alt.Tooltip("acceptance_rate:Q", title="Accepted", format=".1%"),
               alt.Tooltip("low:Q", title="95% interval from", format=".1%"),
               alt.Tooltip("high:Q", title="95% interval to", format=".1%"),
               alt.Tooltip("accepted:Q", title="Accepted leads", format=","),
               alt.Tooltip("handed_over:Q", title="Handed over", format=","),
               alt.Tooltip("rejected:Q", title="Rejected", format=",")]
    description = "Lead acceptance by source group with 95% intervals: " + "; ".join(
        f"{source_label(r.source_group)} {r.acceptance_rate:.0%} ({r.accepted} of {r.handed_over})"
        for r in data.itertuples()) + "."
    return _rate_chart(data, groups, "acceptance_rate", "Accepted ÷ handed over", tooltip, description, font_scale)


def cycle_chart(table: pd.DataFrame, font_scale: float = 1.0) -> alt.Chart:
    """Median sales cycle of won deals per source group (bar) with the 90th percentile (tick)."""
    columns = ["source_group", "won", "used", "negative", "median_days", "p90_days"]
    data, groups = _with_labels(bounded(table, columns))
    data = data.dropna(subset=["median_days"])
    y = alt.Y("source:N", title=None, sort=[source_label(g) for g in groups])
    tooltip = [alt.Tooltip("source:N", title="Source"), alt.Tooltip("median_days:Q", title="Median days", format=".0f"),
               alt.Tooltip("p90_days:Q", title="90th percentile days", format=".0f"),
               alt.Tooltip("used:Q", title="Won deals used", format=","),
               alt.Tooltip("negative:Q", title="Closed before created (not used)", format=",")]
    bars = alt.Chart(data).mark_bar().encode(
        y=y, x=alt.X("median_days:Q", title="Days to win: median ▮, 90th percentile |"),
        color=_source_colour(groups, legend=False), tooltip=tooltip)
    ticks = alt.Chart(data).mark_tick(thickness=3, size=int(26 * font_scale), color="#222222").encode(
        y=y, x="p90_days:Q", tooltip=tooltip)
    description = "Bar chart of the median sales cycle per source group: " + "; ".join(
        f"{source_label(r.source_group)} {r.median_days:.0f} days (90th percentile {r.p90_days:.0f})"
        for r in data.itertuples()) + "."
    return finish(alt.layer(bars, ticks), description, font_scale, step=40)


def stage_funnel_chart(table: pd.DataFrame, font_scale: float = 1.0) -> alt.Chart:
    """Created → closed → won per source group, as shares of the deals created."""
    data, groups = _with_labels(bounded(table, ["source_group", "created", "closed", "won"]))
    data["total"] = data["created"]
    long = data.melt(id_vars=["source_group", "source", "total"], value_vars=["created", "closed", "won"],
                     var_name="step", value_name="deals")
    long["step"] = long["step"].map({"created": "Created", "closed": "Closed", "won": "Won"})
    long["share"] = (long["deals"] / long["total"]).round(4)
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("step:N", title=None, sort=["Created", "Closed", "Won"]),
        yOffset=alt.YOffset("source:N", sort=[source_label(g) for g in groups]),
        x=alt.X("share:Q", title="Share of deals created", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=_source_colour(groups),
        tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("step:N", title="Step"),
                 alt.Tooltip("deals:Q", title="Deals", format=","),
                 alt.Tooltip("share:Q", title="Share of created", format=".1%")],
    )
    description = "Funnel bars per source group: share of deals created that closed and that were won."
    return finish(chart, description, font_scale, step=14)


def _stacked_by_group(table: pd.DataFrame, category: str, title: str, order: list[str] | None, measure: str,
                      description: str, font_scale: float, percent: bool = False) -> alt.Chart:
    """Bars per category and source group. With ``order`` every category keeps its row and label,
    whatever a filter leaves (a category without deals shows an empty row)."""
    data, groups = _with_labels(bounded(table, ["source_group", category, measure]))
    axis = alt.Axis(labelOverlap=False)
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y(f"{category}:N", title=None, sort=order if order is not None else "-x", axis=axis,
                scale=alt.Scale(domain=order) if order is not None else alt.Undefined),
        yOffset=alt.YOffset("source:N", sort=[source_label(g) for g in groups]),
        x=alt.X(f"{measure}:Q", title=title, axis=alt.Axis(format="%" if percent else "~s")),
        color=_source_colour(groups),
        tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip(f"{category}:N", title=category.capitalize()),
                 alt.Tooltip(f"{measure}:Q", title=title, format=".1%" if percent else ",")],
    )
    return finish(chart, description, font_scale, step=max(12, 26 // max(1, len(groups))))


def aging_chart(table: pd.DataFrame, font_scale: float = 1.0) -> alt.Chart:
    """Open deals per age bucket and source group."""
    order = [label for _, _, label in AGING_BUCKETS]
    return _stacked_by_group(table, "bucket", "Open deals", order, "deals",
                             "Bar chart of open deals by days since they were created, per source group.", font_scale)


def stage_mix_chart(table: pd.DataFrame, font_scale: float = 1.0) -> alt.Chart:
    """Open deals per current stage and source group, stages in funnel order (``metrics.stage_mix``)."""
    ranked = table.sort_values("position", kind="stable") if "position" in table.columns else table
    order = list(dict.fromkeys(ranked["stage"]))
    return _stacked_by_group(table, "stage", "Open deals", order, "deals",
                             "Bar chart of open deals by current stage, per source group.", font_scale)


def reasons_chart(table: pd.DataFrame, what: str = "lost deals", font_scale: float = 1.0) -> alt.Chart:
    """Loss (or lead rejection) reasons as shares of each source group's ``what``."""
    order = table.groupby("reason")["deals"].sum().sort_values(ascending=False).index.tolist() if len(table) else []
    return _stacked_by_group(table, "reason", f"Share of {what}", order, "share",
                             f"Bar chart of the reasons for {what}, as shares per source group.", font_scale,
                             percent=True)


def response_time_chart(table: pd.DataFrame, sla_hours: float, font_scale: float = 1.0) -> alt.Chart:
    """Share of handed-over leads touched within the SLA, per source group; median hours in the tooltip."""
    columns = ["source_group", "handed_over", "touched", "median_hours", "within_sla", "within_sla_share"]
    data, groups = _with_labels(bounded(table, columns))
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("source:N", title=None, sort=[source_label(g) for g in groups]),
        x=alt.X("within_sla_share:Q", title=f"Touched within {sla_hours:g} hours of hand-over",
                axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=_source_colour(groups, legend=False),
        tooltip=[alt.Tooltip("source:N", title="Source"),
                 alt.Tooltip("within_sla_share:Q", title="Within the SLA", format=".1%"),
                 alt.Tooltip("within_sla:Q", title="Leads within the SLA", format=","),
                 alt.Tooltip("handed_over:Q", title="Handed over", format=","),
                 alt.Tooltip("median_hours:Q", title="Median hours to first touch", format=".1f")],
    )
    description = f"Bar chart of the share of leads touched within {sla_hours:g} hours, per source group: " + "; ".join(
        f"{source_label(r.source_group)} {r.within_sla_share:.0%}" for r in data.itertuples()) + "."
    return finish(chart, description, font_scale, step=40)


def leakage_chart(table: pd.DataFrame, days: int, font_scale: float = 1.0) -> alt.Chart:
    """Share of handed-over leads with no touch within ``days`` days, per source group."""
    data, groups = _with_labels(bounded(table, ["source_group", "eligible", "leaked", "leakage_rate"]))
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("source:N", title=None, sort=[source_label(g) for g in groups]),
        x=alt.X("leakage_rate:Q", title=f"No touch within {days} days", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=_source_colour(groups, legend=False),
        tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("leakage_rate:Q", title="Leaked", format=".1%"),
                 alt.Tooltip("leaked:Q", title="Leads leaked", format=","),
                 alt.Tooltip("eligible:Q", title="Leads handed over", format=",")],
    )
    description = f"Bar chart of the share of leads with no touch within {days} days, per source group."
    return finish(chart, description, font_scale, step=40)


CHARTS: Final[dict[str, Callable[[pd.DataFrame, Any, float], alt.TopLevelMixin]]] = {
    "pipeline_created_chart": lambda table, facts, scale: pipeline_created_chart(table, font_scale=scale),
    "win_rate_chart": lambda table, facts, scale: win_rate_chart(table, font_scale=scale),
    "cycle_chart": lambda table, facts, scale: cycle_chart(table, font_scale=scale),
    "stage_funnel_chart": lambda table, facts, scale: stage_funnel_chart(table, font_scale=scale),
    "stage_mix_chart": lambda table, facts, scale: stage_mix_chart(table, font_scale=scale),
    "aging_chart": lambda table, facts, scale: aging_chart(table, font_scale=scale),
    "reasons_chart": lambda table, facts, scale: reasons_chart(table, font_scale=scale),
    "rejection_reasons_chart": lambda table, facts, scale: reasons_chart(table, "rejected leads", font_scale=scale),
    "lead_acceptance_chart": lambda table, facts, scale: lead_acceptance_chart(table, font_scale=scale),
    "response_time_chart": lambda table, facts, scale: response_time_chart(table, facts.sla_hours, font_scale=scale),
    "leakage_chart": lambda table, facts, scale: leakage_chart(table, facts.leakage_days, font_scale=scale),
}


def draw(chart: str, table: pd.DataFrame, facts: Any, font_scale: float = 1.0) -> alt.TopLevelMixin:  # noqa: ANN401
    """The catalogue's ``chart`` of a metric, from its table (``facts`` gives the SLA hours and leakage days)."""
    return CHARTS[chart](table, facts, font_scale)
