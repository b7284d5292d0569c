"""Shared fixtures: databases (SQLite always, Postgres when configured), the app in AppTest, and a
real ``streamlit run`` server driven by Debian's Chromium.

Outside CI, a missing Chromium or Postgres skips the tests that need it, saying why. With
``CI=true`` the same absence fails them: CI must never pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from alignment.store import open_database

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = os.environ.get("ALIGNMENT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
POSTGRES_VARIABLE = "ALIGNMENT_TEST_POSTGRES_URL"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


# A tiny framework for tests that need few questions: the scale every test framework shares, and
# three shared dimensions of two statements each.
TINY_SCALE = """
id: tiny
name: Tiny framework
scale:
  - {value: 1, label: Strongly disagree}
  - {value: 2, label: Disagree}
  - {value: 3, label: Neither}
  - {value: 4, label: Agree}
  - {value: 5, label: Strongly agree}
"""
TINY_SHARED_DIMENSIONS = """
groups:
  - {id: shared, name: Shared, practice_of: both}
dimensions:
  - id: language
    group: shared
    name: Common language
    description: Both teams use the same words for the same things.
    items:
      - {id: language.1, text: We define a qualified lead the same way.}
      - {id: language.2, text: Stage names mean the same to both teams.}
  - id: handoff
    group: shared
    name: Hand-off
    items:
      - {id: handoff.1, text: Accepted leads are called within a day.}
      - {id: handoff.2, text: Rejected leads come back with a reason.}
  - id: trust
    group: shared
    name: Trust
    items:
      - {id: trust.1, text: Nobody blames the other team for a missed quarter.}
      - {id: trust.2, text: We plan campaigns together.}
"""


def missing(what: str) -> None:
    """Skip locally, fail in CI: a test that needs ``what`` cannot run here."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available", pytrace=False)
    pytest.skip(f"{what} is not available here")


# ---------------------------------------------------------------- databases


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'alignment.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL to a brand-new, empty Postgres database, dropped afterwards."""
    admin_url = os.environ.get(POSTGRES_VARIABLE)
    if not admin_url:
        missing(f"PostgreSQL ({POSTGRES_VARIABLE})")
    admin = create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    name = f"alignment_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        missing(f"PostgreSQL at {POSTGRES_VARIABLE} ({exc.__class__.__name__})")
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test that uses this runs once on SQLite and once on Postgres."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated, empty database (no demo) on each backend."""
    db = open_database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    db = open_database(sqlite_url)
    yield db
    db.dispose()


# ---------------------------------------------------------------- the app in-process


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at a fresh SQLite folder; the first run seeds the demo there."""
    data_dir = tmp_path / "appdata"
    monkeypatch.setenv("ALIGNMENT_DATA_DIR", str(data_dir))
    monkeypatch.delenv("ALIGNMENT_DATABASE_URL", raising=False)
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    return data_dir


# ---------------------------------------------------------------- a real server and a real browser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """``streamlit run app.py`` on a free port, with its own data folder and environment."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {key: value for key, value in os.environ.items() if key != "ALIGNMENT_DATABASE_URL"}
        self.env.update({"ALIGNMENT_DATA_DIR": str(data_dir), **(env or {})})
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir / f"server-{self.port}.log"

    def start(self, timeout: float = 60) -> AppServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(self.port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not become healthy in {timeout}s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture
def app_server(tmp_path: Path) -> Iterator[AppServer]:
    """A real server on a fresh SQLite database (seeded with the demo on first request)."""
    server = AppServer(tmp_path / "server").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium through Playwright (never a downloaded browser)."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing(f"Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright package")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1920, "height": 1080}


def wait_for_app(page, timeout: float = 30_000) -> None:  # type: ignore[no-untyped-def]
    """Wait until Streamlit has finished running the script for what the page shows."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    page.wait_for_function(
        "() => { const app = document.querySelector(\"[data-testid='stApp']\");"
        " return app && app.getAttribute('data-test-script-state') === 'notRunning'"
        " && !document.querySelector(\"[data-stale='true']\"); }",
        timeout=timeout,
    )
    page.wait_for_timeout(300)  # as Streamlit's own e2e helper does: a rerun just asked for may not have begun


def wait_for_charts(page, timeout: float = 30_000) -> None:  # type: ignore[no-untyped-def]
    """Wait until the app has finished its run and every chart on the page has drawn its marks."""
    wait_for_app(page, timeout)
    page.wait_for_function(
        "() => [...document.querySelectorAll(\"[data-testid='stVegaLiteChart']\")].every(chart => {"
        " const marks = chart.querySelector('canvas, svg.marks');"
        " return marks && marks.getBoundingClientRect().width > 0; })",
        timeout=timeout,
    )


def wait_for_cookie(context, name: str, timeout: float = 30, gone: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Wait until the page has written the cookie ``name`` (or, with ``gone``, removed it): the app
    writes cookies from a component in the page, a moment after the server asked for it."""
    deadline = time.monotonic() + timeout
    while any(cookie["name"] == name for cookie in context.cookies()) == gone:
        if time.monotonic() > deadline:
            raise AssertionError(f"the page never {'removed' if gone else 'wrote'} the cookie {name}")
        time.sleep(0.1)


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Save what the page shows now under tests/screenshots/ (look at these)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
