"""Who may open the Facilitator page: a shared password, or an OpenID Connect sign-in.

The password comes from ``ALIGNMENT_ADMIN_PASSWORD`` (or ``admin_password`` in Streamlit secrets);
the UI layer reads it and passes it in, so nothing here touches streamlit. Without a password and
without an OIDC provider the page stays locked: it never runs open.

Wrong passwords are rate-limited per browser session and, with a higher ceiling, per address (or,
for clients whose address is not known, all of them together; see :mod:`alignment.throttle`):
after the limit's number of failures within :data:`FAILURE_WINDOW` the client must wait until the
oldest of them is older than the window. Failures live in the ``login_attempts`` table, so the
limits hold across replicas that share a database.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import Engine

from alignment.store.models import utcnow
from alignment.throttle import Client, clear_failures, describe_wait, failures_since, record_failure

PASSWORD_VARIABLE = "ALIGNMENT_ADMIN_PASSWORD"
PROXY_HOPS_VARIABLE = "ALIGNMENT_PROXY_HOPS"
PASSWORD_SECRET = "admin_password"
MAX_FAILURES = 5  # per browser within FAILURE_WINDOW
MAX_FAILURES_PER_ADDRESS = 20  # per address: four browsers' worth, never a room's (a room does not guess)
MAX_FAILURES_UNKNOWN_ADDRESSES = 30  # shared by every client whose address is not known
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


def _lockout(engine: Engine, key: str, limit: int, now: datetime) -> timedelta | None:
    """With failures f1 ≤ … ≤ fn inside the window and n ≥ ``limit``, ``key`` is unlocked once
    n − limit + 1 of them have left the window, i.e. at f[n − limit] + window."""
    failures = failures_since(engine, key, now - FAILURE_WINDOW)
    if len(failures) < limit:
        return None
    return failures[len(failures) - limit] + FAILURE_WINDOW - now


def lockout_remaining(engine: Engine, client: str, now: datetime | None = None) -> timedelta | None:
    """How long the single key ``client`` must still wait (:data:`MAX_FAILURES` per window), or ``None``."""
    return _lockout(engine, client[:MAX_CLIENT_LENGTH], MAX_FAILURES, now or utcnow())


def _buckets(client: Client | str) -> list[tuple[str, int, str]]:
    """(key, limit, who) for each count a failure goes into: the browser, and its address or the shared
    unknown-address count; a plain string is one key with the browser's limit (used by tests and tools)."""
    if isinstance(client, str):
        return [(client[:MAX_CLIENT_LENGTH], MAX_FAILURES, "this device")]
    browser, address = client.keys("password")
    if client.address:
        return [(browser, MAX_FAILURES, "this device"), (address, MAX_FAILURES_PER_ADDRESS, "this network")]
    return [(browser, MAX_FAILURES, "this device"), (address, MAX_FAILURES_UNKNOWN_ADDRESSES, "unknown addresses")]


def _locked(wait: timedelta, who: str) -> SignInResult:
    if who == "unknown addresses":
        said = "Too many wrong passwords were tried just now"
    else:
        said = f"Too many wrong passwords from {who}"
    return SignInResult(ok=False, message=f"{said}. Try again in {describe_wait(wait)}.", wait=wait)


def _first_lock(engine: Engine, buckets: list[tuple[str, int, str]], now: datetime) -> SignInResult | None:
    for key, limit, who in buckets:
        wait = _lockout(engine, key, limit, now)
        if wait is not None:
            return _locked(wait, who)
    return None


def client_address(peer: str | None, forwarded_for: str | None, proxy_hops: int) -> str | None:
    """The client's address as far as it can be trusted, or ``None`` when it is not known.

    Behind ``proxy_hops`` trusted proxies (load balancers), each appends the address it received the
    request from to ``X-Forwarded-For``, so the entry ``proxy_hops`` from the right is the last one a
    trusted proxy wrote; entries left of it were sent by the client and can be forged.

    With no trusted proxy (``proxy_hops`` 0) the header is never used, and a request that carries it
    has no known address: Streamlit's web server (uvicorn) replaces the connecting address with the
    header's last entry when the connection comes from the same host (a tunnel or proxy there), so
    ``peer`` may itself have been written by the client. Streamlit reports same-host connections
    without an address (``peer`` is ``None``) too.
    """
    if proxy_hops > 0:
        chain = [part.strip() for part in (forwarded_for or "").split(",") if part.strip()]
        if len(chain) >= proxy_hops:
            return chain[-proxy_hops]
        return None if forwarded_for else peer
    if forwarded_for is not None:
        return None
    return peer


def sign_in(
    engine: Engine, client: Client | str, given: str, expected: str, now: datetime | None = None
) -> SignInResult:
    """Check a password attempt from ``client``, honouring and updating the rate limits.

    A wrong password counts against the browser (:data:`MAX_FAILURES` per window) and against its
    address (:data:`MAX_FAILURES_PER_ADDRESS`) or, when the address is unknown, against all unknown
    addresses together (:data:`MAX_FAILURES_UNKNOWN_ADDRESSES`). A client over any limit is refused
    without the password being compared. The right password clears the browser's failures.
    """
    now = now or utcnow()
    buckets = _buckets(client)
    locked = _first_lock(engine, buckets, now)
    if locked is not None:
        return locked
    if password_matches(given, expected):
        clear_failures(engine, buckets[0][0])
        return SignInResult(ok=True)
    record_failure(engine, [key for key, _, _ in buckets], now)
    locked = _first_lock(engine, buckets, now)
    if locked is not None:
        return locked
    key, limit, _ = buckets[0]
    left = limit - len(failures_since(engine, key, now - FAILURE_WINDOW))
    tries = "1 more try" if left == 1 else f"{left} more tries"
    return SignInResult(ok=False, message=f"That password is not right. {tries} before a short pause.")
