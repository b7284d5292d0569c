"""Workshops and their rounds: create, find by join code, change settings and status.

Revealing a round's results closes that round to answers for good (``closed_at`` is set): figures
that people have seen can then never change under them, so comparing a download from before a late
answer with one from after it cannot reveal that answer. Hiding the results again does not reopen
the round; starting a new round does open a fresh one.

The minimum group size ``k`` is fixed once results have been shown (any round revealed or closed):
the disclosure rules group people by k, so with another k two views seen before and after the change
could differ by fewer than k people.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from alignment.store.engine import read_session, write_session
from alignment.store.models import Participant, Response, Round, Workshop, utcnow
from alignment.text import clean_name

# Join codes are read aloud and typed on phones: no 0/O, 1/I/L, and no vowels (no accidental words).
JOIN_CODE_ALPHABET = "23456789BCDFGHJKMNPQRSTVWXYZ"
JOIN_CODE_LENGTH = 6
MAX_CODE_LENGTH = 12  # the column's width: a longer text cannot be a code
MIN_K = 3
K_FIXED_SENTENCE = (
    "The minimum group size cannot change once results have been shown: another k would group people "
    "differently, and comparing views from before and after could then tell what fewer than k people answered. "
    "Start a new workshop to use a different k."
)
MAX_NAME_LENGTH = 200  # workshop and organisation names
MAX_TEAM_NAME_LENGTH = 40
MAX_TEAMS = 12
DEFAULT_TEAMS = ("Marketing", "Sales")
STATUSES = ("open", "closed", "archived")


class WorkshopNotFound(LookupError):
    """No workshop has this join code."""


@dataclass(frozen=True)
class WorkshopInfo:
    """A read-only snapshot of a workshop, safe to cache and pass to pages."""

    id: int
    code: str
    name: str
    organisation: str
    status: str
    is_demo: bool
    k: int
    sla_hours: int
    teams: tuple[str, ...]
    framework_path: str | None
    current_round: int
    results_revealed: bool
    revision: int
    created_at: datetime
    settings: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    round_closed: bool = False
    k_fixed: bool = False

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def team_ids(self) -> tuple[str, ...]:
        return tuple(team_id(name) for name in self.teams)

    def team_name(self, team: str) -> str:
        """The display name of a team id (``customer_success`` → ``Customer Success``)."""
        return next((name for name in self.teams if team_id(name) == team), team.replace("_", " ").title())


def team_id(name: str) -> str:
    """The stable id of a team name: lower case, words joined by underscores."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def normalise_code(text: str) -> str:
    """A join code as typed (any case, spaces or dashes) in its stored form: only its ASCII letters and
    digits, upper case (so nothing else, such as a NUL that PostgreSQL refuses, reaches a query)."""
    return re.sub(r"[^0-9A-Za-z]+", "", text or "").upper()[:MAX_CODE_LENGTH]


def clean_workshop_name(name: str) -> str:
    """A workshop name on one line (see :func:`alignment.text.clean_name`); refused when empty or too long."""
    clean = clean_name(name, "The workshop name", MAX_NAME_LENGTH)
    if not clean:
        raise ValueError("A workshop needs a name.")
    return clean


def clean_team_names(teams: tuple[str, ...] | list[str]) -> list[str]:
    """Team names cleaned and capped; at least two, at most :data:`MAX_TEAMS`, no two with the same id.

    A name must contain a letter or digit, since its id (:func:`team_id`) is made of those.
    """
    clean = [name for name in (clean_name(t, "A team name", MAX_TEAM_NAME_LENGTH) for t in teams) if name]
    if len(clean) > MAX_TEAMS:
        raise ValueError(f"A workshop can have at most {MAX_TEAMS} teams; this one has {len(clean)}.")
    if any(not team_id(name) for name in clean):
        raise ValueError("A team name needs at least one letter or digit.")
    if len({team_id(t) for t in clean}) != len(clean) or len(clean) < 2:
        raise ValueError("A workshop needs at least two teams with different names.")
    return clean


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def _info(workshop: Workshop) -> WorkshopInfo:
    return WorkshopInfo(
        id=workshop.id,
        code=workshop.code,
        name=workshop.name,
        organisation=workshop.organisation,
        status=workshop.status,
        is_demo=workshop.is_demo,
        k=workshop.k,
        sla_hours=workshop.sla_hours,
        teams=tuple(workshop.teams),
        framework_path=workshop.framework_path,
        current_round=workshop.current_round,
        results_revealed=workshop.results_revealed,
        revision=workshop.revision,
        created_at=workshop.created_at,
        settings=dict(workshop.settings or {}),
        round_closed=any(r.number == workshop.current_round and r.closed_at is not None for r in workshop.rounds),
        k_fixed=_results_shown(workshop),
    )


