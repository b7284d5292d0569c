"""Disclosure control: which teams a view may show, so that nobody learns what fewer than k people answered.

This applies to everyone but the signed-in facilitator. Three rules, in plain words:

1. **Anonymity threshold.** No figure rests on fewer than ``k`` people (``alignment.scoring`` withholds
   them), and no caption gives the size of a group below ``k``: a withheld team is named, never counted.
2. **No differencing between views.** Every view a user can reach (a round, any teams, any set of levels)
   shows each team from a set of respondents. Any two sets that are shown for the same team and round
   are equal or differ by at least ``k`` people — in who answered at all, who answered each statement,
   who rated it 1–5 and who picked priorities — so subtracting one view from another never isolates
   fewer than ``k`` people. Teams are never pooled (each team is scored on its own and the overall
   figures average whole teams that each reach ``k``), so the team filter only picks whole teams.
3. **No differencing over time.** Revealing a round's results closes it to answers
   (``alignment.store.workshops``), so nothing a user sees can change after they first see it.

How rule 2 is kept (the coarser-filter method of survey platforms, e.g. Tivian's remainder rule): in each
team and round, people fall into level cells — individual contributors, managers, leaders, and people who
gave no level. The cells are merged into **level groups**, as fine as possible, such that each group
holds either no one or at least ``k`` people for every count above (counts that are below ``k`` for the
whole team are left out: their figures are withheld in every view anyway). A view shows a team only when
its chosen levels take whole groups and at least ``k`` people; otherwise the team is withheld for that
view. Two views shown for a team therefore differ by whole groups, each of which is empty or holds at
least ``k`` people. People who gave no level only appear in "all levels", which shows every team that
has at least ``k`` respondents.

Comments carry no figure but are one person's words: they are shown only for a team and round whose
all-levels view is shown (``visible_comments``), and never split by level.

The page and every download call ``released_groups`` / ``released_answers`` for the figures, and
``visible_comments`` / ``withheld_caption`` for the words around them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np
import pandas as pd

LEVEL_LABELS = {"ic": "individual contributors", "manager": "managers", "leader": "leaders"}
NO_LEVEL = "(no level)"
CELLS = (*LEVEL_LABELS, NO_LEVEL)
Groups = tuple[frozenset[str], ...]


@dataclass(frozen=True)
class AnswerFilters:
    """What an executive has chosen to look at. Empty tuples mean "all"."""

    round_no: int | None = None
    teams: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class FilterCheck:
    """Whether a filter shows every team it would show without the level cut, and if not, why — in words."""

    allowed: bool
    reason: str = ""


@dataclass(frozen=True)
class Release:
    """Which (round, team) groups a view shows and which it withholds; withheld ones carry no count.

    ``withheld`` lists the teams of the view's rounds that have answers in the round but are not shown
    for this choice — whether because too few people match it or because it would split a level group.
    The two cases are deliberately not told apart.
    """

    shown: frozenset[tuple[int, str]]
    withheld: frozenset[tuple[int, str]]

    @property
    def shown_teams(self) -> tuple[str, ...]:
        return tuple(sorted({team for _, team in self.shown}))

    @property
    def withheld_teams(self) -> tuple[str, ...]:
        return tuple(sorted({team for _, team in self.withheld} - set(self.shown_teams)))


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


def level_groups(
    answers: pd.DataFrame, k: int, importance: pd.DataFrame | None = None, dimensions: Mapping[str, str] | None = None
) -> dict[tuple[int, str], Groups]:
    """The level groups of every (round, team): a partition of the level cells present (see the module text).

    Of all partitions whose groups are each empty-or-at-least-``k`` for every count that reaches ``k``
    team-wide, the one that lets the most level filters through is chosen (then the finest, then the first
    in a fixed order), so the choice depends on the answers only, never on the filter asked for.
    A team with fewer than ``k`` respondents gets no groups: it is never shown.

    The groups depend on the answers alone, so they are remembered for the last few answer sets (keyed by
    a hash of their rows): every view of one round, whatever its levels, reuses them.
    """
    key = (
        int(pd.util.hash_pandas_object(answers, index=False).sum()),
        None if importance is None else int(pd.util.hash_pandas_object(importance, index=False).sum()),
        len(answers),
        k,
        None if dimensions is None else frozenset(dimensions.items()),
    )
    with _GROUPS_LOCK:
        found = _GROUPS_SEEN.get(key)
    if found is None:
        found = _level_groups(answers, k, importance, dimensions)
        with _GROUPS_LOCK:
            _GROUPS_SEEN[key] = found
            while len(_GROUPS_SEEN) > _GROUPS_KEPT:
                _GROUPS_SEEN.pop(next(iter(_GROUPS_SEEN)))
    return dict(found)


_GROUPS_KEPT = 32
_GROUPS_SEEN: dict[tuple[object, ...], dict[tuple[int, str], Groups]] = {}
_GROUPS_LOCK = threading.Lock()


def _level_groups(
    answers: pd.DataFrame, k: int, importance: pd.DataFrame | None, dimensions: Mapping[str, str] | None
) -> dict[tuple[int, str], Groups]:
    out: dict[tuple[int, str], Groups] = {}
    counts = _cell_counts(answers, importance, dimensions)
    for (round_no, team), block in counts.groupby(level=["round_no", "team"], sort=False):
        block = block.droplevel(["round_no", "team"])
        present = tuple(cell for cell in CELLS if cell in block.index)
        table = block.loc[list(present)].to_numpy(dtype="int64")
        if int(block["people"].sum()) < k:
            out[(int(round_no), str(team))] = ()
            continue
        out[(int(round_no), str(team))] = _best_partition(present, table[:, table.sum(axis=0) >= k], k)
    return out


def released_groups(
    answers: pd.DataFrame,
    filters: AnswerFilters,
    k: int,
    importance: pd.DataFrame | None = None,
    dimensions: Mapping[str, str] | None = None,
) -> Release:
    """Which (round, team) the view ``filters`` may show; the rest of its teams with answers are withheld.

    A team is shown when the chosen levels take whole level groups and at least ``k`` people (all levels:
    the whole team, at least ``k`` people). ``answers`` holds every submitted answer (all teams and
    levels); ``importance`` the priority picks, whose respondents count as well; ``dimensions`` maps item
    ids to dimension ids, so that who rated anything in a dimension counts too.
    """
    scope = apply_filters(answers, AnswerFilters(round_no=filters.round_no, teams=filters.teams))
    groups = level_groups(
        scope,
        k,
        None
        if importance is None
        else apply_filters(importance, AnswerFilters(round_no=filters.round_no, teams=filters.teams)),
        dimensions,
    )
    shown = {key for key, found in groups.items() if _takes_whole_groups(found, filters.levels)}
    return Release(shown=frozenset(shown), withheld=frozenset(set(groups) - shown))


def released_answers(frame: pd.DataFrame, filters: AnswerFilters, release: Release) -> pd.DataFrame:
    """The rows of an answers or importance frame that a view may use: its filters, shown groups only."""
    chosen = apply_filters(frame, filters)
    keys = pd.Series(
        list(zip(chosen["round_no"].astype("int64"), chosen["team"].astype(str), strict=True)),
        index=chosen.index,
        dtype=object,
    )
    return chosen[keys.isin(release.shown).to_numpy(dtype=bool)]


def offered_level_filters(
    answers: pd.DataFrame,
    round_no: int,
    k: int,
    importance: pd.DataFrame | None = None,
    dimensions: Mapping[str, str] | None = None,
) -> list[tuple[str, ...]]:
    """The level choices of a round that show at least one team (all levels, ``()``, first)."""
    options = [()] + [tuple(c) for size in (1, 2, 3) for c in combinations(LEVEL_LABELS, size)]
    return [
        levels
        for levels in options
        if released_groups(answers, AnswerFilters(round_no=round_no, levels=levels), k, importance, dimensions).shown
    ]


def check_filter(
    answers: pd.DataFrame,
    filters: AnswerFilters,
    k: int,
    importance: pd.DataFrame | None = None,
    dimensions: Mapping[str, str] | None = None,
    team_names: Mapping[str, str] | None = None,
) -> FilterCheck:
    """Whether the level cut shows every team that all levels would show; if not, which ones it withholds.

    The withheld teams are named (by ``team_names``, team id → the name the workshop gave it), never
    counted. ``released_groups`` says what may be shown either way.
    """
    if not filters.levels:
        return FilterCheck(True)
    everyone = released_groups(
        answers, AnswerFilters(round_no=filters.round_no, teams=filters.teams), k, importance, dimensions
    )
    chosen = released_groups(answers, filters, k, importance, dimensions)
    lost = sorted({team for _, team in everyone.shown - chosen.shown})
    if not lost:
        return FilterCheck(True)
    what = " and ".join(LEVEL_LABELS.get(level, level) for level in filters.levels)
    teams = ", ".join((team_names or {}).get(team, team.replace("_", " ")) for team in lost)
    return FilterCheck(
        False,
        f"Showing only {what} would let someone work out the answers of fewer than {k} "
        f"people, so {teams} {'is' if len(lost) == 1 else 'are'} not shown for this "
        "choice. Choose all levels, or a wider set of levels, to see every team.",
    )


def visible_comments(comments: pd.DataFrame, release: Release) -> pd.DataFrame:
    """Comments a non-facilitator may read: not hidden, from a (round, team) shown by ``release``.

    Pass the release of the all-levels view: a comment is never tied to a level.
    """
    if comments.empty:
        return comments
    keys = zip(comments["round_no"].astype("int64"), comments["team"].astype(str), strict=True)
    keep = [key in release.shown for key in keys]
    if "hidden" in comments.columns:
        keep = [k and not bool(h) for k, h in zip(keep, comments["hidden"], strict=True)]
    return comments[keep]


def withheld_caption(release: Release, k: int, team_name: Callable[[str], str] = str) -> str:
    """One sentence naming the withheld teams, without their counts ("" when none is withheld)."""
    names = [team_name(team) for team in release.withheld_teams]
    if not names:
        return ""
    listed = ", ".join(names)
    return (
        f"Not shown: {listed} — fewer than {k} people for this choice, or a choice that would let someone "
        "work out a few people's answers."
    )


def _cell_counts(
    answers: pd.DataFrame, importance: pd.DataFrame | None, dimensions: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Per (round, team, level cell), one column per count: ``people`` (who answered at all), who answered
    and who rated each item, who rated anything in each dimension (when ``dimensions`` maps items to them)
    and who picked priorities. Everyone is counted once per round in each count."""
    keys = ["round_no", "team", "cell"]
    base = pd.DataFrame({
        "round_no": answers["round_no"].astype("int64").to_numpy(),
        "team": answers["team"].astype(str).to_numpy(dtype=object),
        "cell": _cells(answers["level"]).to_numpy(dtype=object),
        "participant_id": answers["participant_id"].to_numpy(),
    })  # fmt: skip
    items = answers["item_id"].astype(str).to_numpy(dtype=object)
    rated = answers["value"].notna().to_numpy(dtype=bool)
    parts = [base.assign(measure="people"), base.assign(measure="answered:" + items),
             base[rated].assign(measure="rated:" + items[rated])]  # fmt: skip
    if dimensions:
        named = pd.Series(items[rated]).map(dict(dimensions))
        known = named.notna().to_numpy(dtype=bool)
        parts.append(base[rated][known].assign(measure="rated in dimension:" + named[known].to_numpy(dtype=object)))
    if importance is not None and len(importance):
        parts.append(pd.DataFrame({
            "round_no": importance["round_no"].astype("int64").to_numpy(),
            "team": importance["team"].astype(str).to_numpy(dtype=object),
            "cell": _cells(importance["level"]).to_numpy(dtype=object),
            "participant_id": importance["participant_id"].to_numpy(),
            "measure": "picked",
        }))  # fmt: skip
    long = pd.concat(parts, ignore_index=True).drop_duplicates([*keys, "measure", "participant_id"])
    table = long.groupby([*keys, "measure"], sort=False).size().unstack("measure", fill_value=0)
    return table.loc[table.get("people", pd.Series(0, index=table.index)) > 0]


