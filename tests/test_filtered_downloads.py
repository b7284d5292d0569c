"""The Alignment page's report downloads are the view the page shows: filtered by its teams, levels and
deals, withholding what it withholds, and naming the filters in words.

The workshop (k = 3, default framework, each person gives one answer to every item):

- marketing: 3 managers answer 5 (score (5 − 1) ÷ 4 × 100 = 100) and 3 individual contributors answer
  3 (score 50); all six: mean 4 → score 75;
- sales: 3 managers answer 2 (score 25) and 3 individual contributors answer 4 (score 75); all six:
  mean 3 → score 50;
- leadership: 2 managers and 2 individual contributors answer 1 (score 0). Four people are shown in
  "every level", but its managers (2 < k) cannot be split from its individual contributors, so a
  managers view withholds the whole team.

Every level: gap 75 − 50 = +25 in every dimension; index level (75 + 50) ÷ 2 = 62.5, closeness
100 − 25 = 75, index 62.5 × 75 ÷ 100 = 46.875 → "47", band Defined.
Managers only: gap 100 − 25 = +75 (every resample of five-only and two-only answers is the same, so
the interval is +75 to +75); index level (100 + 25) ÷ 2 = 62.5, closeness 100 − 75 = 25,
62.5 × 25 ÷ 100 = 15.625 → "16", band Undefined.

The deals (EUR), created in 2026: region EMEA in the first quarter — marketing won 300 and lost 50,
sales won 200 and lost 80 and 90; EMEA on 1 May — marketing lost 40; North America in the first
quarter — marketing won 100, sales lost 70.
All deals: marketing sourced 4 of 8 = 50% of the deals and 400 of 600 = 67% of the value won.
EMEA created 2026-01-01 to 2026-03-31: 5 deals; marketing 2 of 5 = 40%, 300 of 500 = 60% of the value won.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pandas as pd
import pytest
from conftest import ROOT
from openpyxl import load_workbook
from pptx import Presentation
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from alignment.canonical import conform
from alignment.framework import load_framework
from alignment.metrics import DealFilters
from alignment.store import create_workshop, open_database, save_dataset, update_workshop
from alignment.store.responses import join, save_importance, save_step, submit
from alignment.suppression import AnswerFilters
from alignment.view_words import describe_view

FRAMEWORK = load_framework()
FIRST = FRAMEWORK.dimensions[0]
VIEW = "Levels: managers · Deals: region EMEA, created 2026-01-01 to 2026-03-31"


def _answer(engine, workshop, team: str, level: str, value: int) -> None:  # noqa: ANN001
    person = join(engine, workshop, team, level)
    for dimension in FRAMEWORK.dimensions:
        save_step(engine, FRAMEWORK, workshop.id, person.token, round_no=1, dimension_id=dimension.id,
                  answers={item.id: value for item in dimension.items})
    save_importance(engine, FRAMEWORK, workshop.id, person.token, round_no=1, dimension_ids=(FIRST.id,))
    submit(engine, FRAMEWORK, workshop.id, person.token, round_no=1, submission_id=person.token[:20] + "-submit")


def _deals() -> pd.DataFrame:
    rows = [("marketing", "won", 300.0, "EMEA", "2026-01-01"), ("marketing", "lost", 50.0, "EMEA", "2026-02-01"),
            ("sales", "won", 200.0, "EMEA", "2026-02-10"), ("sales", "lost", 80.0, "EMEA", "2026-03-01"),
            ("sales", "lost", 90.0, "EMEA", "2026-03-31"), ("marketing", "lost", 40.0, "EMEA", "2026-05-01"),
            ("marketing", "won", 100.0, "North America", "2026-01-20"),
            ("sales", "lost", 70.0, "North America", "2026-02-20")]
    return conform(pd.DataFrame([
        {"deal_id": str(n), "source_group": group, "lead_source": group.title(), "outcome": outcome,
         "stage": "Closed", "amount": amount, "currency": "EUR", "region": region,
         "created_date": pd.Timestamp(created), "close_date": pd.Timestamp(created) + pd.Timedelta(days=10)}
        for n, (group, outcome, amount, region, created) in enumerate(rows)]), "deals")


@pytest.fixture
def levels(app_env):  # noqa: ANN001, ANN201
    """The workshop above (revealed), its deals saved; the app's database seeded first."""
    AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    engine = open_database()
    workshop = create_workshop(engine, "Levels truth", teams=("Marketing", "Sales", "Leadership"))
    for team, level, value in (("marketing", "manager", 5), ("marketing", "ic", 3), ("sales", "manager", 2),
                               ("sales", "ic", 4)):
        for _ in range(3):
            _answer(engine, workshop, team, level, value)
    for level in ("manager", "manager", "ic", "ic"):
        _answer(engine, workshop, "leadership", level, 1)
    save_dataset(engine, workshop.id, "deals", _deals(), "deals.csv")
    return engine, update_workshop(engine, workshop.id, results_revealed=True)


