"""Perception scores: what each team says, how far apart the teams are, and how sure we can be.

Definitions (shown on the Alignment page as well):

- **Item score** of a team: the mean of its 1–5 answers rescaled to 0–100, ``(mean − 1) / 4 × 100``,
  so 0 is "everyone strongly disagrees", 50 is "neither" and 100 is "everyone strongly agrees".
  "Don't know" answers are left out of the mean and counted in ``n_dont_know``.
- **Dimension score**: the mean of the dimension's item scores that are shown (items answered by at
  least ``k`` people), so a withheld item can never be worked out from the dimension score.
- **Self / other / overall**: for a dimension about marketing's practice, marketing's score is the
  self-rating and sales' score the other-rating (and the mirror for sales' practice); "both"
  dimensions have no self or other. Overall is the mean of the team scores that are shown, so
  every team counts once whatever its size.
- **Perception gap**: marketing's score minus sales' score (per item and per dimension); the
  interval comes from ``alignment.gaps``.
- **Agreement within a team**: the spread of its answers. ``sd`` is the sample standard deviation
  (for a dimension, the root of the mean item variance); ``r_wg = 1 − s² / σ²_EU`` where
  ``σ²_EU = (A² − 1) / 12 = 2`` is the variance of random answers on A = 5 points, truncated to
  0–1. Answers are flagged as **split** when ``r_wg < 0.5``, i.e. ``sd`` above 1.0 on the 1–5
  scale: the average then hides people who disagree with each other.
- **Alignment index** (0–100): see ``alignment_index``.

Suppression: every figure that rests on fewer than ``k`` people is withheld (value NA,
``suppressed`` True, ``reason`` saying why); filters that could isolate a small group are checked by
``alignment.suppression.check_filter``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from alignment.answer_matrix import AnswerMatrix, as_matrix, framework_items
from alignment.catalogue import load_catalogue
from alignment.framework import Framework

MARKETING: Final = "marketing"
SALES: Final = "sales"
SCALE_POINTS: Final = 5
EXPECTED_UNIFORM_VARIANCE: Final = (SCALE_POINTS**2 - 1) / 12
SPLIT_RWG: Final = 0.5


def too_few(k: int) -> str:
    """The reason shown where a figure is withheld."""
    return f"fewer than {k} people answered"


def to_score(mean: pd.Series | np.ndarray | float) -> pd.Series | np.ndarray | float:
    """Rescale a 1–5 mean to 0–100: ``(mean − 1) / 4 × 100``."""
    return (mean - 1.0) / (SCALE_POINTS - 1) * 100.0


def prepared_answers(answers: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Answers to the framework's items with ``value`` as float (NaN = don't know) and ``dimension_id``."""
    items = framework_items(framework)[["item_id", "dimension_id"]]
    data = answers.loc[:, ["participant_id", "team", "item_id", "value"]].copy()
    data["item_id"] = data["item_id"].astype("string")
    data["value"] = pd.to_numeric(data["value"], errors="coerce").astype("float64")
    data["team"] = data["team"].astype("string")
    return data.merge(items.astype({"item_id": "string"}), on="item_id", how="inner")


def team_item_stats(matrix: AnswerMatrix, team: str) -> dict[str, np.ndarray]:
    """Per item, for one team: answered, n (1–5 answers), mean and sample variance."""
    rows = matrix.rows_of(team)
    values, answered = matrix.values[rows], matrix.answered[rows]
    rated = ~np.isnan(values)
    n = rated.sum(axis=0)
    filled = np.where(rated, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=0) / n
        var = ((np.where(rated, values - mean, 0.0)) ** 2).sum(axis=0) / (n - 1)
    return {"answered": answered.sum(axis=0), "n": n, "mean": mean, "var": np.where(n > 1, var, np.nan)}


