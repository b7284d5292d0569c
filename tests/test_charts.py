"""Chart builders, checked through the Vega-Lite they produce."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from alignment import charts, pipeline_charts
from alignment.charts import (
    PRESENTATION_FONT_SCALE,
    TEAM_COLOURS,
    answer_distribution_chart,
    dimension_scores_chart,
    gap_dumbbell_chart,
    priority_chart,
    round_change_chart,
    self_other_chart,
    team_colour,
)

TRICKY = "Price & \"value\" — O'Brien's {datum} test"


def spec(chart: Any) -> dict[str, Any]:
    return chart.to_dict()


def rows_sent(spec_dict: dict[str, Any]) -> int:
    return sum(len(rows) for rows in spec_dict.get("datasets", {}).values())


def walk(node: Any) -> list[Any]:
    """Every dict in a spec, depth first."""
    found = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += walk(value)
    elif isinstance(node, list):
        for value in node:
            found += walk(value)
    return found


def encodings(spec_dict: dict[str, Any]) -> list[dict[str, Any]]:
    return [node["encoding"] for node in walk(spec_dict) if "encoding" in node]


@pytest.fixture
def scores() -> pd.DataFrame:
    return pd.DataFrame({"dimension_id": ["a", "a", "b", "b"], "dimension_name": [TRICKY, TRICKY, "Trust", "Trust"],
                         "team": ["marketing", "sales", "marketing", "sales"], "score": [62.5, 40.0, 70.0, np.nan],
                         "n": [5, 6, 5, 2]})


@pytest.fixture
def gaps() -> pd.DataFrame:
    return pd.DataFrame({"dimension_id": ["a", "b", "c"], "dimension_name": [TRICKY, "Trust", "Language"],
                         "marketing": [70.0, 50.0, 60.0], "sales": [40.0, 55.0, np.nan], "n_marketing": [5, 5, 5],
                         "n_sales": [6, 6, 2], "gap": [30.0, -5.0, np.nan], "low": [12.0, -20.0, np.nan],
                         "high": [45.0, 9.0, np.nan]})


def test_every_team_keeps_its_okabe_ito_colour(scores: pd.DataFrame) -> None:
    assert TEAM_COLOURS["marketing"] == "#E69F00" and TEAM_COLOURS["sales"] == "#0072B2"
    assert team_colour("marketing") == "#E69F00"
    assert team_colour("field_ops") == team_colour("field_ops")  # an unknown team gets a stable colour
    colour = spec(dimension_scores_chart(scores))["encoding"]["color"]
    assert colour["scale"] == {"domain": ["Marketing", "Sales"], "range": ["#E69F00", "#0072B2"]}


def test_dimension_scores_leave_out_withheld_scores_and_say_so(scores: pd.DataFrame) -> None:
    result = spec(dimension_scores_chart(scores))
    assert rows_sent(result) == 3
    assert "1 team scores withheld" in result["description"]
    assert {"dimension_name", "team_label", "score", "n"} <= {t["field"] for t in result["encoding"]["tooltip"]}


def test_dumbbell_sorts_by_gap_and_carries_a_dimension_selection(gaps: pd.DataFrame) -> None:
    result = spec(gap_dumbbell_chart(gaps))
    params = [p for node in walk(result) for p in node.get("params", []) if isinstance(p, dict)]
    selection = next(p for p in params if p.get("name") == "dimension")
    assert selection["select"]["fields"] == ["dimension_id"]
    sorts = [enc["y"]["sort"] for enc in encodings(result) if isinstance(enc.get("y", {}).get("sort"), list)]
    assert sorts and all(sort == sorts[0] for sort in sorts)
    assert sorts[0] == [TRICKY, "Trust", "Language"]  # largest gap first, no gap last
    assert "Largest gap" in result["description"]
    fields = {enc["x"].get("field") for enc in encodings(result) if "x" in enc}
    assert {"score", "marketing", "left", "right"} <= fields
    data = [row for rows in result["datasets"].values() for row in rows if "gap_text" in row and "certainty" in row]
    texts = {row["dimension_id"]: (row["gap_text"], row["certainty"]) for row in data}
    assert texts == {"a": ("+30  (+12 to +45)", "clear"), "b": ("-5  (-20 to +9)", "may be chance"),
                     "c": ("not shown", "may be chance")}


def test_self_other_shows_self_and_other_for_one_sided_dimensions() -> None:
    view = pd.DataFrame({"dimension_id": ["a", "t"], "dimension_name": ["Content", "Trust"],
                         "self_team": ["marketing", None], "self_score": [70.0, np.nan],
                         "other_team": ["sales", None], "other_score": [40.0, np.nan]})
    result = spec(self_other_chart(view))
    data = next(iter(result["datasets"].values()))
    assert {(r["rating"], r["team_label"], r["score"]) for r in data} == {
        ("Self-rating", "Marketing", 70.0), ("Rated by the other team", "Sales", 40.0)}


def distribution() -> pd.DataFrame:
    rows = []
    for team in ("marketing", "sales"):
        for value, count in zip([1, 2, 3, 4, 5, 0], [1, 1, 2, 4, 2, 1], strict=True):
            rows.append({"team": team, "item_no": 1, "item_text": TRICKY, "value": value,
                         "label": {0: "Don't know"}.get(value, f"Answer {value}"), "count": count,
                         "share": count / 10 if value else 1 / 11, "suppressed": team == "sales"})
    return pd.DataFrame(rows)


def test_diverging_bars_centre_neither_on_zero() -> None:
    result = spec(answer_distribution_chart(distribution()))
    data = next(iter(result["datasets"].values()))
    assert len(data) == 5  # marketing's five answer values; sales is withheld, don't know is reported apart
    starts = {r["value"]: (round(r["start"], 6), round(r["end"], 6)) for r in data}
    assert starts[1] == (-0.3, -0.2) and starts[3] == (-0.1, 0.1) and starts[5] == (0.5, 0.7)


def test_priority_chart_names_the_fix_first_dimensions() -> None:
    table = pd.DataFrame({"dimension_name": ["Content", "Trust"], "team": ["sales", "sales"], "score": [20.0, 80.0],
                          "importance": [0.6, 0.2], "quadrant": ["Fix first", "Keep"]})
    result = spec(priority_chart(table))
    assert "Fix first: Content." in result["description"]
    rings = [enc["strokeWidth"] for enc in encodings(result) if "strokeWidth" in enc]
    assert rings and rings[0]["field"] == "fix_first"


def test_presentation_mode_makes_labels_at_least_20_px(scores: pd.DataFrame) -> None:
    config = spec(dimension_scores_chart(scores, font_scale=PRESENTATION_FONT_SCALE))["config"]
    assert config["axis"]["labelFontSize"] >= 20 and config["legend"]["labelFontSize"] >= 20


def test_raw_rows_are_refused() -> None:
    raw = pd.DataFrame({"dimension_id": ["a"] * 6000, "dimension_name": ["A"] * 6000, "team": ["sales"] * 6000,
                        "score": [50.0] * 6000, "n": [3] * 6000})
    with pytest.raises(ValueError, match="aggregate"):
        dimension_scores_chart(raw)


def pipeline_tables() -> dict[str, pd.DataFrame]:
    groups = ["marketing", "sales"]
    return {
        "created": pd.DataFrame({"month": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-02-01"]),
                                 "source_group": ["marketing", "sales", "marketing"], "deals": [4, 3, 5],
                                 "value": [400.0, 300.0, 500.0]}),
        "win": pd.DataFrame({"source_group": groups, "won": [96, 155], "lost": [304, 345], "closed": [400, 500],
                             "win_rate": [0.24, 0.31], "low": [0.2, 0.27], "high": [0.28, 0.35],
                             "win_rate_value": [0.2, 0.3]}),
        "cycle": pd.DataFrame({"source_group": groups, "won": [10, 10], "used": [9, 10], "negative": [1, 0],
                               "median_days": [30.0, 20.0], "p90_days": [60.0, 40.0]}),
        "funnel": pd.DataFrame({"source_group": groups, "created": [10, 8], "closed": [8, 6], "won": [2, 3]}),
        "aging": pd.DataFrame({"source_group": groups, "bucket": ["0–30 days", "31–60 days"], "deals": [3, 2],
                               "value": [1.0, 2.0]}),
        "mix": pd.DataFrame({"source_group": groups, "stage": [TRICKY, "Proposal"], "deals": [3, 2],
                             "value": [1.0, 2.0]}),
        "reasons": pd.DataFrame({"source_group": groups, "reason": [TRICKY, "Price"], "deals": [3, 2],
                                 "share": [1.0, 1.0]}),
        "acceptance": pd.DataFrame({"source_group": groups, "handed_over": [10, 5], "accepted": [5, 4],
                                    "rejected": [5, 1], "acceptance_rate": [0.5, 0.8], "low": [0.2, 0.4],
                                    "high": [0.8, 0.95]}),
        "response": pd.DataFrame({"source_group": groups, "handed_over": [10, 5], "touched": [8, 5],
                                  "median_hours": [30.0, 5.0], "within_sla": [3, 4], "within_sla_share": [0.3, 0.8]}),
        "leakage": pd.DataFrame({"source_group": groups, "eligible": [10, 5], "leaked": [5, 1],
                                 "leakage_rate": [0.5, 0.2]}),
    }


BUILDERS: dict[str, Callable[[pd.DataFrame], Any]] = {
    "created": pipeline_charts.pipeline_created_chart,
    "win": pipeline_charts.win_rate_chart,
    "cycle": pipeline_charts.cycle_chart,
    "funnel": pipeline_charts.stage_funnel_chart,
    "aging": pipeline_charts.aging_chart,
    "mix": pipeline_charts.stage_mix_chart,
    "reasons": pipeline_charts.reasons_chart,
    "acceptance": pipeline_charts.lead_acceptance_chart,
    "response": lambda t: pipeline_charts.response_time_chart(t, sla_hours=24),
    "leakage": lambda t: pipeline_charts.leakage_chart(t, days=7),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_pipeline_charts_describe_themselves_and_leave_input_alone(name: str) -> None:
    table = pipeline_tables()[name]
    before = table.copy()
    result = spec(BUILDERS[name](table))
    pd.testing.assert_frame_equal(table, before)
    assert result["description"] and result["description"].endswith(".")
    assert all("tooltip" in enc for enc in encodings(result) if "color" in enc or "x" in enc)
    assert rows_sent(result) <= 3 * len(table) + 1
    colours = [enc["color"]["scale"] for enc in encodings(result) if "scale" in enc.get("color", {})]
    assert colours and all(s["range"][s["domain"].index("Marketing-sourced")] == "#E69F00" for s in colours)


def test_win_rate_chart_draws_the_interval_and_says_the_counts() -> None:
    result = spec(pipeline_charts.win_rate_chart(pipeline_tables()["win"]))
    assert "Marketing-sourced 24% (96 of 400)" in result["description"]
    assert any(enc.get("x", {}).get("field") == "low" and enc.get("x2", {}).get("field") == "high"
               for enc in encodings(result))


@pytest.mark.parametrize("builder", [dimension_scores_chart, gap_dumbbell_chart, self_other_chart])
def test_perception_charts_do_not_change_their_input(builder: Callable, scores: pd.DataFrame,
                                                     gaps: pd.DataFrame) -> None:
    frames = {dimension_scores_chart: scores, gap_dumbbell_chart: gaps,
              self_other_chart: pd.DataFrame({"dimension_id": ["a"], "dimension_name": ["A"],
                                              "self_team": ["sales"], "self_score": [50.0],
                                              "other_team": ["marketing"], "other_score": [60.0]})}
    frame = frames[builder]
    before = frame.copy()
    builder(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_user_text_never_reaches_a_vega_expression(scores: pd.DataFrame, gaps: pd.DataFrame) -> None:
    built = [dimension_scores_chart(scores), gap_dumbbell_chart(gaps), answer_distribution_chart(distribution()),
             pipeline_charts.reasons_chart(pipeline_tables()["reasons"]), priority_chart(pd.DataFrame(
                 {"dimension_name": [TRICKY], "team": ["sales"], "score": [20.0], "importance": [0.5],
                  "quadrant": ["Fix first"]}))]
    for chart in built:
        result = spec(chart)
        expressions = [json.dumps(node[key]) for node in walk(result) for key in ("expr", "filter", "calculate", "test")
                       if key in node]
        assert not any("O'Brien" in text for text in expressions), "user text must travel as data only"
        assert any("O'Brien" in json.dumps(rows) for rows in result["datasets"].values())


def change_rows() -> pd.DataFrame:
    return pd.DataFrame({"team": ["marketing", "sales", "marketing", "sales"],
                         "dimension_id": ["a", "a", "b", "b"], "dimension_name": [TRICKY, TRICKY, "Trust", "Trust"],
                         "score": [70.0, 45.0, 60.0, 50.0], "previous_score": [60.0, 50.0, np.nan, 40.0],
                         "change": [10.0, -5.0, np.nan, 10.0]})


def test_round_change_draws_from_the_previous_score_to_this_one_and_leaves_input_alone() -> None:
    frame = change_rows()
    before = frame.copy()
    result = spec(round_change_chart(frame))
    pd.testing.assert_frame_equal(frame, before)
    assert result["description"] == ("Chart of how 3 team scores moved since the previous round across 2 dimensions: "
                                     "2 rose, 1 fell; 1 not compared because a round had too few answers.")
    assert any(enc.get("x", {}).get("field") == "previous_score" and enc.get("x2", {}).get("field") == "score"
               for enc in encodings(result))
    sent = [row for rows in result["datasets"].values() for row in rows]
    assert len(sent) == 3 and all(row["change"] is not None for row in sent)
    expressions = [json.dumps(node[key]) for node in walk(result) for key in ("expr", "filter", "calculate", "test")
                   if key in node]
    assert not any("O'Brien" in text for text in expressions)


def test_charts_module_has_no_streamlit() -> None:
    source = open(charts.__file__, encoding="utf-8").read() + open(pipeline_charts.__file__, encoding="utf-8").read()
    assert "streamlit" not in source
