"""Is this a table of records? Header checks, pivot tables, footers and total rows.

A record-level export has one header row of column names and one row per deal or lead. Reports
saved as CSV add title lines above the header and footers below (``Grand Totals (120 records)``,
``Confidential Information - Do Not Distribute``, a copyright line); grouped reports add subtotal
rows. Those lines are removed and counted. A pivot table (totals per stage or per month) has no
records at all and is refused.
"""

from __future__ import annotations

import re
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from alignment.importing.cells import NO_BYTE, edge_bytes
from alignment.importing.limits import ImportRefused

FOOTER_PATTERN: Final = (
    r"^\s*(grand\s+totals?|sub-?totals?|totals?|count|sum|average)\s*(\(|:|$)"
    r"|\(\s*[\d,.]+\s+records?\s*\)\s*$"
    r"|^\s*confidential information"
    r"|^\s*(copyright|\(c\)|©)"
    r"|^\s*generated (by|on|at)\b"
)
_FOOTER = re.compile(FOOTER_PATTERN, re.IGNORECASE)
# first bytes a footer label can start with: g s t c a i (either case), "(", white space, and © (0xC2 0xA9)
_LABEL_START = np.zeros(NO_BYTE + 1, dtype=bool)
_LABEL_START[[*b"gstcaiGSTCAI(", 0xC2, *range(33)]] = True
_PIVOT_HEADER = re.compile(
    r"^(sum|count|average|avg|min|max|total|count distinct) of\b|^(row|column) labels$|^grand totals?$|^values$",
    re.IGNORECASE,
)
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_PERIOD = re.compile(
    rf"^(fy\s*'?\d{{2,4}}|(19|20)\d{{2}})(\s*[-/ ]?\s*(q[1-4]|h[12]|\d{{1,2}}))?$"
    rf"|^(q[1-4]|h[12])\s*[-/ ]?\s*(fy\s*)?'?\d{{2,4}}$|^{_MONTH}(\s*[-/ ]?\s*'?\d{{2,4}})?$|^\d{{4}}-\d{{2}}$",
    re.IGNORECASE,
)
_AMOUNT_CELL = re.compile(r"^[-(]?\s*([$£€¥]|[A-Z]{3}\s?)?\s*-?\d[\d.,' ]*\)?$")
_OUTCOME_NAMES: Final = frozenset({"closed won", "closed lost", "won", "lost", "open"})
_VALUE = re.compile(
    r"^[-+(]?\s*([$£€¥]|[a-z]{3}\s)?\s*\d[\d.,' ]*\)?\s*%?$|^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ t].*)?$|^\S+@\S+\.\S+$"
    r"|^(true|false)$",
    re.IGNORECASE,
)

PIVOT_SENTENCE: Final = (
    "This file is a pivot table or report summary (totals per group, not one row per deal or lead), so it "
    "cannot be imported: export the underlying records instead, for example a tabular report exported "
    "as “Details only” or the CRM's list view export."
)
NO_HEADER_SENTENCE: Final = (
    "The first row holds values rather than column names, so the columns cannot be recognised: "
    "export the file again with its header row included."
)


def is_footer_text(text: str) -> bool:
    """True for report footer and total lines such as ``Grand Totals (12 records)``."""
    return bool(_FOOTER.search(text.strip().strip('"').strip()))


def is_blank_line(text: str) -> bool:
    """True for a line of nothing but quotes, delimiters and spaces."""
    return not re.sub(r"[\s\"',;|\t]", "", text)


def is_set_aside_line(text: str) -> bool:
    """True for a short line that is a footer, blank, or a bare total (``"","","USD 45,750.50"``)."""
    cells = [c.strip().strip('"').strip() for c in re.split(r"[,;|\t](?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", text)]
    filled = [c for c in cells if c]
    return is_footer_text(text) or not filled or all(_AMOUNT_CELL.match(c) for c in filled)


def check_header(columns: list[str]) -> None:
    """Refuse a header row that holds values (no header) or the labels of a pivot table."""
    named = [c.strip() for c in columns if c and c.strip()]
    if not named:
        raise ImportRefused(
            "The first row has no column names, so the columns cannot be recognised: export the file again "
            "with its header row."
        )
    lowered = [c.casefold() for c in named]
    periods = sum(bool(_PERIOD.match(c)) for c in named[1:])
    if (
        any(_PIVOT_HEADER.match(c) for c in named)
        or (len(named) >= 3 and periods * 2 >= len(named) - 1)
        or sum(c in _OUTCOME_NAMES for c in lowered) >= 2
    ):
        raise ImportRefused(PIVOT_SENTENCE)
    values = value_like(named)
    if values and values * 2 >= len(named):
        raise ImportRefused(NO_HEADER_SENTENCE)


def value_like(columns: list[str]) -> int:
    """How many header cells look like values (numbers, dates, e-mail addresses, stage names)."""
    return sum(
        bool(_VALUE.match(c.strip())) or c.strip().casefold() in _OUTCOME_NAMES
        for c in columns
        if c and c.strip() and not _PERIOD.match(c.strip())
    )


def footer_rows(table: pa.Table) -> np.ndarray:
    """Rows whose first cell (or second, when the first is blank) is a footer or total label.

    Only cells that could start such a label (or end in ``records)``), told by their first and last
    bytes, go through the pattern.
    """
    mask = np.zeros(table.num_rows, dtype=bool)
    scope = np.arange(table.num_rows)  # the rows whose label could be in this column
    for column in table.columns[:2]:
        if not scope.size:
            break
        cells = column if scope.size == table.num_rows else column.take(pa.array(scope))
        present = cells.is_valid().to_numpy(zero_copy_only=False)
        first, last = edge_bytes(cells)
        rows = np.flatnonzero(present & (_LABEL_START[first] | (last == ord(")"))))
        if rows.size:
            hits = pc.match_substring_regex(cells.take(pa.array(rows)), FOOTER_PATTERN, ignore_case=True)
            mask[scope[rows[hits.to_numpy(zero_copy_only=False).astype(bool)]]] = True
        scope = scope[~present]  # the second column only where the first is blank
    return mask


def describe_row(table: pa.Table, index: int) -> str:
    """A row's non-empty cells joined with `` · `` (for footer examples)."""
    cells = [table.column(i)[index].as_py() for i in range(table.num_columns)]
    return " · ".join(str(c) for c in cells if c not in (None, ""))[:200]


def refuse_if_summary(records: int, totals: int) -> None:
    """Refuse a file whose every row is a total: a report summary, not records."""
    if totals and not records:
        raise ImportRefused(PIVOT_SENTENCE)
