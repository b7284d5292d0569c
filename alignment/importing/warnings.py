"""Warnings about kept rows: what the data will not be able to show, and why."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from alignment.importing.categories import LOST, WON
from alignment.importing.dates import PLAUSIBLE_RANGE, ParsedDates
from alignment.importing.mapping import FIELD_LABELS, Mapping
from alignment.importing.readers import RawTable
from alignment.importing.report import Problem


def _example(frame: pd.DataFrame, mask: pd.Series, columns: list[str]) -> str | None:
    """The first row of ``mask`` as ``column=value`` pairs (found without copying the other rows)."""
    chosen = mask.fillna(False).to_numpy(dtype=bool)
    if not chosen.any():
        return None
    row = frame.iloc[int(np.argmax(chosen))][columns]
    return " · ".join(f"{c}={v.date() if isinstance(v, pd.Timestamp) else v}" for c, v in row.items() if not pd.isna(v))


def _where(
    frame: pd.DataFrame, mask: pd.Series, kind: str, message: str, example: list[str] | None = None
) -> list[Problem]:
    """One warning about the rows in ``mask`` (with an example row from ``example`` columns), or none."""
    if not mask.any():
        return []
    return [Problem(kind, message, int(mask.sum()), _example(frame, mask, example) if example else None)]


def _source_warnings(frame: pd.DataFrame, mapping: Mapping, noun: str) -> list[Problem]:
    if mapping.column("lead_source") is None:
        return [
            Problem(
                "no_lead_source",
                "the file has no lead source column: by-source metrics will be unavailable",
                len(frame),
            )
        ]
    blank = frame["lead_source"].isna()
    if len(frame) and blank.all():
        return [
            Problem(
                "lead_source_empty",
                f"the lead source is blank in every {noun}: by-source metrics will be unavailable",
                len(frame),
            )
        ]
    if blank.any():
        return [
            Problem(
                "lead_source_blank",
                f"the lead source is blank in some {noun}s: they count as unknown",
                int(blank.sum()),
            )
        ]
    return []


def _date_warnings(mapping: Mapping, parsed: dict[str, ParsedDates]) -> list[Problem]:
    problems = []
    for name, result in parsed.items():
        if result.format.ambiguous:
            problems.append(
                Problem(
                    f"ambiguous_{name}",
                    f"the {FIELD_LABELS[name].lower()} column “{mapping.column(name)}” never shows whether the day "
                    f"or the month comes first: read as {result.format.label}; please confirm",
                    int(result.values.notna().sum()),
                )
            )
    return problems


def deal_warnings(
    frame: pd.DataFrame,
    mapping: Mapping,
    raw: RawTable,
    unrecognised: pd.DataFrame,
    parsed: dict[str, ParsedDates],
    outcomes: np.ndarray,
) -> list[Problem]:
    """Warnings for a deals import (see the messages); ``outcomes`` holds each row's outcome code."""
    problems = _date_warnings(mapping, parsed)
    problems += _where(
        frame,
        frame["close_date"] < frame["created_date"],
        "close_before_created",
        "the close date is before the created date (kept; their sales cycle is not used)",
        ["deal_id", "deal_name", "created_date", "close_date"],
    )
    lost = outcomes == LOST
    if lost.any() and (frame.loc[lost, "amount"].fillna(0) == 0).all():
        problems.append(
            Problem(
                "lost_amount_zero",
                "lost deals all have amount 0: value-weighted win rate is not meaningful",
                int(lost.sum()),
            )
        )
    problems += _where(
        frame,
        frame["amount"].isna(),
        "amount_blank",
        "the amount is blank (kept; counted as 0 in values)",
        ["deal_id", "deal_name", "stage"],
    )
    if mapping.column("created_date") is None:
        problems.append(
            Problem(
                "no_created_date",
                "the file has no created date column: pipeline per month and sales cycle will be unavailable",
                len(frame),
            )
        )
    else:
        problems += _where(
            frame,
            frame["created_date"].isna(),
            "created_date_blank",
            "the created date is blank (kept; left out of monthly pipeline and cycle times)",
        )
    currencies = frame["currency"].dropna().unique()
    if len(currencies) > 1:
        problems.append(
            Problem(
                "several_currencies",
                f"amounts are in {len(currencies)} currencies "
                f"({', '.join(sorted(map(str, currencies))[:5])}): totals mix them",
                len(frame),
            )
        )
    if len(unrecognised):
        names = ", ".join(f"“{s}”" for s in unrecognised["stage"].head(5))
        problems.append(
            Problem(
                "stage_not_recognised",
                f"stage names no rule knows count as open: {names}; change "
                "them in the stage table if they are won or lost",
                int(unrecognised["deals"].sum()),
            )
        )
    if len(frame) and not ((outcomes == WON) | (outcomes == LOST)).any():
        problems.append(
            Problem("no_closed_deals", "no deal is won or lost: win rates cannot be worked out", len(frame))
        )
    return problems + _source_warnings(frame, mapping, "deal")


