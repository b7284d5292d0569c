"""A participant on a phone (390×844, touch) in Debian's Chromium against a real `streamlit run`:
joins by link, taps through every step, reloads halfway, finishes, submits, and edits on a desktop.

Screenshots of every step land in tests/screenshots/self-assessment-*.png.
"""

from __future__ import annotations

import re

import pytest
from conftest import DESKTOP, PHONE, AppServer, screenshot, wait_for_app
from playwright.sync_api import expect

from alignment.framework import load_framework
from alignment.store import answers_frame, comments_frame, create_workshop, open_database

pytestmark = pytest.mark.browser
FRAMEWORK = load_framework()
TOTAL = len(FRAMEWORK.dimensions) + 2


@pytest.fixture
def server_and_workshop(tmp_path):  # type: ignore[no-untyped-def]
    server = AppServer(tmp_path / "server")
    db = open_database(f"sqlite:///{server.data_dir / 'alignment.db'}")
    workshop = create_workshop(db, "Spring offsite", teams=["Marketing", "Sales", "Customer Success"], k=4)
    server.start()
    yield server, db, workshop
    server.stop()
    db.dispose()


def tap_choice(page, group: str, choice: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("radiogroup", name=group, exact=True).get_by_role("radio", name=choice, exact=True).tap()


def pick_topics(page, *names: str) -> None:  # type: ignore[no-untyped-def]
    """Tick the topics that matter most (each tick is stored as it is tapped)."""
    for name in names:
        box = page.get_by_role("checkbox", name=name, exact=True)
        page.get_by_text(name, exact=True).tap()
        expect(box).to_be_checked()


def wait_for_text(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_text(text, exact=True).first.wait_for(state="visible", timeout=30_000)
    wait_for_app(page)


def submit_on_a_phone(browser, url: str, team: str, shots: str = "", rating: str = "4") -> None:  # type: ignore[no-untyped-def]
    """A participant opens the join link ``url`` on a phone, rates every statement ``rating``, picks
    two topics and submits; with ``shots``, screenshots of the way land under that prefix."""
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    try:
        page.goto(url)
        wait_for_text(page, "Your team")
        tap_choice(page, "Your team", team)
        if shots:
            screenshot(page, f"{shots}-start")
        page.get_by_role("button", name="Start").tap()
        for number, dimension in enumerate(FRAMEWORK.dimensions, start=1):
            wait_for_text(page, f"Step {number} of {TOTAL}")
            for item in dimension.items:
                tap_choice(page, item.text, rating)
            if shots and number == 1:
                screenshot(page, f"{shots}-step-01")
            page.get_by_role("button", name="Next").tap()
        wait_for_text(page, f"Step {TOTAL - 1} of {TOTAL}")
        pick_topics(page, "Common language", "Service-level agreement and hand-off")
        page.get_by_role("button", name="Next").tap()
        wait_for_text(page, f"Step {TOTAL} of {TOTAL}")
        page.get_by_role("button", name="Submit my answers").tap()
        wait_for_text(page, "Thank you! Your answers are in.")
        if shots:
            screenshot(page, f"{shots}-thanks")
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        context.close()


def answer_dimension(page, number: int, rating: str) -> None:  # type: ignore[no-untyped-def]
    dimension = FRAMEWORK.dimensions[number - 1]
    wait_for_text(page, f"Step {number} of {TOTAL}")
    for item in dimension.items:
        tap_choice(page, item.text, rating)
    if number == 1:
        page.get_by_label(re.compile("^Comment")).fill("We never agreed who our best customers are.")
    screenshot(page, f"self-assessment-phone-{number:02d}-{dimension.id}")
    page.get_by_role("button", name="Next").tap()


def test_a_phone_taps_through_the_questionnaire_and_a_reload_loses_nothing(browser, server_and_workshop) -> None:
    server, db, workshop = server_and_workshop
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    try:
        page.goto(server.url)  # no link: the join code is typed, with a typo first
        code_field = page.get_by_role("textbox", name="Join code")
        code_field.fill("zz9 9zz")
        page.get_by_role("button", name="Join", exact=True).tap()
        page.get_by_text("No workshop has the code").wait_for(timeout=30_000)
        screenshot(page, "self-assessment-phone-00-unknown-code")
        assert code_field.input_value() == "zz9 9zz"
        code_field.fill(f"{workshop.code[:3].lower()} {workshop.code[3:].lower()}")
        page.get_by_role("button", name="Join", exact=True).tap()
        wait_for_text(page, "Your team")
        screenshot(page, "self-assessment-phone-00-start")
        tap_choice(page, "Your team", "Sales")
        tap_choice(page, "Your level (optional)", "Manager")
        page.get_by_role("button", name="Start").tap()

        halfway = len(FRAMEWORK.dimensions) // 2
        for number in range(1, halfway + 1):
            answer_dimension(page, number, "Don't know" if number == 2 else "4")

        wait_for_text(page, f"Step {halfway + 1} of {TOTAL}")
        assert "p=" in page.url
        page.reload()  # a locked phone, a dropped connection, a reload
        wait_for_text(page, f"Step {halfway + 1} of {TOTAL}")
        page.get_by_role("button", name="Back").tap()
        wait_for_text(page, f"Step {halfway} of {TOTAL}")
        last_item = FRAMEWORK.dimensions[halfway - 1].items[0].text
        stored = page.get_by_role("radiogroup", name=last_item, exact=True).get_by_role("radio", name="4", exact=True)
        assert stored.get_attribute("aria-checked") == "true"
        page.get_by_role("button", name="Next").tap()

        for number in range(halfway + 1, len(FRAMEWORK.dimensions) + 1):
            answer_dimension(page, number, "2")

        wait_for_text(page, f"Step {TOTAL - 1} of {TOTAL}")
        pick_topics(page, "Common language", "Service-level agreement and hand-off")
        screenshot(page, "self-assessment-phone-13-importance")
        page.get_by_role("button", name="Next").tap()

        wait_for_text(page, f"Step {TOTAL} of {TOTAL}")
        screenshot(page, "self-assessment-phone-14-review")
        submit = page.get_by_role("button", name="Submit my answers")
        submit.scroll_into_view_if_needed()
        screenshot(page, "self-assessment-phone-14-review-bottom")
        submit.dblclick()  # an impatient double tap

        wait_for_text(page, "Thank you! Your answers are in.")
        assert page.get_by_text("1 person has answered so far", exact=False).is_visible()
        screenshot(page, "self-assessment-phone-15-thanks")
        assert page.locator("[data-testid='stException']").count() == 0
        link = page.url
    finally:
        context.close()

    answers = answers_frame(db, workshop.id)
    assert len(answers) == len(FRAMEWORK.items) and set(answers["team"]) == {"sales"}
    assert answers["value"].isna().sum() == len(FRAMEWORK.dimensions[1].items)
    assert comments_frame(db, workshop.id)["text"].tolist() == ["We never agreed who our best customers are."]

    desktop = browser.new_context(viewport=DESKTOP)
    page = desktop.new_page()
    try:
        page.goto(link)  # the same link, opened later on a laptop
        wait_for_text(page, "Thank you! Your answers are in.")
        page.get_by_role("button", name="Change my answers").click()
        wait_for_text(page, "Check and submit")
        screenshot(page, "self-assessment-desktop-review")
        page.get_by_role("button", name="Edit").first.click()
        wait_for_text(page, f"Step 1 of {TOTAL}")
        screenshot(page, "self-assessment-desktop-step")
    finally:
        desktop.close()
