"""User text is stored clean and shown literally: no links, icons, emoji, markup or reversed text."""

from __future__ import annotations

import pytest

from alignment.store import create_workshop, find_workshop, update_workshop
from alignment.store.actions import add_action
from alignment.store.workshops import MAX_NAME_LENGTH, MAX_TEAM_NAME_LENGTH, MAX_TEAMS
from alignment.text import clean_name, clean_text, markdown_literal

WJ = "\u2060"  # word joiner: invisible, and breaks what Streamlit would turn into links and icons


def test_markdown_characters_are_escaped_so_markup_stays_text() -> None:
    assert markdown_literal("**Q3** | # _x_ [a](b) <b> &amp; `c` ~d~ $e$") == (
        r"\*\*Q3\*\* \| \# \_x\_ \[a\]\(b\) \<b\> \&amp; \`c\` \~d\~ \$e\$"
    )


def test_urls_and_email_addresses_cannot_become_links() -> None:
    # a word joiner after the scheme's colon, between "www" and its dot, and before "@"
    assert markdown_literal("https://a.io") == f"https\\:{WJ}//a\\.io"
    assert markdown_literal("see WWW.a.io") == f"see WWW{WJ}\\.a\\.io"
    assert markdown_literal("bob@a.io") == f"bob{WJ}@a\\.io"


def test_icon_and_emoji_shortcodes_are_broken_apart() -> None:
    assert markdown_literal(":material/home: :smile:") == f"\\:{WJ}material/home\\: \\:{WJ}smile\\:"


def test_ordinary_sentences_get_no_invisible_characters() -> None:
    assert markdown_literal("Line 3: not valid. Call Ann, then Bob.") == r"Line 3\: not valid\. Call Ann, then Bob\."


def test_bidirectional_controls_and_invisible_characters_are_removed() -> None:
    override = "Acme \u202eevil\u202c Ltd"
    assert markdown_literal(override) == "Acme evil Ltd"
    assert clean_text("a\u200bb\u2066c\u2069d\ufeffe\x00f\x1bg") == "abcdefg"
    assert clean_text("line one\nline two") == "line one\nline two"  # comments keep their lines


def test_emoji_sequences_keep_their_joiners() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_text(family) == family
    assert markdown_literal(f"Team {family}") == f"Team {family}"


def test_a_name_becomes_one_line_and_a_long_one_is_refused_in_one_sentence() -> None:
    assert clean_name("  Revenue\n\tteam \u202e offsite  ", "The workshop name", 200) == "Revenue team offsite"
    with pytest.raises(ValueError) as refused:
        clean_name("x" * 41, "A team name", 40)
    assert str(refused.value) == "A team name can be at most 40 characters; this one has 41."


def test_the_store_caps_every_name_with_one_sentence(engine) -> None:
    with pytest.raises(ValueError) as refused:
        create_workshop(engine, "W" * (MAX_NAME_LENGTH + 1))
    assert str(refused.value) == "The workshop name can be at most 200 characters; this one has 201."
    with pytest.raises(ValueError) as refused:
        create_workshop(engine, "Offsite", organisation="O" * 250)
    assert str(refused.value) == "The organisation's name can be at most 200 characters; this one has 250."
    with pytest.raises(ValueError) as refused:
        create_workshop(engine, "Offsite", teams=["Marketing", "Sales", "T" * (MAX_TEAM_NAME_LENGTH + 5)])
    assert str(refused.value) == "A team name can be at most 40 characters; this one has 45."
    with pytest.raises(ValueError) as refused:
        create_workshop(engine, "Offsite", teams=[f"Team {n}" for n in range(MAX_TEAMS + 1)])
    assert str(refused.value) == "A workshop can have at most 12 teams; this one has 13."
    with pytest.raises(ValueError) as refused:
        create_workshop(engine, "Offsite", teams=["Marketing", "Sales", "🔥🔥🔥"])
    assert str(refused.value) == "A team name needs at least one letter or digit."
    workshop = create_workshop(engine, "Offsite")
    with pytest.raises(ValueError) as refused:
        update_workshop(engine, workshop.id, teams=["Marketing", "Sales", "S" * 60])
    assert str(refused.value) == "A team name can be at most 40 characters; this one has 60."
    with pytest.raises(ValueError) as refused:
        update_workshop(engine, workshop.id, name="\u200b \u202e ")
    assert str(refused.value) == "A workshop needs a name."


def test_null_bytes_and_controls_never_reach_the_database(engine) -> None:
    # PostgreSQL refuses NUL in text; the names arrive without it on both backends
    workshop = create_workshop(engine, "Off\x00site\u202e", organisation="Ac\x00me", teams=["Mar\x00keting", "Sales"])
    assert (workshop.name, workshop.organisation, workshop.teams) == ("Offsite", "Acme", ("Marketing", "Sales"))
    action = add_action(engine, workshop.id, "Call\x00 back\u202e", owner="A\u200bnn")
    assert (action.text, action.owner) == ("Call back", "Ann")


def test_a_join_code_with_a_null_byte_or_symbols_is_just_not_found(engine) -> None:
    # PostgreSQL refuses NUL in a query parameter; only letters and digits of a typed code are looked up
    workshop = create_workshop(engine, "Offsite")
    assert find_workshop(engine, "\x00" + workshop.code[:3] + "\u202e-" + workshop.code[3:]).id == workshop.id
    assert find_workshop(engine, "ZZ\x00ZZ") is None
    assert find_workshop(engine, "Z" * 10_000) is None
