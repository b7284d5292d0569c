"""Saved pipeline data: each upload is a dataset version holding its canonical rows and report.

Datasets belong to a round: an export saved for round 2 sits beside round 1's instead of replacing
it, so the next round can compare the two. Per workshop, kind and round one version is current.
The dataset a round *uses* is its own current one, else the latest earlier round's
(``current_dataset``), so starting a new round never empties the dashboard.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from alignment.canonical import conform, fields_for
from alignment.store.engine import read_session, write_session
from alignment.store.models import Dataset, DatasetRows, Workshop
from alignment.store.workshops import bump_revision
from alignment.text import one_line


@dataclass(frozen=True)
class DatasetInfo:
    id: int
    workshop_id: int
    kind: str
    round_no: int
    filename: str
    created_at: datetime
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    is_current: bool
    report: dict[str, Any]


def _info(dataset: Dataset) -> DatasetInfo:
    return DatasetInfo(
        id=dataset.id,
        workshop_id=dataset.workshop_id,
        kind=dataset.kind,
        round_no=dataset.round_no,
        filename=dataset.filename,
        created_at=dataset.created_at,
        rows_read=dataset.rows_read,
        rows_accepted=dataset.rows_accepted,
        rows_rejected=dataset.rows_rejected,
        is_current=dataset.is_current,
        report=dict(dataset.report or {}),
    )


def save_dataset(
    engine: Engine,
    workshop_id: int,
    kind: str,
    frame: pd.DataFrame,
    filename: str,
    report: dict[str, Any] | None = None,
    round_no: int | None = None,
) -> int:
    """Store ``frame`` (conformed to the canonical ``kind``) as the current dataset of that kind for
    ``round_no`` (default: the workshop's current round).

    Earlier versions of the same kind and round are kept but no longer current; other rounds' datasets
    are untouched. Returns the new dataset id.
    """
    with write_session(engine) as session:
        return add_dataset(session, workshop_id, kind, frame, filename, report, round_no)


def save_import(
    engine: Engine,
    workshop_id: int,
    kind: str,
    frame: pd.DataFrame,
    filename: str,
    report: dict[str, Any],
    settings: dict[str, Any],
) -> int:
    """Save an import in one transaction: the dataset (as :func:`save_dataset`) and the workshop settings
    it was made with (``{key: value}``, e.g. the confirmed mapping and rule overrides). Either both are
    stored or neither. Returns the new dataset id."""
    with write_session(engine) as session:
        workshop = session.get_one(Workshop, workshop_id)
        workshop.settings = {**(workshop.settings or {}), **settings}
        session.flush()
        return add_dataset(session, workshop_id, kind, frame, filename, report)


def is_canonical(frame: pd.DataFrame, kind: str) -> bool:
    """True when ``frame`` already has exactly the canonical columns and dtypes of ``kind`` (so
    :func:`conform` would change nothing and need not run again)."""
    if list(frame.columns) != list(fields_for(kind)) or not isinstance(frame.index, pd.RangeIndex):
        return False
    return conform(frame.head(0), kind).dtypes.equals(frame.dtypes)


def add_dataset(
    session: Session,
    workshop_id: int,
    kind: str,
    frame: pd.DataFrame,
    filename: str,
    report: dict[str, Any] | None = None,
    round_no: int | None = None,
) -> int:
    """:func:`save_dataset` inside the caller's write transaction."""
    report = dict(report or {})
    if round_no is None:
        round_no = session.get_one(Workshop, workshop_id).current_round
    canonical = frame if is_canonical(frame, kind) else conform(frame, kind)
    buffer = io.BytesIO()
    canonical.to_parquet(buffer, index=False, compression="zstd")
    session.execute(
        update(Dataset)
        .where(Dataset.workshop_id == workshop_id, Dataset.kind == kind, Dataset.round_no == round_no)
        .values(is_current=False)
    )
    dataset = Dataset(
        workshop_id=workshop_id,
        kind=kind,
        round_no=round_no,
        filename=one_line(filename)[:255],
        rows_read=int(report.get("rows_read", len(canonical))),
        rows_accepted=int(report.get("rows_accepted", len(canonical))),
        rows_rejected=int(report.get("rows_rejected", 0)),
        report=report,
        is_current=True,
    )
    session.add(dataset)
    session.flush()
    session.add(DatasetRows(dataset_id=dataset.id, parquet=buffer.getvalue()))
    bump_revision(session, workshop_id)
    return dataset.id


def list_datasets(engine: Engine, workshop_id: int) -> list[DatasetInfo]:
    """The workshop's datasets: latest round first, current ones first within a round, then newest first."""
    with read_session(engine) as session:
        rows = session.scalars(
            select(Dataset)
            .where(Dataset.workshop_id == workshop_id)
            .order_by(Dataset.round_no.desc(), Dataset.is_current.desc(), Dataset.created_at.desc(), Dataset.id.desc())
        )
        return [_info(d) for d in rows]


def current_dataset(engine: Engine, workshop_id: int, kind: str, round_no: int | None = None) -> DatasetInfo | None:
    """The dataset of ``kind`` that round ``round_no`` uses (default: the workshop's current round): the
    round's own current version, else the latest earlier round's; ``None`` when none was saved."""
    if round_no is None:
        with read_session(engine) as session:
            round_no = session.get_one(Workshop, workshop_id).current_round
    return next(
        (d for d in list_datasets(engine, workshop_id) if d.kind == kind and d.is_current and d.round_no <= round_no),
        None,
    )


def round_dataset(engine: Engine, workshop_id: int, kind: str, round_no: int) -> DatasetInfo | None:
    """The current dataset of ``kind`` saved for exactly round ``round_no`` (no fallback to earlier rounds)."""
    return next(
        (d for d in list_datasets(engine, workshop_id) if d.kind == kind and d.is_current and d.round_no == round_no),
        None,
    )


def load_dataset_frame(engine: Engine, dataset_id: int, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The canonical rows of a dataset: every canonical column, or only those of ``columns`` that the
    dataset's kind has (reading fewer columns of a million rows is much quicker)."""
    with read_session(engine) as session:
        dataset = session.get_one(Dataset, dataset_id)
        payload = session.get_one(DatasetRows, dataset_id).parquet
        kind = dataset.kind
    if columns is None:
        frame = pd.read_parquet(io.BytesIO(payload))
        return frame if is_canonical(frame, kind) else conform(frame, kind)
    wanted = [c for c in fields_for(kind) if c in set(columns)]
    stored = set(pq.read_schema(io.BytesIO(payload)).names)
    frame = pd.read_parquet(io.BytesIO(payload), columns=[c for c in wanted if c in stored])
    if list(frame.columns) == wanted and conform(frame.head(0), kind, columns=wanted).dtypes.equals(frame.dtypes):
        return frame
    return conform(frame, kind, columns=wanted)


def make_current(engine: Engine, dataset_id: int) -> None:
    """Use an earlier version again (in the round it was saved for)."""
    with write_session(engine) as session:
        dataset = session.get_one(Dataset, dataset_id)
        session.execute(
            update(Dataset)
            .where(
                Dataset.workshop_id == dataset.workshop_id,
                Dataset.kind == dataset.kind,
                Dataset.round_no == dataset.round_no,
            )
            .values(is_current=False)
        )
        dataset.is_current = True
        bump_revision(session, dataset.workshop_id)


def delete_dataset(engine: Engine, dataset_id: int) -> None:
    """Delete a dataset version; if it was current, the newest remaining version of its kind and round takes over."""
    with write_session(engine) as session:
        dataset = session.get(Dataset, dataset_id)
        if dataset is None:
            return
        workshop_id, kind, round_no, was_current = (
            dataset.workshop_id, dataset.kind, dataset.round_no, dataset.is_current
        )  # fmt: skip
        session.execute(delete(Dataset).where(Dataset.id == dataset_id))
        if was_current:
            newest = session.scalar(
                select(Dataset)
                .where(Dataset.workshop_id == workshop_id, Dataset.kind == kind, Dataset.round_no == round_no)
                .order_by(Dataset.created_at.desc(), Dataset.id.desc())
            )
            if newest is not None:
                newest.is_current = True
        bump_revision(session, workshop_id)
