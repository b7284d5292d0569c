"""The Facilitator page in Chromium at 1920×1080: the room screen, each presentation step, and a
live count that rises while a second client answers."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import DESKTOP, PHONE, AppServer, screenshot, wait_for_app, wait_for_charts, wait_for_cookie

from alignment.framework import load_framework
from alignment.store import create_workshop, find_workshop, open_database
from alignment.store.responses import join, save_importance, save_step, submit
from alignment.ui.presentation import STEPS

pytestmark = pytest.mark.browser

PASSWORD = "projector-password"
MIN_LABEL_PX = 20


@pytest.fixture
def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    running = AppServer(tmp_path / "server", env={"ALIGNMENT_ADMIN_PASSWORD": PASSWORD}).start()
    yield running
    running.stop()


def signed_in_page(browser, server: AppServer, query: str = ""):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{server.url}/facilitator{query}")
    wait_for_app(page)
    page.get_by_label("Facilitator password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("tab", name="Room screen").wait_for(timeout=60_000)
    wait_for_app(page)
    wait_for_cookie(context, "alignment_facilitator")  # signed in for later page loads too
    return context, page


def answer_everything(db, code: str, token: str, rating=lambda dimension_number: 4) -> None:  # type: ignore[no-untyped-def]
    """Answer every statement for a joined participant and submit (what the self-assessment page stores);
    ``rating(n)`` is the rating given to every statement of the n-th dimension (from 0)."""
    framework = load_framework()
    workshop = find_workshop(db, code)
    for number, dimension in enumerate(framework.dimensions):
        save_step(db, framework, workshop.id, token, round_no=workshop.current_round, dimension_id=dimension.id,
                  answers={item.id: rating(number) for item in dimension.items})  # fmt: skip
    save_importance(db, framework, workshop.id, token, round_no=workshop.current_round,
                    dimension_ids=[d.id for d in framework.dimensions[:3]])  # fmt: skip
    submit(db, framework, workshop.id, token, round_no=workshop.current_round, submission_id=uuid.uuid4().hex)


def join_on_a_phone(browser, server: AppServer, code: str, team: str) -> str:  # type: ignore[no-untyped-def]
    """A second browser context opens the join link, picks a team, answers the first topic; returns its
    anonymous token."""
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/?w={code}")
        wait_for_app(page)
        page.get_by_text(team, exact=True).first.click()
        page.get_by_role("button", name="Start").click()
        page.wait_for_url(re.compile(r"[?&]p="), timeout=60_000)
        wait_for_app(page)
        ratings = page.locator("[data-testid='stButtonGroup']")
        ratings.first.wait_for(timeout=60_000)
        for index in range(ratings.count()):
            ratings.nth(index).get_by_text("4", exact=True).click()
        page.get_by_role("button", name="Next").click()
        page.get_by_text("Step 2 of", exact=False).first.wait_for(timeout=60_000)
        wait_for_app(page)
        screenshot(page, "facilitator-second-context-step-2")
        return parse_qs(urlparse(page.url).query)["p"][0]
    finally:
        context.close()


def chart_label_sizes(page) -> list[float]:  # type: ignore[no-untyped-def]
    """Font sizes (px) of the axis and legend labels of the Vega charts on the page."""
    return page.eval_on_selector_all(
        "[data-testid='stVegaLiteChart'] svg text",
        "texts => texts.map(t => parseFloat(getComputedStyle(t).fontSize))",
    )


def test_room_screen_shows_code_and_qr_and_the_count_rises_without_a_reload(browser, server) -> None:
    db = open_database(f"sqlite:///{server.data_dir / 'alignment.db'}")
    context, page = signed_in_page(browser, server)
    try:
        room = create_workshop(db, "Live room", organisation="Acme")
        page.goto(f"{server.url}/facilitator?w={room.code}")  # still signed in: the session cookie
        page.get_by_text("0 answered in round 1").wait_for(timeout=60_000)
        images = page.locator("[data-testid='stImage'] img")
        images.nth(1).wait_for(timeout=60_000)  # the join code and the QR code
        assert page.get_by_text(f"?w={room.code}").count() >= 1
        screenshot(page, "facilitator-room-1920")
        page.evaluate("window.__notReloaded = true")
        token = join_on_a_phone(browser, server, room.code, "Sales")
        page.get_by_text("a few answering").wait_for(timeout=60_000)  # no count below k, even of who is answering
        answer_everything(db, room.code, token)
        page.get_by_text("fewer than 3", exact=True).wait_for(timeout=60_000)  # sales: 1 answer, not counted
        page.get_by_text("0 answered in round 1 in the teams shown").wait_for(timeout=60_000)
        for _ in range(3):
            answer_everything(db, room.code, join(db, find_workshop(db, room.code), "marketing").token)
        page.get_by_text("3 answered in round 1 in the teams shown").wait_for(timeout=60_000)
        wait_for_app(page)
        marketing = page.locator(".st-key-live-count [data-testid='stVerticalBlock']", has_text="Marketing").last
        assert "3" in marketing.inner_text().split()
        assert page.evaluate("window.__notReloaded === true")
        screenshot(page, "facilitator-room-live-1920")
    finally:
        context.close()
        db.dispose()


def test_each_presentation_step_on_the_demo_is_legible_at_1920(browser, server) -> None:
    context, page = signed_in_page(browser, server)
    try:
        page.get_by_text("Presentation mode").click()
        wait_for_app(page)
        for number, title in enumerate(STEPS, start=1):
            page.get_by_role("heading", name=title, level=1).wait_for(timeout=60_000)
            wait_for_charts(page)
            assert page.locator("[data-testid='stException']").count() == 0
            assert (
                page.locator("[data-testid='stSidebar']").count() == 0
                or not page.locator("[data-testid='stSidebar']").is_visible()
            )
            sizes = chart_label_sizes(page)
            assert all(size >= MIN_LABEL_PX for size in sizes), f"{title}: labels of {min(sizes)} px"
            screenshot(page, f"facilitator-present-{number:02d}")
            if number < len(STEPS):
                page.get_by_role("button", name="Next").click()
    finally:
        context.close()
