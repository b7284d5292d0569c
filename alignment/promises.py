"""What we promised last time: the results object's part for actions with a measurable target.

``promises_results`` is pure (no Streamlit, no store): it takes the workshop's actions, each round's
evidence (``alignment.action_progress.RoundEvidence``: that round's exports and perception gaps, read
by the store loader ``alignment.action_history.promise_evidence``), the round the results are for
and the framework, and returns one frozen ``Promises``: every action with a target agreed before
that round, checked against it (``alignment.action_progress.action_progress``), and the action
history table the workbook carries. ``alignment.results`` holds it as ``Results.promises``; the
Alignment page, presentation mode, the deck and the workbook render it and compute nothing.

Reveal: a round whose results are hidden from the viewer has its checks withheld too
(``Promises.withheld``), since a check states the round's perception gaps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Final

import pandas as pd

from alignment.action_progress import PROGRESS_COLUMNS, ActionProgress, RoundEvidence, action_progress, progress_table
from alignment.action_targets import ActionTarget
from alignment.framework import Framework

if TYPE_CHECKING:
    from alignment.store.actions import ActionInfo

HISTORY_COLUMNS: Final = ("Action", "Owner", "Due", "Status", "Dimension", "Agreed in round", "Target", "Target kind",
                          "Metric id", "Source group", "Segment", "Target value", "Target date", "Dimension id",
                          "Gap below (points)")  # fmt: skip


def _empty_history() -> pd.DataFrame:
    return pd.DataFrame(columns=list(HISTORY_COLUMNS))


@dataclass(frozen=True)
class Promises:
    """The actions checked at round ``round_no`` and the workshop's action history.

    ``checked``: one ``ActionProgress`` per action with a target agreed in an earlier round (empty in
    round 1, or while the round is hidden: ``hidden_reason`` then says why). ``history``: every action
    of every round with its target (``HISTORY_COLUMNS``) and, for those checked, the figures then and
    now and the verdict (``PROGRESS_COLUMNS``).
    """

    round_no: int = 1
    checked: tuple[ActionProgress, ...] = ()
    history: pd.DataFrame = field(default_factory=_empty_history, hash=False, compare=False)
    hidden_reason: str = ""

    def withheld(self, reason: str) -> Promises:
        """The same actions without their checks: no figure or verdict of a hidden round."""
        return replace(self, checked=(), history=self.history.loc[:, list(HISTORY_COLUMNS)], hidden_reason=reason)


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


def promises_results(
    actions: Sequence[ActionInfo],
    rounds: Mapping[int, RoundEvidence],
    round_no: int,
    framework: Framework,
    today: date,
) -> Promises:
    """Each action with a target agreed before ``round_no``, checked against that round, and the history table.

    ``rounds`` maps a round to its evidence (see ``action_progress.action_progress``); ``today`` only adds
    "the target date has passed" to a verdict that is not met.
    """
    checked = tuple(action_progress(actions, rounds, round_no, today))
    return Promises(round_no=round_no, checked=checked, history=action_history(actions, checked, framework))
