"""Revealing a round's results closes it to answers for good, so shown figures never change afterwards.

Every store test runs on SQLite and on Postgres (the ``engine`` fixture).
"""

from __future__ import annotations

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest
from test_responses import FRAMEWORK, fill

from alignment.questionnaire import AnswerRefused
from alignment.store import (
    answers_frame,
    create_workshop,
    get_workshop,
    importance_frame,
    open_database,
    start_new_round,
    update_workshop,
)
from alignment.store.responses import (
    REVEALED_MESSAGE,
    RoundRevealed,
    WorkshopClosed,
    answered_count,
    change_team,
    join,
    load_draft,
    save_step,
    submit,
)
from alignment.suppression import AnswerFilters, released_groups


def submitted(engine, workshop, team: str, value: int, level: str | None = None) -> str:
    person = join(engine, workshop, team, level)
    fill(engine, workshop, person.token, value)
    submit(engine, FRAMEWORK, workshop.id, person.token, round_no=1, submission_id=f"{person.token[:16]}-first")
    return person.token


@pytest.fixture
def revealed(engine):
    """Three marketing and three sales answers, then the results are revealed; one sales person only has a draft."""
    workshop = create_workshop(engine, "Offsite", teams=["Marketing", "Sales"])
    for team, value in (("marketing", 5), ("sales", 2)):
        for _ in range(3):
            submitted(engine, workshop, team, value)
    late = join(engine, workshop, "sales")
    fill(engine, workshop, late.token, 1)  # a complete draft, not yet submitted
    update_workshop(engine, workshop.id, results_revealed=True)
    return workshop, late.token


def test_submission_after_reveal_is_refused_and_counts_nothing(engine, revealed) -> None:
    workshop, late = revealed
    before = answers_frame(engine, workshop.id)
    with pytest.raises(RoundRevealed, match="has shown this round's results"):
        submit(engine, FRAMEWORK, workshop.id, late, round_no=1, submission_id="late-submission-1")
    assert answered_count(engine, workshop.id) == 6  # 3 marketing + 3 sales, as when revealed
    assert len(answers_frame(engine, workshop.id)) == len(before)
    assert load_draft(engine, workshop.id, late).answers  # the draft is kept, not counted
    assert not load_draft(engine, workshop.id, late).submitted


def test_a_revealed_round_refuses_edits_to_submitted_answers(engine) -> None:
    workshop = create_workshop(engine, "Second", teams=["Marketing", "Sales"])
    token = submitted(engine, workshop, "sales", 3)
    update_workshop(engine, workshop.id, results_revealed=True)
    with pytest.raises(RoundRevealed):
        save_step(engine, FRAMEWORK, workshop.id, token, round_no=1, dimension_id="trust",
                  answers={item.id: 1 for item in FRAMEWORK.dimension("trust").items})  # fmt: skip
    assert set(answers_frame(engine, workshop.id)["value"]) == {3}  # the edit to 1 was not stored


def test_hiding_the_results_again_does_not_reopen_the_round(engine, revealed) -> None:
    workshop, late = revealed
    update_workshop(engine, workshop.id, results_revealed=False)
    assert get_workshop(engine, workshop.code).round_closed
    with pytest.raises(WorkshopClosed):  # RoundRevealed is a WorkshopClosed: the page stops with the reason
        submit(engine, FRAMEWORK, workshop.id, late, round_no=1, submission_id="late-submission-2")
    assert answered_count(engine, workshop.id) == 6


def test_a_new_round_takes_answers_again(engine, revealed) -> None:
    workshop, late = revealed
    start_new_round(engine, workshop.id)
    assert not get_workshop(engine, workshop.code).round_closed
    fill(engine, workshop, late, 1, round_no=2)
    submit(engine, FRAMEWORK, workshop.id, late, round_no=2, submission_id="round-two-submit")
    assert answered_count(engine, workshop.id) == 1