@pytest.fixture
def handed_out(monkeypatch):  # noqa: ANN001, ANN201
    """(file name, the callable a download button runs when clicked), in the order the buttons were drawn
    (AppTest has no server to fetch a deferred download from)."""
    made: list[tuple[str, object]] = []
    original = MediaFileManager.add_deferred

    def recording(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):  # noqa: ANN001, ANN202
        made.append((file_name, data_callable))
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    return made


def _page(workshop, *, levels: list[str] | None = None, regions: list[str] | None = None,  # noqa: ANN001
          dates: tuple[date, date] | None = None) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    app.query_params["w"] = workshop.code
    app.run()
    app.switch_page("pages/alignment.py").run()
    if levels is not None:
        app.sidebar.multiselect(key="filter_levels").set_value(levels)
    if regions is not None:
        app.sidebar.multiselect(key="filter_region").set_value(regions)
    if dates is not None:
        app.sidebar.date_input(key="filter_dates").set_value(dates)
    app.run()
    assert not app.exception, app.exception
    return app


def _download(made: list[tuple[str, object]], suffix: str) -> tuple[str, bytes]:
    """The file the last drawn report button of this kind hands out."""
    name, make = [(n, m) for n, m in made if n.startswith("Levels-truth-round-1") and n.endswith(suffix)][-1]
    return name, make()


def _deck_text(data: bytes) -> str:
    """Every text on every slide, table cells included, one per line."""
    deck = Presentation(io.BytesIO(data))
    shapes = [shape for slide in deck.slides for shape in slide.shapes]
    texts = [shape.text_frame.text for shape in shapes if shape.has_text_frame]
    cells = [cell.text for shape in shapes if shape.has_table for row in shape.table.rows for cell in row.cells]
    return "\n".join([*texts, *cells])


