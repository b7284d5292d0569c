"""A workshop file: one workshop, whole, to take to the next workshop on another installation.

``dump_workshop`` writes a zip holding ``workshop.json`` (the workshop's settings, rounds, anonymous
participants, their responses with answers, comments and importance picks, the actions with their
targets, and the datasets' descriptions) and one ``datasets/N.parquet`` per saved CRM export (its
canonical rows). ``restore_workshop`` reads it back into a new workshop; a round trip loses nothing
but what must not travel:

- participant tokens (the secret in each join link): restored participants get fresh ones, so an
  old link cannot open answers on the new installation;
- submission ids (a guard against double submits on one installation), so a file can be restored
  twice side by side;
- database ids and the workshop's revision counter;
- the join code, when it is already taken on the receiving installation (a fresh one is drawn).

The file holds every answer: it is for the facilitator's own keeping, like a database backup.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import Date, DateTime, Engine, select
from sqlalchemy.orm import DeclarativeBase, Session

from alignment.store.engine import read_session, write_session
from alignment.store.models import (
    Action,
    Answer,
    Comment,
    Dataset,
    DatasetRows,
    ImportancePick,
    Participant,
    Response,
    Round,
    Workshop,
)
from alignment.store.responses import new_token
from alignment.store.workshops import WorkshopInfo, get_workshop, new_join_code

FORMAT: Final = "alignment-workshop"
VERSION: Final = 1
MAX_FILE_BYTES: Final = 500_000_000


class WorkshopFileError(ValueError):
    """The file is not a workshop file this version can read; the message says why in one sentence."""


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _fields(row: DeclarativeBase, skip: set[str]) -> dict[str, Any]:
    """A row's columns as JSON-ready values, without ``skip``."""
    return {c.key: _plain(getattr(row, c.key)) for c in row.__table__.columns if c.key not in skip}


def _typed(model: type[DeclarativeBase], data: dict[str, Any]) -> dict[str, Any]:
    """JSON values back to the column types (dates and timestamps from ISO text)."""
    out = dict(data)
    for column in model.__table__.columns:
        value = out.get(column.key)
        if isinstance(value, str) and isinstance(column.type, DateTime):
            out[column.key] = datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(column.type, Date):
            out[column.key] = date.fromisoformat(value)
    return out


def _responses(session: Session, workshop_id: int, numbers: dict[int, int]) -> list[dict[str, Any]]:
    found = session.execute(
        select(Response, Round.number)
        .join(Round, Round.id == Response.round_id)
        .where(Round.workshop_id == workshop_id)
        .order_by(Round.number, Response.id)
    ).all()
    out = []
    for response, round_no in found:
        answers = session.scalars(select(Answer).where(Answer.response_id == response.id).order_by(Answer.item_id))
        comments = session.scalars(select(Comment).where(Comment.response_id == response.id).order_by(Comment.id))
        picks = session.scalars(
            select(ImportancePick.dimension_id)
            .where(ImportancePick.response_id == response.id)
            .order_by(ImportancePick.dimension_id)
        )
        out.append({
            **_fields(response, {"id", "participant_id", "round_id", "submission_id"}),
            "participant": numbers[response.participant_id], "round": round_no,
            "answers": [[a.item_id, a.value] for a in answers],
            "comments": [[c.dimension_id, c.text, c.hidden] for c in comments],
            "importance": list(picks),
        })  # fmt: skip
    return out


