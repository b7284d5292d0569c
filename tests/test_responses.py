"""Participants' answers in the store: join, drafts, idempotent submits, rounds and bad input.

Every test runs on SQLite and on Postgres (the ``engine`` fixture).
"""

from __future__ import annotations

import threading
import uuid

import pytest
from conftest import TINY_SCALE, TINY_SHARED_DIMENSIONS

from alignment.framework import parse_framework
from alignment.questionnaire import COMMENT_MAX_CHARS, AnswerRefused
from alignment.store import (
    answers_frame,
    comments_frame,
    create_workshop,
    get_workshop,
    importance_frame,
    start_new_round,
    update_workshop,
)
from alignment.store.responses import (
    RoundChanged,
    UnknownParticipant,
    WorkshopClosed,
    answered_count,
    find_participant,
    join,
    load_draft,
    save_importance,
    save_step,
    submit,
)

FRAMEWORK = parse_framework(
    TINY_SCALE
    + TINY_SHARED_DIMENSIONS
    + """  - id: metrics
    group: shared
    name: Shared metrics
    items:
      - {id: metrics.1, text: Both teams are paid on the same number.}
      - {id: metrics.2, text: We review one pipeline report together.}
""",
    source="tiny.yaml",
)


@pytest.fixture
def workshop(engine):
    return create_workshop(engine, "Offsite", teams=["Marketing", "Sales"])


def fill(engine, workshop, token: str, value: int | None = 4, round_no: int = 1) -> None:
    """Answer every statement with ``value`` and pick two important dimensions."""
    for index, dimension in enumerate(FRAMEWORK.dimensions, start=1):
        save_step(
            engine, FRAMEWORK, workshop.id, token, round_no=round_no, dimension_id=dimension.id,
            answers={item.id: value for item in dimension.items}, step=index + 1,
        )  # fmt: skip
    save_importance(engine, FRAMEWORK, workshop.id, token, round_no=round_no, dimension_ids=["handoff", "trust"])


def test_join_creates_an_anonymous_participant_with_a_random_token(engine, workshop) -> None:
    first = join(engine, workshop, "sales", "manager")
    second = join(engine, workshop, "sales")
    assert first.token != second.token and len(first.token) >= 16
    assert find_participant(engine, workshop.id, first.token).team == "sales"
    assert load_draft(engine, workshop.id, second.token).level is None


def test_join_refuses_a_team_the_workshop_does_not_have(engine, workshop) -> None:
    with pytest.raises(AnswerRefused, match="Marketing, Sales"):
        join(engine, workshop, "finance")
    with pytest.raises(AnswerRefused, match="level"):
        join(engine, workshop, "sales", "intern")


def test_a_draft_resumes_with_every_answer_comment_and_the_furthest_step(engine, workshop) -> None:
    token = join(engine, workshop, "marketing").token
    save_step(engine, FRAMEWORK, workshop.id, token, round_no=1, dimension_id="language",
              answers={"language.1": 2, "language.2": None}, comment="  Define MQL!  ", step=2)  # fmt: skip
    save_step(engine, FRAMEWORK, workshop.id, token, round_no=1, dimension_id="handoff",
              answers={"handoff.1": 5}, step=None)  # fmt: skip

    draft = load_draft(engine, workshop.id, token)

    assert draft.answers == {"language.1": 2, "language.2": None, "handoff.1": 5}
    assert draft.comments == {"language": "Define MQL!"}
    assert draft.step == 2 and not draft.submitted


def test_saving_a_step_again_replaces_that_dimensions_answers_and_comment(engine, workshop) -> None:
    token = join(engine, workshop, "marketing").token
    save_step(engine, FRAMEWORK, workshop.id, token, round_no=1, dimension_id="language",
              answers={"language.1": 2, "language.2": 3}, comment="first thought")  # fmt: skip
    save_step(engine, FRAMEWORK, workshop.id, token, round_no=1, dimension_id="language",
              answers={"language.1": 5}, comment="")  # fmt: skip
    draft = load_draft(engine, workshop.id, token)
    assert draft.answers == {"language.1": 5}
    assert draft.comments == {}


def test_drafts_are_not_results_until_submitted(engine, workshop) -> None:
    token = join(engine, workshop, "sales").token
    fill(engine, workshop, token)
    assert answers_frame(engine, workshop.id).empty
    assert answered_count(engine, workshop.id) == 0


