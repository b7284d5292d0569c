"""The workshop room in Chromium, as Streamlit's own e2e suite drives an app: one server shared by the
module (``room_server``), auto-retrying ``expect(...)`` assertions, and screenshots compared with
each other rather than only saved.

- a phone that re-scans the QR code halfway comes back to the same step, and a second submission
  from it does not raise the room's count;
- a third fresh join from one browser within a minute is slowed (sixty browsers behind one address are not);
- a presenter moves three steps with the right arrow and one back with Page Up;
- a facilitator who reloads is still signed in;
- a fresh server with no password prints a sign-in link that works once.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import DESKTOP, PHONE, SCREENSHOTS, AppServer, wait_for_app, wait_for_cookie
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from alignment.store import create_workshop, open_database
from alignment.store.models import Participant
from alignment.store.responses import answered_count
from alignment.ui.presentation import STEPS

pytestmark = pytest.mark.browser
PASSWORD = "room-password"
WAIT = 60_000
SAME_SCREEN = 0.01  # at most 1% of pixels may differ between two screenshots of "the same screen"
NAV_WATCH = """
window.__navSeen = new Set();
new MutationObserver(() => {
  document.querySelectorAll('[data-testid="stSidebarNav"] a, [data-testid="stSidebarNavLink"]').forEach(
    (link) => window.__navSeen.add(link.innerText.trim()));
}).observe(document, { childList: true, subtree: true, characterData: true });
"""


@pytest.fixture(scope="module")
def room_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One real `streamlit run` (with a facilitator password) for every test of this module."""
    server = AppServer(tmp_path_factory.mktemp("room") / "server", env={"ALIGNMENT_ADMIN_PASSWORD": PASSWORD})
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def room_db(room_server: AppServer):  # type: ignore[no-untyped-def]
    db = open_database(f"sqlite:///{room_server.data_dir / 'alignment.db'}")
    yield db
    db.dispose()


