"""Perception next to pipeline facts: one plain-language statement per dimension and linked metric.

The framework links each dimension to metric ids (``evidence`` in ``data/framework.yaml``). For
each link this module writes what the teams say (from ``scoring.self_other``) and what the pipeline
shows (from ``alignment.metrics``), comparing marketing-sourced with sales-sourced deals or leads.
When the data cannot answer, the statement says so and what to do: no pipeline yet, no lead-source
column, no leads file, or groups too small to compare (fewer than ``MIN_CLOSED`` closed deals or
handed-over leads in a group).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from alignment import lead_metrics, metrics, numbers
from alignment.catalogue import Catalogue, Metric, load_catalogue
from alignment.framework import Framework

MIN_CLOSED: Final = 10
NO_PIPELINE: Final = "No pipeline data yet: upload a deals export on the Pipeline data page to test this view."
NO_SOURCE: Final = ("The deals have no lead source, so they cannot be split into marketing- and sales-sourced. "
                    "Map a lead-source column on the Pipeline data page.")
NO_LEADS: Final = ("No leads file yet: add a leads export on the Pipeline data page to see acceptance, response "
                   "time and leakage.")
NO_WON: Final = "No deal is won yet in this view, so there are no bookings to share."


@dataclass(frozen=True)
class PipelineFacts:
    """Every metric table the evidence and the pipeline views need, computed once per filter."""

    deals: int
    leads: int | None
    win_rate: pd.DataFrame
    deal_size: pd.DataFrame
    cycle_time: pd.DataFrame
    loss_reasons: pd.DataFrame
    marketing_share: dict[str, float | int]
    pipeline_created: pd.DataFrame
    stage_conversion: pd.DataFrame
    stage_mix: pd.DataFrame
    open_aging: pd.DataFrame
    lead_acceptance: pd.DataFrame | None
    rejection_reasons: pd.DataFrame | None
    response_time: pd.DataFrame | None
    lead_leakage: pd.DataFrame | None
    sla_hours: float
    leakage_days: int
    has_source: bool
    currency: str | None = None

    def table(self, name: str | None) -> pd.DataFrame | None:
        """A metric table by name (``win_rate``, ``lead_acceptance``, …); None when there is none."""
        value = getattr(self, name, None) if name else None
        return value if isinstance(value, pd.DataFrame) else None


def file_currency(deals: pd.DataFrame) -> str | None:
    """The one currency code of the deals' amounts, or None when the file names none or several."""
    if "currency" not in deals.columns:
        return None
    codes = {str(c).strip().upper() for c in deals["currency"].dropna().unique() if str(c).strip()}
    return codes.pop() if len(codes) == 1 else None


def pipeline_facts(
    deals: pd.DataFrame, leads: pd.DataFrame | None, sla_hours: float = 24, leakage_days: int = 7
) -> PipelineFacts:
    """Compute every metric from already filtered deals (and leads, when there is a leads file)."""
    known = deals["source_group"].notna() & (deals["source_group"] != "unknown")
    return PipelineFacts(
        deals=len(deals), leads=None if leads is None else len(leads),
        win_rate=metrics.win_rate(deals), deal_size=metrics.deal_size(deals), cycle_time=metrics.cycle_time(deals),
        loss_reasons=metrics.loss_reasons(deals), marketing_share=metrics.marketing_share(deals),
        pipeline_created=metrics.pipeline_created(deals), stage_conversion=metrics.stage_conversion(deals),
        stage_mix=metrics.stage_mix(deals), open_aging=metrics.open_aging(deals),
        lead_acceptance=None if leads is None else lead_metrics.lead_acceptance(leads),
        rejection_reasons=None if leads is None else lead_metrics.rejection_reasons(leads),
        response_time=None if leads is None else lead_metrics.response_time(leads, sla_hours),
        lead_leakage=None if leads is None else lead_metrics.lead_leakage(leads, leakage_days),
        sla_hours=sla_hours, leakage_days=leakage_days, has_source=bool(known.any()), currency=file_currency(deals),
    )


