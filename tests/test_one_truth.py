"""One truth: a small workshop and a small deals file, figures computed by hand, seen the same in every
output — the Alignment page, presentation steps, chart CSVs, the deck's text and the workbook.

The workshop (k = 3, default framework, every item answered the same way by each person):

- marketing: 3 people answer 5 everywhere → mean 5, score (5 − 1) ÷ 4 × 100 = 100;
- sales: 3 people answer 3, 3 and 4 → mean 10/3, score (10/3 − 1) ÷ 4 × 100 = 58.33;
- leadership: 2 people (fewer than k): never shown, never counted, its comment never listed.

Gap per dimension = 100 − 58.33 = 41.67 → "+42". Bootstrap interval: marketing is 100 in every
resample; a resample of sales draws 3 of {3, 3, 4}: all three 4s (probability 1/27 = 3.7%) gives a
sales score of 75 (gap 25); all three 3s (8/27 = 29.6%) gives 50 (gap 50). So the 2.5th percentile
is 25 and the 97.5th is 50: "+25 to +50". Index: level (100 + 58.33) ÷ 2 = 79.17, closeness
100 − 41.67 = 58.33, index 79.17 × 58.33 ÷ 100 = 46.18 → "46", band Defined (25 to 50).

The deals (EUR): marketing-sourced 2 won (100 and 300) and 1 lost; sales-sourced 1 won (200) and 3
lost. Marketing share of deals 3/7 = 43%, of bookings 400/600 = 67%; win rate 2/3 = 67% against
1/4 = 25%; average won deal EUR 200 for both (400/2 and 200/1).
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT
from openpyxl import load_workbook
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from alignment import catalogue
from alignment.canonical import conform
from alignment.export import export_file
from alignment.export.report import load_results
from alignment.export.tables import chart_table
from alignment.framework import load_framework
from alignment.store import create_workshop, open_database, save_dataset, update_workshop
from alignment.store.responses import join, save_importance, save_step, submit
from alignment.ui.presentation import STEPS

FRAMEWORK = load_framework()
FIRST = FRAMEWORK.dimensions[0]


def _answer(engine, workshop, team: str, value: int, comment: str | None = None) -> None:  # noqa: ANN001
    person = join(engine, workshop, team, "ic")
    for dimension in FRAMEWORK.dimensions:
        save_step(engine, FRAMEWORK, workshop.id, person.token, round_no=1, dimension_id=dimension.id,
                  answers={item.id: value for item in dimension.items},
                  comment=comment if dimension.id == FIRST.id else None)
    save_importance(engine, FRAMEWORK, workshop.id, person.token, round_no=1, dimension_ids=(FIRST.id,))
    submit(engine, FRAMEWORK, workshop.id, person.token, round_no=1, submission_id=person.token[:20] + "-submit")


def _deals() -> pd.DataFrame:
    rows = []
    for group, outcome, amount, days in (("marketing", "won", 100.0, 10), ("marketing", "won", 300.0, 30),
                                         ("marketing", "lost", 50.0, 5), ("sales", "won", 200.0, 20),
                                         ("sales", "lost", 80.0, 8), ("sales", "lost", 90.0, 9),
                                         ("sales", "lost", 70.0, 7)):
        rows.append({"deal_id": str(len(rows)), "source_group": group, "lead_source": group.title(),
                     "outcome": outcome, "stage": "Closed", "amount": amount, "currency": "EUR",
                     "created_date": pd.Timestamp("2026-01-01"),
                     "close_date": pd.Timestamp("2026-01-01") + pd.Timedelta(days=days)})
    return conform(pd.DataFrame(rows), "deals")


@pytest.fixture
def small(app_env):  # noqa: ANN001, ANN201
    """The small workshop (revealed), its deals saved; the app's database seeded first."""
    AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    engine = open_database()
    workshop = create_workshop(engine, "Small truth", teams=("Marketing", "Sales", "Leadership"))
    for value in (5, 5, 5):
        _answer(engine, workshop, "marketing", value, comment="Our content is great" if value == 5 else None)
    for value in (3, 3, 4):
        _answer(engine, workshop, "sales", value)
    for value in (1, 2):
        _answer(engine, workshop, "leadership", value, comment="Only two of us say this")
    save_dataset(engine, workshop.id, "deals", _deals(), "deals.csv")
    workshop = update_workshop(engine, workshop.id, results_revealed=True)
    return engine, workshop


