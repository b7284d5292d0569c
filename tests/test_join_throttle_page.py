"""Wrong join codes on the Self-assessment page: counted, then slowed, with the wait said in one sentence."""

from __future__ import annotations

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from alignment.store import create_workshop, open_database
from alignment.throttle import JOIN_UNKNOWN_ADDRESSES, Client, record_wrong_code


@pytest.fixture
def engine(app_env):
    AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()  # first start: migrate and seed the demo
    db = open_database()
    yield db
    db.dispose()


def type_code(app: AppTest, code: str) -> AppTest:
    next(t for t in app.text_input if t.label == "Join code").input(code)
    return next(b for b in app.button if b.label == "Join").click().run()


def test_a_wrong_code_is_counted_once_and_said_in_one_sentence(engine) -> None:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run().run()  # after the router's one rerun
    app = type_code(app, "ZZZ ZZZ")
    assert [e.value for e in app.error] == [
        "No workshop has the code “ZZZ ZZZ”. Check the code on the screen and try again."
    ]


def test_past_the_ceiling_no_code_is_looked_up_and_the_wait_is_said(engine) -> None:
    workshop = create_workshop(engine, "Spring offsite")
    # AppTest has no client address, so the app counts this browser and all unknown addresses together;
    # the shared ceiling is passed: 130 failures, 10 past the free 120 → 5 s × 2^(130 − 120 − 1) = 2,560 s,
    # capped at 15 minutes.
    for guesser in range(JOIN_UNKNOWN_ADDRESSES.free + 10):
        record_wrong_code(engine, Client(f"guesser-{guesser}", None))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run().run()  # after the router's one rerun
    app = type_code(app, workshop.code)  # even the right code: while waiting, nothing is looked up
    assert [e.value for e in app.error] == [
        "Too many codes that match no workshop were tried from here. Try again in 15 minutes."
    ]
    assert "Your team" not in [w.label for w in app.get("button_group")]
