"""Agreed actions and comment moderation, on SQLite and Postgres."""

from datetime import date

import pytest

from alignment.store import actions_frame, comments_frame, create_workshop, get_workshop, start_new_round
from alignment.store.actions import add_action, delete_action, list_actions, update_action
from alignment.store.engine import write_session
from alignment.store.models import Comment, Participant, Response, Round
from alignment.store.moderation import comments_for_moderation, set_comment_hidden


def test_action_round_trip(engine) -> None:
    workshop = create_workshop(engine, "Offsite")
    action = add_action(
        engine, workshop.id, "  Write down what an MQL is ", owner="Ana", due_date=date(2027, 1, 15),
        dimension_id="common_language",
    )  # fmt: skip
    assert action.text == "Write down what an MQL is" and action.status == "open" and action.round_no == 1
    update_action(engine, workshop.id, action.id, status="done", owner="Ben")
    [stored] = list_actions(engine, workshop.id)
    assert (stored.status, stored.owner, stored.due_date) == ("done", "Ben", date(2027, 1, 15))
    frame = actions_frame(engine, workshop.id)
    assert frame["text"].tolist() == ["Write down what an MQL is"]
    delete_action(engine, workshop.id, action.id)
    assert list_actions(engine, workshop.id) == []


def test_actions_carry_over_to_the_next_round_and_remember_where_they_were_agreed(engine) -> None:
    workshop = create_workshop(engine, "Offsite")
    add_action(engine, workshop.id, "Agree a lead hand-off time")
    start_new_round(engine, workshop.id)
    add_action(engine, workshop.id, "Share win/loss reasons monthly")
    assert [(a.text, a.round_no) for a in list_actions(engine, workshop.id)] == [
        ("Agree a lead hand-off time", 1),
        ("Share win/loss reasons monthly", 2),
    ]


def test_open_actions_are_listed_before_done_ones(engine) -> None:
    workshop = create_workshop(engine, "Offsite")
    first = add_action(engine, workshop.id, "First")
    add_action(engine, workshop.id, "Second")
    update_action(engine, workshop.id, first.id, status="done")
    assert [a.text for a in list_actions(engine, workshop.id)] == ["Second", "First"]


def test_every_action_change_bumps_the_revision(engine) -> None:
    workshop = create_workshop(engine, "Offsite")
    action = add_action(engine, workshop.id, "Joint pipeline review")
    after_add = get_workshop(engine, workshop.code).revision
    update_action(engine, workshop.id, action.id, status="done")
    assert get_workshop(engine, workshop.code).revision > after_add > workshop.revision


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"text": "   "}, "Say what"), ({"status": "later"}, "status"), ({"colour": "red"}, "Unknown")],
)
def test_bad_action_changes_are_refused_with_a_sentence(engine, changes, message) -> None:
    workshop = create_workshop(engine, "Offsite")
    action = add_action(engine, workshop.id, "Something")
    with pytest.raises(ValueError, match=message):
        update_action(engine, workshop.id, action.id, **changes)


def test_an_action_of_another_workshop_cannot_be_changed(engine) -> None:
    mine, theirs = create_workshop(engine, "Mine"), create_workshop(engine, "Theirs")
    action = add_action(engine, theirs.id, "Their action")
    with pytest.raises(LookupError):
        update_action(engine, mine.id, action.id, status="done")
    delete_action(engine, mine.id, action.id)
    assert len(list_actions(engine, theirs.id)) == 1


def add_comment(engine, workshop, dimension_id: str, text: str, team: str = "sales") -> int:
    with write_session(engine) as session:
        participant = Participant(workshop_id=workshop.id, token=f"t-{text[:20]}", team=team)
        session.add(participant)
        session.flush()
        round_ = session.query(Round).filter_by(workshop_id=workshop.id, number=1).one()
        response = Response(participant_id=participant.id, round_id=round_.id, status="submitted")
        session.add(response)
        session.flush()
        comment = Comment(response_id=response.id, dimension_id=dimension_id, text=text)
        session.add(comment)
        session.flush()
        return comment.id


def test_a_hidden_comment_disappears_from_results_but_stays_for_the_facilitator(engine) -> None:
    workshop = create_workshop(engine, "Offsite")
    rude = add_comment(engine, workshop, "sla_handoff", "Marketing is useless")
    add_comment(engine, workshop, "sla_handoff", "Leads arrive late")
    set_comment_hidden(engine, workshop.id, rude, hidden=True)
    assert comments_frame(engine, workshop.id)["text"].tolist() == ["Leads arrive late"]
    moderation = comments_for_moderation(engine, workshop.id)
    assert moderation["sla_handoff"]["hidden"].tolist() == [True, False]
    set_comment_hidden(engine, workshop.id, rude, hidden=False)
    assert len(comments_frame(engine, workshop.id)) == 2


def test_comments_of_another_workshop_cannot_be_hidden(engine) -> None:
    mine, theirs = create_workshop(engine, "Mine"), create_workshop(engine, "Theirs")
    comment = add_comment(engine, theirs, "trust_collaboration", "We never meet")
    with pytest.raises(LookupError):
        set_comment_hidden(engine, mine.id, comment, hidden=True)
    assert len(comments_frame(engine, theirs.id)) == 1