def item_scores(answers: pd.DataFrame | AnswerMatrix, framework: Framework, k: int) -> pd.DataFrame:
    """Item score per team: ``team, item_id, dimension_id, n, n_dont_know, mean, sd, score, suppressed, reason``.

    ``n`` counts people who gave a 1–5 answer; ``n_dont_know`` those who answered "don't know".
    The mean, sd and score are withheld when ``n < k``. ``answers`` is a frame or an ``AnswerMatrix``.
    """
    matrix = as_matrix(answers, framework)
    per_team = [team_item_stats(matrix, team) for team in matrix.team_names]
    count = len(matrix.items)

    def stacked(key: str) -> np.ndarray:
        return np.concatenate([stats[key] for stats in per_team]) if per_team else np.zeros(0)

    n, answered = stacked("n").astype("int64"), stacked("answered").astype("int64")
    suppressed = n < k
    mean = np.where(suppressed, np.nan, stacked("mean"))
    var = np.where(suppressed, np.nan, stacked("var"))
    table = pd.DataFrame({
        "team": np.repeat(np.array(matrix.team_names, dtype=object), count),
        "item_id": np.tile(matrix.items["item_id"].to_numpy(dtype=object), len(per_team)),
        "dimension_id": np.tile(matrix.items["dimension_id"].to_numpy(dtype=object), len(per_team)),
        "answered": answered, "n": n, "mean": mean, "var": var, "n_dont_know": answered - n,
        "sd": np.sqrt(var), "score": to_score(mean), "suppressed": suppressed,
        "reason": np.where(suppressed, too_few(k), ""),
    })
    return table[table["answered"] > 0].reset_index(drop=True)


def _suppress(table: pd.DataFrame, mask: pd.Series, columns: list[str], k: int) -> pd.DataFrame:
    table = table.copy()
    table["suppressed"] = mask.to_numpy(dtype=bool)
    for column in columns:
        table[column] = table[column].astype("float64").mask(table["suppressed"])
    table["reason"] = pd.Series(np.where(table["suppressed"], too_few(k), ""), index=table.index, dtype="string")
    return table


