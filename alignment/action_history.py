"""The action history of a workshop: its actions with their targets, checked against the current round.

This gathers what ``alignment.action_progress`` needs from the store (each round's own exports and its
answers) and hands it over; every figure is computed there, from the dashboard's own functions.

- A round checked *against* (the current one) uses only the exports saved for that round: a round
  without its own export cannot tell, rather than comparing last round's file with itself.
- A round an action was agreed in uses the exports that round was shown: its own, else the latest
  earlier round's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from alignment.action_progress import (
    PROGRESS_COLUMNS,
    ActionProgress,
    RoundEvidence,
    action_progress,
    metric_reading,
    progress_table,
)
from alignment.action_targets import TARGET_METRICS, ActionTarget
from alignment.framework import Framework
from alignment.gaps import perception_gaps
from alignment.metrics import USED_COLUMNS, prepare_pipeline
from alignment.store import WorkshopInfo, answers_frame, current_dataset, load_dataset_frame
from alignment.store.actions import ActionInfo, list_actions
from alignment.store.datasets import DatasetInfo, round_dataset

HISTORY_COLUMNS = ("Action", "Owner", "Due", "Status", "Dimension", "Agreed in round", "Target", "Target kind",
                   "Metric id", "Source group", "Segment", "Target value", "Target date", "Dimension id",
                   "Gap below (points)")  # fmt: skip


def _frame(engine: Engine, dataset: DatasetInfo | None) -> pd.DataFrame | None:
    if dataset is None:
        return None
    return prepare_pipeline(load_dataset_frame(engine, dataset.id, columns=USED_COLUMNS))


def round_evidence(
    engine: Engine, workshop: WorkshopInfo, framework: Framework, round_no: int, *, own_exports_only: bool
) -> RoundEvidence:
    """A round's exports and perception gaps (see the module docstring for which exports)."""
    find = round_dataset if own_exports_only else current_dataset
    answers = answers_frame(engine, workshop.id, round_no)
    return RoundEvidence(
        round_no=round_no,
        deals=_frame(engine, find(engine, workshop.id, "deals", round_no)),
        leads=_frame(engine, find(engine, workshop.id, "leads", round_no)),
        gaps=perception_gaps(answers, framework, workshop.k).dimensions if len(answers) else None,
        sla_hours=float(workshop.sla_hours),
    )


def workshop_progress(
    engine: Engine,
    workshop: WorkshopInfo,
    framework: Framework,
    *,
    round_no: int | None = None,
    today: date | None = None,
    actions: Sequence[ActionInfo] | None = None,
) -> list[ActionProgress]:
    """Each action with a target agreed before ``round_no`` (default: the current round), checked against it."""
    now_round = round_no or workshop.current_round
    actions = list_actions(engine, workshop.id) if actions is None else list(actions)
    agreed = sorted({a.round_no for a in actions if a.target is not None and a.round_no < now_round})
    if not agreed:
        return []
    rounds = {r: round_evidence(engine, workshop, framework, r, own_exports_only=False) for r in agreed}
    rounds[now_round] = round_evidence(engine, workshop, framework, now_round, own_exports_only=True)
    return action_progress(actions, rounds, now_round, today or date.today())


def _target_columns(target: ActionTarget | None, names: dict[str, str]) -> list[object]:
    if target is None:
        return ["", "", "", "", "", None, None, "", None]
    return [target.describe(names), target.kind, target.metric or "", target.source_group or "", target.segment or "",
            target.value, target.by, target.dimension or "", target.below]  # fmt: skip


def action_history(
    actions: Sequence[ActionInfo], progress: Sequence[ActionProgress], framework: Framework
) -> pd.DataFrame:
    """Every action of every round with its target (in words and as the ids a workshop file restores),
    and, for those checked at this round, the figures then and now and the verdict (``PROGRESS_COLUMNS``)."""
    names = {d.id: d.name for d in framework.dimensions}
    rows = [[a.text, a.owner, a.due_date, a.status, names.get(a.dimension_id or "", a.dimension_id or ""), a.round_no,
             *_target_columns(a.target, names)] for a in actions]  # fmt: skip
    table = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
    checked = progress_table(progress, names).drop(columns=["Action", "Owner", "Agreed in round", "Target"])
    checked.insert(0, "action_id", [p.action_id for p in progress])
    table.insert(0, "action_id", [a.id for a in actions])
    merged = table.merge(checked, on="action_id", how="left").drop(columns="action_id")
    extra = [c for c in PROGRESS_COLUMNS if c in merged.columns and c not in HISTORY_COLUMNS]
    return merged.loc[:, [*HISTORY_COLUMNS, *extra]]


def computable_metrics(evidence: RoundEvidence) -> dict[str, dict[str | None, str]]:
    """Target metrics the workshop's data can compute today, each with today's value per population
    (``None`` = all sources, then marketing and sales) in words; metrics it cannot compute are left out."""
    found: dict[str, dict[str | None, str]] = {}
    for metric_id, spec in TARGET_METRICS.items():
        values: dict[str | None, str] = {}
        for group in (None, "marketing", "sales"):
            reading = metric_reading(ActionTarget("pipeline", metric=metric_id, source_group=group, value=0), evidence)
            if reading.value is not None:
                values[group] = spec.format(reading.value)
        if None in values:
            found[metric_id] = values
    return found
