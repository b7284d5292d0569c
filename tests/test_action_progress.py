"""Actions with a measurable target, checked against the next round's answers and export.

Two rounds of the small deals and leads file of ``two_rounds`` (its docstring lists the rows); every
expected figure is worked out by hand below.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from two_rounds import pipeline, round_1_files, round_2_files

from alignment.action_progress import (
    CANNOT_TELL,
    MET,
    MOVING,
    NOT_MOVING,
    RoundEvidence,
    action_progress,
    median_interval,
    metric_reading,
    progress_table,
)
from alignment.action_targets import ActionTarget
from alignment.lead_metrics import response_time
from alignment.metrics import cycle_time
from alignment.store.actions import ActionInfo


def gaps(gap: float, low: float, high: float) -> pd.DataFrame:
    """A round's dimension gaps as ``perception_gaps(...).dimensions`` gives them, for one dimension."""
    return pd.DataFrame({"dimension_id": ["handoff"], "gap": [gap], "low": [low], "high": [high], "reason": [""]})


ROUND_1 = RoundEvidence(1, *round_1_files(), gaps=gaps(30.0, 20.0, 40.0))
ROUND_2 = RoundEvidence(2, *round_2_files(), gaps=gaps(8.0, -2.0, 18.0))


def action(number: int, target: ActionTarget, dimension_id: str | None = None) -> ActionInfo:
    return ActionInfo(id=number, round_no=1, text=f"Action {number}", owner="Ana", due_date=None,
                      dimension_id=dimension_id, status="open", target=target)  # fmt: skip


def check(*actions: ActionInfo, today: date = date(2026, 6, 1)) -> dict[int, object]:
    return {p.action_id: p for p in action_progress(list(actions), {1: ROUND_1, 2: ROUND_2}, 2, today)}


def test_marketing_win_rate_that_reached_its_target_is_met() -> None:
    [progress] = check(action(1, pipeline("win_rate", "marketing", 0.5), dimension_id="handoff")).values()
    # then 4 won / (4 + 16) closed = 20%; now 18 / (18 + 12) = 60% ≥ the 50% target.
    assert progress.verdict == MET
    assert (progress.metric_then.value, progress.metric_now.value) == (pytest.approx(0.20), pytest.approx(0.60))
    assert (progress.metric_now.count, progress.metric_now.total) == (18, 30)
    # The action's dimension shows its perception gap then and now.
    assert (progress.gap_then.value, progress.gap_now.value) == (30.0, 8.0)


def test_lead_acceptance_that_rose_beyond_chance_but_short_of_target_is_moving() -> None:
    [progress] = check(action(2, pipeline("lead_acceptance", "marketing", 0.9))).values()
    # then 10 / 40 = 25%, now 30 / 40 = 75%, target 90%: not met.
    # Wilson 10/40: z² = 3.8415; centre = (0.25 + 3.8415/80) / (1 + 3.8415/40) = 0.29802 / 1.09604 = 0.27190,
    #   half = 1.95996 / 1.09604 × √(0.25·0.75/40 + 3.8415/6400) = 1.78822 × 0.072717 = 0.13004 → 0.1419 to 0.4019.
    # Wilson 30/40 is its mirror: 0.5981 to 0.8581.
    # Newcombe: 0.5 − √((0.75 − 0.5981)² + (0.4019 − 0.25)²) = 0.5 − 0.2148 = 0.2852;
    #           0.5 + √((0.8581 − 0.75)² + (0.25 − 0.1419)²) = 0.5 + 0.1529 = 0.6529. Excludes zero.
    assert progress.verdict == MOVING
    assert progress.change_low == pytest.approx(0.2852, abs=5e-4)
    assert progress.change_high == pytest.approx(0.6529, abs=5e-4)
    assert "short of 90%" in progress.reason


def test_sales_win_rate_that_rose_within_chance_is_not_moving() -> None:
    [progress] = check(action(3, pipeline("win_rate", "sales", 0.7, by=date(2026, 3, 31)))).values()
    # then 10 / 20 = 50%, now 11 / 20 = 55%, target 70%.
    # Wilson 10/20: 0.5 ± 1.95996/1.19207 × √(0.0125 + 3.8415/1600) = 0.5 ± 0.2007 → 0.2993 to 0.7007.
    # Wilson 11/20: centre 0.64604/1.19207 = 0.54195, half 1.64418 × √(0.012375 + 0.0024009) = 0.19987
    #   → 0.3421 to 0.7418.
    # Newcombe: 0.05 − √(0.2079² + 0.2007²) = −0.2390; 0.05 + √(0.1918² + 0.2007²) = 0.3276. Includes zero.
    assert progress.verdict == NOT_MOVING
    assert progress.change_low == pytest.approx(-0.2390, abs=5e-4)
    assert progress.change_high == pytest.approx(0.3276, abs=5e-4)
    assert "within what chance alone gives" in progress.reason
    assert "target date (31 Mar 2026) has passed" in progress.reason


