"""Pipeline metrics by source group, computed from the canonical deals frame.

The caller filters first (``filter_deals``) and passes the filtered frame to each metric, so every
metric sees the same rows. All metrics are vectorised (``np.bincount`` over source-group codes);
none loops over rows, so a million deals take milliseconds. Each metric has an id, a label and a
one-line definition in the catalogue (``data/metrics.yaml``, ``alignment.catalogue``), the lead
metrics of ``alignment.lead_metrics`` included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from alignment.canonical import SOURCE_GROUPS

Z_95: Final = 1.959963984540054
AGING_BUCKETS: Final = ((0, 30, "0–30 days"), (31, 60, "31–60 days"), (61, 90, "61–90 days"),
                        (91, 180, "91–180 days"), (181, None, "over 180 days"))
NOT_RECORDED: Final = "Not recorded"
OTHER_REASONS: Final = "All other reasons"


@dataclass(frozen=True)
class DealFilters:
    """An executive's pipeline filters; empty tuples and None mean "all"."""

    segments: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    source_groups: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None


CATEGORY_COLUMNS: Final = ("stage", "outcome", "source_group", "loss_reason", "segment", "region", "product",
                            "lead_source", "currency", "status", "reject_reason")


USED_COLUMNS: Final = ("outcome", "amount", "currency", "created_date", "close_date", "source_group", "stage",
                        "loss_reason", "segment", "region", "product", "mql_date", "accepted_date", "rejected_date",
                        "reject_reason", "first_touch_date")


def prepare_pipeline(frame: pd.DataFrame) -> pd.DataFrame:
    """A canonical deals or leads frame made quick to filter and count.

    Keeps only the columns the metrics and filters read (``USED_COLUMNS``); short text columns become
    categories with surrounding spaces removed; deals get ``created_month`` (first of the month).
    Do this once per dataset and cache it; every metric accepts the frame before or after.
    """
    out = frame.loc[:, [c for c in USED_COLUMNS if c in frame.columns]].copy()
    for column in CATEGORY_COLUMNS:
        if column in out.columns and not isinstance(out[column].dtype, pd.CategoricalDtype):
            values = out[column].astype("category")
            stripped = {c: str(c).strip() for c in values.cat.categories}
            out[column] = values.map(stripped).astype("category") if any(
                k != v for k, v in stripped.items()) else values
    if "outcome" in out.columns:
        out["created_month"] = out["created_date"].to_numpy(dtype="datetime64[ns]").astype("datetime64[M]").astype(
            "datetime64[ns]")
    return out


def filter_deals(deals: pd.DataFrame, filters: DealFilters) -> pd.DataFrame:
    """Deals matching the filters; the date range applies to ``created_date`` (inclusive)."""
    mask = np.ones(len(deals), dtype=bool)
    for column, chosen in (("segment", filters.segments), ("region", filters.regions),
                           ("product", filters.products), ("source_group", filters.source_groups)):
        if chosen:
            mask &= deals[column].isin(list(chosen)).to_numpy(dtype=bool, na_value=False)
    created = deals["created_date"]
    if filters.start is not None:
        mask &= (created >= pd.Timestamp(filters.start)).to_numpy(dtype=bool, na_value=False)
    if filters.end is not None:
        mask &= (created < pd.Timestamp(filters.end) + pd.Timedelta(days=1)).to_numpy(dtype=bool, na_value=False)
    return deals[mask]


def source_codes(frame: pd.DataFrame) -> np.ndarray:
    """Source group of each row as a code into ``SOURCE_GROUPS``; missing or unexpected → unknown."""
    codes = pd.Categorical(frame["source_group"], categories=list(SOURCE_GROUPS)).codes.astype("int64")
    codes[codes < 0] = SOURCE_GROUPS.index("unknown")
    return codes


