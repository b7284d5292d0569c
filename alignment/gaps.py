"""Perception gaps between marketing and sales, with bootstrap intervals.

**Gap** = marketing's score − sales' score, per item and per dimension (scores as defined in
``alignment.scoring``). Positive: marketing sees the practice more favourably than sales does.

**Interval**: a percentile bootstrap. Each resample draws, within each team separately, as many
respondents as the team has, with replacement (whole respondents, so one person's answers stay
together), recomputes both teams' item and dimension scores and takes the difference; the interval
is the 2.5th and 97.5th percentile of those differences (for 95%). It is seeded, so the same answers
always give the same interval. A gap from three people gets a wide interval — shown as such rather
than as a certainty. Resampling is vectorised: a resample is a row of multinomial counts ``W`` and
the resampled sums are ``W @ answers``.
"""

from __future__ import annotations

import warnings
from typing import Final, NamedTuple

import numpy as np
import pandas as pd

from alignment.framework import Framework
from alignment.scoring import MARKETING, SALES, dimension_scores, framework_items, item_scores, prepared_answers

DEFAULT_RESAMPLES: Final = 2000
DEFAULT_SEED: Final = 20060701


class PerceptionGaps(NamedTuple):
    """Gap tables: ``dimensions`` and ``items`` share the columns
    ``marketing, sales, gap, low, high, n_marketing, n_sales, suppressed, reason``."""

    dimensions: pd.DataFrame
    items: pd.DataFrame


def _answer_matrix(data: pd.DataFrame, team: str, item_ids: list[str]) -> np.ndarray:
    """Respondents × items matrix of 1–5 answers (NaN for don't know or not answered)."""
    rows = data[data["team"] == team]
    people, person_codes = np.unique(rows["participant_id"].to_numpy(), return_inverse=True)
    position = pd.Series(np.arange(len(item_ids)), index=item_ids)
    matrix = np.full((len(people), len(item_ids)), np.nan)
    matrix[person_codes, position.loc[rows["item_id"]].to_numpy()] = rows["value"].to_numpy(dtype="float64")
    return matrix


def _resampled_scores(
    matrix: np.ndarray, shown_items: np.ndarray, item_dim: np.ndarray, resamples: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap item scores (resamples × items) and dimension scores (resamples × dimensions)."""
    people = matrix.shape[0]
    weights = rng.multinomial(people, np.full(people, 1.0 / people), size=resamples).astype("float64")
    answered = ~np.isnan(matrix)
    sums = weights @ np.where(answered, matrix, 0.0)
    counts = weights @ answered.astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        items = (sums / counts - 1.0) / 4.0 * 100.0
    usable = ~np.isnan(items) & shown_items[None, :]
    dims = np.zeros((item_dim.max() + 1, len(item_dim)))
    dims[item_dim, np.arange(len(item_dim))] = 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        dimension = (np.where(usable, items, 0.0) @ dims.T) / (usable.astype("float64") @ dims.T)
    return items, dimension


def _interval(draws: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    tail = (1.0 - confidence) / 2.0 * 100.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # columns without any draw (withheld gaps) give NaN
        low, high = np.nanpercentile(draws, [tail, 100.0 - tail], axis=0)
    return low, high


def _point_table(scores: pd.DataFrame, key: str, index: list[str]) -> pd.DataFrame:
    """Marketing's and sales' score and ``n`` side by side per ``key``, with their difference."""
    out = pd.DataFrame(index=pd.Index(index, name=key))
    for team in (MARKETING, SALES):
        rows = scores[scores["team"] == team].set_index(key)
        out[team] = rows["score"].reindex(out.index).astype("float64")
        out[f"n_{team}"] = rows["n"].reindex(out.index)
    out["gap"] = out[MARKETING] - out[SALES]
    return out


def perception_gaps(
    answers: pd.DataFrame,
    framework: Framework,
    k: int,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = 0.95,
) -> PerceptionGaps:
    """Marketing − sales gaps per dimension and per item, each with its bootstrap interval.

    A gap is withheld (NA, ``suppressed``) when either team's score is withheld — fewer than ``k``
    people, or one of the two teams has no answers in the current view.
    """
    meta = framework_items(framework)
    item_ids = meta["item_id"].tolist()
    dim_ids = list(dict.fromkeys(meta["dimension_id"]))
    item_dim = meta["dimension_id"].map({d: i for i, d in enumerate(dim_ids)}).to_numpy()
    items = item_scores(answers, framework, k)
    dimensions = dimension_scores(answers, framework, k)
    item_points = _point_table(items, "item_id", item_ids)
    dim_points = _point_table(dimensions, "dimension_id", dim_ids)

    data = prepared_answers(answers, framework)
    rng = np.random.default_rng(seed)
    draws = {}
    for team in (MARKETING, SALES):
        shown = item_points[team].notna().to_numpy()
        matrix = _answer_matrix(data, team, item_ids)
        if matrix.shape[0] == 0:
            draws[team] = (np.full((resamples, len(item_ids)), np.nan), np.full((resamples, len(dim_ids)), np.nan))
        else:
            draws[team] = _resampled_scores(matrix, shown, item_dim, resamples, rng)
    item_low, item_high = _interval(draws[MARKETING][0] - draws[SALES][0], confidence)
    dim_low, dim_high = _interval(draws[MARKETING][1] - draws[SALES][1], confidence)

    item_table = _finish(item_points, item_low, item_high, k).join(meta.set_index("item_id")).reset_index()
    dim_meta = meta.drop_duplicates("dimension_id").set_index("dimension_id")[
        ["dimension_name", "group_id", "group_name", "practice_of"]
    ]
    dim_table = _finish(dim_points, dim_low, dim_high, k).join(dim_meta).reset_index()
    return PerceptionGaps(dimensions=dim_table, items=item_table)


def _finish(points: pd.DataFrame, low: np.ndarray, high: np.ndarray, k: int) -> pd.DataFrame:
    table = points.copy()
    table["low"], table["high"] = low, high
    table["suppressed"] = table["gap"].isna()
    for column in ("low", "high"):
        table[column] = table[column].mask(table["suppressed"])
    for team in (MARKETING, SALES):
        table[f"n_{team}"] = table[f"n_{team}"].fillna(0).astype("int64")
    table["reason"] = np.where(table["suppressed"], f"needs both marketing and sales scores — k is {k}", "")
    return table


def largest_gap(gaps: pd.DataFrame) -> pd.Series | None:
    """The dimension (row of ``PerceptionGaps.dimensions``) with the largest absolute gap, or None."""
    shown = gaps.dropna(subset=["gap"])
    if shown.empty:
        return None
    return shown.loc[shown["gap"].abs().idxmax()]
