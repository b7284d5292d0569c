"""Actions agreed in the workshop: what, who, by when, which dimension, open or done.

Actions belong to the workshop, not to a round: they carry over when a new round starts, so the
room can check progress. ``round_no`` records the round in which an action was agreed. An action may
carry a measurable target (``alignment.action_targets.ActionTarget``), checked at the next round by
``alignment.action_progress``. Every change bumps the workshop's revision, since actions appear on
the Alignment page and in exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from alignment.action_targets import ActionTarget
from alignment.store.engine import read_session, write_session
from alignment.store.models import Action, Workshop
from alignment.store.workshops import bump_revision
from alignment.text import one_line

ACTION_STATUSES = ("open", "done")
MAX_ACTION_LENGTH = 500
MAX_OWNER_LENGTH = 120


@dataclass(frozen=True)
class ActionInfo:
    """A read-only snapshot of one action."""

    id: int
    round_no: int
    text: str
    owner: str
    due_date: date | None
    dimension_id: str | None
    status: str
    target: ActionTarget | None = None

    @property
    def is_done(self) -> bool:
        return self.status == "done"


def _info(action: Action) -> ActionInfo:
    return ActionInfo(
        id=action.id,
        round_no=action.round_no,
        text=action.text,
        owner=action.owner,
        due_date=action.due_date,
        dimension_id=action.dimension_id,
        status=action.status,
        target=ActionTarget.from_json(action.target) if action.target else None,
    )


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    """Validate and tidy the fields of an action; raises ValueError with a sentence to show."""
    clean = dict(changes)
    if "text" in clean:
        clean["text"] = one_line(clean["text"])
        if not clean["text"]:
            raise ValueError("Say what the action is.")
        if len(clean["text"]) > MAX_ACTION_LENGTH:
            raise ValueError(f"Keep the action under {MAX_ACTION_LENGTH} characters.")
    if "owner" in clean:
        clean["owner"] = one_line(clean["owner"])
        if len(clean["owner"]) > MAX_OWNER_LENGTH:
            raise ValueError(f"Keep the owner under {MAX_OWNER_LENGTH} characters.")
    if "status" in clean and clean["status"] not in ACTION_STATUSES:
        raise ValueError(f"An action's status is one of {', '.join(ACTION_STATUSES)}.")
    if "dimension_id" in clean:
        clean["dimension_id"] = clean["dimension_id"] or None
    if "target" in clean:
        target = clean["target"]
        clean["target"] = target.to_json() if isinstance(target, ActionTarget) else None
    return clean


def add_action(
    engine: Engine,
    workshop_id: int,
    text: str,
    *,
    owner: str = "",
    due_date: date | None = None,
    dimension_id: str | None = None,
    target: ActionTarget | None = None,
) -> ActionInfo:
    """Record an agreed action in the workshop's current round (status ``open``), with an optional target."""
    fields = _clean({"text": text, "owner": owner, "dimension_id": dimension_id, "target": target})
    with write_session(engine) as session:
        workshop = session.get_one(Workshop, workshop_id)
        action = Action(workshop_id=workshop_id, round_no=workshop.current_round, due_date=due_date, **fields)
        session.add(action)
        session.flush()
        bump_revision(session, workshop_id)
        return _info(action)


def update_action(engine: Engine, workshop_id: int, action_id: int, **changes: Any) -> ActionInfo:
    """Change an action's text, owner, due date, dimension, status (``open``/``done``) or target (None removes it)."""
    allowed = {"text", "owner", "due_date", "dimension_id", "status", "target"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"Unknown action field: {', '.join(sorted(unknown))}.")
    fields = _clean(changes)
    with write_session(engine) as session:
        action = session.scalar(select(Action).where(Action.id == action_id, Action.workshop_id == workshop_id))
        if action is None:
            raise LookupError("That action no longer exists.")
        for key, value in fields.items():
            setattr(action, key, value)
        bump_revision(session, workshop_id)
        session.flush()
        return _info(action)


def delete_action(engine: Engine, workshop_id: int, action_id: int) -> None:
    """Remove an action (recorded by mistake); removing one that is already gone changes nothing."""
    with write_session(engine) as session:
        action = session.scalar(select(Action).where(Action.id == action_id, Action.workshop_id == workshop_id))
        if action is not None:
            session.delete(action)
            bump_revision(session, workshop_id)


def list_actions(engine: Engine, workshop_id: int) -> list[ActionInfo]:
    """The workshop's actions from every round: open ones first, then by when they were agreed."""
    with read_session(engine) as session:
        actions = session.scalars(
            select(Action).where(Action.workshop_id == workshop_id).order_by(Action.created_at, Action.id)
        )
        infos = [_info(a) for a in actions]
    return sorted(infos, key=lambda a: a.is_done)
