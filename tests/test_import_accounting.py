"""Every record accounted for: stray quotes, long cells, one-line files, devices, limits, doubtful data."""

from __future__ import annotations

import io
import subprocess
import sys
import tracemalloc
from pathlib import Path

import openpyxl
import pytest

from alignment.importing import ImportRefused, Limits, propose_mapping, read_table, run_import
from alignment.importing.limits import read_upload

ROOT = Path(__file__).resolve().parent.parent
HEADER = "deal_id,deal_name,stage,amount,close_date"


def deals_csv(rows: int, broken: dict[int, str] | None = None) -> bytes:
    """``rows`` one-line deals below a header; ``broken`` replaces record ``i`` (0-based) with its own text."""
    lines = [HEADER] + [f'D{i},"Deal {i}",Closed Won,{i}.50,2024-01-02' for i in range(rows)]
    for index, text in (broken or {}).items():
        lines[index + 1] = text
    return ("\n".join(lines) + "\n").encode()


def imported(data: bytes, name: str = "deals.csv"):
    raw = read_table(data, name)
    return raw, run_import(raw, propose_mapping(raw.columns, "deals", raw.table)).report


@pytest.mark.parametrize("where", [3, 100_000, 199_997], ids=["early", "mid-file", "near-the-end"])
def test_a_stray_quote_in_a_large_file_loses_no_record(where):
    data = deals_csv(200_000, {where: f'X{where},"broken name,Closed Won,1,2024-01-02'})
    raw, report = imported(data)
    assert data.count(b"\n") - 1 == 200_000  # one record per line below the header
    assert report.rows_read == 200_000
    assert report.rows_accepted == 200_000  # the broken line still has five cells once read without quotes
    assert raw.stray_quotes == [where + 2]  # line 1 is the header, record 0 is line 2
    stray = next(p for p in report.problems if p.kind == "stray_quote")
    assert f"line {where + 2:,}" in stray.message


def test_a_stray_quote_on_a_line_with_too_few_cells_is_counted_as_not_used():
    data = deals_csv(30, {10: 'X10,"broken name'})
    _, report = imported(data)
    assert report.rows_read == 30  # not one row of 20 swallowed lines
    assert report.rows_accepted == 29
    assert report.rows_rejected == 1
    assert report.rows_read == report.rows_accepted + report.rows_rejected + report.footer_rows
    assert any(p.kind == "wrong_number_of_cells" and p.rows == 1 for p in report.problems)


def test_a_quoted_value_over_a_few_lines_is_still_one_record():
    data = deals_csv(
        30, {5: 'M5,"a name\nover\nthree lines",Closed Won,5,2024-01-02', 20: 'X20,"stray,Open,1,2024-01-02'}
    )
    raw, report = imported(data)
    assert report.rows_read == 30
    assert raw.table.column("deal_name")[5].as_py() == "a name\nover\nthree lines"
    assert raw.stray_quotes == [24]  # record 20 is line 22, moved down two by the three-line record


def test_a_long_notes_cell_in_the_first_lines_is_read():
    notes = "n" * (300 * 1024)  # over the 128 KB field limit of Python's csv module
    data = (
        f'{HEADER},notes\nL1,"Long",Closed Won,10,2024-01-02,"{notes}"\nL2,Short,Closed Lost,5,2024-01-03,x\n'.encode()
    )
    raw, report = imported(data)
    assert report.rows_read == 2 and report.rows_accepted == 2
    assert len(raw.table.column("notes")[0].as_py()) == 300 * 1024


def test_a_record_longer_than_the_parser_block_is_read():
    data = f"{HEADER},notes\nL1,Long,Closed Won,10,2024-01-02,{'n' * (12 * 1024 * 1024)}\n".encode()
    _, report = imported(data)
    assert report.rows_accepted == 1


def test_a_one_line_file_gets_one_sentence():
    with pytest.raises(ImportRefused) as refused:
        read_table(b"a," * (25 * 1024 * 1024), "one_line.csv")  # 50 MB without a line break
    assert str(refused.value).startswith("The file is one line of 50 MB with no line breaks")
    assert "\n" not in str(refused.value)


def test_an_endless_device_is_refused_after_its_first_piece():
    with pytest.raises(ImportRefused, match="^The file holds binary data"):
        read_upload("/dev/zero", Limits())


def test_the_command_line_says_one_sentence_for_a_device_and_a_one_line_file(tmp_path):
    one_line = tmp_path / "one_line.csv"
    one_line.write_bytes(b"a," * (25 * 1024 * 1024))
    for path in ("/dev/zero", str(one_line)):
        done = subprocess.run(
            [sys.executable, "-m", "alignment", "inspect", path], capture_output=True, text=True, cwd=ROOT, timeout=120
        )
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert done.stderr.strip().count("\n") == 0 and done.stderr.strip().endswith(".")


