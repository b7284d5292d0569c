"""What every page shares: the database engine, the framework, and the current workshop.

The current workshop is the one in the link (``?w=CODE``): every page keeps the code in its
address, moving between pages keeps it (the session remembers it when the navigation drops it from
the address), and only the one picker (:func:`workshop_picker`) or opening another code changes it;
signing in never does. Without a code, a page falls back to the demo (or, for a signed-in
facilitator, the newest workshop) and pins that, so an executive who opens the app lands on
something. Pages read it with :func:`current_workshop`; they never open connections themselves.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from alignment.auth import PROXY_HOPS_VARIABLE, client_address
from alignment.demo import ensure_demo
from alignment.framework import UPLOADED_FRAMEWORK_KEY, Framework, FrameworkError, load_framework, workshop_framework
from alignment.settings import check_settings
from alignment.store import DatabaseUnavailable, WorkshopInfo, find_workshop, list_workshops, open_database
from alignment.store.engine import URL_VARIABLE, DatabaseGone
from alignment.store.workshops import normalise_code
from alignment.text import markdown_literal
from alignment.throttle import Client, join_wait, record_wrong_code, wrong_code_wait_message

WORKSHOP_KEY = "workshop_code"
_ROUTED_KEY = "_through_router"
_LAST_READS_KEY = "_last_reads"
_KNOWN_CODES_KEY = "_codes_opened"
_WRONG_CODES_KEY = "_codes_wrong"
CONNECTION_LOST_MESSAGE = (
    "We can't reach our database just now. Nothing you entered is lost: wait a moment, then press Try again."
)
T = TypeVar("T")


def secret(name: str, default: Any = None) -> Any:
    """A value from ``st.secrets``, or ``default`` when there is no secrets file or no such key."""
    try:
        return st.secrets.get(name, default)
    except Exception:  # noqa: BLE001 - no secrets.toml at all is the normal case locally
        return default


def setting(env_name: str, secret_name: str, default: Any = None) -> Any:
    """An environment variable, else a Streamlit secret, else ``default``."""
    return os.environ.get(env_name) or secret(secret_name, default)


@st.cache_resource(show_spinner=False)
def _settings_problems() -> list[str]:
    """The settings' problems, checked once per server process and said once in the terminal."""
    problems = check_settings(setting)
    for problem in problems:
        print(f"alignment: {problem}", file=sys.stderr, flush=True)
    return problems


def settings_guard() -> None:
    """Stop every page with one sentence per broken setting (checked once at start), before anything else."""
    problems = _settings_problems()
    for problem in problems:
        st.error(plain(problem), icon=":material/settings_alert:")
    if problems:
        st.stop()


@st.cache_resource(show_spinner="Opening the database…")
def _engine(url: str | None) -> Engine:
    engine = open_database(url)
    ensure_demo(engine, load_framework())
    return engine


def through_router() -> None:
    """Make sure every page runs through ``app.py`` (the router), even on the very first visit.

    Until some script calls ``st.navigation``, Streamlit treats ``pages/`` as a legacy pages folder:
    when the first visitor after a start opens ``/facilitator`` or ``/alignment`` directly, it runs
    that page file on its own (no page config, no sidebar picker, no presentation mode), and keeps
    doing so for everyone until ``/`` is opened. Switching the legacy mode off and rerunning sends
    that first visit through the router to the same page. The rerun happens at most once per
    session, so it can never swallow a click.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if not st.session_state.get(_ROUTED_KEY):
            st.session_state[_ROUTED_KEY] = True
            st.rerun()


def engine() -> Engine:
    """The app's engine (one per process), migrated and seeded; stops the page with one sentence if down."""
    through_router()
    try:
        return _engine(setting(URL_VARIABLE, "database_url"))
    except DatabaseUnavailable as exc:
        st.error(str(exc), icon=":material/database_off:")
        st.stop()
    except FrameworkError as exc:
        st.error(f"The assessment framework cannot be loaded — {exc}", icon=":material/error:")
        st.stop()


@st.cache_resource(show_spinner=False, max_entries=50)
def _framework(choice: str | None, uploaded_name: str | None, uploaded_text: str | None) -> Framework:
    uploaded = {"name": uploaded_name, "text": uploaded_text} if uploaded_text is not None else None
    return workshop_framework(choice, uploaded)


