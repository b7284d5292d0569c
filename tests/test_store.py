"""The store on SQLite and on Postgres: workshops, join codes, answers, datasets, migrations."""

import pandas as pd
import pytest
from sqlalchemy import inspect, select

from alignment.demo import ensure_demo, recreate_demo
from alignment.framework import load_framework
from alignment.store import (
    DatabaseUnavailable,
    WorkshopNotFound,
    answers_frame,
    create_workshop,
    current_dataset,
    delete_dataset,
    delete_workshop,
    get_workshop,
    list_datasets,
    list_workshops,
    load_dataset_frame,
    make_engine,
    migrate,
    open_database,
    participation,
    save_dataset,
    start_new_round,
    update_workshop,
)
from alignment.store.engine import check_connection, write_session
from alignment.store.models import Answer, Participant, Response, Round
from alignment.store.workshops import JOIN_CODE_ALPHABET, normalise_code


def test_migrations_build_every_table_on_an_empty_database(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)  # a second start changes nothing
    tables = set(inspect(engine).get_table_names())
    assert {"workshops", "rounds", "participants", "responses", "answers", "comments", "importance_picks",
            "datasets", "dataset_rows", "actions", "alembic_version"} <= tables  # fmt: skip
    engine.dispose()


def test_created_workshop_is_found_by_its_code_typed_loosely(engine) -> None:
    workshop = create_workshop(engine, "Q3 kick-off", organisation="Acme", teams=["Marketing", "Sales", "Leadership"])
    assert len(workshop.code) == 6 and set(workshop.code) <= set(JOIN_CODE_ALPHABET)
    typed = " " + workshop.code[:3].lower() + " " + workshop.code[3:].lower() + " "
    found = get_workshop(engine, typed)
    assert (found.id, found.name, found.organisation, found.current_round) == (workshop.id, "Q3 kick-off", "Acme", 1)
    assert found.team_ids == ("marketing", "sales", "leadership")


def test_unknown_code_raises_a_plain_error(engine) -> None:
    with pytest.raises(WorkshopNotFound, match="No workshop has the code ZZZZZZ"):
        get_workshop(engine, "zzz zzz")


def test_join_codes_are_unique_even_when_one_is_requested_twice(engine) -> None:
    first = create_workshop(engine, "One", code="BCDFGH")
    second = create_workshop(engine, "Two", code="BCDFGH")
    assert first.code == "BCDFGH" and second.code != "BCDFGH"
    assert len({w.code for w in list_workshops(engine)}) == 2


def test_threshold_below_three_is_refused(engine) -> None:
    with pytest.raises(ValueError, match="cannot be below 3"):
        create_workshop(engine, "Tiny groups", k=2)
    workshop = create_workshop(engine, "Fine")
    with pytest.raises(ValueError, match="cannot be below 3"):
        update_workshop(engine, workshop.id, k=1)


def test_answers_round_trip_with_dont_know_and_only_submitted_count(engine) -> None:
    workshop = create_workshop(engine, "Round trip")
    with write_session(engine) as session:
        round_id = session.scalar(select(Round.id).where(Round.workshop_id == workshop.id))
        for token, status, values in [("a", "submitted", [4, None]), ("b", "draft", [1, 1])]:
            participant = Participant(workshop_id=workshop.id, token=token, team="sales", level="ic")
            session.add(participant)
            session.flush()
            response = Response(participant_id=participant.id, round_id=round_id, status=status)
            session.add(response)
            session.flush()
            session.add_all(
                Answer(response_id=response.id, item_id=f"x.{n}", value=v) for n, v in enumerate(values, start=1)
            )
    answers = answers_frame(engine, workshop.id)
    assert answers[["team", "round_no", "item_id"]].values.tolist() == [["sales", 1, "x.1"], ["sales", 1, "x.2"]]
    assert answers["value"].tolist()[0] == 4 and pd.isna(answers["value"].tolist()[1])
    assert participation(engine, workshop.id) == {"sales": {"started": 2, "submitted": 1}}


def test_new_round_starts_empty_and_keeps_the_old_one(engine) -> None:
    workshop = create_workshop(engine, "Two rounds")
    after = start_new_round(engine, workshop.id)
    assert after.current_round == 2 and after.revision > workshop.revision
    assert participation(engine, workshop.id) == {}


