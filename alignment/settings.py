"""Settings checked once at start: each problem is one sentence, said in the terminal and on every page.

What is checked (and where it is set):

- the secrets files (``.streamlit/secrets.toml`` beside the app and in the home folder) are valid TOML;
- the database URL (``ALIGNMENT_DATABASE_URL`` / secret ``database_url``) is SQLite or PostgreSQL
  with a supported driver (see :func:`alignment.store.engine.url_problem`); the sentence never
  repeats the URL, which may hold a password;
- the data folder (``ALIGNMENT_DATA_DIR``) for the SQLite file is a folder the app can write to;
- whole numbers where whole numbers are expected (``ALIGNMENT_PROXY_HOPS``, the upload limits);
- a facilitator password that is set is not blank;
- the default framework, ``data/framework.yaml``, loads.

The app (:func:`alignment.ui.session.settings_guard`) and the command line call :func:`check_settings`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from alignment.auth import PASSWORD_SECRET, PASSWORD_VARIABLE, PROXY_HOPS_VARIABLE
from alignment.framework import FrameworkError, load_framework
from alignment.store.engine import (
    DATA_DIR_VARIABLE,
    PROJECT_ROOT,
    URL_VARIABLE,
    database_url,
    folder_problem,
    url_problem,
)

Reader = Callable[[str, str], object]  # (environment variable, secret name) → value or None
WHOLE_NUMBERS = {  # variable → (secret name or "", smallest allowed)
    PROXY_HOPS_VARIABLE: ("proxy_hops", 0),
    "ALIGNMENT_MAX_UPLOAD_MB": ("", 1),
    "ALIGNMENT_MAX_ROWS": ("", 1),
    "ALIGNMENT_MAX_COLUMNS": ("", 1),
    "ALIGNMENT_MAX_CELLS": ("", 1),
}


def environment_only(variable: str, _secret: str) -> object:
    """The reader for the command line: environment variables only."""
    return os.environ.get(variable)


def secrets_files() -> list[Path]:
    """Where Streamlit looks for ``secrets.toml``: the home folder, then beside the app."""
    return [Path.home() / ".streamlit" / "secrets.toml", PROJECT_ROOT / ".streamlit" / "secrets.toml"]


def _secrets_problem(path: Path) -> str | None:
    if not path.is_file():
        return None
    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        where = str(exc).rsplit("(", 1)[-1].rstrip(")") if "(at line" in str(exc) else "not UTF-8 text"
        return f"The secrets file {path} is not valid TOML ({where}); fix it or remove it."
    except OSError as exc:
        return f"The secrets file {path} cannot be read ({(exc.strerror or 'no access').lower()})."
    return None


def _whole_number_problem(variable: str, value: object, smallest: int) -> str | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if number is None or number < smallest:
        return f"{variable} must be a whole number of at least {smallest}; it is “{str(value)[:40]}”."
    return None


def check_settings(read: Reader = environment_only, files: list[Path] | None = None) -> list[str]:
    """Every problem with the settings, one sentence each (an empty list when all is well)."""
    problems = [p for p in (_secrets_problem(path) for path in files or secrets_files()) if p]
    url = read(URL_VARIABLE, "database_url")
    resolved = database_url(str(url) if url else None)
    problem = url_problem(resolved)
    if problem is None and make_url(resolved).get_backend_name() == "sqlite":
        database = make_url(resolved).database
        if database and database != ":memory:":
            setting = URL_VARIABLE if url else DATA_DIR_VARIABLE
            problem = folder_problem(Path(database), setting)
    if problem:
        problems.append(problem)
    for variable, (secret, smallest) in WHOLE_NUMBERS.items():
        value = read(variable, secret) if secret else os.environ.get(variable)
        problem = _whole_number_problem(variable, value, smallest)
        if problem:
            problems.append(problem)
    password = read(PASSWORD_VARIABLE, PASSWORD_SECRET)
    if password is not None and not str(password).strip():
        problems.append(
            f"The facilitator password ({PASSWORD_VARIABLE} or {PASSWORD_SECRET} in secrets) is set but blank; "
            "set a real one or remove it."
        )
    try:
        load_framework()
    except FrameworkError as exc:
        problems.append(f"The assessment framework cannot be loaded — {exc}.")
    return problems