def framework(workshop: WorkshopInfo | None = None) -> Framework:
    """The workshop's framework: its uploaded YAML, else the file of ``data/`` it names, else the default."""
    uploaded = (workshop.settings.get(UPLOADED_FRAMEWORK_KEY) if workshop else None) or {}
    try:
        return _framework(workshop.framework_path if workshop else None, uploaded.get("name"), uploaded.get("text"))
    except FrameworkError as exc:
        st.error(plain(f"The assessment framework cannot be loaded — {exc}"), icon=":material/error:")
        st.stop()


def steady_read(key: Hashable, read: Callable[[], T]) -> T:
    """Run a database read; if the database drops for a moment, reuse what it said last in this session.

    A participant's screen is drawn from reads (the workshop, their draft). Drawing it from the last
    answer keeps every widget, and what was tapped into it, on the screen during a short outage; the
    write that follows is refused with a retry message instead. With nothing remembered, the error
    goes on to :func:`connection_guard`.
    """
    remembered: dict[Hashable, Any] = st.session_state.setdefault(_LAST_READS_KEY, {})
    try:
        value = read()
    except (OperationalError, DatabaseUnavailable):
        if key in remembered:
            return remembered[key]
        raise
    remembered[key] = value
    return value


def connection_lost() -> None:
    """Say the database is out of reach, in a sentence, with a way to try again."""
    st.error(CONNECTION_LOST_MESSAGE, icon=":material/cloud_off:")
    st.button("Try again", icon=":material/refresh:", type="primary", key="connection-retry")


@contextmanager
def connection_guard() -> Iterator[None]:
    """Turn a dropped database connection anywhere in a page into :func:`connection_lost` (never a traceback)."""
    try:
        yield
    except DatabaseGone as exc:  # deleted or replaced: retrying cannot help, and saying "nothing is lost" would lie
        st.error(plain(str(exc)), icon=":material/database_off:")
    except (OperationalError, DatabaseUnavailable):
        connection_lost()


def plain(text: object) -> str:
    """User text for any Markdown context (``st.markdown``, captions, headings, widget labels and pill
    options): shown exactly as typed, never as markup, links, icons or reversed text (see
    :func:`alignment.text.markdown_literal`)."""
    return markdown_literal(text)


