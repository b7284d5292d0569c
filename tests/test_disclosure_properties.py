"""Property: no two views a non-facilitator can reach tell apart fewer than k people.

Random workshops (teams, levels, "don't know" answers, priority picks, some groups below k) are built
as answer frames; every view is every round × every set of teams × every set of levels, computed with
``released_groups`` / ``released_answers`` — the functions the Alignment page uses for its figures.
For each (round, team) shown in two views, the respondent sets behind every count (who answered at
all, who answered and who rated each statement, who rated anything in a dimension, who picked
priorities) must be equal or differ, each way, by at least k people. Reveal closes a round, so "one
more submission" after a view was seen is impossible; ``tests/test_reveal_closes_round.py`` checks
that on the store.
"""

from __future__ import annotations

from itertools import combinations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alignment.suppression import LEVEL_LABELS, AnswerFilters, released_answers, released_groups

ITEMS = ("a.1", "a.2", "b.1")
DIMENSIONS = {"a.1": "a", "a.2": "a", "b.1": "b"}
TEAMS = ("marketing", "sales", "leadership")
LEVEL_CHOICES = [()] + [tuple(c) for size in (1, 2, 3) for c in combinations(LEVEL_LABELS, size)]

person = st.fixed_dictionaries(
    {
        "team": st.sampled_from(TEAMS),
        "level": st.sampled_from([*LEVEL_LABELS, None]),
        "values": st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=len(ITEMS), max_size=len(ITEMS)),
        "picks": st.booleans(),
        "round_no": st.sampled_from([1, 1, 2]),
    }
)


def frames(people: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    answers, importance = [], []
    for pid, who in enumerate(people, start=1):
        common = {"participant_id": pid, "team": who["team"], "level": who["level"], "round_no": who["round_no"]}
        answers += [
            {**common, "item_id": item, "value": value} for item, value in zip(ITEMS, who["values"], strict=True)
        ]
        if who["picks"]:
            importance.append({**common, "dimension_id": "a"})
    answer_frame = pd.DataFrame(answers, columns=["participant_id", "team", "level", "round_no", "item_id", "value"])
    pick_frame = pd.DataFrame(importance, columns=["participant_id", "team", "level", "round_no", "dimension_id"])
    for frame in (answer_frame, pick_frame):
        frame["level"] = frame["level"].astype("string")
    answer_frame["value"] = answer_frame["value"].astype("Float64")
    return answer_frame, pick_frame


def every_view(answers: pd.DataFrame) -> list[AnswerFilters]:
    rounds = sorted(answers["round_no"].unique())
    team_choices = [()] + [tuple(c) for size in (1, 2, 3) for c in combinations(TEAMS, size)]
    return [
        AnswerFilters(round_no=int(r), teams=t, levels=lv) for r in rounds for t in team_choices for lv in LEVEL_CHOICES
    ]


def bases(answers: pd.DataFrame, importance: pd.DataFrame, filters: AnswerFilters, k: int) -> dict:
    """Per shown (round, team): the respondent set behind each count the view's figures rest on."""
    release = released_groups(answers, filters, k, importance, DIMENSIONS)
    used = released_answers(answers, filters, release)
    picks = released_answers(importance, filters, release)
    out = {}
    for key in release.shown:
        rows = used[(used["round_no"] == key[0]) & (used["team"] == key[1])]
        sets = {"people": frozenset(rows["participant_id"])}
        for item in ITEMS:
            mine = rows[rows["item_id"] == item]
            sets[f"answered {item}"] = frozenset(mine["participant_id"])
            sets[f"rated {item}"] = frozenset(mine.loc[mine["value"].notna(), "participant_id"])
        for dimension in set(DIMENSIONS.values()):
            mine = rows[rows["item_id"].map(DIMENSIONS) == dimension]
            sets[f"rated in {dimension}"] = frozenset(mine.loc[mine["value"].notna(), "participant_id"])
        chosen = picks[(picks["round_no"] == key[0]) & (picks["team"] == key[1])]
        sets["picked"] = frozenset(chosen["participant_id"])
        out[key] = sets
    return out


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(person, min_size=0, max_size=28), k=st.sampled_from([3, 4]))
def test_any_two_views_differ_by_zero_or_at_least_k_people(people: list[dict], k: int) -> None:
    answers, importance = frames(people)
    seen: dict[tuple[int, str], list[tuple[AnswerFilters, dict]]] = {}
    for filters in every_view(answers):
        for key, sets in bases(answers, importance, filters, k).items():
            assert len(sets["people"]) >= k, (filters, key)  # anonymity criterion: a shown team has ≥ k people
            seen.setdefault(key, []).append((filters, sets))
    for key, views in seen.items():
        for (first, one), (second, other) in combinations(views, 2):
            for basis in one:
                for left_out in (one[basis] - other[basis], other[basis] - one[basis]):
                    assert len(left_out) == 0 or len(left_out) >= k, (key, basis, first, second, sorted(left_out))


@settings(max_examples=40, deadline=None)
@given(people=st.lists(person, min_size=0, max_size=20), k=st.sampled_from([3, 4]))
def test_every_team_with_k_people_is_shown_for_all_levels(people: list[dict], k: int) -> None:
    # the coarsest view always shows every team that reaches k: privacy never costs the whole-team figures
    answers, importance = frames(people)
    for round_no in sorted(answers["round_no"].unique()):
        release = released_groups(answers, AnswerFilters(round_no=int(round_no)), k, importance)
        in_round = answers[answers["round_no"] == round_no]
        sizes = in_round.groupby("team")["participant_id"].nunique()
        assert set(release.shown_teams) == {team for team, size in sizes.items() if size >= k}
        assert set(release.withheld_teams) == {team for team, size in sizes.items() if size < k}
