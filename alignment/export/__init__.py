"""Reports that leave the app: the deck (PPTX), the workbook (XLSX), a zip of CSV files, chart PNGs.

All three formats are layouts of one ``WorkshopReport`` (``alignment.export.report``), which is
computed by the dashboard's own scoring and metrics functions, so a file can never disagree with
the screen; every figure from fewer than the workshop's ``k`` people is withheld in each of them.

Command line: ``python -m alignment export CODE --format pptx|xlsx|csv -o FILE`` (``run_export``).
The deck's branding colour comes from ``ALIGNMENT_BRAND_COLOUR`` (``#RRGGBB``; the app's primary
colour ``#0072B2`` by default) and its logo from ``ALIGNMENT_BRAND_LOGO`` (a local PNG or JPEG file).
"""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PIL import Image
from sqlalchemy import Engine

from alignment.export.deck import build_deck
from alignment.export.images import chart_png
from alignment.export.report import WorkshopReport, build_report
from alignment.export.safety import neutralise, safe_file_name
from alignment.export.slides import DEFAULT_BRAND, brand_colour
from alignment.export.tables import pipeline
from alignment.export.workbook import build_csv_zip, build_workbook, table_csv
from alignment.framework import UPLOADED_FRAMEWORK_KEY, Framework, FrameworkError, workshop_framework
from alignment.metrics import DealFilters
from alignment.results import EVERY_DEAL
from alignment.store import WorkshopInfo, WorkshopNotFound, get_workshop
from alignment.suppression import AnswerFilters

BRAND_VARIABLE: Final = "ALIGNMENT_BRAND_COLOUR"
LOGO_VARIABLE: Final = "ALIGNMENT_BRAND_LOGO"
MAX_LOGO: Final = 5_000_000
FORMATS: Final = {
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("application/zip", "zip"),
}

__all__ = [
    "ExportFile",
    "build_csv_zip",
    "build_deck",
    "build_report",
    "build_workbook",
    "chart_png",
    "export_file",
    "file_name",
    "logo_bytes",
    "neutralise",
    "render",
    "run_export",
    "safe_file_name",
    "table_csv",
]


@dataclass(frozen=True)
class ExportFile:
    """A finished export: its bytes, a safe file name and its MIME type."""

    data: bytes
    file_name: str
    mime: str


def file_name(workshop_name: str, round_no: int, fmt: str, for_facilitator: bool = False,
              filtered: bool = False) -> str:
    """``<workshop name>-round-<n>.<ext>`` made safe, plus ``filtered`` for a view narrowed by a team, level or
    deal filter (the file itself names the filters) and ``with answers`` in a facilitator's file."""
    stem = f"{workshop_name} round {round_no}" + (" filtered" if filtered else "") + (
        " with answers" if for_facilitator and fmt != "pptx" else "")
    return safe_file_name(stem, FORMATS[fmt][1] if fmt in FORMATS else fmt)


def logo_bytes(location: str | None) -> bytes | None:
    """A brand logo for the deck from a local PNG or JPEG file; None when there is none or it cannot be read
    (a URL is not fetched: exports never reach out to the network)."""
    if not location:
        return None
    path = Path(location)
    try:
        if path.suffix.lower() not in (".png", ".jpg", ".jpeg") or not path.is_file() or path.stat().st_size > MAX_LOGO:
            return None
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (OSError, ValueError):
        return None
    return data


def render(report: WorkshopReport, fmt: str, brand: str = DEFAULT_BRAND, logo: bytes | None = None) -> ExportFile:
    """The report in ``fmt`` (``pptx``, ``xlsx`` or ``csv`` — a zip of CSV files)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; choose pptx, xlsx or csv.")
    mime = FORMATS[fmt][0]
    colour = brand_colour(brand)
    if fmt == "pptx":
        data = build_deck(report, pipeline(report), colour, logo)
    elif fmt == "xlsx":
        data = build_workbook(report, colour)
    else:
        data = build_csv_zip(report)
    name = file_name(report.workshop.name, report.round_no, fmt, report.answers is not None, report.filtered)
    return ExportFile(data, name, mime)


def export_file(
    engine: Engine,
    workshop: WorkshopInfo,
    framework: Framework,
    fmt: str,
    *,
    brand: str = DEFAULT_BRAND,
    logo: bytes | None = None,
    for_facilitator: bool = False,
    round_no: int | None = None,
    filters: AnswerFilters | None = None,
    deal_filters: DealFilters = EVERY_DEAL,
    signed_in: bool = True,
) -> ExportFile:
    """Build the workshop's report and render it (the download buttons and the CLI both call this).

    ``filters`` and ``deal_filters`` choose the view (default: every team and level, all deals), as the
    Alignment page's filters do. ``signed_in`` False (a download by anyone but the signed-in facilitator)
    builds the report as the room sees it: a round not yet revealed holds no figure.
    """
    report = build_report(engine, workshop, framework, round_no=round_no, filters=filters,
                          deal_filters=deal_filters, for_facilitator=for_facilitator, signed_in=signed_in)
    return render(report, fmt, brand, logo)


def run_export(engine: Engine, code: str, fmt: str, output: str) -> int:
    """``python -m alignment export``: write the report of workshop ``code`` to ``output``.

    Exit 0 on success; 1 with one sentence on stderr when the code, the format, the framework or
    the output path is wrong.
    """
    try:
        workshop = get_workshop(engine, code)
        framework = workshop_framework(workshop.framework_path, workshop.settings.get(UPLOADED_FRAMEWORK_KEY))
        result = export_file(engine, workshop, framework, fmt, brand=os.environ.get(BRAND_VARIABLE) or DEFAULT_BRAND,
                             logo=logo_bytes(os.environ.get(LOGO_VARIABLE)))
        Path(output).write_bytes(result.data)
    except WorkshopNotFound as exc:
        print(f"{exc} Check the join code (python -m alignment demo prints the demo's).", file=sys.stderr)
        return 1
    except (ValueError, FrameworkError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Cannot write {output}: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    what = "a zip of CSV files, " if fmt == "csv" else ""
    print(f"Wrote {output} ({what}{len(result.data):,} bytes) for {workshop.name}, round {workshop.current_round}.")
    return 0
