"""What each column holds, read from a sample of its values: the value half of the column mapping.

A :class:`ColumnProfile` is built from the first :data:`SAMPLE_ROWS` rows of a column:

- ``numeric_share``: the share of filled cells that are amounts (see :mod:`.amounts`);
- ``money_share``: the share written like money (a currency symbol or code, or exactly two decimals);
- ``currencies``: the currency codes written beside the amounts;
- ``date_share`` and ``date_range``: the share of filled cells, other than bare numbers, that are
  dates (see :mod:`.dates`) and the earliest and latest of them;
- ``median``: the median size of the non-zero amounts; ``distinct``: how many different values the sample holds;
- ``vocabulary``: per vocabulary (``stage``, ``outcome``, ``status``, ``lead_source``), the share of
  filled cells whose value is one of its words (``data/value_words.yaml``, ``stage_outcomes.yaml``,
  ``lead_sources.yaml``).

:func:`value_fit` turns a profile into how well (0–1) a column's values suit a field.
"""

from __future__ import annotations

import collections.abc
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from alignment.importing.amounts import parse_amounts
from alignment.importing.dates import parse_dates
from alignment.importing.rules import (
    DATA_DIR,
    FALSE_WORDS,
    SAFE_LOADER,
    TRUE_WORDS,
    normalise_name,
    source_rules,
    stage_rules,
)

SAMPLE_ROWS: Final = 5000
WORDS_PATH: Final = DATA_DIR / "value_words.yaml"
CATEGORICAL_DISTINCT: Final = 60
MONEY_FIELDS: Final = frozenset({"amount", "amount_cents"})
DATE_FIELDS: Final = frozenset(
    {
        "created_date",
        "close_date",
        "won_date",
        "lost_date",
        "closed_date",
        "mql_date",
        "accepted_date",
        "rejected_date",
        "first_touch_date",
        "converted_date",
    }
)
VOCABULARY_FIELDS: Final = {"stage": "stage", "outcome": "outcome", "status": "status", "lead_source": "lead_source"}
FLAG_FIELDS: Final = frozenset({"is_won", "is_closed", "is_converted"})
ID_FIELDS: Final = frozenset({"deal_id", "lead_id"})
_NUMBER_ONLY = r"^\s*-?\d+([.,]\d+)?\s*$"
_TWO_DECIMALS = r"[.,]\d{2}\s*[A-Za-z]{0,3}\s*\)?$"
_CURRENCY_MARK = r"[$£€¥₹]|\b[A-Z]{3}\b"


