"""A real `streamlit run app.py` in Debian's Chromium: every page opens on the demo without an error,
and a visitor without a join code sees the demo, never a list of other workshops."""

import pytest
from conftest import DESKTOP, PHONE, screenshot, wait_for_app
from playwright.sync_api import expect

from alignment.store import create_workshop, open_database

pytestmark = pytest.mark.browser

PAGES = {
    "": "Sales & marketing alignment",  # the landing
    "pipeline": "Pipeline data",
    "alignment": "Alignment",
    "facilitator": "Facilitator",
}


@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_each_page_opens_with_its_title_and_no_error(app_server, browser, viewport, label) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        for path, title in PAGES.items():
            page.goto(f"{app_server.url}/{path}")
            wait_for_app(page)
            heading = page.get_by_role("heading", level=1).first
            assert heading.inner_text().strip().startswith(title)
            assert page.locator("[data-testid='stException']").count() == 0
            screenshot(page, f"smoke-{label}-{path or 'home'}")
    finally:
        context.close()


def test_a_visitor_opens_a_workshop_by_its_code_in_the_sidebar_on_a_phone(app_server, browser) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{app_server.url}/alignment")  # first visit seeds the demo
        wait_for_app(page, timeout=60_000)
        db = open_database(f"sqlite:///{app_server.data_dir / 'alignment.db'}")
        other = create_workshop(db, "Contoso spring offsite", organisation="Contoso")
        db.dispose()
        page.reload()
        wait_for_app(page, timeout=60_000)
        expect(page.get_by_text("This is the demo workshop", exact=False)).to_have_count(1)
        page.get_by_test_id("stExpandSidebarButton").tap()
        sidebar = page.get_by_test_id("stSidebar")
        field = sidebar.get_by_label("Open a workshop by its join code")
        field.wait_for(timeout=60_000)
        assert sidebar.get_by_text("Contoso").count() == 0  # no list of workshops, no codes
        expect(sidebar).to_be_in_viewport(ratio=1)  # the sidebar has slid in
        screenshot(page, "smoke-phone-sidebar-open-by-code")
        field.fill("nope12")
        sidebar.get_by_role("button", name="Open workshop").tap()
        sidebar.get_by_text("No workshop has that code.", exact=False).wait_for(timeout=60_000)
        field.fill(other.code.lower())
        sidebar.get_by_role("button", name="Open workshop").tap()
        page.wait_for_url(f"**/alignment?w={other.code}", timeout=60_000)
        page.get_by_text("Contoso spring offsite", exact=False).first.wait_for(timeout=60_000)
        wait_for_app(page)
        screenshot(page, "smoke-phone-opened-by-code")
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        context.close()