def per_group(codes: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(codes, weights=weights, minlength=len(SOURCE_GROUPS))


def wilson_interval(successes: np.ndarray, trials: np.ndarray, z: float = Z_95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion; NaN where there are no trials."""
    successes, trials = np.asarray(successes, dtype="float64"), np.asarray(trials, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        p = successes / trials
        denominator = 1.0 + z**2 / trials
        centre = (p + z**2 / (2 * trials)) / denominator
        half = z / denominator * np.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2))
    return centre - half, centre + half


def _amount(deals: pd.DataFrame) -> np.ndarray:
    return np.nan_to_num(deals["amount"].to_numpy(dtype="float64", na_value=np.nan))


def _outcome(deals: pd.DataFrame, value: str) -> np.ndarray:
    return (deals["outcome"] == value).to_numpy(dtype=bool, na_value=False)


def groups_present(table: pd.DataFrame, count_column: str) -> pd.DataFrame:
    """The rows of source groups that have any ``count_column``."""
    return table[table[count_column] > 0].reset_index(drop=True)


def win_rate(deals: pd.DataFrame) -> pd.DataFrame:
    """Win rate per source group: ``won, lost, closed, win_rate, low, high, won_value, lost_value,
    win_rate_value``. ``win_rate = won / (won + lost)``; ``low``/``high`` the 95% Wilson interval;
    ``win_rate_value = won amount / (won + lost amount)``."""
    codes, amount = source_codes(deals), _amount(deals)
    won, lost = _outcome(deals, "won"), _outcome(deals, "lost")
    table = pd.DataFrame({"source_group": list(SOURCE_GROUPS), "won": per_group(codes[won]).astype("int64"),
                          "lost": per_group(codes[lost]).astype("int64"),
                          "won_value": per_group(codes[won], amount[won]),
                          "lost_value": per_group(codes[lost], amount[lost])})
    table["closed"] = table["won"] + table["lost"]
    with np.errstate(invalid="ignore", divide="ignore"):
        table["win_rate"] = table["won"] / table["closed"].where(table["closed"] > 0)
        table["win_rate_value"] = table["won_value"] / (table["won_value"] + table["lost_value"]).where(
            (table["won_value"] + table["lost_value"]) > 0)
    table["low"], table["high"] = wilson_interval(table["won"].to_numpy(), table["closed"].to_numpy())
    return groups_present(table, "closed")


def deal_size(deals: pd.DataFrame) -> pd.DataFrame:
    """Average amount of won deals per source group: ``won, won_value, average``."""
    codes, amount, won = source_codes(deals), _amount(deals), _outcome(deals, "won")
    table = pd.DataFrame({"source_group": list(SOURCE_GROUPS), "won": per_group(codes[won]).astype("int64"),
                          "won_value": per_group(codes[won], amount[won])})
    table["average"] = table["won_value"] / table["won"].where(table["won"] > 0)
    return groups_present(table, "won")


def cycle_time(deals: pd.DataFrame) -> pd.DataFrame:
    """Sales cycle of won deals per source group, in days (``close_date − created_date``).

    Columns: ``won, used, negative, missing_dates, median_days, p90_days``. Spans below zero (closed
    before created — a data-entry error) are counted in ``negative`` and left out of the figures.
    """
    won = deals[_outcome(deals, "won")]
    codes = source_codes(won)
    days = (won["close_date"] - won["created_date"]).dt.days.to_numpy(dtype="float64", na_value=np.nan)
    missing, negative = np.isnan(days), days < 0
    used = ~missing & ~negative
    rows = []
    for code, group in enumerate(SOURCE_GROUPS):
        in_group = codes == code
        sample = days[in_group & used]
        rows.append({"source_group": group, "won": int(in_group.sum()), "used": int(sample.size),
                     "negative": int((in_group & negative).sum()), "missing_dates": int((in_group & missing).sum()),
                     "median_days": float(np.median(sample)) if sample.size else np.nan,
                     "p90_days": float(np.percentile(sample, 90)) if sample.size else np.nan})
    return groups_present(pd.DataFrame(rows), "won")


def pipeline_created(deals: pd.DataFrame) -> pd.DataFrame:
    """Deals created per month and source group: ``month, source_group, deals, value``."""
    if "created_month" in deals.columns:
        created = deals["created_month"].to_numpy(dtype="datetime64[ns]")
    else:
        created = deals["created_date"].to_numpy(dtype="datetime64[ns]").astype("datetime64[M]")
    known = ~np.isnat(created)
    months = created[known].astype("datetime64[M]").astype("int64")
    codes, amount = source_codes(deals)[known], _amount(deals)[known]
    if months.size == 0:
        return pd.DataFrame({"month": pd.Series(dtype="datetime64[ns]"), "source_group": pd.Series(dtype="string"),
                             "deals": pd.Series(dtype="int64"), "value": pd.Series(dtype="float64")})
    first = int(months.min())
    month_count = int(months.max()) - first + 1
    cell = (months - first) * len(SOURCE_GROUPS) + codes
    size = month_count * len(SOURCE_GROUPS)
    month_starts = np.arange(first, first + month_count).astype("datetime64[M]").astype("datetime64[ns]")
    table = pd.DataFrame({
        "month": np.repeat(month_starts, len(SOURCE_GROUPS)),
        "source_group": np.tile(np.array(SOURCE_GROUPS, dtype=object), month_count),
        "deals": np.bincount(cell, minlength=size).astype("int64"),
        "value": np.bincount(cell, weights=amount, minlength=size),
    })
    return groups_present(table, "deals")


def stage_conversion(deals: pd.DataFrame) -> pd.DataFrame:
    """Created → closed → won per source group: ``created, closed, won, closed_share, won_share``."""
    codes = source_codes(deals)
    won, lost = _outcome(deals, "won"), _outcome(deals, "lost")
    table = pd.DataFrame({"source_group": list(SOURCE_GROUPS), "created": per_group(codes).astype("int64"),
                          "closed": per_group(codes[won | lost]).astype("int64"),
                          "won": per_group(codes[won]).astype("int64")})
    created = table["created"].where(table["created"] > 0)
    table["closed_share"], table["won_share"] = table["closed"] / created, table["won"] / created
    return groups_present(table, "created")


def _counts_by_label(codes: np.ndarray, labels: pd.Series, name: str, amount: np.ndarray) -> pd.DataFrame:
    label_codes, uniques = pd.factorize(labels, use_na_sentinel=True)
    label_codes = np.where(label_codes < 0, len(uniques), label_codes)
    names = [str(u) for u in uniques] + [NOT_RECORDED]
    cell = codes * len(names) + label_codes
    size = len(SOURCE_GROUPS) * len(names)
    table = pd.DataFrame({"source_group": np.repeat(np.array(SOURCE_GROUPS, dtype=object), len(names)),
                          name: np.tile(np.array(names, dtype=object), len(SOURCE_GROUPS)),
                          "deals": np.bincount(cell, minlength=size).astype("int64"),
                          "value": np.bincount(cell, weights=amount, minlength=size)})
    return table[table["deals"] > 0]


def _labels(values: pd.Series) -> pd.Series:
    """Text labels without surrounding spaces, blanks as missing (categories are already clean)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values
    return values.astype("string").str.strip().replace("", pd.NA)


def stage_mix(deals: pd.DataFrame) -> pd.DataFrame:
    """Open deals per current stage and source group: ``source_group, stage, deals, value, position``.

    ``position`` puts the stages in funnel order: open deals move down the funnel as they age, so
    stages are ranked by the median age of their open deals (days since created), youngest first.
    """
    open_deals = deals[_outcome(deals, "open")]
    labels = _labels(open_deals["stage"])
    table = _counts_by_label(source_codes(open_deals), labels, "stage", _amount(open_deals))
    as_of = latest_date(deals[["created_date"]])
    if as_of is None or table.empty:
        return table.assign(position=0).reset_index(drop=True)
    ages = (as_of - open_deals["created_date"]).dt.days.to_numpy(dtype="float64", na_value=np.nan)
    named = pd.Series(labels.astype("object").fillna(NOT_RECORDED).to_numpy(), dtype="object")
    median_age = pd.Series(ages).groupby(named.to_numpy()).median()
    rank = median_age.rank(method="first").to_dict()
    table["position"] = table["stage"].map(rank).fillna(len(rank) + 1).astype("int64")
    return table.reset_index(drop=True)


def loss_reasons(deals: pd.DataFrame, top: int = 6) -> pd.DataFrame:
    """Lost deals by loss reason and source group: the ``top`` reasons overall, the rest as
    "All other reasons", blanks as "Not recorded". Columns: ``source_group, reason, deals, share``
    (share of the group's lost deals)."""
    lost = deals[_outcome(deals, "lost")]
    table = _counts_by_label(source_codes(lost), _labels(lost["loss_reason"]), "reason", _amount(lost)).drop(
        columns="value")
    totals = table[table["reason"] != NOT_RECORDED].groupby("reason")["deals"].sum().sort_values(ascending=False)
    keep = set(totals.index[:top]) | {NOT_RECORDED}
    table["reason"] = table["reason"].where(table["reason"].isin(keep), OTHER_REASONS)
    table = table.groupby(["source_group", "reason"], as_index=False, sort=False)["deals"].sum()
    table["share"] = table["deals"] / table.groupby("source_group")["deals"].transform("sum")
    return table.reset_index(drop=True)


def open_aging(deals: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Open deals by age bucket and source group: ``source_group, bucket, deals, value``.

    Age = ``as_of − created_date`` in days; ``as_of`` defaults to the latest created date (open deals
    carry an expected close date in the future, so close dates do not tell when the export was made).
    """
    as_of = as_of if as_of is not None else latest_date(deals[["created_date"]])
    open_deals = deals[_outcome(deals, "open") & deals["created_date"].notna().to_numpy()]
    ages = ((as_of - open_deals["created_date"]).dt.days.to_numpy(dtype="float64") if as_of is not None
            else np.zeros(0))
    edges = [lower for lower, _, _ in AGING_BUCKETS[1:]]
    bucket = np.searchsorted(np.array(edges), np.clip(ages, 0, None), side="right")
    codes, amount = source_codes(open_deals), _amount(open_deals)
    cell = codes * len(AGING_BUCKETS) + bucket
    size = len(SOURCE_GROUPS) * len(AGING_BUCKETS)
    table = pd.DataFrame({
        "source_group": np.repeat(np.array(SOURCE_GROUPS, dtype=object), len(AGING_BUCKETS)),
        "bucket": np.tile(np.array([label for _, _, label in AGING_BUCKETS], dtype=object), len(SOURCE_GROUPS)),
        "deals": np.bincount(cell, minlength=size).astype("int64"),
        "value": np.bincount(cell, weights=amount, minlength=size),
    })
    return table[table.groupby("source_group")["deals"].transform("sum") > 0].reset_index(drop=True)


def latest_date(frame: pd.DataFrame) -> pd.Timestamp | None:
    """The latest date anywhere in the frame's date columns: the "as of" date of an export."""
    dates = [frame[c].max() for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])]
    dates = [d for d in dates if pd.notna(d)]
    return max(dates) if dates else None


def marketing_share(deals: pd.DataFrame) -> dict[str, float | int]:
    """Share of pipeline and bookings that marketing sourced.

    ``pipeline_count_share`` = marketing deals ÷ all deals; ``pipeline_value_share`` = marketing
    amount ÷ all amount; ``bookings_share`` = marketing won amount ÷ all won amount;
    ``unknown_share`` = deals with no known source ÷ all deals.
    """
    codes, amount, won = source_codes(deals), _amount(deals), _outcome(deals, "won")
    counts, values, booked = per_group(codes), per_group(codes, amount), per_group(codes[won], amount[won])
    m, u = SOURCE_GROUPS.index("marketing"), SOURCE_GROUPS.index("unknown")

    def share(part: float, whole: float) -> float:
        return float(part / whole) if whole > 0 else float("nan")

    return {"deals": int(counts.sum()), "marketing_deals": int(counts[m]),
            "pipeline_count_share": share(counts[m], counts.sum()),
            "pipeline_value_share": share(values[m], values.sum()),
            "bookings_share": share(booked[m], booked.sum()), "bookings": float(booked.sum()),
            "unknown_share": share(counts[u], counts.sum())}
