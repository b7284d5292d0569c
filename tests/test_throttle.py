"""Wrong join codes slow down the browser that types them, with a growing delay and a higher ceiling per
address; a whole room behind one address that gets its codes right is never slowed."""

from __future__ import annotations

from datetime import timedelta

from alignment.store.models import utcnow
from alignment.throttle import (
    Client,
    describe_wait,
    join_wait,
    record_wrong_code,
    wrong_code_wait_message,
)


def test_two_mistyped_codes_cost_nothing_and_a_third_waits_two_seconds(engine) -> None:
    now = utcnow()
    phone = Client("phone", "203.0.113.5")
    record_wrong_code(engine, phone, now)
    record_wrong_code(engine, phone, now)
    assert join_wait(engine, phone, now) is None
    record_wrong_code(engine, phone, now)
    # third failure: the first delay, 2 s × 2^(3 − 2 − 1) = 2 s
    assert join_wait(engine, phone, now) == timedelta(seconds=2)
    assert join_wait(engine, phone, now + timedelta(seconds=2)) is None


def test_the_delay_doubles_with_each_failure_up_to_a_minute(engine) -> None:
    now = utcnow()
    guesser = Client("guesser", "203.0.113.6")
    waits = []
    for attempt in range(10):
        at = now + timedelta(minutes=attempt / 10)
        record_wrong_code(engine, guesser, at)
        wait = join_wait(engine, guesser, at)
        waits.append(wait.total_seconds() if wait else 0)
    # failures 1–2 free; then 2 × 2^(n − 2 − 1) seconds: 2, 4, 8, 16, 32, then capped at 60
    assert waits == [0, 0, 2, 4, 8, 16, 32, 60, 60, 60]


def test_the_wait_is_said_in_one_sentence() -> None:
    assert wrong_code_wait_message(timedelta(seconds=32)) == (
        "Too many codes that match no workshop were tried from here. Try again in 32 seconds."
    )
    assert describe_wait(timedelta(seconds=61)) == "2 minutes"


def test_new_tabs_from_one_address_meet_the_address_ceiling(engine) -> None:
    now = utcnow()
    # 61 tabs each guess once (each tab is within its own free failures); the address allows 60 free
    for tab in range(61):
        record_wrong_code(engine, Client(f"tab-{tab}", "198.51.100.7"), now)
    fresh = Client("tab-new", "198.51.100.7")
    # 61 failures at the address: 5 s × 2^(61 − 60 − 1) = 5 s for everyone there
    assert join_wait(engine, fresh, now) == timedelta(seconds=5)
    assert join_wait(engine, Client("elsewhere", "192.0.2.1"), now) is None


def test_a_room_of_sixty_on_one_address_that_mistypes_once_each_is_never_slowed(engine) -> None:
    now = utcnow()
    for person in range(60):  # 60 people mistype once, within the same minute
        phone = Client(f"phone-{person}", "203.0.113.200")
        record_wrong_code(engine, phone, now + timedelta(seconds=person))
        assert join_wait(engine, phone, now + timedelta(seconds=person)) is None


def test_clients_without_an_address_share_a_higher_ceiling_not_one_bucket(engine) -> None:
    now = utcnow()
    for _ in range(5):
        record_wrong_code(engine, Client("one-guesser", None), now)
    assert join_wait(engine, Client("one-guesser", None), now) is not None
    assert join_wait(engine, Client("someone-else", None), now) is None  # not locked out by the guesser
    for tab in range(121 - 5):
        record_wrong_code(engine, Client(f"tab-{tab}", None), now)
    # 121 failures without an address: 5 s × 2^(121 − 120 − 1) = 5 s for every such client
    assert join_wait(engine, Client("someone-else", None), now) == timedelta(seconds=5)