def current_client() -> Client:
    """Who is making this request, for the failure limits: this browser session, and its address when it
    can be trusted (see :func:`alignment.auth.client_address` and ``ALIGNMENT_PROXY_HOPS``)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx()
    peer = st.context.ip_address
    try:
        hops = max(0, int(setting(PROXY_HOPS_VARIABLE, "proxy_hops", 0) or 0))
    except (TypeError, ValueError):  # reported at start by alignment.settings; counted as no proxy here
        hops = 0
    address = client_address(peer if isinstance(peer, str) else None, st.context.headers.get("X-Forwarded-For"), hops)
    return Client(browser=context.session_id if context else "no-session", address=address)


def link_code() -> str | None:
    """The join code in the link (``?w=CODE``), as typed, or ``None``."""
    code = st.query_params.get("w")
    return code.strip() or None if code else None


def _signed_in() -> bool:
    from alignment.ui.facilitator import is_facilitator  # the facilitator module builds on this one

    return is_facilitator()


def current_workshop(pin_fallback: bool = True) -> WorkshopInfo | None:
    """The workshop the user is looking at: the link's code, else the one opened in this session.

    Without either, a signed-in facilitator gets the newest workshop; anyone else gets the demo (so
    the first screen is not empty) and never another organisation's workshop: a join code is what
    lets a person in, so workshops are not listed to people who have not been given one. Whatever
    is shown is pinned to the session and the link (a fallback only with ``pin_fallback``: the
    Self-assessment page never joins a workshop nobody chose), so signing in cannot switch it.
    """
    db = engine()
    code = link_code() or st.session_state.get(WORKSHOP_KEY)
    workshop = workshop_by_code(code)
    if workshop is None:
        workshops = steady_read("workshops", lambda: list_workshops(db))
        if _signed_in():
            workshop = workshops[0] if workshops else None
        else:
            workshop = next((w for w in workshops if w.is_demo), None)
        if not pin_fallback:
            return workshop
    if workshop is not None:
        keep_in_link(workshop.code)
    return workshop


def keep_in_link(code: str) -> None:
    """Remember the workshop in this session and show it in the address (``?w=CODE``)."""
    st.session_state[WORKSHOP_KEY] = code
    if st.query_params.get("w") != code:
        st.query_params["w"] = code


def workshop_by_code(code: str | None) -> WorkshopInfo | None:
    """The workshop with join code ``code`` (as typed, or from the link), or ``None``.

    Wrong codes are guesses as far as the app can tell: each new one counts against this browser and
    its address (:mod:`alignment.throttle`). While the client must wait, a code it has not opened
    before is not looked up at all: the wait is said in one sentence and the page stops there. Codes
    this session opened before, and the same wrong code again on a rerun, cost nothing.
    """
    if not code:
        return None
    normalised = normalise_code(code)
    if not normalised:  # nothing that could be a code: no lookup, and not a guess
        return None
    known: set[str] = st.session_state.setdefault(_KNOWN_CODES_KEY, set())
    wrong: set[str] = st.session_state.setdefault(_WRONG_CODES_KEY, set())
    if normalised in wrong:
        return None
    db = engine()
    if normalised not in known:
        client = current_client()
        wait = steady_read(("join-wait", normalised), lambda: join_wait(db, client))
        if wait is not None:
            st.error(wrong_code_wait_message(wait), icon=":material/hourglass_top:")
            st.stop()
    workshop = steady_read(("workshop", normalised), lambda: find_workshop(db, normalised))
    if workshop is None:
        record_wrong_code(db, current_client())
        wrong.add(normalised)
    else:
        known.add(normalised)
    return workshop


def choose_workshop(code: str) -> None:
    """Switch the app to another workshop (and keep the link in step)."""
    st.session_state.setdefault(_KNOWN_CODES_KEY, set()).add(code)
    keep_in_link(code)


def workshop_picker(workshop: WorkshopInfo | None, open_by_code: bool = True) -> None:
    """The sidebar: a selector of every workshop for the signed-in facilitator; for anyone else (unless
    ``open_by_code`` is off) the current workshop's name and a field to open another one by its code."""
    db = engine()
    if not _signed_in():
        if not open_by_code:  # the Self-assessment page: its own heading names the workshop joined
            return
        if workshop is not None:
            st.sidebar.caption(f"Workshop: **{plain(workshop.name)}** · {workshop.code}")
        with st.sidebar.form("open_workshop", border=False):
            typed = st.text_input("Open a workshop by its join code", max_chars=20, placeholder="ABC123")
            opened = st.form_submit_button("Open workshop", icon=":material/login:")
        if opened and typed.strip():
            found = workshop_by_code(typed)
            if found is None:
                st.sidebar.error("No workshop has that code. Check it with your facilitator.", icon=":material/error:")
            else:
                choose_workshop(found.code)
                st.rerun()
        return
    workshops = steady_read("all-workshops", lambda: list_workshops(db, include_archived=True))
    if not workshops:
        st.sidebar.caption("No workshops yet. Create one on the Facilitator page.")
        return
    labels = {w.code: f"{w.name} · {w.code}" + (" (archived)" if w.status == "archived" else "") for w in workshops}
    if workshop is not None:
        labels.setdefault(workshop.code, f"{workshop.name} · {workshop.code}")
        st.session_state["workshop_select"] = workshop.code
    st.sidebar.selectbox(
        "Workshop",
        list(labels),
        format_func=labels.__getitem__,
        key="workshop_select",
        on_change=lambda: choose_workshop(st.session_state["workshop_select"]),
    )


def presenting() -> bool:
    """Presentation mode: on with ``?present=1`` in the link or the facilitator's toggle."""
    return st.query_params.get("present") == "1" or bool(st.session_state.get("presentation_mode"))


def demo_banner(workshop: WorkshopInfo) -> None:
    """Say plainly that the figures are invented when the workshop is the demo."""
    if workshop.is_demo:
        st.info(
            "This is the demo workshop: every answer and deal in it is generated. "
            "Create your own workshop on the Facilitator page.",
            icon=":material/science:",
        )


def page_header(title: str, workshop: WorkshopInfo | None, caption: str = "") -> None:
    """The page title with the workshop it is about."""
    st.title(title)
    if workshop is not None:
        st.caption(f"{plain(workshop.name)} · join code **{workshop.code}**" + (f" · {caption}" if caption else ""))
        demo_banner(workshop)
