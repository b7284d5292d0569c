"""How big a workbook's sheets are, read from their XML as it streams out of the archive, before anything
parses them.

python-calamine lays a sheet out as one grid from its first to its last cell, 32 bytes a cell, for
cells that hold nothing too: a workbook of two cells, ``A1`` and ``XFD300000``, asks for 157 GB and
ends the server process. So the limits are checked against what the grid will be, not against
how many rows the file holds:

- rows: the ``<row>`` tags, or the highest row a cell names, whichever is more;
- columns: the widest column a cell names (``XFD`` = 16,384);
- cells: rows × columns.

Every member of the archive is measured from its ``sheetData`` tag on: the reader finds sheets
through the workbook's relationships, which a file can point at any member. The sheet's
``<dimension ref="A1:D9">`` is not used: it counts cells that are only formatted, so it can
overstate a real export, and whoever wrote the file can understate it; calamine ignores it too.

The quick way reads the cell references with a regular expression, which holds for the XML that
Excel, LibreOffice, openpyxl and CRM exporters write (``<c r="B7" ...>``, no namespace prefix).
A sheet with any other cell tag (no reference, another attribute first, a prefix such as
``<x:c>``) is read again with expat, placing each cell as calamine does. Either way a cell that is
only formatted counts, so a check can only be stricter than calamine's grid, never looser.

The reader also sets memory aside for as many shared strings as the part's ``uniqueCount`` claims,
before reading one; a claim of more than twice the entries the part holds is refused.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import Final
from xml.parsers import expat

from alignment.importing.limits import EXPORT_HINT, ImportRefused, Limits

STREAM_CHUNK: Final = 64 * 1024
_LONGEST_TAG: Final = 1024 * 1024
_CELL_LETTERS = re.compile(rb'<c(?: r="([A-Z]{1,3})[1-9]|[\s>])')  # b"" for a cell tag of another form
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([1-9][0-9]{0,6})"')
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
_REFERENCE = re.compile(r"([A-Za-z]+)([0-9]+)")
_TRUSTED_STRING_COUNT: Final = 1_000_000  # 24 MB set aside: never worth a check


def column_number(letters: bytes | str) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27, ``XFD`` → 16384."""
    number = 0
    for letter in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


@dataclass
class SheetExtent:
    """The grid a worksheet will take: ``row_tags`` counted, the highest row and widest column any cell names;
    ``is_sheet``: the member has a ``sheetData`` tag (other members measure empty)."""

    row_tags: int = 0
    last_row: int = 0
    last_column: int = 0
    is_sheet: bool = False

    @property
    def rows(self) -> int:
        return max(self.row_tags, self.last_row)

    @property
    def cells(self) -> int:
        return self.rows * self.last_column

    def refusal(self, limits: Limits, header_rows: int) -> str | None:
        """The sentence refusing a sheet this big, or None while it is within the limits."""
        if self.last_column > limits.max_columns:
            return (
                f"The sheet has at least {self.last_column:,} columns, over the {limits.max_columns:,}-column limit: "
                "export only the columns you need."
            )
        if self.rows > limits.max_rows + header_rows:
            return (
                f"The sheet has more than {limits.max_rows:,} rows, over the {limits.max_rows:,}-row limit: "
                "export a shorter period."
            )
        if self.cells > limits.max_cells:
            return (
                f"The sheet spans at least {self.rows:,} rows by {self.last_column:,} columns ({self.cells:,} cells), "
                f"over the {limits.max_cells:,}-cell limit: export a shorter period or only the columns you need."
            )
        return None


def _add_quickly(part: bytes, extent: SheetExtent) -> bool:
    """Add the complete tags in ``part`` to ``extent``; False when a cell tag is not of the plain form."""
    letters = _CELL_LETTERS.findall(part)
    rows = _CELL_ROW.findall(part)
    distinct = set(letters)
    if b"" in distinct or len(rows) != len(letters) or _PREFIXED_CELL.search(part):
        return False
    extent.row_tags += part.count(b"<row ") + part.count(b"<row>")
    if letters:
        extent.last_column = max(extent.last_column, *map(column_number, distinct))
        extent.last_row = max(extent.last_row, *map(int, set(rows)))
    return True


