"""Amounts written the many ways CRMs and spreadsheets write them.

Accepted: ``1234.5``, ``1,234.50``, ``1.234,50``, ``1 234,50``, ``1'234.50``, ``$1,234.00``,
``£9000``, ``USD 1234``, ``1234 EUR``, ``-1234``, ``(1,234.00)`` (negative). Whether the comma or the
dot is the decimal mark is decided once per column from all its values: a value with both marks
shows which comes last; a single mark followed by other than three digits is a decimal mark; a mark
repeated (``1,234,567``) separates thousands. When the column never tells, semicolon-separated files
read a lone comma as decimal and others read it as a thousands separator.
Blank, ``-``, ``n/a`` and ``null`` are missing amounts, not errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alignment.importing.cells import as_arrow, distinct, text_series

SYMBOLS: Final = {
    "$": "USD",
    "US$": "USD",
    "£": "GBP",
    "€": "EUR",
    "¥": "JPY",
    "₹": "INR",
    "R$": "BRL",
    "C$": "CAD",
    "A$": "AUD",
    "CHF": "CHF",
    "Fr.": "CHF",
}
_SYMBOL_PATTERN = "|".join(sorted((s.replace("$", r"\$").replace(".", r"\.") for s in SYMBOLS), key=len, reverse=True))
AMOUNT_PATTERN: Final = (
    rf"^(?P<lead>[-(])?\s*(?P<pre>[A-Za-z]{{3}}|{_SYMBOL_PATTERN})?\s*(?P<sign>-)?\s*"
    r"(?P<number>[0-9][0-9.,' \x{00a0}\x{202f}]*|[.,][0-9]+)\s*"
    rf"(?P<post>[A-Za-z]{{3}}|{_SYMBOL_PATTERN})?\s*(?P<trail>[-)])?$"
)


@dataclass(frozen=True)
class ParsedAmounts:
    """One column of amounts: ``values`` (NaN where missing or invalid), ``invalid`` (text that is not an
    amount), ``currencies`` (the code written beside each amount, or None), and the decimal mark used."""

    values: np.ndarray
    invalid: np.ndarray
    currencies: pd.Series
    decimal_mark: str


def _fast(values: pa.Array) -> np.ndarray | None:
    """Plain numbers (the usual API export) convert in one pass without any cleaning."""
    try:
        numbers = pc.cast(values, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    result = numbers.to_numpy(zero_copy_only=False).astype("float64", copy=False)
    return None if np.isinf(result).any() else result


def decide_decimal_mark(numbers: pd.Series, comma_likely: bool = False) -> str:
    """``","`` or ``"."``: the decimal mark of a column of number texts (see the module docstring)."""
    numbers = numbers.dropna().astype("string")
    last_comma, last_dot = numbers.str.rfind(","), numbers.str.rfind(".")
    commas, dots = numbers.str.count(","), numbers.str.count(r"\.")
    length = numbers.str.len()
    comma_then_digits = length - last_comma - 1
    dot_then_digits = length - last_dot - 1
    comma_votes = ((last_comma > last_dot) & (dots > 0)) | ((commas == 1) & (dots == 0) & (comma_then_digits != 3))
    comma_votes |= (dots > 1) & (commas == 0)
    dot_votes = ((last_dot > last_comma) & (commas > 0)) | ((dots == 1) & (commas == 0) & (dot_then_digits != 3))
    dot_votes |= (commas > 1) & (dots == 0)
    comma, dot = int(comma_votes.sum()), int(dot_votes.sum())
    if comma != dot:
        return "," if comma > dot else "."
    return "," if comma_likely else "."


def parse_amounts(
    values: pa.ChunkedArray | pa.Array | pd.Series, comma_likely: bool = False, decimal_mark: str | None = None
) -> ParsedAmounts:
    """Parse a column of amount texts (see the module docstring); never raises on bad text."""
    values = as_arrow(values)
    size = len(values)
    no_currency = text_series(None, size)
    fast = _fast(values)
    if fast is not None:
        return ParsedAmounts(fast, np.zeros(size, dtype=bool), no_currency, decimal_mark or ".")
    cells = distinct(values)
    uniques = cells.texts
    parts = pc.extract_regex(uniques, AMOUNT_PATTERN).flatten()
    fields = dict(zip(pc.extract_regex(pa.array([""]), AMOUNT_PATTERN).type.names, parts, strict=True))
    matched = pc.is_valid(pc.extract_regex(uniques, AMOUNT_PATTERN)).to_numpy(zero_copy_only=False)
    number = pd.Series(fields["number"].to_pandas(), dtype="string").str.replace(r"[ '\u00a0\u202f]", "", regex=True)
    number = number.where(matched)
    mark = decimal_mark or decide_decimal_mark(number, comma_likely)
    other = "." if mark == "," else ","
    plain = number.str.replace(other, "", regex=False).str.replace(mark, ".", regex=False)
    amounts = pd.to_numeric(plain, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    lead, sign, trail = (fields[k].to_numpy(zero_copy_only=False) for k in ("lead", "sign", "trail"))
    negative = (lead == "-") | (sign == "-") | (trail == "-") | ((lead == "(") & (trail == ")"))
    unbalanced = (lead == "(") != (trail == ")")
    amounts = np.where(negative, -amounts, amounts)
    amounts[unbalanced | ~np.isfinite(amounts)] = np.nan
    written = pc.if_else(pc.not_equal(fields["pre"], ""), fields["pre"], fields["post"])
    codes = pd.Series(written.to_pandas(), dtype="string")
    codes = codes.map(lambda c: SYMBOLS.get(c, c.upper()) if isinstance(c, str) and c else pd.NA).astype("string")
    codes = codes.where((codes != "") & ~np.isnan(amounts))
    row_values = cells.spread(amounts, np.nan)
    row_codes = pd.Series(cells.spread(codes.to_numpy(dtype=object, na_value=None), None), dtype="string")
    return ParsedAmounts(row_values, cells.present & np.isnan(row_values), row_codes, mark)
