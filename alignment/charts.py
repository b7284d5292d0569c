"""Pure chart builders: an aggregated DataFrame in, an ``alt.Chart`` out.

Every builder copies what it needs and never changes its input, receives frames that are already
aggregated (a few thousand rows at most: ``st.altair_chart`` ships every row to the browser), puts
exact values in its tooltips and an alt text in ``description``. Teams keep one colour everywhere,
from the Okabe–Ito palette, which stays distinguishable for the common forms of colour blindness.
User text (team names, dimension names, comments) only ever travels as data, never inside a Vega
expression string.

``font_scale`` multiplies every label and title size: 1.0 for a laptop, ``PRESENTATION_FONT_SCALE``
for a projector (labels of 21 px and more).
"""

from __future__ import annotations

from typing import Final

import altair as alt
import numpy as np
import pandas as pd

from alignment import numbers

TEAM_COLOURS: Final[dict[str, str]] = {
    "marketing": "#E69F00",
    "sales": "#0072B2",
    "leadership": "#009E73",
    "customer_success": "#CC79A7",
    "other": "#999999",
}
# Further teams a workshop may add get the remaining Okabe–Ito colours in order of appearance.
_SPARE_COLOURS: Final = ("#56B4E9", "#D55E00", "#F0E442", "#000000")
TEAM_LABELS: Final[dict[str, str]] = {
    "marketing": "Marketing",
    "sales": "Sales",
    "leadership": "Leadership",
    "customer_success": "Customer success",
    "other": "Other",
}
SOURCE_COLOURS: Final[dict[str, str]] = {
    "marketing": "#E69F00",
    "sales": "#0072B2",
    "partner": "#D55E00",
    "other": "#999999",
    "unknown": "#CCCCCC",
}
ANSWER_COLOURS: Final = ("#A6611A", "#DFC27D", "#D9D9D9", "#80CDC1", "#018571")
MAX_ROWS: Final = 5000
PRESENTATION_FONT_SCALE: Final = 1.75
BASE_LABEL_PX: Final = 12
BASE_TITLE_PX: Final = 13
SCORE_AXIS: Final = alt.Axis(values=list(range(0, 101, 20)))


def team_colour(team: str) -> str:
    """The colour of a team in every chart; unknown teams get a stable spare colour."""
    if team in TEAM_COLOURS:
        return TEAM_COLOURS[team]
    return _SPARE_COLOURS[sum(team.encode("utf-8")) % len(_SPARE_COLOURS)]


def team_label(team: str) -> str:
    """A team id in the user's words: ``customer_success`` → ``Customer success``."""
    return TEAM_LABELS.get(team, str(team).replace("_", " ").capitalize())


def team_scale(teams: list[str]) -> alt.Scale:
    """A colour scale over team labels that gives every team its fixed colour."""
    return alt.Scale(domain=[team_label(t) for t in teams], range=[team_colour(t) for t in teams])


def source_label(group: str) -> str:
    """A source group in words: ``marketing`` → ``Marketing-sourced``."""
    return {"unknown": "Source unknown", "other": "Other sources"}.get(group, f"{str(group).capitalize()}-sourced")


def source_scale(groups: list[str]) -> alt.Scale:
    return alt.Scale(domain=[source_label(g) for g in groups], range=[SOURCE_COLOURS.get(g, "#999999") for g in groups])


