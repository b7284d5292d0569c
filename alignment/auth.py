"""Who may open the Facilitator page: a shared password, or an OpenID Connect sign-in.

The password comes from ``ALIGNMENT_ADMIN_PASSWORD`` (or ``admin_password`` in Streamlit secrets);
the UI layer reads it and passes it in, so nothing here touches streamlit. Without a password and
without an OIDC provider the page stays locked: it never runs open.

Wrong passwords are rate-limited per client key (the caller's IP address, or a fallback): after
:data:`MAX_FAILURES` failures within :data:`FAILURE_WINDOW` the client must wait until the oldest
of them is older than the window. Failures live in the ``login_attempts`` table, so the limit holds
across replicas that share a database.
"""

from __future__ import annotations

import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import Engine, delete, select

from alignment.store.engine import read_session, write_session
from alignment.store.models import LoginAttempt, utcnow

PASSWORD_VARIABLE = "ALIGNMENT_ADMIN_PASSWORD"
PROXY_HOPS_VARIABLE = "ALIGNMENT_PROXY_HOPS"
PASSWORD_SECRET = "admin_password"
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=5)
MAX_PASSWORD_LENGTH = 1_000
MAX_CLIENT_LENGTH = 120


class AccessMethod(Enum):
    """How the facilitator proves who they are."""

    OIDC = "oidc"
    PASSWORD = "password"
    NOT_CONFIGURED = "not_configured"


def access_method(password: str | None, oidc_configured: bool) -> AccessMethod:
    """OIDC when a provider is configured, else the password when one is set, else not configured."""
    if oidc_configured:
        return AccessMethod.OIDC
    if password:
        return AccessMethod.PASSWORD
    return AccessMethod.NOT_CONFIGURED


SETUP_HELP = (
    "The Facilitator page is locked because no facilitator password is set. Set the environment "
    f'variable `{PASSWORD_VARIABLE}` before starting the app, or add `{PASSWORD_SECRET} = "…"` to '
    "`.streamlit/secrets.toml`. To sign in with your organisation's accounts instead, configure an "
    "OpenID Connect provider in the `[auth]` section of the secrets file."
)


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a password attempt: ``ok``, or a sentence that says what to do next."""

    ok: bool
    message: str = ""
    wait: timedelta | None = None


def password_matches(given: str, expected: str) -> bool:
    """Constant-time comparison of the typed password with the configured one."""
    if not expected or len(given) > MAX_PASSWORD_LENGTH:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _recent_failures(engine: Engine, client: str, now: datetime) -> list[datetime]:
    with read_session(engine) as session:
        return list(
            session.scalars(
                select(LoginAttempt.at)
                .where(LoginAttempt.client == client[:MAX_CLIENT_LENGTH], LoginAttempt.at > now - FAILURE_WINDOW)
                .order_by(LoginAttempt.at)
            )
        )


def lockout_remaining(engine: Engine, client: str, now: datetime | None = None) -> timedelta | None:
    """How long ``client`` must still wait, or ``None`` when it may try a password now.

    With failures f1 ≤ … ≤ fn inside the window and n ≥ MAX_FAILURES, the client is unlocked once
    n − MAX_FAILURES + 1 of them have left the window, i.e. at f[n − MAX_FAILURES] + window.
    """
    now = now or utcnow()
    failures = _recent_failures(engine, client, now)
    if len(failures) < MAX_FAILURES:
        return None
    return failures[len(failures) - MAX_FAILURES] + FAILURE_WINDOW - now


def describe_wait(wait: timedelta) -> str:
    """A wait in words, rounded up: "1 minute", "4 minutes", "30 seconds"."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 60:
        return f"{seconds} seconds" if seconds != 1 else "1 second"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes" if minutes != 1 else "1 minute"


def _locked(wait: timedelta) -> SignInResult:
    return SignInResult(
        ok=False,
        message=f"Too many wrong passwords from this device. Try again in {describe_wait(wait)}.",
        wait=wait,
    )


def client_address(peer: str | None, forwarded_for: str | None, proxy_hops: int) -> str:
    """Whose attempts count together: the address the request came from, or, behind ``proxy_hops``
    trusted proxies (load balancers), the address the outermost of them saw.

    Each proxy appends the address it received the request from to ``X-Forwarded-For``, so the entry
    ``proxy_hops`` from the right is the last one a trusted proxy wrote; entries left of it were sent
    by the client and can be forged. With no trusted proxy the header is ignored.
    """
    if proxy_hops > 0 and forwarded_for:
        chain = [part.strip() for part in forwarded_for.split(",") if part.strip()]
        if len(chain) >= proxy_hops:
            return chain[-proxy_hops]
    return peer or "unknown client"


def sign_in(engine: Engine, client: str, given: str, expected: str, now: datetime | None = None) -> SignInResult:
    """Check a password attempt from ``client``, honouring and updating the rate limit.

    A locked client is refused without the password being compared. A wrong password is recorded;
    the right one clears the client's recorded failures.
    """
    now = now or utcnow()
    client = client[:MAX_CLIENT_LENGTH]
    wait = lockout_remaining(engine, client, now)
    if wait is not None:
        return _locked(wait)
    if password_matches(given, expected):
        with write_session(engine) as session:
            session.execute(delete(LoginAttempt).where(LoginAttempt.client == client))
        return SignInResult(ok=True)
    with write_session(engine) as session:
        session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - FAILURE_WINDOW * 12))
        session.add(LoginAttempt(client=client, at=now))
    wait = lockout_remaining(engine, client, now)
    if wait is not None:
        return _locked(wait)
    left = MAX_FAILURES - len(_recent_failures(engine, client, now))
    tries = "1 more try" if left == 1 else f"{left} more tries"
    return SignInResult(ok=False, message=f"That password is not right. {tries} before a short pause.")
