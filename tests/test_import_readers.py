"""Reading uploads: encodings, delimiters, footers, spreadsheets, and the files that must be refused."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import openpyxl
import pytest

from alignment.importing import ImportRefused, Limits, propose_mapping, read_table, run_import

FIXTURES = Path(__file__).parent / "fixtures" / "crm"


def read(name: str, limits: Limits | None = None):
    return read_table((FIXTURES / name).read_bytes(), name, limits)


def test_salesforce_report_footer_lines_are_removed_and_counted():
    raw = read("salesforce_report.csv")
    assert raw.table.num_rows == 5
    assert raw.footer_rows == 6
    assert raw.rows_read == 11
    assert any("Grand Totals (5 records)" in line for line in raw.footer_examples)
    assert not raw.malformed


def test_byte_order_mark_is_not_part_of_the_first_column_name():
    raw = read("salesforce_api.csv")
    assert raw.columns[0] == "Id"
    assert raw.encoding.startswith("UTF-8")


def test_windows_1252_file_keeps_its_accents_and_euro_signs():
    raw = read("windows_1252.csv")
    assert raw.encoding == "Windows-1252"
    rows = raw.table.to_pylist()
    assert rows[0]["account"] == "Société Générale"
    assert rows[0]["amount"] == "€1500"


def test_sep_line_names_the_semicolon_delimiter():
    raw = read("european.csv")
    assert raw.delimiter == ";"
    assert raw.columns[:3] == ["deal_id", "deal_name", "stage"]
    assert raw.table.num_rows == 3


def test_tab_separated_utf16_export_is_read():
    text = "deal_id\tstage\tamount\r\nT1\tClosed Won\t100\r\n"
    raw = read_table(text.encode("utf-16"), "export.csv")
    assert raw.delimiter == "\t"
    assert raw.table.to_pylist() == [{"deal_id": "T1", "stage": "Closed Won", "amount": "100"}]


def test_quoted_values_with_commas_quotes_and_newlines_stay_whole():
    text = 'deal_id,deal_name,amount\r\n"Q1","Big, ""quoted""\r\ndeal","1,200.00"\r\n"Q2","Plain","5"\r\n'
    raw = read_table(text.encode(), "quoted.csv")
    rows = raw.table.to_pylist()
    assert rows[0]["deal_name"] == 'Big, "quoted"\r\ndeal'
    assert rows[0]["amount"] == "1,200.00"
    assert raw.rows_read == 2


def test_title_lines_above_the_header_are_skipped():
    text = "Opportunity Pipeline\nAs of 2024-06-30\n\nStage,Amount,Close Date\nClosed Won,100,2024-01-01\n"
    raw = read_table(text.encode(), "report.csv")
    assert raw.columns == ["Stage", "Amount", "Close Date"]
    assert raw.table.num_rows == 1
    assert any("title line" in note for note in raw.notes)


def test_repeated_and_blank_header_names_become_distinct_columns():
    raw = read_table(b"Amount,Amount,,Stage\n1,2,3,Won\n", "dupes.csv")
    assert raw.columns == ["Amount", "Amount (2)", "Column 3", "Stage"]


def test_row_with_too_many_cells_is_set_aside_not_lost():
    raw = read_table(b"deal_id,stage,amount\nA,Won,1\nB,Lost,2,extra,cells\nC,Open,3\n", "broken.csv")
    assert raw.table.num_rows == 2
    assert raw.rows_read == 3
    assert raw.malformed == ["B,Lost,2,extra,cells"]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("empty.csv", "empty"),
        ("header_only.csv", "no rows"),
        ("pivot.csv", "pivot table"),
        ("pivot_by_quarter.csv", "pivot table"),
        ("no_header.csv", "column names"),
    ],
)
def test_unusable_files_are_refused_with_one_sentence(name, words):
    with pytest.raises(ImportRefused) as refused:
        read(name)
    message = str(refused.value)
    assert words in message
    assert message.count(". ") == 0 and message.endswith(".")


def test_binary_garbage_named_csv_is_refused():
    garbage = random.Random(7).randbytes(4096)
    with pytest.raises(ImportRefused, match="binary data"):
        read_table(garbage, "export.csv")


def test_file_over_the_byte_limit_is_refused_naming_the_limit():
    with pytest.raises(ImportRefused, match="over the 1 KB upload limit"):
        read_table(b"deal_id,stage,amount\n" + b"D,Won,1\n" * 200, "big.csv", Limits(max_bytes=1024))


def test_file_over_the_row_limit_is_refused_naming_the_limit():
    with pytest.raises(ImportRefused, match="over the 10-row limit"):
        read_table(b"deal_id,stage,amount\n" + b"D,Won,1\n" * 11, "long.csv", Limits(max_rows=10))


def test_file_over_the_column_limit_is_refused_naming_the_limit():
    header = ",".join(f"c{i}" for i in range(30)).encode()
    with pytest.raises(ImportRefused, match="over the 20-column limit"):
        read_table(header + b"\n" + b"1," * 29 + b"1\n", "wide.csv", Limits(max_columns=20))


def pipedrive_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Deals"
    sheet.append(
        [
            "Deal - Title",
            "Deal - Value",
            "Deal - Currency",
            "Deal - Stage",
            "Deal - Status",
            "Deal - Deal created",
            "Deal - Expected close date",
            "Deal - Won time",
            "Deal - Lost time",
            "Deal - Lost reason",
            "Deal - Source origin",
            "Deal - Owner",
        ]
    )
    sheet.append(
        [
            "Harbour refit",
            12000,
            "EUR",
            "Negotiations Started",
            "won",
            45300.375,
            45350,
            45342.5,
            None,
            None,
            "Web forms",
            "Ines Vidal",
        ]
    )
    sheet.append(
        [
            "Dockside pilot",
            3000.5,
            "EUR",
            "Proposal Made",
            "lost",
            45310,
            45380,
            None,
            45330.25,
            "Budget",
            "Prospector",
            "Ines Vidal",
        ]
    )
    sheet.append(
        [
            "Quay extension",
            8000,
            "EUR",
            "Contact Made",
            "open",
            45320,
            45400,
            None,
            None,
            None,
            "Marketplace",
            "Omar Haddad",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_pipedrive_workbook_with_excel_serial_dates_imports():
    raw = read_table(pipedrive_workbook(), "deals.xlsx")
    assert raw.file_format == "Excel workbook"
    assert raw.sheet == "Deals"
    result = run_import(raw, propose_mapping(raw.columns))
    report = result.report
    assert report.source == "Pipedrive deals"
    assert report.outcomes == {"won": 1, "lost": 1, "open": 1}
    assert report.date_formats["created_date"]["format"] == "Excel serial numbers"
    won = result.frame.iloc[0]
    assert str(won["created_date"].date()) == "2024-01-09"
    assert str(won["close_date"].date()) == "2024-02-20"
    assert report.amount_total == pytest.approx(23000.5)


def test_workbook_that_would_unpack_to_a_huge_size_is_refused_before_reading():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))
    with pytest.raises(ImportRefused, match="compressed more than 200 to 1"):
        read_table(buffer.getvalue(), "bomb.xlsx")
    with pytest.raises(ImportRefused, match="would unpack to 40 MB, over the 10 MB limit"):
        read_table(buffer.getvalue(), "bomb.xlsx", Limits(max_unpacked_bytes=10 * 1024 * 1024))


def test_text_file_named_xlsx_is_refused():
    with pytest.raises(ImportRefused, match="not a valid one"):
        read_table(b"deal_id,stage\n1,Won\n", "deals.xlsx")


def test_file_of_nothing_but_total_rows_is_refused_as_a_summary():
    with pytest.raises(ImportRefused, match="pivot table or report summary"):
        read_table(b"Stage,Opportunity Name,Amount\nSubtotal,,300\nGrand Total,,350\n", "summary.csv")
