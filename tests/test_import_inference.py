"""Columns recognised from their values when their headers say little or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from alignment.importing import ImportRefused, propose_mapping, read_table, run_import

FIXTURES = Path(__file__).parent / "fixtures" / "crm"


def raw_of(name: str):
    return read_table((FIXTURES / name).read_bytes(), name)


def test_deals_with_close_value_and_engage_date_are_imported_not_refused():
    raw = raw_of("sales_pipeline.csv")  # opportunity_id, sales_agent, …, engage_date, close_date, close_value
    mapping = propose_mapping(raw.columns, None, raw.table)
    assert mapping.kind == "deals"
    assert mapping.column("amount") == "close_value"
    assert mapping.column("created_date") == "engage_date"
    assert mapping.column("close_date") == "close_date"
    assert mapping.column("owner") == "sales_agent"
    result = run_import(raw, mapping)
    assert result.report.rows_read == 40  # 41 lines: the header and 40 deals
    assert result.report.rows_accepted == 40
    # close_value is blank on open deals and a whole number on closed ones: the total equals the column's sum
    lines = (FIXTURES / "sales_pipeline.csv").read_text().splitlines()[1:]
    assert result.report.amount_total == sum(float(line.split(",")[7] or 0) for line in lines)


def test_report_names_the_fields_inferred_from_values_and_how_sure():
    raw = raw_of("sales_pipeline.csv")
    report = run_import(raw, propose_mapping(raw.columns, None, raw.table)).report
    assert set(report.inferred) == {"amount", "created_date"}
    assert report.inferred["amount"]["column"] == "close_value"
    assert "money values" in report.inferred["amount"]["how"]
    assert 0.5 < report.inferred["amount"]["confidence"] < 1.0


def test_marketing_leads_with_first_contact_date_and_origin_are_imported():
    raw = raw_of("marketing_qualified_leads.csv")  # mql_id, first_contact_date, landing_page_id, origin
    mapping = propose_mapping(raw.columns, None, raw.table)
    assert mapping.kind == "leads"
    assert mapping.column("created_date") == "first_contact_date"
    assert mapping.column("lead_source") == "origin"
    assert mapping.column("lead_id") == "mql_id"
    result = run_import(raw, mapping)
    assert result.report.rows_accepted == 30
    paid = sum(
        1 for line in (FIXTURES / "marketing_qualified_leads.csv").read_text().splitlines() if "paid_search" in line
    )
    sources = result.sources.set_index("lead_source")
    assert sources.loc["paid_search", "rows"] == paid
    assert sources.loc["paid_search", "source_group"] == "marketing"  # "paid_search" reads as "paid search"


def test_headers_that_say_nothing_are_mapped_from_the_values_alone():
    raw = raw_of("unnamed_columns.csv")  # headers c1 … c6
    mapping = propose_mapping(raw.columns, None, raw.table)
    assert mapping.kind == "deals"
    assert mapping.columns() == {"amount": "c4", "stage": "c3", "created_date": "c5", "close_date": "c6"}
    assert all(match.from_values and match.confidence <= 0.8 for match in mapping.fields.values())
    assert "the only column of money amounts" in mapping.fields["amount"].how
    assert "earlier of two date columns" in mapping.fields["created_date"].how
    report = run_import(raw, mapping).report
    assert report.amount_total == pytest.approx(47490.50)  # 12,500 + 3,200 + 8,000 + 1,150.50 + 22,000 + 640
    assert report.outcomes == {"won": 2, "lost": 1, "open": 3}


def test_two_money_columns_are_not_guessed_and_the_refusal_says_what_was_looked_for():
    text = "c1,c2,c3\nClosed Won,$100.00,$90.00\nClosed Lost,$250.00,$80.00\nClosed Won,$75.50,$60.00\n"
    raw = read_table(text.encode(), "two_money.csv")
    mapping = propose_mapping(raw.columns, "deals", raw.table)
    assert mapping.column("amount") is None
    with pytest.raises(ImportRefused, match="no amount column .looked for a header such as Amount or Value, or one "):
        run_import(raw, mapping)


def test_a_header_word_is_not_taken_when_the_values_do_not_fit():
    text = "deal_stage,close_value,close_note\nWon,1200,fine\nLost,0,late\nWon,300,ok\n"
    raw = read_table(text.encode(), "notes.csv")
    mapping = propose_mapping(raw.columns, "deals", raw.table)
    assert mapping.column("close_date") is None  # "close_note" holds the word "close" but no dates
    assert mapping.column("amount") == "close_value"


def test_probability_percentages_are_not_taken_for_the_amount():
    text = "c1,c2\nClosed Won,10\nClosed Lost,90\nProspecting,50\nClosed Won,100\n"
    raw = read_table(text.encode(), "probability.csv")
    assert propose_mapping(raw.columns, "deals", raw.table).column("amount") is None
