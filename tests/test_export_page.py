"""Download buttons in the app (AppTest): the report buttons and the per-chart buttons render,
click without an error, and the files they hand out are real reports.

AppTest runs without Streamlit's server, so a deferred download's bytes are not fetched there;
the bytes are checked by calling the same cached builder the button calls.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from alignment.demo import DEMO_NAME
from alignment.store import list_workshops, open_database

REPORT_LABELS = ["Download deck (PPTX)", "Download data (XLSX)", "Download CSV"]


def downloads_script() -> None:
    """A page with the report buttons of the demo workshop and the buttons of one chart."""
    from alignment.charts import dimension_scores_chart
    from alignment.scoring import dimension_scores
    from alignment.store import answers_frame
    from alignment.ui import downloads, session

    workshop = session.current_workshop()
    downloads.report_downloads(workshop, allow_answers=True)
    answers = answers_frame(session.engine(), workshop.id, workshop.current_round)
    scores = dimension_scores(answers, session.framework(workshop), workshop.k)
    downloads.chart_downloads(dimension_scores_chart(scores), scores, "Scores by team")


def test_report_and_chart_download_buttons_render_and_click(app_env) -> None:  # noqa: ANN001
    app = AppTest.from_function(downloads_script, default_timeout=60).run()
    assert not app.exception, app.exception
    labels = [button.label for button in app.download_button]
    assert labels == [*REPORT_LABELS, "Download PNG", "Download CSV"]
    for position in range(len(labels)):
        button = app.download_button[position]
        assert not button.disabled and button.proto.ignore_rerun
        app = button.click().run()
        assert not app.exception, (labels[position], app.exception)


def test_answers_switch_is_offered_to_the_facilitator_and_off_by_default(app_env) -> None:  # noqa: ANN001
    app = AppTest.from_function(downloads_script, default_timeout=60).run()
    [switch] = [t for t in app.toggle if t.label.startswith("Include anonymous answers")]
    assert switch.value is False
    app = switch.set_value(True).run()
    assert not app.exception and [b.label for b in app.download_button][:3] == REPORT_LABELS


def test_the_buttons_hand_out_real_files(app_env) -> None:  # noqa: ANN001
    from alignment.ui import downloads

    AppTest.from_function(downloads_script, default_timeout=60).run()  # seeds the demo in app_env
    engine = open_database(f"sqlite:///{app_env / 'alignment.db'}")
    workshop = next(w for w in list_workshops(engine) if w.name == DEMO_NAME)
    engine.dispose()
    key = (workshop.code, workshop.revision, workshop.current_round)
    deck = Presentation(io.BytesIO(downloads.report_file(*key, "pptx", False, "#0072B2")))
    assert len(deck.slides) >= 10
    book = load_workbook(io.BytesIO(downloads.report_file(*key, "xlsx", True, "#0072B2", signed_in=True)))
    assert "Answers" in book.sheetnames
    archive = zipfile.ZipFile(io.BytesIO(downloads.report_file(*key, "csv", False, "#0072B2")))
    assert "dimensions.csv" in archive.namelist()


def test_facilitator_page_offers_the_three_reports(app_env, monkeypatch) -> None:  # noqa: ANN001
    from conftest import ROOT

    monkeypatch.setenv("ALIGNMENT_ADMIN_PASSWORD", "correct horse battery")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    app = app.switch_page("pages/facilitator.py").run()
    next(t for t in app.text_input if t.label == "Facilitator password").input("correct horse battery")
    app = next(b for b in app.button if b.label == "Sign in").click().run()
    assert not app.exception, app.exception
    assert [b.label for b in app.download_button] == REPORT_LABELS
    for position in range(3):
        app = app.download_button[position].click().run()
        assert not app.exception, app.exception
    assert any(s.value == "Reports" for s in app.subheader)


def test_alignment_page_offers_the_three_reports_below_the_tabs(app_env) -> None:  # noqa: ANN001
    from conftest import ROOT

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    app = app.switch_page("pages/alignment.py").run()
    assert not app.exception, app.exception
    assert [b.label for b in app.download_button][-3:] == REPORT_LABELS
    app = app.download_button[-3].click().run()
    assert not app.exception, app.exception
    assert not any(t.label.startswith("Include anonymous answers") for t in app.toggle)


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_browser_downloads_a_deck_and_a_workbook_that_open(app_server, browser, tmp_path, viewport) -> None:  # noqa: ANN001
    from conftest import DESKTOP, PHONE, screenshot, wait_for_app

    context = browser.new_context(viewport=DESKTOP if viewport == "desktop" else PHONE, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{app_server.url}/alignment")
    wait_for_app(page)
    heading = page.get_by_role("heading", name="Take the results with you")
    heading.scroll_into_view_if_needed()
    files = {}
    for label, suffix in (("Download deck (PPTX)", "pptx"), ("Download data (XLSX)", "xlsx")):
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name=label).click()
        files[suffix] = tmp_path / download.value.suggested_filename
        download.value.save_as(files[suffix])
    screenshot(page, f"export-downloads-{viewport}")
    context.close()
    assert files["pptx"].name.endswith("round-2.pptx") and "/" not in files["pptx"].name
    assert len(Presentation(str(files["pptx"])).slides) >= 10
    assert "Dimensions" in load_workbook(files["xlsx"]).sheetnames


def test_every_chart_on_the_alignment_page_has_png_and_csv_downloads(app_env) -> None:  # noqa: ANN001
    from conftest import ROOT

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    app = app.switch_page("pages/alignment.py").run()
    labels = [b.label for b in app.download_button]
    charts = len(app.get("vega_lite_chart"))
    assert charts >= 2
    assert labels.count("Download PNG") == charts and labels.count("Download CSV") == charts + 1  # + the report zip
    png = next(b for b in app.download_button if b.label == "Download PNG")
    app = png.click().run()
    assert not app.exception, app.exception


@pytest.mark.browser
def test_an_unsigned_browser_on_a_hidden_round_finds_no_download(app_server, browser) -> None:  # noqa: ANN001
    from conftest import DESKTOP, screenshot, wait_for_app

    from alignment.framework import load_framework
    from alignment.store import create_workshop
    from alignment.store.responses import join, save_importance, save_step, submit

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{app_server.url}/alignment")  # the first request seeds the demo
    wait_for_app(page)
    engine = open_database(f"sqlite:///{app_server.data_dir / 'alignment.db'}")
    framework = load_framework()
    workshop = create_workshop(engine, "Not revealed yet")
    for team in ("marketing", "marketing", "marketing", "sales", "sales", "sales"):
        person = join(engine, workshop, team, "ic")
        for dimension in framework.dimensions:
            save_step(engine, framework, workshop.id, person.token, round_no=1, dimension_id=dimension.id,
                      answers={item.id: 4 for item in dimension.items})
        save_importance(engine, framework, workshop.id, person.token, round_no=1,
                        dimension_ids=(framework.dimensions[0].id,))
        submit(engine, framework, workshop.id, person.token, round_no=1, submission_id=person.token[:20] + "-s")
    page.goto(f"{app_server.url}/alignment?w={workshop.code}")
    wait_for_app(page)
    page.get_by_text("results stay hidden until the facilitator reveals them").first.wait_for(timeout=60_000)
    page.get_by_text("The files appear here once the facilitator reveals").wait_for(timeout=60_000)
    assert page.get_by_role("button", name=re.compile("^Download")).count() == 0
    screenshot(page, "hidden-round-no-downloads")
    context.close()
    engine.dispose()
