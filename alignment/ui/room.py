"""The room screen: the join code in very large type, a QR code of the join link, the live count.

Also the branding (organisation name, logo, primary colour from settings or secrets) that the room
screen and presentation mode show.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit
from xml.sax.saxutils import escape

import segno
import streamlit as st
from sqlalchemy.exc import OperationalError

from alignment.store import DatabaseUnavailable, WorkshopInfo, participation, team_id
from alignment.store.headcounts import expected_head_counts, over_expected
from alignment.ui import session, styles
from alignment.ui.session import plain

LIVE_REFRESH_SECONDS = 3
# Sizes that keep the room screen (code, QR and the team counts) inside 1920×1080 without scrolling.
CODE_WIDTH = 820
QR_WIDTH = 300
DEFAULT_COLOUR = "#0072B2"
FACILITATOR_PATH = "facilitator"
_HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class Brand:
    """What the room sees of the organisation: its name, an optional logo and a primary colour."""

    name: str
    logo: str | None
    colour: str


def brand(workshop: WorkshopInfo | None) -> Brand:
    """Branding from ``ALIGNMENT_BRAND_*`` settings or ``brand_*`` secrets; the organisation by default.

    A colour that is not ``#RRGGBB`` falls back to the app's blue.
    """
    name = session.setting("ALIGNMENT_BRAND_NAME", "brand_name") or (workshop.organisation if workshop else "")
    colour = str(session.setting("ALIGNMENT_BRAND_COLOUR", "brand_colour") or DEFAULT_COLOUR).strip()
    logo = session.setting("ALIGNMENT_BRAND_LOGO", "brand_logo") or None
    return Brand(
        name=str(name), logo=str(logo) if logo else None, colour=colour if _HEX_COLOUR.match(colour) else DEFAULT_COLOUR
    )


def brand_header(workshop: WorkshopInfo) -> None:
    """Logo and organisation name above the room screen and each presentation step."""
    mark = brand(workshop)
    if not mark.logo:
        if mark.name:
            st.header(plain(mark.name), anchor=False)
        return
    logo_column, name_column = st.columns([1, 7], vertical_alignment="center")
    try:
        logo_column.image(mark.logo, width=160)
    except Exception:  # noqa: BLE001 - a missing logo file must not stop the workshop
        logo_column.caption("Logo not found")
    name_column.header(plain(mark.name), anchor=False)


def public_base_url() -> str:
    """The address participants open: ``ALIGNMENT_PUBLIC_URL`` / secret ``public_url``, else this page's
    own address (``st.context.url``) without the Facilitator path."""
    configured = session.setting("ALIGNMENT_PUBLIC_URL", "public_url")
    if configured:
        return str(configured).rstrip("/")
    return base_of(st.context.url or "http://localhost:8501")


def base_of(page_url: str) -> str:
    """The app's root from a page address: ``https://x.org/app/facilitator`` → ``https://x.org/app``."""
    parts = urlsplit(page_url)
    path = parts.path.rstrip("/")
    if path.rsplit("/", 1)[-1] == FACILITATOR_PATH:
        path = path.rsplit("/", 1)[0]
    return urlunsplit((parts.scheme, parts.netloc, path, "", "")).rstrip("/")


def join_link(base_url: str, code: str) -> str:
    """The link in the QR code: the self-assessment page with the join code (``/?w=CODE``)."""
    return f"{base_url.rstrip('/')}/?w={code}"


def qr_png(link: str, colour: str = "#000000") -> bytes:
    """A QR code of ``link`` as PNG bytes (error correction M, a quiet zone of 2 modules)."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=14, border=2, dark=colour, light="#FFFFFF")
    return buffer.getvalue()


def spoken_code(code: str) -> str:
    """A join code split in halves for reading aloud: ``BCD FGH``."""
    half = (len(code) + 1) // 2
    return f"{code[:half]} {code[half:]}".strip()


def join_code_svg(code: str, colour: str) -> str:
    """The join code as an SVG image, so it can be as large as the screen allows without HTML."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 230" role="img">'
        f'<text x="500" y="185" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" '
        f'font-weight="700" font-size="210" textLength="980" lengthAdjust="spacingAndGlyphs" '
        f'fill="{escape(colour)}">{escape(spoken_code(code))}</text></svg>'
    )


