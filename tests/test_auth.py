"""The facilitator's password: constant-time check, never open, and rate-limited across replicas."""

from datetime import timedelta

from alignment.auth import (
    FAILURE_WINDOW,
    MAX_FAILURES,
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_UNKNOWN_ADDRESSES,
    AccessMethod,
    access_method,
    client_address,
    describe_wait,
    lockout_remaining,
    password_matches,
    sign_in,
)
from alignment.store import open_database
from alignment.store.models import utcnow
from alignment.throttle import Client


def test_no_password_and_no_provider_means_not_configured_never_open() -> None:
    assert access_method(None, oidc_configured=False) is AccessMethod.NOT_CONFIGURED
    assert access_method("", oidc_configured=False) is AccessMethod.NOT_CONFIGURED
    assert access_method("s3cret", oidc_configured=False) is AccessMethod.PASSWORD
    assert access_method("s3cret", oidc_configured=True) is AccessMethod.OIDC


def test_password_must_match_exactly() -> None:
    assert password_matches("correct horse", "correct horse")
    assert not password_matches("Correct horse", "correct horse")
    assert not password_matches("", "correct horse")
    assert not password_matches("anything", "")
    assert password_matches("pässwörd", "pässwörd")


def test_right_password_signs_in(engine) -> None:
    assert sign_in(engine, "10.0.0.1", "letmein", "letmein").ok


def test_wrong_password_says_how_many_tries_are_left(engine) -> None:
    result = sign_in(engine, "10.0.0.1", "guess", "letmein")
    assert not result.ok
    assert f"{MAX_FAILURES - 1} more tries" in result.message


def test_too_many_wrong_passwords_lock_the_client_even_with_the_right_one(engine) -> None:
    now = utcnow()
    for attempt in range(MAX_FAILURES):
        result = sign_in(engine, "10.0.0.1", f"guess{attempt}", "letmein", now=now + timedelta(seconds=attempt))
    assert not result.ok and "Try again in 5 minutes" in result.message
    locked = sign_in(engine, "10.0.0.1", "letmein", "letmein", now=now + timedelta(seconds=10))
    assert not locked.ok and locked.wait is not None
    assert sign_in(engine, "10.0.0.2", "letmein", "letmein", now=now + timedelta(seconds=10)).ok


def test_lock_lifts_when_the_oldest_failure_leaves_the_window(engine) -> None:
    now = utcnow()
    for attempt in range(MAX_FAILURES):
        sign_in(engine, "phone", "nope", "letmein", now=now + timedelta(minutes=attempt / 2))
    assert lockout_remaining(engine, "phone", now + timedelta(minutes=3)) == FAILURE_WINDOW - timedelta(minutes=3)
    later = now + FAILURE_WINDOW + timedelta(seconds=1)
    assert lockout_remaining(engine, "phone", later) is None
    assert sign_in(engine, "phone", "letmein", "letmein", now=later).ok


def test_success_forgets_earlier_failures(engine) -> None:
    now = utcnow()
    for _ in range(MAX_FAILURES - 1):
        sign_in(engine, "laptop", "nope", "letmein", now=now)
    assert sign_in(engine, "laptop", "letmein", "letmein", now=now).ok
    assert "4 more tries" in sign_in(engine, "laptop", "nope", "letmein", now=now).message


def test_the_limit_holds_across_replicas_sharing_a_database(sqlite_url) -> None:
    first, second = open_database(sqlite_url), open_database(sqlite_url)
    now = utcnow()
    for attempt in range(MAX_FAILURES):
        replica = first if attempt % 2 else second
        sign_in(replica, "10.0.0.9", "nope", "letmein", now=now)
    assert not sign_in(first, "10.0.0.9", "letmein", "letmein", now=now).ok
    assert not sign_in(second, "10.0.0.9", "letmein", "letmein", now=now).ok
    first.dispose()
    second.dispose()


def test_waits_are_named_in_rounded_up_words() -> None:
    assert describe_wait(timedelta(seconds=0.2)) == "1 second"
    assert describe_wait(timedelta(seconds=42)) == "42 seconds"
    assert describe_wait(timedelta(seconds=61)) == "2 minutes"
    assert describe_wait(timedelta(minutes=1)) == "1 minute"


