"""Download buttons for reports and single charts, shared by the Facilitator and Alignment pages.

Files are built only when someone clicks (``st.download_button`` with a callable), and cached by
workshop, revision and view (round, team, level and deal filters), so a page rerun never rebuilds a
deck and a second click is instant; any change to answers, actions or pipeline data raises the
revision and with it a fresh file. On the Alignment page the files are the view the page shows:
they are built through ``alignment.export.report.load_results`` with the page's own filters, so they
hold the page's figures, withhold what the page withholds, and name the filters in words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import altair as alt
import pandas as pd
import streamlit as st

from alignment import export
from alignment.export.slides import DEFAULT_BRAND, brand_colour
from alignment.metrics import DealFilters
from alignment.results import EVERY_DEAL, EVERYONE, Results
from alignment.store import WorkshopInfo, find_workshop
from alignment.suppression import AnswerFilters
from alignment.ui import room, session
from alignment.view_words import EVERYTHING

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
    code: str, revision: int, round_no: int, fmt: str, for_facilitator: bool, colour: str, logo: str | None = None,
    signed_in: bool = False, filters: AnswerFilters = EVERYONE, deal_filters: DealFilters = EVERY_DEAL,
) -> bytes:
    """The export's bytes for the view ``filters`` and ``deal_filters`` choose (default: every team and
    level, all deals). ``revision`` and both filters are part of the cache key (frozen dataclasses of
    tuples and dates, which Streamlit hashes field by field), so any change to the results or the view
    makes a new file."""
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
        filters=replace(filters, round_no=round_no),
        deal_filters=deal_filters,
        signed_in=signed_in,
    )
    return result.data


def _builder(workshop: WorkshopInfo, round_no: int, fmt: str, for_facilitator: bool,
             view: Results | None) -> Callable[[], bytes]:
    from alignment.ui.facilitator import is_facilitator  # the facilitator module builds on this one

    colour, logo = brand(workshop)
    signed_in = is_facilitator()
    filters, deal_filters = (view.filters, view.deal_filters) if view is not None else (EVERYONE, EVERY_DEAL)
    return lambda: report_file(workshop.code, workshop.revision, round_no, fmt, for_facilitator, colour, logo,
                               signed_in, filters, deal_filters)


def report_downloads(
    workshop: WorkshopInfo, *, results: Results | None = None, allow_answers: bool = False, key: str = "report"
) -> None:
    """The three report buttons: deck, workbook, CSV zip, of the view ``results`` shows — its round and
    its team, level and deal filters, so the files hold exactly the page's figures and name the filters
    (default, on the facilitator's page: the current round, every team and level, all deals).

    No button is offered when ``results.downloads_allowed`` is False (a round not yet revealed,
    for anyone but the signed-in facilitator). ``allow_answers`` (Facilitator page only, with no
    ``results``) offers a switch that adds the anonymous answers to the workbook and the CSV zip, for
    teams with at least k respondents.
    """
    if results is not None and not results.downloads_allowed:
        st.caption("The files appear here once the facilitator reveals this round's results.")
        return
    number = results.round_no if results is not None else workshop.current_round
    filtered = results is not None and results.filtered
    with_answers = allow_answers and results is None and st.toggle(
        "Include anonymous answers and comments in the data files",
        key=f"{key}-answers",
        help=f"Each respondent gets a random number, unrelated to when they joined, drawn afresh whenever the "
        f"answers change; teams with fewer than {workshop.k} respondents are left out. The deck never contains "
        "individual answers.",
    )
    columns = st.columns(3)
    for column, fmt in zip(columns, ("pptx", "xlsx", "csv"), strict=True):
        label, icon = LABELS[fmt]
        facilitator_file = with_answers and fmt != "pptx"
        column.download_button(
            label,
            data=_builder(workshop, number, fmt, facilitator_file, results),
            file_name=export.file_name(workshop.name, number, fmt, facilitator_file, filtered),
            mime=export.FORMATS[fmt][0],
            icon=icon,
            on_click="ignore",
            width="stretch",
            key=f"{key}-{fmt}",
        )
    view = f"the view above: {results.view_description()}" if results is not None else EVERYTHING
    st.caption(
        f"Round {number}, {view}. Figures from fewer than {workshop.k} people are withheld in every file, as on "
        "screen."
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
