"""Dates written the many ways CRMs and spreadsheets write them, decided per column.

Accepted: ISO (``2024-01-22``, ``2024-01-22 16:14``, ``2024-01-22T16:14:25.000+0000`` — a time zone
is converted to UTC), day/month/year in either order with ``/``, ``.`` or ``-`` and a two- or
four-digit year (``1/5/2024``, ``22-01-24``, ``02/23/26 08:55 PM``), ``YYYYMMDD``, Excel serial
numbers (days since 1899-12-30, used only when the whole column is numbers) and dates with month
names (``Jan 5, 2024``). Two-digit years below 70 are 20xx, the rest 19xx. A date written in one
of these shapes but outside the plausible range 1900-01-01 to 2100-12-31 (``9999-12-31``, a common
"no date" placeholder) is not an error: it is left blank and counted in ``out_of_range``.

Day-before-month or month-before-day is decided once for the whole column: a first number above 12
anywhere means day first, a second number above 12 means month first. When no value tells, the
column is *ambiguous*: the reading chosen by the caller (the user's answer) is used, else the order
another date column of the same file showed, else month first for ``/`` and day first for ``.`` and
``-``; the result says so, so the page can ask. Values are parsed once per distinct text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alignment.importing.cells import distinct

ISO_PATTERN: Final = (
    r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?P<zone>Z|[+-]\d{2}:?\d{2})?$"
)
NUMERIC_PATTERN: Final = (
    r"^(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})[/.-](?P<y>\d{4}|\d{2})"
    r"(?:[ T,]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?:\.\d+)?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?$"
)
SERIAL_PATTERN: Final = r"^\d{4,5}(?:\.\d+)?$"
COMPACT_PATTERN: Final = r"^(?:19|20)\d{6}$"
MONTH_NAME_PATTERN: Final = r"(?i)(?:^|[^a-z])(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
EXCEL_EPOCH: Final = pd.Timestamp("1899-12-30")
FIRST_YEAR, LAST_YEAR = 1900, 2100
PLAUSIBLE_RANGE: Final = f"{FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31"
_WRITTEN_YEAR = r"^(?P<iso>\d{4})[-/.]\d{1,2}[-/.]\d{1,2}\b|^\d{1,2}[-/.]\d{1,2}[-/.](?P<dmy>\d{4})\b"


@dataclass(frozen=True)
class DateFormat:
    """How a column's dates were read: ``label`` such as ``MM/DD/YYYY``; ``day_first`` (None when no value
    is written day/month-ordered); ``ambiguous`` when the values never showed the order, with the
    other reading's label in ``alternative``."""

    label: str
    day_first: bool | None = None
    ambiguous: bool = False
    alternative: str | None = None


@dataclass(frozen=True)
class ParsedDates:
    """One column of dates (``datetime64[ns]``, NaT where missing or invalid) and the texts that were not dates."""

    values: pd.Series
    invalid: np.ndarray
    format: DateFormat
    out_of_range: np.ndarray | None = None


def _numbers(column: pa.Array) -> np.ndarray:
    """Digit texts as floats (blank → NaN); the pattern guarantees digits only."""
    blank = pc.equal(column, "")
    numbers = pc.cast(pc.if_else(blank, pa.scalar(None, column.type), column), pa.float64())
    return numbers.to_numpy(zero_copy_only=False).astype("float64", copy=False)


def _order_label(separator: str, day_first: bool, two_digit: bool, timed: bool, ampm: bool) -> str:
    parts = ["DD", "MM"] if day_first else ["MM", "DD"]
    label = separator.join([*parts, "YY" if two_digit else "YYYY"])
    if timed:
        label += " hh:mm AM/PM" if ampm else " hh:mm"
    return label


