"""Columns of text cells, handled once per distinct text.

A column of a million deals holds a few thousand distinct dates and a handful of stages, so values
are parsed per distinct text and the answers spread back over the rows. Blank cells and the words
``-``, ``n/a``, ``null``, ``none`` and ``nan`` count as missing, never as errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MISSING_WORDS: Final = ("", "-", "--", "n/a", "na", "null", "none", "nan", "#n/a")


def as_arrow(values: pa.ChunkedArray | pa.Array | pd.Series) -> pa.ChunkedArray | pa.Array:
    """An Arrow text column (chunks are kept: joining them would copy the column)."""
    if isinstance(values, pd.Series):
        return pa.array(values.astype("string").to_numpy(dtype=object, na_value=None), type=pa.large_string())
    return values


@dataclass(frozen=True)
class Distinct:
    """The distinct texts of a column (trimmed; ``""`` where missing) and where each row's text is."""

    texts: pa.Array
    missing: np.ndarray
    indices: np.ndarray

    @property
    def present(self) -> np.ndarray:
        """Rows that hold something other than a blank or a missing word."""
        return ~np.append(self.missing, True)[self.indices]

    def spread(self, per_text: np.ndarray, fill: object) -> np.ndarray:
        """Answers computed per distinct text, one per row (``fill`` for null cells)."""
        return np.append(per_text, np.array([fill], dtype=per_text.dtype))[self.indices]


def distinct(values: pa.ChunkedArray | pa.Array | pd.Series) -> Distinct:
    """The :class:`Distinct` view of a column."""
    encoded = pc.dictionary_encode(as_arrow(values))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = (
            encoded.combine_chunks()
            if encoded.num_chunks
            else pa.DictionaryArray.from_arrays(pa.array([], pa.int32()), pa.array([], pa.large_string()))
        )
    trimmed = pc.utf8_trim_whitespace(encoded.dictionary)
    missing = pc.is_in(pc.utf8_lower(trimmed), value_set=pa.array(MISSING_WORDS, type=trimmed.type))
    missing = missing.to_numpy(zero_copy_only=False).astype(bool)
    texts = pc.if_else(pa.array(missing), pa.scalar("", trimmed.type), trimmed)
    indices = encoded.indices.fill_null(len(texts)).to_numpy(zero_copy_only=False)
    return Distinct(texts, missing, indices)
