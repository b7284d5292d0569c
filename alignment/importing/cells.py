"""Columns of text cells, handled once per distinct text.

A column of a million deals holds a few thousand distinct dates and a handful of stages, so values
are parsed per distinct text and the answers spread back over the rows. Blank cells and the words
``-``, ``n/a``, ``null``, ``none`` and ``nan`` count as missing, never as errors.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MISSING_WORDS: Final = ("", "-", "--", "n/a", "na", "null", "none", "nan", "#n/a")
Answer = TypeVar("Answer")
NO_BYTE: Final = 256
SPACE: Final = ord(" ")
TEXT: Final = pa.large_string()


def all_at_once(tasks: Mapping[str, Callable[[], Answer]], parallel: bool) -> dict[str, Answer]:
    """Run independent tasks on one thread per core when ``parallel`` (the Arrow and numpy kernels they spend
    their time in let go of the GIL), else one after another; their answers by name."""
    workers = min(len(tasks), os.cpu_count() or 1)
    if not parallel or workers < 2:
        return {name: task() for name, task in tasks.items()}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="import") as pool:
        futures = {name: pool.submit(task) for name, task in tasks.items()}
        return {name: future.result() for name, future in futures.items()}


def _cell_bytes(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Where each cell of a text chunk starts and ends in its data buffer, and the buffer's bytes
    (None when the chunk holds no text at all)."""
    _, offsets, data = chunk.buffers()
    if offsets is None or data is None:  # an all-null or all-empty chunk
        return None
    large = pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type)
    bounds = np.frombuffer(offsets, dtype=np.int64 if large else np.int32)[chunk.offset : chunk.offset + len(chunk) + 1]
    return bounds[:-1], bounds[1:], np.frombuffer(data, dtype=np.uint8)


def _chunks(column: pa.ChunkedArray | pa.Array) -> list[pa.Array]:
    return column.chunks if isinstance(column, pa.ChunkedArray) else [column]


def edge_bytes(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's first and last byte (0–255), or ``NO_BYTE`` for a blank or null cell, read straight from
    the column's offsets and data buffers: a few array look-ups instead of a string kernel per question."""
    firsts, lasts = [], []
    for chunk in _chunks(column):
        first = np.full(len(chunk), NO_BYTE, dtype=np.uint16)
        last = first.copy()
        if (cells := _cell_bytes(chunk)) is not None:
            starts, ends, content = cells
            filled = ends > starts  # a null cell takes no bytes
            first[filled] = content[starts[filled]]
            last[filled] = content[ends[filled] - 1]
        firsts.append(first)
        lasts.append(last)
    if not firsts:
        return np.zeros(0, dtype=np.uint16), np.zeros(0, dtype=np.uint16)
    return (firsts[0], lasts[0]) if len(firsts) == 1 else (np.concatenate(firsts), np.concatenate(lasts))


def blank_at_an_edge(column: pa.ChunkedArray | pa.Array) -> bool:
    """Whether some cell of an ASCII text column starts or ends with a space, a tab or another control byte."""
    for chunk in _chunks(column):
        if (cells := _cell_bytes(chunk)) is None:
            continue
        starts, ends, content = cells
        filled = ends > starts
        if not filled.all():  # null cells take no bytes: look at the others only
            starts, ends = starts[filled], ends[filled]
        if (content[starts] <= SPACE).any() or (content[ends - 1] <= SPACE).any():
            return True
    return False


def text_series(values: pa.Array | pa.ChunkedArray | None, size: int) -> pd.Series:
    """An Arrow text column as a pandas ``string`` column sharing its buffers (all blank when None)."""
    if values is None:
        values = pa.nulls(size, TEXT)
    if values.type != TEXT:
        values = values.cast(TEXT)
    return pd.Series(values.to_pandas(types_mapper={TEXT: pd.StringDtype("pyarrow")}.get), dtype="string")


def as_arrow(values: pa.ChunkedArray | pa.Array | pd.Series) -> pa.ChunkedArray | pa.Array:
    """An Arrow text column (chunks are kept: joining them would copy the column)."""
    if isinstance(values, pd.Series):
        return pa.array(values.astype("string").to_numpy(dtype=object, na_value=None), type=TEXT)
    return values


@dataclass(frozen=True)
class Encoded:
    """A column as its distinct texts and, per row, the position of its text among them (``len(texts)``
    for a null cell). Answers worked out once per distinct text are spread back over the rows."""

    texts: pa.Array
    indices: np.ndarray

    @property
    def values(self) -> list[str]:
        """The distinct texts as Python strings."""
        return self.texts.to_pylist()

    @property
    def counts(self) -> np.ndarray:
        """How many rows hold each distinct text."""
        return np.bincount(self.indices, minlength=len(self.texts) + 1)[:-1]

    def spread(self, per_text: np.ndarray, fill: object) -> np.ndarray:
        """Answers computed per distinct text, one per row (``fill`` for null cells)."""
        return np.append(per_text, np.array([fill], dtype=per_text.dtype))[self.indices]

    def spread_texts(self, answers: list[str]) -> pa.Array:
        """Text answers per distinct text as an Arrow text column (null for null cells)."""
        return pc.take(pa.array([*answers, None], type=pa.large_string()), pa.array(self.indices))


def encode(values: pa.ChunkedArray | pa.Array | pd.Series) -> Encoded:
    """The :class:`Encoded` view of a column, texts as written."""
    encoded = pc.dictionary_encode(as_arrow(values))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = (
            encoded.combine_chunks()
            if encoded.num_chunks
            else pa.DictionaryArray.from_arrays(pa.array([], pa.int32()), pa.array([], pa.large_string()))
        )
    texts = encoded.dictionary
    indices = encoded.indices.fill_null(len(texts)).to_numpy(zero_copy_only=False)
    return Encoded(texts, indices)


@dataclass(frozen=True)
class Distinct(Encoded):
    """The distinct texts of a column (trimmed; ``""`` where missing) and where each row's text is."""

    missing: np.ndarray

    @property
    def present(self) -> np.ndarray:
        """Rows that hold something other than a blank or a missing word."""
        return ~np.append(self.missing, True)[self.indices]


def distinct(values: pa.ChunkedArray | pa.Array | pd.Series) -> Distinct:
    """The :class:`Distinct` view of a column (trimmed texts with missing words blanked)."""
    encoded = encode(values)
    trimmed = pc.utf8_trim_whitespace(encoded.texts)
    missing = pc.is_in(pc.utf8_lower(trimmed), value_set=pa.array(MISSING_WORDS, type=trimmed.type))
    missing = missing.to_numpy(zero_copy_only=False).astype(bool)
    texts = pc.if_else(pa.array(missing), pa.scalar("", trimmed.type), trimmed)
    return Distinct(texts, encoded.indices, missing)