def _day_month(
    uniques: pa.Array, day_first: bool | None, assume_day_first: bool | None
) -> tuple[np.ndarray, DateFormat | None]:
    """Read the day/month/year texts among ``uniques``; the rest come back NaT."""
    parts = pc.extract_regex(uniques, NUMERIC_PATTERN)
    found = pc.is_valid(parts).to_numpy(zero_copy_only=False)
    result = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[ns]")
    if not found.any():
        return result, None
    fields = dict(zip(parts.type.names, parts.flatten(), strict=True))
    first, second, year = (_numbers(fields[k])[found] for k in ("a", "b", "y"))
    hour, minute, sec = (np.nan_to_num(_numbers(fields[k])[found]) for k in ("h", "mi", "s"))
    ampm = pd.Series(fields["ampm"].to_pandas()).str.lower().str[0].to_numpy(dtype=object)[found]
    separators = pd.Series(fields["sep"].to_pandas())[found]
    separator = separators.mode().iloc[0]
    ambiguous = False
    if day_first is None:
        first_big, second_big = bool((first > 12).any()), bool((second > 12).any())
        if first_big != second_big:
            day_first = first_big
        elif first_big and second_big:
            day_first = int((first > 12).sum()) >= int((second > 12).sum())
        elif assume_day_first is not None:
            day_first = assume_day_first
        else:
            day_first, ambiguous = separator != "/", True
    day, month = (first, second) if day_first else (second, first)
    two_digit = year < 100
    year = np.where(two_digit, np.where(year < 70, 2000 + year, 1900 + year), year)
    hour = np.where((ampm == "p") & (hour < 12), hour + 12, np.where((ampm == "a") & (hour == 12), 0, hour))
    parsed = pd.to_datetime(
        pd.DataFrame({"year": year, "month": month, "day": day, "hour": hour, "minute": minute, "second": sec}),
        errors="coerce",
    )
    result[found] = parsed.to_numpy(dtype="datetime64[ns]")
    timed = bool(pd.Series(fields["h"].to_pandas())[found].fillna("").ne("").any())
    has_ampm = bool(pd.Series(ampm).notna().any() and (pd.Series(ampm).fillna("") != "").any())
    short = bool(two_digit.mean() >= 0.5)
    label = _order_label(separator, day_first, short, timed, has_ampm)
    alternative = _order_label(separator, not day_first, short, timed, has_ampm) if ambiguous else None
    return result, DateFormat(label, day_first, ambiguous, alternative)


def _iso(uniques: pa.Array, found: np.ndarray) -> tuple[np.ndarray, str]:
    texts = pd.Series(uniques.to_pandas(), dtype=object)[found]
    zoned = texts.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True)
    parsed = pd.to_datetime(texts.str.replace(" ", "T", n=1), format="ISO8601", utc=True, errors="coerce")
    timed = texts.str.contains(r"\d:\d", regex=True).any()
    label = "ISO 8601 with time zone (read as UTC)" if zoned.any() else ("YYYY-MM-DD hh:mm" if timed else "YYYY-MM-DD")
    return parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]"), label


