"""Connecting to the database: the URL, the engine, and migrations on start.

Default: an embedded SQLite file at ``.alignment/alignment.db`` beside ``app.py`` (override the
folder with ``ALIGNMENT_DATA_DIR``), in WAL mode with a busy timeout, where every write
transaction starts with ``BEGIN IMMEDIATE`` so two writers queue instead of failing half-way.
``ALIGNMENT_DATABASE_URL`` (or ``database_url`` in Streamlit secrets, read by the UI layer) points
the app at PostgreSQL instead, which is what several replicas share.

Nothing here connects at import time.
"""

from __future__ import annotations

import os
import tempfile
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session

PROJECT_ROOT = Path(__file__).resolve().parents[2]
URL_VARIABLE = "ALIGNMENT_DATABASE_URL"
DATA_DIR_VARIABLE = "ALIGNMENT_DATA_DIR"
SQLITE_BUSY_TIMEOUT_MS = 15_000
_MIGRATION_LOCK_ID = 4_242_017  # Postgres advisory lock held while migrating (several replicas may start at once)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or used; the message is one sentence naming what to fix."""


class DatabaseGone(DatabaseUnavailable):
    """The database the app opened was deleted or replaced while it ran: writing now would lose data."""


@dataclass(frozen=True)
class _Identity:
    """What the app opened: the random id it keeps in ``app_settings``, and on SQLite the file's device and inode."""

    database_id: str
    where: str
    file: tuple[int, int] | None


DATABASE_ID_KEY = "database_id"
_IDENTITIES: weakref.WeakKeyDictionary[Engine, _Identity] = weakref.WeakKeyDictionary()


def default_sqlite_url() -> str:
    folder = Path(os.environ.get(DATA_DIR_VARIABLE) or PROJECT_ROOT / ".alignment")
    return f"sqlite:///{folder / 'alignment.db'}"


def database_url(explicit: str | None = None) -> str:
    """The URL to use: ``explicit``, else ``ALIGNMENT_DATABASE_URL``, else the embedded SQLite file."""
    url = explicit or os.environ.get(URL_VARIABLE) or default_sqlite_url()
    if url.startswith("postgres://"):  # the form many hosting providers hand out
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


SUPPORTED_URLS = "sqlite:///path/to/file.db (SQLite) or postgresql://user:password@host:5432/name (PostgreSQL)"
SUPPORTED_DRIVERS = {"sqlite": "pysqlite", "postgresql": "psycopg"}  # backend → the driver this app installs


def url_problem(url: str) -> str | None:
    """One sentence when ``url`` (after :func:`database_url`) cannot be used, else ``None``.

    Supported: SQLite through Python's ``sqlite3`` and PostgreSQL through psycopg 3 (``postgres://``
    and ``postgresql://`` URLs are rewritten to it). The sentence never repeats the URL, which may
    hold a password.
    """
    try:
        parsed = make_url(database_url(url))
    except ArgumentError:
        return f"{URL_VARIABLE} is not a database URL; use {SUPPORTED_URLS}."
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    shown = "".join(ch for ch in f"{parsed.drivername}" if ch.isalnum() or ch in "+_-")[:40]
    if backend not in SUPPORTED_DRIVERS:
        return (
            f"{URL_VARIABLE} names the database kind “{shown}”, which this app does not support; use {SUPPORTED_URLS}."
        )
    if driver != SUPPORTED_DRIVERS[backend]:
        return (
            f"{URL_VARIABLE} asks for the database driver “{shown}”, which this app does not use; write it without "
            f"a driver name: {SUPPORTED_URLS}."
        )
    return None


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (see :func:`database_url`); SQLite gets WAL and immediate writes."""
    resolved = database_url(url)
    problem = url_problem(resolved)
    if problem:
        raise DatabaseUnavailable(problem)
    parsed = make_url(resolved)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(resolved, parsed.database)
    return create_engine(resolved, pool_pre_ping=True, pool_size=10, max_overflow=20)


def folder_problem(database: Path, setting: str = DATA_DIR_VARIABLE) -> str | None:
    """One sentence when the SQLite file ``database`` cannot be used: its folder cannot be created or written
    to, or the path is not a file. ``None`` when it can (the folder then exists).

    ``setting`` is the variable to fix: ``ALIGNMENT_DATA_DIR``, or ``ALIGNMENT_DATABASE_URL`` for a file it names.
    """
    fix = f"set {setting} to a folder the app can write to"
    folder = database.parent
    if folder.exists() and not folder.is_dir():
        return f"The data folder {folder} is a file, not a folder; {fix}."
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return f"The app cannot write in the data folder {folder} ({(exc.strerror or 'not allowed').lower()}); {fix}."
    if database.exists() and not database.is_file():
        return f"The database path {database} is a folder or a device, not a file; move it away or {fix}."
    return None


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        setting = URL_VARIABLE if os.environ.get(URL_VARIABLE) else DATA_DIR_VARIABLE
        problem = folder_problem(Path(database), setting)
        if problem:
            raise DatabaseUnavailable(problem)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _begin below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # type: ignore[no-untyped-def]
        if connection.get_execution_options().get("write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session for one write transaction: ``BEGIN IMMEDIATE`` on SQLite; commits on success.

    Before anything is written, an engine from :func:`open_database` checks that the database is
    still the one it opened (:func:`check_identity`), so nothing is saved into a deleted file.
    """
    with Session(engine.execution_options(write=True), expire_on_commit=False) as session, session.begin():
        check_identity(engine, session)
        yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reads only (a plain deferred transaction; rolled back at the end)."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