def _per_dimension(matrix: AnswerMatrix, rows: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """People (rows) with at least one True cell in each dimension."""
    return ((cells[rows].astype("float64") @ matrix.membership) > 0).sum(axis=0)


def team_dimension_stats(matrix: AnswerMatrix, team: str, k: int) -> dict[str, np.ndarray]:
    """Per dimension, for one team: people rating it, present, don't knows, shown items, mean score."""
    rows = matrix.rows_of(team)
    stats = team_item_stats(matrix, team)
    shown = stats["n"] >= k
    item_score = np.where(shown, to_score(stats["mean"]), 0.0)
    items_shown = shown.astype("float64") @ matrix.membership
    with np.errstate(invalid="ignore", divide="ignore"):
        score = (item_score @ matrix.membership) / items_shown
    unknown = (matrix.answered & ~matrix.rated)[rows].sum(axis=0) @ matrix.membership
    spread = shown & ~np.isnan(stats["var"])
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (np.where(spread, stats["var"], 0.0) @ matrix.membership) / (spread.astype("float64") @ matrix.membership)
    return {"n": _per_dimension(matrix, rows, matrix.rated), "present": _per_dimension(matrix, rows, matrix.answered),
            "n_dont_know": unknown.astype("int64"), "items_shown": items_shown.astype("int64"), "score": score,
            "var": var}


def dimension_scores(answers: pd.DataFrame | AnswerMatrix, framework: Framework, k: int) -> pd.DataFrame:
    """Dimension score per team, one row per (dimension, team) in framework order.

    Columns: ``dimension_id, dimension_name, group_id, practice_of, team, score, n, n_dont_know,
    items_shown, suppressed, reason``. ``n`` counts people with at least one 1–5 answer in the
    dimension. The score is the mean of the item scores that are shown; it is withheld when
    ``n < k`` or no item is shown.
    """
    return _dimension_grid(as_matrix(answers, framework), k).drop(columns="var")


def _dimension_grid(matrix: AnswerMatrix, k: int) -> pd.DataFrame:
    """``dimension_scores`` plus ``var``, the mean variance of the dimension's shown items."""
    teams = matrix.team_names
    per_team = [team_dimension_stats(matrix, team, k) for team in teams]
    dims = matrix.items.drop_duplicates("dimension_id").reset_index(drop=True)
    count = len(dims)
    # framework order first, then team: row (d, t) of the grid is dimension d of team t
    order = (np.arange(len(teams))[None, :] * count + np.arange(count)[:, None]).ravel()

    def grid(key: str) -> np.ndarray:
        return np.concatenate([stats[key] for stats in per_team])[order] if per_team else np.zeros(0)

    n, items_shown = grid("n").astype("int64"), grid("items_shown").astype("int64")
    suppressed = (n < k) | (items_shown == 0)
    position = np.repeat(np.arange(count), len(teams))
    table = pd.DataFrame({
        "dimension_id": dims["dimension_id"].to_numpy(dtype=object)[position],
        "dimension_name": dims["dimension_name"].to_numpy(dtype=object)[position],
        "group_id": dims["group_id"].to_numpy(dtype=object)[position],
        "practice_of": dims["practice_of"].to_numpy(dtype=object)[position],
        "team": np.tile(np.array(teams, dtype=object), count),
        "score": np.where(suppressed, np.nan, grid("score")), "n": n,
        "n_dont_know": grid("n_dont_know").astype("int64"), "items_shown": items_shown,
        "suppressed": suppressed, "reason": np.where(suppressed, too_few(k), ""), "present": grid("present"),
        "var": grid("var"),
    })
    return table[table["present"] > 0].drop(columns="present").reset_index(drop=True)


def self_other(dimensions: pd.DataFrame) -> pd.DataFrame:
    """Self-rating against other-rating per dimension, with the overall view.

    From ``dimension_scores``: ``dimension_id, dimension_name, practice_of, self_team, self_score,
    other_team, other_score, self_minus_other, overall``. Shared ("both") dimensions have NA self
    and other; ``overall`` is the mean of all shown team scores.
    """
    base = dimensions.drop_duplicates("dimension_id")[["dimension_id", "dimension_name", "practice_of"]]
    wide = dimensions.set_index(["dimension_id", "team"])["score"].unstack("team").reindex(base["dimension_id"])
    out = base.reset_index(drop=True)
    nothing = np.full(len(out), np.nan)
    team_score = {team: wide[team].to_numpy(dtype="float64") if team in wide.columns else nothing
                  for team in (MARKETING, SALES)}
    practice = out["practice_of"].to_numpy(dtype=object)
    out["overall"] = wide.mean(axis=1, skipna=True).to_numpy(dtype="float64") if len(wide.columns) else nothing
    out["self_team"] = pd.Series(np.where(np.isin(practice, [MARKETING, SALES]), practice, None), dtype="object")
    out["other_team"] = out["self_team"].map({MARKETING: SALES, SALES: MARKETING})
    out["self_score"] = np.select([practice == MARKETING, practice == SALES],
                                  [team_score[MARKETING], team_score[SALES]], np.nan)
    out["other_score"] = np.select([practice == MARKETING, practice == SALES],
                                   [team_score[SALES], team_score[MARKETING]], np.nan)
    out["self_minus_other"] = out["self_score"] - out["other_score"]
    columns = ["dimension_id", "dimension_name", "practice_of", "self_team", "self_score", "other_team",
               "other_score", "self_minus_other", "overall"]
    return out[columns]


def agreement(answers: pd.DataFrame | AnswerMatrix, framework: Framework, k: int) -> pd.DataFrame:
    """Within-team agreement per dimension: ``team, dimension_id, n, sd, r_wg, split, suppressed, reason``.

    ``sd = √(mean item variance)`` over the items shown; ``r_wg = max(0, 1 − mean item variance / 2)``;
    ``split`` when ``r_wg < 0.5``. Withheld when fewer than ``k`` people (or fewer than 2) answered.
    """
    table = _dimension_grid(as_matrix(answers, framework), k)
    table["sd"] = np.sqrt(table["var"])
    table["r_wg"] = (1.0 - table["var"] / EXPECTED_UNIFORM_VARIANCE).clip(lower=0.0, upper=1.0)
    table = _suppress(table, (table["n"] < max(k, 2)) | table["var"].isna(), ["sd", "r_wg"], k)
    table["split"] = (table["r_wg"] < SPLIT_RWG).fillna(False).astype(bool)
    return table[["team", "dimension_id", "dimension_name", "n", "sd", "r_wg", "split", "suppressed", "reason"]]


def dont_know_share(answers: pd.DataFrame | AnswerMatrix, framework: Framework, k: int,
                    by_dimension: bool = True) -> pd.DataFrame:
    """Share of "don't know" answers: ``dont_know / answers`` per team (and dimension).

    Columns: ``team, [dimension_id,] respondents, answers, dont_know, share, suppressed, reason``;
    withheld when fewer than ``k`` people answered.
    """
    matrix = as_matrix(answers, framework)
    unknown = matrix.answered & ~matrix.rated
    frames = []
    for team in matrix.team_names:
        rows = matrix.rows_of(team)
        if by_dimension:
            frames.append(pd.DataFrame({
                "team": team, "dimension_id": matrix.dimension_ids,
                "respondents": _per_dimension(matrix, rows, matrix.answered),
                "answers": (matrix.answered[rows].sum(axis=0) @ matrix.membership).astype("int64"),
                "dont_know": (unknown[rows].sum(axis=0) @ matrix.membership).astype("int64")}))
        else:
            frames.append(pd.DataFrame({"team": [team], "respondents": [int(matrix.answered[rows].any(axis=1).sum())],
                                        "answers": [int(matrix.answered[rows].sum())],
                                        "dont_know": [int(unknown[rows].sum())]}))
    keys = ["team", "dimension_id"] if by_dimension else ["team"]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=[*keys, "respondents", "answers", "dont_know"])
    table = table[table["answers"] > 0].reset_index(drop=True)
    table["share"] = table["dont_know"] / table["answers"]
    return _suppress(table, table["respondents"] < k, ["share"], k)