def parse_dates(
    values: pa.ChunkedArray | pa.Array | pd.Series,
    keep_time: bool = False,
    day_first: bool | None = None,
    assume_day_first: bool | None = None,
) -> ParsedDates:
    """Parse a column of date texts (see the module docstring); never raises on bad text.

    ``day_first`` is the user's answer for an ambiguous column; ``assume_day_first`` the order
    another column of the file showed. Without ``keep_time`` dates are cut to the calendar day.
    """
    cells = distinct(values)
    uniques = cells.texts
    result = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[ns]")
    labels: list[tuple[int, str]] = []
    order: DateFormat | None = None
    if len(uniques):
        iso = pc.match_substring_regex(uniques, ISO_PATTERN).to_numpy(zero_copy_only=False)
        serial = pc.match_substring_regex(uniques, SERIAL_PATTERN).to_numpy(zero_copy_only=False)
        compact = pc.match_substring_regex(uniques, COMPACT_PATTERN).to_numpy(zero_copy_only=False)
        if iso.any():
            result[iso], label = _iso(uniques, iso)
            labels.append((int(iso.sum()), label))
        numeric, order = _day_month(uniques, day_first, assume_day_first)
        if order is not None:
            taken = ~np.isnat(numeric) | pc.match_substring_regex(uniques, NUMERIC_PATTERN).to_numpy(
                zero_copy_only=False
            )
            result = np.where(taken & np.isnat(result), numeric, result)
            labels.append((int(taken.sum()), order.label))
        if (serial | compact | cells.missing).all() and (serial | compact).any():
            result = _serials(uniques, serial, compact, result)
            labels.append((len(uniques), "Excel serial numbers" if serial.any() else "YYYYMMDD"))
        rest = ~(iso | serial | compact) & np.isnat(result)
        rest &= pc.match_substring_regex(uniques, MONTH_NAME_PATTERN).to_numpy(zero_copy_only=False)
        if rest.any():
            named = pd.to_datetime(
                pd.Series(uniques.to_pandas(), dtype=object)[rest],
                format="mixed",
                dayfirst=bool(order and order.day_first),
                errors="coerce",
            )
            result[rest] = named.to_numpy(dtype="datetime64[ns]")
            if named.notna().any():
                labels.append((int(named.notna().sum()), "dates with month names"))
    years = pd.DatetimeIndex(result).year
    outside = (years < FIRST_YEAR) | (years > LAST_YEAR)
    if len(uniques):
        written = pc.extract_regex(uniques, _WRITTEN_YEAR)
        year = pc.if_else(
            pc.is_valid(written),
            pc.coalesce(
                pc.if_else(pc.equal(pc.struct_field(written, "iso"), ""), None, pc.struct_field(written, "iso")),
                pc.struct_field(written, "dmy"),
            ),
            None,
        )
        year = pc.cast(pc.if_else(pc.equal(year, ""), None, year), pa.int32()).to_numpy(zero_copy_only=False)
        year = np.asarray(year, dtype="float64")
        outside |= np.isnat(result) & ((year < FIRST_YEAR) | (year > LAST_YEAR))
    result[outside] = np.datetime64("NaT")
    if not keep_time:
        result = pd.DatetimeIndex(result).normalize().to_numpy(dtype="datetime64[ns]")
    rows = pd.Series(cells.spread(result, np.datetime64("NaT")), dtype="datetime64[ns]")
    outside = np.asarray(outside, dtype=bool)
    not_dates = ~cells.missing & np.isnat(result) & ~outside  # per distinct text: written, but not a date
    out_of_range = cells.spread(outside, False) if outside.any() else np.zeros(len(rows), dtype=bool)
    invalid = cells.spread(not_dates, False) if not_dates.any() else np.zeros(len(rows), dtype=bool)
    label = " and ".join(lbl for _, lbl in sorted(labels, reverse=True)) or (
        "blank in every row" if cells.missing.all() else "no dates"
    )
    if order is None:
        return ParsedDates(rows, invalid, DateFormat(label), out_of_range)
    alternative = label.replace(order.label, order.alternative) if order.alternative else None
    return ParsedDates(rows, invalid, DateFormat(label, order.day_first, order.ambiguous, alternative), out_of_range)


def _serials(uniques: pa.Array, serial: np.ndarray, compact: np.ndarray, result: np.ndarray) -> np.ndarray:
    texts = pd.Series(uniques.to_pandas(), dtype=object)
    days = pd.to_numeric(texts.where(serial), errors="coerce")
    days = days.where((days >= 20000) & (days < 80000))
    from_serial = (EXCEL_EPOCH + pd.to_timedelta(days, unit="D")).to_numpy(dtype="datetime64[ns]")
    from_compact = pd.to_datetime(texts.where(compact), format="%Y%m%d", errors="coerce").to_numpy(
        dtype="datetime64[ns]"
    )
    return np.where(serial, from_serial, np.where(compact, from_compact, result))
