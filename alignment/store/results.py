"""Read the workshop's submitted answers, importance picks, comments and actions as frames.

These frames are what ``alignment.scoring`` works on. Only submitted responses count; drafts are
never part of a result.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, Select, select

from alignment.store.engine import read_session
from alignment.store.models import Action, Answer, Comment, ImportancePick, Participant, Response, Round

ANSWER_COLUMNS = ["response_id", "participant_id", "team", "level", "round_no", "item_id", "value"]
IMPORTANCE_COLUMNS = ["response_id", "participant_id", "team", "level", "round_no", "dimension_id"]
COMMENT_COLUMNS = ["comment_id", "round_no", "team", "dimension_id", "text", "hidden"]
ACTION_COLUMNS = ["action_id", "round_no", "dimension_id", "text", "owner", "due_date", "status", "created_at"]


def _submitted(query: Select, workshop_id: int, round_no: int | None) -> Select:
    query = (
        query.join(Response, Response.participant_id == Participant.id)
        .join(Round, Round.id == Response.round_id)
        .where(Participant.workshop_id == workshop_id, Response.status == "submitted")
    )
    return query if round_no is None else query.where(Round.number == round_no)


def _frame(engine: Engine, query: Select, columns: list[str]) -> pd.DataFrame:
    with read_session(engine) as session:
        rows = session.execute(query).all()
    return pd.DataFrame.from_records(rows, columns=columns)


def answers_frame(engine: Engine, workshop_id: int, round_no: int | None = None) -> pd.DataFrame:
    """One row per submitted answer; ``value`` is 1–5, or NA for "don't know"."""
    query = _submitted(
        select(
            Response.id, Participant.id, Participant.team, Participant.level, Round.number, Answer.item_id, Answer.value
        ).select_from(Participant),
        workshop_id,
        round_no,
    ).join(Answer, Answer.response_id == Response.id)
    frame = _frame(engine, query, ANSWER_COLUMNS)
    frame["value"] = frame["value"].astype("Int64")
    frame["level"] = frame["level"].astype("string")
    frame["team"] = frame["team"].astype("string")
    frame["item_id"] = frame["item_id"].astype("string")
    return frame


def importance_frame(engine: Engine, workshop_id: int, round_no: int | None = None) -> pd.DataFrame:
    """One row per dimension a respondent picked as mattering most for hitting the number."""
    query = _submitted(
        select(
            Response.id, Participant.id, Participant.team, Participant.level, Round.number, ImportancePick.dimension_id
        ).select_from(Participant),
        workshop_id,
        round_no,
    ).join(ImportancePick, ImportancePick.response_id == Response.id)
    frame = _frame(engine, query, IMPORTANCE_COLUMNS)
    frame["level"] = frame["level"].astype("string")
    return frame


def comments_frame(
    engine: Engine, workshop_id: int, round_no: int | None = None, include_hidden: bool = False
) -> pd.DataFrame:
    """Comments of submitted responses; hidden ones only when ``include_hidden`` (facilitator view)."""
    query = _submitted(
        select(
            Comment.id, Round.number, Participant.team, Comment.dimension_id, Comment.text, Comment.hidden
        ).select_from(Participant),
        workshop_id,
        round_no,
    ).join(Comment, Comment.response_id == Response.id)
    if not include_hidden:
        query = query.where(Comment.hidden.is_(False))
    return _frame(engine, query.order_by(Comment.id), COMMENT_COLUMNS)


def actions_frame(engine: Engine, workshop_id: int) -> pd.DataFrame:
    """The workshop's agreed actions, oldest first (they carry over from round to round)."""
    query = (
        select(
            Action.id,
            Action.round_no,
            Action.dimension_id,
            Action.text,
            Action.owner,
            Action.due_date,
            Action.status,
            Action.created_at,
        )
        .where(Action.workshop_id == workshop_id)
        .order_by(Action.created_at, Action.id)
    )
    return _frame(engine, query, ACTION_COLUMNS)
