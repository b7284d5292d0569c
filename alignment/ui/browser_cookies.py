"""Cookies this app keeps in the browser: read at session start, written by a tiny page component.

Streamlit reads the browser's cookies once, when the page connects (``st.context.cookies``). To
write one, a components-v2 component (which runs in the page itself, not in an iframe) sets
``document.cookie``. What this session wrote or removed since it connected wins over what the
browser sent, so a value is current in the same session and in every later one.

Names and values are checked against :data:`_SAFE` before they reach the page: only ids, tokens
and signatures this app made are ever written, never anything a user typed.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import streamlit as st

from alignment.store.joins import valid_browser_id

BROWSER_COOKIE = "alignment_browser"
YEAR_SECONDS = 365 * 24 * 3600
_STATE_KEY = "_browser_cookies"
_SAFE = re.compile(r"[A-Za-z0-9_.-]{0,512}")
_WRITE_JS = """
export default function ({ data }) {
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  for (const cookie of (data && data.cookies) || []) {
    document.cookie = cookie.name + "=" + encodeURIComponent(cookie.value) + "; path=/; SameSite=Lax; max-age="
      + cookie.maxAge + secure;
  }
}
"""
_writer = st.components.v2.component("alignment_cookie_writer", js=_WRITE_JS)


def _changes() -> dict[str, dict[str, Any]]:
    return st.session_state.setdefault(_STATE_KEY, {})


def read(name: str) -> str | None:
    """The cookie's value as this browser holds it now (``None`` when it has none)."""
    changed = _changes().get(name)
    if changed is not None:
        return changed["value"] or None
    try:
        value = st.context.cookies.get(name)
    except Exception:  # noqa: BLE001 - no browser behind this run (AppTest, bare mode)
        return None
    return value if isinstance(value, str) and _SAFE.fullmatch(value) else None


def write(name: str, value: str, max_age_seconds: int) -> None:
    """Keep ``name=value`` in this browser for ``max_age_seconds`` (written on the next run)."""
    if not (_SAFE.fullmatch(name) and _SAFE.fullmatch(value)):
        raise ValueError("Only ids and tokens made by the app are written into cookies.")
    _changes()[name] = {"name": name, "value": value, "maxAge": int(max_age_seconds)}


def remove(name: str) -> None:
    """Forget the cookie in this browser."""
    _changes()[name] = {"name": name, "value": "", "maxAge": 0}


def render() -> None:
    """Put the component that writes this session's cookies on the page (invisible; call on every run)."""
    changes = list(_changes().values())
    if not changes:
        return
    with st.container(key="browser-cookies", height=1, border=False):
        _writer(key="cookie-writer", data={"cookies": changes}, height=0)


def browser_id() -> str:
    """This browser's random id (kept for a year), made on its first visit; it names no person."""
    known = valid_browser_id(read(BROWSER_COOKIE))
    if known:
        return known
    made = secrets.token_urlsafe(16)
    write(BROWSER_COOKIE, made, YEAR_SECONDS)
    return made
