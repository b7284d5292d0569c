"""Storage that notices it is gone: a database deleted or emptied under the running app refuses to save,
in one sentence, instead of writing into a file that no longer exists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from alignment.store import create_workshop, list_workshops, open_database
from alignment.store.engine import DatabaseGone, database_url, make_engine


def _remove_underneath(url: str) -> str:
    """Delete the SQLite file (and its WAL files), or empty the Postgres database; returns where it was."""
    engine = make_engine(url)
    if engine.url.get_backend_name() == "sqlite":
        path = engine.url.database
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return path
    with create_engine(database_url(url), isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    return engine.url.render_as_string(hide_password=True)


def test_a_database_deleted_while_the_app_runs_refuses_to_save_with_one_sentence(database_url: str) -> None:
    engine = open_database(database_url)
    create_workshop(engine, "Before the accident")
    where = _remove_underneath(database_url)
    with pytest.raises(DatabaseGone) as refused:
        create_workshop(engine, "After the accident")
    assert str(refused.value) == (
        f"The database at {where} was deleted or replaced while the app was running, so nothing more can be "
        "saved; restore it from a backup and restart the app."
    )
    engine.dispose()


def test_the_sqlite_file_replaced_by_another_database_is_noticed(sqlite_url: str, tmp_path: Path) -> None:
    engine = open_database(sqlite_url)
    other = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    other.dispose()
    os.replace(tmp_path / "other.db", engine.url.database)  # someone restores the wrong file over it
    with pytest.raises(DatabaseGone):
        create_workshop(engine, "Into the wrong file")
    engine.dispose()


def test_a_database_still_in_place_keeps_saving_across_restarts(database_url: str) -> None:
    first = open_database(database_url)
    create_workshop(first, "Day one")
    first.dispose()
    second = open_database(database_url)  # the next start finds the same id: no false alarm
    create_workshop(second, "Day two")
    assert [w.name for w in list_workshops(second)] == ["Day two", "Day one"]
    second.dispose()
