"""Exports: the deck, the workbook and the CSV zip carry the dashboard's figures, nothing below k,
and no text a spreadsheet would run as a formula."""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image
from pptx import Presentation

from alignment.__main__ import main
from alignment.demo import demo_deals
from alignment.export import build_report, export_file, neutralise, render, safe_file_name
from alignment.export.report import anonymous_answers
from alignment.framework import load_framework
from alignment.gaps import perception_gaps
from alignment.scoring import dimension_scores
from alignment.store import answers_frame, create_workshop, open_database, save_dataset
from alignment.store.actions import add_action
from alignment.store.engine import write_session
from alignment.store.models import Answer, Comment, ImportancePick, Participant, Response, Round

FRAMEWORK = load_framework()
# team → (people, the answer each gives to every item); leadership stays below k = 3
TEAMS = {"marketing": (4, 4), "sales": (3, 2), "leadership": (2, 5)}
COMMENTS = {"marketing": "=1+1 we never see the lead scores", "sales": "\tnobody reads the playbook",
            "leadership": "only two of us answered"}
HOSTILE = ['=HYPERLINK("http://evil.example","click")', "@SUM(A1:A9)", "-2+3", "\tlead", "+1 call"]


def seed_answers(engine, workshop, teams=TEAMS) -> None:  # noqa: ANN001
    """Submitted answers: every person of a team gives the same answer to every item."""
    with write_session(engine) as session:
        round_id = session.query(Round).filter_by(workshop_id=workshop.id, number=1).one().id
        for team, (people, value) in teams.items():
            for person in range(people):
                participant = Participant(workshop_id=workshop.id, token=f"{workshop.code}-{team}-{person}", team=team)
                session.add(participant)
                session.flush()
                response = Response(participant_id=participant.id, round_id=round_id, status="submitted",
                                    submission_id=f"{workshop.code}-{team}-{person}-sub")
                session.add(response)
                session.flush()
                session.add_all([Answer(response_id=response.id, item_id=item.id, value=value)
                                 for item in FRAMEWORK.items])
                session.add_all([ImportancePick(response_id=response.id, dimension_id=d.id)
                                 for d in FRAMEWORK.dimensions[person % 3::3]])
                if person == 0:
                    session.add(Comment(response_id=response.id, dimension_id="common_language",
                                        text=COMMENTS[team]))


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """A workshop with marketing (4 people), sales (3) and leadership (2, below k), actions and deals."""
    url = f"sqlite:///{tmp_path_factory.mktemp('export') / 'export.db'}"
    engine = open_database(url)
    workshop = create_workshop(engine, "Q3 offsite / EMEA", organisation="Acme", teams=("Marketing", "Sales",
                               "Leadership"), k=3)
    seed_answers(engine, workshop)
    for position, text in enumerate(HOSTILE):
        add_action(engine, workshop.id, text, owner=HOSTILE[(position + 1) % len(HOSTILE)],
                   due_date=date(2027, 1, 10 + position), dimension_id="common_language")
    save_dataset(engine, workshop.id, "deals", demo_deals(np.random.default_rng(7), 300), "deals.csv")
    from alignment.store import get_workshop

    workshop = get_workshop(engine, workshop.code)
    yield engine, workshop, url
    engine.dispose()


@pytest.fixture(scope="module")
def deck(setup):  # noqa: ANN001, ANN201
    engine, workshop, _ = setup
    data = export_file(engine, workshop, FRAMEWORK, "pptx", brand="#AA3377").data
    return Presentation(io.BytesIO(data))


@pytest.fixture(scope="module")
def workbook(setup):  # noqa: ANN001, ANN201
    engine, workshop, _ = setup
    return load_workbook(io.BytesIO(export_file(engine, workshop, FRAMEWORK, "xlsx").data))


def slide_texts(slide) -> list[str]:  # noqa: ANN001
    texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
    for shape in slide.shapes:
        if shape.has_table:
            texts += [cell.text for row in shape.table.rows for cell in row.cells]
    return texts


def title_of(slide) -> str:  # noqa: ANN001
    return next(shape.text_frame.text for shape in slide.shapes if shape.name == "Title")


def pictures(slide) -> list:  # noqa: ANN001
    return [shape for shape in slide.shapes if shape.shape_type == 13]


def rows_of(sheet) -> list[dict]:  # noqa: ANN001
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


