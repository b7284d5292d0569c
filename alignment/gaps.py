"""Perception gaps between marketing and sales, with bootstrap intervals.

**Gap** = marketing's score − sales' score, per item and per dimension (scores as defined in
``alignment.scoring``). Positive: marketing sees the practice more favourably than sales does.

**Interval**: a percentile bootstrap. Each resample draws, within each team separately, as many
respondents as the team has, with replacement (whole respondents, so one person's answers stay
together), recomputes both teams' item and dimension scores and takes the difference; the interval
is the 2.5th and 97.5th percentile of those differences (for 95%). It is seeded, so the same answers
always give the same interval. A gap from three people gets a wide interval — shown as such rather
than as a certainty. Resampling is vectorised: a resample is a row ``W`` of how often each
respondent was drawn, and the resampled sums are ``W @ answers``.
"""

from __future__ import annotations

import warnings
from typing import Final, NamedTuple

import numpy as np
import pandas as pd

from alignment.answer_matrix import AnswerMatrix, as_matrix
from alignment.framework import Framework
from alignment.scoring import MARKETING, SALES, team_dimension_stats, team_item_stats, to_score

DEFAULT_RESAMPLES: Final = 2000
DEFAULT_SEED: Final = 20060701


class PerceptionGaps(NamedTuple):
    """Gap tables: ``dimensions`` and ``items`` share the columns
    ``marketing, sales, gap, low, high, n_marketing, n_sales, suppressed, reason``."""

    dimensions: pd.DataFrame
    items: pd.DataFrame


def _resampled_scores(
    matrix: np.ndarray, shown_items: np.ndarray, item_dim: np.ndarray, resamples: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap item scores (resamples × items) and dimension scores (resamples × dimensions)."""
    people = matrix.shape[0]
    draws = rng.integers(0, people, size=(resamples, people)) + people * np.arange(resamples)[:, None]
    weights = np.bincount(draws.ravel(), minlength=resamples * people).reshape(resamples, people).astype("float64")
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


def _team_points(matrix: AnswerMatrix, team: str, k: int) -> dict[str, np.ndarray]:
    """A team's shown item and dimension scores (NaN when withheld) and their ``n``."""
    if team not in matrix.team_names:
        items, dims = len(matrix.items), len(matrix.dimension_ids)
        return {"item": np.full(items, np.nan), "item_n": np.zeros(items, dtype="int64"),
                "dimension": np.full(dims, np.nan), "dimension_n": np.zeros(dims, dtype="int64")}
    stats, dims = team_item_stats(matrix, team), team_dimension_stats(matrix, team, k)
    shown = (dims["n"] >= k) & (dims["items_shown"] > 0)
    return {"item": np.where(stats["n"] >= k, to_score(stats["mean"]), np.nan), "item_n": stats["n"],
            "dimension": np.where(shown, dims["score"], np.nan), "dimension_n": dims["n"]}


def perception_gaps(
    answers: pd.DataFrame | AnswerMatrix,
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
    matrix = as_matrix(answers, framework)
    points = {team: _team_points(matrix, team, k) for team in (MARKETING, SALES)}
    rng = np.random.default_rng(seed)
    draws = {}
    for team in (MARKETING, SALES):
        team_values = matrix.values[matrix.rows_of(team)]
        if team_values.shape[0] == 0:
            draws[team] = (np.full((resamples, len(matrix.items)), np.nan),
                           np.full((resamples, len(matrix.dimension_ids)), np.nan))
        else:
            shown = ~np.isnan(points[team]["item"])
            draws[team] = _resampled_scores(team_values, shown, matrix.item_dimension, resamples, rng)
    items = _table(points, "item", *_interval(draws[MARKETING][0] - draws[SALES][0], confidence), k)
    dimensions = _table(points, "dimension", *_interval(draws[MARKETING][1] - draws[SALES][1], confidence), k)
    meta = matrix.items
    for column in meta.columns:
        items[column] = meta[column].to_numpy(dtype=object)
    dim_meta = meta.drop_duplicates("dimension_id")
    for column in ("dimension_id", "dimension_name", "group_id", "group_name", "practice_of"):
        dimensions[column] = dim_meta[column].to_numpy(dtype=object)
    return PerceptionGaps(dimensions=dimensions, items=items)


def _table(points: dict[str, dict[str, np.ndarray]], level: str, low: np.ndarray, high: np.ndarray,
           k: int) -> pd.DataFrame:
    marketing, sales = points[MARKETING][level], points[SALES][level]
    gap = marketing - sales
    suppressed = np.isnan(gap)
    return pd.DataFrame({
        MARKETING: marketing, f"n_{MARKETING}": points[MARKETING][f"{level}_n"].astype("int64"),
        SALES: sales, f"n_{SALES}": points[SALES][f"{level}_n"].astype("int64"), "gap": gap,
        "low": np.where(suppressed, np.nan, low), "high": np.where(suppressed, np.nan, high),
        "suppressed": suppressed,
        "reason": np.where(suppressed, f"needs at least {k} people from marketing and from sales", ""),
    })


def largest_gap(gaps: pd.DataFrame) -> pd.Series | None:
    """The dimension (row of ``PerceptionGaps.dimensions``) with the largest absolute gap, or None."""
    shown = gaps.dropna(subset=["gap"])
    if shown.empty:
        return None
    return shown.loc[shown["gap"].abs().idxmax()]
