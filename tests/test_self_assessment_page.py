"""The self-assessment page in-process (AppTest): join, answer step by step, resume, submit, edit."""

from __future__ import annotations

import pytest
from conftest import ROOT, TINY_SCALE, TINY_SHARED_DIMENSIONS
from streamlit.testing.v1 import AppTest

from alignment.framework import UPLOADED_FRAMEWORK_KEY
from alignment.store import (
    answers_frame,
    create_workshop,
    open_database,
    start_new_round,
    update_settings,
    update_workshop,
)
from alignment.store.responses import answered_count
from alignment.ui.questionnaire import DONT_KNOW_OPTION

TINY_FRAMEWORK = TINY_SCALE + TINY_SHARED_DIMENSIONS
ITEMS = 6


@pytest.fixture
def engine(app_env):
    AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()  # first start: migrate and seed the demo
    db = open_database()
    yield db
    db.dispose()


@pytest.fixture
def workshop(engine):
    created = create_workshop(engine, "Spring offsite", teams=["Marketing", "Sales", "Customer Success"], k=4)
    return update_settings(engine, created.id, UPLOADED_FRAMEWORK_KEY, {"name": "tiny.yaml", "text": TINY_FRAMEWORK})


def open_page(**query: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        app.query_params[key] = value
    # The router's one-time rerun (session.through_router) lands on AppTest's second run, where it would
    # swallow the first click; a second run before any click lets it happen first.
    return app.run().run()


def press(app: AppTest, label: str) -> AppTest:
    next(button for button in app.button if button.label == label).click()
    return app.run()


def control(app: AppTest, key_start: str):  # type: ignore[no-untyped-def]
    return [group for group in app.get("button_group") if (group.key or "").startswith(key_start)]


def texts(app: AppTest) -> str:
    elements = [*app.markdown, *app.caption, *app.subheader, *app.error, *app.info, *app.warning, *app.success]
    return "\n".join(str(element.value) for element in elements)


def progress_text(app: AppTest) -> str:
    return app.get("progress")[0].proto.text


def start(app: AppTest, team: str = "sales") -> AppTest:
    control(app, "team:")[0].set_value(team)
    return press(app, "Start")


def answer_step(app: AppTest, value: str = "4") -> AppTest:
    for rating in control(app, "rating:"):
        rating.set_value(value)
    return press(app, "Next")


def pick(app: AppTest, *dimension_ids: str) -> AppTest:
    """Tick the topics that matter most (one tap each, stored as it is tapped)."""
    for dimension_id in dimension_ids:
        next(box for box in app.checkbox if (box.key or "").endswith(f":{dimension_id}")).check()
        app.run()
    return app


def answer_everything(app: AppTest, value: str = "4") -> AppTest:
    for _ in range(3):
        answer_step(app, value)
    pick(app, "handoff", "trust")
    return press(app, "Next")


def test_a_participant_joins_by_link_answers_every_step_and_submits(engine, workshop) -> None:
    app = open_page(w=workshop.code.lower())
    assert "groups of at least 4 people" in texts(app)
    assert control(app, "team:")[0].options == ["Marketing", "Sales", "Customer Success"]

    start(app, "customer_success")
    assert app.query_params["p"]
    assert progress_text(app) == "Step 1 of 5"
    assert app.subheader[0].value == "Common language"
    assert control(app, "rating:")[0].options == ["1", "2", "3", "4", "5", "Don't know"]

    app.text_area[0].input("Define an MQL, please")
    answer_step(app, DONT_KNOW_OPTION)
    assert progress_text(app) == "Step 2 of 5"
    answer_step(app, "2")
    answer_step(app, "5")
    assert progress_text(app) == "Step 4 of 5"
    pick(app, "trust")
    press(app, "Next")
    assert "Check and submit" in texts(app)
    assert "2 don't know" in texts(app)

    press(app, "Submit my answers")
    assert "Thank you" in texts(app)
    assert "1 person has answered so far" in texts(app)
    answers = answers_frame(engine, workshop.id)
    assert sorted(answers["value"].dropna().tolist()) == [2, 2, 5, 5]
    assert set(answers["team"]) == {"customer_success"}


def test_joining_by_typing_the_code_ignores_case_and_spaces(engine, workshop) -> None:
    app = open_page()
    typed = f"  {workshop.code[:3].lower()} {workshop.code[3:].lower()} "
    app.text_input[0].input(typed)
    press(app, "Join")
    assert app.query_params["w"] == workshop.code
    assert control(app, "team:")


def test_an_unknown_code_says_so_and_keeps_what_was_typed(engine, workshop) -> None:
    app = open_page()
    app.text_input[0].input("ZZ9 9ZZ")
    press(app, "Join")
    assert "No workshop has the code “ZZ9 9ZZ”" in app.error[0].value
    assert app.text_input[0].value == "ZZ9 9ZZ"

    from_link = open_page(w="NOPE42")
    assert "NOPE42" in from_link.error[0].value and from_link.text_input[0].value == "NOPE42"

    markdown = open_page()
    markdown.text_input[0].input("[x](http://e.vil)")
    press(markdown, "Join")
    assert "“xhttpevil”" in markdown.error[0].value


def test_a_closed_workshop_says_it_is_closed(engine, workshop) -> None:
    update_workshop(engine, workshop.id, status="closed")
    app = open_page(w=workshop.code)
    assert "closed for answers" in app.info[0].value
    assert not control(app, "team:")


def test_reopening_the_link_resumes_at_the_same_step_with_every_answer(engine, workshop) -> None:
    first = start(open_page(w=workshop.code))
    app_token = first.query_params["p"]
    answer_step(first, "3")
    first.text_area[0].input("Leads wait too long")
    answer_step(first, "1")

    again = open_page(w=workshop.code, p=app_token)  # a reload, a locked phone, a new tab
    assert progress_text(again) == "Step 3 of 5"
    press(again, "Back")
    assert [rating.value for rating in control(again, "rating:")] == ["1", "1"]
    assert again.text_area[0].value == "Leads wait too long"


def test_next_needs_every_statement_answered_and_keeps_what_was_given(engine, workshop) -> None:
    app = start(open_page(w=workshop.code))
    control(app, "rating:")[0].set_value("4")
    press(app, "Next")
    assert "for each statement" in app.error[0].value
    assert progress_text(app) == "Step 1 of 5"

    resumed = open_page(w=workshop.code, p=app.query_params["p"])
    assert [rating.value for rating in control(resumed, "rating:")] == ["4", None]


def test_changing_answers_after_submitting_replaces_them_and_counts_once(engine, workshop) -> None:
    app = answer_everything(start(open_page(w=workshop.code)), "2")
    press(app, "Submit my answers")

    press(app, "Change my answers")
    next(button for button in app.button if button.key == "edit:trust").click()
    app.run()
    answer_step(app, "5")
    press(app, "Next")
    press(app, "Save my changes")

    assert "1 person has answered so far" in texts(app)
    values = answers_frame(engine, workshop.id).set_index("item_id")["value"]
    assert values["trust.1"] == 5 and values["language.1"] == 2 and len(values) == ITEMS


def test_the_same_answers_submitted_from_two_tabs_count_once(engine, workshop) -> None:
    app = answer_everything(start(open_page(w=workshop.code)))
    other_tab = open_page(w=workshop.code, p=app.query_params["p"])
    assert "Check and submit" in texts(other_tab)

    press(app, "Submit my answers")
    press(other_tab, "Submit my answers")

    assert "1 person has answered so far" in texts(other_tab)
    assert answered_count(engine, workshop.id) == 1
    assert len(answers_frame(engine, workshop.id)) == ITEMS


def test_a_link_with_a_tampered_token_starts_afresh_and_shows_no_answers(engine, workshop) -> None:
    owner = answer_everything(start(open_page(w=workshop.code)))
    tampered = owner.query_params["p"][:-2] + "zz"
    app = open_page(w=workshop.code, p=tampered)
    assert "start afresh" in texts(app)
    assert control(app, "team:")[0].value is None
    start(app, "marketing")
    assert app.query_params["p"] not in (tampered, owner.query_params["p"])
    assert [rating.value for rating in control(app, "rating:")] == [None, None]


def test_a_new_round_starts_the_questionnaire_again(engine, workshop) -> None:
    app = answer_everything(start(open_page(w=workshop.code)))
    press(app, "Submit my answers")
    start_new_round(engine, workshop.id)

    app.run()  # the participant's open page, at its next interaction
    assert "started round 2" in texts(app)
    assert progress_text(app) == "Step 1 of 5"

    again = open_page(w=workshop.code, p=app.query_params["p"])
    assert progress_text(again) == "Step 1 of 5"
    assert "round 2" in texts(again)
    assert [rating.value for rating in control(again, "rating:")] == [None, None]


def test_back_from_the_first_topic_lets_a_participant_correct_their_team(engine, workshop) -> None:
    app = start(open_page(w=workshop.code), "sales")
    press(app, "Back")
    assert control(app, "team:")[0].value == "sales"

    control(app, "team:")[0].set_value("marketing")
    press(app, "Start")

    assert progress_text(app) == "Step 1 of 5"
    assert "Spring offsite · Marketing · round 1" in texts(app)


def test_a_database_outage_during_submit_asks_to_retry_and_stores_the_answers_once(
    engine, workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from alignment.store import responses
    from alignment.ui.questionnaire import RETRY_MESSAGE

    real_submit, calls = responses.submit, []

    def submit_while_the_database_blinks(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs["submission_id"])
        if len(calls) == 1:
            raise OperationalError("INSERT ...", {}, Exception("server closed the connection unexpectedly"))
        return real_submit(*args, **kwargs)

    monkeypatch.setattr(responses, "submit", submit_while_the_database_blinks)
    app = open_page(w=workshop.code)
    start(app, "sales")
    answer_everything(app, "4")
    press(app, "Submit my answers")
    assert not app.exception
    assert [e.value for e in app.error] == [RETRY_MESSAGE]
    assert answers_frame(engine, workshop.id).empty

    press(app, "Submit my answers")
    assert "Thank you" in texts(app)
    assert calls[0] == calls[1]  # the retry reused the submission id
    assert answers_frame(engine, workshop.id)["response_id"].nunique() == 1


def test_a_tapped_rating_is_stored_before_the_step_is_left(engine, workshop) -> None:
    app = start(open_page(w=workshop.code))
    control(app, "rating:")[0].set_value("2")
    app.run()  # one tap, no Next

    resumed = open_page(w=workshop.code, p=app.query_params["p"])  # the phone reloads
    assert [rating.value for rating in control(resumed, "rating:")] == ["2", None]


def test_a_fourth_topic_cannot_be_picked(engine) -> None:
    fourth = "  - id: targets\n    group: shared\n    name: Shared targets\n    items:\n" \
             "      - {id: targets.1, text: Both teams share one revenue target.}\n" \
             "      - {id: targets.2, text: Bonuses reward the same deals.}\n"  # fmt: skip
    workshop = create_workshop(engine, "Four topics")
    workshop = update_settings(engine, workshop.id, UPLOADED_FRAMEWORK_KEY,
                               {"name": "four.yaml", "text": TINY_FRAMEWORK + fourth})  # fmt: skip
    app = start(open_page(w=workshop.code))
    for _ in range(4):
        answer_step(app)
    pick(app, "language", "handoff", "trust")

    boxes = {box.key.rsplit(":", 1)[-1]: box for box in app.checkbox}
    assert boxes["targets"].disabled and not boxes["targets"].value  # the fourth cannot be ticked
    assert "3 of 3 picked" in texts(app)
    next(box for box in app.checkbox if box.key.endswith(":trust")).uncheck()
    app.run()  # untick one: the fourth can be picked again
    assert not {box.key.rsplit(":", 1)[-1]: box for box in app.checkbox}["targets"].disabled
