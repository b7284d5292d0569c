"""A participant's answers: join anonymously, save each step as a draft, submit once, edit later.

Who a participant is: a random token (:func:`new_token`) that lives in their link; a token that is
unknown, tampered with, or from another workshop finds nobody, so the page starts a fresh
participant and never shows someone else's answers.

Why nothing counts twice: a participant has one response per round (a unique key on participant
and round), answers are keyed by response and item, and every write is an upsert
(``INSERT … ON CONFLICT``) inside one short write transaction (``BEGIN IMMEDIATE`` on SQLite). A
submit carries a client-chosen submission id; the same id again changes nothing, a new id after
edits re-submits the same response. Double clicks, reconnects and two replicas therefore all land on
the same rows. A transaction that loses a lock race (SQLite "database is locked", a Postgres
serialization failure or deadlock) is retried once.

Answers can be changed after submitting until the facilitator closes the workshop, reveals the
round's results or starts a new round; edits to a submitted response count at once and bump the
workshop revision. Revealing closes the round for good (``RoundRevealed``): what the room has seen
never changes afterwards, and stored drafts are kept but not counted. For the same reason a
participant's team or level is fixed once a round they submitted in is closed.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import Engine, Table, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from alignment.framework import Framework
from alignment.questionnaire import (
    AnswerRefused,
    Draft,
    completeness_problem,
    step_of_kind,
    validate_answers,
    validate_comment,
    validate_importance,
    validate_level,
)
from alignment.store.engine import read_session, write_session
from alignment.store.models import Answer, Comment, ImportancePick, Participant, Response, Round, Workshop, utcnow
from alignment.store.workshops import WorkshopInfo, bump_revision

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_SUBMISSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
_TRANSIENT_PG_CODES = {"40001", "40P01"}  # serialization failure, deadlock detected
_SQLITE_WRITERS: dict[str, threading.Lock] = {}  # one per database file, shared by this process's engines
T = TypeVar("T")


class WorkshopClosed(RuntimeError):
    """The facilitator has closed the workshop: answers can no longer be given or changed."""


class RoundRevealed(WorkshopClosed):
    """The round's results have been shown: it takes no more answers (drafts are kept, not counted)."""


REVEALED_MESSAGE = (
    "The facilitator has shown this round's results, so it no longer takes answers: what the room has seen "
    "cannot change. Anything you had not submitted is kept but not counted."
)


class RoundChanged(RuntimeError):
    """The facilitator started a new round since the participant's page loaded."""


class UnknownParticipant(LookupError):
    """No participant of this workshop has this token."""


@dataclass(frozen=True)
class ParticipantInfo:
    token: str
    workshop_id: int
    team: str
    level: str | None


@dataclass(frozen=True)
class SubmitResult:
    """``outcome``: ``submitted`` (first time), ``updated`` (again, after edits) or ``unchanged``
    (this submission id was already stored); ``answered`` is how many people have submitted in
    the round so far."""

    outcome: str
    answered: int


def new_token() -> str:
    """A fresh anonymous participant token (128 random bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def join(
    engine: Engine, workshop: WorkshopInfo, team: str, level: str | None = None, browser_id: str | None = None
) -> ParticipantInfo:
    """Create an anonymous participant of ``workshop`` in ``team`` (a team id) at an optional level.

    ``browser_id`` is the random id of the browser that joins (see :mod:`alignment.store.joins`).
    """
    if team not in workshop.team_ids:
        raise AnswerRefused(f"Pick one of the workshop's teams: {', '.join(workshop.teams)}.")
    level = validate_level(level)

    def work(session: Session) -> ParticipantInfo:
        _check_open(session, workshop.id, None)
        token = new_token()
        session.add(
            Participant(workshop_id=workshop.id, token=token, team=team, level=level, browser_id=browser_id or None)
        )
        return ParticipantInfo(token, workshop.id, team, level)

    return _write(engine, work)


def change_team(engine: Engine, workshop: WorkshopInfo, token: str, team: str, level: str | None) -> None:
    """Correct a participant's team or level (their answers stay)."""
    if team not in workshop.team_ids:
        raise AnswerRefused(f"Pick one of the workshop's teams: {', '.join(workshop.teams)}.")
    level = validate_level(level)

    def work(session: Session) -> None:
        _check_open(session, workshop.id, None)
        participant_id = _participant_id(session, workshop.id, token)
        _refuse_if_counted_in_closed_round(session, participant_id)
        session.execute(update(Participant).where(Participant.id == participant_id).values(team=team, level=level))
        bump_revision(session, workshop.id)

    _write(engine, work)