def perception_sentence(row: pd.Series) -> str:
    """What the teams say about one dimension (a row with ``practice_of, marketing, sales`` scores)."""
    marketing, sales = row.get("marketing"), row.get("sales")

    def say(value: object, shown: str, withheld: str) -> str:
        return shown.format(f"{float(value):.0f}/100") if pd.notna(value) else withheld

    if row["practice_of"] == "marketing":
        first = say(sales, "Sales rates marketing here {}", "Sales' rating is withheld (too few answers)")
        second = say(marketing, "marketing rates itself {}", "marketing's own rating is withheld (too few answers)")
    elif row["practice_of"] == "sales":
        first = say(marketing, "Marketing rates sales here {}", "Marketing's rating is withheld (too few answers)")
        second = say(sales, "sales rates itself {}", "sales' own rating is withheld (too few answers)")
    else:
        first = say(marketing, "Marketing rates this {}", "Marketing's rating is withheld (too few answers)")
        second = say(sales, "sales rates it {}", "sales' rating is withheld (too few answers)")
    return f"{first}; {second}."


def _groups(table: pd.DataFrame | None) -> dict[str, pd.Series]:
    if table is None or table.empty:
        return {}
    return {str(row["source_group"]): row for _, row in table.iterrows()}


def _pair(table: pd.DataFrame | None, count: str) -> tuple[pd.Series, pd.Series] | str:
    """Marketing's and sales' rows, or the reason they cannot be compared."""
    rows = _groups(table)
    missing = [g for g in ("marketing", "sales") if g not in rows]
    if missing:
        return f"There are no {missing[0]}-sourced records in this view to compare."
    small = [g for g in ("marketing", "sales") if rows[g][count] < MIN_CLOSED]
    if small:
        return (f"Too few {small[0]}-sourced records to compare ({int(rows[small[0]][count])}; at least "
                f"{MIN_CLOSED} are needed).")
    return rows["marketing"], rows["sales"]


def _chance(m: pd.Series, s: pd.Series, rate: str) -> str:
    """Whether the marketing − sales difference in ``rate`` is more than chance, by Newcombe's interval.

    Newcombe's hybrid score interval for a difference of two proportions, from each group's Wilson
    interval (``low``, ``high``): ``d − √((p₁ − l₁)² + (u₂ − p₂)²)`` to ``d + √((u₁ − p₁)² + (p₂ − l₂)²)``.
    """
    difference = m[rate] - s[rate]
    low = difference - np.sqrt((m[rate] - m["low"]) ** 2 + (s["high"] - s[rate]) ** 2)
    high = difference + np.sqrt((m["high"] - m[rate]) ** 2 + (s[rate] - s["low"]) ** 2)
    spread = f"(95% interval {numbers.interval(low * 100, high * 100)} points)"
    if numbers.certain(low, high):
        side = "higher" if difference > 0 else "lower"
        return (f" Marketing-sourced is {numbers.whole(abs(difference) * 100)} points {side} {spread}: "
                "more than chance.")
    return f" The difference of {numbers.signed(difference * 100)} points {spread} may be chance."


def _win_rate(f: PipelineFacts) -> str:
    pair = _pair(f.win_rate, "closed")
    if isinstance(pair, str):
        return pair
    m, s = pair
    return (f"Marketing-sourced deals win {m['win_rate']:.0%} ({int(m['won']):,} of {int(m['closed']):,}) against "
            f"{s['win_rate']:.0%} for sales-sourced ({int(s['won']):,} of {int(s['closed']):,})."
            + _chance(m, s, "win_rate"))


def _deal_size(f: PipelineFacts) -> str:
    pair = _pair(f.deal_size, "won")
    if isinstance(pair, str):
        return pair
    m, s = pair
    return (f"Won marketing-sourced deals average {numbers.amount(m['average'], f.currency)} against "
            f"{numbers.amount(s['average'], f.currency)} for sales-sourced "
            f"({int(m['won']):,} and {int(s['won']):,} won deals).")


def _cycle(f: PipelineFacts) -> str:
    pair = _pair(f.cycle_time, "used")
    if isinstance(pair, str):
        return pair
    m, s = pair
    negative = int(f.cycle_time["negative"].sum())
    note = f" {negative:,} won deals closed before they were created and are left out." if negative else ""
    return (f"Marketing-sourced deals take a median {m['median_days']:.0f} days to win (90th percentile "
            f"{m['p90_days']:.0f}) against {s['median_days']:.0f} days for sales-sourced ({s['p90_days']:.0f}).{note}")


