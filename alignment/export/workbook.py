"""The spreadsheet (XLSX) and the CSV zip: the same tables, one sheet or one file each.

The CSV export is a **zip of CSV files**, one per sheet of the workbook (``participation.csv``,
``dimensions.csv``, …, plus ``about.csv``), each UTF-8 with a byte-order mark so spreadsheet
programs read accents correctly. One long CSV would have to mix tables with different columns; a
zip keeps each table tidy and loadable as it is.

Every text cell goes through ``neutralise`` (formula injection); numbers stay numbers.
"""

from __future__ import annotations

import io
import zipfile
from typing import Final

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from alignment import numbers
from alignment.export.report import WorkshopReport
from alignment.export.safety import cell_value, neutralise_frame, xml_text
from alignment.export.tables import report_tables

MAX_COLUMN_WIDTH: Final = 60
PERCENT_COLUMNS: Final = ("share", "(%)")
WHOLE_COLUMNS: Final = ("Score", "score", "Gap", "Interval", "Change", "Previous round", "(days)", "(hours)")


def about(report: WorkshopReport) -> pd.DataFrame:
    """The cover facts: what the file is, for which workshop, round and view (the filters in words), and
    the alignment index. The CSV zip's ``about.csv`` is this table too."""
    index = report.index
    band = report.catalogue.band(index.index).name if index.index is not None else report.absences.get("index")
    rows = [
        ("Report", "Sales & marketing alignment"),
        ("Workshop", report.workshop.name),
        ("Organisation", report.workshop.organisation),
        ("Join code", report.workshop.code),
        ("Round", report.round_no),
        ("View", report.view_description()),
        *[(what, value) for what, value in report.filter_labels() if what != "Round"],
        *([("Not shown in this view", report.filter_note)] if report.filter_note else []),
        ("Made on", report.made_on.isoformat()),
        ("Anonymity threshold k", report.k),
        *([("Answer sheets", report.over_expected_note())] if report.over_expected else []),
        ("Alignment index (0–100)", _whole(index.index)),
        ("Band", band),
        ("What it means", report.headline()),
        ("Level (0–100)", _whole(index.level)),
        ("Closeness (0–100)", _whole(index.consistency)),
        ("Dimensions used", index.dimensions_used),
        ("Deals file", report.pipeline.deals_file or "none saved"),
        ("Leads file", report.pipeline.leads_file or "none saved"),
    ]
    return pd.DataFrame(rows, columns=["Fact", "Value"])


def _whole(value: float | None) -> float | None:
    return numbers.rounded(value) if numbers.known(value) else None


def all_tables(report: WorkshopReport) -> dict[str, pd.DataFrame]:
    """About first, then the report's tables, every one neutralised against formula injection."""
    return {name: neutralise_frame(table) for name, table in {"About": about(report), **report_tables(report)}.items()}


def _number_format(header: str) -> str | None:
    if any(word in header for word in PERCENT_COLUMNS):
        return "0.0%"
    if any(word in header for word in WHOLE_COLUMNS):
        return "0"
    if header.startswith(("Mean", "Spread", "Agreement")):
        return "0.00"
    if header.startswith("Average"):
        return "#,##0"
    return None


def _shown_length(value: object) -> int:
    """Roughly how many characters a cell shows (numbers with one or two decimals)."""
    if isinstance(value, float):
        return len(f"{value:,.1f}")
    return len(str(value)) if value is not None else 0


def _write_sheet(sheet: Worksheet, table: pd.DataFrame, header_fill: PatternFill) -> None:
    headers = [str(c) for c in table.columns]
    sheet.append(headers)
    for row in table.itertuples(index=False, name=None):
        sheet.append([cell_value(v) for v in row])
    for position, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=position)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(position)
        longest = max([len(header) * 0.8, *(_shown_length(v) for v in table.iloc[:200, position - 1])])
        sheet.column_dimensions[letter].width = min(MAX_COLUMN_WIDTH, max(10, int(longest) + 3))
        number_format = _number_format(header)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    if len(table):
        sheet.auto_filter.ref = sheet.dimensions


def build_workbook(report: WorkshopReport, brand_colour: str = "#0072B2") -> bytes:
    """The XLSX file: an About sheet, then one sheet per table of ``report_tables``."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    fill = PatternFill("solid", fgColor=brand_colour.lstrip("#").upper())
    for name, table in all_tables(report).items():
        _write_sheet(workbook.create_sheet(title=name[:31]), table, fill)
    workbook.properties.title = xml_text(f"Alignment report — {report.workshop.name}")[:200]
    workbook.properties.creator = "Sales & marketing alignment"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_name(sheet: str) -> str:
    """``Dimension gaps`` → ``dimension_gaps.csv``."""
    return sheet.lower().replace(" ", "_") + ".csv"


def build_csv_zip(report: WorkshopReport) -> bytes:
    """A zip with one UTF-8 (BOM) CSV per table; missing values are empty fields."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, table in all_tables(report).items():
            archive.writestr(csv_name(name), table.to_csv(index=False).encode("utf-8-sig"))
    return buffer.getvalue()


def table_csv(table: pd.DataFrame) -> bytes:
    """One table as UTF-8 (BOM) CSV bytes, neutralised: the "Download CSV" of a single chart."""
    return neutralise_frame(table).to_csv(index=False).encode("utf-8-sig")
