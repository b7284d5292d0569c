"""Stages, deal outcomes and lead-source groups, decided once per distinct value.

A million deals hold a handful of stages and lead sources, so each rule is asked once per distinct
text and the answer spread over the rows as a small integer code (an index into ``OUTCOMES`` or
into the groups found), which the counts, masks and report read without comparing strings.
A deal's outcome comes from its status column when that names won, lost or open; else from the
``IsWon``/``IsClosed`` flags; else from its stage through the stage rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from alignment.canonical import OUTCOMES
from alignment.importing.cells import TEXT, Encoded, encode
from alignment.importing.rules import ImportRules, as_flag, normalise_name

NO_OUTCOME = -1
WON, LOST, OPEN = (OUTCOMES.index(o) for o in ("won", "lost", "open"))
_OUTCOME_TEXTS = pa.array([*OUTCOMES, None], type=TEXT)


def outcome_code(outcome: str | None) -> int:
    """The code of ``won``/``lost``/``open`` (``NO_OUTCOME`` for anything else)."""
    return OUTCOMES.index(outcome) if outcome in OUTCOMES else NO_OUTCOME


def _status_outcome(status: str, rules: ImportRules) -> int:
    """A status's outcome code when a rule recognises it, else none (so the flags or stage decide); a status of
    spaces alone is blank."""
    outcome, recognised = rules.outcome(status) if status.strip() else (None, False)
    return outcome_code(outcome) if recognised else NO_OUTCOME


def _flags(column: pa.ChunkedArray) -> np.ndarray:
    """True where a flag column says true (``TRUE``, ``1``, ``yes``); blank and anything else is false."""
    return _codes(encode(column), lambda v: int(as_flag(v) is True), 0).astype(bool)


def _codes(encoded: Encoded, decide: Callable[[str], int], blank: int = NO_OUTCOME) -> np.ndarray:
    return encoded.spread(np.array([decide(v) for v in encoded.values], dtype=np.int8), blank)


@dataclass(frozen=True)
class Stages:
    """The stage column written the way most rows write it, each row's outcome code by its stage, and the
    stage table ``stage, deals, outcome, recognised`` the Pipeline page's editor shows."""

    written: pa.ChunkedArray | pa.Array
    outcomes: np.ndarray
    table: pd.DataFrame


def stages(stage: pa.ChunkedArray, rules: ImportRules) -> Stages:
    """Stray case and spaces merged into one spelling per stage (the commonest), with its outcome; a cell of
    spaces alone has no stage."""
    encoded = encode(stage)
    values, counts = encoded.values, encoded.counts
    spelling: dict[str, str] = {}
    for position in np.argsort(-counts, kind="stable"):
        spelling.setdefault(normalise_name(values[position]), " ".join(values[position].split()))
    names = [spelling[normalise_name(v)] for v in values]
    decided = {name: rules.outcome(name) for name in set(names) if name}
    deals: dict[str, int] = {}
    for name, count in zip(names, counts, strict=True):
        if name:
            deals[name] = deals.get(name, 0) + int(count)
    table = pd.DataFrame(
        {
            "stage": list(deals),
            "deals": list(deals.values()),
            "outcome": [decided[n][0] for n in deals],
            "recognised": [decided[n][1] for n in deals],
        }
    ).sort_values("deals", ascending=False, ignore_index=True, kind="stable")
    written = stage if names == values else encoded.spread_texts([n or None for n in names])
    by_name = {name: outcome_code(outcome) for name, (outcome, _) in decided.items()}
    outcomes = encoded.spread(np.array([by_name.get(n, NO_OUTCOME) for n in names], dtype=np.int8), NO_OUTCOME)
    return Stages(written, outcomes, table)


@dataclass(frozen=True)
class Outcomes:
    """Each deal's outcome as a code (``NO_OUTCOME`` where nothing names one) and as text, with the stages
    it was read from (None when no stage column is mapped)."""

    codes: np.ndarray
    texts: pa.Array
    stages: Stages | None


