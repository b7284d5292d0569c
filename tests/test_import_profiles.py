"""Recognising each CRM's export and turning it into canonical deals and leads."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from alignment.canonical import DEAL_FIELDS, LEAD_FIELDS, conform
from alignment.importing import propose_mapping, read_table, run_import

FIXTURES = Path(__file__).parent / "fixtures" / "crm"


def imported(name: str, kind: str | None = None):
    raw = read_table((FIXTURES / name).read_bytes(), name)
    return run_import(raw, propose_mapping(raw.columns, kind, raw.table))


@pytest.mark.parametrize(
    ("name", "source", "outcomes"),
    [
        ("salesforce_report.csv", "Salesforce report", {"won": 2, "lost": 1, "open": 2}),
        ("salesforce_api.csv", "Salesforce export (API names)", {"won": 1, "lost": 1, "open": 2}),
        ("hubspot_deals.csv", "HubSpot deals", {"won": 1, "lost": 1, "open": 2}),
        ("zoho_deals.csv", "Zoho CRM deals", {"won": 1, "lost": 1, "open": 1}),
        ("dynamics_opportunities.csv", "Dynamics 365 opportunities", {"won": 1, "lost": 1, "open": 1}),
        ("close_opportunities.csv", "Close opportunities", {"won": 1, "lost": 1, "open": 1}),
        ("european.csv", "Plain columns", {"won": 2, "lost": 1, "open": 0}),
    ],
)
def test_each_crm_export_is_recognised_with_its_outcomes(name, source, outcomes):
    result = imported(name)
    assert result.report.kind == "deals"
    assert result.report.source == source
    assert result.report.outcomes == outcomes
    assert result.report.rows_rejected == 0


@pytest.mark.parametrize(
    "name",
    [
        "salesforce_report.csv",
        "salesforce_api.csv",
        "hubspot_deals.csv",
        "zoho_deals.csv",
        "dynamics_opportunities.csv",
        "close_opportunities.csv",
    ],
)
def test_imported_frame_passes_through_conform_unchanged(name):
    frame = imported(name).frame
    assert list(frame.columns) == list(DEAL_FIELDS)
    pd.testing.assert_frame_equal(conform(frame, "deals"), frame)


def test_salesforce_report_reads_currency_text_and_us_dates():
    frame = imported("salesforce_report.csv").frame
    first = frame.iloc[0]
    assert first["amount"] == 12500.0
    assert first["currency"] == "USD"
    assert str(first["close_date"].date()) == "2024-03-14"


def test_stage_with_stray_case_and_spaces_is_won_and_written_once():
    frame = imported("salesforce_report.csv").frame
    umbrella = frame[frame["account"] == "Umbrella"].iloc[0]
    assert umbrella["outcome"] == "won"
    assert umbrella["stage"] == "Closed Won"


def test_salesforce_api_flags_decide_outcome_and_offsets_become_utc_days():
    frame = imported("salesforce_api.csv").frame
    assert list(frame["outcome"]) == ["won", "open", "lost", "open"]
    assert str(frame["created_date"].iloc[0]) == "2024-01-22 00:00:00"
    assert frame["source_group"].eq("unknown").all()


def test_dynamics_do_not_modify_id_and_actual_close_date_are_used():
    frame = imported("dynamics_opportunities.csv").frame
    assert frame["deal_id"].tolist() == ["6f1c-01", "6f1c-02", "6f1c-03"]
    assert str(frame["close_date"].iloc[0].date()) == "2024-03-20"
    assert str(frame["close_date"].iloc[2].date()) == "2024-06-30"
    assert frame["loss_reason"].iloc[1] == "Out-Sold"


def test_zoho_two_digit_day_first_dates_are_read_as_day_month_year():
    result = imported("zoho_deals.csv")
    assert result.report.date_formats["close_date"]["format"] == "DD-MM-YY"
    assert str(result.frame["close_date"].iloc[0].date()) == "2024-03-15"


def test_european_file_reads_decimal_commas_and_dotted_dates():
    result = imported("european.csv")
    assert result.frame["amount"].tolist() == [1234.5, 980.0, 12000.0]
    assert result.report.decimal_mark == ","
    assert str(result.frame["created_date"].iloc[0].date()) == "2024-01-13"


def test_hubspot_sources_fall_into_groups():
    frame = imported("hubspot_deals.csv").frame
    assert frame["source_group"].tolist() == ["marketing", "sales", "marketing", "other"]


def test_kind_is_detected_from_the_headers():
    assert imported("plain_leads.csv").report.kind == "leads"
    assert imported("plain_deals.csv").report.kind == "deals"


def test_leads_keep_time_of_day_and_conform():
    result = imported("plain_leads.csv")
    frame = result.frame
    assert list(frame.columns) == list(LEAD_FIELDS)
    assert str(frame["first_touch_date"].iloc[0]) == "2024-01-06 11:00:00"
    pd.testing.assert_frame_equal(conform(frame, "leads"), frame)
    assert result.report.outcomes == {"won": 1, "lost": 1, "open": 1}


def test_close_header_is_mapped_with_full_confidence_and_fuzzy_header_with_less():
    mapping = propose_mapping(["Opportunity Name", "Stage", "Amount", "Close Date", "Created Dat"])
    assert mapping.fields["stage"].confidence == 1.0
    assert mapping.fields["created_date"].column == "Created Dat"
    assert 0.5 < mapping.fields["created_date"].confidence < 0.9


def test_user_choice_replaces_a_proposed_column():
    mapping = propose_mapping(["Stage", "Amount", "Amount (converted)"]).with_columns({"amount": "Amount (converted)"})
    assert mapping.column("amount") == "Amount (converted)"
    assert mapping.fields["amount"].how == "chosen by you"


def test_close_amounts_come_from_the_formatted_value():
    frame = imported("close_opportunities.csv").frame
    assert frame["amount"].tolist() == [18000.0, 6000.0, 9000.0]


def test_close_value_in_cents_alone_is_divided_by_100():
    raw = read_table(
        b"id,lead_name,status_type,status_label,value,date_created\no1,Acme,won,Won,1800050,2024-01-08\n", "close.csv"
    )
    result = run_import(raw, propose_mapping(raw.columns))
    assert result.report.mapping["amount_cents"] == "value"
    assert result.frame["amount"].tolist() == [18000.5]