# ------------------------------------------------------------------ the deck


def test_deck_has_the_story_in_order_on_16_9_slides(deck) -> None:  # noqa: ANN001
    assert round(deck.slide_width / deck.slide_height, 2) == 1.78
    titles = [title_of(slide) for slide in deck.slides]
    assert titles[0] == "Q3 offsite / EMEA"
    assert titles[1] == "7 people answered in round 1 in the teams shown"  # a team below k is not added in
    assert titles[2].startswith("Alignment index ")
    assert titles[3] == "How each team rates the twelve dimensions"
    assert titles[4] == "Where marketing and sales see things differently"
    assert titles[-1] == "How the numbers are made"
    assert "What matters most, and how well it works today" in titles
    assert "What the pipeline says" in titles and "Agreed actions" in titles
    from alignment.catalogue import load_catalogue

    # title, who, index, scores, gaps, 3 top gaps, priorities, 2 pipeline, actions, then the catalogue's
    # terms and metrics, 12 to a definitions slide
    definitions = -(-len(load_catalogue().definitions(3)) // 12)
    assert len(deck.slides) == 12 + definitions
    assert not any(t.startswith("What changed") for t in titles)  # round 1 has nothing to compare with


def test_a_second_round_deck_shows_what_changed_since_the_first(tmp_path: Path) -> None:
    from alignment.demo import ensure_demo

    engine = open_database(f"sqlite:///{tmp_path / 'demo.db'}")
    demo = ensure_demo(engine, FRAMEWORK)  # two rounds
    deck = Presentation(io.BytesIO(export_file(engine, demo, FRAMEWORK, "pptx").data))
    titles = [title_of(slide) for slide in deck.slides]
    assert "What changed since round 1" in titles
    slide = deck.slides[titles.index("What changed since round 1")]
    (picture,) = pictures(slide)
    assert picture._element.nvPicPr.cNvPr.get("descr").startswith("Chart of how")
    first_round = Presentation(io.BytesIO(export_file(engine, demo, FRAMEWORK, "pptx", round_no=1).data))
    assert not any(title_of(s).startswith("What changed") for s in first_round.slides)
    engine.dispose()


def test_deck_title_slide_names_workshop_organisation_round_and_date(deck) -> None:  # noqa: ANN001
    text = " ".join(slide_texts(deck.slides[0]))
    assert "Acme" in text and "Round 1" in text and date.today().strftime("%d %B %Y") in text


def test_deck_charts_are_sharp_pictures_with_alt_text(deck) -> None:  # noqa: ANN001
    chart_slides = [deck.slides[i] for i in (3, 4, 5, 6, 7)]
    for slide in chart_slides:
        [picture] = pictures(slide)
        width, _ = Image.open(io.BytesIO(picture.image.blob)).size
        assert width >= 1400, f"{title_of(slide)}: chart only {width}px wide"
        assert picture._element.nvPicPr.cNvPr.get("descr")


def test_deck_never_shows_a_team_below_k(deck) -> None:  # noqa: ANN001
    everything = [(title_of(slide), text) for slide in deck.slides for text in slide_texts(slide)]
    about_leadership = [text for _, text in everything if "Leadership" in text]
    assert about_leadership == ["Leadership"], about_leadership  # only its name in the participation table
    participation = slide_texts(deck.slides[1])
    row = participation.index("Leadership")
    assert participation[row + 1] == "fewer than 3"
    for slide in deck.slides:
        for picture in pictures(slide):
            assert "Leadership" not in picture._element.nvPicPr.cNvPr.get("descr")


def test_deck_gap_slides_show_the_gap_its_interval_and_prompts(deck) -> None:  # noqa: ANN001
    slide = deck.slides[5]
    text = " ".join(slide_texts(slide))
    assert "Marketing 75 · Sales 25" in text and "Gap +50" in text
    dimension = FRAMEWORK.dimension(next(d.id for d in FRAMEWORK.dimensions if d.name == title_of(slide)))
    assert dimension.prompts[0] in text
    assert slide.notes_slide.notes_text_frame.text.startswith("4 marketing and 3 sales respondents.")


def test_deck_uses_the_brand_colour(deck) -> None:  # noqa: ANN001
    background = next(shape for shape in deck.slides[0].shapes if shape.shape_type == 1)
    assert str(background.fill.fore_color.rgb) == "AA3377"


def test_deck_lists_actions_with_owner_and_due_date_as_plain_text(deck) -> None:  # noqa: ANN001
    slide = next(s for s in deck.slides if title_of(s) == "Agreed actions")
    text = slide_texts(slide)
    assert HOSTILE[0] in text and "10 Jan 2027" in text  # a deck shows text as typed; it never runs formulas


def test_deck_of_an_empty_workshop_explains_what_is_missing(sqlite_engine) -> None:  # noqa: ANN001
    workshop = create_workshop(sqlite_engine, "Empty")
    deck = Presentation(io.BytesIO(export_file(sqlite_engine, workshop, FRAMEWORK, "pptx").data))
    text = " ".join(t for slide in deck.slides for t in slide_texts(slide))
    assert "The alignment index needs both teams" in text
    assert "No pipeline data is saved" in text and "No actions were recorded" in text
    assert not any(pictures(slide) for slide in deck.slides)


# ------------------------------------------------------------------ the workbook


def test_workbook_has_one_sheet_per_table_and_no_answers_by_default(workbook) -> None:  # noqa: ANN001
    assert workbook.sheetnames == ["About", "Participation", "Dimensions", "Dimension gaps", "Items", "Item gaps",
                                   "Rounds", "Items by round", "Priorities", "Pipeline", "Loss reasons", "Actions",
                                   "Action history", "Definitions"]


def test_workbook_scores_and_gaps_equal_the_dashboard_functions(setup, workbook) -> None:  # noqa: ANN001
    engine, workshop, _ = setup
    answers = answers_frame(engine, workshop.id, 1)
    expected = dimension_scores(answers, FRAMEWORK, workshop.k)
    rows = rows_of(workbook["Dimensions"])
    shown = {(r["Dimension"], r["Team"]): r["Score (0–100)"] for r in rows}
    for row in expected.itertuples():
        value = shown.get((row.dimension_name, workshop.team_name(row.team)))  # a withheld team has no row
        assert (value is None) if pd.isna(row.score) else value == pytest.approx(row.score)
    gaps = perception_gaps(answers, FRAMEWORK, workshop.k).dimensions
    sheet_gaps = {r["Dimension"]: r for r in rows_of(workbook["Dimension gaps"])}
    for row in gaps.itertuples():
        assert sheet_gaps[row.dimension_name]["Gap (marketing − sales)"] == pytest.approx(row.gap)
        assert sheet_gaps[row.dimension_name]["Interval low (95%)"] == pytest.approx(row.low)


def test_report_is_the_alignment_page_results_object(setup, workbook) -> None:  # noqa: ANN001
    from alignment.results import build_results
    from alignment.store import comments_frame, importance_frame
    from alignment.suppression import AnswerFilters

    engine, workshop, _ = setup
    page = build_results(workshop, FRAMEWORK, answers_frame(engine, workshop.id), importance_frame(engine, workshop.id),
                         comments_frame(engine, workshop.id), filters=AnswerFilters(round_no=1), for_facilitator=True)
    report = build_report(engine, workshop, FRAMEWORK)
    assert report.index == page.index
    pd.testing.assert_frame_equal(report.gaps.dimensions, page.gaps.dimensions)
    pd.testing.assert_frame_equal(report.priorities, page.priorities)
    about = {r["Fact"]: r["Value"] for r in rows_of(workbook["About"])}
    assert about["Alignment index (0–100)"] == round(page.index.index)  # whole, as the page shows it
    assert about["Band"] == page.index.band


def test_workbook_withholds_every_figure_of_a_team_below_k(workbook) -> None:  # noqa: ANN001
    for name in ("Dimensions", "Items", "Priorities"):  # the team below k feeds no row of any figure sheet
        assert [r for r in rows_of(workbook[name]) if r["Team"] == "Leadership"] == [], name
    participation = {r["Team"]: r for r in rows_of(workbook["Participation"])}
    assert participation["Leadership"]["Respondents"] is None
    assert participation["Sales"]["Respondents"] == 3


def test_workbook_neutralises_formulas_in_text_but_keeps_numbers(workbook) -> None:  # noqa: ANN001
    actions = rows_of(workbook["Actions"])
    texts = [r["Action"] for r in actions] + [r["Owner"] for r in actions]
    assert "'" + HOSTILE[0] in texts and "'@SUM(A1:A9)" in texts and "'-2+3" in texts and "'+1 call" in texts
    assert all(not str(t).startswith(("=", "+", "-", "@", "\t")) for t in texts)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), sheet.title
    gap = rows_of(workbook["Dimension gaps"])[0]["Interval low (95%)"]
    assert isinstance(gap, (int, float)) and gap == pytest.approx(50.0)


