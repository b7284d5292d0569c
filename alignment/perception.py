"""The perception half of the results: scores, gaps, agreement, index, priorities, comments of one round.

Part of the one results model (``alignment.results``), pure like it. ``perception_results`` applies
every anonymity rule of the perception half: the filter is screened by
``alignment.suppression.check_filter`` (a refused level cut is dropped with its reason); the current
round stays empty until it is revealed (the facilitator always sees it); figures from fewer than
``k`` people are withheld where ``alignment.scoring`` computes them; comments are listed only from
teams with at least ``k`` respondents in the view; participation gives no count below ``k``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from alignment import scoring
from alignment.answer_matrix import AnswerMatrix
from alignment.framework import Framework
from alignment.gaps import PerceptionGaps, perception_gaps
from alignment.scoring import MARKETING, SALES, AlignmentIndex
from alignment.store.workshops import WorkshopInfo
from alignment.suppression import (
    AnswerFilters,
    Release,
    apply_filters,
    check_filter,
    released_answers,
    released_groups,
)
from alignment.suppression import visible_comments as readable_comments


@dataclass(frozen=True)
class Perception:
    """The perception half of the results for one round and one set of answer filters."""

    round_no: int
    filters: AnswerFilters
    filter_note: str
    visible: bool
    hidden_reason: str
    has_answers: bool
    participation: pd.DataFrame
    respondents: pd.DataFrame
    dimensions: pd.DataFrame
    items: pd.DataFrame
    gaps: PerceptionGaps
    self_other: pd.DataFrame
    agreement: pd.DataFrame
    dont_know: pd.DataFrame
    dont_know_by_team: pd.DataFrame
    importance: pd.DataFrame
    priorities: pd.DataFrame
    index: AlignmentIndex
    previous_index: AlignmentIndex | None
    rounds: pd.DataFrame
    round_items: pd.DataFrame
    distributions: dict[str, pd.DataFrame]
    comments: pd.DataFrame


def participation_table(answers: pd.DataFrame, workshop: WorkshopInfo, k: int,
                        teams: tuple[str, ...] = (), withheld: frozenset[str] = frozenset()) -> pd.DataFrame:
    """People who submitted per team (every team of the workshop, or the chosen ``teams``):
    ``team, team_name, respondents, enough, answered``; ``respondents`` is NA for teams with 1 to
    k − 1 people and for teams the view withholds (``answered`` True, ``enough`` False), 0 for teams
    with nobody yet."""
    counts = answers.groupby("team", observed=True)["participant_id"].nunique() if len(answers) else pd.Series()
    every = list(dict.fromkeys([*workshop.team_ids, *[str(t) for t in counts.index]]))
    chosen = [t for t in every if not teams or t in teams]
    people = np.array([int(counts.get(t, 0)) for t in chosen], dtype="int64")
    enough = (people >= k) & np.array([t not in withheld for t in chosen], dtype=bool)
    table = pd.DataFrame({"team": chosen, "team_name": [workshop.team_name(t) for t in chosen],
                          "respondents": pd.array(people, dtype="Int64"), "enough": enough,
                          "answered": people > 0})
    table["respondents"] = table["respondents"].mask(table["answered"] & ~table["enough"])
    return table


def visible_comments(comments: pd.DataFrame, answers: pd.DataFrame, k: int,
                     importance: pd.DataFrame | None = None) -> pd.DataFrame:
    """Comments anyone may read: not hidden by the facilitator, and only from a (round, team) whose
    all-levels view is shown (``alignment.suppression.visible_comments``): ``round_no, team, dimension_id, text``."""
    columns = ["round_no", "team", "dimension_id", "text"]
    if comments.empty or answers.empty:
        return pd.DataFrame(columns=columns)
    shown: set[tuple[int, str]] = set()
    for round_no in sorted({int(r) for r in comments["round_no"]}):
        shown |= released_groups(answers, AnswerFilters(round_no=round_no), k, importance).shown
    kept = readable_comments(comments[~comments["hidden"].astype(bool)], Release(frozenset(shown), frozenset()))
    return kept[columns].reset_index(drop=True)


def released(answers: pd.DataFrame, importance: pd.DataFrame, filters: AnswerFilters, k: int,
             dimensions: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame, Release]:
    """The answers and picks a view may use: its filters, and only the (round, team) groups that
    ``alignment.suppression.released_groups`` shows for it, so no two views differ by fewer than k people."""
    release = released_groups(answers, filters, k, importance, dimensions)
    return released_answers(answers, filters, release), released_answers(importance, filters, release), release


def _per_round(answers: pd.DataFrame, framework: Framework, k: int) -> pd.DataFrame:
    frames = [scoring.item_scores(answers[answers["round_no"] == r], framework, k).assign(round_no=int(r))
              for r in sorted(answers["round_no"].dropna().unique())]
    return (pd.concat(frames, ignore_index=True) if frames
            else scoring.item_scores(answers, framework, k).assign(round_no=0))


def _previous_index(answers: pd.DataFrame, importance: pd.DataFrame, framework: Framework, k: int,
                    filters: AnswerFilters) -> AlignmentIndex | None:
    """The alignment index of the round before, for the same levels, from the groups that view may show."""
    if filters.round_no is None or filters.round_no < 2:
        return None
    before = released(answers, importance, replace(filters, round_no=filters.round_no - 1), k,
                      framework.item_dimensions())[0]
    if before.empty:
        return None
    gaps = perception_gaps(before, framework, k, resamples=1).dimensions  # only the point gaps are used
    return scoring.alignment_index(pd.DataFrame(), gaps)


def _only_chosen_gaps(gaps: PerceptionGaps, teams: tuple[str, ...]) -> PerceptionGaps:
    """Without marketing or sales among the chosen teams there is no gap, and the reason says so."""
    if not teams or (MARKETING in teams and SALES in teams):
        return gaps

    def without(table: pd.DataFrame) -> pd.DataFrame:
        out = table.copy()
        out["gap"], out["low"], out["high"], out["suppressed"] = np.nan, np.nan, np.nan, True
        out["reason"] = "choose both marketing and sales to see the gap"
        return out

    return PerceptionGaps(without(gaps.dimensions), without(gaps.items))


def team_names(workshop: WorkshopInfo) -> dict[str, str]:
    """Team id → the name the workshop gave the team (``customer_success`` → ``Customer Success``)."""
    return dict(zip(workshop.team_ids, workshop.teams, strict=True))


def screened(answers: pd.DataFrame, importance: pd.DataFrame, filters: AnswerFilters, k: int,
             dimensions: dict[str, str] | None = None,
             team_names: dict[str, str] | None = None) -> tuple[AnswerFilters, str]:
    """The filters as chosen and, when the level cut withholds teams that all levels would show, the
    sentence that names them (by ``team_names``, never with their counts); ``released`` decides what the
    view may use."""
    check = check_filter(answers, filters, k, importance, dimensions, team_names)
    return filters, ("" if check.allowed else check.reason)


def all_teams_results(
    workshop: WorkshopInfo,
    framework: Framework,
    answers: pd.DataFrame,
    importance: pd.DataFrame,
    comments: pd.DataFrame,
    filters: AnswerFilters,
    note: str = "",
    *,
    for_facilitator: bool = False,
) -> Perception:
    """The perception half for every team, for a round and levels that ``screened`` allowed.

    Teams are never pooled (each is scored on its own, the overall view averages team scores), so the
    team filter only picks rows afterwards (``restrict_to_teams``) and changing it recomputes nothing.
    """
    k = max(3, int(workshop.k))
    round_no = filters.round_no or workshop.current_round
    filters = AnswerFilters(round_no=round_no, levels=filters.levels)
    visible = for_facilitator or round_no != workshop.current_round or workshop.results_revealed
    hidden_reason = "" if visible else (
        f"Round {round_no} results stay hidden until the facilitator reveals them, so that nobody is anchored "
        "before the discussion.")
    dimensions_of = framework.item_dimensions()
    chosen, picks, release = released(answers, importance, filters, k, dimensions_of)
    history = released(answers, importance, replace(filters, round_no=None), k, dimensions_of)[0]
    if not visible:
        chosen, picks, history = answers.iloc[0:0], importance.iloc[0:0], answers.iloc[0:0]
    history = history[history["round_no"] <= round_no]
    matrix = AnswerMatrix.build(chosen, framework)
    dimensions = scoring.dimension_scores(matrix, framework, k)
    gaps = perception_gaps(matrix, framework, k)
    shares = scoring.importance_share(picks, framework, k)
    withheld = frozenset(team for _, team in release.withheld)
    participation = participation_table(apply_filters(answers, filters), workshop, k, withheld=withheld)
    return Perception(
        round_no=round_no, filters=filters, filter_note=note, visible=visible, hidden_reason=hidden_reason,
        has_answers=bool(len(apply_filters(answers, filters))),
        participation=participation if visible else participation.iloc[0:0],
        respondents=scoring.respondents_by_team(matrix, k),
        dimensions=dimensions,
        items=scoring.item_scores(matrix, framework, k),
        gaps=gaps,
        self_other=scoring.self_other(dimensions),
        agreement=scoring.agreement(matrix, framework, k),
        dont_know=scoring.dont_know_share(matrix, framework, k),
        dont_know_by_team=scoring.dont_know_share(matrix, framework, k, by_dimension=False),
        importance=shares,
        priorities=scoring.priorities(dimensions, shares),
        index=scoring.alignment_index(dimensions, gaps.dimensions),
        previous_index=_previous_index(answers, importance, framework, k, filters) if visible else None,
        rounds=scoring.round_change(history, framework, k),
        round_items=_per_round(history, framework, k),
        distributions=scoring.answer_distributions(matrix, framework, k),
        comments=visible_comments(comments[comments["round_no"] == round_no], answers, k, importance) if visible
        else visible_comments(comments.iloc[0:0], answers, k),
    )


def restrict_to_teams(perception: Perception, teams: tuple[str, ...]) -> Perception:
    """The perception half for the chosen teams only (all teams when ``teams`` is empty): per-team
    tables keep the chosen teams' rows; the gap and the index need both marketing and sales among them."""
    if not teams:
        return perception
    chosen = list(teams)

    def rows(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["team"].isin(chosen)].reset_index(drop=True)

    both = MARKETING in chosen and SALES in chosen
    gaps = _only_chosen_gaps(perception.gaps, teams)
    dimensions = rows(perception.dimensions)
    return replace(
        perception, filters=replace(perception.filters, teams=tuple(teams)),
        participation=rows(perception.participation), respondents=rows(perception.respondents),
        dimensions=dimensions, items=rows(perception.items), gaps=gaps, self_other=scoring.self_other(dimensions),
        agreement=rows(perception.agreement), dont_know=rows(perception.dont_know),
        dont_know_by_team=rows(perception.dont_know_by_team), importance=rows(perception.importance),
        priorities=rows(perception.priorities), index=scoring.alignment_index(dimensions, gaps.dimensions),
        previous_index=perception.previous_index if both else None, rounds=rows(perception.rounds),
        round_items=rows(perception.round_items),
        distributions={d: rows(table) for d, table in perception.distributions.items()},
        comments=rows(perception.comments),
    )


def perception_results(
    workshop: WorkshopInfo,
    framework: Framework,
    answers: pd.DataFrame,
    importance: pd.DataFrame,
    comments: pd.DataFrame,
    filters: AnswerFilters,
    *,
    for_facilitator: bool = False,
) -> Perception:
    """The perception half for ``filters`` (round, teams, levels), every anonymity rule applied.

    ``answers``, ``importance`` and ``comments`` hold every round (as ``alignment.store`` reads
    them). A level filter that ``check_filter`` refuses is dropped and ``filter_note`` says why.
    """
    k = max(3, int(workshop.k))
    filters = replace(filters, round_no=filters.round_no or workshop.current_round)
    allowed, note = screened(answers, importance, filters, k, framework.item_dimensions(), team_names(workshop))
    every_team = all_teams_results(workshop, framework, answers, importance, comments, allowed, note,
                                   for_facilitator=for_facilitator)
    return restrict_to_teams(every_team, filters.teams)