def _page(workshop, tab: str | None = None) -> AppTest:  # noqa: ANN001
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    app.query_params["w"] = workshop.code
    app.run()
    app.switch_page("pages/alignment.py")
    if tab:
        app.session_state["alignment_tab"] = tab
    app.run()
    assert not app.exception, app.exception
    return app


def _texts(app: AppTest) -> str:
    parts = [e.value for e in (*app.info, *app.warning, *app.markdown, *app.caption, *app.header, *app.subheader)]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def _metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def test_the_page_shows_the_hand_computed_figures(small) -> None:  # noqa: ANN001
    _, workshop = small
    app = _page(workshop)
    shown = _texts(app)
    assert _metric(app, "Alignment index") == "46"
    assert "Alignment index 46 of 100, Defined:" in shown
    assert _metric(app, "Largest perception gap") == "+42 points"
    assert f"{FIRST.name}: 42 points apart, marketing rates it higher (marketing 100, sales 58; 95% interval " \
           "+25 to +50)" in shown
    assert _metric(app, "Respondents") == "6"  # leadership's 2 are not added in
    assert "Not shown in this view, to keep answers anonymous: Leadership." in shown
    comments = next(frame.value for frame in app.dataframe if "Comment" in frame.value.columns)
    assert comments["Comment"].tolist() == ["Our content is great"] * 3
    assert "Only two of us say this" not in comments["Comment"].tolist()
    pipeline = _texts(_page(workshop, "Pipeline"))
    assert "7 deals in view. Marketing sourced 43% of the deals created and 67% of the value won." in pipeline


def test_chart_csv_holds_the_same_rounded_figures_with_labels(small) -> None:  # noqa: ANN001
    engine, workshop = small
    results = load_results(engine, workshop, FRAMEWORK)
    gaps = chart_table(results.gaps.dimensions, results).iloc[0]
    assert (gaps["Dimension"], gaps["Marketing score"], gaps["Sales score"]) == (FIRST.name, 100, 58)
    assert (gaps["Gap (marketing − sales)"], gaps["Interval low (95%)"], gaps["Interval high (95%)"]) == (42, 25, 50)
    scores = chart_table(results.dimensions, results)
    assert set(scores["Team"]) == {"Marketing", "Sales"}  # names, not ids; leadership (2 < k) has no row at all
    wins = chart_table(results.pipeline.table("win_rate"), results).set_index("Source group")
    assert (wins.at["Marketing", "Win rate"], wins.at["Sales", "Win rate"]) == (0.67, 0.25)


def _present(workshop, number: int) -> str:  # noqa: ANN001
    """Everything presentation step ``number`` says, as the room sees it."""

    def script(code: str, at: int) -> None:
        import streamlit as st

        from alignment.store import find_workshop
        from alignment.ui import presentation, session

        st.session_state[presentation.STEP_KEY] = at
        presentation.show(find_workshop(session.engine(), code))

    app = AppTest.from_function(script, args=(workshop.code, number), default_timeout=90)
    app.run()
    assert not app.exception, app.exception
    return _texts(app) + "\n" + "\n".join(str(t.value) for t in app.title)


def test_presentation_steps_say_the_same(small) -> None:  # noqa: ANN001
    _, workshop = small

    def step(number: int) -> str:
        return _present(workshop, number)

    assert "Alignment index 46 of 100, Defined:" in step(1)
    assert f"{FIRST.name}: 42 points apart, marketing rates it higher (marketing 100, sales 58; 95% interval " \
           "+25 to +50)" in step(2)
    evidence = step(7)
    assert "Marketing sourced 43% of the deals created and 67% of the value won." in evidence
    assert "67%" in evidence and "25%" in evidence  # the two win rates
    assert "nan" not in evidence


def test_deck_text_says_the_same(small) -> None:  # noqa: ANN001
    engine, workshop = small
    deck = Presentation(io.BytesIO(export_file(engine, workshop, FRAMEWORK, "pptx").data))
    text = "\n".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes
                     if shape.has_text_frame)
    assert "6 people answered in round 1 in the teams shown" in text
    assert "Alignment index 46 of 100: Defined" in text
    assert "Gap +42 (95% interval +25 to +50)" in text
    assert "Marketing sourced 43% of the deals created and 67% of the value won." in text
    assert not re.search(r"(?<![\w.])-0(?![\d.])", text) and "nan" not in text