def answer_distribution(answers: pd.DataFrame, framework: Framework, k: int, dimension_id: str) -> pd.DataFrame:
    """How each team answered each item of one dimension, for the diverging bar.

    One row per (team, item, answer 1–5 or "don't know"): ``team, item_id, item_no, item_text, value,
    label, count, share, rated, suppressed``. ``share`` is of the team's 1–5 answers to the item
    (don't know: of all its answers). A team–item with fewer than ``k`` answers is withheld (no rows
    of counts, ``suppressed`` True).
    """
    dimension = framework.dimension(dimension_id)
    labels = {point.value: point.label for point in framework.scale}
    data = prepared_answers(answers, framework)
    data = data[data["dimension_id"] == dimension_id]
    data = data.assign(value=data["value"].fillna(0).astype("int64"))
    counts = data.groupby(["team", "item_id", "value"], observed=True).size().rename("count")
    teams = sorted(data["team"].dropna().unique())
    index = pd.MultiIndex.from_product([teams, [i.id for i in dimension.items], [1, 2, 3, 4, 5, 0]],
                                       names=["team", "item_id", "value"])
    table = counts.reindex(index, fill_value=0).reset_index()
    table["rated"] = table["count"].where(table["value"] > 0, 0).groupby([table["team"], table["item_id"]]).transform(
        "sum")
    answered = table.groupby(["team", "item_id"])["count"].transform("sum")
    table["share"] = np.where(table["value"] > 0, table["count"] / table["rated"].where(table["rated"] > 0),
                              table["count"] / answered.where(answered > 0))
    table["label"] = table["value"].map(labels).fillna(framework.dont_know_label)
    numbers = {item.id: position for position, item in enumerate(dimension.items, start=1)}
    table["item_no"] = table["item_id"].map(numbers)
    table["item_text"] = table["item_id"].map({item.id: item.text for item in dimension.items})
    table["suppressed"] = table["rated"] < k
    table["count"] = table["count"].mask(table["suppressed"])
    table["share"] = table["share"].mask(table["suppressed"])
    return table


