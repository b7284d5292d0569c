"""CRM export import: read a CSV or Excel file, map its columns, parse its values, and report.

Typical use::

    raw = read_table(data, "opportunities.csv")       # RawTable, or ImportRefused with one sentence
    mapping = propose_mapping(raw.columns, None, raw.table)  # detected CRM, kind, a column per field
    result = run_import(raw, mapping)                 # ImportResult: canonical frame + ImportReport
"""

from __future__ import annotations

from pathlib import Path

from alignment.importing.build import ImportResult, run_import
from alignment.importing.limits import ImportRefused, Limits, read_upload
from alignment.importing.mapping import FIELD_LABELS, FieldMatch, Mapping, header_signature, propose_mapping
from alignment.importing.readers import RawTable, read_table
from alignment.importing.report import ImportReport, Problem
from alignment.importing.rules import ImportRules


def inspect_file(path: str | Path, kind: str | None = None, limits: Limits | None = None) -> ImportResult:
    """Read, map and check a file on disk with the proposed mapping and the shipped rules, saving nothing."""
    path = Path(path)
    limits = limits or Limits.from_env()
    raw = read_table(read_upload(path, limits), path.name, limits)
    return run_import(raw, propose_mapping(raw.columns, kind, raw.table))


__all__ = [
    "FIELD_LABELS",
    "FieldMatch",
    "ImportRefused",
    "ImportReport",
    "ImportResult",
    "ImportRules",
    "Limits",
    "Mapping",
    "Problem",
    "RawTable",
    "header_signature",
    "inspect_file",
    "propose_mapping",
    "read_table",
    "run_import",
]