def test_facilitator_workbook_adds_anonymous_answers_only_for_teams_at_or_above_k(setup) -> None:  # noqa: ANN001
    engine, workshop, _ = setup
    book = load_workbook(io.BytesIO(export_file(engine, workshop, FRAMEWORK, "xlsx", for_facilitator=True).data))
    assert book.sheetnames[-2:] == ["Answers", "Comments"]
    answers = rows_of(book["Answers"])
    assert {r["Team"] for r in answers} == {"Marketing", "Sales"}
    assert len(answers) == 7 * len(FRAMEWORK.items)
    assert set(answers[0]) == {"Round", "Team", "Respondent (random number)", "Dimension", "Item",
                               "Answer (1–5, empty = don't know)"}
    comments = rows_of(book["Comments"])
    assert [(c["Team"], c["Comment"]) for c in comments] == [
        ("Marketing", "'" + COMMENTS["marketing"]), ("Sales", "'" + COMMENTS["sales"])]


def test_respondent_numbers_are_new_in_every_export(setup) -> None:  # noqa: ANN001
    engine, workshop, _ = setup
    answers = answers_frame(engine, workshop.id)
    first = anonymous_answers(answers, FRAMEWORK, 3, random.Random(1))
    second = anonymous_answers(answers, FRAMEWORK, 3, random.Random(2))
    assert first["respondent"].nunique() == 7
    assert set(first["respondent"]) != set(second["respondent"])
    assert "participant_id" not in first.columns and "token" not in first.columns