def answer_distributions(answers: pd.DataFrame | AnswerMatrix, framework: Framework, k: int) -> dict[str, pd.DataFrame]:
    """``answer_distribution`` of every dimension at once (one pass over the answer matrix), by dimension id.

    Same rows and columns as ``answer_distribution``; a team appears in a dimension's table when it
    answered any of its items.
    """
    matrix = as_matrix(answers, framework)
    labels = {point.value: point.label for point in framework.scale}
    values = [1, 2, 3, 4, 5, 0]
    codes = np.where(matrix.rated, np.nan_to_num(matrix.values), 0).astype("int64")  # 0 = don't know
    slot = np.select([codes == v for v in values], list(range(len(values))), default=0)
    out: dict[str, pd.DataFrame] = {}
    teams = matrix.team_names
    counts = np.zeros((len(teams), len(matrix.items), len(values)), dtype="int64")
    for position, team in enumerate(teams):
        rows = matrix.rows_of(team)
        answered = matrix.answered[rows]
        for value_slot in range(len(values)):
            counts[position, :, value_slot] = ((slot[rows] == value_slot) & answered).sum(axis=0)
    item_dimension = matrix.items["dimension_id"].to_numpy(dtype=object)
    for dimension in framework.dimensions:
        columns = np.flatnonzero(item_dimension == dimension.id)
        present = [t for position, t in enumerate(teams) if counts[position][columns].sum() > 0]
        chosen = counts[[teams.index(t) for t in present]][:, columns, :] if present else np.zeros((0, 0, 6), int)
        item_ids = matrix.items["item_id"].to_numpy(dtype=object)[columns]
        table = pd.DataFrame({
            "team": np.repeat(np.array(present, dtype=object), len(columns) * len(values)),
            "item_id": np.tile(np.repeat(item_ids, len(values)), len(present)),
            "value": np.tile(np.array(values, dtype="int64"), len(present) * len(columns)),
            "count": chosen.reshape(-1).astype("float64"),
        })
        rated = chosen[:, :, :5].sum(axis=2)
        answered = chosen.sum(axis=2)
        table["rated"] = np.repeat(rated.reshape(-1), len(values))
        whole = np.repeat(answered.reshape(-1), len(values)).astype("float64")
        with np.errstate(invalid="ignore", divide="ignore"):
            table["share"] = np.where(table["value"] > 0, table["count"] / table["rated"].where(table["rated"] > 0),
                                      table["count"] / np.where(whole > 0, whole, np.nan))
        table["label"] = table["value"].map(labels).fillna(framework.dont_know_label)
        table["item_no"] = table["item_id"].map({item.id: n for n, item in enumerate(dimension.items, start=1)})
        table["item_text"] = table["item_id"].map({item.id: item.text for item in dimension.items})
        table["suppressed"] = table["rated"] < k
        table["count"] = table["count"].mask(table["suppressed"])
        table["share"] = table["share"].mask(table["suppressed"])
        out[dimension.id] = table
    return out


def respondents_by_team(answers: pd.DataFrame | AnswerMatrix, k: int) -> pd.DataFrame:
    """People who answered per team: ``team, respondents, enough`` (enough = at least ``k``)."""
    if isinstance(answers, AnswerMatrix):
        teams, counts = np.unique(answers.teams.astype(str), return_counts=True)
        table = pd.DataFrame({"team": teams, "respondents": counts.astype("int64")})
    else:
        table = answers.groupby("team", observed=True)["participant_id"].nunique().rename("respondents").reset_index()
    table["enough"] = table["respondents"] >= k
    return table.sort_values("respondents", ascending=False, kind="stable").reset_index(drop=True)


def importance_share(importance: pd.DataFrame, framework: Framework, k: int) -> pd.DataFrame:
    """How often each dimension was picked as critical, per team.

    ``share = people in the team who picked the dimension / people in the team who made picks``.
    Columns: ``team, dimension_id, picks, respondents, share, suppressed, reason``; every dimension of
    the framework appears for every team (0 picks included); withheld when ``respondents < k``.
    """
    dims = [d.id for d in framework.dimensions]
    picks = importance[importance["dimension_id"].isin(dims)].drop_duplicates(["participant_id", "dimension_id"])
    team_codes, teams = pd.factorize(picks["team"].astype(str), sort=True)
    dim_codes = pd.Categorical(picks["dimension_id"], categories=dims).codes
    counts = np.bincount(team_codes * len(dims) + dim_codes, minlength=len(teams) * len(dims)).reshape(-1, len(dims))
    people = picks.drop_duplicates("participant_id")
    respondents = np.bincount(pd.Categorical(people["team"].astype(str), categories=teams).codes,
                              minlength=len(teams))
    table = pd.DataFrame({"team": np.repeat(np.asarray(teams, dtype=object), len(dims)),
                          "dimension_id": np.tile(np.array(dims, dtype=object), len(teams)),
                          "picks": counts.ravel().astype("int64"),
                          "respondents": np.repeat(respondents, len(dims)).astype("int64")})
    table["share"] = table["picks"] / table["respondents"].where(table["respondents"] > 0)
    return _suppress(table, table["respondents"] < k, ["share"], k)


