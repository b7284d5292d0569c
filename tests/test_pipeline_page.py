"""The Pipeline data page in-process (AppTest): upload, check, save, list, refuse."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from alignment.store import create_workshop, list_datasets, load_dataset_frame, open_database

PASSWORD = "correct horse battery"
FIXTURES = Path(__file__).parent / "fixtures" / "crm"


@pytest.fixture
def workshop_code(app_env, monkeypatch):
    """A fresh workshop (besides the demo) in the app's database, with a facilitator password set."""
    monkeypatch.setenv("ALIGNMENT_ADMIN_PASSWORD", PASSWORD)
    engine = open_database()
    code = create_workshop(engine, "Pipeline test").code
    engine.dispose()
    return code


def open_page(code: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    app.query_params["w"] = code
    app.run()
    app = app.switch_page("pages/pipeline.py").run()
    field = next(t for t in app.text_input if t.label == "Facilitator password")
    field.input(PASSWORD)
    app = next(b for b in app.button if b.label == "Sign in").click().run()
    assert not app.exception, app.exception
    return app


def upload(app: AppTest, name: str) -> AppTest:
    uploader = next(u for u in app.get("file_uploader") if u.label == "CRM export (CSV or Excel)")
    uploader.set_value((name, (FIXTURES / name).read_bytes(), "text/csv"))
    app = app.run()
    assert not app.exception, app.exception
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def said(app: AppTest) -> str:
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "subheader"):
        parts.extend(str(element.value) for element in getattr(app, kind))
    return "\n".join(parts).replace("\\", "")


def test_empty_workshop_invites_an_upload(workshop_code):
    app = open_page(workshop_code)
    assert "No pipeline data saved for this workshop yet" in said(app)


def test_salesforce_report_is_detected_checked_and_saved(workshop_code):
    app = upload(open_page(workshop_code), "salesforce_report.csv")
    assert "Detected: **Salesforce report**" in said(app)
    assert metrics(app) == {
        "Rows read": "11",
        "Rows used": "5",
        "Rows not used": "0",
        "Footer and total lines removed": "6",
    }
    app = next(b for b in app.button if b.label == "Save to workshop").click().run()
    assert not app.exception, app.exception
    assert "Saved 5 deals from salesforce_report.csv." in said(app)
    assert not any(b.label == "Save to workshop" for b in app.button)
    engine = open_database()
    datasets = [d for d in list_datasets(engine, next_workshop_id(engine, workshop_code))]
    assert [(d.filename, d.kind, d.rows_accepted, d.is_current) for d in datasets] == [
        ("salesforce_report.csv", "deals", 5, True)
    ]
    assert load_dataset_frame(engine, datasets[0].id)["outcome"].tolist() == ["won", "lost", "open", "won", "open"]
    assert datasets[0].report["footer_rows"] == 6
    engine.dispose()
    assert "**salesforce_report.csv** · Deals (opportunities) · in use" in said(app)


def next_workshop_id(engine, code: str) -> int:
    from alignment.store import find_workshop

    return find_workshop(engine, code).id


def test_saved_mapping_is_remembered_for_the_next_file_with_the_same_headers(workshop_code):
    app = upload(open_page(workshop_code), "plain_deals.csv")
    app = next(b for b in app.button if b.label == "Save to workshop").click().run()
    app = upload(open_page(workshop_code), "plain_deals.csv")
    assert "the ones you confirmed for a file with the same headers" in said(app)


def test_a_field_set_to_not_used_stays_unused_for_the_next_file_with_the_same_headers(workshop_code):
    app = upload(open_page(workshop_code), "plain_deals.csv")
    grid = next(d.value for d in app.dataframe if "Column in your file" in d.value.columns).set_index("Field")
    assert grid.loc["Deal name", "Column in your file"] == "deal_name"  # proposed
    next(s for s in app.selectbox if s.label == "Field").set_value("Deal name")
    next(s for s in app.selectbox if s.label == "Column in your file").set_value("(not used)")
    app = next(b for b in app.button if b.label == "Use this column").click().run()
    assert "Deal name now comes from no column." in said(app)
    app = next(b for b in app.button if b.label == "Save to workshop").click().run()
    assert not app.exception, app.exception
    app = upload(open_page(workshop_code), "plain_deals.csv")  # the same headers next week
    grid = next(d.value for d in app.dataframe if "Column in your file" in d.value.columns).set_index("Field")
    assert grid.loc["Deal name", ["Column in your file", "Found by"]].tolist() == ["(not used)", "not used"]
    assert grid.loc["Stage", "Column in your file"] == "stage"  # the rest as confirmed


