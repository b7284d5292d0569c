"""The workshop deck (PPTX, 16:9) that the facilitator sends to the executives afterwards.

Slides, in order: title (naming the view: its filters in words, or "every team and level, all
deals"); who answered (naming any team that handed in more answer sheets than people expected); the
alignment index with its parts; each team's dimension scores; where the views differ (gaps with
intervals); from round 2, what changed since the previous round; one slide per top gap with how each
team answered its items and the discussion prompts; priorities; pipeline evidence; from round 2,
what we promised last time (``alignment.export.promises``); agreed actions; how the numbers are
made. Charts are the dashboard's own Altair charts drawn at presentation size
(``PRESENTATION_FONT_SCALE``) and rendered to PNG at 2×; everything else is real text. A filtered
view says "filtered view" in every slide's footer.

Nothing below the anonymity threshold reaches a slide: charts receive the already-withheld frames,
and teams with fewer than ``k`` respondents are named only as "fewer than k".
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Final

import altair as alt
import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Inches

from alignment import charts, numbers, pipeline_charts
from alignment.export import slides
from alignment.export.images import slide_png
from alignment.export.promises import promises_slide
from alignment.export.report import WorkshopReport
from alignment.export.safety import xml_text
from alignment.export.slides import BODY, MARGIN, MUTED, SLIDE_HEIGHT, SLIDE_WIDTH, WHITE, Box, rgb
from alignment.export.tables import metric_header
from alignment.store.headcounts import over_expected_sentence

ACTION_LINES_PER_SLIDE: Final = 15.0
ACTION_CHARS_PER_LINE: Final = 80
QUADRANT_FILLS: Final = {"Fix first": RGBColor(0xF6, 0xC9, 0xA8), "Protect": RGBColor(0xC7, 0xE8, 0xDA),
                          "Watch": RGBColor(0xFB, 0xEF, 0xC2)}
FONT_SCALE: Final = charts.PRESENTATION_FONT_SCALE
MAX_PIPELINE_COLUMNS: Final = 6
DEFINITIONS_PER_SLIDE: Final = 12


def _score(value: object) -> str:
    return numbers.whole(value)


def _gap(value: object) -> str:
    return numbers.signed(value)


class DeckBuilder:
    """Adds slides to one presentation, numbering them and drawing the shared heading and footer."""

    def __init__(self, report: WorkshopReport, brand: str, logo: bytes | None = None) -> None:
        self.report = report
        self.logo = logo
        self.brand = slides.brand_colour(brand)
        self.presentation = Presentation()
        self.presentation.slide_width = Inches(SLIDE_WIDTH)
        self.presentation.slide_height = Inches(SLIDE_HEIGHT)
        self.blank = self.presentation.slide_layouts[6]
        workshop = report.workshop
        self.footer_text = " · ".join(
            part for part in (workshop.name, workshop.organisation, f"Round {report.round_no}",
                              "filtered view" if report.filtered else "", report.made_on.strftime("%d %B %Y"))
            if part
        )

    def slide(self, title: str, kicker: str = ""):  # noqa: ANN201 - a python-pptx Slide
        slide = self.presentation.slides.add_slide(self.blank)
        slides.heading(slide, title, self.brand, kicker)
        slides.footer(slide, self.footer_text, len(self.presentation.slides))
        return slide

    def chart(self, slide, chart: alt.TopLevelMixin, box: Box) -> None:  # noqa: ANN001
        width, height = box.pixels()
        description = chart.to_dict().get("description", "")
        slides.picture(slide, slide_png(chart, width, height), box, description)

    def note(self, slide, message: str, box: Box = BODY) -> None:  # noqa: ANN001
        slides.text(slide, box, message, 22, colour=MUTED, anchor=MSO_ANCHOR.MIDDLE, align=PP_ALIGN.CENTER)

    def save(self) -> bytes:
        properties = self.presentation.core_properties
        properties.title = xml_text(f"Alignment report — {self.report.workshop.name}")[:250]
        properties.subject = xml_text(f"Round {self.report.round_no}, {self.report.view_description()}")[:250]
        properties.author = properties.last_modified_by = "Sales & marketing alignment"
        buffer = io.BytesIO()
        self.presentation.save(buffer)
        return buffer.getvalue()


def title_slide(deck: DeckBuilder) -> None:
    report, workshop = deck.report, deck.report.workshop
    slide = deck.presentation.slides.add_slide(deck.blank)
    slides.rectangle(slide, Box(0, 0, SLIDE_WIDTH, SLIDE_HEIGHT), rgb(deck.brand))
    slides.text(slide, Box(1.0, 1.2, 11.3, 0.5), "SALES & MARKETING ALIGNMENT", 16, bold=True, colour=WHITE)
    slides.text(slide, Box(1.0, 1.9, 11.3, 2.0), workshop.name, 44, bold=True, colour=WHITE,
                anchor=MSO_ANCHOR.BOTTOM, name="Title")
    lines = [workshop.organisation] if workshop.organisation else []
    lines.append(f"Round {report.round_no} · {report.made_on.strftime('%d %B %Y')}")
    slides.text(slide, Box(1.0, 4.1, 11.3, 1.1), lines, 24, colour=WHITE)
    slides.text(slide, Box(1.0, 5.25, 11.3, 0.95), f"View: {report.view_description()}", 18, colour=WHITE,
                name="View")
    slides.text(slide, Box(1.0, 6.3, 11.3, 0.5),
                f"Figures from fewer than {report.k} people are withheld to keep answers anonymous.", 14,
                colour=WHITE)
    if deck.logo:
        card = Box(SLIDE_WIDTH - 3.4, 0.5, 2.8, 1.3)
        slides.rectangle(slide, card, WHITE)
        slides.picture(slide, deck.logo, Box(card.left + 0.15, card.top + 0.15, card.width - 0.3, card.height - 0.3),
                       "Logo")


def participation_slide(deck: DeckBuilder) -> None:
    report = deck.report
    table = report.participation
    shown = report.respondents_shown
    slide = deck.slide(f"{shown} people answered in round {report.round_no}" + (
        " in the teams shown" if report.withheld_teams else ""), "Who answered")
    rows = []
    for name, people, enough in zip(table["team_name"], table["respondents"], table["enough"], strict=True):
        if enough:
            rows.append([name, str(int(people)), "Shown"])
        elif pd.isna(people):
            rows.append([name, f"fewer than {report.k}", "Withheld: " + report.withheld_reason])
        else:
            rows.append([name, "0", "No answers yet"])
    box = Box(MARGIN, 1.7, 9.0, min(4.6, 0.55 * (len(rows) + 1)))
    slides.table(slide, box, ["Team", "Respondents", "In this report"], rows, [0.34, 0.22, 0.44], deck.brand, 18,
                 align_right=[1])
    if report.over_expected:  # beside the table: names and the expected number only
        slides.text(slide, Box(box.left + box.width + 0.3, 1.7, SLIDE_WIDTH - 2 * MARGIN - box.width - 0.3, 4.6),
                    [over_expected_sentence(name, people) for name, people in report.over_expected], 16,
                    name="Head counts")
    slides.text(slide, Box(MARGIN, 1.9 + box.height, 12.0, 1.0),
                "Answers are anonymous: no names are collected, and a team's figures appear only when at least "
                f"{report.k} of its people answered.", 16, colour=MUTED)


def index_slide(deck: DeckBuilder) -> None:
    report = deck.report
    index = report.index
    if index.index is None:
        slide = deck.slide("The alignment index needs both teams", "Alignment index")
        deck.note(slide, report.absences.get("index", "The index cannot be worked out yet."))
        return
    band = report.catalogue.band(index.index)
    slide = deck.slide(f"Alignment index {numbers.whole(index.index)} of 100: {band.name}", "Alignment index")
    slides.text(slide, Box(MARGIN, 1.8, 4.2, 2.0), numbers.whole(index.index), 120, bold=True,
                colour=rgb(deck.brand), align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
    slides.text(slide, Box(MARGIN, 3.9, 4.2, 0.7), band.name, 30, bold=True, align=PP_ALIGN.CENTER)
    change = report.index_change()
    if change:
        slides.text(slide, Box(MARGIN, 4.7, 4.2, 0.5), change, 16, colour=MUTED, align=PP_ALIGN.CENTER)
    parts = [report.headline(), report.index_parts(), report.catalogue.term("index_bands").definition]
    slides.text(slide, Box(5.4, 1.8, 7.3, 4.6), parts, 20, bullets=True, space_after=14)


def dimensions_slide(deck: DeckBuilder) -> None:
    report = deck.report
    slide = deck.slide("How each team rates the twelve dimensions" if len(report.framework.dimensions) == 12
                       else "How each team rates the dimensions", "Scores 0–100")
    if report.dimensions["score"].notna().any():
        deck.chart(slide, charts.dimension_scores_chart(report.dimensions, font_scale=FONT_SCALE), BODY)
    else:
        deck.note(slide, f"No team has {report.k} or more answers yet, so no score can be shown.")


def gaps_slide(deck: DeckBuilder) -> None:
    report = deck.report
    slide = deck.slide("Where marketing and sales see things differently", "Perception gaps")
    if report.gaps.dimensions["gap"].notna().any():
        deck.chart(slide, charts.gap_dumbbell_chart(report.gaps.dimensions, font_scale=1.25), BODY)
    else:
        deck.note(slide, f"A gap needs at least {report.k} answers from marketing and from sales.")


def change_slide(deck: DeckBuilder) -> None:
    """From round 2 on: where each team's scores moved since the previous round (as on the Alignment page)."""
    report = deck.report
    if report.round_no < 2:
        return
    moved = report.rounds[(report.rounds["round_no"] == report.round_no)].drop(columns="round_no")
    slide = deck.slide(f"What changed since round {report.round_no - 1}", "Round to round")
    if moved["change"].notna().any():
        deck.chart(slide, charts.round_change_chart(moved, font_scale=1.25), BODY)
    else:
        deck.note(slide, f"No dimension has {report.k} or more answers from the same team in both rounds.")


