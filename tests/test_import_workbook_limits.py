"""Workbooks are measured before the reader builds them: a file of a few kilobytes must end in one
sentence, never in a reader that asks for more memory than the machine has and ends the server.

The workbooks here are written by hand, as any program could write them. Each that would have
asked for gigabytes is checked through ``python -m alignment inspect`` in a process capped at 4 GB
of address space, so that a regression ends that process (a non-zero status), not the test run.
"""

from __future__ import annotations

import io
import resource
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from alignment.importing import ImportRefused, propose_mapping, read_table, run_import

ROOT = Path(__file__).resolve().parent.parent
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def hand_written_workbook(
    sheet_data: str, prefix: str = "", sheet_path: str = "worksheets/sheet1.xml", shared_strings: str = ""
) -> bytes:
    """A one-sheet workbook whose ``<sheetData>`` holds ``sheet_data``; ``sheet_path`` is where the
    workbook's relationship points (below ``xl/``, or from the top with a leading ``/``), and
    ``shared_strings`` the whole sharedStrings part."""
    tag = f"{prefix}:" if prefix else ""
    namespace = f'xmlns{":" + prefix if prefix else ""}="{MAIN}"'
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" Type="{OFFICE}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets>'
        '<sheet name="Deals" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/worksheet" Target="{sheet_path}"/></Relationships>',
        sheet_path[1:]
        if sheet_path.startswith("/")
        else f"xl/{sheet_path}": f"<{tag}worksheet {namespace}><{tag}sheetData>{sheet_data}</{tag}sheetData>"
        f"</{tag}worksheet>",
    }
    if shared_strings:
        parts["xl/sharedStrings.xml"] = shared_strings
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def text_cell(ref: str, text: str, tag: str = "") -> str:
    return f'<{tag}c r="{ref}" t="inlineStr"><{tag}is><{tag}t>{text}</{tag}t></{tag}is></{tag}c>'


def two_cells(far: str, **parts: str) -> bytes:
    """``deal_id`` in A1 and one more cell at ``far`` (``XFD300000``)."""
    row = far.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return hand_written_workbook(
        f'<row r="1">{text_cell("A1", "deal_id")}</row><row r="{row}">{text_cell(far, "x")}</row>', **parts
    )


def inspected_in_a_capped_process(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "alignment", "inspect", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30)),
    )


