"""In Chromium, without signing in: while a round's results are hidden, nothing with its figures can be
downloaded from the Alignment page — no deck, workbook, CSV zip, chart PNG or chart CSV — on a desktop
or a phone; once the facilitator reveals the round, the report downloads appear."""

import pytest
from conftest import DESKTOP, PHONE, screenshot, wait_for_app
from test_export import seed_answers

from alignment.store import create_workshop, open_database, update_workshop

pytestmark = pytest.mark.browser

DOWNLOADS = "[data-testid='stDownloadButton']"


@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_hidden_round_offers_no_download_with_its_figures(app_server, browser, viewport, label) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        page.goto(f"{app_server.url}/alignment")  # the first visit migrates the database
        wait_for_app(page, timeout=60_000)
        db = open_database(f"sqlite:///{app_server.data_dir / 'alignment.db'}")
        workshop = create_workshop(db, "Hidden offsite", teams=("Marketing", "Sales"))
        seed_answers(db, workshop, {"marketing": (4, 4), "sales": (3, 2)})  # both teams reach k = 3

        page.goto(f"{app_server.url}/alignment?w={workshop.code}")
        wait_for_app(page, timeout=60_000)
        page.get_by_text("results stay hidden until the facilitator reveals them").wait_for()
        page.get_by_text("The files appear here once the facilitator reveals this round's results.").wait_for()
        screenshot(page, f"privacy-hidden-{label}")
        for tab in ("Perception", "Priorities", "Evidence", "Pipeline"):
            page.get_by_role("tab", name=tab).click()
            wait_for_app(page)
            assert page.locator(DOWNLOADS).count() == 0, tab
            assert page.get_by_role("button", name="Download").count() == 0, tab
        assert page.locator("[data-testid='stException']").count() == 0

        update_workshop(db, workshop.id, results_revealed=True)
        db.dispose()
        page.goto(f"{app_server.url}/alignment?w={workshop.code}")
        wait_for_app(page, timeout=60_000)
        page.get_by_role("button", name="Download deck (PPTX)").wait_for()
        screenshot(page, f"privacy-revealed-{label}")
        assert page.locator(DOWNLOADS).count() > 3  # the three reports and the charts' PNG and CSV
    finally:
        context.close()
