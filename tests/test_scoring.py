"""Perception scores on small hand-computed workshops."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import TINY_SCALE

from alignment.framework import parse_framework
from alignment.gaps import largest_gap, perception_gaps
from alignment.scoring import (
    agreement,
    alignment_index,
    band_for,
    dimension_scores,
    dont_know_share,
    importance_share,
    item_scores,
    priorities,
    respondents_by_team,
    round_change,
    self_other,
)
from alignment.suppression import AnswerFilters, apply_filters, check_filter

FRAMEWORK_YAML = TINY_SCALE + """groups:
  - {id: mkt, name: Marketing strategy, practice_of: marketing}
  - {id: sls, name: Sales strategy, practice_of: sales}
  - {id: both, name: Shared alignment, practice_of: both}
dimensions:
  - id: content
    group: mkt
    name: Promotion and content
    items: [{id: content.1, text: Content is used.}, {id: content.2, text: Content is shaped together.}]
  - id: follow_up
    group: sls
    name: Lead follow-up
    items: [{id: follow_up.1, text: Leads are called fast.}, {id: follow_up.2, text: Rejections are explained.}]
  - id: trust
    group: both
    name: Trust
    items: [{id: trust.1, text: No blame.}, {id: trust.2, text: Joint planning.}]
"""
FRAMEWORK = parse_framework(FRAMEWORK_YAML)
DK = None


def answers(rows: list[tuple[int, str, dict[str, int | None]]], round_no: int = 1, level: str = "ic") -> pd.DataFrame:
    """Rows of (participant id, team, {item: value}); None is "don't know"."""
    records = [
        {"response_id": pid * 10 + round_no, "participant_id": pid, "team": team, "level": level,
         "round_no": round_no, "item_id": item, "value": value}
        for pid, team, values in rows
        for item, value in values.items()
    ]
    frame = pd.DataFrame(records)
    frame["value"] = frame["value"].astype("Int64")
    return frame


@pytest.fixture
def workshop() -> pd.DataFrame:
    return answers([
        (1, "marketing", {"content.1": 5, "content.2": 2, "follow_up.1": 4, "trust.1": 4}),
        (2, "marketing", {"content.1": 4, "content.2": 3, "follow_up.1": 4, "trust.1": 4}),
        (3, "marketing", {"content.1": 3, "content.2": DK, "follow_up.1": 4, "trust.1": 4}),
        (4, "sales", {"content.1": 1, "content.2": 1, "follow_up.1": 5, "trust.1": 2}),
        (5, "sales", {"content.1": 2, "content.2": 1, "follow_up.1": 5, "trust.1": 2}),
        (6, "sales", {"content.1": 3, "content.2": 1, "follow_up.1": 5, "trust.1": 2}),
        (7, "leadership", {"content.1": 5, "content.2": 5, "follow_up.1": 5, "trust.1": 5}),
    ])


def row(frame: pd.DataFrame, **where: object) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    assert mask.sum() == 1, f"expected one row for {where}, found {mask.sum()}"
    return frame[mask].iloc[0]


def test_item_score_rescales_the_mean_answer_to_0_100(workshop: pd.DataFrame) -> None:
    items = item_scores(workshop, FRAMEWORK, k=3)
    content = row(items, team="marketing", item_id="content.1")
    assert content["mean"] == pytest.approx(4.0)
    assert content["score"] == pytest.approx(75.0)
    assert row(items, team="sales", item_id="content.2")["score"] == pytest.approx(0.0)


def test_dont_know_is_left_out_of_the_mean_and_counted(workshop: pd.DataFrame) -> None:
    item = row(item_scores(workshop, FRAMEWORK, k=2), team="marketing", item_id="content.2")
    assert (item["n"], item["n_dont_know"]) == (2, 1)
    assert item["score"] == pytest.approx(37.5)


def test_item_from_fewer_than_k_people_is_withheld(workshop: pd.DataFrame) -> None:
    item = row(item_scores(workshop, FRAMEWORK, k=3), team="marketing", item_id="content.2")
    assert item["suppressed"] and pd.isna(item["score"]) and pd.isna(item["mean"])
    assert item["reason"] == "fewer than 3 people answered"


def test_dimension_score_uses_only_items_that_are_shown(workshop: pd.DataFrame) -> None:
    dims = dimension_scores(workshop, FRAMEWORK, k=3)
    content = row(dims, team="marketing", dimension_id="content")
    # content.2 rests on 2 people and is withheld, so the dimension is content.1 alone (75), not (75 + 37.5) / 2
    assert content["score"] == pytest.approx(75.0)
    assert content["items_shown"] == 1 and content["n"] == 3
    assert row(dims, team="sales", dimension_id="content")["score"] == pytest.approx((25.0 + 0.0) / 2)


def test_team_below_k_has_every_dimension_withheld(workshop: pd.DataFrame) -> None:
    dims = dimension_scores(workshop, FRAMEWORK, k=3)
    leadership = dims[dims["team"] == "leadership"]
    assert len(leadership) == 3 and leadership["suppressed"].all() and leadership["score"].isna().all()


def test_self_and_other_follow_whose_practice_it_is(workshop: pd.DataFrame) -> None:
    view = self_other(dimension_scores(workshop, FRAMEWORK, k=3)).set_index("dimension_id")
    assert (view.at["content", "self_team"], view.at["content", "other_team"]) == ("marketing", "sales")
    assert view.at["content", "self_score"] == pytest.approx(75.0)
    assert view.at["content", "other_score"] == pytest.approx(12.5)
    assert (view.at["follow_up", "self_team"], view.at["follow_up", "self_score"]) == ("sales", pytest.approx(100.0))
    assert view.at["follow_up", "other_score"] == pytest.approx(75.0)
    assert pd.isna(view.at["trust", "self_team"]) and pd.isna(view.at["trust", "self_score"])
    # overall counts each shown team once; leadership (1 person) is not part of it
    assert view.at["trust", "overall"] == pytest.approx((75.0 + 25.0) / 2)


def test_gap_is_marketing_minus_sales(workshop: pd.DataFrame) -> None:
    gaps = perception_gaps(workshop, FRAMEWORK, k=3, resamples=300)
    dims = gaps.dimensions.set_index("dimension_id")
    assert dims.at["content", "gap"] == pytest.approx(75.0 - 12.5)
    assert dims.at["follow_up", "gap"] == pytest.approx(75.0 - 100.0)
    items = gaps.items.set_index("item_id")
    assert items.at["content.1", "gap"] == pytest.approx(75.0 - 25.0)
    assert items.at["content.2", "suppressed"] and pd.isna(items.at["content.2", "low"])
    assert largest_gap(gaps.dimensions)["dimension_id"] == "content"


def test_unanimous_teams_have_a_gap_interval_of_zero_width() -> None:
    rows = [(p, "marketing", {"content.1": 5, "content.2": 5}) for p in range(1, 5)]
    rows += [(p, "sales", {"content.1": 1, "content.2": 1}) for p in range(5, 9)]
    dims = perception_gaps(answers(rows), FRAMEWORK, k=3, resamples=200).dimensions.set_index("dimension_id")
    assert dims.at["content", "gap"] == pytest.approx(100.0)
    assert (dims.at["content", "low"], dims.at["content", "high"]) == (pytest.approx(100.0), pytest.approx(100.0))
    assert dims.at["trust", "suppressed"]


def test_gap_interval_is_repeatable_and_contains_the_gap(workshop: pd.DataFrame) -> None:
    first = perception_gaps(workshop, FRAMEWORK, k=3, resamples=500, seed=7).dimensions
    second = perception_gaps(workshop, FRAMEWORK, k=3, resamples=500, seed=7).dimensions
    pd.testing.assert_frame_equal(first, second)
    shown = first.dropna(subset=["gap"])
    assert ((shown["low"] <= shown["gap"]) & (shown["gap"] <= shown["high"])).all()


def test_gap_interval_covers_a_true_gap_of_zero_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(11)
    covered = 0
    simulations = 100
    for _ in range(simulations):
        values = rng.integers(1, 6, size=(40, 2))
        rows = [(p, "marketing" if p < 20 else "sales", {"content.1": int(values[p, 0]),
                 "content.2": int(values[p, 1])}) for p in range(40)]
        dims = perception_gaps(answers(rows), FRAMEWORK, k=3, resamples=400, seed=int(rng.integers(1e9))).dimensions
        content = dims.set_index("dimension_id").loc["content"]
        covered += content["low"] <= 0 <= content["high"]
    assert 0.85 <= covered / simulations <= 1.0


def test_gap_interval_narrows_with_more_people() -> None:
    rng = np.random.default_rng(3)

    def width(people: int) -> float:
        values = rng.integers(1, 6, size=(2 * people, 2))
        rows = [(p, "marketing" if p < people else "sales", {"content.1": int(values[p, 0]),
                 "content.2": int(values[p, 1])}) for p in range(2 * people)]
        content = perception_gaps(answers(rows), FRAMEWORK, k=3, resamples=400).dimensions.iloc[0]
        return content["high"] - content["low"]

    assert width(3) > 2 * width(60)


def test_agreement_uses_rwg_against_random_answers(workshop: pd.DataFrame) -> None:
    table = agreement(workshop, FRAMEWORK, k=3)
    marketing = row(table, team="marketing", dimension_id="content")
    # content.1: 5, 4, 3 → variance 1; content.2 is withheld → r_wg = 1 − 1/2
    assert marketing["r_wg"] == pytest.approx(0.5) and marketing["sd"] == pytest.approx(1.0)
    assert not marketing["split"]
    sales = row(table, team="sales", dimension_id="content")
    # variances 1 and 0 → mean 0.5 → r_wg 0.75, sd √0.5
    assert sales["r_wg"] == pytest.approx(0.75) and sales["sd"] == pytest.approx(math.sqrt(0.5))


def test_answers_of_ones_and_fives_are_flagged_as_split() -> None:
    rows = [(p, "sales", {"trust.1": 1 if p % 2 else 5, "trust.2": 5 if p % 2 else 1}) for p in range(1, 5)]
    trust = row(agreement(answers(rows), FRAMEWORK, k=3), team="sales", dimension_id="trust")
    assert trust["r_wg"] == 0.0 and trust["split"]


def test_index_combines_level_and_consistency() -> None:
    gaps = pd.DataFrame({"dimension_id": ["a", "b"], "marketing": [80.0, 50.0], "sales": [60.0, 50.0],
                         "gap": [20.0, 0.0]})
    result = alignment_index(pd.DataFrame(), gaps)
    assert result.level == pytest.approx(60.0)
    assert result.consistency == pytest.approx(90.0)
    assert result.index == pytest.approx(54.0)
    assert result.band == "Aligned"
    assert result.hbr_equivalent == pytest.approx(63.2)
    assert result.dimensions_used == 2


def test_index_needs_both_teams() -> None:
    gaps = pd.DataFrame({"marketing": [80.0], "sales": [np.nan], "gap": [np.nan]})
    result = alignment_index(pd.DataFrame(), gaps)
    assert result.index is None and "both marketing and sales" in result.reason


@pytest.mark.parametrize(("index", "band"), [(0, "Undefined"), (24.9, "Undefined"), (25, "Defined"),
                                            (49.9, "Defined"), (50, "Aligned"), (74.9, "Aligned"),
                                            (75, "Integrated"), (100, "Integrated")])
def test_bands_follow_the_hbr_cut_points(index: float, band: str) -> None:
    assert band_for(index) == band


def test_dont_know_share_per_team(workshop: pd.DataFrame) -> None:
    overall = dont_know_share(workshop, FRAMEWORK, k=3, by_dimension=False).set_index("team")
    assert overall.at["marketing", "dont_know"] == 1 and overall.at["marketing", "answers"] == 12
    assert overall.at["marketing", "share"] == pytest.approx(1 / 12)
    assert overall.at["leadership", "suppressed"] and pd.isna(overall.at["leadership", "share"])
    by_dim = dont_know_share(workshop, FRAMEWORK, k=3)
    assert row(by_dim, team="marketing", dimension_id="content")["share"] == pytest.approx(1 / 6)


def test_respondents_are_counted_per_team_against_k(workshop: pd.DataFrame) -> None:
    table = respondents_by_team(workshop, k=3).set_index("team")
    assert table.at["marketing", "respondents"] == 3 and table.at["marketing", "enough"]
    assert table.at["leadership", "respondents"] == 1 and not table.at["leadership", "enough"]


def importance(picks: list[tuple[int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame([{"response_id": p, "participant_id": p, "team": team, "level": "ic", "round_no": 1,
                          "dimension_id": dim} for p, team, dim in picks])


def test_importance_share_is_pickers_over_people_who_picked() -> None:
    table = importance_share(importance([(1, "marketing", "content"), (1, "marketing", "follow_up"),
                                         (2, "marketing", "content"), (3, "marketing", "content"),
                                         (3, "marketing", "trust"), (4, "sales", "trust")]), FRAMEWORK, k=3)
    assert row(table, team="marketing", dimension_id="content")["share"] == pytest.approx(1.0)
    assert row(table, team="marketing", dimension_id="trust")["share"] == pytest.approx(1 / 3)
    assert row(table, team="sales", dimension_id="trust")["suppressed"]


def test_important_low_scoring_dimension_is_fix_first() -> None:
    dims = pd.DataFrame({"dimension_id": ["a", "b", "c", "d"], "dimension_name": list("ABCD"),
                         "team": ["sales"] * 4, "score": [20.0, 80.0, 30.0, 90.0]})
    imp = pd.DataFrame({"team": ["sales"] * 4, "dimension_id": ["a", "b", "c", "d"], "share": [0.8, 0.7, 0.1, 0.1]})
    quadrants = priorities(dims, imp).set_index("dimension_id")["quadrant"].to_dict()
    assert quadrants == {"a": "Fix first", "b": "Protect", "c": "Watch", "d": "Keep"}


def test_round_change_compares_with_the_previous_round() -> None:
    first = answers([(p, "sales", {"trust.1": 2, "trust.2": 2}) for p in range(1, 4)], round_no=1)
    second = answers([(p, "sales", {"trust.1": 4, "trust.2": 4}) for p in range(1, 4)], round_no=2)
    table = round_change(pd.concat([first, second]), FRAMEWORK, k=3)
    latest = row(table, round_no=2, team="sales", dimension_id="trust")
    assert (latest["previous_score"], latest["score"], latest["change"]) == (25.0, 75.0, 50.0)


def test_round_change_keeps_the_frameworks_order_of_dimensions() -> None:
    trust = FRAMEWORK_YAML[FRAMEWORK_YAML.index("  - id: trust"):]
    trust_first = parse_framework(FRAMEWORK_YAML.replace(trust, "").replace("dimensions:\n", "dimensions:\n" + trust))
    rated = {"trust.1": 3, "content.1": 3, "content.2": 4, "follow_up.1": 2}
    table = round_change(pd.concat([answers([(p, "sales", rated) for p in range(1, 4)], round_no=r) for r in (1, 2)]),
                         trust_first, k=3)
    shown = table.loc[table["round_no"] == 2, "dimension_id"].tolist()
    assert shown == ["trust", "content", "follow_up"]  # as the framework lists them, on the page and in the deck


def levelled(team_levels: dict[str, list[str]], dont_know: dict[int, list[str]] | None = None) -> pd.DataFrame:
    frames, pid = [], 0
    for team, levels in team_levels.items():
        for level in levels:
            pid += 1
            values: dict[str, int | None] = {"trust.1": 3, "trust.2": 4}
            for item in (dont_know or {}).get(pid, []):
                values[item] = DK
            frames.append(answers([(pid, team, values)], level=level))
    return pd.concat(frames, ignore_index=True)


def test_level_filter_that_leaves_out_one_person_is_blocked() -> None:
    data = levelled({"marketing": ["ic", "ic", "ic", "ic", "leader"], "sales": ["ic"] * 6})
    check = check_filter(data, AnswerFilters(levels=("ic",)), k=3)
    assert not check.allowed
    assert "marketing" in check.reason and "fewer than 3" in check.reason
    named = check_filter(data, AnswerFilters(levels=("ic",)), k=3, team_names={"marketing": "Brand & Demand"})
    assert "so Brand & Demand is not shown" in named.reason  # the name the workshop gave the team


def test_level_filter_that_splits_teams_into_groups_of_k_is_allowed() -> None:
    data = levelled({"marketing": ["ic"] * 3 + ["manager"] * 3, "sales": ["ic"] * 4})
    assert check_filter(data, AnswerFilters(levels=("ic",)), k=3).allowed


def test_level_filter_is_blocked_when_dont_knows_leave_one_rating_out() -> None:
    # managers 4 and 5 answered "don't know" on trust.1, so only manager 6's rating would differ
    data = levelled({"marketing": ["ic"] * 3 + ["manager"] * 3}, dont_know={4: ["trust.1"], 5: ["trust.1"]})
    assert not check_filter(data, AnswerFilters(levels=("ic",)), k=3).allowed


def test_choosing_teams_never_pools_a_small_team_into_a_figure(workshop: pd.DataFrame) -> None:
    assert check_filter(workshop, AnswerFilters(teams=("marketing", "sales")), k=3).allowed
    everyone = self_other(dimension_scores(workshop, FRAMEWORK, k=3)).set_index("dimension_id")
    chosen = apply_filters(workshop, AnswerFilters(teams=("marketing", "sales")))
    two_teams = self_other(dimension_scores(chosen, FRAMEWORK, k=3)).set_index("dimension_id")
    pd.testing.assert_series_equal(everyone["overall"], two_teams["overall"])


def test_no_answers_give_empty_tables_not_errors() -> None:
    empty = answers([(1, "marketing", {"content.1": 3})]).iloc[0:0]
    assert dimension_scores(empty, FRAMEWORK, k=3).empty
    gaps = perception_gaps(empty, FRAMEWORK, k=3, resamples=50)
    assert gaps.dimensions["suppressed"].all() and len(gaps.dimensions) == 3
    assert alignment_index(dimension_scores(empty, FRAMEWORK, k=3), gaps.dimensions).index is None
    assert agreement(empty, FRAMEWORK, k=3).empty and dont_know_share(empty, FRAMEWORK, k=3).empty
    assert self_other(dimension_scores(empty, FRAMEWORK, k=3)).empty
    assert round_change(empty, FRAMEWORK, k=3).empty and respondents_by_team(empty, k=3).empty