def test_workbook_says_the_same(small) -> None:  # noqa: ANN001
    engine, workshop = small
    book = load_workbook(io.BytesIO(export_file(engine, workshop, FRAMEWORK, "xlsx").data))
    about = {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}
    assert (about["Alignment index (0–100)"], about["Band"]) == (46, "Defined")
    gaps = [dict(zip([c.value for c in book["Dimension gaps"][1]], row, strict=True))
            for row in book["Dimension gaps"].iter_rows(min_row=2, values_only=True)]
    assert (gaps[0]["Gap (marketing − sales)"], gaps[0]["Interval low (95%)"], gaps[0]["Interval high (95%)"]) == (
        42, 25, 50)
    pipeline = {row[0]: dict(zip([c.value for c in book["Pipeline"][1]], row, strict=True))
                for row in book["Pipeline"].iter_rows(min_row=2, values_only=True)}
    assert (pipeline["Marketing"]["Win rate (%)"], pipeline["Sales"]["Win rate (%)"]) == (0.67, 0.25)
    assert pipeline["Marketing"]["Average deal size (EUR)"] == 200


def test_a_metric_added_to_the_catalogue_shows_in_every_output(small, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    engine, workshop = small
    data = yaml.safe_load(catalogue.DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8"))
    data["metrics"].append({
        "id": "bookings", "label": "Bookings", "definition": "Total amount of won deals.", "unit": "amount",
        "format": "amount", "direction": "higher_is_better", "table": "deal_size", "value": "won_value",
        "count": "won", "sentence": "Marketing-sourced deals booked {marketing} against {sales} for sales-sourced.",
    })
    copy = tmp_path / "metrics.yaml"
    copy.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(catalogue, "DEFAULT_CATALOGUE_PATH", copy)
    framework_copy = tmp_path / "framework.yaml"
    shutil.copy(ROOT / "data" / "framework.yaml", framework_copy)
    linked = load_framework(framework_copy)  # the framework validates its evidence against the new catalogue
    assert linked.dimensions

    results = load_results(engine, workshop, FRAMEWORK)
    assert "Bookings" in [label for label, _ in results.catalogue.definitions(results.k)]
    app = _page(workshop, "Pipeline")
    shown = _texts(app)
    assert "**Bookings**: Marketing-sourced EUR 400 · Sales-sourced EUR 200" in shown  # 100 + 300 and 200 won
    page = _page(workshop)
    assert "**Bookings.** Total amount of won deals." in _texts(page)
    book = load_workbook(io.BytesIO(export_file(engine, workshop, FRAMEWORK, "xlsx").data))
    terms = [row[0] for row in book["Definitions"].iter_rows(min_row=2, values_only=True)]
    assert "Bookings" in terms
    pipeline = {row[0]: dict(zip([c.value for c in book["Pipeline"][1]], row, strict=True))
                for row in book["Pipeline"].iter_rows(min_row=2, values_only=True)}
    assert (pipeline["Marketing"]["Bookings (EUR)"], pipeline["Sales"]["Bookings (EUR)"]) == (400, 200)
    deck = Presentation(io.BytesIO(export_file(engine, workshop, FRAMEWORK, "pptx").data))
    text = "\n".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame)
    assert "Bookings: Total amount of won deals." in text
    evidence = _present(workshop, STEPS.index("Pipeline evidence"))
    assert "Bookings" in evidence and "EUR 400" in evidence  # marketing's won deals: 100 + 300
    assert "nan" not in evidence


def test_a_hidden_round_offers_no_download_to_the_room(app_env) -> None:  # noqa: ANN001
    AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    engine = open_database()
    workshop = create_workshop(engine, "Hidden")
    for value in (5, 5, 5):
        _answer(engine, workshop, "marketing", value)
    for value in (3, 3, 4):
        _answer(engine, workshop, "sales", value)
    app = _page(workshop)
    assert not app.get("download_button")
    assert "The files appear here once the facilitator reveals this round's results." in _texts(app)
    room = load_results(engine, workshop, FRAMEWORK)
    assert not room.downloads_allowed and room.index.index is None and room.evidence.empty
    facilitator = load_results(engine, workshop, FRAMEWORK, for_facilitator=True)
    assert facilitator.downloads_allowed and facilitator.index.index is not None
    book = load_workbook(io.BytesIO(export_file(engine, workshop, FRAMEWORK, "xlsx", signed_in=False).data))
    about = {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}
    assert about["Alignment index (0–100)"] is None  # a file made for the room holds no hidden figure
    assert all(row[5] is None for row in book["Dimensions"].iter_rows(min_row=2, values_only=True))


def test_blank_lead_source_and_no_won_deal_are_said_in_words_not_as_zero(small) -> None:  # noqa: ANN001
    engine, workshop = small
    blank = _deals().assign(source_group=None, lead_source=None, outcome="open")
    save_dataset(engine, workshop.id, "deals", conform(blank, "deals"), "no_source.csv")
    from alignment.evidence import NO_SOURCE
    from alignment.store import find_workshop

    workshop = find_workshop(engine, workshop.code)
    assert load_results(engine, workshop, FRAMEWORK).share_sentence() == NO_SOURCE
    page = _texts(_page(workshop, "Pipeline"))
    assert "The deals have no lead source" in page and "nan" not in page
    assert "sourced 0%" not in page and "0% of" not in page  # ("0%" of "don't know" answers is a real zero)
    deck = Presentation(io.BytesIO(export_file(engine, workshop, FRAMEWORK, "pptx").data))
    text = "\n".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame)
    assert NO_SOURCE in text and "sourced 0%" not in text and "nan" not in text

    def script(code: str) -> None:
        import streamlit as st

        from alignment.store import find_workshop
        from alignment.ui import presentation, session

        st.session_state[presentation.STEP_KEY] = 7
        presentation.show(find_workshop(session.engine(), code))

    app = AppTest.from_function(script, args=(workshop.code,), default_timeout=90)
    app.run()
    assert not app.exception, app.exception
    step = _texts(app)
    assert "The deals have no lead source" in step and "0%" not in step and "nan" not in step
    assert "win rate" not in step  # no split by source to show


