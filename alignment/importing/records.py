"""The record lines below a CSV header: parsed into text columns, every line accounted for.

Most exports hold one record per line and are parsed in one pass (pyarrow's multi-threaded CSV
reader). The lines are counted once: more lines than the row limit means the records are counted
batch by batch and the read stops as soon as the limit is passed; rows read equal to the lines
(less empty ones) means no value spans lines. Otherwise quotes are checked line by line
(:mod:`.quotes`) so a stray quote cannot swallow the records after it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from alignment.importing import shape
from alignment.importing.cells import all_at_once
from alignment.importing.limits import ImportRefused, Limits
from alignment.importing.quotes import find_runaway

_BLOCK: Final = 8 * 1024 * 1024
_PIECE: Final = 1024 * 1024  # bytes counted at a time for line counts (small enough to stay in cache)
_PARALLEL_BYTES: Final = 16 * 1024 * 1024  # from this size lines are counted on several threads
_MAX_RECOVERIES: Final = 20


def refuse_too_many_rows(lines: int, body: pa.Buffer, columns: list[str], delimiter: str, limits: Limits) -> None:
    """Refuse a file with more records than the row limit, reading no further than the limit.

    Records are at least one line each, so a file with no more lines than the limit is never read
    twice; otherwise the records are counted batch by batch and the count stops once past the limit.
    """
    if lines <= limits.max_rows:
        return
    reader = pacsv.open_csv(pa.BufferReader(body), **_options(columns, delimiter, True, lambda row: "skip"))
    records = 0
    for batch in reader:
        records += batch.num_rows
        if records > limits.max_rows:
            raise ImportRefused(
                f"The file has more than {limits.max_rows:,} rows, over the {limits.max_rows:,}-row limit: "
                "export a shorter period."
            )


def line_counts(text: bytes, start: int) -> tuple[int, int]:
    """Lines of ``text[start:]`` and how many of them are empty (``\n`` or ``\r\n`` alone).

    Counted a piece at a time, each piece overlapping the one before by two bytes so a pair or a
    ``\n\r\n`` across the seam is seen once (the start of the text counts as the end of a line);
    a large text is counted on one thread per core, as numpy lets go of the GIL while it compares.
    """
    data = np.frombuffer(text, dtype=np.uint8)[start:]
    size = len(data)
    carriage = text.find(b"\r", start) >= 0
    empty = int(size > 0 and data[0] == 10) + int(carriage and size > 1 and data[0] == 13 and data[1] == 10)
    offsets = range(0, size, _PIECE)
    share = max(1, -(-len(offsets) // (os.cpu_count() or 1)))  # one run of pieces per core
    shares = {
        str(i): partial(_count_pieces, data, offsets[i : i + share], carriage) for i in range(0, len(offsets), share)
    }
    counted = all_at_once(shares, size >= _PARALLEL_BYTES).values()
    lines = sum(c[0] for c in counted)
    empty += sum(c[1] for c in counted)
    return lines + (0 if text.endswith(b"\n") else 1), empty


def _count_pieces(data: np.ndarray, offsets: range, carriage: bool) -> tuple[int, int]:
    """Newlines in the pieces starting at ``offsets``, and empty lines ending in them (see :func:`line_counts`)."""
    lines = empty = 0
    for offset in offsets:
        low = max(offset - 2, 0)
        view = data[low : offset + _PIECE]
        seen = offset - low  # bytes of the view the piece before counts
        newline = view == 10
        lines += int(np.count_nonzero(newline[seen:]))
        first = max(seen, 1)  # "\n\n": a newline right after a newline
        empty += int(np.count_nonzero(newline[first:] & newline[first - 1 : -1]))
        if carriage:  # "\n\r\n"
            first = max(seen, 2)
            empty += int(np.count_nonzero(newline[first:] & (view[first - 1 : -1] == 13) & newline[first - 2 : -2]))
    return lines, empty


def _has_line_breaks(lines: tuple[int, int], table: pa.Table, malformed: list[str]) -> bool:
    """Whether some value spans lines, given the body's ``(lines, empty lines)``. When the rows read and
    the lines (less the empty ones, which the parser skips) agree, every record was one line."""
    total, empty = lines
    if table.num_rows + len(malformed) == total - empty:
        return False
    return any(
        column.null_count < len(column) and pc.any(pc.match_substring(column, "\n")).as_py() for column in table.columns
    )


def parse_body(
    text: bytes, start: int, columns: list[str], delimiter: str, header_lines: int, lines: tuple[int, int]
) -> tuple[pa.Table, list[str], list[int]]:
    """The records of ``text[start:]``, the lines with the wrong number of cells, and the stray-quote line
    numbers.

    Most exports hold one record per line and are read in one pass. When a value spans lines, or a
    line has the wrong number of cells, the quotes are counted line by line (see :mod:`.quotes`):
    a quote that never closes, or closes more than ``MAX_VALUE_LINES`` lines later, is read as
    plain text on its own line and reading goes on from the next line, so nothing is swallowed.
    """
    body = pa.py_buffer(text)[start:]
    table, malformed = _parse(body, columns, delimiter, newlines_in_values=False)
    if all(shape.is_set_aside_line(t) for t in malformed) and not _has_line_breaks(lines, table, malformed):
        return table, malformed, []
    tables: list[pa.Table] = []
    malformed, stray = [], []
    offset, line = 0, header_lines
    while (runaway := find_runaway(body[offset:])) is not None:
        if len(stray) >= _MAX_RECOVERIES:
            raise ImportRefused(
                f"Quoted values never close from line {line + runaway.line + 1:,} on ({len(stray)} such lines "
                "before it): export the file again, or save it from a spreadsheet as CSV."
            )
        stray.append(line + runaway.line + 1)
        for part, quoted in (
            (body[offset : offset + runaway.start], True),
            (body[offset + runaway.start : offset + runaway.end], False),
        ):
            if len(part):
                found, bad = _parse(part, columns, delimiter, newlines_in_values=True, quoted=quoted)
                tables.append(found)
                malformed += bad
        offset += runaway.end
        line += runaway.line + 1
    if offset < len(body):
        found, bad = _parse(body[offset:], columns, delimiter, newlines_in_values=True)
        tables.append(found)
        malformed += bad
    return pa.concat_tables(tables) if tables else table.slice(0, 0), malformed, stray


def _options(
    columns: list[str],
    delimiter: str,
    newlines_in_values: bool,
    handler: Callable[[pacsv.InvalidRow], str],
    quoted: bool = True,
    block: int = _BLOCK,
) -> dict[str, object]:
    """pyarrow CSV options: every column as text, blank cells null, bad lines passed to ``handler``."""
    return {
        "read_options": pacsv.ReadOptions(column_names=columns, block_size=block),
        "parse_options": pacsv.ParseOptions(
            delimiter=delimiter,
            quote_char='"' if quoted else False,
            newlines_in_values=newlines_in_values,
            invalid_row_handler=handler,
        ),
        "convert_options": pacsv.ConvertOptions(
            column_types={name: pa.large_string() for name in columns},
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        ),
    }


def _parse(
    body: pa.Buffer, columns: list[str], delimiter: str, newlines_in_values: bool, quoted: bool = True
) -> tuple[pa.Table, list[str]]:
    """Parse ``body`` into text columns; lines with the wrong number of cells are set aside as text.

    A record longer than the parser's block (a long notes cell) is read again as one block.
    """
    malformed: list[str] = []

    def set_aside(row: pacsv.InvalidRow) -> str:
        malformed.append(row.text)
        return "skip"

    for block in (_BLOCK, len(body) + 1):
        malformed.clear()
        try:
            table = pacsv.read_csv(
                pa.BufferReader(body), **_options(columns, delimiter, newlines_in_values, set_aside, quoted, block)
            )
            return table, malformed
        except pa.ArrowInvalid as exc:
            problem = str(exc).splitlines()[0]
            if block > len(body) or "straddl" not in problem:
                raise ImportRefused(
                    f"The file cannot be read as CSV ({problem[:120]}): export it again, or save it from a "
                    "spreadsheet as CSV."
                ) from None
    raise AssertionError("unreachable")
