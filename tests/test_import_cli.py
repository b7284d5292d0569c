"""``python -m alignment inspect``: the JSON a script reads, and the exit status it checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from alignment.importing.cli import run_inspect

FIXTURES = Path(__file__).parent / "fixtures" / "crm"
ROOT = Path(__file__).resolve().parent.parent


def test_inspect_json_reports_what_an_import_would_do(capsys):
    status = run_inspect(str(FIXTURES / "salesforce_report.csv"), None, True)
    out = capsys.readouterr()
    data = json.loads(out.out)
    assert status == 0
    assert out.err == ""
    assert data["rows_read"] == 11
    assert data["rows_accepted"] == 5
    assert data["rows_rejected"] == 0
    assert data["mapping"]["stage"] == "Stage"
    assert data["outcomes"] == {"won": 2, "lost": 1, "open": 2}
    assert data["created_range"] == ["2024-01-05", "2024-03-01"]
    assert data["close_range"] == ["2024-02-28", "2024-06-30"]
    assert data["amount_total"] == 45750.5
    assert data["source_groups"] == {"marketing": 2, "sales": 1, "partner": 1, "unknown": 1}
    assert {"kind": "footer_removed", "rows": 6}.items() <= next(
        p for p in data["problems"] if p["kind"] == "footer_removed"
    ).items()


def test_inspect_lists_each_reason_rows_were_not_used(capsys):
    assert run_inspect(str(FIXTURES / "plain_deals.csv"), "deals", True) == 0
    problems = {p["kind"]: p for p in json.loads(capsys.readouterr().out)["problems"]}
    assert problems["amount_not_a_number"]["rows"] == 1
    assert "P4" in problems["amount_not_a_number"]["example"]


def test_refused_file_exits_non_zero_with_one_sentence(capsys):
    status = run_inspect(str(FIXTURES / "pivot.csv"), None, True)
    out = capsys.readouterr()
    assert status == 1
    assert out.out == ""
    assert out.err.strip().startswith("This file is a pivot table")
    assert out.err.strip().count("\n") == 0


def test_missing_file_exits_with_its_own_status(capsys):
    assert run_inspect(str(FIXTURES / "no-such-file.csv"), None, False) == 2
    assert "cannot be opened" in capsys.readouterr().err


def test_file_where_no_row_is_usable_exits_non_zero(tmp_path, capsys):
    path = tmp_path / "all_bad.csv"
    path.write_text("deal_id,stage,amount\nA,Won,lots\nB,Lost,many\n", encoding="utf-8")
    assert run_inspect(str(path), None, True) == 1
    assert capsys.readouterr().err.strip() == "No row can be used: the amount is not a number."


def test_text_output_names_the_source_and_the_counts(capsys):
    assert run_inspect(str(FIXTURES / "hubspot_deals.csv"), None, False) == 0
    out = capsys.readouterr().out
    assert "HubSpot deals" in out
    assert "rows read 4 · used 4" in out


def test_module_command_line_runs_inspect():
    done = subprocess.run(
        [sys.executable, "-m", "alignment", "inspect", str(FIXTURES / "zoho_deals.csv"), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["source"] == "Zoho CRM deals"


def test_inspect_names_lead_outcomes_as_conversions(capsys):
    assert run_inspect(str(FIXTURES / "plain_leads.csv"), None, as_json=False) == 0
    out = capsys.readouterr().out
    assert "  leads: converted 1, rejected 1, open 1" in out and "won" not in out


def test_inspect_takes_a_column_from_the_command_line(capsys):
    path = str(FIXTURES / "sales_pipeline.csv")
    assert run_inspect(path, "deals", True, ["owner=account", "account="]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["mapping"]["owner"] == "account"
    assert "account" not in data["mapping"]
    assert set(data["inferred"]) == {"amount", "created_date"}


def test_inspect_refuses_a_column_the_file_does_not_have(capsys):
    assert run_inspect(str(FIXTURES / "sales_pipeline.csv"), "deals", True, ["amount=Revenue"]) == 2
    assert capsys.readouterr().err.startswith("The file has no column “Revenue” (for amount)")


def workshop_in(app_env):
    from alignment.store import create_workshop, open_database

    engine = open_database()
    return engine, create_workshop(engine, "CLI import")


def test_import_saves_the_file_as_the_page_would_and_remembers_the_mapping(app_env, capsys):
    from alignment.importing.cli import run_import_file
    from alignment.store import current_dataset, find_workshop, load_dataset_frame

    engine, workshop = workshop_in(app_env)
    path = str(FIXTURES / "sales_pipeline.csv")
    assert run_import_file(path, workshop.code, None, ["owner=account"], False, True) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["saved"] == "Saved 40 deals from sales_pipeline.csv to CLI import."
    dataset = current_dataset(engine, workshop.id, "deals")
    assert dataset.rows_accepted == 40 and dataset.report["inferred"]["amount"]["column"] == "close_value"
    frame = load_dataset_frame(engine, dataset.id)
    assert frame["owner"].iloc[0] == "Betasoloin"  # the account of the first deal, as --map asked
    # the next file with the same headers takes the confirmed mapping without --map
    assert run_import_file(path, workshop.code, None, [], True, True) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["mapping"]["owner"] == "account"
    assert again["inferred"] == {}  # confirmed columns are no longer guesses
    assert again["saved"] == "Dry run: nothing was saved."
    settings = find_workshop(engine, workshop.code).settings
    assert len(settings["import_mappings"]) == 1
    engine.dispose()


def test_a_field_left_out_with_map_stays_out_of_the_next_import(app_env, capsys):
    from alignment.importing.cli import run_import_file

    engine, workshop = workshop_in(app_env)
    path = str(FIXTURES / "salesforce_report.csv")
    assert run_import_file(path, workshop.code, None, [], True, True) == 0
    assert json.loads(capsys.readouterr().out)["mapping"]["lead_source"] == "Lead Source"  # proposed
    assert run_import_file(path, workshop.code, None, ["lead_source="], False, True) == 0
    assert "lead_source" not in json.loads(capsys.readouterr().out)["mapping"]
    assert run_import_file(path, workshop.code, None, [], True, True) == 0  # next week, no --map
    again = json.loads(capsys.readouterr().out)
    assert "lead_source" not in again["mapping"]
    assert again["source_groups"] == {"unknown": 5}  # the five deals, with no source column
    engine.dispose()


def test_import_dry_run_saves_nothing(app_env, capsys):
    from alignment.importing.cli import run_import_file
    from alignment.store import list_datasets

    engine, workshop = workshop_in(app_env)
    assert run_import_file(str(FIXTURES / "plain_deals.csv"), workshop.code, "deals", [], True, False) == 0
    assert "Dry run: nothing was saved." in capsys.readouterr().out
    assert list_datasets(engine, workshop.id) == []
    engine.dispose()


def test_import_into_an_unknown_workshop_exits_2_with_one_sentence(app_env, capsys):
    from alignment.importing.cli import run_import_file

    assert run_import_file(str(FIXTURES / "plain_deals.csv"), "NOSUCH", None, [], False, False) == 2
    assert capsys.readouterr().err.strip() == (
        "No workshop has the code “NOSUCH”: check the join code on the Facilitator page."
    )


def test_import_of_a_refused_file_exits_1_and_saves_nothing(app_env, capsys):
    from alignment.importing.cli import run_import_file
    from alignment.store import list_datasets

    engine, workshop = workshop_in(app_env)
    assert run_import_file(str(FIXTURES / "pivot.csv"), workshop.code, None, [], False, False) == 1
    assert capsys.readouterr().err.startswith("This file is a pivot table")
    assert list_datasets(engine, workshop.id) == []
    engine.dispose()


def test_module_command_line_runs_import(app_env):
    engine, workshop = workshop_in(app_env)
    engine.dispose()
    done = subprocess.run(
        [sys.executable, "-m", "alignment", "import", str(FIXTURES / "zoho_deals.csv"), "--workshop", workshop.code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("Saved ")


def test_an_imported_frame_is_saved_and_loaded_without_being_conformed_again(app_env, monkeypatch):
    import pandas as pd

    import alignment.store.datasets as datasets
    from alignment.importing import propose_mapping, read_table, run_import
    from alignment.store import find_workshop

    engine, workshop = workshop_in(app_env)
    raw = read_table((FIXTURES / "sales_pipeline.csv").read_bytes(), "sales_pipeline.csv")
    result = run_import(raw, propose_mapping(raw.columns, None, raw.table))
    conform = datasets.conform

    def conform_only_empty(frame, *args, **kwargs):  # reading the canonical dtypes off an empty frame is fine
        assert frame.empty, "conform ran again over the imported rows"
        return conform(frame, *args, **kwargs)

    monkeypatch.setattr(datasets, "conform", conform_only_empty)
    saved = datasets.save_import(
        engine, workshop.id, "deals", result.frame, "sales_pipeline.csv", result.report.to_dict(), {"marker": 1}
    )
    pd.testing.assert_frame_equal(datasets.load_dataset_frame(engine, saved), result.frame)
    assert find_workshop(engine, workshop.code).settings["marker"] == 1
    engine.dispose()


def test_settings_are_not_kept_when_the_dataset_cannot_be_saved(app_env, monkeypatch):
    import alignment.store.datasets as datasets
    from alignment.store import find_workshop

    engine, workshop = workshop_in(app_env)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(datasets, "add_dataset", fail)
    with pytest.raises(RuntimeError):
        datasets.save_import(engine, workshop.id, "deals", None, "x.csv", {}, {"import_mappings": {"abc": {}}})
    assert "import_mappings" not in (find_workshop(engine, workshop.code).settings or {})
    engine.dispose()