def _results_shown(workshop: Workshop) -> bool:
    """Whether any round's results are or were visible: revealed now, or a round closed (by a reveal or a new round)."""
    return bool(workshop.results_revealed) or any(r.closed_at is not None for r in workshop.rounds)


def create_workshop(
    engine: Engine,
    name: str,
    *,
    organisation: str = "",
    teams: tuple[str, ...] | list[str] = DEFAULT_TEAMS,
    k: int = MIN_K,
    sla_hours: int = 24,
    framework_path: str | None = None,
    is_demo: bool = False,
    code: str | None = None,
) -> WorkshopInfo:
    """Create an open workshop with round 1 and a fresh, unique join code."""
    name = clean_workshop_name(name)
    organisation = clean_name(organisation, "The organisation's name", MAX_NAME_LENGTH)
    if k < MIN_K:
        raise ValueError(f"The anonymity threshold k cannot be below {MIN_K}.")
    clean_teams = clean_team_names(teams)
    for attempt in range(20):
        candidate = normalise_code(code) if code and attempt == 0 else new_join_code()
        try:
            with write_session(engine) as session:
                workshop = Workshop(
                    code=candidate,
                    name=name,
                    organisation=organisation,
                    teams=clean_teams,
                    k=k,
                    sla_hours=sla_hours,
                    framework_path=framework_path,
                    is_demo=is_demo,
                    settings={},
                )
                workshop.rounds.append(Round(number=1, label="Round 1"))
                session.add(workshop)
                session.flush()
                return _info(workshop)
        except IntegrityError:
            continue  # the code was taken between our check and our insert: draw another
    raise RuntimeError("Could not find a free join code after 20 tries.")


def get_workshop(engine: Engine, code: str) -> WorkshopInfo:
    """The workshop with this join code (typed in any case, with spaces); raises WorkshopNotFound."""
    with read_session(engine) as session:
        workshop = session.scalar(select(Workshop).where(Workshop.code == normalise_code(code)))
        if workshop is None:
            raise WorkshopNotFound(f"No workshop has the code {normalise_code(code) or '(empty)'}.")
        return _info(workshop)


def find_workshop(engine: Engine, code: str | None) -> WorkshopInfo | None:
    """Like :func:`get_workshop`, but ``None`` when there is no such workshop."""
    if not code:
        return None
    try:
        return get_workshop(engine, code)
    except WorkshopNotFound:
        return None


def list_workshops(engine: Engine, include_archived: bool = False) -> list[WorkshopInfo]:
    """All workshops, newest first (demo workshops last)."""
    with read_session(engine) as session:
        query = select(Workshop).order_by(Workshop.is_demo, Workshop.created_at.desc(), Workshop.id.desc())
        if not include_archived:
            query = query.where(Workshop.status != "archived")
        return [_info(w) for w in session.scalars(query)]