def find_participant(engine: Engine, workshop_id: int, token: str | None) -> ParticipantInfo | None:
    """The participant of this workshop with this token, or ``None`` (unknown, tampered, other workshop)."""
    if not token or not _TOKEN.fullmatch(token):
        return None
    with read_session(engine) as session:
        found = session.execute(
            select(Participant.team, Participant.level).where(
                Participant.workshop_id == workshop_id, Participant.token == token
            )
        ).first()
    return ParticipantInfo(token, workshop_id, found.team, found.level) if found else None


def load_draft(engine: Engine, workshop_id: int, token: str | None) -> Draft | None:
    """What the participant has stored in the workshop's current round (``None`` for an unknown token).

    A participant with nothing stored yet in this round gets an empty draft at the first question.
    """
    participant = find_participant(engine, workshop_id, token)
    if participant is None:
        return None
    with read_session(engine) as session:
        round_no = session.scalar(select(Workshop.current_round).where(Workshop.id == workshop_id))
        response = session.execute(
            select(Response.id, Response.step, Response.status)
            .join(Round, Round.id == Response.round_id)
            .join(Participant, Participant.id == Response.participant_id)
            .where(Participant.token == participant.token, Round.number == round_no, Round.workshop_id == workshop_id)
        ).first()
        empty = Draft(round_no=round_no, team=participant.team, level=participant.level)
        if response is None:
            return empty
        return _draft(session, response.id, empty, response.step, response.status == "submitted")


def save_step(
    engine: Engine,
    framework: Framework,
    workshop_id: int,
    token: str,
    *,
    round_no: int,
    dimension_id: str,
    answers: Mapping[str, int | None],
    comment: str | None = None,
    step: int | None = None,
) -> None:
    """Store one dimension's answers and comment as they are now; ``step`` is the step reached.

    The dimension's stored answers become exactly ``answers`` (an item left out is unanswered
    again). An empty comment removes the comment.
    """
    clean = validate_answers(framework, dimension_id, answers)
    text = validate_comment(comment)
    own_items = [item.id for item in framework.dimension(dimension_id).items]

    def work(session: Session) -> None:
        response_id, submitted = _open_response(session, workshop_id, token, round_no, step)
        left_out = [item for item in own_items if item not in clean]
        if left_out:
            session.execute(delete(Answer).where(Answer.response_id == response_id, Answer.item_id.in_(left_out)))
        if clean:
            rows = [{"response_id": response_id, "item_id": item, "value": value} for item, value in clean.items()]
            insert = _insert(session, Answer.__table__).values(rows)
            session.execute(
                insert.on_conflict_do_update(
                    index_elements=["response_id", "item_id"], set_={"value": insert.excluded.value}
                )
            )
        if text:
            insert = _insert(session, Comment.__table__).values(
                response_id=response_id, dimension_id=dimension_id, text=text, hidden=False
            )
            session.execute(
                insert.on_conflict_do_update(
                    index_elements=["response_id", "dimension_id"], set_={"text": insert.excluded.text}
                )
            )
        else:
            session.execute(
                delete(Comment).where(Comment.response_id == response_id, Comment.dimension_id == dimension_id)
            )
        if submitted:
            bump_revision(session, workshop_id)

    _write(engine, work)