def test_team_or_level_is_fixed_once_a_round_one_answered_is_revealed(engine) -> None:
    # moving a counted person from managers to ICs would change the revealed ICs-only view by one person
    workshop = create_workshop(engine, "Levels", teams=["Marketing", "Sales"])
    tokens = [submitted(engine, workshop, "sales", 4, "ic") for _ in range(3)]
    tokens += [submitted(engine, workshop, "sales", 2, "manager") for _ in range(3)]
    update_workshop(engine, workshop.id, results_revealed=True)
    ics = AnswerFilters(round_no=1, levels=("ic",))
    shown = released_groups(answers_frame(engine, workshop.id), ics, 3, importance_frame(engine, workshop.id))
    with pytest.raises(AnswerRefused, match="stay as they were"):
        change_team(engine, workshop, tokens[-1], "sales", "ic")
    after = answers_frame(engine, workshop.id)
    assert (after["level"] == "ic").sum() == 3 * len(FRAMEWORK.items)  # still three ICs
    assert released_groups(after, ics, 3, importance_frame(engine, workshop.id)) == shown


def test_k_is_fixed_once_results_have_been_shown(engine) -> None:
    # With k = 3, ICs (3) and managers (3) are each a group of their own; with k = 4 they would merge, so a
    # view seen before (ICs alone) and one after could differ by fewer people than either k.
    workshop = create_workshop(engine, "Fixed k", teams=["Marketing", "Sales"], k=3)
    assert not get_workshop(engine, workshop.code).k_fixed
    update_workshop(engine, workshop.id, k=4)  # nothing shown yet: k may still change
    update_workshop(engine, workshop.id, k=3)
    update_workshop(engine, workshop.id, results_revealed=True)
    assert get_workshop(engine, workshop.code).k_fixed
    with pytest.raises(ValueError, match="cannot change once results have been shown"):
        update_workshop(engine, workshop.id, k=4)
    update_workshop(engine, workshop.id, results_revealed=False)  # hiding them again does not unfix it
    with pytest.raises(ValueError, match="cannot change once results have been shown"):
        update_workshop(engine, workshop.id, k=5)
    update_workshop(engine, workshop.id, k=3, name="Fixed k, day 2")  # the same k with other settings saves
    assert (get_workshop(engine, workshop.code).k, get_workshop(engine, workshop.code).name) == (3, "Fixed k, day 2")


def test_k_is_fixed_once_a_round_has_ended_unrevealed(engine) -> None:
    workshop = create_workshop(engine, "Two rounds", teams=["Marketing", "Sales"], k=3)
    start_new_round(engine, workshop.id)  # round 1 ends; its figures are final and comparable with round 2's
    with pytest.raises(ValueError, match="cannot change once results have been shown"):
        update_workshop(engine, workshop.id, k=6)
    assert get_workshop(engine, workshop.code).k == 3


def test_views_are_the_same_before_and_after_a_refused_late_submission(engine, revealed) -> None:
    workshop, late = revealed
    views = [AnswerFilters(round_no=1, teams=teams) for teams in ((), ("sales",), ("marketing", "sales"))]

    def seen() -> list:
        answers, picks = answers_frame(engine, workshop.id), importance_frame(engine, workshop.id)
        return [(released_groups(answers, view, 3, picks), answers.sort_values(["participant_id", "item_id"])
                 .reset_index(drop=True)) for view in views]  # fmt: skip

    before = seen()
    with pytest.raises(RoundRevealed):
        submit(engine, FRAMEWORK, workshop.id, late, round_no=1, submission_id="late-submission-3")
    after = seen()
    for (release_before, rows_before), (release_after, rows_after) in zip(before, after, strict=True):
        assert release_before == release_after
        assert rows_before.equals(rows_after)


def test_participant_page_says_the_round_is_closed_once_revealed(app_env) -> None:
    AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()  # first start: migrate, seed the demo
    engine = open_database()
    workshop = create_workshop(engine, "Revealed offsite", teams=["Marketing", "Sales"])
    update_workshop(engine, workshop.id, results_revealed=True)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.query_params["w"] = workshop.code
    app.run().run()
    shown = " ".join(i.value for i in app.info)
    assert REVEALED_MESSAGE in shown
    assert not [b for b in app.button if b.label in ("Start", "Next")]  # no way to start answering
    engine.dispose()