def test_the_wall_counts_only_teams_with_k_answers() -> None:
    from alignment.ui.room import shown_counts

    counts = {"marketing": {"started": 4, "submitted": 3}, "sales": {"started": 2, "submitted": 1}}
    total, cards = shown_counts(counts, ("Marketing", "Sales", "Leadership"), 3)
    # marketing's 3 are shown (1 still answering is fewer than 3: "a few"); sales' 1 is neither counted nor added in
    assert total == 3
    assert cards == [("Marketing", "3", "a few still answering"), ("Sales", "fewer than 3", "shown once it reaches 3"),
                     ("Leadership", "0", "")]


def test_a_catalogue_entry_with_an_unknown_parameter_is_refused_in_one_sentence() -> None:
    data = yaml.safe_load(catalogue.DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8"))
    data["metrics"][0]["sentence"] = "Within {hours} hours."
    with pytest.raises(catalogue.CatalogueError, match=r"metric 'win_rate' uses \{hours\}"):
        catalogue.parse_catalogue(data)
    data = yaml.safe_load(catalogue.DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8"))
    data["metrics"][0]["direction"] = "up"
    with pytest.raises(catalogue.CatalogueError, match="'direction' is 'up'; use one of"):
        catalogue.parse_catalogue(data)


def test_the_presentation_says_a_pipeline_figure_it_cannot_work_out_in_words(small) -> None:  # noqa: ANN001
    engine, workshop = small
    lost = _deals().assign(outcome=lambda d: d["outcome"].where(d["source_group"] == "marketing", "lost"))
    save_dataset(engine, workshop.id, "deals", conform(lost, "deals"), "sales_never_won.csv")
    from alignment.store import find_workshop

    evidence = _present(find_workshop(engine, workshop.code), STEPS.index("Pipeline evidence"))
    # sales: 0 won of 4 closed is a real 0%; with no won deal its average deal size and sales cycle are unknown
    assert "0%" in evidence and "not known" in evidence
    assert "EUR 200" in evidence and "20 days" in evidence  # marketing: (100 + 300) ÷ 2 and median of 10, 30
    assert "nan" not in evidence and not re.search(r"(?<!\d)0 days|EUR 0\b", evidence)