def check_connection(engine: Engine) -> None:
    """Raise :class:`DatabaseUnavailable` with one sentence if the database cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        backend = engine.url.get_backend_name()
        where = engine.url.render_as_string(hide_password=True)
        if backend == "sqlite":
            raise DatabaseUnavailable(
                f"The SQLite database at {engine.url.database} cannot be opened; check {DATA_DIR_VARIABLE} "
                "points at a writable folder."
            ) from exc
        raise DatabaseUnavailable(
            f"The database at {where} cannot be reached; check {URL_VARIABLE} (host, port, user, password)."
        ) from exc


def migrate(engine: Engine) -> None:
    """Apply every Alembic migration not yet applied (safe to call at every start, by every replica)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    with engine.execution_options(write=True).begin() as connection:
        if engine.url.get_backend_name() == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_ID})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _remember_identity(engine: Engine) -> None:
    """Give the database a random id (once, in ``app_settings``) and remember it, with the SQLite file's inode."""
    from alignment.store.models import AppSetting

    for _ in range(2):  # a replica starting at the same moment may insert the id first: then read theirs
        try:
            with Session(engine.execution_options(write=True)) as session, session.begin():
                setting = session.get(AppSetting, DATABASE_ID_KEY)
                if setting is None:
                    setting = AppSetting(key=DATABASE_ID_KEY, value=uuid.uuid4().hex)
                    session.add(setting)
                database_id = str(setting.value)
            break
        except IntegrityError:
            continue
    path = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if path and path != ":memory:":
        stat = os.stat(path)
        _IDENTITIES[engine] = _Identity(database_id, path, (stat.st_dev, stat.st_ino))
    else:
        _IDENTITIES[engine] = _Identity(database_id, engine.url.render_as_string(hide_password=True), None)


def check_identity(engine: Engine, session: Session) -> None:
    """Raise :class:`DatabaseGone` unless the database is still the one :func:`open_database` opened.

    On SQLite the file at the path must be the same file (device and inode): a deleted file stays
    readable through open connections, and writes into it would vanish with it. On every backend the
    random id stored at the first start must still be there (a dropped, emptied or swapped database).
    """
    identity = _IDENTITIES.get(engine)
    if identity is None:
        return
    from alignment.store.models import AppSetting

    gone = DatabaseGone(
        f"The database at {identity.where} was deleted or replaced while the app was running, so nothing more "
        "can be saved; restore it from a backup and restart the app."
    )
    if identity.file is not None:
        try:
            stat = os.stat(identity.where)
        except OSError as exc:
            raise gone from exc
        if (stat.st_dev, stat.st_ino) != identity.file:
            raise gone
    try:
        stored = session.scalar(select(AppSetting.value).where(AppSetting.key == DATABASE_ID_KEY))
    except ProgrammingError as exc:  # PostgreSQL: the table is gone
        raise gone from exc
    except OperationalError as exc:  # SQLite says "no such table"; anything else is an outage, not a loss
        if "no such table" in str(exc.orig):
            raise gone from exc
        raise
    if stored != identity.database_id:
        raise gone


def open_database(url: str | None = None) -> Engine:
    """Engine + connection check + migrations: what the app and the command line call at start."""
    engine = make_engine(url)
    check_connection(engine)
    migrate(engine)
    _remember_identity(engine)
    return engine
