"""Read an uploaded CSV or Excel file into a table of text cells, one row per record.

CSV: the encoding is UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, or
else Windows-1252 (Latin-1 as the last resort); the delimiter comes from a ``sep=;`` first line or
from the header line itself (``,`` ``;`` tab ``|``); title lines above the header are skipped;
quoted values, doubled quotes, CRLF and newlines inside quotes are handled by pyarrow's parser.
Excel: the archive directory is checked against the unpacking limits before any cell is read,
then the first sheet with data is read through python-calamine.
Every cell stays text here (Arrow ``large_string``, which pandas string columns share without a
copy); values are parsed per column later (see :mod:`.cells`).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from alignment.importing import shape, workbook
from alignment.importing.limits import ImportRefused, Limits, size_text
from alignment.importing.quotes import find_runaway

DELIMITERS: Final = (",", ";", "\t", "|")
_HEAD_BYTES: Final = 256 * 1024
_HEADER_SEARCH_ROWS: Final = workbook.HEADER_SEARCH_ROWS
_MAX_HEADER_LINE: Final = 1024 * 1024
_BLOCK: Final = 8 * 1024 * 1024
_MAX_RECOVERIES: Final = 20
_SEP_LINE = re.compile(r'^\s*"?sep=(.)"?\s*$', re.IGNORECASE)
_ZIP: Final = b"PK\x03\x04"
_OLE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXPORT_HINT: Final = workbook.EXPORT_HINT
csv.field_size_limit(2**31 - 1)  # long notes cells in the first lines are read, not refused


@dataclass
class RawTable:
    """An uploaded file as text cells: the header, the record rows, and what was set aside.

    ``rows_read`` counts every line below the header that held anything: records, footer and total
    lines (``footer_rows``) and lines with the wrong number of cells (``malformed``).
    ``stray_quotes`` are the line numbers (1 = first line of the file) whose quote never closed;
    each such line was read without quote handling (see :mod:`.quotes`). ``plain_cells``: the file
    is ASCII and every record one line, so a cell can only start or end with a space or a tab, never
    another kind of white space (the import trims cells knowing this).
    """

    filename: str
    columns: list[str]
    table: pa.Table
    rows_read: int
    footer_rows: int = 0
    footer_examples: list[str] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)
    file_format: str = "CSV"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    stray_quotes: list[int] = field(default_factory=list)
    plain_cells: bool = False

    @property
    def decimal_comma_likely(self) -> bool:
        """Semicolon-separated files come from locales that write decimal commas."""
        return self.delimiter == ";"


def read_table(data: bytes, filename: str, limits: Limits | None = None) -> RawTable:
    """Read ``data`` (the uploaded bytes) into a :class:`RawTable`; raise :class:`ImportRefused` if it is not usable."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise ImportRefused(
            f"The file is {size_text(len(data))}, over the {size_text(limits.max_bytes)} upload limit: "
            "export a shorter period or fewer columns."
        )
    if not data or data.isspace():
        raise ImportRefused(f"The file is empty: {EXPORT_HINT}.")
    if Path(filename).suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods") and not data.startswith((_ZIP, _OLE)):
        raise ImportRefused(f"The file is named like a spreadsheet but is not a valid one: {EXPORT_HINT}.")
    try:
        raw = (
            _read_workbook(data, filename, limits)
            if data.startswith((_ZIP, _OLE))
            else _read_csv(data, filename, limits)
        )
    except ImportRefused:
        raise
    except (  # a damaged file ends in one sentence, never a traceback
        pa.ArrowException,
        csv.Error,
        UnicodeError,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        ValueError,
        OSError,
        KeyError,
    ) as exc:
        raise ImportRefused(
            f"The file cannot be read ({exc.__class__.__name__}): export it again from the CRM as CSV or Excel, or "
            "save it from a spreadsheet as CSV."
        ) from None
    pa.default_memory_pool().release_unused()  # the parser's scratch blocks go back before numpy allocates
    if raw.rows_read > limits.max_rows:
        raise ImportRefused(
            f"The file has {raw.rows_read:,} rows, over the {limits.max_rows:,}-row limit: export a shorter period."
        )
    return raw


# ----------------------------------------------------------------------------------------- CSV


