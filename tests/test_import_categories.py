"""Stages, outcomes and lead sources as the import reads them: stray spaces and case merged, blanks blank,
the status before the flags before the stage, and the same result whether columns are worked on one
after another or on several threads."""

from __future__ import annotations

import pandas as pd
import pytest

from alignment.importing import build, propose_mapping, read_table, run_import


def imported(text: str, name: str = "deals.csv"):
    raw = read_table(text.encode(), name)
    return run_import(raw, propose_mapping(raw.columns, None, raw.table))


DEALS = (
    "Opportunity Name,Stage,Amount,Lead Source,Created Date,Close Date\n"
    "A,Closed Won,100,Web,2024-01-02,2024-02-01\n"
    "B, closed won ,200, Web ,2024-01-03,2024-02-02\n"
    "C,Closed  Won,300,web,2024-01-04,2024-02-03\n"
    "D,Negotiation,400,Partner Referral,2024-01-05,\n"
    'E,"   ",500,"  ",2024-01-06,\n'
    "F,Closed Lost,600,,2024-01-07,2024-02-05\n"
)


def test_stray_spaces_and_case_in_a_stage_are_one_stage_in_the_table():
    result = imported(DEALS)
    table = result.stages.set_index("stage")
    # "Closed Won", " closed won " and "Closed  Won" are one stage written the way most rows write it
    # (each spelling is written once, so the first seen wins): 1 + 1 + 1 = 3 deals.
    assert table.loc["Closed Won", "deals"] == 3
    assert table.loc["Closed Won", "outcome"] == "won"
    assert set(table.index) == {"Closed Won", "Negotiation", "Closed Lost"}
    assert sorted(result.frame["stage"]) == ["Closed Lost", "Closed Won", "Closed Won", "Closed Won", "Negotiation"]


def test_a_stage_of_spaces_alone_is_no_stage_and_the_row_is_not_used():
    report = imported(DEALS).report
    (no_stage,) = [p for p in report.problems if p.kind == "no_stage"]
    assert no_stage.rows == 1 and no_stage.example.startswith("row 5")
    # 6 rows read: A, B, C won (3), D open (1), F lost (1) kept; E rejected.
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (6, 5, 1)
    assert report.outcomes == {"won": 3, "lost": 1, "open": 1}


def test_lead_sources_are_trimmed_and_a_source_of_spaces_counts_as_unknown():
    result = imported(DEALS)
    sources = result.sources.set_index("lead_source")
    # " Web " trims to "Web"; "web" stays its own spelling: Web 2 rows, web 1, Partner Referral 1.
    assert sources["rows"].to_dict() == {"Web": 2, "web": 1, "Partner Referral": 1}
    assert list(result.frame["lead_source"].fillna("(blank)")) == ["Web", "Web", "web", "Partner Referral", "(blank)"]
    # Kept rows: A, B, C from the web (marketing), D from a partner, F blank (unknown).
    assert result.report.source_groups == {"marketing": 3, "partner": 1, "unknown": 1}


def test_a_status_of_spaces_leaves_the_outcome_to_the_flags_and_the_stage():
    result = imported(
        "Deal - Title,Deal - Stage,Deal - Value,Deal - Status\n"
        "A,Proposal,10,won\n"  # the status decides: won
        'B,Closed Lost,20,"  "\n'  # blank status: the stage decides, lost
        "C,Proposal,30,\n"  # no status: the stage decides, open
    )
    assert list(result.frame["outcome"]) == ["won", "lost", "open"]


def test_the_flags_decide_before_the_stage():
    result = imported(
        "Name,StageName,Amount,IsClosed,IsWon\n"
        "A,Closed Lost,10,TRUE,TRUE\n"  # flags say won although the stage says lost
        "B,Closed Won,20, ,\n"  # blank flags read as false: closed false, so open
    )
    assert list(result.frame["outcome"]) == ["won", "open"]


@pytest.fixture
def wide_deals() -> str:
    """A few hundred deals with every column kind: spaces to trim, blanks, rejects, two date columns."""
    lines = ["Opportunity Name,Account Name,Owner,Stage,Amount,Lead Source,Created Date,Close Date,Opportunity ID"]
    stages = ["Prospecting", " Closed Won", "Closed Lost ", "", "Negotiation"]
    sources = ["Web", " Trade Show", "", "Partner", "n/a"]
    for i in range(400):
        amount = "not a number" if i % 97 == 0 else f"{i * 10}.5"
        created = f"{1 + i % 12}/{1 + i % 28}/2024"
        close = "" if i % 3 else f"{1 + (i + 1) % 12}/{1 + i % 28}/2024"
        deal_id = f"ID{i % 390}"  # ten repeats
        cells = [f"Deal {i}", f" Acct {i % 7}", f"Owner {i % 3}", stages[i % 5], amount, sources[i % 5]]
        lines.append(",".join([*cells, created, close, deal_id]))
    return "\n".join(lines) + "\n"


def test_threads_give_the_same_import_as_one_after_another(wide_deals, monkeypatch):
    monkeypatch.setattr(build, "PARALLEL_ROWS", 10**9)
    alone = imported(wide_deals)
    monkeypatch.setattr(build, "PARALLEL_ROWS", 0)
    threaded = imported(wide_deals)
    pd.testing.assert_frame_equal(alone.frame, threaded.frame)
    pd.testing.assert_frame_equal(alone.stages, threaded.stages)
    pd.testing.assert_frame_equal(alone.sources, threaded.sources)
    assert alone.report.to_dict() == threaded.report.to_dict()
    # The fixture's own arithmetic, so the comparison is not of two empty results. 400 rows (i = 0…399):
    # a blank stage where i % 5 == 3 (80 rows); an amount that is no number at i = 0, 97, 194, 291, 388, of
    # which 388 already lacks a stage (4 more); IDs ID0–ID9 written again at i = 390…399, a repeat only where
    # both rows are otherwise kept: not 390 (row 0 is rejected), 393 and 398 (no stage) → 7 more.
    assert threaded.report.rows_rejected == 80 + 4 + 7
    assert threaded.report.rows_accepted == 400 - 91


def test_a_date_column_blank_in_every_row_is_said_so():
    result = imported("Lead ID,Created Date,Converted Date,Lead Source\nL1,2024-01-02,,Web\nL2,2024-01-03,,Web\n")
    assert result.report.date_formats["converted_date"]["format"] == "blank in every row"
    assert result.report.date_formats["created_date"]["format"] == "YYYY-MM-DD"
