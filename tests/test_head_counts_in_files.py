"""A team that handed in more answer sheets than the facilitator's expected head count is flagged in
the one results object, so the Alignment page, the deck and the workbook all say it — naming the
team and the expected number, never the team's count of sheets (it may be below k).

The workshop (k = 3): 4 marketing people and 3 sales people submit round 1, 2 leadership people
(fewer than k) too; the round is revealed.

- expected marketing 3: 4 > 3, so Marketing is flagged;
- expected marketing 4: 4 > 4 is false, nothing is flagged and nothing is added;
- expected leadership 1: 2 > 1 flags Leadership, named with "1 person" and never with its 2.
"""

from __future__ import annotations

import io

import pytest
from conftest import ROOT
from openpyxl import load_workbook
from pptx import Presentation
from streamlit.testing.v1 import AppTest
from test_one_truth import FRAMEWORK, _answer, _page, _texts

from alignment.export import export_file
from alignment.export.report import load_results
from alignment.store import create_workshop, open_database, update_workshop
from alignment.store.headcounts import set_expected_head_counts
from alignment.suppression import AnswerFilters

MARKETING_FLAG = ("Marketing handed in more answer sheets than the 3 people expected in the room: someone may "
                  "have answered twice.")


def _workshop(app_env, expected: dict[str, int]):  # noqa: ANN001, ANN202
    AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()  # seeds the app's database first
    engine = open_database()
    workshop = create_workshop(engine, "Head counts", teams=("Marketing", "Sales", "Leadership"))
    for value in (5, 5, 5, 5):
        _answer(engine, workshop, "marketing", value)
    for value in (3, 3, 4):
        _answer(engine, workshop, "sales", value)
    for value in (1, 2):
        _answer(engine, workshop, "leadership", value)
    workshop = set_expected_head_counts(engine, workshop, expected)
    return engine, update_workshop(engine, workshop.id, results_revealed=True)


def _deck_text(engine, workshop) -> str:  # noqa: ANN001
    deck = Presentation(io.BytesIO(export_file(engine, workshop, FRAMEWORK, "pptx").data))
    return "\n".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame)


def _about(engine, workshop) -> dict:  # noqa: ANN001
    book = load_workbook(io.BytesIO(export_file(engine, workshop, FRAMEWORK, "xlsx").data))
    return {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}


@pytest.mark.parametrize(("people", "flagged"), [(3, True), (4, False)])
def test_more_sheets_than_expected_is_said_on_the_page_in_the_deck_and_in_the_workbook(
        app_env, people: int, flagged: bool) -> None:  # noqa: ANN001
    engine, workshop = _workshop(app_env, {"marketing": people})
    page = _texts(_page(workshop))
    deck = _deck_text(engine, workshop)
    about = _about(engine, workshop)
    assert "6 people answered" not in deck and "7 people answered in round 1" in deck  # 4 + 3, leadership not added
    if flagged:  # 4 marketing sheets > 3 expected
        assert MARKETING_FLAG in page
        assert MARKETING_FLAG in deck
        assert about["Answer sheets"] == MARKETING_FLAG
    else:  # 4 sheets, 4 expected: nothing is added anywhere
        for text in (page, deck):
            assert "more answer sheets" not in text
        assert "Answer sheets" not in about


def test_a_team_below_k_is_named_with_the_expected_number_only(app_env) -> None:  # noqa: ANN001
    engine, workshop = _workshop(app_env, {"leadership": 1, "marketing": 4})
    results = load_results(engine, workshop, FRAMEWORK)
    assert results.over_expected == (("Leadership", 1),)  # 2 sheets > 1 expected; marketing 4 > 4 is false
    note = results.over_expected_note()
    assert note == ("Leadership handed in more answer sheets than the 1 person expected in the room: someone may "
                    "have answered twice.")
    assert "2" not in note  # leadership's count (2 < k) is never stated
    only_sales = load_results(engine, workshop, FRAMEWORK, filters=AnswerFilters(round_no=1, teams=("sales",)))
    assert only_sales.over_expected == () and only_sales.over_expected_note() == ""  # a team not in view