def test_dataset_versions_are_listed_loaded_and_deleted(engine) -> None:
    workshop = create_workshop(engine, "Pipeline")
    deals = pd.DataFrame({"deal_id": ["D1", "D2"], "outcome": ["won", "lost"], "amount": [1200.5, 0.0],
                          "created_date": pd.to_datetime(["2026-01-05", "2026-02-01"])})  # fmt: skip
    first = save_dataset(engine, workshop.id, "deals", deals, "deals.csv", {"rows_read": 3, "rows_rejected": 1})
    second = save_dataset(engine, workshop.id, "deals", deals.head(1), "deals-v2.csv")
    listed = list_datasets(engine, workshop.id)
    assert [d.id for d in listed] == [second, first] and [d.is_current for d in listed] == [True, False]
    assert listed[1].rows_read == 3 and listed[1].rows_rejected == 1
    loaded = load_dataset_frame(engine, first)
    assert loaded["amount"].tolist() == [1200.5, 0.0] and loaded["created_date"].dt.month.tolist() == [1, 2]
    delete_dataset(engine, second)
    assert current_dataset(engine, workshop.id, "deals").id == first


def test_the_dashboard_reads_only_the_columns_its_metrics_use_and_gets_the_same_figures(sqlite_engine) -> None:
    from alignment import metrics
    from alignment.evidence import pipeline_facts

    demo = ensure_demo(sqlite_engine, load_framework())
    deals_id = current_dataset(sqlite_engine, demo.id, "deals").id
    leads_id = current_dataset(sqlite_engine, demo.id, "leads").id
    some = load_dataset_frame(sqlite_engine, deals_id, columns=metrics.USED_COLUMNS)
    assert "deal_name" not in some.columns and "account" not in some.columns
    assert set(some.columns) <= set(metrics.USED_COLUMNS) and {"outcome", "amount", "source_group"} <= set(some.columns)

    def facts(columns):  # type: ignore[no-untyped-def]
        deals = metrics.prepare_pipeline(load_dataset_frame(sqlite_engine, deals_id, columns=columns))
        leads = metrics.prepare_pipeline(load_dataset_frame(sqlite_engine, leads_id, columns=columns))
        return pipeline_facts(deals, leads, 24, 14)

    whole, read = facts(None), facts(metrics.USED_COLUMNS)
    assert whole.deals == read.deals == 2000
    for name in ("win_rate", "cycle_time", "pipeline_created", "stage_mix", "lead_acceptance", "response_time"):
        pd.testing.assert_frame_equal(getattr(whole, name), getattr(read, name), check_categorical=False)


def test_deleting_a_workshop_removes_its_data(engine) -> None:
    workshop = create_workshop(engine, "Short-lived")
    save_dataset(engine, workshop.id, "deals", pd.DataFrame({"deal_id": ["D1"]}), "d.csv")
    delete_workshop(engine, workshop.id)
    assert list_workshops(engine) == [] and list_datasets(engine, workshop.id) == []


def test_demo_is_seeded_once_and_can_be_recreated(engine) -> None:
    framework = load_framework()
    demo = ensure_demo(engine, framework)
    assert demo is not None and demo.is_demo and "Demo" in demo.name
    assert ensure_demo(engine, framework) is None
    counts = participation(engine, demo.id)
    assert counts["marketing"]["submitted"] == 12 and counts["sales"]["submitted"] == 16
    assert len(load_dataset_frame(engine, current_dataset(engine, demo.id, "deals").id)) == 2000
    delete_workshop(engine, demo.id)
    assert ensure_demo(engine, framework) is None  # a deleted demo stays deleted on the next start
    again = recreate_demo(engine, framework)
    assert [w.code for w in list_workshops(engine)] == [again.code]


def test_demo_answers_are_the_same_on_every_run(sqlite_url: str, tmp_path) -> None:
    framework = load_framework()
    frames = []
    for url in (sqlite_url, f"sqlite:///{tmp_path / 'other.db'}"):
        engine = open_database(url)
        demo = ensure_demo(engine, framework)
        frames.append(answers_frame(engine, demo.id).drop(columns=["response_id", "participant_id"]))
        engine.dispose()
    pd.testing.assert_frame_equal(frames[0], frames[1])


def test_unreachable_database_names_the_variable_to_fix() -> None:
    engine = make_engine("postgresql://nobody:wrong@127.0.0.1:9/nowhere")
    with pytest.raises(DatabaseUnavailable, match="check ALIGNMENT_DATABASE_URL"):
        check_connection(engine)


def test_join_code_normalisation() -> None:
    assert normalise_code(" bcd-fgh ") == "BCDFGH"
