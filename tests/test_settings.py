"""Broken settings: each is one sentence, in the terminal, on every page and from the command line, and no
secret ever appears in one."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest
from test_app_smoke import PAGES

from alignment.__main__ import main
from alignment.settings import check_settings
from alignment.ui.session import plain

SUPPORTED = "sqlite:///path/to/file.db (SQLite) or postgresql://user:password@host:5432/name (PostgreSQL)"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("ALIGNMENT_DATABASE_URL", "ALIGNMENT_PROXY_HOPS", "ALIGNMENT_ADMIN_PASSWORD", "ALIGNMENT_MAX_ROWS",
                 "ALIGNMENT_MAX_UPLOAD_MB", "ALIGNMENT_MAX_COLUMNS", "ALIGNMENT_MAX_CELLS"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALIGNMENT_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def problems(**env: str) -> list[str]:
    return check_settings(lambda variable, _secret: env.get(variable), files=[])


def test_good_settings_have_no_problems(clean_env) -> None:
    assert problems() == []
    assert problems(ALIGNMENT_PROXY_HOPS="1", ALIGNMENT_ADMIN_PASSWORD="s3cret") == []


def test_an_unsupported_database_is_named_without_its_password(clean_env) -> None:
    said = problems(ALIGNMENT_DATABASE_URL="mysql://root:hunter2@db.example:3306/crm")
    assert said == [
        f"ALIGNMENT_DATABASE_URL names the database kind “mysql”, which this app does not support; use {SUPPORTED}."
    ]
    assert "hunter2" not in " ".join(said)


def test_a_driver_this_app_does_not_use_is_named(clean_env) -> None:
    assert problems(ALIGNMENT_DATABASE_URL="postgresql+psycopg2://app:hunter2@db/crm") == [
        "ALIGNMENT_DATABASE_URL asks for the database driver “postgresql+psycopg2”, which this app does not use; "
        f"write it without a driver name: {SUPPORTED}."
    ]


def test_something_that_is_not_a_url_is_said_so_without_repeating_it(clean_env) -> None:
    assert problems(ALIGNMENT_DATABASE_URL="hunter2 at the usual place") == [
        f"ALIGNMENT_DATABASE_URL is not a database URL; use {SUPPORTED}."
    ]


def test_a_data_folder_that_is_a_file_or_cannot_be_made(clean_env, monkeypatch) -> None:
    a_file = clean_env / "not-a-folder"
    a_file.write_text("x")
    monkeypatch.setenv("ALIGNMENT_DATA_DIR", str(a_file))
    assert problems() == [
        f"The data folder {a_file} is a file, not a folder; set ALIGNMENT_DATA_DIR to a folder the app can write to."
    ]
    monkeypatch.setenv("ALIGNMENT_DATA_DIR", str(a_file / "inside"))
    assert problems() == [
        f"The app cannot write in the data folder {a_file / 'inside'} (not a directory); set ALIGNMENT_DATA_DIR "
        "to a folder the app can write to."
    ]


def test_a_database_file_that_is_a_folder(clean_env) -> None:
    (clean_env / "data" / "alignment.db").mkdir(parents=True)
    assert problems() == [
        f"The database path {clean_env / 'data' / 'alignment.db'} is a folder or a device, not a file; move it away "
        "or set ALIGNMENT_DATA_DIR to a folder the app can write to."
    ]


def test_numbers_that_are_not_whole_numbers(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("ALIGNMENT_MAX_ROWS", "lots")
    monkeypatch.setenv("ALIGNMENT_MAX_CELLS", "0")
    assert problems(ALIGNMENT_PROXY_HOPS="-1") == [
        "ALIGNMENT_PROXY_HOPS must be a whole number of at least 0; it is “-1”.",
        "ALIGNMENT_MAX_ROWS must be a whole number of at least 1; it is “lots”.",
        "ALIGNMENT_MAX_CELLS must be a whole number of at least 1; it is “0”.",
    ]


def test_a_blank_password_is_refused_without_being_shown(clean_env) -> None:
    assert problems(ALIGNMENT_ADMIN_PASSWORD="   ") == [
        "The facilitator password (ALIGNMENT_ADMIN_PASSWORD or admin_password in secrets) is set but blank; "
        "set a real one or remove it."
    ]


def test_a_broken_secrets_file_names_the_line(clean_env) -> None:
    secrets = clean_env / "secrets.toml"
    secrets.write_text('admin_password = "hunter2"\ndatabase_url = \n', encoding="utf-8")
    said = check_settings(lambda *_: None, files=[secrets])
    assert said == [f"The secrets file {secrets} is not valid TOML (at line 2, column 16); fix it or remove it."]


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_shows_the_sentence_and_nothing_else(clean_env, monkeypatch, page) -> None:
    import streamlit as st

    monkeypatch.setenv("ALIGNMENT_DATABASE_URL", "mysql://root:hunter2@db.example/crm")
    st.cache_resource.clear()
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    app = app.switch_page(page).run()
    assert not app.exception
    sentence = (
        f"ALIGNMENT_DATABASE_URL names the database kind “mysql”, which this app does not support; use {SUPPORTED}."
    )
    assert [e.value for e in app.error] == [plain(sentence)]
    assert not app.title  # the page itself did not run


def test_the_command_line_exits_with_the_sentence(clean_env, monkeypatch, capsys) -> None:
    monkeypatch.setenv("ALIGNMENT_DATABASE_URL", "mysql://root:hunter2@db.example/crm")
    assert main(["demo"]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == (
        f"ALIGNMENT_DATABASE_URL names the database kind “mysql”, which this app does not support; use {SUPPORTED}."
    )
    assert "Traceback" not in captured.err and "hunter2" not in captured.out + captured.err


def test_the_terminal_gets_the_sentence_once(clean_env, monkeypatch, capsys) -> None:
    import streamlit as st

    monkeypatch.setenv("ALIGNMENT_PROXY_HOPS", "two")
    st.cache_resource.clear()
    for _ in range(2):  # two visitors: checked once, said once
        AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("alignment: ")]
    assert said == ["alignment: ALIGNMENT_PROXY_HOPS must be a whole number of at least 0; it is “two”."]
