"""Targets in the app (AppTest): the action form offers only computable metrics with today's value, and
the Alignment page and presentation show what we promised last time with each verdict."""

from __future__ import annotations

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest
from two_rounds import deals_file, round_1_files, two_round_workshop

from alignment.action_targets import ActionTarget
from alignment.framework import load_framework
from alignment.store import create_workshop, open_database, save_dataset
from alignment.store.actions import add_action, list_actions
from alignment.ui.presentation import STEP_KEY, STEPS

PASSWORD = "correct horse battery"
FRAMEWORK = load_framework()


@pytest.fixture
def facilitator_env(app_env, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("ALIGNMENT_ADMIN_PASSWORD", PASSWORD)
    return app_env


def open_page(page: str, code: str, signed_in: bool = False) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params["w"] = code
    app.run()
    app = app.switch_page(page).run()
    if signed_in:
        next(t for t in app.text_input if t.label == "Facilitator password").input(PASSWORD)
        app = next(b for b in app.button if b.label == "Sign in").click().run()
    assert not app.exception, app.exception
    return app


def said(app: AppTest) -> str:
    parts = [e.value for kind in ("header", "subheader", "markdown", "caption", "text", "title")
             for e in getattr(app, kind)]  # fmt: skip
    return "\n".join(str(p) for p in parts).replace("\\", "")


def test_the_form_offers_only_metrics_the_data_can_compute_with_todays_value(facilitator_env) -> None:  # noqa: ANN001
    engine = open_database()
    workshop = create_workshop(engine, "Deals only")
    deals, _ = round_1_files()
    save_dataset(engine, workshop.id, "deals", deals, "deals.csv")
    app = open_page("pages/facilitator.py", workshop.code, signed_in=True)
    metric = app.selectbox(key=f"new-action-{workshop.id}-target-metric")
    # No leads file: only the deal metrics. Win rate: (4 + 10) won of (20 + 20) closed = 35%; marketing 4/20 = 20%,
    # sales 10/20 = 50%. Every won deal took 20 days.
    assert metric.options == [
        "Win rate — today 35% (marketing 20%, sales 50%)",
        "Median sales cycle — today 20 days (marketing 20 days, sales 20 days)",
    ]


def test_an_action_with_a_pipeline_target_is_recorded_from_the_form(facilitator_env) -> None:  # noqa: ANN001
    engine = open_database()
    workshop = create_workshop(engine, "Offsite")
    save_dataset(engine, workshop.id, "deals", deals_file({("marketing", "won"): 1, ("marketing", "lost"): 3}), "d.csv")
    app = open_page("pages/facilitator.py", workshop.code, signed_in=True)
    key = f"new-action-{workshop.id}"
    app.text_input(key=f"{key}-text").input("Send sales the scored leads every Monday")
    app.radio(key=f"{key}-target-kind").set_value("A pipeline metric")
    app.selectbox(key=f"{key}-target-group").set_value("marketing")
    app.number_input(key=f"{key}-target-value").set_value(40.0)
    app = next(b for b in app.button if b.label == "Add action").click().run()
    assert not app.exception and not app.error
    [action] = list_actions(engine, workshop.id)
    assert action.target == ActionTarget("pipeline", metric="win_rate", source_group="marketing", value=0.4)
    assert "target: Win rate (marketing-sourced) to 40%" in said(app)


def test_a_gap_target_without_a_dimension_is_refused_with_a_sentence(facilitator_env) -> None:  # noqa: ANN001
    engine = open_database()
    workshop = create_workshop(engine, "Offsite")
    app = open_page("pages/facilitator.py", workshop.code, signed_in=True)
    key = f"new-action-{workshop.id}"
    app.text_input(key=f"{key}-text").input("Close the hand-off gap")
    app.radio(key=f"{key}-target-kind").set_value("A perception gap")
    app.number_input(key=f"{key}-target-below").set_value(10.0)
    app = next(b for b in app.button if b.label == "Add action").click().run()
    assert "Choose the dimension whose gap should close" in app.error[0].value
    assert list_actions(engine, workshop.id) == []


def test_the_alignment_page_shows_what_we_promised_with_each_verdict(app_env) -> None:  # noqa: ANN001
    engine = open_database()
    workshop = two_round_workshop(engine, FRAMEWORK)
    text = said(open_page("pages/alignment.py", workshop.code))
    assert "What we promised last time" in text
    assert "Met: from 20% in round 1 to 60% in round 2; the target is 50%." in text
    assert "Cannot tell: round 2's leads export has no first-touch dates." in text
    assert "18 won of 30 closed deals" in text


def test_the_presentation_step_shows_the_verdicts_in_large_type(facilitator_env) -> None:  # noqa: ANN001
    engine = open_database()
    workshop = two_round_workshop(engine, FRAMEWORK)
    app = open_page("pages/facilitator.py", workshop.code, signed_in=True)
    app.session_state["presentation_mode"] = True
    app.session_state[STEP_KEY] = STEPS.index("What we promised last time")
    app = app.run()
    assert not app.exception, app.exception
    headers = [h.value for h in app.header]
    assert any(h.startswith(":green[:material/check_circle: Met]") and "scored leads" in h for h in headers)
    assert any(h.startswith(":gray[:material/help: Cannot tell]") for h in headers)


def test_an_actions_target_can_be_changed_and_removed_in_its_edit_form(facilitator_env) -> None:  # noqa: ANN001
    engine = open_database()
    workshop = create_workshop(engine, "Offsite")
    save_dataset(engine, workshop.id, "deals", deals_file({("marketing", "won"): 1, ("marketing", "lost"): 3}), "d.csv")
    target = ActionTarget("pipeline", metric="win_rate", source_group="marketing", value=0.4)
    action = add_action(engine, workshop.id, "Send sales the scored leads", target=target)
    app = open_page("pages/facilitator.py", workshop.code, signed_in=True)
    key = f"edit-action-{action.id}"
    # The edit form shows the target as it is: 0.4 as 40 (%).
    assert app.number_input(key=f"{key}-target-value").value == 40.0
    assert app.selectbox(key=f"{key}-target-group").value == "marketing"
    app.number_input(key=f"{key}-target-value").set_value(45.0)
    app = next(b for b in app.button if b.label == "Save" and b.key and str(action.id) in b.key).click().run()
    assert list_actions(engine, workshop.id)[0].target.value == pytest.approx(0.45)
    app.radio(key=f"{key}-target-kind").set_value("No target")
    app = next(b for b in app.button if b.label == "Save" and b.key and str(action.id) in b.key).click().run()
    assert list_actions(engine, workshop.id)[0].target is None