def test_submitting_twice_with_the_same_id_counts_once(engine, workshop) -> None:
    token = join(engine, workshop, "sales").token
    fill(engine, workshop, token)
    submission = uuid.uuid4().hex

    first = submit(engine, FRAMEWORK, workshop.id, token, round_no=1, submission_id=submission)
    again = submit(engine, FRAMEWORK, workshop.id, token, round_no=1, submission_id=submission)

    assert (first.outcome, again.outcome) == ("submitted", "unchanged")
    assert again.answered == 1
    assert len(answers_frame(engine, workshop.id)) == len(FRAMEWORK.items)


def test_submit_marks_the_results_as_changed(engine, workshop) -> None:
    token = join(engine, workshop, "sales").token
    fill(engine, workshop, token)
    before = get_workshop(engine, workshop.code).revision
    submit(engine, FRAMEWORK, workshop.id, token, round_no=1, submission_id=uuid.uuid4().hex)
    assert get_workshop(engine, workshop.code).revision > before


def test_editing_after_submit_replaces_the_answers_and_still_counts_once(engine, workshop) -> None:
    token = join(engine, workshop, "sales").token
    fill(engine, workshop, token, value=2)
    submit(engine, FRAMEWORK, workshop.id, token, round_no=1, submission_id=uuid.uuid4().hex)

    save_step(engine, FRAMEWORK, workshop.id, token, round_no=1, dimension_id="trust",
              answers={"trust.1": 5, "trust.2": 5})  # fmt: skip
    save_importance(engine, FRAMEWORK, workshop.id, token, round_no=1, dimension_ids=["metrics"])
    result = submit(engine, FRAMEWORK, workshop.id, token, round_no=1, submission_id=uuid.uuid4().hex)

    answers = answers_frame(engine, workshop.id)
    assert result.outcome == "updated" and result.answered == 1
    assert len(answers) == len(FRAMEWORK.items) and answers["response_id"].nunique() == 1
    assert answers.set_index("item_id").loc["trust.1", "value"] == 5
    assert importance_frame(engine, workshop.id)["dimension_id"].tolist() == ["metrics"]


def test_a_closed_workshop_refuses_new_answers_edits_and_joins(engine, workshop) -> None:
    token = join(engine, workshop, "sales").token
    fill(engine, workshop, token)
    submit(engine, FRAMEWORK, workshop.id, token, round_no=1, submission_id=uuid.uuid4().hex)
    update_workshop(engine, workshop.id, status="closed")

    with pytest.raises(WorkshopClosed, match="closed"):
        save_step(engine, FRAMEWORK, workshop.id, token, round_no=1, dimension_id="trust", answers={"trust.1": 1})
    with pytest.raises(WorkshopClosed):
        submit(engine, FRAMEWORK, workshop.id, token, round_no=1, submission_id=uuid.uuid4().hex)
    with pytest.raises(WorkshopClosed):
        join(engine, workshop, "marketing")
    assert answers_frame(engine, workshop.id)["value"].tolist() == [4] * len(FRAMEWORK.items)


def test_a_new_round_starts_empty_and_keeps_the_old_answers(engine, workshop) -> None:
    token = join(engine, workshop, "marketing").token
    fill(engine, workshop, token, value=3)
    submit(engine, FRAMEWORK, workshop.id, token, round_no=1, submission_id=uuid.uuid4().hex)

    start_new_round(engine, workshop.id)
    draft = load_draft(engine, workshop.id, token)

    assert draft.round_no == 2 and draft.answers == {} and not draft.submitted
    assert answered_count(engine, workshop.id) == 0
    assert len(answers_frame(engine, workshop.id, round_no=1)) == len(FRAMEWORK.items)
    with pytest.raises(RoundChanged, match="round 2"):
        save_step(engine, FRAMEWORK, workshop.id, token, round_no=1, dimension_id="trust", answers={"trust.1": 1})
    fill(engine, workshop, token, value=5, round_no=2)
    submit(engine, FRAMEWORK, workshop.id, token, round_no=2, submission_id=uuid.uuid4().hex)
    rounds = answers_frame(engine, workshop.id).groupby("round_no")["value"].mean().to_dict()
    assert rounds == {1: 3, 2: 5}


def test_a_tampered_or_foreign_token_finds_nobody(engine, workshop) -> None:
    other = create_workshop(engine, "Another company")
    mine = join(engine, workshop, "sales").token
    fill(engine, workshop, mine)
    theirs = join(engine, other, "sales").token

    for token in (mine[:-1] + ("A" if mine[-1] != "A" else "B"), theirs, "", "x' OR 1=1 --", None):
        assert load_draft(engine, workshop.id, token) is None
    with pytest.raises(UnknownParticipant):
        save_step(engine, FRAMEWORK, workshop.id, theirs, round_no=1, dimension_id="trust", answers={"trust.1": 1})


