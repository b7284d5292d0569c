"""Faults in a real browser: the server dies halfway through a participant's questionnaire and comes
back; the database refuses every connection while a participant moves on and submits.

Screenshots land in tests/screenshots/faults-*.png.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import PHONE, POSTGRES_VARIABLE, AppServer, screenshot
from sqlalchemy import create_engine, text
from test_self_assessment_browser import FRAMEWORK, TOTAL, tap_choice, wait_for_text

from alignment.store import answers_frame, create_workshop, open_database, participation
from alignment.store.responses import join, save_step
from alignment.ui.questionnaire import RETRY_MESSAGE

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
        page.get_by_text(FRAMEWORK.dimensions[0].name, exact=True).tap()
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


class Outage:
    """Take one Postgres database away from every client and give it back (as a failover or restart
    would): new connections are refused and open ones are cut."""

    def __init__(self, database_url: str) -> None:
        self.name = database_url.rsplit("/", 1)[1]
        admin_url = os.environ[POSTGRES_VARIABLE].replace("postgresql://", "postgresql+psycopg://", 1)
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")

    def _set(self, allowed: bool) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS {str(allowed).lower()}'))
            if not allowed:
                connection.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                    {"name": self.name},
                )

    def begin(self) -> None:
        self._set(False)

    def end(self) -> None:
        self._set(True)

    def close(self) -> None:
        self.end()
        self.admin.dispose()


def retry_message_shows(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_text(RETRY_MESSAGE, exact=True).wait_for(timeout=60_000)
    assert page.locator("[data-testid='stException']").count() == 0


@pytest.mark.postgres
def test_a_database_outage_during_a_step_and_a_submit_asks_to_retry_and_stores_everything_once(
    browser, tmp_path: Path, postgres_url: str
) -> None:
    last = FRAMEWORK.dimensions[-1]
    db = open_database(postgres_url)
    workshop = create_workshop(db, "Shaky network", teams=["Marketing", "Sales"], k=3)
    token = join(db, workshop, "sales").token  # this phone answered all topics but the last one earlier
    for number, dimension in enumerate(FRAMEWORK.dimensions[:-1], start=1):
        save_step(db, FRAMEWORK, workshop.id, token, round_no=1, dimension_id=dimension.id,
                  answers={item.id: 4 for item in dimension.items}, step=number + 1)  # fmt: skip
    server = AppServer(tmp_path / "server", env={"ALIGNMENT_DATABASE_URL": postgres_url}).start()
    outage = Outage(postgres_url)
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{server.url}/?w={workshop.code}&p={token}")
        wait_for_text(page, f"Step {len(FRAMEWORK.dimensions)} of {TOTAL}")

        outage.begin()  # the database goes away while the participant answers the last topic
        for item in last.items:
            tap_choice(page, item.text, "2")
        page.get_by_role("button", name="Next").tap()
        retry_message_shows(page)
        screenshot(page, "faults-outage-step-retry")
        for item in last.items:  # what was tapped is still on the screen
            chosen = page.get_by_role("radiogroup", name=item.text, exact=True).get_by_role("radio", name="2")
            assert chosen.get_attribute("aria-checked") == "true"

        outage.end()
        page.get_by_role("button", name="Next").tap()  # the participant taps again, as the message asks
        wait_for_text(page, f"Step {TOTAL - 1} of {TOTAL}")
        page.get_by_text(last.name, exact=True).tap()
        page.get_by_role("button", name="Next").tap()
        wait_for_text(page, f"Step {TOTAL} of {TOTAL}")

        outage.begin()  # and again just as they press Submit
        page.get_by_role("button", name="Submit my answers").tap()
        retry_message_shows(page)
        screenshot(page, "faults-outage-submit-retry")

        outage.end()
        page.get_by_role("button", name="Submit my answers").tap()
        wait_for_text(page, "Thank you! Your answers are in.")
        screenshot(page, "faults-outage-submitted")
    finally:
        context.close()
        outage.close()
        server.stop()

    answers = answers_frame(db, workshop.id)
    assert len(answers) == len(FRAMEWORK.items)
    assert set(answers.loc[answers["item_id"].isin([i.id for i in last.items]), "value"]) == {2}
    assert participation(db, workshop.id) == {"sales": {"started": 1, "submitted": 1}}
    db.dispose()
