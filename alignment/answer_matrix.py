"""One round's answers as a respondents × items matrix, the fast form every score is computed from.

``values[p, i]`` is respondent p's 1–5 answer to item i, NaN for "don't know" or no answer;
``answered[p, i]`` is True when p gave any answer (including "don't know"). Teams, items and
dimensions become integer codes, so per-team and per-dimension figures are numpy reductions rather
than pandas group-bys. Build it once per round and filter (``AnswerMatrix.build``) and pass it to the
functions in ``alignment.scoring`` and ``alignment.gaps`` in place of the answers frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from alignment.framework import Framework


def framework_items(framework: Framework) -> pd.DataFrame:
    """One row per item in framework order: item, its dimension, group and whose practice it is."""
    rows = [
        {
            "item_id": item.id,
            "item_text": item.text,
            "dimension_id": dim.id,
            "dimension_name": dim.name,
            "group_id": dim.group,
            "group_name": framework.group(dim.group).name,
            "practice_of": framework.practice_of(dim.id),
        }
        for dim in framework.dimensions
        for item in dim.items
    ]
    return pd.DataFrame(rows)


@dataclass(frozen=True, eq=False)
class AnswerMatrix:
    """Answers of one round as matrices (see the module docstring)."""

    framework: Framework
    items: pd.DataFrame
    participants: np.ndarray
    teams: np.ndarray
    values: np.ndarray
    answered: np.ndarray

    @classmethod
    def build(cls, answers: pd.DataFrame, framework: Framework) -> AnswerMatrix:
        """From an answers frame (``participant_id, team, item_id, value``); unknown items are ignored."""
        items = framework_items(framework)
        position = pd.Series(np.arange(len(items)), index=items["item_id"].to_numpy())
        item_pos = position.reindex(answers["item_id"].astype(str).to_numpy()).to_numpy()
        known = ~np.isnan(item_pos)
        rows = answers[known]
        people, person = np.unique(rows["participant_id"].to_numpy(), return_inverse=True)
        teams = np.empty(len(people), dtype=object)
        teams[person] = rows["team"].astype(str).to_numpy()
        values = np.full((len(people), len(items)), np.nan)
        answered = np.zeros((len(people), len(items)), dtype=bool)
        columns = item_pos[known].astype(np.int64)
        values[person, columns] = pd.to_numeric(rows["value"], errors="coerce").to_numpy(dtype="float64",
                                                                                       na_value=np.nan)
        answered[person, columns] = True
        return cls(framework, items, people, teams, values, answered)

    @cached_property
    def team_names(self) -> list[str]:
        """Teams present, in alphabetical order (the row order of every per-team table)."""
        return sorted(set(self.teams.tolist()))

    @cached_property
    def dimension_ids(self) -> list[str]:
        return list(dict.fromkeys(self.items["dimension_id"]))

    @cached_property
    def item_dimension(self) -> np.ndarray:
        """The dimension code of each item column."""
        codes = {d: i for i, d in enumerate(self.dimension_ids)}
        return self.items["dimension_id"].map(codes).to_numpy()

    @cached_property
    def membership(self) -> np.ndarray:
        """Items × dimensions 0/1 matrix: which item belongs to which dimension."""
        out = np.zeros((len(self.items), len(self.dimension_ids)))
        out[np.arange(len(self.items)), self.item_dimension] = 1.0
        return out

    @property
    def rated(self) -> np.ndarray:
        return ~np.isnan(self.values)

    def rows_of(self, team: str) -> np.ndarray:
        return self.teams == team


def as_matrix(answers: pd.DataFrame | AnswerMatrix, framework: Framework) -> AnswerMatrix:
    """``answers`` as an ``AnswerMatrix`` (built when given a frame)."""
    return answers if isinstance(answers, AnswerMatrix) else AnswerMatrix.build(answers, framework)