# ------------------------------------------------------------------ CSV


def test_csv_zip_holds_the_workbook_tables_with_the_same_values(setup, workbook) -> None:  # noqa: ANN001
    engine, workshop, _ = setup
    result = export_file(engine, workshop, FRAMEWORK, "csv")
    assert result.file_name.endswith(".zip") and result.mime == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(result.data))
    assert "dimensions.csv" in archive.namelist() and "definitions.csv" in archive.namelist()
    assert archive.read("dimensions.csv").startswith(b"\xef\xbb\xbf")
    dims = pd.read_csv(io.BytesIO(archive.read("dimensions.csv")), encoding="utf-8-sig")
    sheet = pd.DataFrame(rows_of(workbook["Dimensions"]))
    assert dims["Score (0–100)"].tolist() == pytest.approx(sheet["Score (0–100)"].astype(float).tolist(), nan_ok=True)
    actions = pd.read_csv(io.BytesIO(archive.read("actions.csv")), encoding="utf-8-sig", keep_default_na=False)
    assert "'" + HOSTILE[0] in actions["Action"].tolist()
    assert not any(v.startswith(("=", "+", "-", "@", "\t")) for v in actions["Owner"])


# ------------------------------------------------------------------ safety


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("\x00x", "'\x00x"), ("plain", "plain"), ("a=b", "a=b"), (-2.5, -2.5), (3, 3), (None, None),
])  # fmt: skip
def test_neutralise_prefixes_formula_starts_only_in_text(value, expected) -> None:  # noqa: ANN001
    assert neutralise(value) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("Q3 offsite / EMEA", "Q3-offsite-EMEA.pptx"),
    ("../../etc/passwd", "etc-passwd.pptx"),
    ("a\\b:c*d?e\"f<g>h|i", "a-b-c-d-e-f-g-h-i.pptx"),
    ("line\nbreak\x00nul", "line-break-nul.pptx"),
    ("", "report.pptx"),
    ("...", "report.pptx"),
    ("Équipe commerciale", "Équipe-commerciale.pptx"),
])  # fmt: skip
def test_file_names_are_safe(name: str, expected: str) -> None:
    assert safe_file_name(name, "pptx") == expected