def room_screen(workshop: WorkshopInfo, with_brand: bool = True) -> None:
    """Join code, QR code and the live count of answers, for the wall."""
    mark = brand(workshop)
    base = public_base_url()
    link = join_link(base, workshop.code)
    styles.add(styles.PROJECTOR)
    if with_brand:
        brand_header(workshop)
    code_column, qr_column = st.columns([3, 1], gap="large", vertical_alignment="center")
    with code_column:
        st.subheader("Join with your phone", anchor=False)
        st.image(join_code_svg(workshop.code, mark.colour), width=CODE_WIDTH)
        st.subheader(f"Open {plain(base)} and enter the code, or scan the QR code.", anchor=False)
        if not workshop.is_open:
            st.warning("Submissions are closed: reopen them to let people answer.", icon=":material/lock:")
    with qr_column:
        st.image(qr_png(link, mark.colour), width=QR_WIDTH, caption=link)
    live_count(workshop.id, workshop.teams, workshop.current_round, max(3, int(workshop.k)),
               tuple(expected_head_counts(workshop).items()))


def big_figure(label: str, value: object, note: str = "") -> None:
    """A figure readable from the back of the room: the label and note at 28 px, the value at 44 px."""
    with st.container(border=True):
        st.subheader(label, anchor=False)
        st.title(str(value), anchor=False)
        if note:
            st.subheader(note, anchor=False)


def shown_counts(counts: dict[str, dict[str, int]], teams: tuple[str, ...], k: int) -> tuple[int, list[tuple[str, str,
                                                                                                         str]]]:
    """What the wall may show of the live counts: the people who submitted in teams with at least ``k``
    (a total with smaller teams in it would give their count away), and per team its count and how
    many are still answering — or, below ``k``, only that it has fewer than ``k`` so far."""
    total, cards = 0, []
    for name in teams:
        numbers = counts.get(team_id(name), {"started": 0, "submitted": 0})
        submitted, still = numbers["submitted"], numbers["started"] - numbers["submitted"]
        if submitted >= k:
            total += submitted
            cards.append((name, str(submitted), f"{still} still answering" if still >= k else (
                "a few still answering" if still else "")))
        elif submitted:
            cards.append((name, f"fewer than {k}", "shown once it reaches " + str(k)))
        else:
            cards.append((name, "0", "a few answering" if still else ""))
    return total, cards


@st.fragment(run_every=LIVE_REFRESH_SECONDS)
def live_count(
    workshop_id: int, teams: tuple[str, ...], round_no: int, k: int = 3, expected: tuple[tuple[str, int], ...] = ()
) -> None:
    """Answers per team in the current round, re-read every few seconds on its own, in type the back of
    the room can read (``shown_counts``: no count below ``k``); a team with more answer sheets than its
    expected head count is flagged."""
    last_key = f"live-count:{workshop_id}:{round_no}"
    try:
        counts = st.session_state[last_key] = participation(session.engine(), workshop_id, round_no)
        reconnecting = False
    except (OperationalError, DatabaseUnavailable):  # a short outage: keep the last figures on the screen
        counts, reconnecting = st.session_state.get(last_key, {}), True
    total, cards = shown_counts(counts, teams, k)
    answering = sum(c["started"] - c["submitted"] for c in counts.values())
    small = any(value.startswith("fewer") for _, value, _ in cards)
    expected_by_team = dict(expected)
    flagged = over_expected({team: c["submitted"] for team, c in counts.items()}, expected_by_team)
    with st.container(key="live-count"):
        with st.container(horizontal=True, vertical_alignment="bottom", gap="large"):
            st.title(f"{total} answered in round {round_no}" + (" in the teams shown" if small else ""), anchor=False)
            if answering:
                st.header(f"{answering} still answering" if answering >= k else "a few still answering", anchor=False)
        columns = st.columns(max(len(teams), 1))
        for column, (name, value, note) in zip(columns, cards, strict=False):
            people = expected_by_team.get(team_id(name))
            parts = (note, f"of {people} expected" if people and not value.startswith("fewer") else "")
            with column:
                big_figure(plain(name), value, " · ".join(part for part in parts if part))
        names = {team_id(name): name for name in teams}
        for team, (sheets, people) in flagged.items():
            counted = f"{sheets} answer sheets" if sheets >= k else "more answer sheets"
            st.error(
                f"{plain(names.get(team, team))}: {counted} than the {people} "
                f"{'person' if people == 1 else 'people'} expected. Someone may have answered twice.",
                icon=":material/group_off:",
            )
    if reconnecting:
        st.caption("Reconnecting to the database… these are the last figures it gave.")
