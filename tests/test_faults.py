"""Faults in a real browser: the server dies halfway through a participant's questionnaire and comes back.

Screenshots land in tests/screenshots/faults-*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PHONE, AppServer, screenshot
from test_self_assessment_browser import FRAMEWORK, TOTAL, tap_choice, wait_for_text

from alignment.store import answers_frame, create_workshop, open_database, participation

pytestmark = pytest.mark.browser

HALFWAY = len(FRAMEWORK.dimensions) // 2


def answer_topics(page, numbers: range, rating: str) -> None:  # type: ignore[no-untyped-def]
    for number in numbers:
        wait_for_text(page, f"Step {number} of {TOTAL}")
        for item in FRAMEWORK.dimensions[number - 1].items:
            tap_choice(page, item.text, rating)
        page.get_by_role("button", name="Next").tap()


def test_a_server_restart_mid_questionnaire_resumes_from_the_draft_with_nothing_lost(browser, tmp_path: Path) -> None:
    server = AppServer(tmp_path / "server")
    db = open_database(f"sqlite:///{server.data_dir / 'alignment.db'}")
    workshop = create_workshop(db, "Restart mid-room", teams=["Marketing", "Sales"], k=3)
    server.start()
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{server.url}/?w={workshop.code}")
        wait_for_text(page, "Your team")
        tap_choice(page, "Your team", "Marketing")
        page.get_by_role("button", name="Start").tap()
        answer_topics(page, range(1, HALFWAY + 1), "5")
        wait_for_text(page, f"Step {HALFWAY + 1} of {TOTAL}")
        link = page.url
        assert "p=" in link

        server.stop()  # the server dies while the participant is on the next topic
        server = AppServer(server.data_dir, port=server.port).start()
        page.goto(link)
        wait_for_text(page, f"Step {HALFWAY + 1} of {TOTAL}")
        screenshot(page, "faults-resumed-after-restart")
        page.get_by_role("button", name="Back").tap()
        wait_for_text(page, f"Step {HALFWAY} of {TOTAL}")
        for item in FRAMEWORK.dimensions[HALFWAY - 1].items:
            group = page.get_by_role("radiogroup", name=item.text, exact=True)
            assert group.get_by_role("radio", name="5", exact=True).get_attribute("aria-checked") == "true"
        page.get_by_role("button", name="Next").tap()

        answer_topics(page, range(HALFWAY + 1, len(FRAMEWORK.dimensions) + 1), "3")
        wait_for_text(page, f"Step {TOTAL - 1} of {TOTAL}")
        page.get_by_role("toolbar", name="Most important topics").get_by_role(
            "button", name=FRAMEWORK.dimensions[0].name, exact=True
        ).tap()
        page.get_by_role("button", name="Next").tap()
        wait_for_text(page, f"Step {TOTAL} of {TOTAL}")
        page.get_by_role("button", name="Submit my answers").tap()
        wait_for_text(page, "Thank you! Your answers are in.")
        screenshot(page, "faults-submitted-after-restart")
    finally:
        context.close()
        server.stop()

    answers = answers_frame(db, workshop.id)
    first_half = {item.id for dimension in FRAMEWORK.dimensions[:HALFWAY] for item in dimension.items}
    assert len(answers) == len(FRAMEWORK.items)
    assert set(answers.loc[answers["item_id"].isin(first_half), "value"]) == {5}
    assert participation(db, workshop.id) == {"marketing": {"started": 1, "submitted": 1}}
    db.dispose()