def top_gap_slides(deck: DeckBuilder) -> None:
    report = deck.report
    for rank, row in enumerate(report.top_gaps().itertuples(index=False), start=1):
        dimension = report.framework.dimension(row.dimension_id)
        slide = deck.slide(dimension.name, f"Gap {rank} of {len(report.top_gaps())}")
        distribution = report.distributions.get(row.dimension_id)
        fact = _evidence_fact(report, row.dimension_id)
        chart_box = Box(MARGIN, 1.55, 7.9, 4.55 if fact else 5.3)
        if distribution is not None and (~distribution["suppressed"].astype(bool)).any():
            deck.chart(slide, charts.answer_distribution_chart(distribution, font_scale=1.4), chart_box)
        if fact:
            slides.text(slide, Box(MARGIN, 6.15, 7.9, 0.75), fact, 13, colour=MUTED)
        side = Box(8.8, 1.6, SLIDE_WIDTH - 8.8 - MARGIN, 5.2)
        figures = [f"Marketing {_score(row.marketing)} · Sales {_score(row.sales)}",
                   f"Gap {_gap(row.gap)} (95% interval {numbers.interval(row.low, row.high)})"]
        slides.text(slide, Box(side.left, side.top, side.width, 1.1), figures, 18, bold=True)
        certain = "excludes 0: the gap is unlikely to be chance" if numbers.certain(row.low, row.high) else (
            "includes 0: the gap may be chance")
        slide.notes_slide.notes_text_frame.text = (
            f"{int(row.n_marketing)} marketing and {int(row.n_sales)} sales respondents. The 95% interval {certain}. "
            "Ask each team first what it sees, then what it would need to see to change its view.")
        items = [f"{n}. {item.text}" for n, item in enumerate(dimension.items, start=1)]
        slides.text(slide, Box(side.left, side.top + 1.15, side.width, 1.9), items, 12, colour=MUTED, space_after=3)
        prompts = list(dimension.prompts[:3]) or ["What would each team need to see to change its view?"]
        slides.text(slide, Box(side.left, side.top + 3.1, side.width, 0.4), "TO DISCUSS", 12, bold=True,
                    colour=rgb(deck.brand))
        slides.text(slide, Box(side.left, side.top + 3.45, side.width, 1.8), prompts, 14, bullets=True)