def _to_utf8(data: bytes) -> tuple[bytes, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :], "UTF-8 (with byte-order mark)"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16").encode("utf-8"), "UTF-16"
    sample = data[:8192]
    controls = sum(sample.count(bytes([b])) for b in (*range(0, 9), *range(14, 32)))
    if b"\x00" in sample or controls > len(sample) // 100:
        raise ImportRefused(f"The file holds binary data, not comma-separated text: {EXPORT_HINT}.")
    if data.isascii():
        return data, "UTF-8"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), 4 * 1024 * 1024):
            decoder.decode(data[start : start + 4 * 1024 * 1024])
        decoder.decode(b"", final=True)
        return data, "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252").encode("utf-8"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1").encode("utf-8"), "Latin-1"


def _sniff_delimiter(lines: list[str]) -> str:
    def score(delimiter: str) -> tuple[int, int]:
        widths = [len(row) for row in csv.reader(lines, delimiter=delimiter) if row]
        if not widths:
            return (0, 0)
        common = max(set(widths), key=widths.count)
        return (widths.count(common) if common > 1 else 0, common)

    return max(DELIMITERS, key=score)


def _header_position(rows: list[list[str]]) -> int:
    widths = [sum(bool(cell.strip()) for cell in row) for row in rows]
    widest = max(widths, default=0)
    for index, width in enumerate(widths):
        if width >= max(2, widest // 2):
            return index
    return 0


def unique_names(header: list[str]) -> list[str]:
    """Header cells made usable as column names: trimmed, blanks named, repeats numbered."""
    names: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(header, start=1):
        base = cell.strip().lstrip("\ufeff").strip() or f"Column {position}"
        name, copy = base, 2
        while name in seen:
            name, copy = f"{base} ({copy})", copy + 1
        seen.add(name)
        names.append(name)
    return names


def _line_end(data: bytes, lines: int) -> int:
    position = 0
    for _ in range(lines):
        found = data.find(b"\n", position)
        if found < 0:
            return len(data)
        position = found + 1
    return position


def _refuse_long_first_line(text_bytes: bytes) -> None:
    if len(text_bytes) <= _MAX_HEADER_LINE or text_bytes.find(b"\n", 0, _MAX_HEADER_LINE) >= 0:
        return
    if text_bytes.find(b"\n") < 0:
        raise ImportRefused(
            f"The file is one line of {size_text(len(text_bytes))} with no line breaks, so it holds no rows: "
            "export the records again as CSV, one row per deal or lead."
        )
    raise ImportRefused(
        f"The first line of the file is over {size_text(_MAX_HEADER_LINE)} long, which is not a row of column "
        "names: export the file again with its header row."
    )


def _head_rows(body_lines: list[str], delimiter: str) -> tuple[list[list[str]], list[int]]:
    reader = csv.reader(io.StringIO("".join(body_lines)), delimiter=delimiter)
    rows, ends = [], []
    try:
        for row in reader:
            rows.append(row)
            ends.append(reader.line_num)
            if len(rows) >= _HEADER_SEARCH_ROWS:
                break
    except csv.Error:  # a quote still open where the sample ends: the rows before it are enough
        pass
    return rows, ends


def _read_csv(data: bytes, filename: str, limits: Limits) -> RawTable:
    text_bytes, encoding = _to_utf8(data)
    _refuse_long_first_line(text_bytes)
    head = text_bytes[:_HEAD_BYTES].decode("utf-8", errors="replace")
    if len(text_bytes) > _HEAD_BYTES:
        head = head[: head.rfind("\n") + 1] or head
    lines = head.splitlines(keepends=True)
    notes: list[str] = []
    skipped_lines = 0
    delimiter = None
    if lines and (match := _SEP_LINE.match(lines[0])):
        delimiter, skipped_lines = match.group(1), 1
        notes.append(f"The first line names the delimiter ({delimiter!r}).")
    body_lines = lines[skipped_lines:]
    delimiter = delimiter or _sniff_delimiter(body_lines[:30])
    rows, ends = _head_rows(body_lines, delimiter)
    rows_with_content = [r for r in rows if any(c.strip() for c in r)]
    if not rows_with_content:
        raise ImportRefused(f"The file is empty: {EXPORT_HINT}.")
    position = _header_position(rows)
    header = rows[position]
    titles = sum(1 for r in rows[:position] if any(c.strip() for c in r))
    if titles:
        notes.append(f"{titles} title line(s) above the column names were skipped.")
    columns = _checked_columns(header, limits)
    header_lines = skipped_lines + ends[position]
    body_start = _line_end(text_bytes, header_lines)
    body = pa.py_buffer(text_bytes)[body_start:]
    if not bytes(body[:_HEAD_BYTES]).strip():
        raise ImportRefused("The file has column names but no rows: export the report again with its records.")
    lines = _line_counts(text_bytes, body_start)
    _refuse_too_many_rows(lines[0], body, columns, delimiter, limits)
    table, malformed, stray, multiline = _parse_body(text_bytes, body_start, columns, delimiter, header_lines, lines)
    raw = _finish(filename, columns, table, malformed, "CSV", encoding, delimiter, None, notes)
    raw.stray_quotes = stray
    raw.plain_cells = encoding == "UTF-8" and text_bytes is data and data.isascii() and not multiline
    return raw


def _refuse_too_many_rows(lines: int, body: pa.Buffer, columns: list[str], delimiter: str, limits: Limits) -> None:
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


def _line_counts(text: bytes, start: int) -> tuple[int, int]:
    """Lines of ``text[start:]`` and how many of them are empty (``\n`` or ``\r\n`` alone), in pieces."""
    data = np.frombuffer(text, dtype=np.uint8)[start:]
    lines = empty = 0
    previous = -1  # position of the last newline before the current piece (start of text counts as one)
    step = 8 * 1024 * 1024
    for offset in range(0, len(data), step):
        ends = np.flatnonzero(data[offset : offset + step] == 10) + offset
        if not ends.size:
            continue
        gaps = np.diff(ends, prepend=previous)
        empty += int(np.count_nonzero(gaps == 1))
        carriage = ends[gaps == 2]
        empty += int(np.count_nonzero(data[carriage - 1] == 13))
        lines += ends.size
        previous = int(ends[-1])
    return lines + (0 if text.endswith(b"\n") else 1), empty


def _has_line_breaks(lines: tuple[int, int], table: pa.Table, malformed: list[str]) -> bool:
    """Whether some value spans lines, given the body's ``(lines, empty lines)``. When the rows read and
    the lines (less the empty ones, which the parser skips) agree, every record was one line."""
    lines, empty = lines
    if table.num_rows + len(malformed) == lines - empty:
        return False
    return any(
        column.null_count < len(column) and pc.any(pc.match_substring(column, "\n")).as_py() for column in table.columns
    )


def _parse_body(
    text: bytes, start: int, columns: list[str], delimiter: str, header_lines: int, lines: tuple[int, int]
) -> tuple[pa.Table, list[str], list[int], bool]:
    """The records of ``text[start:]``, the lines with the wrong number of cells, the stray-quote line
    numbers, and whether any record may span lines.

    Most exports hold one record per line and are read in one pass. When a value spans lines, or a
    line has the wrong number of cells, the quotes are counted line by line (see :mod:`.quotes`):
    a quote that never closes, or closes more than ``MAX_VALUE_LINES`` lines later, is read as
    plain text on its own line and reading goes on from the next line, so nothing is swallowed.
    """
    body = pa.py_buffer(text)[start:]
    table, malformed = _parse(body, columns, delimiter, newlines_in_values=False)
    if all(shape.is_set_aside_line(t) for t in malformed) and not _has_line_breaks(lines, table, malformed):
        return table, malformed, [], False
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
    return pa.concat_tables(tables) if tables else table.slice(0, 0), malformed, stray, True


def _checked_columns(header: list[str], limits: Limits) -> list[str]:
    if len(header) > limits.max_columns:
        raise ImportRefused(
            f"The file has {len(header):,} columns, over the {limits.max_columns:,}-column limit: "
            "export only the columns you need."
        )
    shape.check_header(header)
    return unique_names(header)


def _options(columns: list[str], delimiter: str, newlines_in_values: bool, handler, quoted: bool = True, block=_BLOCK):
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


def _finish(
    filename: str,
    columns: list[str],
    table: pa.Table,
    malformed: list[str],
    file_format: str,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
    notes: list[str],
) -> RawTable:
    footer_lines = [t for t in malformed if shape.is_set_aside_line(t)]
    broken = [t for t in malformed if not shape.is_set_aside_line(t)]
    totals = shape.footer_rows(table)
    examples = [t.strip() for t in footer_lines if not shape.is_blank_line(t)]
    examples += [shape.describe_row(table, int(i)) for i in np.flatnonzero(totals)[:5]]
    footer_count = len(footer_lines) + int(totals.sum())
    if totals.any():
        table = table.filter(pa.array(~totals))
    shape.refuse_if_summary(table.num_rows, int(totals.sum()))
    return RawTable(
        filename=filename,
        columns=columns,
        table=table,
        rows_read=table.num_rows + footer_count + len(broken),
        footer_rows=footer_count,
        footer_examples=examples[:5],
        malformed=broken,
        file_format=file_format,
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
        notes=notes,
    )


# ----------------------------------------------------------------------------------------- Excel


def _read_workbook(data: bytes, filename: str, limits: Limits) -> RawTable:
    name, sheets, cells = workbook.read_sheet(data, limits)
    if not cells:
        raise ImportRefused(f"The workbook has no filled sheet: {EXPORT_HINT}.")
    position = _header_position([[c or "" for c in row] for row in cells[:_HEADER_SEARCH_ROWS]])
    notes = [f"Sheet “{name}” was read" + (f" (the workbook has {sheets} sheets)." if sheets > 1 else ".")]
    if position:
        notes.append(f"{position} title line(s) above the column names were skipped.")
    columns = _checked_columns([c or "" for c in cells[position]], limits)
    records = cells[position + 1 :]
    if not records:
        raise ImportRefused("The file has column names but no rows: export the report again with its records.")
    width = len(columns)
    table = workbook.as_table(columns, records)
    overflow = sum(1 for row in records if any(row[width:]))
    if overflow:
        notes.append(f"{overflow} row(s) have cells beyond the last named column; those cells were ignored.")
    return _finish(filename, columns, table, [], "Excel workbook", None, None, name, notes)