def test_behind_trusted_proxies_each_browser_is_limited_on_its_own(engine) -> None:
    # Behind one load balancer: the address it saw; anything the client put before it is ignored.
    assert client_address("10.0.0.5", "1.2.3.4, 203.0.113.9", proxy_hops=1) == "203.0.113.9"
    assert client_address("10.0.0.5", "203.0.113.9, 10.0.0.7", proxy_hops=2) == "203.0.113.9"
    assert client_address("10.0.0.5", None, proxy_hops=1) == "10.0.0.5"

    attacker = Client("tab-a", client_address("10.0.0.5", "198.51.100.66", proxy_hops=1))
    facilitator = Client("tab-f", client_address("10.0.0.5", "203.0.113.9", proxy_hops=1))
    for _ in range(MAX_FAILURES):
        sign_in(engine, attacker, "guess", "right")
    assert not sign_in(engine, attacker, "right", "right").ok
    assert sign_in(engine, facilitator, "right", "right").ok  # one browser's guesses do not lock out the other


def test_without_a_trusted_proxy_forwarded_for_is_never_believed_even_from_loopback(engine) -> None:
    # The web server takes the address from X-Forwarded-For for same-host connections, so with the
    # header present and no trusted proxy, the address is unknown rather than the client's choice.
    assert client_address("203.0.113.9", "203.0.113.9", proxy_hops=0) is None
    assert client_address(None, "198.51.100.1", proxy_hops=0) is None
    assert client_address("10.0.0.5", None, proxy_hops=0) == "10.0.0.5"
    assert client_address(None, None, proxy_hops=0) is None

    now = utcnow()
    for attempt in range(MAX_FAILURES):  # the same browser invents a new header value each time
        forged = client_address(None, f"198.51.100.{attempt}", proxy_hops=0)
        sign_in(engine, Client("attacker-tab", forged), "guess", "right", now=now)
    refused = sign_in(engine, Client("attacker-tab", client_address(None, "198.51.100.99", 0)), "right", "right",
                      now=now)  # fmt: skip
    assert not refused.ok
    assert refused.message == "Too many wrong passwords from this device. Try again in 5 minutes."


def test_clients_without_an_address_are_limited_per_browser_so_one_cannot_lock_out_everyone(engine) -> None:
    now = utcnow()
    for _ in range(MAX_FAILURES):
        sign_in(engine, Client("guesser", None), "guess", "right", now=now)
    assert not sign_in(engine, Client("guesser", None), "right", "right", now=now).ok
    assert sign_in(engine, Client("facilitator", None), "right", "right", now=now).ok


def test_all_unknown_addresses_together_reach_a_higher_ceiling(engine) -> None:
    now = utcnow()
    # 30 failures from 6 browsers of 5 each: every browser is at its own limit, and together at the ceiling.
    for tab in range(MAX_FAILURES_UNKNOWN_ADDRESSES // MAX_FAILURES):
        for _ in range(MAX_FAILURES):
            sign_in(engine, Client(f"tab-{tab}", None), "guess", "right", now=now)
    refused = sign_in(engine, Client("someone-new", None), "right", "right", now=now)
    assert refused.message == "Too many wrong passwords were tried just now. Try again in 5 minutes."
    assert sign_in(engine, Client("with-address", "192.0.2.10"), "right", "right", now=now).ok


def test_one_address_has_a_ceiling_above_one_browser(engine) -> None:
    now = utcnow()
    for tab in range(MAX_FAILURES_PER_ADDRESS // MAX_FAILURES):  # 4 tabs × 5 = 20 failures from one address
        for _ in range(MAX_FAILURES):
            sign_in(engine, Client(f"tab-{tab}", "192.0.2.7"), "guess", "right", now=now)
    refused = sign_in(engine, Client("fresh-tab", "192.0.2.7"), "right", "right", now=now)
    assert refused.message == "Too many wrong passwords from this network. Try again in 5 minutes."
