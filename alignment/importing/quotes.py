"""Quoted values that never end: find the line a stray double quote opens, so no record is swallowed.

A CSV record that holds a quoted value spanning lines has an odd number of double quotes on every
line but its last. Counting quotes line by line (their parity, in chunks so memory stays small)
shows where each multi-line record starts and ends. A quoted value that is still open at the end
of the file, or that runs over more than :data:`MAX_VALUE_LINES` lines, is a stray quote: the
record that holds it starts on that line. The reader then reads that one line without quote
handling and goes on from the next line as usual, so every other record is still read whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa

MAX_VALUE_LINES: Final = 200
_CHUNK: Final = 8 * 1024 * 1024
_QUOTE, _NEWLINE = ord('"'), ord("\n")


@dataclass(frozen=True)
class Runaway:
    """A stray quote: the byte offsets of the line it is on, and that line's index (0 = first line)."""

    start: int
    end: int
    line: int
    closed: bool


def _line_parities(body: pa.Buffer) -> tuple[np.ndarray, np.ndarray, bool]:
    """Positions of the newlines of ``body``, whether an odd number of quotes came before each, and
    whether the whole of ``body`` holds an odd number of quotes."""
    data = np.frombuffer(body, dtype=np.uint8)
    positions, parities = [], []
    carry = 0
    for start in range(0, len(data), _CHUNK):
        chunk = data[start : start + _CHUNK]
        quotes = np.cumsum(chunk == _QUOTE, dtype=np.uint8)  # wraps modulo 256; parity survives
        lines = np.flatnonzero(chunk == _NEWLINE)
        positions.append(lines + start)
        parities.append(((quotes[lines] + carry) & 1).astype(bool))
        carry = (int(quotes[-1]) + carry) & 1 if len(chunk) else carry
    if not positions:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool), False
    return np.concatenate(positions), np.concatenate(parities), bool(carry)


def find_runaway(body: pa.Buffer, max_lines: int = MAX_VALUE_LINES) -> Runaway | None:
    """The first stray quote of ``body`` (see the module docstring), or None when every quote closes in time."""
    newlines, odd, total_quotes_odd = _line_parities(body)
    # a line that ends inside an open quote is odd; a run of odd line ends is one multi-line record
    edges = np.diff(np.concatenate(([0], odd.view(np.int8), [1 if total_quotes_odd else 0])))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)
    for position, first in enumerate(starts):
        closed = position < len(stops)
        spanned = (stops[position] if closed else len(newlines)) - first
        if closed and spanned <= max_lines:
            continue
        begin = int(newlines[first - 1]) + 1 if first else 0
        end = int(newlines[first]) + 1 if first < len(newlines) else len(body)
        return Runaway(begin, end, int(first), closed)
    return None