def _sheet(book, name: str) -> list[dict]:  # noqa: ANN001
    rows = list(book[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _about(book) -> dict:  # noqa: ANN001
    return {row["Fact"]: row["Value"] for row in _sheet(book, "About")}


def test_a_filtered_page_hands_out_files_with_its_own_figures_and_names_the_filters(levels, handed_out) -> None:  # noqa: ANN001
    _, workshop = levels
    app = _page(workshop, levels=["manager"], regions=["EMEA"], dates=(date(2026, 1, 1), date(2026, 3, 31)))
    captions = [c.value for c in app.caption]
    assert f"Round 1, the view above: {VIEW}. Figures from fewer than 3 people are withheld in every file, as on " \
           "screen." in captions
    assert next(m.value for m in app.metric if m.label == "Alignment index") == "16"

    name, deck = _download(handed_out, ".pptx")
    assert name == "Levels-truth-round-1-filtered.pptx"
    text = _deck_text(deck)
    assert f"View: {VIEW}" in text
    assert "Alignment index 16 of 100: Undefined" in text and "Alignment index 47" not in text
    assert "Gap +75 (95% interval +75 to +75)" in text and "Gap +25" not in text
    assert "Marketing sourced 40% of the deals created and 60% of the value won." in text
    assert "50% of the deals created" not in text

    _, workbook = _download(handed_out, ".xlsx")
    book = load_workbook(io.BytesIO(workbook))
    about = _about(book)
    assert (about["View"], about["Levels"], about["Teams"]) == (VIEW, "managers", "every team")
    assert about["Deals"] == "region EMEA, created 2026-01-01 to 2026-03-31"
    assert (about["Alignment index (0–100)"], about["Band"]) == (16, "Undefined")
    gaps = _sheet(book, "Dimension gaps")
    assert {row["Gap (marketing − sales)"] for row in gaps} == {75}
    scores = {(row["Team"], row["Score (0–100)"]) for row in _sheet(book, "Dimensions")}
    assert ("Marketing", 100) in scores and ("Sales", 25) in scores and ("Marketing", 75) not in scores
    pipeline = {row["Source group"]: row for row in _sheet(book, "Pipeline")}
    assert (pipeline["Marketing"]["Win rate (%)"], pipeline["Sales"]["Win rate (%)"]) == (0.5, 0.33)  # 1/2, 1/3

    _, archive = _download(handed_out, ".zip")
    about_csv = pd.read_csv(io.BytesIO(zipfile.ZipFile(io.BytesIO(archive)).read("about.csv")), encoding="utf-8-sig")
    assert dict(zip(about_csv["Fact"], about_csv["Value"], strict=True))["View"] == VIEW


def test_the_unfiltered_page_hands_out_every_team_level_and_deal(levels, handed_out) -> None:  # noqa: ANN001
    _, workshop = levels
    app = _page(workshop)
    assert "Round 1, the view above: every team and level, all deals. Figures from fewer than 3 people are " \
           "withheld in every file, as on screen." in [c.value for c in app.caption]
    name, deck = _download(handed_out, ".pptx")
    assert name == "Levels-truth-round-1.pptx"  # the deals' whole date range, as the filter starts, is no filter
    text = _deck_text(deck)
    assert "View: every team and level, all deals" in text
    assert "Alignment index 47 of 100: Defined" in text
    assert "Marketing sourced 50% of the deals created and 67% of the value won." in text


def test_a_team_the_filtered_page_withholds_is_withheld_in_its_files(levels, handed_out) -> None:  # noqa: ANN001
    _, workshop = levels
    everyone = _page(workshop)
    _, workbook = _download(handed_out, ".xlsx")
    shown = {row["Score (0–100)"] for row in _sheet(load_workbook(io.BytesIO(workbook)), "Dimensions")
             if row["Team"] == "Leadership"}
    assert shown == {0}  # every level: leadership's four people are shown, all answering 1
    assert not everyone.warning

    handed_out.clear()
    managers = _page(workshop, levels=["manager"])
    [note] = [w.value for w in managers.warning]
    assert "Leadership is not shown for this choice" in note  # by the team's name, never how many
    _, workbook = _download(handed_out, ".xlsx")
    book = load_workbook(io.BytesIO(workbook))
    assert all(row["Score (0–100)"] is None for row in _sheet(book, "Dimensions") if row["Team"] == "Leadership")
    assert {row["Team"] for row in _sheet(book, "Dimensions") if row["Score (0–100)"] is not None} == {
        "Marketing", "Sales"}
    leadership = next(row for row in _sheet(book, "Participation") if row["Team"] == "Leadership")
    assert leadership["Respondents"] is None  # named, never counted
    assert _about(book)["Not shown in this view"] == note
    _, deck = _download(handed_out, ".pptx")
    text = _deck_text(deck)
    assert "Leadership\nfewer than 3\nWithheld" in text  # its row in "Who answered": named, not counted


def test_a_hidden_round_hands_out_nothing_whatever_the_filters(levels) -> None:  # noqa: ANN001
    engine, workshop = levels
    hidden = update_workshop(engine, workshop.id, results_revealed=False)
    app = _page(hidden, levels=["manager"], regions=["EMEA"])
    assert not app.get("download_button")
    assert "The files appear here once the facilitator reveals this round's results." in [c.value for c in app.caption]


def test_the_facilitator_page_files_stay_every_team_and_level(levels, handed_out) -> None:  # noqa: ANN001
    _, workshop = levels

    def script(code: str) -> None:
        import streamlit as st

        from alignment.store import find_workshop
        from alignment.ui import downloads, session

        st.session_state["filter_levels"] = ["manager"]  # an Alignment page filter left in the session
        downloads.report_downloads(find_workshop(session.engine(), code), allow_answers=True)

    app = AppTest.from_function(script, args=(workshop.code,), default_timeout=90).run()
    assert not app.exception, app.exception
    assert "Round 1, every team and level, all deals. Figures from fewer than 3 people are withheld in every " \
           "file, as on screen." in [c.value for c in app.caption]
    name, workbook = _download(handed_out, ".xlsx")
    assert name == "Levels-truth-round-1.xlsx"
    book = load_workbook(io.BytesIO(workbook))
    assert _about(book)["View"] == "every team and level, all deals"
    assert (_about(book)["Alignment index (0–100)"], _about(book)["Band"]) == (47, "Defined")


def test_a_view_is_said_in_words() -> None:
    names = {"marketing": "Marketing", "sales": "Sales"}.__getitem__
    assert describe_view(AnswerFilters(round_no=2), DealFilters(), names) == "every team and level, all deals"
    assert describe_view(AnswerFilters(teams=("marketing", "sales"), levels=("manager",)),
                         DealFilters(regions=("EMEA",), start=date(2026, 1, 1), end=date(2026, 3, 31)), names) == (
        "Teams: Marketing, Sales · Levels: managers · Deals: region EMEA, created 2026-01-01 to 2026-03-31")
    assert describe_view(AnswerFilters(teams=("sales",)), DealFilters(), names) == "Teams: Sales · all deals"
    assert describe_view(AnswerFilters(), DealFilters(segments=("SMB", "Enterprise"), start=date(2026, 2, 1)),
                         names) == "every team and level · Deals: segment SMB or Enterprise, created from 2026-02-01"