def bounded(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A copy of the columns a chart needs; refuses raw rows (``st.altair_chart`` ships every row)."""
    if len(frame) > MAX_ROWS:
        raise ValueError(f"a chart got {len(frame):,} rows; aggregate to at most {MAX_ROWS:,} first")
    return frame.loc[:, columns].copy()


def ordered_teams(values: pd.Series) -> list[str]:
    """Teams present, the known ones first in palette order."""
    present = [str(v) for v in pd.unique(values.dropna())]
    known = [t for t in TEAM_COLOURS if t in present]
    return known + sorted(t for t in present if t not in TEAM_COLOURS)


def finish(chart: alt.Chart, description: str, font_scale: float, height: int | None = None,
           step: int | None = None) -> alt.Chart:
    """Apply alt text, sizes and readable fonts; the last step of every builder.

    ``step`` sets the height of each row of a banded y axis — of each sub-row where ``yOffset`` splits
    rows — so the chart grows with its rows and bars stay apart under Streamlit's theme; ``height``
    fixes the plot height instead.
    """
    label_px = round(BASE_LABEL_PX * font_scale)
    title_px = round(BASE_TITLE_PX * font_scale)
    # set on the chart the builder just made (no copy: .properties/.configure_* would deep-copy it each time)
    chart.description = description
    if step is not None:
        chart.height = alt.Step(int(step * min(font_scale, 1.5)))
    elif height is not None:
        chart.height = height
    chart.config = alt.Config(
        axis=alt.AxisConfig(labelFontSize=label_px, titleFontSize=title_px, labelLimit=int(260 * font_scale)),
        legend=alt.LegendConfig(labelFontSize=label_px, titleFontSize=title_px, orient="top", labelLimit=0,
                                columns=2),
        title=alt.TitleConfig(fontSize=round(15 * font_scale)),
        header=alt.HeaderConfig(labelFontSize=title_px, titleFontSize=title_px),
        view=alt.ViewConfig(stroke=None),
    )
    return chart


def _team_rows(frame: pd.DataFrame, columns: list[str], shown_if: str,
               figures: list[str]) -> tuple[pd.DataFrame, int, list[str], list[str]]:  # fmt: skip
    """The rows of a per-team, per-dimension chart: those with ``shown_if``, figures rounded to one
    decimal, a ``team_label``; with how many rows were left out, the dimension order and the teams."""
    data = bounded(frame, columns)
    left_out = int(data[shown_if].isna().sum())
    dimension_order = list(pd.unique(data["dimension_name"]))
    data = data[data[shown_if].notna()].copy()
    data["team_label"] = data["team"].map(team_label)
    for column in figures:
        data[column] = data[column].astype("float64").round(1)
    return data, left_out, dimension_order, ordered_teams(data["team"])


def dimension_scores_chart(scores: pd.DataFrame, font_scale: float = 1.0) -> alt.Chart:
    """Grouped bars: each team's score (0–100) per dimension, side by side.

    ``scores`` has ``dimension_id, dimension_name, team, score, n``; rows whose score is missing
    (withheld below the threshold) are left out of the bars and named in the alt text.
    """
    columns = ["dimension_id", "dimension_name", "team", "score", "n"]
    data, withheld, dimension_order, teams = _team_rows(scores, columns, "score", ["score"])
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("dimension_name:N", title=None, sort=dimension_order),
            yOffset=alt.YOffset("team_label:N", sort=[team_label(t) for t in teams]),
            x=alt.X("score:Q", title="Score (0–100)", scale=alt.Scale(domain=[0, 100]), axis=SCORE_AXIS),
            color=alt.Color("team_label:N", title="Team", scale=team_scale(teams)),
            tooltip=[
                alt.Tooltip("dimension_name:N", title="Dimension"),
                alt.Tooltip("team_label:N", title="Team"),
                alt.Tooltip("score:Q", title="Score", format=".1f"),
                alt.Tooltip("n:Q", title="Respondents"),
            ],
        )
    )
    description = f"Bar chart of scores from 0 to 100 for {len(dimension_order)} dimensions, one bar per team: " + (
        ", ".join(team_label(t) for t in teams) or "no team has enough answers"
    )
    if withheld:
        description += f"; {withheld} team scores withheld because too few people answered"
    return finish(chart, description + ".", font_scale, step=16)


def gap_dumbbell_chart(gaps: pd.DataFrame, font_scale: float = 1.0, selection: str = "dimension") -> alt.LayerChart:
    """Marketing's and sales' score per dimension joined by a line, largest gap first. Above each
    line: the dimension's name, and at the right the gap (marketing − sales) with its 95% interval,
    dark when the interval excludes zero, grey when the gap may be chance. Clicking a dimension
    selects it: the point selection ``selection`` carries ``dimension_id`` for
    ``st.altair_chart(on_select="rerun")``.

    ``gaps`` is ``PerceptionGaps.dimensions``. One layered view, so it stretches to the page width.
    """
    columns = ["dimension_id", "dimension_name", "marketing", "sales", "n_marketing", "n_sales", "gap", "low", "high"]
    wide = bounded(gaps, columns)
    wide = wide.assign(abs_gap=wide["gap"].abs()).sort_values("abs_gap", ascending=False, na_position="last")
    order = wide["dimension_name"].tolist()
    for column in ("marketing", "sales", "gap", "low", "high"):
        wide[column] = wide[column].astype("float64").round(1)
    shown = wide["gap"].notna()
    wide["gap_text"] = np.where(shown, wide["gap"].map(numbers.signed) + "  (" + wide["low"].map(numbers.signed)
                                + " to " + wide["high"].map(numbers.signed) + ")", "not shown")
    wide["certainty"] = np.where(shown & ((wide["low"] > 0) | (wide["high"] < 0)), "clear", "may be chance")
    wide["left"], wide["right"] = 0.0, 100.0
    long = wide.melt(id_vars=["dimension_id", "dimension_name", "gap_text", "n_marketing", "n_sales"],
                     value_vars=["marketing", "sales"], var_name="team", value_name="score").dropna(subset=["score"])
    long["team_label"] = long["team"].map(team_label)
    long["n"] = np.where(long["team"] == "marketing", long["n_marketing"], long["n_sales"])
    pick = alt.selection_point(name=selection, fields=["dimension_id"], on="click")
    y = alt.Y("dimension_name:N", title=None, sort=order, axis=None)
    scale = alt.Scale(domain=[0, 100], nice=False)
    axis = alt.Axis(values=list(range(0, 101, 20)), title="Score (0–100)")
    gap_tooltip = alt.Tooltip("gap_text:N", title="Gap, marketing − sales (95% interval)")
    lines = alt.Chart(wide.dropna(subset=["marketing", "sales"])).mark_rule(color="#777777", strokeWidth=2).encode(
        y=y, x=alt.X("marketing:Q", scale=scale, axis=axis), x2=alt.X2("sales:Q"),
        tooltip=[alt.Tooltip("dimension_name:N", title="Dimension"), gap_tooltip])
    teams = ["marketing", "sales"]
    points = alt.Chart(long).mark_circle(size=int(140 * font_scale), opacity=1).encode(
        y=y, x=alt.X("score:Q", scale=scale, axis=axis),
        color=alt.Color("team_label:N", title="Team", scale=team_scale(teams)),
        opacity=alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.35)),
        tooltip=[alt.Tooltip("dimension_name:N", title="Dimension"), alt.Tooltip("team_label:N", title="Team"),
                 alt.Tooltip("score:Q", title="Score", format=".1f"), alt.Tooltip("n:Q", title="Respondents"),
                 gap_tooltip],
    ).add_params(pick)
    text_size, lift = round(12 * font_scale), -round(13 * min(font_scale, 1.5))
    names = alt.Chart(wide).mark_text(align="left", baseline="middle", dy=lift, fontSize=text_size).encode(
        y=y, x=alt.X("left:Q", scale=scale, axis=axis), text=alt.Text("dimension_name:N"),
        tooltip=[alt.Tooltip("dimension_name:N", title="Dimension"), gap_tooltip])
    labels = alt.Chart(wide).mark_text(align="right", baseline="middle", dy=lift, fontSize=text_size).encode(
        y=y, x=alt.X("right:Q", scale=scale, axis=axis), text=alt.Text("gap_text:N"),
        color=alt.Color("certainty:N", scale=alt.Scale(domain=["clear", "may be chance"], range=["#1B1F24", "#8A8F98"]),
                        legend=None),
        tooltip=[alt.Tooltip("dimension_name:N", title="Dimension"), gap_tooltip])
    biggest = wide[shown].iloc[0] if shown.any() else None
    description = (
        f"Dot plot of marketing's and sales' scores for {len(order)} dimensions, sorted by the size of the gap, "
        "with each gap and its 95% interval written above the line."
        + (f" Largest gap: {biggest['dimension_name']}, {numbers.signed(biggest['gap'])} points."
           if biggest is not None else "")
    )
    layered = alt.layer(lines, points, names, labels).resolve_scale(color="independent")
    return finish(layered, description, font_scale, step=46)


def self_other_chart(view: pd.DataFrame, font_scale: float = 1.0) -> alt.Chart:
    """For dimensions about one team's practice: the self-rating beside the other team's rating.

    ``view`` is ``scoring.self_other``; shared dimensions (no self or other) are left out.
    """
    data = bounded(view, ["dimension_id", "dimension_name", "self_team", "self_score", "other_team", "other_score"])
    data = data[data["self_team"].notna()]
    long = pd.concat([
        pd.DataFrame({"dimension_name": data["dimension_name"], "team": data["self_team"],
                      "rating": "Self-rating", "score": data["self_score"]}),
        pd.DataFrame({"dimension_name": data["dimension_name"], "team": data["other_team"],
                      "rating": "Rated by the other team", "score": data["other_score"]}),
    ], ignore_index=True).dropna(subset=["score"])
    long["team_label"] = long["team"].map(team_label)
    long["score"] = long["score"].astype("float64").round(1)
    teams = ordered_teams(long["team"])
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("dimension_name:N", title=None, sort=data["dimension_name"].tolist()),
        yOffset=alt.YOffset("rating:N", sort=["Self-rating", "Rated by the other team"]),
        x=alt.X("score:Q", title="Score (0–100)", scale=alt.Scale(domain=[0, 100]), axis=SCORE_AXIS),
        color=alt.Color("team_label:N", title="Answered by", scale=team_scale(teams)),
        tooltip=[alt.Tooltip("dimension_name:N", title="Dimension"), alt.Tooltip("rating:N", title="View"),
                 alt.Tooltip("team_label:N", title="Answered by"), alt.Tooltip("score:Q", title="Score", format=".1f")],
    )
    description = (f"Bar chart comparing each team's rating of its own practice with the other team's rating, "
                   f"for {data['dimension_name'].nunique()} dimensions.")
    return finish(chart, description, font_scale, step=18)


def round_change_chart(change: pd.DataFrame, font_scale: float = 1.0) -> alt.LayerChart:
    """Where each team's score moved since the previous round: a line from the earlier score to a dot
    at the current one, per dimension and team (``change`` is ``scoring.round_change`` for one round;
    rows without both scores are left out and counted in the alt text)."""
    figures = ["previous_score", "score", "change"]
    data, missing, dimension_order, teams = _team_rows(change, ["dimension_name", "team", *figures], "change", figures)
    y = alt.Y("dimension_name:N", title=None, sort=dimension_order)
    offset = alt.YOffset("team_label:N", sort=[team_label(t) for t in teams])
    colour = alt.Color("team_label:N", title="Team", scale=team_scale(teams))
    tooltip = [
        alt.Tooltip("dimension_name:N", title="Dimension"),
        alt.Tooltip("team_label:N", title="Team"),
        alt.Tooltip("previous_score:Q", title="Previous round", format=".1f"),
        alt.Tooltip("score:Q", title="This round", format=".1f"),
        alt.Tooltip("change:Q", title="Change (points)", format="+.1f"),
    ]
    base = alt.Chart(data).encode(y=y, yOffset=offset, color=colour, tooltip=tooltip)
    moved = base.mark_rule(strokeWidth=2 * font_scale).encode(
        x=alt.X("previous_score:Q", title="Score (0–100): line from the previous round, dot at this one",
                scale=alt.Scale(domain=[0, 100]), axis=SCORE_AXIS),
        x2="score:Q",
    )
    now = base.mark_circle(size=70 * font_scale**2, opacity=1).encode(x="score:Q")
    up, down = int((data["change"] > 0).sum()), int((data["change"] < 0).sum())
    description = (f"Chart of how {len(data)} team scores moved since the previous round across "
                   f"{data['dimension_name'].nunique()} dimensions: {up} rose, {down} fell")
    if missing:
        description += f"; {missing} not compared because a round had too few answers"
    return finish(alt.layer(moved, now), description + ".", font_scale, step=16)


def answer_distribution_chart(distribution: pd.DataFrame, font_scale: float = 1.0) -> alt.Chart:
    """Diverging stacked bars of how each team answered each item of a dimension.

    Disagreement extends left of zero, agreement right; "neither" is split across zero. Don't-know
    answers are not in the bars (they are reported beside the chart). ``distribution`` is
    ``scoring.answer_distribution``; withheld team–items are left out.
    """
    data = bounded(distribution, ["team", "item_no", "item_text", "value", "label", "count", "share", "suppressed"])
    data = data[(data["value"] > 0) & ~data["suppressed"].astype(bool)].copy()
    data["row"] = "Item " + data["item_no"].astype("int64").astype(str) + " · " + data["team"].map(team_label)
    rank = {team: position for position, team in enumerate(ordered_teams(data["team"]))}
    data = data.assign(team_rank=data["team"].map(rank)).sort_values(["item_no", "team_rank", "value"])
    share = data["share"].astype("float64").fillna(0.0)
    negative = share.where(data["value"] < 3, 0.0) + share.where(data["value"] == 3, 0.0) / 2
    data["start"] = -negative.groupby(data["row"]).transform("sum") + (share.groupby(data["row"]).cumsum() - share)
    data["end"] = data["start"] + share
    data["share"] = share.round(4)
    order = list(dict.fromkeys(data["row"]))
    labels = data.drop_duplicates("value").sort_values("value")["label"].tolist()
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("row:N", title=None, sort=order),
        x=alt.X("start:Q", title="Share of answers (disagree ← → agree)", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[-1, 1])),
        x2=alt.X2("end:Q"),
        color=alt.Color("label:N", title="Answer", sort=labels,
                        scale=alt.Scale(domain=labels, range=list(ANSWER_COLOURS[: len(labels)]))),
        tooltip=[alt.Tooltip("row:N", title="Item and team"), alt.Tooltip("item_text:N", title="Statement"),
                 alt.Tooltip("label:N", title="Answer"), alt.Tooltip("count:Q", title="People"),
                 alt.Tooltip("share:Q", title="Share of 1–5 answers", format=".0%")],
    )
    description = (f"Diverging bar chart of answers per item and team for {data['item_no'].nunique()} items; "
                   "disagreement to the left of zero, agreement to the right.")
    return finish(chart, description, font_scale, step=28)


def priority_chart(priorities: pd.DataFrame, font_scale: float = 1.0) -> alt.LayerChart:
    """Importance (share who picked the dimension as critical) against score for one team; the dashed
    lines are the team's averages, and the ringed points in the lower right are the ones to fix first.

    ``priorities`` is ``scoring.priorities`` for one team (the page draws one chart per team, so
    each stretches to its column and stacks on a phone).
    """
    data = bounded(priorities, ["dimension_name", "team", "score", "importance", "quadrant"])
    data["team_label"] = data["team"].map(team_label)
    data["fix_first"] = np.where(data["quadrant"] == "Fix first", "Fix first", "Other")
    data["score"] = data["score"].astype("float64").round(1)
    teams = ordered_teams(data["team"])
    tooltip = [alt.Tooltip("dimension_name:N", title="Dimension"), alt.Tooltip("team_label:N", title="Team"),
               alt.Tooltip("importance:Q", title="Picked as critical by", format=".0%"),
               alt.Tooltip("score:Q", title="Score", format=".1f"), alt.Tooltip("quadrant:N", title="Priority")]
    base = alt.Chart(data)
    points = base.mark_circle(size=int(130 * font_scale), opacity=0.9, stroke="#1B1F24").encode(
        x=alt.X("importance:Q", title="Picked as critical", axis=alt.Axis(format="%")),
        y=alt.Y("score:Q", title="Score (0–100)", scale=alt.Scale(domain=[0, 100]), axis=SCORE_AXIS),
        color=alt.Color("team_label:N", title="Team", scale=team_scale(teams), legend=None),
        strokeWidth=alt.StrokeWidth("fix_first:N", scale=alt.Scale(domain=["Fix first", "Other"], range=[2.5, 0]),
                                    legend=None),
        tooltip=tooltip)
    across = base.mark_rule(strokeDash=[4, 4], color="#888888").encode(y=alt.Y("mean(score):Q"))
    down = base.mark_rule(strokeDash=[4, 4], color="#888888").encode(x=alt.X("mean(importance):Q"))
    fix_first = data[data["quadrant"] == "Fix first"]
    names = ", ".join(team_label(t) for t in teams)
    description = (f"Scatter plot of importance against score for {names}. Fix first: "
                   + (", ".join(sorted(set(fix_first["dimension_name"]))) or "none") + ".")
    return finish(alt.layer(down, across, points), description, font_scale, height=int(260 * min(font_scale, 1.5)))