def _evidence_fact(report: WorkshopReport, dimension_id: str) -> str:
    """The first pipeline fact linked to the dimension, when the data can answer it."""
    if report.evidence is None or report.evidence.empty:
        return ""
    rows = report.evidence[(report.evidence["dimension_id"] == dimension_id) & (report.evidence["state"] == "ok")]
    return "" if rows.empty else f"Pipeline — {rows.iloc[0]['metric_label']}: {rows.iloc[0]['fact']}"


def priorities_slide(deck: DeckBuilder) -> None:
    """A grid of dimensions × teams naming each quadrant; dimensions most teams must fix come first."""
    report = deck.report
    slide = deck.slide("What matters most, and how well it works today", "Priorities")
    if report.priorities.empty:
        deck.note(slide, f"Priorities need importance picks and scores from at least {report.k} people in a team.")
        return
    grid = report.priorities.pivot_table(index="dimension_name", columns="team", values="quadrant", aggfunc="first")
    teams = [t for t in report.participation["team"] if t in grid.columns]
    urgency = (grid[teams] == "Fix first").sum(axis=1) * 10 + (grid[teams] == "Protect").sum(axis=1)
    grid = grid.loc[urgency.sort_values(ascending=False, kind="stable").index]
    rows = [[name, *[str(grid.at[name, t]) if pd.notna(grid.at[name, t]) else "–" for t in teams]]
            for name in grid.index]
    fills = {(r, c + 1): QUADRANT_FILLS[value] for r, row in enumerate(rows)
             for c, value in enumerate(row[1:]) if value in QUADRANT_FILLS}
    width = 0.62 / max(1, len(teams))
    slides.table(slide, Box(MARGIN, 1.5, 9.0, 4.9), ["Dimension", *[report.team_name(t) for t in teams]], rows,
                 [0.38, *[width] * len(teams)], deck.brand, 12, fills=fills)
    explain = [report.catalogue.term("priority").definition]
    slides.text(slide, Box(10.0, 1.6, SLIDE_WIDTH - 10.0 - MARGIN, 4.8), explain, 14, space_after=12)