def deal_outcomes(
    size: int,
    rules: ImportRules,
    stage: pa.ChunkedArray | None,
    status: pa.ChunkedArray | None = None,
    won_flag: pa.ChunkedArray | None = None,
    closed_flag: pa.ChunkedArray | None = None,
) -> Outcomes:
    """Each row's outcome: the status column where it names an outcome, else the flags, else the stage."""
    by_stage = stages(stage, rules) if stage is not None else None
    readings: list[np.ndarray] = []
    if status is not None:
        readings.append(_codes(encode(status), lambda v: _status_outcome(v, rules)))
    if won_flag is not None or closed_flag is not None:
        won = _flags(won_flag) if won_flag is not None else np.zeros(size, dtype=bool)
        if closed_flag is not None:
            readings.append(np.where(won, WON, np.where(_flags(closed_flag), LOST, OPEN)).astype(np.int8))
        else:
            readings.append(np.where(won, WON, NO_OUTCOME).astype(np.int8))
    if by_stage is not None:
        readings.append(by_stage.outcomes)
    codes = readings[-1] if readings else np.full(size, NO_OUTCOME, dtype=np.int8)
    for reading in reversed(readings[:-1]):  # the first reading that names an outcome wins
        codes = np.where(reading >= 0, reading, codes)
    texts = _OUTCOME_TEXTS.take(pa.array(np.where(codes < 0, len(OUTCOMES), codes)))
    return Outcomes(codes, texts, by_stage)


@dataclass(frozen=True)
class SourceGroups:
    """The lead-source ``column`` trimmed (None when not mapped), each row's group as a code into ``names``
    and as text, and the source table ``lead_source, rows, source_group`` the Pipeline page's editor shows."""

    column: pa.ChunkedArray | pa.Array | None
    names: list[str]
    codes: np.ndarray
    texts: pa.Array
    table: pd.DataFrame

    def counts(self, kept: np.ndarray) -> dict[str, int]:
        """Rows per group among ``kept``, most rows first (groups without rows left out)."""
        counted = np.bincount(self.codes if kept.all() else self.codes[kept], minlength=len(self.names))
        order = sorted((-int(n), name) for name, n in zip(self.names, counted, strict=True) if n)
        return {name: -n for n, name in order}


def source_groups(lead_source: pa.ChunkedArray | None, size: int, rules: ImportRules) -> SourceGroups:
    """The source group of every row (``unknown`` where the lead source is blank or not mapped); sources
    are trimmed once per distinct text, and a cell of spaces alone is blank."""
    if lead_source is None:
        empty = pd.DataFrame(
            {
                name: pd.Series(dtype=dtype)
                for name, dtype in (("lead_source", "string"), ("rows", "int64"), ("source_group", "string"))
            }
        )
        unknown = pa.repeat(pa.scalar("unknown", TEXT), size)
        return SourceGroups(None, ["unknown"], np.zeros(size, dtype=np.int8), unknown, empty)
    encoded = encode(lead_source)
    values, counts = encoded.values, encoded.counts
    trimmed = [v.strip() for v in values]
    column = lead_source if trimmed == values else encoded.spread_texts([t or None for t in trimmed])
    rows: dict[str, int] = {}
    for source, count in zip(trimmed, counts, strict=True):
        if source and count:
            rows[source] = rows.get(source, 0) + int(count)
    group_of = {source: rules.source_group(source) for source in rows}
    names = sorted({*group_of.values(), "unknown"})
    codes = encoded.spread(
        np.array([names.index(group_of.get(t, "unknown")) for t in trimmed], dtype=np.int8), names.index("unknown")
    )
    table = pd.DataFrame(
        {
            "lead_source": pd.Series(list(rows), dtype="string"),
            "rows": pd.Series(list(rows.values()), dtype="int64"),
            "source_group": pd.Series([group_of[s] for s in rows], dtype="string"),
        }
    ).sort_values("rows", ascending=False, ignore_index=True, kind="stable")
    texts = pa.array(names, type=TEXT).take(pa.array(codes))
    return SourceGroups(column, names, codes, texts, table)
