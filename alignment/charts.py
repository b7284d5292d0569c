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
import pandas as pd

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
PRESENTATION_FONT_SCALE: Final = 1.75
BASE_LABEL_PX: Final = 12
BASE_TITLE_PX: Final = 13


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


def _ordered_teams(values: pd.Series) -> list[str]:
    present = [str(v) for v in pd.unique(values.dropna())]
    known = [t for t in TEAM_COLOURS if t in present]
    return known + sorted(t for t in present if t not in TEAM_COLOURS)


def _finish(chart: alt.Chart, description: str, font_scale: float, height: int | None = None) -> alt.Chart:
    """Apply alt text, sizes and readable fonts; the last step of every builder."""
    label_px = round(BASE_LABEL_PX * font_scale)
    title_px = round(BASE_TITLE_PX * font_scale)
    props: dict[str, object] = {"description": description}
    if height is not None:
        props["height"] = height
    return (
        chart.properties(**props)
        .configure_axis(labelFontSize=label_px, titleFontSize=title_px, labelLimit=int(260 * font_scale))
        .configure_legend(labelFontSize=label_px, titleFontSize=title_px, orient="top", labelLimit=0)
        .configure_title(fontSize=round(15 * font_scale))
        .configure_view(stroke=None)
    )


def dimension_scores_chart(scores: pd.DataFrame, font_scale: float = 1.0) -> alt.Chart:
    """Grouped bars: each team's score (0–100) per dimension, side by side.

    ``scores`` has ``dimension_id, dimension_name, team, score, n``; rows whose score is missing
    (withheld below the threshold) are left out of the bars and named in the alt text.
    """
    data = scores.loc[:, ["dimension_id", "dimension_name", "team", "score", "n"]].copy()
    withheld = data[data["score"].isna()]
    data = data[data["score"].notna()].copy()
    teams = _ordered_teams(data["team"])
    data["team_label"] = data["team"].map(team_label)
    data["score"] = data["score"].astype("float64").round(1)
    dimension_order = list(pd.unique(scores["dimension_name"]))
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("dimension_name:N", title=None, sort=dimension_order),
            yOffset=alt.YOffset("team_label:N", sort=[team_label(t) for t in teams]),
            x=alt.X("score:Q", title="Score (0–100)", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("team_label:N", title="Team", scale=team_scale(teams)),
            tooltip=[
                alt.Tooltip("dimension_name:N", title="Dimension"),
                alt.Tooltip("team_label:N", title="Team"),
                alt.Tooltip("score:Q", title="Score", format=".1f"),
                alt.Tooltip("n:Q", title="Respondents"),
            ],
        )
    )
    description = f"Bar chart of scores from 0 to 100 for {len(dimension_order)} dimensions, one bar per team " + (
        ", ".join(team_label(t) for t in teams) or "(no team has enough answers)"
    )
    if len(withheld):
        description += f"; {len(withheld)} team scores withheld because too few people answered"
    height = max(160, 22 * max(1, len(teams)) * max(1, len(dimension_order)))
    return _finish(chart, description + ".", font_scale, height=int(height * min(font_scale, 1.5)))
