"""Read the first filled sheet of an Excel workbook into text cells, refusing oversized ones before parsing.

XLSX: the archive directory is checked against the unpacking limits first (a zip bomb never
unpacks). Then every member is streamed from the archive and measured (see :mod:`.sheet_extent`):
the grid the reader would build for a sheet, rows × columns, is checked against the row, column
and cell limits, stopping as soon as one is passed, so a workbook of millions of rows, or of two
cells far apart, is refused in a few megabytes instead of being parsed. Only then does
python-calamine read the sheet; its rows are turned into text column by column as they are iterated.

Legacy XLS (an OLE file of BIFF records) is read by calamine whole when it is opened, every sheet,
setting memory aside from counts in the file, and nothing short of walking every record tells its
size first. So it (and any other workbook without XML sheets: .ods, .xlsb) is read in a child
process whose memory is capped (see :mod:`.capped`); its rows and columns are checked after
loading, there. An honest .xls sheet holds at most 65,536 rows and 256 columns.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time, timedelta
from typing import Final

import pyarrow as pa

from alignment.importing.capped import call_capped
from alignment.importing.limits import EXPORT_HINT, MB, ImportRefused, Limits, size_text
from alignment.importing.sheet_extent import measure_sheet, refuse_inflated_strings

HEADER_SEARCH_ROWS: Final = 20
_GRID_CELL_BYTES: Final = 32  # python-calamine's cell
_TEXT_BYTES: Final = 1024 * MB  # the rows as text, and the reader's own needs


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


def measure_workbook(data: bytes, limits: Limits) -> bool:
    """Refuse a workbook any of whose sheets is over a limit, or whose shared strings claim more entries than
    they hold, before parsing it; True when it has XML sheets (XLSX), all measured.

    Every member is measured: the reader finds sheets through the workbook's relationships, which a
    file can point anywhere."""
    archive = check_archive(data, limits)
    has_sheets = False
    for member in archive.namelist():
        extent = measure_sheet(archive, member, limits, HEADER_SEARCH_ROWS)
        if refusal := extent.refusal(limits, HEADER_SEARCH_ROWS):
            raise ImportRefused(refusal)
        has_sheets = has_sheets or extent.is_sheet
        if member.rpartition("/")[2].casefold() == "sharedstrings.xml":
            refuse_inflated_strings(archive, member)
    return has_sheets


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
    """The first filled sheet's name, the workbook's sheet count, and its non-empty rows as text cells.

    An XLSX is measured first and read here; any other workbook (.xls, .ods, .xlsb) is read in a child
    process allowed the memory of a grid of ``limits.max_cells`` cells and its text (see :mod:`.capped`).
    """
    if data.startswith(b"PK\x03\x04") and measure_workbook(data, limits):
        return read_measured_sheet(data, limits)
    return call_capped(read_measured_sheet, data, limits, budget=limits.max_cells * _GRID_CELL_BYTES + _TEXT_BYTES)


def read_measured_sheet(data: bytes, limits: Limits) -> tuple[str, int, list[list[str | None]]]:
    """:func:`read_sheet` once the workbook is known to fit, or in a process that cannot take the server down."""
    from python_calamine import CalamineError, CalamineWorkbook

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
