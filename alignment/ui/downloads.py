"""Download buttons for reports and single charts, shared by the Facilitator and Alignment pages.

Files are built only when someone clicks (``st.download_button`` with a callable), and cached by
workshop id and revision, so a page rerun never rebuilds a deck and a second click is instant; any
change to answers, actions or pipeline data raises the revision and with it a fresh file.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from alignment import export
from alignment.export.slides import DEFAULT_BRAND, brand_colour
from alignment.results import Results
from alignment.store import WorkshopInfo, find_workshop
from alignment.ui import room, session

LABELS = {
    "pptx": ("Download deck (PPTX)", ":material/slideshow:"),
    "xlsx": ("Download data (XLSX)", ":material/table_view:"),
    "csv": ("Download CSV", ":material/csv:"),
}


def brand(workshop: WorkshopInfo) -> tuple[str, str | None]:
    """The deck's colour and logo file: the room screen's branding (``ALIGNMENT_BRAND_COLOUR`` /
    ``ALIGNMENT_BRAND_LOGO`` or the ``brand_*`` secrets), else the app's primary colour and no logo."""
    mark = room.brand(workshop)
    return brand_colour(mark.colour or DEFAULT_BRAND), mark.logo


@st.cache_data(max_entries=24, ttl=3600, show_spinner=False)
def report_file(
    code: str, revision: int, round_no: int, fmt: str, for_facilitator: bool, colour: str, logo: str | None = None
) -> bytes:
    """The export's bytes; ``revision`` is part of the cache key so any change to the results makes a new file."""
    engine = session.engine()
    workshop = find_workshop(engine, code)
    if workshop is None:
        raise LookupError(f"No workshop has the code {code}.")
    result = export.export_file(
        engine,
        workshop,
        session.framework(workshop),
        fmt,
        brand=colour,
        logo=export.logo_bytes(logo),
        for_facilitator=for_facilitator,
        round_no=round_no,
    )
    return result.data


def _builder(workshop: WorkshopInfo, round_no: int, fmt: str, for_facilitator: bool) -> Callable[[], bytes]:
    colour, logo = brand(workshop)
    return lambda: report_file(workshop.code, workshop.revision, round_no, fmt, for_facilitator, colour, logo)


def report_downloads(
    workshop: WorkshopInfo, *, results: Results | None = None, allow_answers: bool = False, key: str = "report"
) -> None:
    """The three report buttons: deck, workbook, CSV zip, of the round ``results`` shows (default:
    the current round, offered only to the facilitator's page).

    No button is offered when ``results.downloads_allowed`` is False (a round not yet revealed,
    for anyone but the signed-in facilitator). ``allow_answers`` (Facilitator page only) offers a
    switch that adds the anonymous answers to the workbook and the CSV zip, for teams with at
    least k respondents.
    """
    if results is not None and not results.downloads_allowed:
        st.caption("The files appear here once the facilitator reveals this round's results.")
        return
    number = results.round_no if results is not None else workshop.current_round
    with_answers = allow_answers and st.toggle(
        "Include anonymous answers and comments in the data files",
        key=f"{key}-answers",
        help=f"Each respondent gets a random number that changes with every download; teams with fewer than "
        f"{workshop.k} respondents are left out. The deck never contains individual answers.",
    )
    columns = st.columns(3)
    for column, fmt in zip(columns, ("pptx", "xlsx", "csv"), strict=True):
        label, icon = LABELS[fmt]
        facilitator_file = with_answers and fmt != "pptx"
        column.download_button(
            label,
            data=_builder(workshop, number, fmt, facilitator_file),
            file_name=export.file_name(workshop.name, number, fmt, facilitator_file),
            mime=export.FORMATS[fmt][0],
            icon=icon,
            on_click="ignore",
            width="stretch",
            key=f"{key}-{fmt}",
        )
    st.caption(
        f"Round {number}, every team and level. Figures from fewer than {workshop.k} people are withheld in every "
        "file, as on screen."
    )


def chart_downloads(chart: alt.TopLevelMixin, data: pd.DataFrame, name: str) -> None:
    """Compact "Download PNG" (the chart at 2×) and "Download CSV" (the figures it shows) under one chart.

    ``data`` must be the frame the chart was built from — already aggregated and withheld below k.
    Both files are made only on click; the CSV's text cells are neutralised against formulas.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "chart"
    files = (
        ("png", lambda: export.chart_png(chart), "image/png", ":material/image:"),
        ("csv", lambda: export.table_csv(data), "text/csv", ":material/download:"),
    )
    with st.container(horizontal=True, gap="small"):
        for suffix, make, mime, icon in files:
            st.download_button(
                f"Download {suffix.upper()}",
                data=make,
                file_name=export.safe_file_name(name, suffix),
                mime=mime,
                icon=icon,
                on_click="ignore",
                key=f"{suffix}-{slug}",
                type="tertiary",
            )
