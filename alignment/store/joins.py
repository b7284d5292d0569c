"""How often new participants may join: per browser, and per workshop.

A whole room shares one public address (venue Wi-Fi), so joins are never counted per address.
They are counted per *browser* (the random id a browser keeps in a cookie, stored on each
participant it creates) and per *workshop*:

- one browser may start :data:`JOINS_PER_BROWSER` answer sheets in a workshop within
  :data:`JOIN_WINDOW`; the next one waits until the oldest of them leaves the window. (A person
  joins once; "I am someone else" on a shared phone makes a second; a third within a minute is
  someone filling a team up with invented answers.)
- a workshop takes at most :data:`JOINS_PER_WORKSHOP` joins within the window, far above a room
  of 60 arriving at once.

A browser that refuses cookies gets a new id on every visit, so only the workshop limit holds it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from alignment.store.engine import read_session
from alignment.store.models import Participant, utcnow

JOIN_WINDOW = timedelta(minutes=1)
JOINS_PER_BROWSER = 2
JOINS_PER_WORKSHOP = 300
BROWSER_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


def valid_browser_id(value: str | None) -> str | None:
    """``value`` if it looks like an id this app hands out (16–64 URL-safe characters), else ``None``."""
    return value if value and BROWSER_ID.fullmatch(value) else None


def _wait(joined_at: list[datetime], limit: int, now: datetime) -> timedelta | None:
    """With join times t1 ≤ … ≤ tn inside the window and n ≥ limit, the next join may happen once
    n − limit + 1 of them have left it, i.e. at t[n − limit] + window."""
    if len(joined_at) < limit:
        return None
    return max(joined_at[len(joined_at) - limit] + JOIN_WINDOW - now, timedelta(seconds=1))


def join_wait(
    engine: Engine, workshop_id: int, browser_id: str | None, now: datetime | None = None
) -> timedelta | None:
    """How long this browser must wait before it may start another answer sheet here, or ``None``."""
    now = now or utcnow()
    since = now - JOIN_WINDOW
    with read_session(engine) as session:
        in_workshop = select(Participant.created_at).where(
            Participant.workshop_id == workshop_id, Participant.created_at > since
        )
        workshop_joins = list(session.scalars(in_workshop.order_by(Participant.created_at)))
        browser_joins = (
            list(
                session.scalars(
                    in_workshop.where(Participant.browser_id == browser_id).order_by(Participant.created_at)
                )
            )
            if browser_id
            else []
        )
    waits = [w for w in (_wait(browser_joins, JOINS_PER_BROWSER, now), _wait(workshop_joins, JOINS_PER_WORKSHOP, now))
             if w is not None]  # fmt: skip
    return max(waits) if waits else None