def dump_workshop(engine: Engine, workshop_id: int) -> bytes:
    """The workshop file (a zip) of one workshop; see the module docstring for what it holds."""
    with read_session(engine) as session:
        workshop = session.get_one(Workshop, workshop_id)
        rounds = session.scalars(select(Round).where(Round.workshop_id == workshop_id).order_by(Round.number))
        participants = list(
            session.scalars(select(Participant).where(Participant.workshop_id == workshop_id).order_by(Participant.id))
        )
        numbers = {p.id: number for number, p in enumerate(participants, start=1)}
        actions = session.scalars(
            select(Action).where(Action.workshop_id == workshop_id).order_by(Action.created_at, Action.id)
        )
        datasets = list(session.scalars(select(Dataset).where(Dataset.workshop_id == workshop_id).order_by(Dataset.id)))
        content = {
            "format": FORMAT,
            "version": VERSION,
            "workshop": _fields(workshop, {"id", "revision"}),
            "rounds": [_fields(r, {"id", "workshop_id"}) for r in rounds],
            "participants": [
                {"number": numbers[p.id], **_fields(p, {"id", "workshop_id", "token"})} for p in participants
            ],
            "responses": _responses(session, workshop_id, numbers),
            "actions": [_fields(a, {"id", "workshop_id"}) for a in actions],
            "datasets": [
                {"file": f"datasets/{n}.parquet", **_fields(d, {"id", "workshop_id"})}
                for n, d in enumerate(datasets, start=1)
            ],
        }
        payloads = [session.get_one(DatasetRows, d.id).parquet for d in datasets]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("workshop.json", json.dumps(content, ensure_ascii=False, indent=1, sort_keys=True))
        for entry, payload in zip(content["datasets"], payloads, strict=True):
            archive.writestr(entry["file"], payload)
    return buffer.getvalue()


def _read(data: bytes) -> tuple[dict[str, Any], zipfile.ZipFile]:
    if len(data) > MAX_FILE_BYTES:
        raise WorkshopFileError("The file is larger than a workshop file can be.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        content = json.loads(archive.read("workshop.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise WorkshopFileError(
            "This is not a workshop file: write one with python -m alignment export CODE --format workshop."
        ) from exc
    if content.get("format") != FORMAT or content.get("version") != VERSION:
        raise WorkshopFileError(f"This workshop file has a format this version cannot read ({content.get('version')}).")
    return content, archive


def restore_workshop(engine: Engine, data: bytes) -> WorkshopInfo:
    """A new workshop made from a workshop file; keeps the file's join code when it is free here."""
    content, archive = _read(data)
    with write_session(engine) as session:
        fields = _typed(Workshop, content["workshop"])
        if session.scalar(select(Workshop.id).where(Workshop.code == fields["code"])) is not None:
            fields["code"] = new_join_code()
        workshop = Workshop(**fields)
        session.add(workshop)
        session.flush()
        round_ids = {}
        for entry in content["rounds"]:
            row = Round(workshop_id=workshop.id, **_typed(Round, entry))
            session.add(row)
            session.flush()
            round_ids[row.number] = row.id
        participant_ids = {}
        for entry in content["participants"]:
            fields = _typed(Participant, {k: v for k, v in entry.items() if k != "number"})
            row = Participant(workshop_id=workshop.id, token=new_token(), **fields)
            session.add(row)
            session.flush()
            participant_ids[entry["number"]] = row.id
        for entry in content["responses"]:
            _restore_response(session, entry, participant_ids[entry["participant"]], round_ids[entry["round"]])
        for entry in content["actions"]:
            session.add(Action(workshop_id=workshop.id, **_typed(Action, entry)))
        for entry in content["datasets"]:
            fields = _typed(Dataset, {k: v for k, v in entry.items() if k != "file"})
            row = Dataset(workshop_id=workshop.id, **fields)
            session.add(row)
            session.flush()
            session.add(DatasetRows(dataset_id=row.id, parquet=archive.read(entry["file"])))
        code = workshop.code
    return get_workshop(engine, code)


def _restore_response(session: Session, entry: dict[str, Any], participant_id: int, round_id: int) -> None:
    fields = {k: v for k, v in entry.items() if k not in {"participant", "round", "answers", "comments", "importance"}}
    response = Response(participant_id=participant_id, round_id=round_id, **_typed(Response, fields))
    session.add(response)
    session.flush()
    session.add_all(Answer(response_id=response.id, item_id=item, value=value) for item, value in entry["answers"])
    session.add_all(Comment(response_id=response.id, dimension_id=dimension, text=text, hidden=hidden)
                    for dimension, text, hidden in entry["comments"])  # fmt: skip
    session.add_all(ImportancePick(response_id=response.id, dimension_id=d) for d in entry["importance"])
