"""SQLAlchemy 2 tables: workshops, rounds, participants, their responses, datasets and actions.

No participant name is stored anywhere: a participant is an anonymous random token that lives in
their join link. A response is one participant's questionnaire in one round; its answers,
comments and importance picks hang off it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Workshop(Base):
    """A workshop: one organisation's assessment, run in one or more rounds.

    ``status`` is ``open`` (accepting answers), ``closed`` (results only) or ``archived``.
    ``revision`` rises with every change to answers, comments or actions, so cached results can be
    keyed by it. ``settings`` holds per-workshop overrides (import rules, remembered mappings).
    """

    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    k: Mapped[int] = mapped_column(SmallInteger, default=3)
    sla_hours: Mapped[int] = mapped_column(Integer, default=24)
    teams: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["Marketing", "Sales"])
    framework_path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    current_round: Mapped[int] = mapped_column(Integer, default=1)
    results_revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    rounds: Mapped[list[Round]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", passive_deletes=True, order_by="Round.number"
    )


class Round(Base):
    """A pass of the questionnaire. A new round starts empty; earlier rounds stay for comparison."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("workshop_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100), default="")
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    workshop: Mapped[Workshop] = relationship(back_populates="rounds")


class Participant(Base):
    """An anonymous participant: a random token, a team and an optional level. No name, no email.

    ``browser_id`` is the random id of the browser that joined (kept in a cookie there), so joins
    can be throttled per browser; it says nothing about the person.
    """

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    team: Mapped[str] = mapped_column(String(60))
    level: Mapped[str | None] = mapped_column(String(30), nullable=True)
    browser_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class Response(Base):
    """One participant's questionnaire in one round: a draft until submitted.

    ``step`` is the furthest step reached, so a reload resumes there. ``submission_id`` is the
    client-chosen id of the last submit; submitting again with the same id changes nothing.
    """

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("participant_id", "round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    step: Mapped[int] = mapped_column(Integer, default=0)
    submission_id: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Answer(Base):
    """A rating of one item: 1–5, or NULL for "don't know"."""

    __tablename__ = "answers"

    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)


class Comment(Base):
    """A participant's optional comment on a dimension, shown to the facilitator; hideable."""

    __tablename__ = "comments"
    __table_args__ = (UniqueConstraint("response_id", "dimension_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    dimension_id: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)


class ImportancePick(Base):
    """A dimension the participant marked as one that matters most for hitting the number."""

    __tablename__ = "importance_picks"

    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    dimension_id: Mapped[str] = mapped_column(String(80), primary_key=True)


class Dataset(Base):
    """A saved version of imported pipeline data (``deals`` or ``leads``) with its import report.

    A dataset belongs to a round (``round_no``): round 2's export sits beside round 1's, and
    ``is_current`` marks the version in use per workshop, kind and round.
    """

    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    round_no: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    filename: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_accepted: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)


class DatasetRows(Base):
    """The canonical rows of a dataset, as one Parquet file (typed, columnar, fast to load whole).

    Kept apart from ``datasets`` so listing datasets never reads the rows.
    """

    __tablename__ = "dataset_rows"

    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True)
    parquet: Mapped[bytes] = mapped_column(LargeBinary)


class Action(Base):
    """An action agreed in the workshop: what, who, by when, linked to a dimension.

    ``target`` is an optional measurable target (see ``alignment.store.actions.ActionTarget``), kept as
    JSON: ``{"kind": "pipeline", "metric": ..., "source_group": ..., "segment": ..., "value": ...,
    "by": "YYYY-MM-DD"}`` or ``{"kind": "perception", "dimension": ..., "below": ...}``.
    """

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    round_no: Mapped[int] = mapped_column(Integer, default=1)
    dimension_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120), default="")
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    target: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AppSetting(Base):
    """Installation-wide facts, such as whether the demo workshop was ever seeded."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class LoginAttempt(Base):
    """A failed facilitator sign-in, kept briefly to rate-limit password guessing across replicas."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    client: Mapped[str] = mapped_column(String(120), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
