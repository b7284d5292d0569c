"""The store loader of ``Results.promises``: what checking the actions needs, read from the store.

This reads each round's own exports and answers into ``alignment.action_progress.RoundEvidence`` and
hands them to the pure ``alignment.promises.promises_results``; every figure is computed there, from
the dashboard's own functions.

- A round checked *against* (the one the results are for) uses only the exports saved for that
  round: a round without its own export cannot tell, rather than comparing last round's file with itself.
- A round an action was agreed in uses the exports that round was shown: its own, else the latest
  earlier round's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from alignment.action_progress import RoundEvidence, metric_reading
from alignment.action_targets import TARGET_METRICS, ActionTarget
from alignment.framework import Framework
from alignment.gaps import perception_gaps
from alignment.metrics import USED_COLUMNS, prepare_pipeline
from alignment.promises import Promises, promises_results
from alignment.store import WorkshopInfo, answers_frame, current_dataset, load_dataset_frame
from alignment.store.actions import ActionInfo, list_actions
from alignment.store.datasets import DatasetInfo, round_dataset


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
        gaps=perception_gaps(answers, framework, max(3, int(workshop.k))).dimensions if len(answers) else None,
        sla_hours=float(workshop.sla_hours),
    )


def promise_evidence(
    engine: Engine, workshop: WorkshopInfo, framework: Framework, round_no: int, actions: Sequence[ActionInfo]
) -> dict[int, RoundEvidence]:
    """The evidence of round ``round_no`` and of every earlier round an action with a target was agreed in
    (none when no such action exists: there is nothing to check)."""
    agreed = sorted({a.round_no for a in actions if a.target is not None and a.round_no < round_no})
    if not agreed:
        return {}
    rounds = {r: round_evidence(engine, workshop, framework, r, own_exports_only=False) for r in agreed}
    rounds[round_no] = round_evidence(engine, workshop, framework, round_no, own_exports_only=True)
    return rounds


def load_promises(
    engine: Engine,
    workshop: WorkshopInfo,
    framework: Framework,
    *,
    round_no: int | None = None,
    today: date | None = None,
    actions: Sequence[ActionInfo] | None = None,
) -> Promises:
    """``promises_results`` for ``round_no`` (default: the current round) over what the store holds."""
    now_round = round_no or workshop.current_round
    actions = list_actions(engine, workshop.id) if actions is None else list(actions)
    rounds = promise_evidence(engine, workshop, framework, now_round, actions)
    return promises_results(actions, rounds, now_round, framework, today or date.today())


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
