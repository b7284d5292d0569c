"""``python -m alignment inspect FILE [--kind deals|leads] [--json]``: what an import would do, saving nothing.

Exit status 0 when the file is usable (at least one row would be imported); 1 when it is refused
or no row is usable; 2 when the file cannot be opened. A refusal is one plain sentence on stderr.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from alignment.importing import ImportRefused, ImportReport, inspect_file
from alignment.importing.mapping import FIELD_LABELS
from alignment.importing.report import LEAD_OUTCOME_WORDS


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
    for problem in data["problems"]:
        tag = "not used" if problem["rows_not_used"] else "warning"
        lines.append(f"  {tag}: {problem['message']} ({problem['rows']:,} rows)")
    return "\n".join(lines)


def run_inspect(path: str, kind: str | None, as_json: bool) -> int:
    """Print what importing ``path`` would do; return the exit status (see the module docstring)."""
    try:
        result = inspect_file(path, kind)
    except ImportRefused as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"The file cannot be opened: {exc.strerror or exc}.", file=sys.stderr)
        return 2
    data = summary(result.report)
    print(json.dumps(data, ensure_ascii=False, indent=None if as_json else 2) if as_json else _text(data))
    if not result.report.rows_accepted:
        first = result.report.rejections[0].message if result.report.rejections else "the file has no rows"
        print(f"No row can be used: {first}.", file=sys.stderr)
        return 1
    return 0
