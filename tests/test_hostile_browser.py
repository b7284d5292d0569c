"""Hostile text in a real browser: a workshop name with a URL, an icon shortcode and a right-to-left
override, and a team name in Markdown, show literally on a participant's start screen.

Screenshot: tests/screenshots/hostile-start-screen.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PHONE, AppServer, screenshot, wait_for_app
from playwright.sync_api import expect
from sqlalchemy import update

from alignment.store import create_workshop, open_database
from alignment.store.engine import write_session
from alignment.store.models import Workshop

pytestmark = pytest.mark.browser

RLO = "\u202e"
# Written straight into the database (as an older version of the app could have stored it), so what is
# tested is the screen, not the cleaning on the way in.
HOSTILE_NAME = f"Visit https://evil.example/login now :material/warning: {RLO}KCATTA"
SHOWN_NAME = "Visit https://evil.example/login now :material/warning: KCATTA"
HOSTILE_TEAM = "**Ops** [win](https://evil.example)"


def test_a_url_and_a_right_to_left_override_in_a_name_show_literally_on_the_start_screen(browser, tmp_path: Path):
    server = AppServer(tmp_path / "server")
    db = open_database(f"sqlite:///{server.data_dir / 'alignment.db'}")
    workshop = create_workshop(db, "Placeholder", teams=["Marketing", "Sales", "Ops"])
    with write_session(db) as session:
        session.execute(
            update(Workshop).where(Workshop.id == workshop.id).values(name=HOSTILE_NAME, teams=[
                "Marketing", "Sales", HOSTILE_TEAM])
        )  # fmt: skip
    server.start()
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{server.url}/?w={workshop.code}")
        wait_for_app(page)
        main = page.locator("[data-testid='stMain']")
        expect(main.get_by_text("Your team")).to_be_visible()
        screenshot(page, "hostile-start-screen")
        # What a reader sees, without the invisible word joiners that keep links and icons from forming.
        shown = main.evaluate("element => element.innerText.replaceAll('\\u2060', '')")
        assert SHOWN_NAME in shown
        assert HOSTILE_TEAM in shown
        assert RLO not in shown
        assert main.locator("a[href*='evil.example']").count() == 0
        assert main.locator("[data-testid='stIconMaterial']").filter(has_text="warning").count() == 0
    finally:
        context.close()
        server.stop()
        db.dispose()