def _loss(f: PipelineFacts) -> str:
    table = f.loss_reasons[f.loss_reasons["reason"] != metrics.NOT_RECORDED]
    parts = []
    for group in ("marketing", "sales"):
        rows = table[table["source_group"] == group]
        if len(rows):
            top = rows.loc[rows["deals"].idxmax()]
            parts.append(f"{group}-sourced: {top['reason']} ({top['share']:.0%} of lost deals)")
    if not parts:
        return "No loss reasons are recorded, so there is nothing to learn from lost deals yet."
    return "Most common loss reason — " + "; ".join(parts) + "."


def _marketing_share(f: PipelineFacts) -> str:
    share = f.marketing_share
    if not share["deals"]:
        return NO_PIPELINE
    value = (f", {numbers.percent(share['pipeline_value_share'])} by value"
             if numbers.known(share["pipeline_value_share"]) else "")
    bookings = (f" and {numbers.percent(share['bookings_share'])} of bookings by value."
                if numbers.known(share["bookings_share"]) else ". " + NO_WON)
    unknown = (f" {numbers.percent(share['unknown_share'])} of the deals have no known source."
               if share.get("unknown_share", 0) > 0 else "")
    return (f"Marketing sourced {numbers.percent(share['pipeline_count_share'])} of the pipeline created "
            f"({int(share['marketing_deals']):,} of {int(share['deals']):,} deals{value}){bookings}{unknown}")


def _pipeline_created(f: PipelineFacts) -> str:
    table = f.pipeline_created
    months = table["month"].nunique()
    counts = table.groupby("source_group")["deals"].sum()
    if not months:
        return NO_PIPELINE
    return (f"Over {months} months, marketing-sourced deals were created at {counts.get('marketing', 0) / months:,.0f}"
            f" a month and sales-sourced at {counts.get('sales', 0) / months:,.0f} a month.")


def _conversion(f: PipelineFacts) -> str:
    pair = _pair(f.stage_conversion, "created")
    if isinstance(pair, str):
        return pair
    m, s = pair
    return (f"Of the deals created, {m['won_share']:.0%} of marketing-sourced were won against {s['won_share']:.0%} "
            f"of sales-sourced ({int(m['created']):,} and {int(s['created']):,} created).")


def _aging(f: PipelineFacts) -> str:
    table = f.open_aging
    if table.empty or not table["deals"].sum():
        return "There are no open deals in this view."
    old = table["bucket"].isin(["91–180 days", "over 180 days"])
    by_group = table.assign(old=table["deals"].where(old, 0)).groupby("source_group")[["old", "deals"]].sum()
    parts = [f"{g}-sourced {by_group.at[g, 'old'] / by_group.at[g, 'deals']:.0%}" for g in ("marketing", "sales")
             if g in by_group.index and by_group.at[g, "deals"]]
    total = table.loc[old, "deals"].sum() / table["deals"].sum()
    return f"{total:.0%} of open deals are more than 90 days old" + (f" ({', '.join(parts)})." if parts else ".")


def _acceptance(f: PipelineFacts) -> str:
    rows = _groups(f.lead_acceptance)
    if "marketing" not in rows or not rows["marketing"]["handed_over"]:
        return "No marketing-sourced leads were handed over to sales in this view."
    m = rows["marketing"]
    text = f"Sales accepts {m['acceptance_rate']:.0%} of marketing-sourced leads ({int(m['accepted']):,} of " \
           f"{int(m['handed_over']):,} handed over)."
    reasons = f.rejection_reasons
    if reasons is not None and len(reasons):
        named = reasons[(reasons["source_group"] == "marketing") & (reasons["reason"] != metrics.NOT_RECORDED)]
        if len(named):
            top = named.loc[named["deals"].idxmax()]
            text += f" The most common reason to reject one: {top['reason']} ({top['share']:.0%})."
    return text


def _response(f: PipelineFacts) -> str:
    rows = _groups(f.response_time)
    if "marketing" not in rows:
        return "No marketing-sourced leads were handed over to sales in this view."
    m = rows["marketing"]
    if not m["touched"]:
        return "The leads have no first-touch dates, so response time cannot be measured."
    return (f"Marketing-sourced leads get a first touch after a median {m['median_hours']:.0f} hours; "
            f"{m['within_sla_share']:.0%} are touched within the {f.sla_hours:g}-hour SLA "
            f"({int(m['within_sla']):,} of {int(m['handed_over']):,}).")