def shot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    """What the top of the page shows, saved under tests/screenshots/."""
    wait_for_app(page)
    page.mouse.move(DESKTOP["width"] // 2, 10)
    page.mouse.wheel(0, -20_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stMain\"]') || "
        "document.querySelector('[data-testid=\"stMain\"]').scrollTop === 0"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def differing_share(first: Path, second: Path) -> float:
    """The share of pixels that differ (by more than a little anti-aliasing) between two screenshots."""
    a = np.asarray(Image.open(first).convert("RGB"), dtype=np.int16)
    b = np.asarray(Image.open(second).convert("RGB"), dtype=np.int16)
    if a.shape != b.shape:
        return 1.0
    return float((np.abs(a - b).max(axis=2) > 24).mean())


def tap_rating(page, statement: str, rating: str) -> None:  # type: ignore[no-untyped-def]
    group = page.get_by_role("radiogroup", name=statement, exact=True)
    group.get_by_role("radio", name=rating, exact=True).tap()
    expect(group.get_by_role("radio", name=rating, exact=True)).to_have_attribute("aria-checked", "true")


def start_on_a_phone(page, link: str, team: str = "Sales") -> None:  # type: ignore[no-untyped-def]
    page.goto(link)
    team_group = page.get_by_role("radiogroup", name="Your team", exact=True)
    expect(team_group).to_be_visible(timeout=WAIT)
    team_group.get_by_role("radio", name=team, exact=True).tap()
    page.get_by_role("button", name="Start").tap()


def answer_step(page, statements: list[str], number: int, rating: str = "4") -> None:  # type: ignore[no-untyped-def]
    expect(page.get_by_text(re.compile(rf"^Step {number} of \d+$"))).to_be_visible(timeout=WAIT)
    for statement in statements:
        tap_rating(page, statement, rating)
    page.get_by_role("button", name="Next").tap()


def test_a_phone_that_rescans_the_code_resumes_and_a_second_submission_counts_once(
    browser, room_server, room_db
) -> None:
    from alignment.framework import load_framework

    framework = load_framework()
    workshop = create_workshop(room_db, "Re-scan room")
    link = f"{room_server.url}/?w={workshop.code}"
    phone = browser.new_context(viewport=PHONE, has_touch=True)
    try:
        page = phone.new_page()
        start_on_a_phone(page, link)
        for number, dimension in enumerate(framework.dimensions[:2], start=1):
            answer_step(page, [item.text for item in dimension.items], number)
        third = framework.dimensions[2]
        expect(page.get_by_text(re.compile(r"^Step 3 of \d+$"))).to_be_visible(timeout=WAIT)
        tap_rating(page, third.items[0].text, "2")  # tapped, not yet carried by Next
        before = shot(page, "room-phone-before-rescan")

        page.goto(link)  # the QR code scanned again: the link has no participant in it
        expect(page.get_by_text(re.compile(r"^Step 3 of \d+$"))).to_be_visible(timeout=WAIT)
        first_statement = page.get_by_role("radiogroup", name=third.items[0].text, exact=True)
        expect(first_statement.get_by_role("radio", name="2", exact=True)).to_have_attribute("aria-checked", "true")
        after = shot(page, "room-phone-after-rescan")
        assert differing_share(before, after) < SAME_SCREEN  # the very same screen came back

        tap_rating(page, third.items[0].text, "4")
        for statement in [item.text for item in third.items[1:]]:
            tap_rating(page, statement, "4")
        page.get_by_role("button", name="Next").tap()
        for number, dimension in enumerate(framework.dimensions[3:], start=4):
            answer_step(page, [item.text for item in dimension.items], number)
        page.get_by_text("Common language", exact=True).tap()
        page.get_by_role("button", name="Next").tap()
        page.get_by_role("button", name="Submit my answers").tap()
        expect(page.get_by_text("1 person has answered so far")).to_be_visible(timeout=WAIT)

        page.goto(link)  # scanned once more after submitting: the thank-you page, not a fresh start
        expect(page.get_by_role("button", name="Change my answers")).to_be_visible(timeout=WAIT)
        page.get_by_role("button", name="Change my answers").tap()
        page.get_by_role("button", name="Save my changes").tap()
        expect(page.get_by_text("1 person has answered so far")).to_be_visible(timeout=WAIT)
        assert answered_count(room_db, workshop.id) == 1
    finally:
        phone.close()


def test_a_third_join_from_one_browser_within_a_minute_is_slowed(browser, room_server, room_db) -> None:
    workshop = create_workshop(room_db, "Ballot stuffing")
    link = f"{room_server.url}/?w={workshop.code}"
    phone = browser.new_context(viewport=PHONE, has_touch=True)
    try:
        page = phone.new_page()
        start_on_a_phone(page, link)
        expect(page.get_by_text(re.compile(r"^Step 1 of \d+$"))).to_be_visible(timeout=WAIT)
        for joined in (2, 3):
            page.get_by_role("button", name="I am someone else").tap()
            team_group = page.get_by_role("radiogroup", name="Your team", exact=True)
            expect(team_group).to_be_visible(timeout=WAIT)
            team_group.get_by_role("radio", name="Marketing", exact=True).tap()
            page.get_by_role("button", name="Start").tap()
            if joined == 2:
                expect(page.get_by_text(re.compile(r"^Step 1 of \d+$"))).to_be_visible(timeout=WAIT)
        expect(page.get_by_text("This phone has just started several answer sheets")).to_be_visible(timeout=WAIT)
        shot(page, "room-phone-join-slowed")
    finally:
        phone.close()
    assert participants_of(room_db, workshop.id) == 2  # the third answer sheet was never started


def wait_for_log(server: AppServer, pattern: re.Pattern[str], timeout: float = 60) -> str:
    """The first match of ``pattern`` in the server's terminal output, once it appears there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = pattern.search(server.log.read_text(errors="replace"))
        if found:
            return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"{pattern.pattern!r} never appeared in the server's output")


def participants_of(db, workshop_id: int) -> int:  # type: ignore[no-untyped-def]
    with db.connect() as connection:
        return connection.execute(
            select(func.count(Participant.id)).where(Participant.workshop_id == workshop_id)
        ).scalar_one()


def sign_in(page, server: AppServer, query: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/facilitator{query}")
    page.get_by_label("Facilitator password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("tab", name="Room screen")).to_be_visible(timeout=WAIT)


def test_a_facilitator_who_reloads_or_opens_a_new_tab_is_still_signed_in(browser, room_server, room_db) -> None:
    workshop = create_workshop(room_db, "Stays signed in")
    laptop = browser.new_context(viewport=DESKTOP)
    try:
        page = laptop.new_page()
        sign_in(page, room_server, f"?w={workshop.code}")
        wait_for_cookie(laptop, "alignment_facilitator")
        page.reload()
        expect(page.get_by_role("tab", name="Room screen")).to_be_visible(timeout=WAIT)
        expect(page.get_by_label("Facilitator password")).to_have_count(0)
        tab = laptop.new_page()
        tab.goto(f"{room_server.url}/pipeline?w={workshop.code}")
        expect(tab.get_by_text("Add data")).to_be_visible(timeout=WAIT)
        expect(tab.get_by_text("Stays signed in", exact=False).first).to_be_visible()  # the same workshop
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_label("Facilitator password")).to_be_visible(timeout=WAIT)
        # Signing out refuses the token on the server, so the sign-in is gone whether or not the page has
        # deleted the cookie yet (that happens a moment later, in the page).
        page.reload()
        expect(page.get_by_label("Facilitator password")).to_be_visible(timeout=WAIT)
        tab.reload()
        expect(tab.get_by_label("Facilitator password")).to_be_visible(timeout=WAIT)
    finally:
        laptop.close()


def test_a_presenter_moves_with_the_arrow_keys_and_page_up(browser, room_server, room_db) -> None:
    projector = browser.new_context(viewport=DESKTOP)
    try:
        page = projector.new_page()
        sign_in(page, room_server)
        page.get_by_text("Presentation mode").click()
        heading = page.get_by_role("heading", level=1)
        expect(heading.filter(has_text=STEPS[0])).to_be_visible(timeout=WAIT)
        wait_for_app(page)
        first = shot(page, "room-present-step-1")
        overlay = page.locator("[data-testid='stLayoutWrapper']:has(> .st-key-presenter-controls)")
        expect(overlay).to_have_css("opacity", "0")  # the controls are not projected to the room
        for number in (1, 2, 3):
            page.keyboard.press("ArrowRight")
            expect(heading.filter(has_text=STEPS[number])).to_be_visible(timeout=WAIT)
        page.keyboard.press("PageUp")
        expect(heading.filter(has_text=STEPS[2])).to_be_visible(timeout=WAIT)
        for number in (1, 0):
            page.keyboard.press("PageUp")
            expect(heading.filter(has_text=STEPS[number])).to_be_visible(timeout=WAIT)
        again = shot(page, "room-present-step-1-again")
        assert differing_share(first, again) < 0.05  # back where we started (the live count may tick)
    finally:
        projector.close()


def test_a_fresh_server_without_a_password_prints_a_sign_in_link_that_works_once(browser, tmp_path: Path) -> None:
    server = AppServer(tmp_path / "fresh", env={"ALIGNMENT_ADMIN_PASSWORD": ""}).start()
    first, second = browser.new_context(viewport=DESKTOP), browser.new_context(viewport=DESKTOP)
    try:
        page = first.new_page()
        page.add_init_script(NAV_WATCH)
        page.goto(f"{server.url}/facilitator")  # the first visit to a fresh server
        expect(page.get_by_text("Look in the terminal", exact=False)).to_be_visible(timeout=WAIT)
        expect(page.get_by_role("link", name="Self-assessment")).to_be_visible()  # the navigation, by title
        seen = set(page.evaluate("[...window.__navSeen]"))
        assert not seen & {"self assessment", "pipeline", "alignment", "facilitator"}, seen  # never file names
        printed = re.compile(r"Facilitator sign-in.*\n\s*(http\S+\?signin=\S+)")
        link = wait_for_log(server, printed)
        assert link.startswith(f"{server.url}/facilitator?signin="), link
        page.goto(link)
        expect(page.get_by_role("tab", name="Room screen")).to_be_visible(timeout=WAIT)
        expect(page.get_by_text("Signed in.", exact=False)).to_be_visible()
        assert "signin=" not in page.url
        wait_for_cookie(first, "alignment_facilitator")
        page.reload()  # and it lasts
        expect(page.get_by_role("tab", name="Room screen")).to_be_visible(timeout=WAIT)

        other = second.new_page()  # the same link again, in another browser
        other.goto(link)
        expect(other.get_by_text("already been used or has expired")).to_be_visible(timeout=WAIT)
        expect(other.get_by_role("tab", name="Room screen")).to_have_count(0)
    finally:
        first.close()
        second.close()
        server.stop()


def test_a_first_time_visitor_is_told_what_this_is_and_never_sees_file_names(browser, room_server) -> None:
    for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        context = browser.new_context(viewport=viewport)
        try:
            page = context.new_page()
            page.add_init_script(NAV_WATCH)
            page.goto(room_server.url)
            expect(page.get_by_role("heading", name="Sales & marketing alignment")).to_be_visible(timeout=WAIT)
            expect(page.get_by_role("textbox", name="Join code")).to_be_visible()
            expect(page.get_by_role("link", name="Open the demo dashboard")).to_be_visible()
            expect(page.get_by_role("link", name="Run a workshop")).to_be_visible()
            shot(page, f"room-landing-{name}")
            seen = set(page.evaluate("[...window.__navSeen]"))
            assert not seen & {"self assessment", "pipeline", "alignment", "facilitator"}, seen  # pages/ file names
            if name == "desktop":
                page.get_by_role("link", name="Open the demo dashboard").click()
                expect(page.get_by_role("heading", name="Alignment", level=1)).to_be_visible(timeout=WAIT)
        finally:
            context.close()