def test_a_csv_over_the_row_limit_is_refused_without_reading_it_all():
    with pytest.raises(ImportRefused, match="more than 1,000 rows, over the 1,000-row limit"):
        read_table(deals_csv(5000), "long.csv", Limits(max_rows=1000))


def long_workbook(rows: int) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Deals")
    sheet.append(["deal_id", "stage", "amount", "close_date"])
    for i in range(rows):
        sheet.append([f"D{i}", "Closed Won", i * 1.5, "2024-01-02"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def peak_bytes(work) -> int:
    tracemalloc.start()
    try:
        work()
    except ImportRefused:
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_a_workbook_over_the_row_limit_is_refused_in_a_fraction_of_the_memory_parsing_it_takes():
    from python_calamine import CalamineWorkbook

    data = long_workbook(60_000)
    limits = Limits(max_rows=5_000)
    with pytest.raises(ImportRefused, match="over the 5,000-row limit"):
        read_table(data, "long.xlsx", limits)
    refusing = peak_bytes(lambda: read_table(data, "long.xlsx", limits))
    parsing = peak_bytes(lambda: CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python())
    assert refusing < parsing / 10, (refusing, parsing)  # streamed rows counted vs every cell parsed


def wide_workbook(columns: int, rows: int) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Deals")
    sheet.append([f"field_{i}" for i in range(columns)])
    for r in range(rows):
        sheet.append([f"D{r}-{i}" for i in range(columns)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_over_the_column_limit_is_refused_in_a_fraction_of_the_memory_parsing_it_takes():
    from python_calamine import CalamineWorkbook

    data = wide_workbook(600, 1_000)
    with pytest.raises(ImportRefused, match="^The sheet has at least 600 columns, over the 500-column limit"):
        read_table(data, "wide.xlsx")
    refusing = peak_bytes(lambda: read_table(data, "wide.xlsx"))
    parsing = peak_bytes(lambda: CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python())
    assert refusing < parsing / 10, (refusing, parsing)  # the header row read vs 601,000 cells parsed


def test_negative_amounts_are_kept_and_named():
    data = deals_csv(3, {1: "N1,Refund,Closed Won,-250.00,2024-01-02"})
    _, report = imported(data)
    negative = next(p for p in report.problems if p.kind == "negative_amount")
    assert negative.rows == 1 and "N1" in negative.example
    assert report.amount_total == pytest.approx(0.5 - 250.0 + 2.5)  # D0 0.50, N1 −250, D2 2.50


def test_duplicate_headers_that_disagree_are_named():
    data = b"deal_id,stage,Amount,Amount\nA,Closed Won,100,100\nB,Closed Lost,200,250\nC,Open,5,\n"
    _, report = imported(data)
    duplicate = next(p for p in report.problems if p.kind == "duplicate_header_amount")
    assert duplicate.rows == 2  # B holds 200 and 250; C holds 5 and nothing
    assert "two columns named “Amount”" in duplicate.message


def test_duplicate_headers_that_agree_are_not_named():
    _, report = imported(b"deal_id,stage,Amount,Amount\nA,Closed Won,100,100\nB,Closed Lost,200,200\n")
    assert not any(p.kind.startswith("duplicate_header") for p in report.problems)


def test_dates_outside_the_plausible_range_are_named_with_the_range_and_the_row_kept():
    data = deals_csv(3, {2: "P2,Placeholder,Open,7,9999-12-31"})
    _, report = imported(data)
    assert report.rows_accepted == 3
    outside = next(p for p in report.problems if p.kind == "close_date_out_of_range")
    assert outside.rows == 1
    assert "1900-01-01 to 2100-12-31" in outside.message
    assert "9999-12-31" in outside.example


def test_amounts_in_several_currencies_are_named():
    data = b"deal_id,stage,amount\nA,Closed Won,$100\nB,Closed Won,EUR 200\nC,Closed Lost,GBP 50\n"
    _, report = imported(data)
    several = next(p for p in report.problems if p.kind == "several_currencies")
    assert "3 currencies (EUR, GBP, USD)" in several.message


def test_a_damaged_workbook_gets_one_sentence():
    from test_import_readers import pipedrive_workbook

    data = bytearray(pipedrive_workbook())
    middle = len(data) // 2
    data[middle : middle + 400] = b"\x00" * 400  # a download cut short and padded, as broken transfers leave them
    with pytest.raises(ImportRefused) as refused:
        read_table(bytes(data), "deals.xlsx")
    assert "\n" not in str(refused.value) and str(refused.value).endswith(".")