def update_workshop(engine: Engine, workshop_id: int, **changes: Any) -> WorkshopInfo:
    """Change settings (name, organisation, teams, k, sla_hours, status, results_revealed, ...)."""
    allowed = {"name", "organisation", "teams", "k", "sla_hours", "status", "results_revealed", "framework_path"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"Unknown workshop setting: {', '.join(sorted(unknown))}.")
    if "k" in changes and changes["k"] < MIN_K:
        raise ValueError(f"The anonymity threshold k cannot be below {MIN_K}.")
    if "status" in changes and changes["status"] not in STATUSES:
        raise ValueError(f"Status must be one of {', '.join(STATUSES)}.")
    if "name" in changes:
        changes["name"] = clean_workshop_name(changes["name"])
    if "organisation" in changes:
        changes["organisation"] = clean_name(changes["organisation"], "The organisation's name", MAX_NAME_LENGTH)
    if "teams" in changes:
        changes["teams"] = clean_team_names(changes["teams"])
    with write_session(engine) as session:
        workshop = session.get_one(Workshop, workshop_id)
        if "k" in changes and changes["k"] != workshop.k and _results_shown(workshop):
            raise ValueError(K_FIXED_SENTENCE)
        for key, value in changes.items():
            setattr(workshop, key, value)
        if changes.get("results_revealed"):
            _close_current_round(session, workshop)
        workshop.revision += 1
        session.flush()
        return _info(workshop)


def update_settings(engine: Engine, workshop_id: int, key: str, value: Any) -> WorkshopInfo:
    """Store one per-workshop setting (e.g. import rule overrides) under ``settings[key]``."""
    with write_session(engine) as session:
        workshop = session.get_one(Workshop, workshop_id)
        workshop.settings = {**(workshop.settings or {}), key: value}
        workshop.revision += 1
        session.flush()
        return _info(workshop)


def bump_revision(session: Session, workshop_id: int) -> None:
    """Mark the workshop's results as changed (inside the caller's write transaction)."""
    session.execute(update(Workshop).where(Workshop.id == workshop_id).values(revision=Workshop.revision + 1))


def start_new_round(engine: Engine, workshop_id: int) -> WorkshopInfo:
    """Close the current round and open the next one; earlier answers are kept for comparison."""
    with write_session(engine) as session:
        workshop = session.get_one(Workshop, workshop_id)
        _close_current_round(session, workshop)
        workshop.current_round += 1
        session.add(
            Round(workshop_id=workshop_id, number=workshop.current_round, label=f"Round {workshop.current_round}")
        )
        workshop.results_revealed = False
        workshop.status = "open"
        workshop.revision += 1
        session.flush()
        return _info(workshop)


def _close_current_round(session: Session, workshop: Workshop) -> None:
    """Stop the workshop's current round taking answers (kept closed if it already is)."""
    current = session.scalar(
        select(Round).where(Round.workshop_id == workshop.id, Round.number == workshop.current_round)
    )
    if current is not None and current.closed_at is None:
        current.closed_at = utcnow()


def round_numbers(engine: Engine, workshop_id: int) -> list[int]:
    with read_session(engine) as session:
        return list(
            session.scalars(select(Round.number).where(Round.workshop_id == workshop_id).order_by(Round.number))
        )


def round_id(session: Session, workshop_id: int, number: int) -> int:
    found = session.scalar(select(Round.id).where(Round.workshop_id == workshop_id, Round.number == number))
    if found is None:
        raise LookupError(f"Workshop {workshop_id} has no round {number}.")
    return found


def delete_workshop(engine: Engine, workshop_id: int) -> None:
    """Delete a workshop and everything in it (answers, datasets, actions)."""
    with write_session(engine) as session:
        session.execute(delete(Workshop).where(Workshop.id == workshop_id))


def participation(engine: Engine, workshop_id: int, round_no: int | None = None) -> dict[str, dict[str, int]]:
    """Per team id: ``{"started": n, "submitted": n}`` in a round (default: the current one)."""
    with read_session(engine) as session:
        number = round_no or session.get_one(Workshop, workshop_id).current_round
        rows = session.execute(
            select(Participant.team, Response.status, func.count())
            .join(Response, Response.participant_id == Participant.id)
            .join(Round, Round.id == Response.round_id)
            .where(Participant.workshop_id == workshop_id, Round.number == number)
            .group_by(Participant.team, Response.status)
        ).all()
    counts: dict[str, dict[str, int]] = {}
    for team, status, count in rows:
        entry = counts.setdefault(team, {"started": 0, "submitted": 0})
        entry["started"] += count
        if status == "submitted":
            entry["submitted"] += count
    return counts
