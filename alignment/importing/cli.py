"""``python -m alignment inspect|import FILE``: what an import would do, or the import itself.

``inspect FILE [--kind deals|leads] [--map field=column ...] [--json]`` saves nothing.
``import FILE --workshop CODE [--kind deals|leads] [--map field=column ...] [--dry-run] [--json]``
reads, maps and checks the file exactly as the Pipeline data page does — the workshop's remembered
mapping for these headers and its stage and lead-source rules apply, ``--map`` choices go on top —
and saves it as the workshop's current data of that kind, with the mapping and rules, in one
transaction (``--dry-run``: saves nothing).

Exit status 0 when the file is usable (at least one row would be imported, and was saved); 1 when
it is refused or no row is usable; 2 when the file, the workshop or the database cannot be opened,
or a ``--map`` choice is wrong. A refusal is one plain sentence on stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from alignment.importing.build import ImportResult, run_import
from alignment.importing.limits import ImportRefused, Limits, read_upload
from alignment.importing.mapping import FIELD_LABELS, Mapping
from alignment.importing.readers import read_table
from alignment.importing.remember import mapping_for, parse_picks, settings_after_save, workshop_rules
from alignment.importing.report import LEAD_OUTCOME_WORDS, ImportReport


class _Unusable(Exception):
    """A wrong command-line choice (exit status 2); ``str()`` is the sentence to print."""


def summary(report: ImportReport) -> dict[str, Any]:
    """The JSON object of ``inspect --json`` (DESIGN.md section 10, plus the detected source and formats)."""
    return {
        "file": report.filename,
        "kind": report.kind,
        "source": report.source,
        "rows_read": report.rows_read,
        "rows_accepted": report.rows_accepted,
        "rows_rejected": report.rows_rejected,
        "footer_rows": report.footer_rows,
        "mapping": report.mapping,
        "outcomes": report.outcomes,
        "created_range": report.created_range,
        "close_range": report.close_range,
        "amount_total": round(report.amount_total, 2),
        "currencies": report.currencies,
        "source_groups": report.source_groups,
        "date_formats": {
            name: info["format"] + (" (assumed)" if info["ambiguous"] else "")
            for name, info in report.date_formats.items()
        },
        "problems": [
            {"kind": p.kind, "rows": p.rows, "example": p.example, "message": p.message, "rows_not_used": p.rejected}
            for p in report.problems
        ],
        "inferred": report.inferred,
    }


def _text(data: dict[str, Any]) -> str:
    lines = [
        f"{data['file']}: {data['source']} ({data['kind']})",
        f"  rows read {data['rows_read']:,} · used {data['rows_accepted']:,} · not used {data['rows_rejected']:,}"
        f" · footer lines removed {data['footer_rows']:,}",
        "  columns: " + ", ".join(f"{FIELD_LABELS.get(k, k)} ← {v}" for k, v in data["mapping"].items()),
        f"  {'outcomes' if data['kind'] == 'deals' else 'leads'}: "
        + ", ".join(
            f"{(LEAD_OUTCOME_WORDS if data['kind'] == 'leads' else {}).get(k, k)} {v:,}"
            for k, v in data["outcomes"].items()
        ),
        f"  created {data['created_range'][0]} to {data['created_range'][1]}",
    ]
    if data["kind"] == "deals":
        lines.append(
            f"  closed {data['close_range'][0]} to {data['close_range'][1]} · amount total "
            f"{data['amount_total']:,.2f}" + (f" ({', '.join(data['currencies'])})" if data["currencies"] else "")
        )
    lines.append("  source groups: " + (", ".join(f"{k} {v:,}" for k, v in data["source_groups"].items()) or "none"))
    lines += [f"  dates: {FIELD_LABELS.get(k, k)} read as {v}" for k, v in data["date_formats"].items()]
    lines += [
        f"  inferred from values: {FIELD_LABELS.get(k, k)} ← {v['column']} ({v['confidence']:.0%} sure: {v['how']});"
        " confirm with --map"
        for k, v in data["inferred"].items()
    ]
    for problem in data["problems"]:
        tag = "not used" if problem["rows_not_used"] else "warning"
        lines.append(f"  {tag}: {problem['message']} ({problem['rows']:,} rows)")
    return "\n".join(lines)


def _checked(path: str, kind: str | None, picks: list[str], settings: dict) -> tuple[ImportResult, list[str], Mapping]:
    """Read, map (remembered mapping, then ``picks``) and check a file with the workshop's rules."""
    limits = Limits.from_env()
    raw = read_table(read_upload(path, limits), Path(path).name, limits)
    mapping, _ = mapping_for(settings, raw.columns, raw.table, kind)
    try:
        chosen = parse_picks(picks, raw.columns, mapping.kind)
    except ValueError as exc:
        raise _Unusable(str(exc)) from None
    mapping = mapping.with_columns(chosen, how="chosen on the command line")
    return run_import(raw, mapping, workshop_rules(settings)), raw.columns, mapping


def _print(result: ImportResult, as_json: bool, saved: str | None = None) -> int:
    data = summary(result.report)
    if saved is not None:
        data["saved"] = saved
    print(json.dumps(data, ensure_ascii=False) if as_json else _text(data) + (f"\n{saved}" if saved else ""))
    if not result.report.rows_accepted:
        first = result.report.rejections[0].message if result.report.rejections else "the file has no rows"
        print(f"No row can be used: {first}.", file=sys.stderr)
        return 1
    return 0


def run_inspect(path: str, kind: str | None, as_json: bool, picks: list[str] | None = None) -> int:
    """Print what importing ``path`` would do; return the exit status (see the module docstring)."""
    try:
        result, _, _ = _checked(path, kind, picks or [], {})
    except ImportRefused as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except _Unusable as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"The file cannot be opened: {exc.strerror or exc}.", file=sys.stderr)
        return 2
    return _print(result, as_json)


def run_import_file(
    path: str, code: str, kind: str | None, picks: list[str] | None, dry_run: bool, as_json: bool
) -> int:
    """Import ``path`` into the workshop ``code`` as the page would; return the exit status (module docstring)."""
    from alignment.store import DatabaseUnavailable, find_workshop, open_database
    from alignment.store.datasets import save_import

    try:
        engine = open_database()
        workshop = find_workshop(engine, code)
        if workshop is None:
            raise _Unusable(f"No workshop has the code “{code}”: check the join code on the Facilitator page.")
        result, columns, mapping = _checked(path, kind, picks or [], dict(workshop.settings or {}))
        report = result.report
        saved = None
        if report.rows_accepted and not dry_run:
            rules = workshop_rules(dict(workshop.settings or {}))
            settings = settings_after_save(dict(workshop.settings or {}), columns, mapping, report, rules)
            save_import(engine, workshop.id, report.kind, result.frame, report.filename, report.to_dict(), settings)
            saved = f"Saved {report.rows_accepted:,} {report.kind} from {report.filename} to {workshop.name}."
        elif dry_run:
            saved = "Dry run: nothing was saved."
    except ImportRefused as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except (_Unusable, DatabaseUnavailable) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"The file cannot be opened: {exc.strerror or exc}.", file=sys.stderr)
        return 2
    return _print(result, as_json, saved)