def priorities(dimensions: pd.DataFrame, importance: pd.DataFrame) -> pd.DataFrame:
    """Priority quadrant per team and dimension from scores and importance shares.

    A dimension is *important* for a team when its importance share is above the team's mean share
    (more often picked than an even spread of picks would give), and *low* when its score is below
    the team's mean dimension score. Quadrants:
    important and low = "Fix first"; important and high = "Protect"; less important and low =
    "Watch"; less important and high = "Keep". Rows where either figure is withheld are dropped.
    """
    table = dimensions[["dimension_id", "dimension_name", "team", "score"]].merge(
        importance[["team", "dimension_id", "share"]], on=["team", "dimension_id"], how="inner"
    )
    table = table.dropna(subset=["score", "share"]).copy()
    mean_share = table.groupby("team")["share"].transform("mean")
    mean_score = table.groupby("team")["score"].transform("mean")
    important, low = table["share"] > mean_share, table["score"] < mean_score
    table["quadrant"] = np.select(
        [important & low, important & ~low, ~important & low], ["Fix first", "Protect", "Watch"], default="Keep"
    )
    return table.rename(columns={"share": "importance"}).reset_index(drop=True)


def round_change(answers: pd.DataFrame, framework: Framework, k: int) -> pd.DataFrame:
    """Dimension score per team and round, with the change since the team's previous round, in the
    framework's order of dimensions.

    Columns: ``round_no, team, dimension_id, dimension_name, score, previous_score, change``;
    ``change`` is NA when either round's score is withheld.
    """
    frames = [
        dimension_scores(answers[answers["round_no"] == r], framework, k).assign(round_no=int(r))
        for r in sorted(answers["round_no"].dropna().unique())
    ]
    if not frames:
        return pd.DataFrame(columns=["round_no", "team", "dimension_id", "dimension_name", "score",
                                     "previous_score", "change"])
    position = {dimension.id: number for number, dimension in enumerate(framework.dimensions)}
    table = pd.concat(frames, ignore_index=True)
    table = table.assign(_position=table["dimension_id"].map(position)).sort_values(
        ["team", "_position", "round_no"], kind="stable")  # the framework's order of dimensions
    table["previous_score"] = table.groupby(["team", "dimension_id"])["score"].shift(1)
    table["change"] = table["score"] - table["previous_score"]
    columns = ["round_no", "team", "dimension_id", "dimension_name", "score", "previous_score", "change"]
    return table[columns].reset_index(drop=True)


@dataclass(frozen=True)
class AlignmentIndex:
    """The alignment index and the parts it is made of (all 0–100, None when not computable)."""

    index: float | None
    level: float | None
    consistency: float | None
    band: str | None
    hbr_equivalent: float | None
    dimensions_used: int
    reason: str = ""


def band_for(index: float) -> str:
    """The Kotler, Rackham & Krishnaswamy (HBR 2006) band of a 0–100 index, from the catalogue's bands.

    Their instrument sums 20 answers of 1–5 (20–100) and bands it 20–39 Undefined, 40–59 Defined,
    60–79 Aligned, 80–100 Integrated. A 0–100 score s is the same mean answer as ``20 + 0.8 s`` on
    their scale, so the cut points 40 / 60 / 80 become 25 / 50 / 75 here (``data/metrics.yaml``).
    """
    return load_catalogue().band(index).name


def alignment_index(dimensions: pd.DataFrame, gaps: pd.DataFrame) -> AlignmentIndex:
    """Alignment index = level × consistency / 100, over dimensions where both teams are shown
    (``dimensions`` is not used; the gaps table holds both teams' scores).

    - **level**: mean over those dimensions of (marketing score + sales score) / 2 — how well the
      two teams rate the practice, each team counting once;
    - **consistency**: 100 − the mean absolute perception gap over the same dimensions — how close
      the two views are;
    - **index**: the level discounted by the share of the scale that separates the teams, so a high
      level with a wide gap, or a low level the teams agree on, both stay low. Band: ``band_for``.
    """
    shown = gaps.dropna(subset=["gap", "marketing", "sales"])
    if shown.empty:
        reason = "needs scores from both marketing and sales (each with at least k people)"
        return AlignmentIndex(None, None, None, None, None, 0, reason)
    level = float(((shown["marketing"] + shown["sales"]) / 2).mean())
    consistency = float(100.0 - shown["gap"].abs().mean())
    index = level * consistency / 100.0
    return AlignmentIndex(
        index=index, level=level, consistency=consistency, band=band_for(index),
        hbr_equivalent=20.0 + 0.8 * index, dimensions_used=int(len(shown)),
    )
