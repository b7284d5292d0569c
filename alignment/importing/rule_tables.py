"""The two rule tables as the user edits them: one row per stage (or lead source) found in the file.

Each row shows what the rules make of the name today. A workshop's overrides are the rows whose
answer differs from the shipped rules; they are stored with normalised names, so ``Closed  won``
and ``closed won`` share one answer.
"""

from __future__ import annotations

import pandas as pd
import pyarrow.compute as pc

from alignment.importing.mapping import Mapping
from alignment.importing.readers import RawTable
from alignment.importing.rules import ImportRules, normalise_name


def _distinct(raw: RawTable, column: str | None) -> pd.DataFrame:
    """Distinct names of a column with their row counts; spellings that normalise alike are merged."""
    if not column:
        return pd.DataFrame({"name": pd.Series(dtype="string"), "rows": pd.Series(dtype="int64")})
    counts = pc.value_counts(pc.utf8_trim_whitespace(raw.table.column(column)).drop_null()).to_pylist()
    merged: dict[str, list] = {}
    for entry in sorted(counts, key=lambda c: -c["counts"]):
        name = entry["values"]
        if not name:
            continue
        key = normalise_name(name)
        merged.setdefault(key, [" ".join(name.split()), 0])[1] += entry["counts"]
    rows = sorted(merged.values(), key=lambda r: -r[1])
    return pd.DataFrame(
        {
            "name": pd.Series([r[0] for r in rows], dtype="string"),
            "rows": pd.Series([r[1] for r in rows], dtype="int64"),
        }
    )


def stage_table(raw: RawTable, mapping: Mapping, rules: ImportRules) -> pd.DataFrame:
    """``stage, deals, outcome``: each stage in the file and the outcome the rules give it."""
    table = _distinct(raw, mapping.column("stage")).rename(columns={"name": "stage", "rows": "deals"})
    table["outcome"] = pd.Series([rules.outcome(s)[0] for s in table["stage"]], dtype="string")
    return table


def source_table(raw: RawTable, mapping: Mapping, rules: ImportRules) -> pd.DataFrame:
    """``lead_source, rows, source_group``: each lead source in the file and its group."""
    table = _distinct(raw, mapping.column("lead_source")).rename(columns={"name": "lead_source"})
    table["source_group"] = pd.Series([rules.source_group(s) for s in table["lead_source"]], dtype="string")
    return table


def updated_overrides(
    saved: dict[str, str], edited: pd.DataFrame, name: str, target: str, shipped: ImportRules
) -> dict[str, str]:
    """The workshop's overrides after the user edited a rule table.

    Names in the table take the answer shown, kept only where it differs from the shipped rules;
    names not in this file keep their earlier override.
    """
    lookup = shipped.outcome if target == "outcome" else (lambda v: (shipped.source_group(v), True))
    result = dict(saved)
    for value, answer in zip(edited[name], edited[target], strict=True):
        key = normalise_name(value)
        if answer == lookup(value)[0]:
            result.pop(key, None)
        else:
            result[key] = str(answer)
    return result