def test_rejected_rows_are_counted_and_ambiguous_dates_are_asked(workshop_code):
    app = upload(open_page(workshop_code), "plain_deals.csv")
    assert metrics(app)["Rows not used"] == "5"
    questions = [r for r in app.radio if "which comes first" in r.label]
    assert [q.label.split(" (")[0] for q in questions] == ["Created date", "Close date"]
    for question in questions:
        question.set_value("Day first (DD/MM)")
    app = app.run()
    facts = next(d.value for d in app.dataframe if "Found" in d.value.columns)
    assert facts.set_index("Checked")["Found"]["Created date (“created_date”)"] == "DD/MM/YYYY"
    assert any(b.label == "Download example rows (CSV)" for b in app.get("download_button"))


def test_pivot_table_is_refused_with_one_sentence(workshop_code):
    app = upload(open_page(workshop_code), "pivot.csv")
    errors = [e.value for e in app.error]
    assert len(errors) == 1
    assert errors[0].startswith("This file is a pivot table or report summary")
    assert not any(b.label == "Save to workshop" for b in app.button)


def test_deleting_a_dataset_removes_it_from_the_list(workshop_code):
    app = upload(open_page(workshop_code), "hubspot_deals.csv")
    app = next(b for b in app.button if b.label == "Save to workshop").click().run()
    delete = next(b for b in app.button if b.label == "Delete for good")
    app = delete.click().run()
    assert not app.exception, app.exception
    engine = open_database()
    assert list_datasets(engine, next_workshop_id(engine, workshop_code)) == []
    engine.dispose()


def test_leads_export_is_detected_and_saved_as_leads(workshop_code):
    app = upload(open_page(workshop_code), "plain_leads.csv")
    assert app.get("button_group")[0].value == "leads"
    assert metrics(app)["Rows not used"] == "1"
    facts = next(d.value for d in app.dataframe if "Found" in d.value.columns).set_index("Checked")["Found"]
    assert facts["Leads"] == "1 converted, 1 rejected, 1 open" and "Outcomes" not in facts
    app = next(b for b in app.button if b.label == "Save to workshop").click().run()
    assert "Saved 3 leads from plain_leads.csv." in said(app)


def test_excel_workbook_upload_is_read(workshop_code):
    from test_import_readers import pipedrive_workbook

    app = open_page(workshop_code)
    uploader = next(u for u in app.get("file_uploader") if u.label == "CRM export (CSV or Excel)")
    uploader.set_value(("deals.xlsx", pipedrive_workbook(), "application/vnd.ms-excel"))
    app = app.run()
    assert not app.exception, app.exception
    assert "Detected: **Pipedrive deals**" in said(app)
    assert metrics(app)["Rows used"] == "3"


