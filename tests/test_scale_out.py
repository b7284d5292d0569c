"""Two `streamlit run app.py` replicas sharing one Postgres database: a participant answers on a phone
through server A, and server B's Facilitator and Alignment pages show the submission.

Screenshots land in tests/screenshots/scale-out-*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DESKTOP, AppServer, screenshot, wait_for_app
from test_self_assessment_browser import submit_on_a_phone

from alignment.store import create_workshop, open_database, participation, update_workshop

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

PASSWORD = "two-replicas-one-database"


@pytest.fixture
def two_servers(tmp_path: Path, postgres_url: str):  # type: ignore[no-untyped-def]
    """Servers A and B on different ports, each with its own data folder, both on the same database."""
    env = {"ALIGNMENT_DATABASE_URL": postgres_url, "ALIGNMENT_ADMIN_PASSWORD": PASSWORD}
    servers = [AppServer(tmp_path / name, env=env) for name in ("a", "b")]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_an_answer_submitted_through_one_replica_shows_on_the_other(browser, two_servers, postgres_url) -> None:
    server_a, server_b = two_servers
    db = open_database(postgres_url)
    try:
        workshop = create_workshop(db, "Two replicas", teams=["Marketing", "Sales"], k=3)
        submit_on_a_phone(browser, f"{server_a.url}/?w={workshop.code}", "Sales", shots="scale-out-a-phone")
        assert participation(db, workshop.id) == {"sales": {"started": 1, "submitted": 1}}

        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        try:
            page.goto(f"{server_b.url}/facilitator?w={workshop.code}")
            wait_for_app(page)
            page.get_by_label("Facilitator password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_text("fewer than 3", exact=True).wait_for(timeout=30_000)  # sales' one answer, not counted
            wait_for_app(page)
            screenshot(page, "scale-out-b-facilitator")

            update_workshop(db, workshop.id, results_revealed=True)
            page.goto(f"{server_b.url}/alignment?w={workshop.code}")
            not_shown = "Not shown in this view, to keep answers anonymous: Sales."
            page.get_by_text(not_shown, exact=False).wait_for(timeout=30_000)
            wait_for_app(page)
            screenshot(page, "scale-out-b-alignment")
            assert page.locator("[data-testid='stException']").count() == 0
        finally:
            context.close()
    finally:
        db.dispose()
