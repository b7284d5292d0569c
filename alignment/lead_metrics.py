"""Lead metrics by source group, from the optional canonical leads frame (``filter_leads`` first).

Definitions are in the catalogue (``data/metrics.yaml``). A lead is *handed over* when it has a
hand-over (MQL) date or sales accepted or rejected it; hand-over time is the MQL date, else the
created date. Vectorised like the deal metrics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignment.canonical import SOURCE_GROUPS
from alignment.metrics import (
    DealFilters,
    groups_present,
    latest_date,
    loss_reasons,
    per_group,
    source_codes,
    wilson_interval,
)


def filter_leads(leads: pd.DataFrame, filters: DealFilters) -> pd.DataFrame:
    """Leads matching the source-group and date filters (date range on ``created_date``)."""
    narrowed = DealFilters(source_groups=filters.source_groups, start=filters.start, end=filters.end)
    mask = np.ones(len(leads), dtype=bool)
    if narrowed.source_groups:
        mask &= leads["source_group"].isin(list(narrowed.source_groups)).to_numpy(dtype=bool, na_value=False)
    created = leads["created_date"]
    if narrowed.start is not None:
        mask &= (created >= pd.Timestamp(narrowed.start)).to_numpy(dtype=bool, na_value=False)
    if narrowed.end is not None:
        mask &= (created < pd.Timestamp(narrowed.end) + pd.Timedelta(days=1)).to_numpy(dtype=bool, na_value=False)
    return leads[mask]


def _handed_over(leads: pd.DataFrame) -> np.ndarray:
    """A lead is handed over when it has an MQL date, or sales accepted or rejected it."""
    return (leads["mql_date"].notna() | leads["accepted_date"].notna() | leads["rejected_date"].notna()).to_numpy()


def _handover_time(leads: pd.DataFrame) -> pd.Series:
    return leads["mql_date"].fillna(leads["created_date"])


def lead_acceptance(leads: pd.DataFrame) -> pd.DataFrame:
    """Acceptance per source group: ``handed_over, accepted, rejected, acceptance_rate, low, high``.

    ``acceptance_rate = accepted / handed over`` with its 95% Wilson interval.
    """
    codes, handed = source_codes(leads), _handed_over(leads)
    accepted = handed & leads["accepted_date"].notna().to_numpy()
    rejected = handed & leads["rejected_date"].notna().to_numpy()
    table = pd.DataFrame({"source_group": list(SOURCE_GROUPS), "handed_over": per_group(codes[handed]).astype("int64"),
                          "accepted": per_group(codes[accepted]).astype("int64"),
                          "rejected": per_group(codes[rejected]).astype("int64")})
    table["acceptance_rate"] = table["accepted"] / table["handed_over"].where(table["handed_over"] > 0)
    table["low"], table["high"] = wilson_interval(table["accepted"].to_numpy(), table["handed_over"].to_numpy())
    return groups_present(table, "handed_over")


def rejection_reasons(leads: pd.DataFrame, top: int = 6) -> pd.DataFrame:
    """Rejected leads by reason and source group: ``source_group, reason, deals, share`` (``deals``
    counts leads here), with the same top / other / not recorded rule as ``loss_reasons``."""
    rejected = leads[leads["rejected_date"].notna().to_numpy()]
    as_deals = pd.DataFrame({"outcome": "lost", "source_group": rejected["source_group"],
                             "loss_reason": rejected["reject_reason"], "amount": 0.0})
    return loss_reasons(as_deals, top=top)


def response_time(leads: pd.DataFrame, sla_hours: float) -> pd.DataFrame:
    """Response to handed-over leads per source group.

    Hours from hand-over (MQL date, else created date) to first touch. Columns: ``handed_over,
    touched, negative, median_hours, within_sla, within_sla_share``. The median is over touched
    leads with a span of zero or more (a touch before the hand-over is counted in ``negative``,
    not used); ``within_sla_share = touched within sla_hours / handed over`` (untouched leads count
    as outside the SLA).
    """
    handed = leads[_handed_over(leads)]
    codes = source_codes(handed)
    hours = ((handed["first_touch_date"] - _handover_time(handed)).dt.total_seconds() / 3600.0).to_numpy(
        dtype="float64", na_value=np.nan)
    touched, negative = ~np.isnan(hours), hours < 0
    used = touched & ~negative
    within = used & (hours <= sla_hours)
    rows = []
    for code, group in enumerate(SOURCE_GROUPS):
        in_group = codes == code
        sample = hours[in_group & used]
        count = int(in_group.sum())
        rows.append({"source_group": group, "handed_over": count, "touched": int((in_group & touched).sum()),
                     "negative": int((in_group & negative).sum()),
                     "median_hours": float(np.median(sample)) if sample.size else np.nan,
                     "within_sla": int((in_group & within).sum()),
                     "within_sla_share": float((in_group & within).sum() / count) if count else np.nan})
    return groups_present(pd.DataFrame(rows), "handed_over")


def lead_leakage(leads: pd.DataFrame, days: int = 7, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Leaked leads per source group: ``eligible, leaked, leakage_rate``.

    Eligible: handed over at least ``days`` days before ``as_of`` (default: the latest date in the
    data). Leaked: eligible with no first touch within ``days`` days of the hand-over.
    """
    as_of = as_of if as_of is not None else latest_date(leads)
    handed = leads[_handed_over(leads)]
    start = _handover_time(handed)
    limit = pd.Timedelta(days=days)
    eligible = (start <= (as_of - limit) if as_of is not None else start.notna() & False).to_numpy(
        dtype=bool, na_value=False)
    late = (handed["first_touch_date"] - start > limit).to_numpy(dtype=bool, na_value=False)
    leaked = eligible & (handed["first_touch_date"].isna().to_numpy() | late)
    codes = source_codes(handed)
    table = pd.DataFrame({"source_group": list(SOURCE_GROUPS), "eligible": per_group(codes[eligible]).astype("int64"),
                          "leaked": per_group(codes[leaked]).astype("int64")})
    table["leakage_rate"] = table["leaked"] / table["eligible"].where(table["eligible"] > 0)
    return groups_present(table, "eligible")
