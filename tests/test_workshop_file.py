"""The action history leaves the app and comes back: the deck, the workbook, and the workshop file
that ``python -m alignment import-workshop`` restores on another installation."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pptx import Presentation
from two_rounds import two_round_workshop

from alignment.__main__ import main
from alignment.action_history import load_promises
from alignment.export import export_file
from alignment.export.promises import row_pages
from alignment.export.report import load_results
from alignment.framework import load_framework
from alignment.store import (
    answers_frame,
    get_workshop,
    list_datasets,
    load_dataset_frame,
    open_database,
    update_workshop,
)
from alignment.store.actions import list_actions
from alignment.store.transfer import WorkshopFileError, dump_workshop, restore_workshop

FRAMEWORK = load_framework()


@pytest.fixture
def two_rounds(engine):  # noqa: ANN001, ANN201
    return engine, two_round_workshop(engine, FRAMEWORK)


def test_round_two_shows_one_verdict_per_targeted_action(two_rounds) -> None:  # noqa: ANN001
    engine, workshop = two_rounds
    verdicts = {p.text: p.verdict for p in load_promises(engine, workshop, FRAMEWORK).checked}
    # Worked out in test_action_progress: 20% → 60% (target 50%); 25% → 75% (target 90%, beyond chance);
    # 50% → 55% (target 70%, within chance); round 2's leads have no first-touch dates.
    # Hand-off gap: round 1 marketing all 5 → 100, sales all 2 → 25: 75 points; round 2: 4 → 75, 3 → 50: 25
    # points, not below 20; everyone in a team answers alike, so both intervals are points and −50 is beyond chance.
    assert verdicts == {
        "Send sales the scored leads every Monday": "met",
        "Agree what an accepted lead is": "moving",
        "Coach sales on discovery calls": "not moving",
        "Call every accepted lead within four hours": "cannot tell",
        "Close the hand-off gap": "moving",
    }


def test_the_results_object_carries_the_verdicts_the_room_sees_only_once_revealed(two_rounds) -> None:  # noqa: ANN001
    engine, workshop = two_rounds
    # Same verdicts as test_round_two_shows_one_verdict_per_targeted_action, now as the results object's field.
    shown = load_results(engine, workshop, FRAMEWORK)
    assert [p.verdict for p in shown.promises.checked] == ["met", "moving", "not moving", "cannot tell", "moving"]
    assert shown.promises.round_no == 2
    update_workshop(engine, workshop.id, results_revealed=False)
    hidden = get_workshop(engine, workshop.code)
    room = load_results(engine, hidden, FRAMEWORK)
    assert room.promises.checked == ()
    assert "Verdict" not in room.promises.history.columns  # the actions are listed, their checks are not
    assert "hidden until the facilitator reveals them" in room.promises.hidden_reason
    facilitator = load_results(engine, hidden, FRAMEWORK, for_facilitator=True)
    assert len(facilitator.promises.checked) == 5


def test_the_deck_has_a_slide_of_what_we_promised_with_each_verdict(two_rounds) -> None:  # noqa: ANN001
    engine, workshop = two_rounds
    deck = Presentation(io.BytesIO(export_file(engine, workshop, FRAMEWORK, "pptx").data))
    promised = [s for s in deck.slides if any("What we promised last time" in sh.text_frame.text
                                              for sh in s.shapes if sh.has_text_frame)]  # fmt: skip
    tables = [shape.table for slide in promised for shape in slide.shapes if shape.has_table]
    cells = [[cell.text for cell in row.cells] for table in tables for row in table.rows]
    assert len(promised) == 1  # five actions fit one slide
    assert cells[0] == ["Action", "Target", "Metric then → now", "Gap then → now", "Verdict"]
    assert cells[1][0] == "Send sales the scored leads every Monday"
    assert cells[1][2] == "20% → 60%\n4 won of 20 closed deals; 18 won of 30 closed deals"
    assert cells[1][3] == "+75 (+75 to +75) → +25 (+25 to +25)"
    verdicts = [row[4].split(":")[0] for row in cells if row[0] != "Action"]
    assert verdicts == ["Met", "Moving", "Not moving", "Cannot tell", "Moving"]


def test_the_workbook_carries_the_action_history_with_targets_and_verdicts(two_rounds) -> None:  # noqa: ANN001
    engine, workshop = two_rounds
    book = load_workbook(io.BytesIO(export_file(engine, workshop, FRAMEWORK, "xlsx").data))
    rows = list(book["Action history"].values)
    header, body = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert {"Target", "Metric id", "Target value", "Metric then", "Metric now", "Verdict", "Why"} <= set(header)
    by_text = {row["Action"]: row for row in body}
    calls = by_text["Call every accepted lead within four hours"]
    assert (calls["Metric id"], calls["Source group"], calls["Target value"]) == ("response_time", "marketing", 4)
    assert calls["Verdict"] == "cannot tell"
    assert calls["Why"] == "Cannot tell: round 2's leads export has no first-touch dates."


def test_a_workshop_file_restores_everything_on_another_installation(two_rounds, tmp_path: Path) -> None:  # noqa: ANN001
    engine, workshop = two_rounds
    first = dump_workshop(engine, workshop.id)
    elsewhere = open_database(f"sqlite:///{tmp_path / 'elsewhere.db'}")
    try:
        restored = restore_workshop(elsewhere, first)
        again = dump_workshop(elsewhere, restored.id)
        assert restored.code == workshop.code and restored.current_round == 2
        with zipfile.ZipFile(io.BytesIO(first)) as a, zipfile.ZipFile(io.BytesIO(again)) as b:
            assert json.loads(a.read("workshop.json")) == json.loads(b.read("workshop.json"))
            assert sorted(a.namelist()) == sorted(b.namelist())
            assert all(a.read(name) == b.read(name) for name in a.namelist())
        assert list_actions(elsewhere, restored.id)[0].target == list_actions(engine, workshop.id)[0].target
        assert [(d.round_no, d.filename) for d in list_datasets(elsewhere, restored.id)] == [
            (d.round_no, d.filename) for d in list_datasets(engine, workshop.id)
        ]
        before = answers_frame(engine, workshop.id).drop(columns=["response_id", "participant_id"])
        after = answers_frame(elsewhere, restored.id).drop(columns=["response_id", "participant_id"])
        assert (
            before.sort_values(list(before.columns))
            .reset_index(drop=True)
            .equals(after.sort_values(list(after.columns)).reset_index(drop=True))
        )
        leads = list_datasets(elsewhere, restored.id)[0]
        assert len(load_dataset_frame(elsewhere, leads.id)) == 40
        # The same verdicts come out on the other installation.
        assert [p.verdict for p in load_promises(elsewhere, restored, FRAMEWORK).checked] == [
            p.verdict for p in load_promises(engine, workshop, FRAMEWORK).checked
        ]
        # Restored twice side by side: the second copy gets its own join code.
        assert restore_workshop(elsewhere, first).code != restored.code
    finally:
        elsewhere.dispose()


def test_something_that_is_not_a_workshop_file_is_refused_in_a_sentence(engine) -> None:  # noqa: ANN001
    with pytest.raises(WorkshopFileError, match="not a workshop file"):
        restore_workshop(engine, b"Opportunity Name,Amount\nBig deal,100\n")


def test_export_and_import_workshop_on_the_command_line(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    here, there = f"sqlite:///{tmp_path / 'here.db'}", f"sqlite:///{tmp_path / 'there.db'}"
    source = open_database(here)
    workshop = two_round_workshop(source, FRAMEWORK)
    source.dispose()
    monkeypatch.setenv("ALIGNMENT_DATABASE_URL", here)
    path = tmp_path / "spring.workshop.zip"
    assert main(["export", workshop.code, "--format", "workshop", "-o", str(path)]) == 0
    monkeypatch.setenv("ALIGNMENT_DATABASE_URL", there)
    assert main(["import-workshop", str(path)]) == 0
    code = capsys.readouterr().out.strip().splitlines()[-1]
    target = open_database(there)
    try:
        restored = get_workshop(target, code)
        assert [a.text for a in list_actions(target, restored.id)] == [a.text for a in list_actions(
            open_database(here), workshop.id)]  # fmt: skip
    finally:
        target.dispose()
    assert main(["import-workshop", str(tmp_path / "missing.zip")]) == 1
    assert "Cannot read the file" in capsys.readouterr().err


def test_long_actions_spread_over_more_slides_instead_of_running_off_one() -> None:
    short = ["Publish the lead definition", "Win rate (marketing-sourced) to 50%", "20% → 60%", "–", "Met: …"]
    long = ["x" * 500, *short[1:]]
    # Short row: its tallest cell is the 35-character target in a 25-character column, 35 // 25 + 1 = 2 lines,
    # + 0.6 padding = 2.6; six of them are 15.6 of the slide's 24 lines. Long row: 500 // 25 + 1 + 0.6 = 21.6,
    # so a second long row (43.2) or a short one after it (24.2) needs the next slide.
    assert [len(page) for page in row_pages([short] * 6)] == [6]
    assert [len(page) for page in row_pages([long, long, short, short])] == [1, 1, 2]