def test_control_characters_in_user_text_do_not_break_the_files(sqlite_engine) -> None:  # noqa: ANN001
    workshop = create_workshop(sqlite_engine, "Bell\x07 workshop")
    add_action(sqlite_engine, workshop.id, "\x00=SUM(1) before\x0bFriday", owner="Ana\x1b")
    book = load_workbook(io.BytesIO(export_file(sqlite_engine, workshop, FRAMEWORK, "xlsx").data))
    [action] = rows_of(book["Actions"])
    assert (action["Action"], action["Owner"]) == ("'=SUM(1) beforeFriday", "Ana")
    deck = Presentation(io.BytesIO(export_file(sqlite_engine, workshop, FRAMEWORK, "pptx").data))
    assert title_of(deck.slides[0]) == "Bell workshop"


def test_windows_device_names_are_not_used_as_file_names() -> None:
    assert safe_file_name("con", "csv") == "report-con.csv"


def test_file_names_are_bounded() -> None:
    name = safe_file_name("x" * 500, "xlsx")
    assert len(name) <= 85 and name.endswith(".xlsx")


def test_unknown_format_is_refused(setup) -> None:  # noqa: ANN001
    engine, workshop, _ = setup
    with pytest.raises(ValueError, match="pptx, xlsx or csv"):
        render(build_report(engine, workshop, FRAMEWORK), "pdf")


# ------------------------------------------------------------------ both databases


def test_export_reads_the_same_results_on_each_database(engine) -> None:  # noqa: ANN001
    workshop = create_workshop(engine, "Both backends", k=3)
    seed_answers(engine, workshop, {"marketing": (3, 4), "sales": (3, 3)})
    book = load_workbook(io.BytesIO(export_file(engine, workshop, FRAMEWORK, "xlsx").data))
    scores = {(r["Dimension"], r["Team"]): r["Score (0–100)"] for r in rows_of(book["Dimensions"])}
    assert scores[("Common language", "Marketing")] == pytest.approx(75.0)
    assert scores[("Common language", "Sales")] == pytest.approx(50.0)


# ------------------------------------------------------------------ command line


def test_cli_writes_each_format(setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # noqa: ANN001
    _, workshop, url = setup
    monkeypatch.setenv("ALIGNMENT_DATABASE_URL", url)
    for fmt, check in (("xlsx", load_workbook), ("csv", zipfile.ZipFile)):
        target = tmp_path / f"report.{fmt}"
        assert main(["export", workshop.code.lower(), "--format", fmt, "-o", str(target)]) == 0
        check(target)
    assert "Wrote" in capsys.readouterr().out


def test_cli_unknown_code_fails_with_one_sentence(setup, tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    monkeypatch.setenv("ALIGNMENT_DATABASE_URL", setup[2])
    target = tmp_path / "nothing.pptx"
    assert main(["export", "NOPE99", "--format", "pptx", "-o", str(target)]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("No workshop has the code NOPE99.") and error.count("\n") == 0
    assert not target.exists()


def test_cli_unwritable_output_fails_with_one_sentence(setup, tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    _, workshop, url = setup
    monkeypatch.setenv("ALIGNMENT_DATABASE_URL", url)
    assert main(["export", workshop.code, "--format", "csv", "-o", str(tmp_path / "missing" / "r.zip")]) == 1
    assert capsys.readouterr().err.startswith("Cannot write")


def test_cli_deck_carries_the_brand_colour_and_logo(setup, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    _, workshop, url = setup
    logo = tmp_path / "logo.png"
    Image.new("RGB", (400, 120), "#112233").save(logo)
    monkeypatch.setenv("ALIGNMENT_DATABASE_URL", url)
    monkeypatch.setenv("ALIGNMENT_BRAND_COLOUR", "#228833")
    monkeypatch.setenv("ALIGNMENT_BRAND_LOGO", str(logo))
    target = tmp_path / "deck.pptx"
    assert main(["export", workshop.code, "--format", "pptx", "-o", str(target)]) == 0
    title = Presentation(str(target)).slides[0]
    assert [p._element.nvPicPr.cNvPr.get("descr") for p in pictures(title)] == ["Logo"]
    background = next(shape for shape in title.shapes if shape.shape_type == 1)
    assert str(background.fill.fore_color.rgb) == "228833"


@pytest.mark.parametrize("location", ["https://example.com/logo.png", "missing.png", "notes.txt", "broken.png", None])
def test_a_logo_that_is_not_a_local_image_is_left_out(location, tmp_path: Path) -> None:  # noqa: ANN001
    from alignment.export import logo_bytes

    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG but not really")
    assert logo_bytes(str(tmp_path / location) if location and "://" not in location else location) is None
