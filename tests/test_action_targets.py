"""Storing action targets, and datasets that belong to a round, on SQLite and Postgres."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from alignment.action_targets import ActionTarget, target_metrics
from alignment.catalogue import DEFAULT_CATALOGUE_PATH, Catalogue, CatalogueError, load_catalogue, parse_catalogue
from alignment.store import (
    create_workshop,
    current_dataset,
    delete_dataset,
    get_workshop,
    list_datasets,
    make_current,
    make_engine,
    migrate,
    save_dataset,
    start_new_round,
)
from alignment.store.actions import add_action, list_actions, update_action
from alignment.store.datasets import round_dataset
from alignment.store.engine import __file__ as engine_file

DEALS = pd.DataFrame({"deal_id": ["D1", "D2"], "outcome": ["won", "lost"]})


def test_an_action_keeps_its_pipeline_target_with_population_value_and_date(engine) -> None:
    workshop = create_workshop(engine, "Offsite")
    target = ActionTarget("pipeline", metric="response_time", source_group="marketing", value=4.0, by=date(2027, 3, 31))
    add_action(engine, workshop.id, "Call every accepted lead within the day", target=target)
    [stored] = list_actions(engine, workshop.id)
    assert stored.target == target
    assert stored.target.describe() == "Median response time (marketing-sourced) to 4 hours by 31 Mar 2027"


def test_a_perception_target_can_be_set_later_and_removed(engine) -> None:
    workshop = create_workshop(engine, "Offsite")
    action = add_action(engine, workshop.id, "Joint pipeline review", dimension_id="handoff")
    update_action(engine, workshop.id, action.id, target=ActionTarget("perception", dimension="handoff", below=10))
    assert list_actions(engine, workshop.id)[0].target.describe({"handoff": "Hand-off"}) == (
        "Gap on Hand-off below 10 points"
    )
    update_action(engine, workshop.id, action.id, target=None)
    assert list_actions(engine, workshop.id)[0].target is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "pipeline", "metric": "happiness", "value": 1}, "Choose a pipeline metric"),
        ({"kind": "pipeline", "metric": "win_rate"}, "Give the target value"),
        ({"kind": "pipeline", "metric": "lead_acceptance", "value": 0.5, "segment": "SMB"}, "Leads have no segment"),
        ({"kind": "perception", "dimension": "handoff", "below": 0}, "between 0 and 100"),
    ],
)
def test_a_target_that_cannot_be_checked_is_refused_with_a_sentence(fields, message) -> None:
    with pytest.raises(ValueError, match=message):
        ActionTarget(**fields)


def test_round_two_export_sits_beside_round_one(engine) -> None:
    workshop = create_workshop(engine, "Offsite")
    first = save_dataset(engine, workshop.id, "deals", DEALS, "round1.csv")
    start_new_round(engine, workshop.id)
    # Before round 2 has its own export, the round uses round 1's; the check sees none for round 2.
    assert current_dataset(engine, workshop.id, "deals").id == first
    assert round_dataset(engine, workshop.id, "deals", 2) is None
    second = save_dataset(engine, workshop.id, "deals", DEALS.head(1), "round2.csv")
    assert current_dataset(engine, workshop.id, "deals").id == second
    assert current_dataset(engine, workshop.id, "deals", round_no=1).id == first
    assert round_dataset(engine, workshop.id, "deals", 1).filename == "round1.csv"
    assert [(d.filename, d.round_no, d.is_current) for d in list_datasets(engine, workshop.id)] == [
        ("round2.csv", 2, True),
        ("round1.csv", 1, True),
    ]


def test_versions_within_a_round_replace_each_other_only_there(engine) -> None:
    workshop = create_workshop(engine, "Offsite")
    first = save_dataset(engine, workshop.id, "deals", DEALS, "round1.csv")
    start_new_round(engine, workshop.id)
    second = save_dataset(engine, workshop.id, "deals", DEALS, "round2.csv")
    corrected = save_dataset(engine, workshop.id, "deals", DEALS, "round2-fixed.csv")
    assert round_dataset(engine, workshop.id, "deals", 2).id == corrected
    make_current(engine, second)
    assert round_dataset(engine, workshop.id, "deals", 2).id == second
    assert round_dataset(engine, workshop.id, "deals", 1).id == first
    delete_dataset(engine, second)
    assert round_dataset(engine, workshop.id, "deals", 2).id == corrected
    assert round_dataset(engine, workshop.id, "deals", 1).id == first


def test_an_export_can_be_filed_under_an_earlier_round(engine) -> None:
    workshop = create_workshop(engine, "Offsite")
    start_new_round(engine, workshop.id)
    save_dataset(engine, workshop.id, "deals", DEALS, "last-quarter.csv", round_no=1)
    assert round_dataset(engine, workshop.id, "deals", 1).filename == "last-quarter.csv"
    assert round_dataset(engine, workshop.id, "deals", 2) is None


def test_an_upgrade_files_existing_exports_under_round_one_and_keeps_actions_without_target(database_url) -> None:
    engine = make_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(Path(engine_file).with_name("migrations")))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(text(
            "INSERT INTO workshops (code, name, organisation, status, is_demo, k, sla_hours, teams, current_round, "
            "results_revealed, revision, settings, created_at) VALUES ('OLD123', 'Before', '', 'open', false, 3, 24, "
            "'[\"Marketing\", \"Sales\"]', 2, false, 0, '{}', '2026-01-01')"
        ))  # fmt: skip
        connection.execute(text(
            "INSERT INTO datasets (workshop_id, kind, filename, created_at, rows_read, rows_accepted, rows_rejected, "
            "report, is_current) SELECT id, 'deals', 'old.csv', '2026-01-01', 1, 1, 0, '{}', true FROM workshops"
        ))  # fmt: skip
        connection.execute(text(
            "INSERT INTO actions (workshop_id, round_no, text, owner, status, created_at) "
            "SELECT id, 1, 'Old action', '', 'open', '2026-01-01' FROM workshops"
        ))  # fmt: skip
    migrate(engine)
    workshop = get_workshop(engine, "OLD123")
    [dataset] = list_datasets(engine, workshop.id)
    assert (dataset.round_no, dataset.is_current) == (1, True)
    assert current_dataset(engine, workshop.id, "deals").filename == "old.csv"  # round 2 still sees it
    assert list_actions(engine, workshop.id)[0].target is None
    engine.dispose()


def catalogue_with(change) -> Catalogue:  # noqa: ANN001 - a function that edits the parsed YAML
    data = yaml.safe_load(DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8"))
    change({m["id"]: m for m in data["metrics"]}, data)
    return parse_catalogue(data)


def test_target_metrics_take_their_label_direction_and_window_from_the_catalogue() -> None:
    def edit(metrics: dict, _data: dict) -> None:
        metrics["win_rate"]["label"] = "Close rate"
        metrics["response_time"]["label"] = "Time to first touch"
        metrics["lead_leakage"]["parameters"] = {"days": 14}

    found = target_metrics(catalogue_with(edit))
    assert found["win_rate"].label == "Close rate"
    assert found["response_time"].label == "Median time to first touch"  # a median reading says so
    assert found["lead_leakage"].parameters == {"days": 14}
    # Directions as the shipped catalogue states them: win rate higher is better, cycle and leakage lower.
    shipped = target_metrics(load_catalogue())
    assert [shipped[m].higher_is_better for m in ("win_rate", "cycle_time", "lead_leakage")] == [True, False, False]


def test_a_catalogue_without_a_metric_targets_read_is_refused_naming_it() -> None:
    def drop(_metrics: dict, data: dict) -> None:
        data["metrics"] = [m for m in data["metrics"] if m["id"] != "cycle_time"]

    with pytest.raises(CatalogueError, match="'cycle_time'"):
        target_metrics(catalogue_with(drop))


def test_a_target_metric_whose_catalogue_direction_is_neither_is_refused() -> None:
    def neither(metrics: dict, _data: dict) -> None:
        metrics["lead_acceptance"]["direction"] = "neither"

    with pytest.raises(CatalogueError, match="lead_acceptance"):
        target_metrics(catalogue_with(neither))
