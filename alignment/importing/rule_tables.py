"""The two rule tables as the user edits them: one row per stage (or lead source) found in the file.

The tables come with the import result (``ImportResult.stages`` and ``.sources``), built once
while the file is checked. Each row shows what the rules make of the name today. A workshop's
overrides are the rows whose answer differs from the shipped rules; they are stored with
normalised names, so ``Closed  won`` and ``closed won`` share one answer.
"""

from __future__ import annotations

import pandas as pd

from alignment.importing.rules import ImportRules, normalise_name


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
