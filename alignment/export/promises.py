"""What we promised last time, in the files that leave the app: a deck slide and a workbook sheet.

Both lay out the results object's checked actions and action history (``Results.promises``, from
``alignment.promises.promises_results``); nothing is computed here.
"""

from __future__ import annotations

from typing import Final

import pandas as pd
from pptx.dml.color import RGBColor

from alignment.action_progress import CANNOT_TELL, MET, MOVING, figure_words
from alignment.export import slides
from alignment.export.slides import MARGIN, SLIDE_WIDTH, Box

WIDTHS: Final = (0.19, 0.19, 0.2, 0.12, 0.3)
# Characters of 12 pt Arial that fit one line of each column on a 12.1 in wide table, and the lines a slide holds.
CHARS_PER_LINE: Final = tuple(int(w * 12.1 * 11) for w in WIDTHS)
LINES_PER_SLIDE: Final = 24.0
VERDICT_FILLS: Final = {MET: RGBColor(0xC7, 0xE8, 0xDA), MOVING: RGBColor(0xCF, 0xE2, 0xF3),
                        CANNOT_TELL: RGBColor(0xE4, 0xE7, 0xEB)}  # fmt: skip
NOT_MOVING_FILL: Final = RGBColor(0xF6, 0xC9, 0xA8)


def _cell(words: str) -> str:
    """A figure for a table cell; "?" where it cannot be told (the verdict column says why)."""
    return "?" if words.startswith("cannot tell") else (words or "–")


def promises_slide(deck) -> None:  # noqa: ANN001 - an alignment.export.deck.DeckBuilder
    """The slide "What we promised last time": each action with a target agreed in an earlier round, its metric and
    gap then and now, and the verdict with its reason (no slide when there is nothing to check)."""
    report = deck.report
    names = {d.id: d.name for d in report.framework.dimensions}
    rows = []
    for progress in report.promises.checked:
        words = figure_words(progress)
        metric = f"{_cell(words['metric_then'])} → {_cell(words['metric_now'])}" if progress.metric_then else "–"
        counts = "; ".join(w for w in (words["counts_then"], words["counts_now"]) if w)
        gap = f"{_cell(words['gap_then'])} → {_cell(words['gap_now'])}" if progress.gap_then else "–"
        rows.append([progress.text, progress.target.describe(names), metric + (f"\n{counts}" if counts else ""), gap,
                     progress.reason])  # fmt: skip
    pages = row_pages(rows)
    first = 0
    for number, page in enumerate(pages, start=1):
        title = "What we promised last time" + (f" ({number} of {len(pages)})" if len(pages) > 1 else "")
        slide = deck.slide(title, f"Checked in round {report.promises.round_no}")
        fills = {(row, 4): VERDICT_FILLS.get(report.promises.checked[first + row].verdict, NOT_MOVING_FILL)
                 for row in range(len(page))}  # fmt: skip
        first += len(page)
        slides.table(slide, Box(MARGIN, 1.6, SLIDE_WIDTH - 2 * MARGIN, 1.25 * (len(page) + 1)),
                     ["Action", "Target", "Metric then → now", "Gap then → now", "Verdict"], page, WIDTHS,
                     deck.brand, 12, fills=fills)  # fmt: skip


def row_lines(row: list[str]) -> float:
    """Estimated lines a table row takes: its tallest cell (text wrapped at ``CHARS_PER_LINE``) plus padding."""
    return max(sum(len(part) // chars + 1 for part in str(cell).split("\n"))
               for cell, chars in zip(row, CHARS_PER_LINE, strict=True)) + 0.6  # fmt: skip


def row_pages(rows: list[list[str]], budget: float = LINES_PER_SLIDE) -> list[list[list[str]]]:
    """Rows split into slides by their estimated height, so long actions never run off a slide."""
    pages: list[list[list[str]]] = [[]]
    used = 0.0
    for row in rows:
        cost = row_lines(row)
        if pages[-1] and used + cost > budget:
            pages.append([])
            used = 0.0
        pages[-1].append(row)
        used += cost
    return [page for page in pages if page]


def action_history_sheet(report) -> pd.DataFrame:  # noqa: ANN001 - an alignment.export.report.WorkshopReport
    """The workbook's "Action history" sheet: every action, its target, and this round's check."""
    return report.promises.history
