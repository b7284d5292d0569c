"""The validation report: every row accounted for, reasons, warnings, rule overrides and date choices."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment.importing import ImportRefused, ImportRules, propose_mapping, read_table, run_import

FIXTURES = Path(__file__).parent / "fixtures" / "crm"


def imported(name: str, rules: ImportRules | None = None, date_choices: dict | None = None):
    raw = read_table((FIXTURES / name).read_bytes(), name)
    return run_import(raw, propose_mapping(raw.columns, None, raw.table), rules, date_choices)


@pytest.mark.parametrize(
    "name",
    [
        p.name
        for p in sorted(FIXTURES.glob("*.csv"))
        if p.name
        not in {"empty.csv", "header_only.csv", "pivot.csv", "pivot_by_quarter.csv", "no_header.csv", "no_amount.csv"}
    ],
)
def test_every_row_read_is_used_rejected_or_a_footer(name):
    report = imported(name).report
    assert report.rows_read == report.rows_accepted + report.rows_rejected + report.footer_rows
    assert report.rows_rejected == sum(p.rows for p in report.rejections)


def test_each_rejected_row_is_counted_under_its_first_reason():
    report = imported("plain_deals.csv").report
    reasons = {p.kind: p.rows for p in report.rejections}
    assert reasons == {
        "empty_row": 1,
        "no_stage": 1,
        "amount_not_a_number": 1,
        "close_date_not_a_date": 1,
        "duplicate_deal_id": 1,
    }
    assert report.rows_accepted == 4


def test_example_rows_show_the_cells_of_a_rejected_row():
    report = imported("plain_deals.csv").report
    bad_amount = [e for e in report.example_rows if e["reason"] == "the amount is not a number"]
    assert bad_amount == [
        {
            "reason": "the amount is not a number",
            "row": 4,
            "deal_id": "P4",
            "deal_name": "Four",
            "stage": "Closed Won",
            "amount": "abc",
            "created_date": "04/05/2024",
            "close_date": "05/06/2024",
        }
    ]


def test_warnings_name_what_the_data_cannot_show():
    kinds = {p.kind: p.rows for p in imported("plain_deals.csv").report.warnings}
    assert kinds["close_before_created"] == 1
    assert kinds["lost_amount_zero"] == 1
    assert kinds["no_lead_source"] == 4
    assert kinds["ambiguous_created_date"] == 8


def test_ambiguous_dates_are_asked_and_the_answer_applies_to_the_whole_column():
    first = imported("plain_deals.csv")
    assert first.report.ambiguous_dates == ["created_date", "close_date"]
    assert first.report.date_formats["created_date"]["format"] == "MM/DD/YYYY"
    answered = imported("plain_deals.csv", date_choices={"created_date": True, "close_date": True})
    assert answered.report.ambiguous_dates == []
    assert answered.report.date_formats["created_date"]["format"] == "DD/MM/YYYY"
    assert str(answered.frame["created_date"].iloc[0].date()) == "2024-02-01"


def test_an_ambiguous_column_follows_the_order_another_date_column_shows():
    raw = read_table(
        b"stage,amount,created_date,close_date\nWon,1,01/02/2024,25/03/2024\nLost,2,03/04/2024,13/05/2024\n",
        "mixed.csv",
    )
    report = run_import(raw, propose_mapping(raw.columns)).report
    assert report.date_formats["close_date"]["format"] == "DD/MM/YYYY"
    assert report.date_formats["created_date"]["format"] == "DD/MM/YYYY"
    assert report.ambiguous_dates == []


def test_status_column_outranks_a_stage_override():
    rules = ImportRules.with_overrides({"demo completed": "won"})
    assert imported("close_opportunities.csv", rules).report.outcomes == {"won": 1, "lost": 1, "open": 1}


def test_workshop_overrides_change_outcomes_and_source_groups():
    european = imported("european.csv", ImportRules.with_overrides({"Gagné": "lost"}, {"Salon": "marketing"}))
    assert european.report.outcomes["lost"] == 2
    assert european.frame["source_group"].iloc[0] == "marketing"


def test_unknown_stage_is_open_and_listed_for_the_rule_table():
    result = imported("close_opportunities.csv")
    stages = result.stages.set_index("stage")
    assert stages.loc["Demo Completed", "outcome"] == "open"
    assert not stages.loc["Demo Completed", "recognised"]
    assert any(p.kind == "stage_not_recognised" for p in result.report.warnings)


def test_amounts_and_currencies_are_totalled():
    report = imported("salesforce_report.csv").report
    assert report.amount_total == pytest.approx(45750.5)
    assert report.currencies == {"USD": 5}


def test_file_without_stage_and_amount_is_refused_with_one_sentence():
    raw = read_table((FIXTURES / "no_amount.csv").read_bytes(), "no_amount.csv")
    with pytest.raises(ImportRefused, match="no stage .* and no amount column"):
        run_import(raw, propose_mapping(raw.columns, "deals"))


def test_report_is_json_safe():
    import json

    data = imported("salesforce_report.csv").report.to_dict()
    assert json.loads(json.dumps(data))["rows_read"] == 11


def test_true_false_flags_decide_outcomes():
    raw = read_table(
        b"Name,StageName,Amount,IsClosed,IsWon\nA,Stage 9,10,TRUE,TRUE\nB,Stage 9,20,TRUE,FALSE\n"
        b"C,Stage 9,30,FALSE,FALSE\n",
        "flags.csv",
    )
    assert run_import(raw, propose_mapping(raw.columns)).report.outcomes == {"won": 1, "lost": 1, "open": 1}


def test_subtotal_rows_inside_a_grouped_report_are_removed_and_counted():
    raw = read_table(
        b"Stage,Opportunity Name,Amount\nClosed Won,A,100\nClosed Won,B,200\nSubtotal,,300\n"
        b"Closed Lost,C,50\nSubtotal,,50\nTotal,,350\n",
        "grouped.csv",
    )
    report = run_import(raw, propose_mapping(raw.columns)).report
    assert (report.rows_read, report.rows_accepted, report.footer_rows) == (6, 3, 3)
    assert report.amount_total == 350


def test_rule_table_edits_become_workshop_overrides_only_where_they_differ():
    from alignment.importing.rule_tables import updated_overrides

    raw = read_table((FIXTURES / "close_opportunities.csv").read_bytes(), "close.csv")
    table = run_import(raw, propose_mapping(raw.columns, None, raw.table)).stages  # the table the page edits
    assert table.set_index("stage")["outcome"].to_dict() == {"Won": "won", "Lost": "lost", "Demo Completed": "open"}
    edited = table.assign(outcome=table["stage"].map({"Won": "won", "Lost": "lost", "Demo Completed": "won"}))
    assert updated_overrides({"old stage": "lost"}, edited, "stage", "outcome", ImportRules()) == {
        "old stage": "lost",
        "demo completed": "won",
    }


def test_spreadsheet_report_with_title_rows_and_footer_is_read():
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Opportunities by stage"])
    sheet.append([])
    sheet.append(["Opportunity Name", "Stage", "Amount", "Close Date"])
    sheet.append(["A", "Closed Won", 1200.5, "2024-03-01"])
    sheet.append(["B", "Closed Lost", 300, "2024-03-02"])
    sheet.append(["Grand Totals (2 records)", None, 1500.5, None])
    buffer = io.BytesIO()
    book.save(buffer)
    raw = read_table(buffer.getvalue(), "report.xlsx")
    report = run_import(raw, propose_mapping(raw.columns)).report
    assert (report.rows_read, report.rows_accepted, report.footer_rows) == (3, 2, 1)
    assert report.outcomes == {"won": 1, "lost": 1, "open": 0}


CELLS = {
    "stage": ["Closed Won", "closed lost", "Prospecting", "", "Negotiation", "Total"],
    "amount": ["1,200.00", "$5", "abc", "", "0", "1.234,5", "-"],
    "created_date": ["2024-01-05", "13/02/2024", "02/03/2024", "", "soon", "45300"],
    "lead_source": ["Web", "", "Partner", "Cold Call"],
}


def messy_file(rows: list[tuple[int, int, int, int]], extra_lines: list[str]) -> bytes:
    lines = ["stage,amount,created_date,lead_source"]
    for stage, amount, created, source in rows:
        cells = [
            CELLS["stage"][stage],
            CELLS["amount"][amount],
            CELLS["created_date"][created],
            CELLS["lead_source"][source],
        ]
        lines.append(",".join(f'"{c}"' for c in cells))
    return ("\n".join(lines + extra_lines) + "\n").encode()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 6), st.integers(0, 5), st.integers(0, 3)), min_size=1, max_size=12
    ),
    st.lists(
        st.sampled_from(['"Grand Totals (3 records)"', '""', '"Copyright (c) 2024 Example"', "x,y", ",,,"]), max_size=3
    ),
)
def test_every_row_is_accounted_for_whatever_the_file_holds(rows, extra_lines):
    try:
        raw = read_table(messy_file(rows, extra_lines), "messy.csv")
        report = run_import(raw, propose_mapping(raw.columns, "deals")).report
    except ImportRefused:
        return
    assert report.rows_read == report.rows_accepted + report.rows_rejected + report.footer_rows
    assert report.rows_rejected == sum(p.rows for p in report.rejections)