def pipeline_slides(deck: DeckBuilder, summary: pd.DataFrame) -> None:
    """Win rate and lead acceptance (or sales cycle) by source as charts, then the figures as a table."""
    report = deck.report
    evidence = report.pipeline
    slide = deck.slide("What the pipeline says", "Pipeline evidence")
    if not evidence.available:
        deck.note(slide, "No pipeline data is saved for this workshop. Upload a CRM export on the Pipeline data page "
                         "to set perception beside the facts.")
        return
    half = (SLIDE_WIDTH - 2 * MARGIN - 0.4) / 2
    leads = evidence.table("lead_acceptance")
    with_leads = leads is not None and len(leads) > 0
    right = (pipeline_charts.lead_acceptance_chart(leads, font_scale=FONT_SCALE) if with_leads
             else pipeline_charts.cycle_chart(evidence.table("cycle_time"), font_scale=FONT_SCALE))
    panels = (("Win rate by source, with 95% interval",
               pipeline_charts.win_rate_chart(evidence.table("win_rate"), font_scale=FONT_SCALE)),
              ("Leads accepted by sales, with 95% interval" if with_leads else "Sales cycle of won deals", right))
    tables = (evidence.table("win_rate"), leads if with_leads else evidence.table("cycle_time"))
    values = ("win_rate", "acceptance_rate" if with_leads else "median_days")
    for position, (heading, chart) in enumerate(panels):
        left = MARGIN + position * (half + 0.4)
        slides.text(slide, Box(left, 1.55, half, 0.4), heading, 15, bold=True)
        table = tables[position]
        if table is None or table.empty or not table[values[position]].notna().any():
            slides.text(slide, Box(left, 2.0, half, 1.0), "Nothing to show yet: no deal or lead in this view has "
                        "the outcome this needs.", 14, colour=MUTED)
            continue
        deck.chart(slide, chart, Box(left, 2.0, half, 3.85))
    notes = [report.share_sentence()]
    files = [f for f in (evidence.deals_file, evidence.leads_file) if f]
    notes.append("From " + " and ".join(files) + ". Compare with your own earlier rounds rather than with a universal "
                 "benchmark.")
    slides.text(slide, Box(MARGIN, 5.95, SLIDE_WIDTH - 2 * MARGIN, 0.9), notes, 14, colour=MUTED, space_after=2)
    if summary.empty:
        return
    slide = deck.slide("The pipeline by source", "Pipeline evidence")
    columns = [(metric_header(m, evidence.currency), m.format) for m in report.catalogue.metrics
               if metric_header(m, evidence.currency) in summary.columns][:MAX_PIPELINE_COLUMNS]
    rows = [[row["Source group"], *[numbers.formatted(row[name], fmt) for name, fmt in columns]]
            for _, row in summary.iterrows()]
    width = (1.0 - 0.2) / max(1, len(columns))
    slides.table(slide, Box(MARGIN, 1.7, SLIDE_WIDTH - 2 * MARGIN, 0.55 * (len(rows) + 1)),
                 ["Source", *[name for name, _ in columns]], rows, [0.2, *[width] * len(columns)], deck.brand, 16,
                 align_right=list(range(1, len(columns) + 1)))
    slides.text(slide, Box(MARGIN, 2.4 + 0.55 * (len(rows) + 1), SLIDE_WIDTH - 2 * MARGIN, 1.2),
                "Every figure by source group, with its definition, is in the workbook export.", 14, colour=MUTED)


