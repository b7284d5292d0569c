"""The canonical pipeline frames every part of the app agrees on.

An import turns a CRM export into one of these frames; the demo generator writes them directly;
the store saves and loads them; the metrics read them. Dates are tz-naive ``datetime64`` columns
(deals: the calendar day; leads: the timestamp, since response times are counted in hours).
Text columns are pandas string columns with missing values as NA.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pandas as pd

OUTCOMES: Final = ("won", "lost", "open")
SOURCE_GROUPS: Final = ("marketing", "sales", "partner", "other", "unknown")

DEAL_FIELDS: Final = (
    "deal_id",
    "deal_name",
    "account",
    "owner",
    "stage",
    "outcome",
    "amount",
    "currency",
    "created_date",
    "close_date",
    "lead_source",
    "source_group",
    "loss_reason",
    "segment",
    "region",
    "product",
)
LEAD_FIELDS: Final = (
    "lead_id",
    "created_date",
    "lead_source",
    "source_group",
    "status",
    "mql_date",
    "accepted_date",
    "rejected_date",
    "reject_reason",
    "first_touch_date",
    "converted_date",
    "deal_id",
)

DEAL_DATE_FIELDS: Final = ("created_date", "close_date")
LEAD_DATE_FIELDS: Final = (
    "created_date",
    "mql_date",
    "accepted_date",
    "rejected_date",
    "first_touch_date",
    "converted_date",
)
NUMBER_FIELDS: Final = ("amount",)


def fields_for(kind: str) -> tuple[str, ...]:
    """The canonical columns of a ``deals`` or ``leads`` frame."""
    if kind == "deals":
        return DEAL_FIELDS
    if kind == "leads":
        return LEAD_FIELDS
    raise ValueError(f"unknown dataset kind {kind!r}: expected 'deals' or 'leads'")


def conform(frame: pd.DataFrame, kind: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Return ``frame`` with exactly the canonical columns of ``kind`` (or those of them named in
    ``columns``), in order, with their dtypes.

    Missing columns are added empty; extra columns are dropped. The input is not modified.
    """
    fields = fields_for(kind) if columns is None else tuple(f for f in fields_for(kind) if f in set(columns))
    date_fields = DEAL_DATE_FIELDS if kind == "deals" else LEAD_DATE_FIELDS
    out = pd.DataFrame(index=frame.index)
    for name in fields:
        column = frame[name] if name in frame.columns else pd.Series(pd.NA, index=frame.index)
        if name in date_fields:
            column = pd.to_datetime(column, errors="coerce")
            if getattr(column.dt, "tz", None) is not None:
                column = column.dt.tz_convert("UTC").dt.tz_localize(None)
            out[name] = column.astype("datetime64[ns]")
        elif name in NUMBER_FIELDS:
            out[name] = pd.to_numeric(column, errors="coerce").astype("float64")
        else:
            out[name] = column.astype("string")
    return out.reset_index(drop=True)
