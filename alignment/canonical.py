"""The canonical pipeline frames every part of the app agrees on.

An import turns a CRM export into one of these frames; the demo generator writes them directly;
the store saves and loads them; the metrics read them. Dates are tz-naive ``datetime64`` columns
(deals: the calendar day; leads: the timestamp, since response times are counted in hours).
Text columns are pandas string columns with missing values as NA.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


def conform(
    frame: pd.DataFrame | Mapping[str, pd.Series], kind: str, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Return ``frame`` with exactly the canonical columns of ``kind`` (or those of them named in
    ``columns``), in order, with their dtypes.

    ``frame`` may also be a dict of columns of one length (no frame is built first, so no column is
    copied into a block with its neighbours). Missing columns are added empty; extra columns are
    dropped. The input is not modified.
    """
    fields = fields_for(kind) if columns is None else tuple(f for f in fields_for(kind) if f in set(columns))
    date_fields = DEAL_DATE_FIELDS if kind == "deals" else LEAD_DATE_FIELDS
    if isinstance(frame, pd.DataFrame):
        index = frame.index
    else:
        index = pd.RangeIndex(len(next(iter(frame.values()))) if frame else 0)
        frame = {
            name: pd.Series(column.array if isinstance(column, pd.Series) else column, index=index, copy=False)
            for name, column in frame.items()
        }
    out = pd.DataFrame(index=index)
    for name in fields:
        column = frame[name] if name in frame else pd.Series(pd.NA, index=index)
        if name in date_fields:
            if column.dtype == "datetime64[ns]":  # already canonical (the importer's own columns)
                out[name] = column
                continue
            column = pd.to_datetime(column, errors="coerce")
            if getattr(column.dt, "tz", None) is not None:
                column = column.dt.tz_convert("UTC").dt.tz_localize(None)
            out[name] = column.astype("datetime64[ns]")
        elif name in NUMBER_FIELDS:
            number = column.dtype == "float64"
            out[name] = column if number else pd.to_numeric(column, errors="coerce").astype("float64")
        else:
            out[name] = column.astype("string")
    return out.reset_index(drop=True)