def _cells(levels: pd.Series) -> pd.Series:
    return levels.astype(object).where(levels.notna(), NO_LEVEL)


def _safe(cells: tuple[str, ...], counts: np.ndarray, group: frozenset[str], k: int) -> bool:
    """Every relevant count of the group (rows of ``counts`` are ``cells``) is 0 or at least ``k``."""
    total = counts[[position for position, cell in enumerate(cells) if cell in group]].sum(axis=0)
    return bool(((total == 0) | (total >= k)).all())


def _best_partition(cells: tuple[str, ...], counts: np.ndarray, k: int) -> Groups:
    """The partition of ``cells`` (rows of ``counts``, the relevant counts) that lets most level choices through."""
    best: Groups = ()
    best_key: tuple[int, int] = (-1, -1)
    for partition in _partitions(cells):
        if not all(_safe(cells, counts, group, k) for group in partition):
            continue
        key = (_offered(partition), len(partition))
        if key > best_key:
            best, best_key = partition, key
    return best


def _offered(partition: Groups) -> int:
    """How many non-empty level choices take whole groups of this partition."""
    levels = list(LEVEL_LABELS)
    present = set().union(*partition) if partition else set()
    return sum(
        1
        for size in (1, 2, 3)
        for choice in combinations(levels, size)
        if set(choice) & present and _takes_whole_groups(partition, choice)
    )


def _takes_whole_groups(groups: Groups, levels: Iterable[str]) -> bool:
    """Whether the level choice (empty: all levels) takes every group wholly or not at all, and any at all."""
    if not groups:
        return False
    chosen = set(levels) or set(CELLS)
    taken = [group for group in groups if group & chosen]
    return bool(taken) and all(group <= chosen for group in taken)


@lru_cache(maxsize=32)
def _partitions(cells: tuple[str, ...]) -> tuple[Groups, ...]:
    """Every set partition of ``cells`` (at most 4 cells: 15 partitions), in a fixed order."""
    if not cells:
        return ((),)
    first, rest = cells[0], cells[1:]
    out: list[Groups] = []
    for partition in _partitions(rest):
        out.append((frozenset({first}), *partition))
        for position, group in enumerate(partition):
            out.append((*partition[:position], group | {first}, *partition[position + 1 :]))
    return tuple(out)