def _leakage(f: PipelineFacts) -> str:
    rows = _groups(f.lead_leakage)
    if "marketing" not in rows:
        return f"No marketing-sourced leads were handed over at least {f.leakage_days} days ago in this view."
    m = rows["marketing"]
    return (f"{m['leakage_rate']:.0%} of marketing-sourced leads had no touch within {f.leakage_days} days of the "
            f"hand-over ({int(m['leaked']):,} of {int(m['eligible']):,}).")


FACTS: Final = {
    "win_rate": _win_rate, "deal_size": _deal_size, "cycle_time": _cycle, "loss_reasons": _loss,
    "marketing_share": _marketing_share, "pipeline_created": _pipeline_created, "stage_conversion": _conversion,
    "open_aging": _aging, "lead_acceptance": _acceptance, "response_time": _response, "lead_leakage": _leakage,
}


def catalogue_sentence(metric: Metric, facts: PipelineFacts) -> str:
    """A metric's sentence from the catalogue, filled with marketing's and sales' figures from its table."""
    pair = _pair(facts.table(metric.table), metric.count or metric.value or "")
    if isinstance(pair, str):
        return pair
    m, s = pair
    if not (numbers.known(m[metric.value]) and numbers.known(s[metric.value])):
        return f"The {metric.label.lower()} cannot be worked out for both groups in this view."
    return metric.sentence_text.format(
        marketing=numbers.formatted(m[metric.value], metric.format, facts.currency),
        sales=numbers.formatted(s[metric.value], metric.format, facts.currency),
        marketing_n=numbers.whole(m[metric.count]) if metric.count else "",
        sales_n=numbers.whole(s[metric.count]) if metric.count else "", **metric.parameters,
    )


def fact_sentence(metric: Metric | str, facts: PipelineFacts | None) -> tuple[str, str]:
    """The pipeline fact for one metric and its state: ``ok``, ``no_pipeline``, ``no_source`` or ``no_leads``.

    Metrics with a sentence of their own here (``FACTS``) use it; any other catalogue metric states
    its catalogue sentence.
    """
    if isinstance(metric, str):
        metric = load_catalogue().metric(metric)
    if metric.leads:
        if facts is None or facts.lead_acceptance is None:
            return NO_LEADS, "no_leads"
    elif facts is None or not facts.deals:
        return NO_PIPELINE, "no_pipeline"
    if not facts.has_source and not metric.leads:
        return NO_SOURCE, "no_source"
    own = FACTS.get(metric.id)
    return (own(facts) if own else catalogue_sentence(metric, facts)), "ok"


def evidence_statements(framework: Framework, perception: pd.DataFrame, facts: PipelineFacts | None,
                        catalogue: Catalogue | None = None) -> pd.DataFrame:
    """One row per (dimension, linked metric): ``dimension_id, dimension_name, metric_id, metric_label,
    definition, perception, fact, state``.

    ``perception`` has one row per dimension with ``dimension_id, practice_of, marketing, sales``
    (team scores, NA when withheld) — e.g. ``PerceptionGaps.dimensions``.
    """
    catalogue = catalogue or load_catalogue()
    by_dimension = perception.set_index("dimension_id")
    rows = []
    for dimension in framework.dimensions:
        if dimension.id in by_dimension.index:
            said = perception_sentence(by_dimension.loc[dimension.id])
        else:
            said = "Not enough answers yet to say how the teams see this."
        for metric_id in dimension.evidence:
            if metric_id not in catalogue.ids:
                continue
            metric = catalogue.metric(metric_id)
            fact, state = fact_sentence(metric, facts)
            rows.append({"dimension_id": dimension.id, "dimension_name": dimension.name, "metric_id": metric_id,
                         "metric_label": metric.label, "definition": metric.definition,
                         "perception": said, "fact": fact, "state": state})
    return pd.DataFrame(rows, columns=["dimension_id", "dimension_name", "metric_id", "metric_label", "definition",
                                       "perception", "fact", "state"])
