"""Moderation: the facilitator hides a comment (or shows it again).

A hidden comment disappears from everything participants and executives see, because
:func:`alignment.store.results.comments_frame` leaves hidden comments out unless asked. Hiding
bumps the workshop's revision so cached pages pick the change up at once.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from alignment.store.engine import write_session
from alignment.store.models import Comment, Participant, Response
from alignment.store.results import comments_frame
from alignment.store.workshops import bump_revision


def set_comment_hidden(engine: Engine, workshop_id: int, comment_id: int, hidden: bool) -> None:
    """Hide (``hidden=True``) or show a comment of this workshop; raises LookupError if it is not one."""
    with write_session(engine) as session:
        comment = session.scalar(
            select(Comment)
            .join(Response, Response.id == Comment.response_id)
            .join(Participant, Participant.id == Response.participant_id)
            .where(Comment.id == comment_id, Participant.workshop_id == workshop_id)
        )
        if comment is None:
            raise LookupError("That comment is not part of this workshop.")
        if comment.hidden != hidden:
            comment.hidden = hidden
            bump_revision(session, workshop_id)


def comments_for_moderation(engine: Engine, workshop_id: int, round_no: int | None = None) -> dict[str, pd.DataFrame]:
    """Every comment of a round (default: all rounds), hidden ones included, grouped by dimension id."""
    frame = comments_frame(engine, workshop_id, round_no, include_hidden=True)
    groups = frame.groupby("dimension_id", sort=False)
    return {str(dimension): group.reset_index(drop=True) for dimension, group in groups}