def test_a_legacy_xls_upload_is_read(workshop_code):
    from test_import_workbook_limits import DEALS_CELLS, legacy_workbook

    app = upload_bytes(open_page(workshop_code), "deals.xls", legacy_workbook(DEALS_CELLS, (0, 3, 0, 3)))
    assert metrics(app)["Rows used"] == "2"  # A won (100) and B lost (250)
    assert "Sheet “Deals” was read." in said(app)


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_upload_check_and_save_in_chromium(tmp_path, browser, viewport):
    from conftest import DESKTOP, PHONE, AppServer, screenshot, wait_for_app

    server = AppServer(tmp_path / "server", env={"ALIGNMENT_ADMIN_PASSWORD": PASSWORD}).start()
    context = browser.new_context(viewport=PHONE if viewport == "phone" else DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/pipeline")
        wait_for_app(page)
        page.get_by_label("Facilitator password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.locator("input[type=file]").wait_for(state="attached", timeout=30_000)
        page.locator("input[type=file]").set_input_files(str(FIXTURES / "salesforce_report.csv"))
        page.get_by_text("Detected:").wait_for(timeout=60_000)
        wait_for_app(page)
        screenshot(page, f"pipeline-report-{viewport}")
        used = page.locator("[data-testid='stMetric']").filter(has_text="Rows used")
        assert used.locator("[data-testid='stMetricValue']").inner_text() == "5"
        page.get_by_role("button", name="Save to workshop").click()
        page.get_by_test_id("stAlertContentSuccess").get_by_text("Saved 5 deals from salesforce_report.csv.").wait_for(
            timeout=60_000
        )
        wait_for_app(page)
        screenshot(page, f"pipeline-saved-{viewport}")
        assert page.get_by_text("salesforce_report.csv", exact=True).count() >= 1
    finally:
        context.close()
        server.stop()


def test_workshop_rule_overrides_apply_to_the_next_upload(workshop_code):
    from alignment.store import update_settings

    engine = open_database()
    update_settings(engine, next_workshop_id(engine, workshop_code), "stage_outcomes", {"gagné": "lost"})
    engine.dispose()
    app = upload(open_page(workshop_code), "european.csv")
    facts = next(d.value for d in app.dataframe if "Found" in d.value.columns).set_index("Checked")["Found"]
    assert facts["Outcomes"] == "1 won, 2 lost, 0 open"
    assert "decimal commas" in facts["Amount total"]


def test_a_column_picked_with_the_labelled_widgets_is_the_one_saved(workshop_code):
    app = upload(open_page(workshop_code), "plain_deals.csv")
    next(s for s in app.selectbox if s.label == "Field").set_value("Region")
    next(s for s in app.selectbox if s.label == "Column in your file").set_value("deal_name")
    app = next(b for b in app.button if b.label == "Use this column").click().run()
    assert not app.exception, app.exception
    assert "Region now comes from “deal_name”." in said(app)
    grid = next(d.value for d in app.dataframe if "Column in your file" in d.value.columns)
    assert grid.set_index("Field").loc["Region", ["Column in your file", "Found by"]].tolist() == [
        "deal_name",
        "your choice",
    ]
    app = next(b for b in app.button if b.label == "Save to workshop").click().run()
    engine = open_database()
    dataset = list_datasets(engine, next_workshop_id(engine, workshop_code))[0]
    stored = load_dataset_frame(engine, dataset.id)
    engine.dispose()
    assert (stored["region"] == stored["deal_name"]).all()  # region was read from the deal name column


def upload_bytes(app: AppTest, name: str, data: bytes) -> AppTest:
    uploader = next(u for u in app.get("file_uploader") if u.label == "CRM export (CSV or Excel)")
    uploader.set_value((name, data, "text/csv"))
    app = app.run()
    assert not app.exception, app.exception
    return app


def test_columns_inferred_from_values_are_confirmed_before_the_check(workshop_code):
    app = upload(open_page(workshop_code), "sales_pipeline.csv")
    assert "Please confirm first: these columns were chosen from their values" in said(app)
    assert "Amount ← “close_value”" in said(app) and "Created date ← “engage_date”" in said(app)
    assert not metrics(app)  # no report until the guesses are confirmed
    assert not any(b.label == "Save to workshop" for b in app.button)
    app = next(b for b in app.button if b.label == "These columns are right").click().run()
    assert not app.exception, app.exception
    assert metrics(app)["Rows read"] == "40" and metrics(app)["Rows used"] == "40"
    grid = next(d.value for d in app.dataframe if "Column in your file" in d.value.columns).set_index("Field")
    assert grid.loc["Amount", ["Column in your file", "Confidence", "Found by"]].tolist() == [
        "close_value",
        1.0,
        "confirmed by you",
    ]
    app = next(b for b in app.button if b.label == "Save to workshop").click().run()
    assert "Saved 40 deals from sales_pipeline.csv." in said(app)
    app = upload(open_page(workshop_code), "sales_pipeline.csv")  # the same headers next week
    assert "Please confirm first" not in said(app)
    assert metrics(app)["Rows used"] == "40"


def test_picking_another_column_for_a_guess_replaces_the_guess(workshop_code):
    app = upload(open_page(workshop_code), "sales_pipeline.csv")
    next(s for s in app.selectbox if s.label == "Field").set_value("Created date")
    next(s for s in app.selectbox if s.label == "Column in your file").set_value("close_date")
    app = next(b for b in app.button if b.label == "Use this column").click().run()
    assert "Created date now comes from “close_date”." in said(app)
    assert "Created date ← “engage_date”" not in said(app)
    assert "Amount ← “close_value”" in said(app)  # still a guess to confirm


def test_a_stray_quote_is_named_and_no_row_is_lost(workshop_code):
    lines = ["deal_id,stage,amount"] + [f"D{i},Closed Won,{i}" for i in range(30)]
    lines[12] = 'D11,"Closed Won,11'
    app = upload_bytes(open_page(workshop_code), "stray.csv", ("\n".join(lines) + "\n").encode())
    assert metrics(app)["Rows read"] == "30"
    assert "a quote opens and never closes on line 13" in said(app)


def test_a_binary_file_gets_one_sentence_on_the_page(workshop_code):
    app = upload_bytes(open_page(workshop_code), "zeros.csv", b"\0" * 4096)
    assert [e.value for e in app.error] == [
        "The file holds binary data, not comma-separated text: export the records from the CRM as CSV or Excel "
        "(.xlsx) and upload that file."
    ]


def test_a_lead_source_column_blank_in_every_row_is_said_not_a_crash(workshop_code):
    data = b"Id,StageName,Amount,LeadSource\n006A,Closed Won,100,\n006B,Prospecting,50,\n"
    app = upload_bytes(open_page(workshop_code), "blank_source.csv", data)
    assert "The column “LeadSource” is blank in every row" in said(app)
    assert metrics(app)["Rows used"] == "2"
