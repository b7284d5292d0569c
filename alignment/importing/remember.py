"""What a workshop remembers between imports, shared by the Pipeline data page and ``python -m alignment import``.

A workshop's settings hold the mapping confirmed for each header row (``import_mappings``, keyed by
:func:`.mapping.header_signature`) and its rule overrides (``stage_outcomes``, ``lead_sources``).
Both ways of importing read them the same way and store the same things after a save.

A remembered mapping is ``{"kind": "deals", "columns": {field: column}, "not_used": [field, ...]}``:
``not_used`` lists the fields the user set to "(not used)" although a column had been proposed for
them, so the next file with these headers leaves them empty too. Mappings saved before ``not_used``
existed have ``columns`` alone and are read as they always were.
"""

from __future__ import annotations

from typing import Any, Final

import pyarrow as pa

from alignment.canonical import fields_for
from alignment.importing.mapping import (
    FIELD_LABELS,
    HELPER_FIELDS,
    NOT_USED_HOW,
    Mapping,
    header_signature,
    propose_mapping,
)
from alignment.importing.report import ImportReport
from alignment.importing.rules import ImportRules

MAPPINGS_SETTING: Final = "import_mappings"
STAGES_SETTING: Final = "stage_outcomes"
SOURCES_SETTING: Final = "lead_sources"
REMEMBERED: Final = "remembered from your last file like this"


def remembered_columns(settings: dict[str, Any], columns: list[str], kind: str) -> dict[str, str | None]:
    """The mapping confirmed for a file with these headers and this kind (``None``: not used), or ``{}``."""
    remembered = (settings.get(MAPPINGS_SETTING) or {}).get(header_signature(columns)) or {}
    if remembered.get("kind") != kind:
        return {}
    chosen = {f: c for f, c in (remembered.get("columns") or {}).items() if c is None or c in columns}
    return {**{f: None for f in remembered.get("not_used") or [] if f not in chosen}, **chosen}


def not_used_on_purpose(mapping: Mapping) -> list[str]:
    """The fields the user set to "(not used)" although a column had been proposed (or remembered) for them."""
    return [name for name, match in mapping.fields.items() if match.column is None and match.how == NOT_USED_HOW]


def workshop_rules(settings: dict[str, Any]) -> ImportRules:
    """The shipped rules with the workshop's saved overrides."""
    return ImportRules.with_overrides(settings.get(STAGES_SETTING) or {}, settings.get(SOURCES_SETTING) or {})


def mapping_for(
    settings: dict[str, Any], columns: list[str], table: pa.Table, kind: str | None = None
) -> tuple[Mapping, bool]:
    """The proposed mapping with the workshop's remembered choices on top, and whether any were remembered."""
    proposed = propose_mapping(columns, kind, table)
    remembered = remembered_columns(settings, columns, proposed.kind)
    if not remembered:
        return proposed, False
    return proposed.with_columns(remembered, how=REMEMBERED), True


def parse_picks(picks: list[str], columns: list[str], kind: str) -> dict[str, str | None]:
    """``["amount=close_value", "lead_source="]`` → ``{field: column or None}``; ValueError names a wrong pick.

    A field is named by its canonical name (``amount``) or its label (``Amount``); an empty column
    means "not used".
    """
    names = {*fields_for(kind), *HELPER_FIELDS[kind]}
    by_label = {label.casefold(): name for name, label in FIELD_LABELS.items() if name in names}
    chosen: dict[str, str | None] = {}
    for pick in picks:
        field, sep, column = pick.partition("=")
        name = field.strip() if field.strip() in names else by_label.get(field.strip().casefold())
        if not sep or name is None:
            raise ValueError(
                f"“{pick}” does not name a {kind} field: write field=column with one of {', '.join(sorted(names))}."
            )
        column = column.strip()
        if column and column not in columns:
            raise ValueError(f"The file has no column “{column}” (for {name}); its columns are {', '.join(columns)}.")
        chosen[name] = column or None
    return chosen


def settings_after_save(
    settings: dict[str, Any], columns: list[str], mapping: Mapping, report: ImportReport, rules: ImportRules
) -> dict[str, Any]:
    """The settings a save stores: this file's confirmed mapping (with the fields left out on purpose)
    and the rule overrides used."""
    mappings = dict(settings.get(MAPPINGS_SETTING) or {})
    mappings[header_signature(columns)] = {
        "kind": report.kind,
        "columns": report.mapping,
        "not_used": not_used_on_purpose(mapping),
    }
    return {
        MAPPINGS_SETTING: mappings,
        STAGES_SETTING: dict(rules.stage_overrides),
        SOURCES_SETTING: dict(rules.source_overrides),
    }
