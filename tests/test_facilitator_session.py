"""A facilitator's sign-in that lasts: signed, expiring session tokens and one-time sign-in links."""

from __future__ import annotations

import time

from alignment.facilitator_session import (
    SESSION_LIFETIME,
    issue_session,
    issue_sign_in_link_token,
    pending_sign_in_link,
    redeem_sign_in_link,
    server_secret,
    session_valid,
    sign_out_token,
    signed_out,
)

SECRET = bytes(range(32))


def test_a_session_token_is_valid_until_it_expires() -> None:
    now = 1_800_000_000.0
    token = issue_session(SECRET, "pw", now=now)
    assert session_valid(SECRET, "pw", token, now=now + 60)
    assert not session_valid(SECRET, "pw", token, now=now + SESSION_LIFETIME.total_seconds() + 1)


def test_a_tampered_token_or_another_secret_or_password_is_refused() -> None:
    token = issue_session(SECRET, "pw")
    expires, nonce, signature = token.split(".")
    later = str(int(expires) + 86_400)  # someone extends their own session
    assert not session_valid(SECRET, "pw", f"{later}.{nonce}.{signature}")
    assert not session_valid(bytes(32), "pw", token)
    assert not session_valid(SECRET, "a new password", token)  # changing the password signs everyone out
    assert not session_valid(SECRET, "pw", None)
    assert not session_valid(SECRET, "pw", "garbage")


def test_the_server_secret_is_made_once_and_kept(sqlite_engine) -> None:
    first = server_secret(sqlite_engine)
    assert len(first) == 32 and server_secret(sqlite_engine) == first


def test_a_sign_in_link_works_once(sqlite_engine) -> None:
    token = issue_sign_in_link_token(sqlite_engine)
    assert pending_sign_in_link(sqlite_engine)
    assert not redeem_sign_in_link(sqlite_engine, token + "x")
    assert redeem_sign_in_link(sqlite_engine, token)
    assert not redeem_sign_in_link(sqlite_engine, token)
    assert not pending_sign_in_link(sqlite_engine)


def test_a_new_link_replaces_the_old_one_and_links_expire(sqlite_engine) -> None:
    old = issue_sign_in_link_token(sqlite_engine)
    new = issue_sign_in_link_token(sqlite_engine)
    assert not redeem_sign_in_link(sqlite_engine, old)
    expired = issue_sign_in_link_token(sqlite_engine, now=time.time() - 2 * 86_400)
    assert not redeem_sign_in_link(sqlite_engine, expired)
    assert not redeem_sign_in_link(sqlite_engine, new)


def test_a_signed_out_token_is_refused_everywhere_and_others_are_not(engine) -> None:
    laptop, phone = issue_session(SECRET, "pw"), issue_session(SECRET, "pw")
    sign_out_token(engine, laptop)
    assert signed_out(engine, laptop)  # a copy of the laptop's cookie no longer signs anyone in
    assert not signed_out(engine, phone)  # the phone's own sign-in is untouched
    sign_out_token(engine, laptop)  # signing out twice changes nothing
    assert signed_out(engine, laptop)
    sign_out_token(engine, "garbage")  # a cookie that is no token is ignored
    assert not signed_out(engine, "garbage") and not signed_out(engine, None)


def test_refusals_are_dropped_once_their_tokens_have_expired(engine) -> None:
    now = 1_800_000_000.0
    old = issue_session(SECRET, "pw", now=now - 2 * SESSION_LIFETIME.total_seconds())  # expired an hour-plus ago
    sign_out_token(engine, old, now=now - 2 * SESSION_LIFETIME.total_seconds())
    assert signed_out(engine, old)
    fresh = issue_session(SECRET, "pw", now=now)
    sign_out_token(engine, fresh, now=now)  # the next sign-out tidies up refusals nobody needs
    assert not signed_out(engine, old) and signed_out(engine, fresh)
