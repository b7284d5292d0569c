"""Slowing down repeated failures (wrong join codes, wrong passwords) without ever slowing a room.

A whole room usually reaches the app from one public address (the venue's Wi-Fi), so nothing here
limits people who get things right, and no limit is kept per address alone. Each failure is counted
under several keys at once (a :class:`Client` names them):

- the **browser** (its Streamlit session): a low limit, so one person's guessing is slowed quickly;
- the **address** when it is known: a much higher ceiling, so opening new tabs does not give a
  fresh budget, while a room where a few people mistype is never affected;
- when the address is **not** known (a proxy on the same host, a tunnel, local use): one ceiling
  shared by all such clients, higher still, so one person cannot lock everyone out by themselves.

Failures live in the ``login_attempts`` table (key and time), so limits hold across replicas that
share a database. Two kinds of limit use them:

- :class:`Backoff` (join codes): the first ``free`` failures within ``window`` cost nothing; after
  that the n-th failure is followed by a wait of ``first × 2^(n − free − 1)``, at most ``longest``,
  counted from the latest failure.
- a lockout (passwords, in :mod:`alignment.auth`): ``limit`` failures within the window lock until
  the oldest of them leaves it.

For join codes, call :func:`join_wait` before looking a code up (refuse, saying
:func:`wrong_code_wait_message`, while it returns a wait) and :func:`record_wrong_code` after a code
that matched nothing. Other failures can use the same parts: :func:`backoff_wait` for a key and a
:class:`Backoff`, :func:`record_failure` for a list of keys (:meth:`Client.keys` makes them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select

from alignment.store.engine import read_session, write_session
from alignment.store.models import LoginAttempt, utcnow

MAX_KEY_LENGTH = 120
FORGET_AFTER = timedelta(hours=1)  # failures older than this are deleted when a new one is recorded


@dataclass(frozen=True)
class Backoff:
    """``free`` failures within ``window`` cost nothing; then ``first``, doubling per failure, at most ``longest``."""

    free: int
    first: timedelta
    longest: timedelta
    window: timedelta

    def wait_after(self, failures: int) -> timedelta:
        """The wait that follows the ``failures``-th failure in the window (zero while within ``free``)."""
        if failures <= self.free:
            return timedelta(0)
        return min(self.longest, self.first * 2 ** (failures - self.free - 1))


# Join codes. A person who mistypes twice never waits; a guesser from one browser is down to one try
# a minute after 8 failures. The address ceiling is above a room's mistakes (60 people typing one
# wrong code each still pass), and past it the whole address waits up to 15 minutes per try.
JOIN_PER_BROWSER = Backoff(free=2, first=timedelta(seconds=2), longest=timedelta(minutes=1),
                           window=timedelta(minutes=15))  # fmt: skip
JOIN_PER_ADDRESS = Backoff(free=60, first=timedelta(seconds=5), longest=timedelta(minutes=15),
                           window=timedelta(hours=1))  # fmt: skip
JOIN_UNKNOWN_ADDRESSES = Backoff(free=120, first=timedelta(seconds=5), longest=timedelta(minutes=15),
                                 window=timedelta(hours=1))  # fmt: skip


@dataclass(frozen=True)
class Client:
    """Who is trying: the browser session's id, and the client's address when it is known (else ``None``)."""

    browser: str
    address: str | None

    def keys(self, kind: str) -> tuple[str, str]:
        """The browser's key and the address's key (or the one shared by unknown addresses) for ``kind``."""
        browser = f"{kind}:browser:{self.browser}"
        address = f"{kind}:address:{self.address}" if self.address else f"{kind}:unknown-address"
        return browser[:MAX_KEY_LENGTH], address[:MAX_KEY_LENGTH]


def failures_since(engine: Engine, key: str, since: datetime) -> list[datetime]:
    """When ``key`` failed after ``since``, oldest first."""
    with read_session(engine) as session:
        return list(
            session.scalars(
                select(LoginAttempt.at)
                .where(LoginAttempt.client == key[:MAX_KEY_LENGTH], LoginAttempt.at > since)
                .order_by(LoginAttempt.at)
            )
        )


def record_failure(engine: Engine, keys: tuple[str, ...] | list[str], now: datetime | None = None) -> None:
    """Count one failure under each of ``keys`` (and forget failures older than :data:`FORGET_AFTER`)."""
    now = now or utcnow()
    with write_session(engine) as session:
        session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - FORGET_AFTER))
        session.add_all(LoginAttempt(client=key[:MAX_KEY_LENGTH], at=now) for key in keys)


def clear_failures(engine: Engine, key: str) -> None:
    """Forget ``key``'s failures (after a success that proves who it is)."""
    with write_session(engine) as session:
        session.execute(delete(LoginAttempt).where(LoginAttempt.client == key[:MAX_KEY_LENGTH]))


def backoff_wait(engine: Engine, key: str, backoff: Backoff, now: datetime | None = None) -> timedelta | None:
    """How long ``key`` must still wait under ``backoff``, or ``None`` when it may try now."""
    now = now or utcnow()
    failures = failures_since(engine, key, now - backoff.window)
    if not failures:
        return None
    remaining = failures[-1] + backoff.wait_after(len(failures)) - now
    return remaining if remaining > timedelta(0) else None


def join_wait(engine: Engine, client: Client, now: datetime | None = None) -> timedelta | None:
    """How long ``client`` must wait before its next join code is looked up, or ``None``: the longer of
    the browser's wait and the address's (or the shared unknown-address) wait."""
    browser, address = client.keys("join")
    ceiling = JOIN_PER_ADDRESS if client.address else JOIN_UNKNOWN_ADDRESSES
    waits = [w for w in (backoff_wait(engine, browser, JOIN_PER_BROWSER, now), backoff_wait(engine, address,
             ceiling, now)) if w is not None]  # fmt: skip
    return max(waits) if waits else None


def record_wrong_code(engine: Engine, client: Client, now: datetime | None = None) -> None:
    """Count a join code that matched no workshop against ``client``'s browser and address."""
    record_failure(engine, client.keys("join"), now)


def wrong_code_wait_message(wait: timedelta) -> str:
    """The sentence shown instead of looking a code up while ``client`` must wait."""
    return f"Too many codes that match no workshop were tried from here. Try again in {describe_wait(wait)}."


def describe_wait(wait: timedelta) -> str:
    """A wait in words, rounded up: "1 minute", "4 minutes", "30 seconds"."""
    seconds = max(1, -(-wait // timedelta(seconds=1)))
    if seconds < 60:
        return f"{seconds} seconds" if seconds != 1 else "1 second"
    minutes = -(-seconds // 60)
    return f"{minutes} minutes" if minutes != 1 else "1 minute"
