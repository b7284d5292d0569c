"""Who may join and how often: per browser and per workshop, never per address; expected head counts.

Every store test runs on SQLite and on Postgres (the ``engine`` fixture).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from alignment.store import create_workshop, find_workshop
from alignment.store.headcounts import expected_head_counts, over_expected, set_expected_head_counts
from alignment.store.joins import JOIN_WINDOW, join_wait, valid_browser_id
from alignment.store.models import utcnow
from alignment.store.responses import join


def test_a_third_join_from_one_browser_within_a_minute_must_wait(engine) -> None:
    workshop = create_workshop(engine, "Offsite")
    phone = secrets.token_urlsafe(16)
    assert join_wait(engine, workshop.id, phone) is None
    join(engine, workshop, "sales", browser_id=phone)
    assert join_wait(engine, workshop.id, phone) is None  # "I am someone else" once is fine
    join(engine, workshop, "marketing", browser_id=phone)
    wait = join_wait(engine, workshop.id, phone)
    assert wait is not None and timedelta(seconds=55) < wait <= JOIN_WINDOW


def test_the_wait_ends_when_the_older_join_leaves_the_minute(engine) -> None:
    workshop = create_workshop(engine, "Offsite")
    phone = secrets.token_urlsafe(16)
    join(engine, workshop, "sales", browser_id=phone)
    join(engine, workshop, "sales", browser_id=phone)
    later = utcnow() + JOIN_WINDOW + timedelta(seconds=1)  # both joins are now more than a minute old
    assert join_wait(engine, workshop.id, phone, now=later) is None


def test_sixty_phones_behind_one_venue_address_join_within_a_minute_unslowed(engine) -> None:
    workshop = create_workshop(engine, "Big room")
    for number in range(60):
        phone = secrets.token_urlsafe(16)
        assert join_wait(engine, workshop.id, phone) is None, f"phone {number} was slowed"
        join(engine, workshop, "sales" if number % 2 else "marketing", browser_id=phone)


def test_joins_in_another_workshop_do_not_count(engine) -> None:
    first, second = create_workshop(engine, "Morning"), create_workshop(engine, "Afternoon")
    phone = secrets.token_urlsafe(16)
    join(engine, first, "sales", browser_id=phone)
    join(engine, first, "sales", browser_id=phone)
    assert join_wait(engine, second.id, phone) is None


def test_only_ids_the_app_makes_are_taken_as_browser_ids() -> None:
    assert valid_browser_id("JK2LVAsTvSEnHXBDW6SOcg") == "JK2LVAsTvSEnHXBDW6SOcg"
    assert valid_browser_id("short") is None
    assert valid_browser_id("<script>alert(1)</script>xxxxx") is None
    assert valid_browser_id(None) is None


def test_more_submissions_than_the_expected_head_count_are_flagged(engine) -> None:
    workshop = create_workshop(engine, "Offsite", teams=["Marketing", "Sales", "Product"])
    set_expected_head_counts(engine, workshop, {"marketing": 4, "sales": 6, "product": 0, "elsewhere": 3})
    expected = expected_head_counts(find_workshop(engine, workshop.code))
    assert expected == {"marketing": 4, "sales": 6}  # 0 means "not said"; unknown teams are dropped
    # marketing: 5 sheets > 4 people → flagged; sales: 6 sheets = 6 people → fine; product: no count given
    assert over_expected({"marketing": 5, "sales": 6, "product": 9}, expected) == {"marketing": (5, 4)}