def save_importance(
    engine: Engine,
    framework: Framework,
    workshop_id: int,
    token: str,
    *,
    round_no: int,
    dimension_ids: Iterable[str],
    step: int | None = None,
) -> None:
    """Store the dimensions the participant picked as mattering most (at most three)."""
    picks = validate_importance(framework, dimension_ids)

    def work(session: Session) -> None:
        response_id, submitted = _open_response(session, workshop_id, token, round_no, step)
        session.execute(delete(ImportancePick).where(ImportancePick.response_id == response_id))
        session.add_all(ImportancePick(response_id=response_id, dimension_id=pick) for pick in picks)
        if submitted:
            bump_revision(session, workshop_id)

    _write(engine, work)


def submit(
    engine: Engine, framework: Framework, workshop_id: int, token: str, *, round_no: int, submission_id: str
) -> SubmitResult:
    """Submit the participant's stored answers for the round, idempotently.

    The same ``submission_id`` twice counts once (``unchanged``); a new id after edits marks the
    same response as submitted again (``updated``). Refused while a statement has no answer.
    """
    if not _SUBMISSION_ID.fullmatch(submission_id or ""):
        raise AnswerRefused("A submission needs an id of 8 to 64 letters, digits, dashes or underscores.")
    job = _SubmitJob(framework, workshop_id, token, round_no, submission_id)
    try:
        outcome, answered_so_far = _write_grouped(engine, lambda session: _submit_all(session, [job])[0], job)
    except IntegrityError as exc:
        raise AnswerRefused("This submission id was already used by another answer sheet; submit again.") from exc
    return SubmitResult(outcome, answered_so_far)


@dataclass(frozen=True)
class _SubmitJob:
    framework: Framework
    workshop_id: int
    token: str
    round_no: int
    submission_id: str


