"""A real `streamlit run app.py` in Debian's Chromium: every page opens on the demo without an error."""

import pytest
from conftest import DESKTOP, PHONE, screenshot, wait_for_app

pytestmark = pytest.mark.browser

PAGES = {"": "Self-assessment", "pipeline": "Pipeline data", "alignment": "Alignment", "facilitator": "Facilitator"}


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
