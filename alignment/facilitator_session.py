"""A facilitator's sign-in that lasts: a signed, expiring session token, and one-time sign-in links.

Session token: ``<expires>.<nonce>.<signature>``, where ``expires`` is a Unix time,
``nonce`` 16 random bytes (URL-safe base64) and ``signature`` = HMAC-SHA256 over
``"<expires>.<nonce>"`` with a key derived from the installation's server secret and the
facilitator password (so changing the password signs every browser out). The browser keeps it in
a cookie; the server checks the signature and the expiry on every new session. The secret is 32
random bytes made on first use and kept in the database (``app_settings``), so sessions survive
restarts and are valid on every replica. Signing out refuses the token on the server as well (a
``signed_out:`` entry in ``app_settings`` until the token would have expired anyway), so a copy of the
cookie, or one the page had no time to delete, no longer signs anyone in.

One-time sign-in link: on an installation with no password and no OpenID Connect provider, the
server prints a link with a random token (as notebook servers do). Only a SHA-256 hash of the
token is stored; the first visit that presents it consumes it and gets a session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from datetime import timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError

from alignment.store.engine import read_session, write_session
from alignment.store.models import AppSetting

SESSION_LIFETIME = timedelta(hours=12)
LINK_LIFETIME = timedelta(hours=24)
SECRET_KEY = "session_secret"
LINK_KEY = "one_time_sign_in"
SESSION_COOKIE = "alignment_facilitator"
LINK_PARAMETER = "signin"
SIGNED_OUT_PREFIX = "signed_out:"
NOT_CONFIGURED_HELP = (
    "No facilitator password is set, so this app signs facilitators in with a one-time link. "
    "Look in the terminal where `streamlit run app.py` is running: it printed a line starting "
    "“Facilitator sign-in”. Open that link in this browser (it works once; a new one is printed "
    "when it has been used). To use a password instead, set `ALIGNMENT_ADMIN_PASSWORD` or "
    '`admin_password = "…"` in `.streamlit/secrets.toml`, or configure an OpenID Connect provider '
    "under `[auth]` in the secrets file."
)


def server_secret(engine: Engine) -> bytes:
    """The installation's signing secret (32 random bytes), made and stored on first use."""
    with read_session(engine) as session:
        stored = session.scalar(select(AppSetting.value).where(AppSetting.key == SECRET_KEY))
    if stored:
        return bytes.fromhex(stored)
    try:
        with write_session(engine) as session:
            session.add(AppSetting(key=SECRET_KEY, value=secrets.token_hex(32)))
    except IntegrityError:  # another replica made it first: use theirs
        pass
    with read_session(engine) as session:
        return bytes.fromhex(session.scalar(select(AppSetting.value).where(AppSetting.key == SECRET_KEY)))


def _key(secret: bytes, password: str | None) -> bytes:
    return hashlib.sha256(secret + b"\x00" + (password or "").encode("utf-8")).digest()


def _signature(key: bytes, payload: str) -> str:
    digest = hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def issue_session(secret: bytes, password: str | None, now: float | None = None) -> str:
    """A session token valid for :data:`SESSION_LIFETIME` from ``now`` (Unix seconds)."""
    expires = int((now if now is not None else time.time()) + SESSION_LIFETIME.total_seconds())
    payload = f"{expires}.{secrets.token_urlsafe(16)}"
    return f"{payload}.{_signature(_key(secret, password), payload)}"


def session_valid(secret: bytes, password: str | None, token: str | None, now: float | None = None) -> bool:
    """Whether ``token`` was signed with this secret and password and has not expired."""
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[0].isdigit():
        return False
    payload = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_signature(_key(secret, password), payload), parts[2]):
        return False
    return int(parts[0]) > (now if now is not None else time.time())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _signed_out_key(token: str) -> str:
    return SIGNED_OUT_PREFIX + _hash(token)[:40]


def sign_out_token(engine: Engine, token: str | None, now: float | None = None) -> None:
    """Refuse ``token`` from now on, wherever a copy of it is kept; refusals of tokens past their expiry are
    dropped on the way (the expiry refuses those)."""
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[0].isdigit():
        return
    now = now if now is not None else time.time()
    try:
        with write_session(engine) as session:
            kept = session.execute(
                select(AppSetting.key, AppSetting.value).where(AppSetting.key.startswith(SIGNED_OUT_PREFIX))
            )
            expired = [key for key, value in kept if float((value or {}).get("expires", 0)) <= now]
            if expired:
                session.execute(delete(AppSetting).where(AppSetting.key.in_(expired)))
            if session.get(AppSetting, _signed_out_key(token)) is None:
                session.add(AppSetting(key=_signed_out_key(token), value={"expires": int(parts[0])}))
    except IntegrityError:  # the same token signed out twice at once: refused either way
        pass


def signed_out(engine: Engine, token: str | None) -> bool:
    """Whether ``token`` was signed out (see :func:`sign_out_token`)."""
    if not token:
        return False
    with read_session(engine) as session:
        return session.get(AppSetting, _signed_out_key(token)) is not None


def issue_sign_in_link_token(engine: Engine, now: float | None = None) -> str:
    """A fresh one-time sign-in token (any earlier unused one stops working)."""
    token = secrets.token_urlsafe(24)
    expires = (now if now is not None else time.time()) + LINK_LIFETIME.total_seconds()
    with write_session(engine) as session:
        session.execute(delete(AppSetting).where(AppSetting.key == LINK_KEY))
        session.add(AppSetting(key=LINK_KEY, value={"hash": _hash(token), "expires": expires}))
    return token


def pending_sign_in_link(engine: Engine, now: float | None = None) -> bool:
    """Whether an unused, unexpired one-time sign-in token exists."""
    with read_session(engine) as session:
        stored = session.scalar(select(AppSetting.value).where(AppSetting.key == LINK_KEY))
    return bool(stored) and stored["expires"] > (now if now is not None else time.time())


def redeem_sign_in_link(engine: Engine, token: str | None, now: float | None = None) -> bool:
    """Consume the one-time token: True the first time the right, unexpired token is presented."""
    if not token:
        return False
    with write_session(engine) as session:
        stored = session.scalar(select(AppSetting.value).where(AppSetting.key == LINK_KEY))
        if not stored or not hmac.compare_digest(stored["hash"], _hash(token)):
            return False
        deleted = session.execute(delete(AppSetting).where(AppSetting.key == LINK_KEY)).rowcount
    return bool(deleted) and stored["expires"] > (now if now is not None else time.time())