@lru_cache(maxsize=1)
def vocabularies() -> dict[str, frozenset[str]]:
    """The words of each vocabulary, normalised (see :func:`.rules.normalise_name`)."""
    raw = yaml.load(WORDS_PATH.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    words = {name: frozenset(normalise_name(w) for w in raw.get(name) or []) for name in ("stage", "status")}
    stages = stage_rules()
    outcomes = frozenset(stages.names)
    words["stage"] |= outcomes
    words["outcome"] = frozenset(n for n, target in stages.names.items() if target in ("won", "lost", "open"))
    words["lead_source"] = frozenset(source_rules().names) | frozenset(normalise_name(w) for w in raw["lead_source"])
    return words


def _vocabulary_share(values: list[str], counts: np.ndarray, filled: int) -> dict[str, float]:
    names = [normalise_name(v) for v in values]
    shares = {}
    stage_table, source_table = stage_rules(), source_rules()
    for vocabulary, words in vocabularies().items():
        hits = np.array([n in words for n in names], dtype=bool)
        if vocabulary == "stage":  # won/lost phrases (“Closed - Won (Partner)”) count too
            hits |= np.array([stage_table.lookup(n)[0] != "open" for n in names], dtype=bool)
        if vocabulary == "lead_source":
            hits |= np.array([source_table.lookup(n)[1] for n in names], dtype=bool)
        shares[vocabulary] = float(counts[hits].sum() / filled) if filled else 0.0
    return shares


@dataclass(frozen=True)
class ColumnProfile:
    """A column's sample in numbers (see the module docstring)."""

    column: str
    filled: int
    distinct: int
    numeric_share: float = 0.0
    money_share: float = 0.0
    integer_share: float = 0.0
    median: float = float("nan")
    currencies: tuple[str, ...] = ()
    date_share: float = 0.0
    date_range: tuple[date | None, date | None] = (None, None)
    dates: pd.Series | None = field(default=None, repr=False, compare=False)
    vocabulary: dict[str, float] = field(default_factory=dict)
    flag_share: float = 0.0

    @property
    def categorical(self) -> bool:
        """Few distinct values for the rows: a stage, status or source rather than names or IDs."""
        return 0 < self.distinct <= max(CATEGORICAL_DISTINCT, self.filled // 20) and self.distinct < self.filled


class Profiles(collections.abc.Mapping):
    """``{column: ColumnProfile}`` for a table's sample, each profile built the first time it is asked for
    (columns whose header already settled their field are never profiled)."""

    def __init__(self, table: pa.Table, sample_rows: int = SAMPLE_ROWS) -> None:
        self._sample = table.slice(0, sample_rows)
        self._built: dict[str, ColumnProfile] = {}

    def __getitem__(self, column: str) -> ColumnProfile:
        if column not in self._built:
            if column not in self._sample.column_names:
                raise KeyError(column)
            self._built[column] = profile_column(column, self._sample.column(column))
        return self._built[column]

    def __iter__(self):
        return iter(self._sample.column_names)

    def __len__(self) -> int:
        return self._sample.num_columns


def profile_column(name: str, values: pa.ChunkedArray | pa.Array) -> ColumnProfile:
    """The :class:`ColumnProfile` of ``values`` (already cut to the sample)."""
    trimmed = pc.utf8_trim_whitespace(values)
    present = pc.fill_null(pc.not_equal(trimmed, ""), False)
    filled = int(pc.sum(present).as_py() or 0)
    if not filled:
        return ColumnProfile(name, 0, 0)
    counted = pc.value_counts(trimmed.filter(present))
    categorical_limit = max(CATEGORICAL_DISTINCT, filled // 20)  # more distinct values: names, not words
    texts, counts = counted.field("values").to_pylist(), counted.field("counts").to_numpy()
    amounts = parse_amounts(values)
    numeric = ~np.isnan(amounts.values)
    numbers = amounts.values[numeric]
    plain_numbers = pc.fill_null(pc.match_substring_regex(trimmed, _NUMBER_ONLY), False).to_numpy(zero_copy_only=False)
    money_text = pc.fill_null(
        pc.or_(pc.match_substring_regex(trimmed, _TWO_DECIMALS), pc.match_substring_regex(trimmed, _CURRENCY_MARK)),
        False,
    ).to_numpy(zero_copy_only=False)
    parsed = parse_dates(values)
    dated = parsed.values.notna().to_numpy() & ~plain_numbers
    present_rows = present.to_numpy(zero_copy_only=False)
    words = [normalise_name(t) for t in texts] if len(texts) <= categorical_limit else []
    flags = counts[np.array([w in TRUE_WORDS or w in FALSE_WORDS for w in words], dtype=bool)].sum() if words else 0
    dates = parsed.values.where(pd.Series(dated))
    return ColumnProfile(
        column=name,
        filled=filled,
        distinct=len(texts),
        numeric_share=float(numeric.sum() / filled),
        money_share=float((money_text & numeric).sum() / filled),
        integer_share=float((np.floor(numbers) == numbers).mean()) if numbers.size else 0.0,
        median=float(np.median(np.abs(numbers[numbers != 0]))) if (numbers != 0).any() else 0.0,
        currencies=tuple(sorted({c for c in amounts.currencies.dropna().unique()})),
        date_share=float((dated & present_rows).sum() / filled),
        date_range=(dates.min().date(), dates.max().date()) if dates.notna().any() else (None, None),
        dates=dates,
        vocabulary=_vocabulary_share(texts, counts, filled) if len(texts) <= categorical_limit else {},
        flag_share=float(flags / filled),
    )


def profile_table(table: pa.Table, sample_rows: int = SAMPLE_ROWS) -> Profiles:
    """Every column's profile, from the first ``sample_rows`` rows (built when first asked for)."""
    return Profiles(table, sample_rows)


def money_fit(profile: ColumnProfile) -> float:
    """How much a column looks like deal amounts: numbers, written like money, not percentages or IDs."""
    if profile.numeric_share < 0.9 or profile.date_share > 0.5:
        return 0.0
    fit = 0.5
    if profile.money_share >= 0.5 or profile.currencies:
        fit += 0.3
    if profile.median >= 100:
        fit += 0.15
    written_as_money = profile.money_share >= 0.5 or bool(profile.currencies)
    if profile.integer_share == 1.0 and profile.median <= 100 and not written_as_money:
        fit -= 0.35  # probabilities, percentages, counts
    if profile.integer_share == 1.0 and profile.distinct == profile.filled >= 20 and not profile.currencies:
        fit -= 0.25  # one different whole number per row: an ID
    return round(max(0.0, min(1.0, fit)), 2)


def value_fit(field_name: str, profile: ColumnProfile) -> float | None:
    """How well (0–1) a column's values suit a field; None for free text fields, which any text suits."""
    if not profile.filled:
        return 0.0
    if field_name in MONEY_FIELDS:
        return money_fit(profile)
    if field_name in DATE_FIELDS:
        return round(profile.date_share, 2) if profile.date_share >= 0.8 else 0.0
    if field_name in VOCABULARY_FIELDS:
        share = profile.vocabulary.get(VOCABULARY_FIELDS[field_name], 0.0)
        return round(share, 2) if profile.categorical and profile.numeric_share < 0.5 else 0.0
    if field_name in FLAG_FIELDS:
        return round(profile.flag_share, 2)
    if field_name in ID_FIELDS:
        return 1.0 if profile.distinct == profile.filled else round(0.5 * profile.distinct / profile.filled, 2)
    return None


def earlier_share(first: ColumnProfile, second: ColumnProfile) -> float:
    """The share of rows holding both dates where ``first``'s date is on or before ``second``'s."""
    if first.dates is None or second.dates is None:
        return 0.0
    both = first.dates.notna() & second.dates.notna()
    if not both.any():
        return 0.0
    return float((first.dates[both] <= second.dates[both]).mean())