def test_response_time_without_first_touch_dates_in_the_new_export_cannot_be_told() -> None:
    [progress] = check(action(4, pipeline("response_time", "marketing", 4.0))).values()
    # then: median of 10 × 2 h and 10 × 30 h = (2 + 30) / 2 = 16 hours; now: no first-touch dates.
    assert progress.verdict == CANNOT_TELL
    assert progress.metric_then.value == pytest.approx(16.0)
    assert progress.metric_now.value is None
    assert progress.reason == "Cannot tell: round 2's leads export has no first-touch dates."


def test_a_round_without_its_own_export_cannot_be_told_rather_than_reusing_the_old_one() -> None:
    progress = action_progress([action(1, pipeline("win_rate", "marketing", 0.5))],
                               {1: ROUND_1, 2: RoundEvidence(2, gaps=ROUND_2.gaps)}, 2, date(2026, 6, 1))  # fmt: skip
    assert progress[0].verdict == CANNOT_TELL
    assert progress[0].reason == "Cannot tell: no deals export was saved for round 2."


@pytest.mark.parametrize(
    ("then", "now", "verdict"),
    [
        # |8| < 10: met whatever the gap was before.
        ((30.0, 20.0, 40.0), (8.0, -2.0, 18.0), MET),
        # se = √((10/3.92)² + (10/3.92)²) = 3.61; change 15 − 30 = −15; −15 + 1.96 × 3.61 = −7.9 < 0.
        ((30.0, 25.0, 35.0), (15.0, 10.0, 20.0), MOVING),
        # se = √((40/3.92)² + (40/3.92)²) = 14.4; change −10; −10 + 1.96 × 14.4 = 18.3 ≥ 0: chance.
        ((30.0, 10.0, 50.0), (20.0, 0.0, 40.0), NOT_MOVING),
    ],
)
def test_a_perception_target_is_judged_on_the_gap_and_its_interval(then, now, verdict) -> None:
    target = ActionTarget("perception", dimension="handoff", below=10)
    rounds = {1: RoundEvidence(1, gaps=gaps(*then)), 2: RoundEvidence(2, gaps=gaps(*now))}
    [progress] = action_progress([action(5, target)], rounds, 2, date(2026, 6, 1))
    assert progress.verdict == verdict


def test_a_withheld_gap_cannot_be_told_and_says_why() -> None:
    withheld = pd.DataFrame({"dimension_id": ["handoff"], "gap": [np.nan], "low": [np.nan], "high": [np.nan],
                             "reason": ["needs both marketing and sales scores — k is 3"]})  # fmt: skip
    target = ActionTarget("perception", dimension="handoff", below=10)
    rounds = {1: RoundEvidence(1, gaps=gaps(30, 20, 40)), 2: RoundEvidence(2, gaps=withheld)}
    [progress] = action_progress([action(5, target)], rounds, 2, date(2026, 6, 1))
    assert progress.verdict == CANNOT_TELL and "k is 3" in progress.reason


def test_actions_agreed_in_the_current_round_or_without_target_are_not_checked_yet() -> None:
    fresh = ActionInfo(id=9, round_no=2, text="New", owner="", due_date=None, dimension_id=None, status="open",
                       target=pipeline("win_rate", "marketing", 0.5))  # fmt: skip
    plain = ActionInfo(id=8, round_no=1, text="Old", owner="", due_date=None, dimension_id=None, status="open")
    assert check(fresh, plain) == {}


def test_medians_match_the_dashboard_and_come_with_an_order_statistic_interval() -> None:
    # Nine values 1..9: ranks floor(4.5 − 1.96·3/2) = floor(1.56) = 1 and ceil(1 + 4.5 + 2.94) = 9.
    assert median_interval(np.arange(1.0, 10.0)) == (1.0, 9.0)
    reading = metric_reading(pipeline("response_time", "marketing", 4.0), ROUND_1)
    assert reading.value == response_time(ROUND_1.leads, 24)["median_hours"].iloc[0] == 16.0
    assert (reading.count, reading.total) == (20, 40)
    cycle = metric_reading(pipeline("cycle_time", "sales", 10.0), ROUND_1)
    sales_cycle = cycle_time(ROUND_1.deals).set_index("source_group").loc["sales"]
    assert cycle.value == sales_cycle["median_days"] == 20.0 and cycle.count == sales_cycle["used"] == 10


def test_the_table_states_the_counts_behind_each_figure() -> None:
    table = progress_table(list(check(action(2, pipeline("lead_acceptance", "marketing", 0.9))).values()), {})
    row = table.iloc[0]
    assert (row["Metric then"], row["Metric now"]) == ("25%", "75%")
    assert row["Counts now"] == "30 accepted of 40 handed-over leads"
    assert row["Change interval (95%)"] == "+29 points to +65 points"
    assert row["Verdict"] == "moving"
