"""Who is answering on this browser: one participant per browser per workshop, remembered in a cookie.

The participant's anonymous token is kept in a cookie per workshop (``alignment_p_<CODE>``), so a
re-scanned QR code, a retyped join code, the Back button or a closed tab come back to the same
draft, or to the thank-you page. Someone else on the same phone says so ("I am someone else"):
this browser forgets the token and a fresh participant starts, subject to the join limits of
:mod:`alignment.store.joins`.
"""

from __future__ import annotations

import math

import streamlit as st

from alignment.store.joins import join_wait
from alignment.store.workshops import WorkshopInfo
from alignment.ui import browser_cookies, session

PARTICIPANT_DAYS = 30
_FORGOTTEN_KEY = "_participant_forgotten"


def _cookie(workshop: WorkshopInfo) -> str:
    return f"alignment_p_{workshop.code}"


def remembered_token(workshop: WorkshopInfo) -> str | None:
    """The participant token for this workshop: the link's ``?p=``, else the one this browser keeps."""
    in_link = st.query_params.get("p")
    if in_link:
        return in_link
    if workshop.code in st.session_state.get(_FORGOTTEN_KEY, set()):
        return None
    return browser_cookies.read(_cookie(workshop))


def remember(workshop: WorkshopInfo, token: str) -> None:
    """Keep ``token`` in the link and in this browser (for :data:`PARTICIPANT_DAYS` days)."""
    st.query_params["p"] = token
    st.session_state.setdefault(_FORGOTTEN_KEY, set()).discard(workshop.code)
    browser_cookies.write(_cookie(workshop), token, PARTICIPANT_DAYS * 24 * 3600)


def keep(workshop: WorkshopInfo, token: str) -> None:
    """A participant found (by the link or this browser's memory): make sure the link and the browser both hold them."""
    if st.query_params.get("p") != token or browser_cookies.read(_cookie(workshop)) != token:
        remember(workshop, token)


def forget(workshop: WorkshopInfo) -> None:
    """This browser no longer answers as the remembered participant (the answers already given stay)."""
    st.query_params.pop("p", None)
    st.session_state.setdefault(_FORGOTTEN_KEY, set()).add(workshop.code)
    browser_cookies.remove(_cookie(workshop))


def someone_else_button(workshop: WorkshopInfo) -> bool:
    """The explicit way for another person on the same phone to start their own answers."""
    return st.button(
        "I am someone else",
        icon=":material/person_add:",
        type="tertiary",
        key="someone-else",
        help="Another person on this phone: start a new, separate set of answers. Yours stay as they are.",
    )


def join_refused_for_now(workshop: WorkshopInfo) -> bool:
    """Whether this browser must wait before starting another answer sheet; says so if it must."""
    wait = session.steady_read(
        ("join-wait", workshop.id), lambda: join_wait(session.engine(), workshop.id, browser_cookies.browser_id())
    )
    if wait is None:
        return False
    seconds = max(1, math.ceil(wait.total_seconds()))
    st.warning(
        f"This phone has just started several answer sheets. Please wait {seconds} seconds, then press Start again.",
        icon=":material/hourglass_top:",
    )
    return True