@pytest.mark.parametrize(
    ("dimension_id", "answers", "comment", "message"),
    [
        ("trust", {"trust.9": 3}, "", "'trust.9' belongs to this questionnaire"),
        ("trust", {"language.1": 3}, "", "belongs to another dimension"),
        ("trust", {"trust.1": 6}, "", "from 1 to 5"),
        ("trust", {"trust.1": 0}, "", "from 1 to 5"),
        ("trust", {"trust.1": "4"}, "", "from 1 to 5"),
        ("trust", {"trust.1": True}, "", "from 1 to 5"),
        ("culture", {"trust.1": 3}, "", "no dimension 'culture'"),
        ("trust", {"trust.1": 3}, "x" * (COMMENT_MAX_CHARS + 1), f"at most {COMMENT_MAX_CHARS} characters"),
    ],
)
def test_bad_answers_are_refused_with_a_clear_message(
    engine, workshop, dimension_id, answers, comment, message
) -> None:
    token = join(engine, workshop, "sales").token
    with pytest.raises(AnswerRefused, match=message):
        save_step(engine, FRAMEWORK, workshop.id, token, round_no=1, dimension_id=dimension_id,
                  answers=answers, comment=comment)  # fmt: skip
    assert load_draft(engine, workshop.id, token).answers == {}


def test_more_than_three_important_dimensions_are_refused(engine, workshop) -> None:
    token = join(engine, workshop, "sales").token
    with pytest.raises(AnswerRefused, match="at most 3"):
        save_importance(engine, FRAMEWORK, workshop.id, token, round_no=1,
                        dimension_ids=["language", "handoff", "trust", "metrics"])  # fmt: skip


def test_an_incomplete_questionnaire_cannot_be_submitted(engine, workshop) -> None:
    token = join(engine, workshop, "sales").token
    save_step(engine, FRAMEWORK, workshop.id, token, round_no=1, dimension_id="language",
              answers={"language.1": 3, "language.2": None})  # fmt: skip
    with pytest.raises(AnswerRefused, match="Hand-off, Trust, Shared metrics"):
        submit(engine, FRAMEWORK, workshop.id, token, round_no=1, submission_id=uuid.uuid4().hex)
    assert answered_count(engine, workshop.id) == 0


def test_a_submission_id_cannot_be_reused_by_another_participant(engine, workshop) -> None:
    first, second = join(engine, workshop, "sales").token, join(engine, workshop, "marketing").token
    fill(engine, workshop, first)
    fill(engine, workshop, second)
    shared = uuid.uuid4().hex
    submit(engine, FRAMEWORK, workshop.id, first, round_no=1, submission_id=shared)
    with pytest.raises(AnswerRefused, match="already used"):
        submit(engine, FRAMEWORK, workshop.id, second, round_no=1, submission_id=shared)
    assert answered_count(engine, workshop.id) == 1


def test_comments_reach_the_facilitator_only_once_submitted(engine, workshop) -> None:
    token = join(engine, workshop, "sales").token
    fill(engine, workshop, token)
    save_step(engine, FRAMEWORK, workshop.id, token, round_no=1, dimension_id="trust",
              answers={"trust.1": 2, "trust.2": 2}, comment="<b>We never meet</b>")  # fmt: skip
    assert comments_frame(engine, workshop.id).empty
    submit(engine, FRAMEWORK, workshop.id, token, round_no=1, submission_id=uuid.uuid4().hex)
    assert comments_frame(engine, workshop.id)["text"].tolist() == ["<b>We never meet</b>"]


def test_concurrent_double_submits_from_many_people_count_once_each(engine, workshop) -> None:
    people = [join(engine, workshop, team).token for team in ["marketing", "sales"] * 6]
    for token in people:
        fill(engine, workshop, token)
    outcomes: list[str] = []
    errors: list[Exception] = []
    start = threading.Barrier(len(people) * 2)

    def press_submit(token: str, submission: str) -> None:
        start.wait()
        try:
            outcomes.append(submit(engine, FRAMEWORK, workshop.id, token, round_no=1, submission_id=submission).outcome)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = []
    for token in people:
        submission = uuid.uuid4().hex  # the same id twice: a double click, or a retry through another replica
        threads += [threading.Thread(target=press_submit, args=(token, submission)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(outcomes) == ["submitted"] * len(people) + ["unchanged"] * len(people)
    assert answered_count(engine, workshop.id) == len(people)
    assert len(answers_frame(engine, workshop.id)) == len(people) * len(FRAMEWORK.items)
