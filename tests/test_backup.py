"""``python -m alignment backup FILE``: a consistent copy of the SQLite database; PostgreSQL points to pg_dump."""

from __future__ import annotations

from pathlib import Path

import pytest

from alignment.__main__ import main
from alignment.store import create_workshop, list_workshops, open_database


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("ALIGNMENT_DATABASE_URL", raising=False)
    monkeypatch.setenv("ALIGNMENT_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_a_backup_holds_every_workshop_and_restores_by_copying_it_back(data_dir, tmp_path, capsys) -> None:
    live = open_database()
    create_workshop(live, "Spring offsite")
    backup = tmp_path / "backup.db"
    assert main(["backup", str(backup)]) == 0
    assert capsys.readouterr().out.strip() == f"Backed up {data_dir / 'alignment.db'} to {backup}."
    create_workshop(live, "Made after the backup")
    restored = open_database(f"sqlite:///{backup}")
    assert [w.name for w in list_workshops(restored)] == ["Spring offsite"]
    restored.dispose()
    live.dispose()


def test_a_backup_never_overwrites_a_file(data_dir, tmp_path, capsys) -> None:
    open_database().dispose()
    existing = tmp_path / "keep.db"
    existing.write_text("precious")
    assert main(["backup", str(existing)]) == 1
    assert capsys.readouterr().err.strip() == f"{existing} already exists; choose a new file name for the backup."
    assert existing.read_text() == "precious"


def test_postgres_is_backed_up_with_pg_dump_and_the_password_is_not_shown(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("ALIGNMENT_DATABASE_URL", "postgresql://app:hunter2@db.example:5432/alignment")
    target = tmp_path / "a.dump"
    assert main(["backup", str(target)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"The database is PostgreSQL: back it up with pg_dump, for example pg_dump --format=custom --file={target} "
        "'postgresql://app:***@db.example:5432/alignment' (with the real password), and restore it with pg_restore."
    )
    assert not target.exists()
