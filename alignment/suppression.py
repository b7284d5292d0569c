"""Answer filters and the differencing guard that keeps small groups anonymous.

Every figure from fewer than ``k`` people is withheld where it is computed (``alignment.scoring``).
That alone is not enough: if a team of 6 is shown, and then "individual contributors only" shows 5
of them, the difference between the two views reveals the sixth person's answers. The guard
therefore blocks any filter that leaves out between 1 and ``k − 1`` people (or answers to an item)
from a group whose filtered figure would still be shown.

Teams are never pooled in any figure — each team is scored on its own and the overall view
averages team scores that each pass ``k`` — so choosing which teams to show cannot isolate anyone;
the cut that can is a filter inside a team (level).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

LEVEL_LABELS = {"ic": "individual contributors", "manager": "managers", "leader": "leaders"}


@dataclass(frozen=True)
class AnswerFilters:
    """What an executive has chosen to look at. Empty tuples mean "all"."""

    round_no: int | None = None
    teams: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class FilterCheck:
    """Whether a filter may be applied, and if not, why — in words for the page."""

    allowed: bool
    reason: str = ""


def apply_filters(frame: pd.DataFrame, filters: AnswerFilters) -> pd.DataFrame:
    """Rows of an answers or importance frame that match the filters (the input is not changed)."""
    mask = pd.Series(True, index=frame.index)
    if filters.round_no is not None:
        mask &= frame["round_no"] == filters.round_no
    if filters.teams:
        mask &= frame["team"].isin(list(filters.teams))
    if filters.levels:
        mask &= frame["level"].isin(list(filters.levels)).fillna(False).astype(bool)
    return frame[mask]


def check_filter(
    answers: pd.DataFrame, filters: AnswerFilters, k: int, importance: pd.DataFrame | None = None
) -> FilterCheck:
    """Block a level filter that would let someone subtract a group of fewer than ``k`` people.

    For each team, and for each item within the team, compare who is counted with and without the
    level filter. If the filtered figure would be shown (at least ``k`` people) while the people it
    leaves out number 1 to ``k − 1``, comparing it with the unfiltered figure would reveal their
    answers, so the filter is refused with an explanation.
    """
    if not filters.levels:
        return FilterCheck(True)
    base = apply_filters(answers, AnswerFilters(round_no=filters.round_no, teams=filters.teams))
    kept = apply_filters(base, filters)
    what = " and ".join(LEVEL_LABELS.get(level, level) for level in filters.levels)
    team = _small_remainder(base, kept, ["team"], "participant_id", k)
    if team is not None:
        return FilterCheck(False, _blocked(what, team, k))
    rated_base = base[base["value"].notna()]
    rated_kept = kept[kept["value"].notna()]
    for frame_base, frame_kept in ((base, kept), (rated_base, rated_kept)):
        team = _small_remainder(frame_base, frame_kept, ["team", "item_id"], "participant_id", k)
        if team is not None:
            return FilterCheck(False, _blocked(what, team, k))
    if importance is not None and len(importance):
        imp_base = apply_filters(importance, AnswerFilters(round_no=filters.round_no, teams=filters.teams))
        team = _small_remainder(imp_base, apply_filters(imp_base, filters), ["team"], "participant_id", k)
        if team is not None:
            return FilterCheck(False, _blocked(what, team, k))
    return FilterCheck(True)


def _small_remainder(base: pd.DataFrame, kept: pd.DataFrame, keys: list[str], who: str, k: int) -> str | None:
    """The first team where the filter keeps ≥ k people but leaves out 1 to k − 1, else None."""
    before = base.groupby(keys, observed=True)[who].nunique()
    after = kept.groupby(keys, observed=True)[who].nunique().reindex(before.index, fill_value=0)
    left_out = before - after
    risky = (after >= k) & (left_out > 0) & (left_out < k)
    if not risky.any():
        return None
    first = risky[risky].index[0]
    return str(first[0] if isinstance(first, tuple) else first)


def _blocked(what: str, team: str, k: int) -> str:
    return (
        f"Showing only {what} would leave out fewer than {k} people in {team.replace('_', ' ')}; comparing the "
        f"two views would reveal their answers. Choose all levels, or a wider set of levels."
    )