def _submit_all(session: Session, jobs: list[_SubmitJob]) -> list[tuple[str, int] | Exception]:
    """Submit every job in one transaction with a handful of statements, whatever their number.

    One query reads each participant's workshop state, response, and how many answers and
    importance picks it holds; one more finds submission ids already used by other responses.
    Each complete response is then marked submitted with a conditional update (the same id again
    changes nothing), each changed workshop's revision rises once, and the submitted responses of
    each round are counted once. Returns per job ``(outcome, answered in the round)`` or the
    refusal to raise.
    """
    answered = select(func.count()).where(Answer.response_id == Response.id).scalar_subquery()
    picked = select(func.count()).where(ImportancePick.response_id == Response.id).scalar_subquery()
    rows = {
        row.token: row
        for row in session.execute(
            select(
                Participant.token, Participant.workshop_id, Participant.id.label("participant_id"),
                Workshop.status, Workshop.current_round, Workshop.results_revealed, Round.id.label("round_pk"),
                Round.closed_at,
                Response.id.label("response_id"), Response.status.label("response_status"),
                Response.submission_id, answered.label("answered"), picked.label("picked"),
            )
            .join(Workshop, Workshop.id == Participant.workshop_id)
            .outerjoin(Round, (Round.workshop_id == Workshop.id) & (Round.number == Workshop.current_round))
            .outerjoin(Response, (Response.participant_id == Participant.id) & (Response.round_id == Round.id))
            .where(Participant.token.in_({job.token for job in jobs}))
        )
    }  # fmt: skip
    taken = dict(
        session.execute(
            select(Response.submission_id, Response.id).where(
                Response.submission_id.in_({job.submission_id for job in jobs})
            )
        ).all()
    )
    results: list[tuple[str, int] | Exception] = []
    latest: dict[int, tuple[str | None, str]] = {}  # response id → (submission id, status) after this batch
    marks: list[dict[str, Any]] = []
    marked: list[int] = []  # where in ``results`` each of ``marks`` belongs
    changed_workshops: set[int] = set()
    rounds: dict[int, int] = {}
    for job in jobs:
        row = rows.get(job.token)
        try:
            if row is None or row.workshop_id != job.workshop_id:
                raise UnknownParticipant("This link does not belong to a participant of this workshop.")
            _refuse_unless_open(row, job.round_no)
            if taken.get(job.submission_id, row.response_id) != row.response_id:
                raise IntegrityError("submission id", {}, Exception("already used by another response"))
            if row.submission_id == job.submission_id and row.response_status == "submitted":
                results.append(("unchanged", row.round_pk))
                continue
            if row.closed_at is not None:  # revealing closed the round: a late or changed sheet would move figures
                raise RoundRevealed(REVEALED_MESSAGE)
            _check_complete(session, job, row)
            before = latest.get(row.response_id, (row.submission_id, row.response_status))
            if before == (job.submission_id, "submitted"):  # the same submit twice in this batch
                results.append(("unchanged", row.round_pk))
                continue
            latest[row.response_id] = (job.submission_id, "submitted")
            taken[job.submission_id] = row.response_id
            marks.append({"rid": row.response_id, "sid": job.submission_id, "at": utcnow(),
                          "done": step_of_kind(job.framework, "thanks").index})  # fmt: skip
            changed_workshops.add(job.workshop_id)
            marked.append(len(results))
            results.append(("updated" if before[1] == "submitted" else "submitted", row.round_pk))
        except (AnswerRefused, WorkshopClosed, RoundChanged, UnknownParticipant, IntegrityError) as exc:
            results.append(exc)
    if marks:  # one statement for the whole batch; the condition keeps a racing replica's same submit at one
        responses = Response.__table__
        changed = session.execute(
            update(responses)
            .where(responses.c.id == bindparam("rid"))
            .where(responses.c.submission_id.is_(None) | (responses.c.submission_id != bindparam("sid")))
            .values(status="submitted", submission_id=bindparam("sid"), submitted_at=bindparam("at"),
                    step=bindparam("done")),
            marks if len(marks) > 1 else marks[0],
        ).rowcount  # fmt: skip
        if len(marks) == 1 and not changed:  # another replica stored this very submit a moment ago
            results[marked[0]] = ("unchanged", results[marked[0]][1])
            changed_workshops.clear()
    counted = {pk for result in results if isinstance(result, tuple) for pk in [result[1]]}
    if counted:
        rounds = dict(
            session.execute(
                select(Response.round_id, func.count(Response.id))
                .where(Response.round_id.in_(counted), Response.status == "submitted")
                .group_by(Response.round_id)
            ).all()
        )
    for workshop_id in sorted(changed_workshops):
        bump_revision(session, workshop_id)  # last: the workshop rows stay locked until commit
    return [result if isinstance(result, Exception) else (result[0], rounds.get(result[1], 0)) for result in results]


def _check_complete(session: Session, job: _SubmitJob, row: Any) -> None:
    """Refuse (with the sentence that says what is missing) unless every statement and a topic are answered."""
    if row.response_id is not None and row.answered >= len(job.framework.items) and row.picked:
        return
    answered: dict[str, None] = {}
    picks: tuple[str, ...] = ()
    if row.response_id is not None:
        answered = dict.fromkeys(session.scalars(select(Answer.item_id).where(Answer.response_id == row.response_id)))
        picks = tuple(
            session.scalars(select(ImportancePick.dimension_id).where(ImportancePick.response_id == row.response_id))
        )
    problem = completeness_problem(job.framework, Draft(job.round_no, "", None, answers=answered, importance=picks))
    raise AnswerRefused(problem or "Some statements have no answer yet.")


def answered_count(engine: Engine, workshop_id: int) -> int:
    """How many people have submitted in the workshop's current round."""
    with read_session(engine) as session:
        return session.scalar(
            select(func.count(Response.id))
            .join(Round, Round.id == Response.round_id)
            .join(Workshop, Workshop.id == Round.workshop_id)
            .where(Round.workshop_id == workshop_id, Round.number == Workshop.current_round)
            .where(Response.status == "submitted")
        )


