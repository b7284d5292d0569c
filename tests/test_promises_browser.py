"""Closing the loop in Chromium at 1920×1080: the facilitator records an action with a target in
round 1, round 2's export arrives, round 2 starts, and the presentation shows the verdict.

Round 2's export is saved through the store (as the Pipeline data page saves it), not uploaded
through the page: the upload page has its own browser tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DESKTOP, AppServer, screenshot, wait_for_app
from playwright.sync_api import expect
from two_rounds import answer, round_1_files, round_2_files

from alignment.framework import load_framework
from alignment.store import create_workshop, get_workshop, open_database, save_dataset
from alignment.store.actions import list_actions

pytestmark = pytest.mark.browser

PASSWORD = "projector-password"
FRAMEWORK = load_framework()


@pytest.fixture
def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    running = AppServer(tmp_path / "server", env={"ALIGNMENT_ADMIN_PASSWORD": PASSWORD}).start()
    yield running
    running.stop()


def test_an_action_with_a_target_in_round_one_gets_its_verdict_in_round_two(browser, server) -> None:  # noqa: ANN001
    db = open_database(f"sqlite:///{server.data_dir / 'alignment.db'}")
    context = browser.new_context(viewport=DESKTOP)
    try:
        workshop = create_workshop(db, "Spring offsite", organisation="Acme")
        deals, leads = round_1_files()
        save_dataset(db, workshop.id, "deals", deals, "deals-january.csv")
        save_dataset(db, workshop.id, "leads", leads, "leads-january.csv")
        answer(db, workshop, FRAMEWORK, 1, {"marketing": (3, 5), "sales": (3, 2)})

        page = context.new_page()
        page.goto(f"{server.url}/facilitator?w={workshop.code}")
        wait_for_app(page)
        page.get_by_label("Facilitator password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("tab", name="Actions").click()
        wait_for_app(page)
        page.get_by_label("What was agreed").fill("Send sales the scored leads every Monday")
        page.get_by_label("Owner").first.fill("Ana")
        form = page.locator("[data-testid='stForm']", has_text="What was agreed")
        form.get_by_text("A pipeline metric", exact=True).click()
        # Today's value stands beside the metric: 14 won of 40 closed = 35%.
        metric = form.get_by_role("combobox", name="Pipeline metric")
        expect(metric).to_have_value("Win rate — today 35% (marketing 20%, sales 50%)")
        form.get_by_role("combobox", name="Source group").click()
        page.get_by_role("option", name="Marketing-sourced").click()
        form.get_by_label("Target (%, hours or days)").fill("50")
        form.get_by_role("combobox", name="Dimension").click()
        page.get_by_role("option", name="Service-level agreement and hand-off").click()
        screenshot(page, "promises-action-form-1920")
        page.get_by_role("button", name="Add action").click()
        wait_for_app(page)
        page.get_by_role("tab", name="Actions").click()
        expect(page.get_by_text("target: Win rate (marketing-sourced) to 50%")).to_be_visible(timeout=60_000)
        [action] = list_actions(db, workshop.id)
        assert (action.target.metric, action.target.value) == ("win_rate", 0.5)
        page.get_by_role("button", name="Edit").click()
        expect(page.get_by_label("Target (%, hours or days)").last).to_have_value("50.00")
        screenshot(page, "promises-edit-target-1920")
        page.keyboard.press("Escape")

        page.get_by_role("tab", name="Run the workshop").click()
        page.get_by_role("button", name="Start round 2").click()
        page.get_by_role("button", name="Start the new round").click()
        expect(page.get_by_role("button", name="Start round 3")).to_be_visible(timeout=60_000)
        assert get_workshop(db, workshop.code).current_round == 2
        deals, leads = round_2_files()
        save_dataset(db, workshop.id, "deals", deals, "deals-april.csv")
        save_dataset(db, workshop.id, "leads", leads, "leads-april.csv")
        answer(db, workshop, FRAMEWORK, 2, {"marketing": (3, 4), "sales": (3, 3)})

        page.get_by_text("Presentation mode").first.click()
        wait_for_app(page)
        page.get_by_role("button", name="Next").click()
        page.get_by_role("button", name="Reveal results to the room").click()
        wait_for_app(page)
        while not page.get_by_role("heading", name="What we promised last time", level=1).is_visible():
            page.get_by_role("button", name="Next").click()
            wait_for_app(page)
        expect(page.get_by_role("heading", name="Met · Send sales the scored leads every Monday")).to_be_visible()
        # 4 won of 20 closed = 20% in round 1; 18 of 30 = 60% in round 2, past the 50% target.
        expect(page.get_by_text("20% → 60%")).to_be_visible()
        expect(page.get_by_text("Met: from 20% in round 1 to 60% in round 2; the target is 50%.")).to_be_visible()
        assert page.locator("[data-testid='stException']").count() == 0
        screenshot(page, "promises-presentation-1920")

        page.get_by_text("Presentation mode").first.click()
        wait_for_app(page)
        page.goto(f"{server.url}/alignment?w={workshop.code}")
        wait_for_app(page)
        expect(page.get_by_role("heading", name="What we promised last time")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("4 won of 20 closed deals · 18 won of 30 closed deals")).to_be_visible()
        screenshot(page, "promises-alignment-page-1920")
    finally:
        context.close()
        db.dispose()
