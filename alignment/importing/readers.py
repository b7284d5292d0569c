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

from alignment.importing import records, shape, workbook
from alignment.importing.limits import ImportRefused, Limits, size_text

DELIMITERS: Final = (",", ";", "\t", "|")
_HEAD_BYTES: Final = 256 * 1024
_HEADER_SEARCH_ROWS: Final = workbook.HEADER_SEARCH_ROWS
_MAX_HEADER_LINE: Final = 1024 * 1024
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
    is ASCII, so a cell that needs trimming starts or ends with a byte no higher than a space, never
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


def _to_utf8(data: bytes) -> tuple[bytes, str, bool]:
    """The bytes as UTF-8, the encoding they were read in, and whether they are plain ASCII."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :], "UTF-8 (with byte-order mark)", False
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16").encode("utf-8"), "UTF-16", False
    sample = data[:8192]
    controls = sum(sample.count(bytes([b])) for b in (*range(0, 9), *range(14, 32)))
    if b"\x00" in sample or controls > len(sample) // 100:
        raise ImportRefused(f"The file holds binary data, not comma-separated text: {EXPORT_HINT}.")
    if data.isascii():
        return data, "UTF-8", True
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), 4 * 1024 * 1024):
            decoder.decode(data[start : start + 4 * 1024 * 1024])
        decoder.decode(b"", final=True)
        return data, "UTF-8", False
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252").encode("utf-8"), "Windows-1252", False
    except UnicodeDecodeError:
        return data.decode("latin-1").encode("utf-8"), "Latin-1", False


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
    text_bytes, encoding, ascii_only = _to_utf8(data)
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
    lines = records.line_counts(text_bytes, body_start)
    records.refuse_too_many_rows(lines[0], body, columns, delimiter, limits)
    table, malformed, stray = records.parse_body(text_bytes, body_start, columns, delimiter, header_lines, lines)
    raw = _finish(filename, columns, table, malformed, "CSV", encoding, delimiter, None, notes)
    raw.stray_quotes = stray
    raw.plain_cells = ascii_only
    return raw


def _checked_columns(header: list[str], limits: Limits) -> list[str]:
    if len(header) > limits.max_columns:
        raise ImportRefused(
            f"The file has {len(header):,} columns, over the {limits.max_columns:,}-column limit: "
            "export only the columns you need."
        )
    shape.check_header(header)
    return unique_names(header)


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
