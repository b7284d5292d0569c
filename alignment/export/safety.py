"""What makes an exported file safe to open: no formulas smuggled in text, no hostile file names.

**Formula injection**: a spreadsheet program treats a cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula (and tab, carriage return and NUL as ways of hiding one), so a comment such as
``=HYPERLINK("http://evil", "click")`` would run when an executive opens the export. Every *text*
cell that starts with one of those characters gets a single quote in front, which spreadsheet
programs show as plain text. Numbers, dates and booleans are left as they are, so ``-2.5`` stays a
number you can sum.

**File names**: built from the workshop name, which anyone creating a workshop types; path
separators, control characters and other characters file systems refuse are replaced, and the
length is bounded.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any, Final

import pandas as pd

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
MAX_NAME_LENGTH: Final = 80
_UNSAFE_IN_NAME: Final = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_NOT_IN_XML: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_RESERVED_ON_WINDOWS: Final = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                                *(f"LPT{n}" for n in range(1, 10))}


def xml_text(text: str) -> str:
    """Text without the control characters XML cannot hold (tab, line feed and carriage return stay):
    a stray NUL in a comment must not stop a workbook or a deck from being written."""
    return _NOT_IN_XML.sub("", text)


def neutralise(value: Any) -> Any:
    """A cell value that cannot run as a formula: text starting with ``= + - @``, tab, CR, LF or NUL
    gets a leading ``'``; every other value (numbers, dates, missing values) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised (column names included)."""
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        out[column] = series.map(neutralise, na_action="ignore")
    return out


def cell_value(value: Any) -> Any:
    """A value openpyxl can write: missing values become empty cells, pandas and numpy scalars
    become plain Python, text is neutralised."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, (datetime, date, bool, int, float)):
        return value
    return neutralise(xml_text(str(value)))


def safe_file_name(text: str, extension: str) -> str:
    """A file name from user text: ``Q3 workshop / EMEA`` → ``Q3-workshop-EMEA.pptx``.

    Accents are kept where they are letters, separators and control characters become ``-``, a
    leading dot is dropped (no hidden files), the stem is at most ``MAX_NAME_LENGTH`` characters and
    never empty.
    """
    stem = unicodedata.normalize("NFKC", text or "")
    stem = _UNSAFE_IN_NAME.sub("-", stem)
    stem = re.sub(r"\s+", "-", stem.strip())
    stem = re.sub(r"-{2,}", "-", stem).strip("-. ")[:MAX_NAME_LENGTH].rstrip("-. ")
    if stem.upper() in _RESERVED_ON_WINDOWS:
        stem = f"report-{stem}"
    extension = re.sub(r"[^A-Za-z0-9]", "", extension)[:8]
    return f"{stem or 'report'}.{extension or 'bin'}"