def measure_sheet(archive: zipfile.ZipFile, member: str, limits: Limits, header_rows: int) -> SheetExtent:
    """The extent of a worksheet, streamed; reading stops as soon as it is over a limit.

    Cells count from the ``sheetData`` tag on, as the reader reads them; a member without one (styles,
    shared strings, an image) is not a sheet to the reader, and measures empty.
    """
    extent, carry = SheetExtent(), b""
    with archive.open(member) as stream:
        while chunk := stream.read(STREAM_CHUNK):
            window = carry + chunk
            if not extent.is_sheet:
                start = window.find(b"sheetData")
                extent.is_sheet = start >= 0
                if not extent.is_sheet:
                    carry = window[-len(b"sheetData") :]
                    continue
                window = window[start:]
            end = window.rfind(b">") + 1  # every tag before ``end`` is whole; the rest waits for the next chunk
            part, carry = window[:end], window[end:]
            if len(carry) > _LONGEST_TAG:
                raise ImportRefused(f"The workbook's sheet is damaged (a tag never ends): {EXPORT_HINT}.")
            if not _add_quickly(part, extent):
                return _measure_parsed(archive, member, limits, header_rows)
            if extent.refusal(limits, header_rows):
                return extent
    return extent


def _measure_parsed(archive: zipfile.ZipFile, member: str, limits: Limits, header_rows: int) -> SheetExtent:
    """The extent from an XML parse, each cell placed as calamine places it (a cell without a reference
    goes one column right of the cell before it; a row without a number comes after the row before it)."""
    extent = SheetExtent()
    position = {"row": 0, "column": 0}
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def no_doctype(*_: object) -> None:
        raise ImportRefused(f"The workbook's sheet declares a document type, which exports never do: {EXPORT_HINT}.")

    def start(name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        extent.is_sheet = extent.is_sheet or local == "sheetData"
        if local == "row":
            extent.row_tags += 1
            if (number := attributes.get("r", "")).isdigit():
                position["row"] = int(number) - 1
        elif local == "c":
            found = _REFERENCE.fullmatch(attributes.get("r", ""))
            if found:
                position["column"] = column_number(found.group(1)) - 1
            row = int(found.group(2)) - 1 if found else position["row"]
            extent.last_row = max(extent.last_row, row + 1)
            extent.last_column = max(extent.last_column, position["column"] + 1)
            position["column"] += 1

    def end(name: str) -> None:
        if name.rpartition(" ")[2] == "row":
            position["row"] += 1
            position["column"] = 0

    parser.StartDoctypeDeclHandler = no_doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(STREAM_CHUNK):
                parser.Parse(chunk, False)
                if extent.refusal(limits, header_rows):
                    return extent
            parser.Parse(b"", True)
    except expat.ExpatError:
        raise ImportRefused(f"The workbook's sheet is damaged (its XML cannot be read): {EXPORT_HINT}.") from None
    return extent


def refuse_inflated_strings(archive: zipfile.ZipFile, member: str) -> None:
    """Refuse shared strings whose ``uniqueCount`` claims far more entries than the part holds: the reader
    sets that much memory aside first (24 bytes an entry; ``uniqueCount="4000000000"`` asks for 96 GB)."""
    claimed = _first_tag_attribute(archive, member, "uniqueCount")
    if not claimed.isdigit() or int(claimed) <= _TRUSTED_STRING_COUNT:
        return
    held, tail = 0, b""
    with archive.open(member) as stream:
        while chunk := stream.read(STREAM_CHUNK):
            window = tail + chunk
            held += window.count(b"<si") + window.count(b":si") - tail.count(b"<si") - tail.count(b":si")
            tail = window[-3:]
    if int(claimed) > 2 * held:
        raise ImportRefused(
            f"The workbook is damaged: its shared strings claim {int(claimed):,} entries but hold {held:,}: "
            f"{EXPORT_HINT}."
        )


def _first_tag_attribute(archive: zipfile.ZipFile, member: str, name: str) -> str:
    """The attribute ``name`` of the part's first (root) tag, read with expat up to that tag, or ``""``."""
    found: list[str] = []
    parser = expat.ParserCreate()

    def start(_: str, attributes: dict[str, str]) -> None:
        found.append(attributes.get(name, ""))

    def no_doctype(*_: object) -> None:
        raise expat.ExpatError("a document type declaration")

    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = no_doctype
    parser.StartElementHandler = start
    try:
        with archive.open(member) as stream:
            while not found and (chunk := stream.read(STREAM_CHUNK)):
                parser.Parse(chunk, False)
    except expat.ExpatError:  # the reader cannot read such a count either
        return ""
    return found[0].strip() if found else ""