def record(kind: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def legacy_workbook(cells: list[tuple[int, int, str | float]], dimensions: tuple[int, int, int, int]) -> bytes:
    """A BIFF8 .xls of one sheet, ``Deals``: ``cells`` as (row, column, value) from 0, and the sheet's
    DIMENSIONS record (first row, last row + 1, first column, last column + 1), in a compound file
    of one FAT sector, one directory sector and the Workbook stream (at least 4,096 bytes)."""

    def cell(row: int, column: int, value: str | float) -> bytes:
        if isinstance(value, str):
            return record(0x0204, struct.pack("<HHHHB", row, column, 0, len(value), 0) + value.encode("latin-1"))
        return record(0x0203, struct.pack("<HHHd", row, column, 0, value))

    def begin(kind: int) -> bytes:
        return record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0, 0, 0, 0))

    sheet_at = len(begin(0x0005) + record(0x0085, bytes(8) + b"Deals") + record(0x000A))  # where globals end
    stream = begin(0x0005) + record(0x0085, struct.pack("<IBBBB", sheet_at, 0, 0, 5, 0) + b"Deals") + record(0x000A)
    stream += begin(0x0010) + record(0x0200, struct.pack("<IIHHH", *dimensions, 0))
    stream += b"".join(cell(*c) for c in cells) + record(0x000A)
    stream = stream.ljust(max(4096, -(-len(stream) // 512) * 512), b"\0")
    sectors = len(stream) // 512
    fat = [0xFFFFFFFD, 0xFFFFFFFE, *range(3, 2 + sectors), 0xFFFFFFFE]
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<9I", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0) + struct.pack(
        "<109I", 0, *[0xFFFFFFFF] * 108
    )

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        text = (name + "\0").encode("utf-16-le") if name else b""
        return (
            text.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(text), kind, 1, 0xFFFFFFFF, 0xFFFFFFFF, child)
            + bytes(36)
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1, 0xFFFFFFFE, 0) + entry("Workbook", 2, 0xFFFFFFFF, 2, len(stream))
    directory += entry("", 0, 0xFFFFFFFF, 0, 0) * 2
    return header + struct.pack("<128I", *fat, *[0xFFFFFFFF] * (128 - len(fat))) + directory + stream


DEALS_CELLS = [
    *[(0, i, name) for i, name in enumerate(("deal_id", "stage", "amount"))],
    *[(1, 0, "A"), (1, 1, "Closed Won"), (1, 2, 100.0), (2, 0, "B"), (2, 1, "Closed Lost"), (2, 2, 250.0)],
]


# The reader lays a sheet out as one grid from A1 to its last cell, 32 bytes a cell: XFD300000 is
# 300,000 × 16,384 cells (157 GB); SF2000000, within the row and column limits, is 2,000,000 × 500 =
# 1,000,000,000 cells (32 GB). It sets 24 bytes aside per shared string the file claims to hold.
FORGED = {
    "columns": (two_cells("XFD300000"), "The sheet has at least 16,384 columns, over the 500-column limit"),
    "cells": (
        two_cells("SF2000000"),
        "The sheet spans at least 2,000,000 rows by 500 columns (1,000,000,000 cells), over the 50,000,000-cell limit",
    ),
    "sheet elsewhere": (
        two_cells("XFD300000", sheet_path="/elsewhere/data.xml"),
        "The sheet has at least 16,384 columns, over the 500-column limit",
    ),
    "shared strings": (
        hand_written_workbook(
            '<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
            shared_strings=f'<sst xmlns="{MAIN}" count="4000000000" uniqueCount="4000000000">'
            "<si><t>deal_id</t></si></sst>",
        ),
        "The workbook is damaged: its shared strings claim 4,000,000,000 entries but hold 1",
    ),
    # A legacy .xls is read in a child process allowed 50,000,000 cells × 32 bytes + 1,024 MB = 2,550 MB:
    # a cell at row 65,536, column 65,536 makes a 65,536² grid (137 GB); a DIMENSIONS record claiming
    # 1,000,000 rows by 1,000 columns has 40 GB set aside before any cell is read.
    ".xls cells": (
        legacy_workbook([*DEALS_CELLS, (65535, 65535, 1.0)], (0, 3, 0, 3)),
        "The workbook would take more than 2,550 MB of memory to read",
    ),
    ".xls dimensions": (
        legacy_workbook(DEALS_CELLS, (0, 1_000_000, 0, 1_000)),
        "The workbook would take more than 2,550 MB of memory to read",
    ),
}


@pytest.mark.parametrize("forged", list(FORGED), ids=list(FORGED))
def test_a_few_kilobytes_asking_for_gigabytes_end_in_one_sentence(tmp_path, forged):
    data, sentence = FORGED[forged]
    path = tmp_path / ("forged.xls" if forged.startswith(".xls") else "forged.xlsx")
    path.write_bytes(data)
    done = inspected_in_a_capped_process(path)
    assert (done.returncode, done.stderr.strip().count("\n")) == (1, 0), done.stderr[-500:]
    assert done.stderr.startswith(sentence)


def test_cells_without_references_or_with_a_prefix_are_measured_too():
    header = "".join(text_cell(f"{letters}1", f"field_{i}") for i, letters in enumerate(["A", "B"]))
    unreferenced = '<row><c t="inlineStr"><is><t>deal_id</t></is></c>' + "<c><v>1</v></c>" * 600 + "</row>"
    prefixed = f'<x:row r="1">{text_cell("A1", "deal_id", "x:")}{text_cell("WB1", "far", "x:")}</x:row>'
    reordered = f'<row r="1">{header}<c s="1" r="WB1"><v>1</v></c></row>'  # WB = 23 × 26 + 2 = 600
    for sheet_data, prefix, columns in ((unreferenced, "", 601), (prefixed, "x", 600), (reordered, "", 600)):
        with pytest.raises(ImportRefused, match=f"at least {columns} columns, over the 500-column limit"):
            read_table(hand_written_workbook(sheet_data, prefix), "odd.xlsx")


def test_a_sheet_with_a_prefix_or_without_cell_references_is_still_read():
    rows = [("deal_id", "stage", "amount"), ("A", "Closed Won", "100"), ("B", "Closed Lost", "250")]
    for prefix, referenced in (("x", True), ("", False)):
        tag = f"{prefix}:" if prefix else ""
        sheet_data = "".join(
            f"<{tag}row>"
            + "".join(text_cell(f"{'ABC'[i]}{n + 1}" if referenced else "", v, tag) for i, v in enumerate(row))
            + f"</{tag}row>"
            for n, row in enumerate(rows)
        )
        if not referenced:
            sheet_data = sheet_data.replace(' r=""', "")
        raw = read_table(hand_written_workbook(sheet_data, prefix), "odd.xlsx")
        report = run_import(raw, propose_mapping(raw.columns, "deals", raw.table)).report
        assert (report.rows_accepted, report.outcomes["won"], report.amount_total) == (2, 1, 350.0)


def test_shared_strings_counted_honestly_are_read():
    strings = (
        f'<sst xmlns="{MAIN}" count="4" uniqueCount="3"><si><t>deal_id</t></si><si><t>stage</t></si>'
        "<si><t>Closed Won</t></si></sst>"
    )
    sheet_data = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2"><v>7</v></c><c r="B2" t="s"><v>2</v></c></row>'
    )
    raw = read_table(hand_written_workbook(sheet_data, shared_strings=strings), "deals.xlsx")
    assert raw.columns == ["deal_id", "stage"] and raw.table.column("stage").to_pylist() == ["Closed Won"]


def test_a_legacy_xls_is_read_as_before():
    raw = read_table(legacy_workbook(DEALS_CELLS, (0, 3, 0, 3)), "deals.xls")
    report = run_import(raw, propose_mapping(raw.columns, "deals", raw.table)).report
    assert raw.notes[0] == "Sheet “Deals” was read."
    assert (report.rows_accepted, report.outcomes["won"], report.amount_total) == (2, 1, 350.0)