def lead_warnings(
    frame: pd.DataFrame,
    mapping: Mapping,
    raw: RawTable,
    unrecognised: pd.DataFrame,
    parsed: dict[str, ParsedDates],
) -> list[Problem]:
    """Warnings for a leads import (see the messages)."""
    problems = _date_warnings(mapping, parsed)
    if not {"mql_date", "accepted_date", "rejected_date"} & set(mapping.columns()):
        problems.append(
            Problem(
                "no_handover_dates",
                "the file has no MQL, accepted or rejected date column: lead acceptance cannot be measured",
                len(frame),
            )
        )
    if mapping.column("first_touch_date") is None:
        problems.append(
            Problem(
                "no_first_touch",
                "the file has no first touch date column: response time and leakage cannot be measured",
                len(frame),
            )
        )
    else:
        problems += _where(
            frame,
            frame["first_touch_date"] < frame["created_date"],
            "touch_before_created",
            "the first touch is before the lead was created (kept; response time not used)",
            ["lead_id", "created_date", "first_touch_date"],
        )
    converted = frame["converted_date"].notna()
    if np.any(converted) and mapping.column("deal_id") is None:
        problems.append(
            Problem(
                "no_deal_link",
                "converted leads have no deal ID column: leads cannot be linked to deals",
                int(converted.sum()),
            )
        )
    return problems + _source_warnings(frame, mapping, "lead")


def _duplicate_headers(raw: RawTable, mapping: Mapping, kept: np.ndarray) -> list[Problem]:
    """Mapped columns whose header the file repeats, where the copies hold different values."""
    problems = []
    for name, column in mapping.columns().items():
        base = re.sub(r" \(\d+\)$", "", column)
        copies = [
            c for c in raw.columns if c != column and (c == base or re.fullmatch(rf"{re.escape(base)} \(\d+\)", c))
        ]
        for copy in copies:
            first, second = raw.table.column(column), raw.table.column(copy)
            differ = (
                pc.fill_null(
                    pc.not_equal(pc.utf8_trim_whitespace(first), pc.utf8_trim_whitespace(second)), False
                ).to_numpy(zero_copy_only=False)
                & kept
            )
            differ |= (
                first.is_null().to_numpy(zero_copy_only=False) != second.is_null().to_numpy(zero_copy_only=False)
            ) & kept
            if differ.any():
                row = int(np.argmax(differ))
                problems.append(
                    Problem(
                        f"duplicate_header_{name}",
                        f"the file has two columns named “{base}” that disagree: “{column}” was used for the "
                        f"{FIELD_LABELS[name].lower()}; choose the other in step 1 if it is the right one",
                        int(differ.sum()),
                        f"row {row + 1}: {column}={first[row].as_py()} · {copy}={second[row].as_py()}",
                    )
                )
    return problems


def doubtful_warnings(
    raw: RawTable, mapping: Mapping, parsed: dict[str, ParsedDates], kept: np.ndarray, frame: pd.DataFrame
) -> list[Problem]:
    """Data that is kept but doubtful: negative amounts, disagreeing duplicate headers, dates outside the
    plausible range, and lines whose quote never closed."""
    problems = []
    if "amount" in frame:
        problems += _where(
            frame,
            frame["amount"] < 0,
            "negative_amount",
            "the amount is negative (kept; totals include it): check for credit notes, refunds or sign errors",
            ["deal_id", "deal_name", "amount"],
        )
    problems += _duplicate_headers(raw, mapping, kept)
    for name, result in parsed.items():
        if result.out_of_range is None:
            continue
        outside = result.out_of_range & kept
        if outside.any():
            row = int(np.argmax(outside))
            problems.append(
                Problem(
                    f"{name}_out_of_range",
                    f"the {FIELD_LABELS[name].lower()} is outside the plausible range {PLAUSIBLE_RANGE} "
                    "(kept, with that date left blank)",
                    int(outside.sum()),
                    f"row {row + 1}: {mapping.column(name)}={raw.table.column(mapping.column(name))[row].as_py()}",
                )
            )
    if raw.stray_quotes:
        lines = ", ".join(f"{n:,}" for n in raw.stray_quotes[:5]) + ("…" if len(raw.stray_quotes) > 5 else "")
        problems.append(
            Problem(
                "stray_quote",
                f"a quote opens and never closes on line {lines}: that line was read on its own without quotes "
                "and the lines after it as usual, so no record was swallowed",
                len(raw.stray_quotes),
            )
        )
    return problems