def action_pages(rows: Sequence[list[str]], budget: float = ACTION_LINES_PER_SLIDE) -> list[list[list[str]]]:
    """Split action rows into slides by their estimated height: a row takes one line per
    ``ACTION_CHARS_PER_LINE`` characters of its text (owner too) plus a little padding."""
    pages: list[list[list[str]]] = [[]]
    used = 0.0
    for row in rows:
        cost = max(len(row[0]) / ACTION_CHARS_PER_LINE, len(row[1]) / 20, 1.0) // 1 + 1.0
        if pages[-1] and used + cost > budget:
            pages.append([])
            used = 0.0
        pages[-1].append(row)
        used += cost
    return pages


def actions_slides(deck: DeckBuilder) -> None:
    actions = deck.report.actions
    rows = [[str(a.text), str(a.owner or "–"), a.due_date.strftime("%d %b %Y") if pd.notna(a.due_date) else "–",
             "Done" if a.status == "done" else "Open"] for a in actions.itertuples(index=False)]
    pages = action_pages(rows)
    for number, page in enumerate(pages, start=1):
        title = "Agreed actions" + (f" ({number} of {len(pages)})" if len(pages) > 1 else "")
        slide = deck.slide(title, "Next steps")
        if not page:
            deck.note(slide, "No actions were recorded. Agree a few, each with an owner and a date, on the "
                             "Facilitator page.")
            continue
        slides.table(slide, Box(MARGIN, 1.7, SLIDE_WIDTH - 2 * MARGIN, 0.7 * (len(page) + 1)),
                     ["Action", "Owner", "Due", "Status"], page, [0.6, 0.18, 0.12, 0.1], deck.brand, 15)


def definitions_slide(deck: DeckBuilder) -> None:
    """Every term and metric of the catalogue, over as many slides as they need."""
    lines = [f"{label}: {meaning}" for label, meaning in deck.report.catalogue.definitions(deck.report.k)]
    per_slide = DEFINITIONS_PER_SLIDE
    for start in range(0, len(lines), per_slide):
        slide = deck.slide("How the numbers are made", "Definitions")
        slides.text(slide, Box(MARGIN, 1.5, SLIDE_WIDTH - 2 * MARGIN, 5.4), lines[start:start + per_slide], 12,
                    bullets=True, space_after=6)


SLIDES: Final[tuple[Callable[[DeckBuilder], None], ...]] = (
    title_slide, participation_slide, index_slide, dimensions_slide, gaps_slide, change_slide, top_gap_slides,
    priorities_slide,
)


def build_deck(
    report: WorkshopReport, pipeline_summary: pd.DataFrame, brand: str = slides.DEFAULT_BRAND, logo: bytes | None = None
) -> bytes:
    """The PPTX file. ``pipeline_summary`` is the workbook's Pipeline table (``tables.pipeline``);
    ``logo`` (PNG or JPEG bytes) goes on a white card at the top right of the title slide."""
    deck = DeckBuilder(report, brand, logo)
    for add in SLIDES:
        add(deck)
    pipeline_slides(deck, pipeline_summary)
    promises_slide(deck)
    actions_slides(deck)
    definitions_slide(deck)
    return deck.save()