# ---------------------------------------------------------------- inside a write transaction


def _write(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one write transaction; retry once if it lost a lock or serialization race.

    SQLite lets one writer in at a time; this process's writers queue on a lock first, which
    spares them SQLite's busy-wait (it sleeps up to 100 ms between tries) and keeps waits short and
    fair. Other processes sharing the file still wait on the busy timeout.
    """
    with _writer_lock(engine):
        try:
            with write_session(engine) as session:
                return work(session)
        except OperationalError as exc:
            if not _transient(exc):
                raise
        with write_session(engine) as session:
            return work(session)


_WAITING: dict[str, list[_SubmitJob]] = {}
_STORING: set[str] = set()  # databases a thread is storing a batch of submits for right now
_DONE: dict[int, tuple[str, int] | BaseException] = {}
_BATCHES = threading.Condition()


def _write_grouped(engine: Engine, work: Callable[[Session], T], job: _SubmitJob) -> T:
    """Run one submit; on SQLite, every submit waiting while another batch is stored goes into one transaction.

    When a whole room presses Submit at once, SQLite would otherwise run (and commit) one
    transaction after another. Here one thread at a time stores every submit waiting, with
    :func:`_submit_all` in one ``BEGIN IMMEDIATE`` … ``COMMIT`` (group commit); the others sleep
    until their result is ready. A refused submit is refused alone, in the thread that asked.
    Elsewhere (Postgres) each submit is its own transaction.
    """
    if engine.dialect.name != "sqlite":
        result = _write(engine, work)
        if isinstance(result, Exception):
            raise result
        return result
    key = engine.url.render_as_string(hide_password=False)
    with _BATCHES:
        _WAITING.setdefault(key, []).append(job)
        while id(job) not in _DONE and key in _STORING:
            _BATCHES.wait()
        if id(job) not in _DONE:
            _STORING.add(key)
            batch, _WAITING[key] = _WAITING[key], []
    if id(job) not in _DONE:
        try:
            with _writer_lock(engine), write_session(engine) as session:
                outcomes: list[Any] = _submit_all(session, batch)
        except Exception as exc:  # noqa: BLE001 - the commit itself failed: every submit in it did
            outcomes = [exc] * len(batch)
        with _BATCHES:
            _DONE.update((id(each), outcome) for each, outcome in zip(batch, outcomes, strict=True))
            _STORING.discard(key)
            _BATCHES.notify_all()
    with _BATCHES:
        result = _DONE.pop(id(job))
    if isinstance(result, BaseException):
        raise result
    return result  # type: ignore[return-value]


def _writer_lock(engine: Engine) -> AbstractContextManager[Any]:
    if engine.dialect.name != "sqlite":
        return nullcontext()
    return _SQLITE_WRITERS.setdefault(engine.url.render_as_string(hide_password=False), threading.Lock())


def _transient(exc: OperationalError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code in _TRANSIENT_PG_CODES or "database is locked" in str(exc.orig)


def _insert(session: Session, table: Table) -> Any:
    """An ``INSERT`` that supports ``ON CONFLICT`` on the session's database."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _check_open(session: Session, workshop_id: int, round_no: int | None) -> None:
    found = session.execute(select(Workshop.status, Workshop.current_round).where(Workshop.id == workshop_id)).first()
    _refuse_unless_open(found, round_no)


def _refuse_unless_open(found: Any, round_no: int | None) -> None:
    """Raise unless the workshop (a row with ``status`` and ``current_round``) takes answers for ``round_no``."""
    if found is None or found.status != "open":
        raise WorkshopClosed("This workshop is closed: answers can no longer be given or changed.")
    if round_no is not None and round_no != found.current_round:
        raise RoundChanged(
            f"The facilitator has started round {found.current_round}; your answers to round {round_no} are kept."
        )


def _refuse_if_counted_in_closed_round(session: Session, participant_id: int) -> None:
    """A team or level change would move answers between groups that people have already seen."""
    counted = session.scalar(
        select(Response.id)
        .join(Round, Round.id == Response.round_id)
        .where(Response.participant_id == participant_id, Response.status == "submitted", Round.closed_at.is_not(None))
        .limit(1)
    )
    if counted is not None:
        raise AnswerRefused(
            "Your team and level stay as they were when your answers were shown to the room, so that nobody can "
            "work out your answers by comparing the results before and after the change."
        )


def _participant_id(session: Session, workshop_id: int, token: str) -> int:
    found = session.scalar(
        select(Participant.id).where(Participant.workshop_id == workshop_id, Participant.token == token)
    )
    if found is None:
        raise UnknownParticipant("This link does not belong to a participant of this workshop.")
    return found


def _open_response(session: Session, workshop_id: int, token: str, round_no: int, step: int | None) -> tuple[int, bool]:
    """The participant's response in ``round_no`` (created if needed): ``(id, submitted)``.

    Refuses when the workshop is closed or has moved on to another round, or the token is not one
    of its participants; raises the stored furthest step to ``step``.
    """
    found = session.execute(
        select(
            Workshop.status,
            Workshop.current_round,
            Round.id.label("round_pk"),
            Round.closed_at,
            Participant.id.label("participant_id"),
            Response.id.label("response_id"),
            Response.status.label("response_status"),
            Response.step,
        )
        .select_from(Workshop)
        .outerjoin(Round, (Round.workshop_id == Workshop.id) & (Round.number == Workshop.current_round))
        .outerjoin(Participant, (Participant.workshop_id == Workshop.id) & (Participant.token == token))
        .outerjoin(Response, (Response.participant_id == Participant.id) & (Response.round_id == Round.id))
        .where(Workshop.id == workshop_id)
    ).first()
    _refuse_unless_open(found, round_no)
    if found.closed_at is not None:
        raise RoundRevealed(REVEALED_MESSAGE)
    if found.round_pk is None:
        raise LookupError(f"Workshop {workshop_id} has no row for its current round.")
    if found.participant_id is None:
        raise UnknownParticipant("This link does not belong to a participant of this workshop.")
    response_id, status, stored_step = found.response_id, found.response_status, found.step
    if response_id is None:
        insert = _insert(session, Response.__table__).values(
            participant_id=found.participant_id, round_id=found.round_pk, status="draft", step=step or 1,
            updated_at=utcnow(),
        )  # fmt: skip
        session.execute(insert.on_conflict_do_nothing(index_elements=["participant_id", "round_id"]))
        response_id, status, stored_step = session.execute(
            select(Response.id, Response.status, Response.step).where(
                Response.participant_id == found.participant_id, Response.round_id == found.round_pk
            )
        ).one()
    if step is not None and step > stored_step:
        session.execute(
            update(Response)
            .where(Response.id == response_id)
            .values(step=step, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return response_id, status == "submitted"


def _draft(session: Session, response_id: int, empty: Draft, step: int, submitted: bool) -> Draft:
    """``empty`` filled with the response's answers, comments and importance picks."""
    answers = session.execute(select(Answer.item_id, Answer.value).where(Answer.response_id == response_id))
    comments = session.execute(select(Comment.dimension_id, Comment.text).where(Comment.response_id == response_id))
    picks = session.scalars(
        select(ImportancePick.dimension_id)
        .where(ImportancePick.response_id == response_id)
        .order_by(ImportancePick.dimension_id)
    )
    return replace(
        empty, answers=dict(answers.all()), comments=dict(comments.all()), importance=tuple(picks), step=step,
        submitted=submitted,
    )  # fmt: skip
