"""Read the first filled sheet of an Excel workbook into text cells, refusing oversized ones before parsing.

XLSX: the archive directory is checked against the unpacking limits first (a zip bomb never
unpacks). Then each sheet's XML is streamed from the archive and measured (see
:mod:`.sheet_extent`): the grid the reader would build, rows × columns, is checked against the
row, column and cell limits, stopping as soon as one is passed, so a workbook of millions of rows,
or of two cells far apart, is refused in a few megabytes instead of being parsed. Only then does
python-calamine read the sheet; its rows are turned into text column by column as they are iterated.

Legacy XLS (an OLE file of BIFF records) is read by calamine whole when it is opened, every sheet,
and nothing cheaper tells its size first, so its rows and columns are checked after loading. Such a
sheet holds at most 65,536 rows and 256 columns, within the default limits.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time, timedelta
from typing import Final

import pyarrow as pa

from alignment.importing.limits import EXPORT_HINT, ImportRefused, Limits, size_text
from alignment.importing.sheet_extent import measure_sheet

HEADER_SEARCH_ROWS: Final = 20
_SHEET = re.compile(rb'<sheet\b[^>]*?\br:id="([^"]+)"')
_RELATION = re.compile(rb"<Relationship\b[^>]*>")


def check_archive(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """Refuse a spreadsheet whose zip members would unpack past the limits (a zip bomb), before reading it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
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
    return archive


def _sheet_paths(archive: zipfile.ZipFile) -> list[str]:
    """The worksheet XML members in workbook order (from ``xl/workbook.xml`` and its relationships)."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    targets = {}
    for tag in _RELATION.findall(archive.read("xl/_rels/workbook.xml.rels")):
        ident, target = re.search(rb'\bId="([^"]+)"', tag), re.search(rb'\bTarget="([^"]+)"', tag)
        if ident and target:
            path = target.group(1).decode().lstrip("/")
            targets[ident.group(1)] = path if path.startswith("xl/") else f"xl/{path}"
    order = [targets.get(ident) for ident in _SHEET.findall(archive.read("xl/workbook.xml"))]
    return [p for p in order if p in names]


def refuse_oversized_sheets(data: bytes, limits: Limits) -> None:
    """Refuse a workbook whose first filled sheet (or an empty-looking one before it) is over a limit, unparsed."""
    archive = check_archive(data, limits)
    for member in _sheet_paths(archive):
        extent = measure_sheet(archive, member, limits, HEADER_SEARCH_ROWS)
        if refusal := extent.refusal(limits, HEADER_SEARCH_ROWS):
            raise ImportRefused(refusal)
        if extent.has_values:
            return


def cell_text(value: object) -> str | None:
    """A workbook cell as the text a CSV export would hold (None when empty)."""
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


def read_sheet(data: bytes, limits: Limits) -> tuple[str, int, list[list[str | None]]]:
    """The first filled sheet's name, the workbook's sheet count, and its non-empty rows as text cells."""
    from python_calamine import CalamineError, CalamineWorkbook

    if data.startswith(b"PK\x03\x04"):
        refuse_oversized_sheets(data, limits)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = book.sheet_names
        sheet = None
        for name in names:
            candidate = book.get_sheet_by_name(name)
            if candidate.height > 0 and candidate.width > 0:
                sheet = candidate
                break
    except (CalamineError, ValueError, OSError) as exc:
        raise ImportRefused(f"The workbook cannot be read ({exc.__class__.__name__}): {EXPORT_HINT}.") from None
    if sheet is None:
        raise ImportRefused(f"The workbook has no filled sheet: {EXPORT_HINT}.")
    if sheet.total_width > limits.max_columns:
        raise ImportRefused(
            f"The sheet has {sheet.total_width:,} columns, over the {limits.max_columns:,}-column limit: "
            "export only the columns you need."
        )
    rows: list[list[str | None]] = []
    try:
        for row in sheet.iter_rows():
            cells = [cell_text(v) for v in row]
            if any(v is not None for v in cells):
                rows.append(cells)
                if len(rows) > limits.max_rows + HEADER_SEARCH_ROWS:
                    raise ImportRefused(
                        f"The sheet has more than {limits.max_rows:,} rows, over the {limits.max_rows:,}-row limit: "
                        "export a shorter period."
                    )
    except CalamineError as exc:
        raise ImportRefused(f"The workbook cannot be read ({exc.__class__.__name__}): {EXPORT_HINT}.") from None
    return sheet.name, len(names), rows


def as_table(columns: list[str], records: list[list[str | None]]) -> pa.Table:
    """Text rows as an Arrow table of ``large_string`` columns (missing cells are null)."""
    return pa.table(
        {
            name: pa.array([row[i] if i < len(row) else None for row in records], type=pa.large_string())
            for i, name in enumerate(columns)
        }
    )
