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
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from alignment.importing import shape
from alignment.importing.limits import ImportRefused, Limits, size_text

DELIMITERS: Final = (",", ";", "\t", "|")
_HEAD_BYTES: Final = 256 * 1024
_HEADER_SEARCH_ROWS: Final = 20
_SEP_LINE = re.compile(r'^\s*"?sep=(.)"?\s*$', re.IGNORECASE)
_ZIP: Final = b"PK\x03\x04"
_OLE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXPORT_HINT: Final = "export the records from the CRM as CSV or Excel (.xlsx) and upload that file"


@dataclass
class RawTable:
    """An uploaded file as text cells: the header, the record rows, and what was set aside.

    ``rows_read`` counts every line below the header that held anything: records, footer and total
    lines (``footer_rows``) and lines with the wrong number of cells (``malformed``).
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
    if data.startswith(_ZIP) or data.startswith(_OLE):
        raw = _read_workbook(data, filename, limits)
    elif Path(filename).suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        raise ImportRefused(f"The file is named like a spreadsheet but is not a valid one: {EXPORT_HINT}.")
    else:
        raw = _read_csv(data, filename, limits)
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


def _read_csv(data: bytes, filename: str, limits: Limits) -> RawTable:
    text_bytes, encoding = _to_utf8(data)
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
    reader = csv.reader(io.StringIO("".join(body_lines)), delimiter=delimiter)
    rows, ends = [], []
    for row in reader:
        rows.append(row)
        ends.append(reader.line_num)
        if len(rows) >= _HEADER_SEARCH_ROWS:
            break
    rows_with_content = [r for r in rows if any(c.strip() for c in r)]
    if not rows_with_content:
        raise ImportRefused(f"The file is empty: {EXPORT_HINT}.")
    position = _header_position(rows)
    header = rows[position]
    titles = sum(1 for r in rows[:position] if any(c.strip() for c in r))
    if titles:
        notes.append(f"{titles} title line(s) above the column names were skipped.")
    columns = _checked_columns(header, limits)
    body_start = _line_end(text_bytes, skipped_lines + ends[position])
    body = pa.py_buffer(text_bytes)[body_start:]
    if not bytes(body[:_HEAD_BYTES]).strip():
        raise ImportRefused("The file has column names but no rows: export the report again with its records.")
    table, malformed = _parse(body, columns, delimiter, newlines_in_values=False)
    if malformed and not all(shape.is_set_aside_line(t) for t in malformed):
        table, malformed = _parse(body, columns, delimiter, newlines_in_values=True)
    return _finish(filename, columns, table, malformed, "CSV", encoding, delimiter, None, notes)


def _checked_columns(header: list[str], limits: Limits) -> list[str]:
    if len(header) > limits.max_columns:
        raise ImportRefused(
            f"The file has {len(header):,} columns, over the {limits.max_columns:,}-column limit: "
            "export only the columns you need."
        )
    shape.check_header(header)
    return unique_names(header)


def _parse(body: pa.Buffer, columns: list[str], delimiter: str, newlines_in_values: bool) -> tuple[pa.Table, list[str]]:
    malformed: list[str] = []

    def set_aside(row: pacsv.InvalidRow) -> str:
        malformed.append(row.text)
        return "skip"

    table = pacsv.read_csv(
        pa.BufferReader(body),
        read_options=pacsv.ReadOptions(column_names=columns, block_size=8 * 1024 * 1024),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=newlines_in_values, invalid_row_handler=set_aside
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.large_string() for name in columns},
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        ),
    )
    return table, malformed


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


def check_archive(data: bytes, limits: Limits) -> None:
    """Refuse a spreadsheet whose zip members would unpack past the limits (a zip bomb), before reading it."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile:
        raise ImportRefused(
            f"The file is a damaged or unsupported archive, not a readable workbook: {EXPORT_HINT}."
        ) from None
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.max_unpacked_bytes:
        raise ImportRefused(
            f"The workbook would unpack to {size_text(unpacked)}, over the {size_text(limits.max_unpacked_bytes)} "
            "limit: save it as CSV, or export fewer rows."
        )
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > limits.max_unpack_ratio * max(member.compress_size, 1):
            raise ImportRefused(
                f"The workbook is compressed more than {limits.max_unpack_ratio} to 1, which real exports never are: "
                "save it again as CSV and upload that."
            )


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _read_workbook(data: bytes, filename: str, limits: Limits) -> RawTable:
    from python_calamine import CalamineError, CalamineWorkbook

    if data.startswith(_ZIP):
        check_archive(data, limits)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [book.get_sheet_by_name(name) for name in book.sheet_names]
    except (CalamineError, ValueError, OSError) as exc:
        raise ImportRefused(f"The workbook cannot be read ({exc.__class__.__name__}): {EXPORT_HINT}.") from None
    sheet = next((s for s in sheets if s.height > 0 and s.width > 0), None)
    if sheet is None:
        raise ImportRefused(f"The workbook has no filled sheet: {EXPORT_HINT}.")
    if sheet.total_width > limits.max_columns:
        raise ImportRefused(
            f"The sheet has {sheet.total_width:,} columns, over the {limits.max_columns:,}-column limit: "
            "export only the columns you need."
        )
    if sheet.total_height > limits.max_rows + _HEADER_SEARCH_ROWS:
        raise ImportRefused(
            f"The sheet has {sheet.total_height:,} rows, over the {limits.max_rows:,}-row limit: "
            "export a shorter period."
        )
    cells = [[_cell_text(v) for v in row] for row in sheet.to_python(skip_empty_area=True)]
    cells = [row for row in cells if any(v is not None for v in row)]
    if not cells:
        raise ImportRefused(f"The workbook has no filled sheet: {EXPORT_HINT}.")
    position = _header_position([[c or "" for c in row] for row in cells[:_HEADER_SEARCH_ROWS]])
    notes = [
        f"Sheet “{sheet.name}” was read" + (f" (the workbook has {len(sheets)} sheets)." if len(sheets) > 1 else ".")
    ]
    if position:
        notes.append(f"{position} title line(s) above the column names were skipped.")
    columns = _checked_columns([c or "" for c in cells[position]], limits)
    records = cells[position + 1 :]
    if not records:
        raise ImportRefused("The file has column names but no rows: export the report again with its records.")
    width = len(columns)
    table = pa.table(
        {
            name: pa.array([row[i] if i < len(row) else None for row in records], type=pa.large_string())
            for i, name in enumerate(columns)
        }
    )
    overflow = sum(1 for row in records if any(row[width:]))
    if overflow:
        notes.append(f"{overflow} row(s) have cells beyond the last named column; those cells were ignored.")
    return _finish(filename, columns, table, [], "Excel workbook", None, None, sheet.name, notes)
