"""The Facilitator page in-process (AppTest): the gate, running workshops, moderation, actions,
presentation mode."""

from __future__ import annotations

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from alignment.auth import MAX_FAILURES
from alignment.store import (
    comments_frame,
    create_workshop,
    find_workshop,
    list_workshops,
    open_database,
    update_workshop,
)
from alignment.store.actions import list_actions
from alignment.ui.facilitator import results_visible
from alignment.ui.presentation import STEPS
from alignment.ui.session import plain

PASSWORD = "correct horse battery"


@pytest.fixture
def facilitator_env(app_env, monkeypatch):
    monkeypatch.setenv("ALIGNMENT_ADMIN_PASSWORD", PASSWORD)
    return app_env


def open_page(query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    return app.switch_page("pages/facilitator.py").run()


def sign_in(app: AppTest, password: str = PASSWORD) -> AppTest:
    field = next(t for t in app.text_input if t.label == "Facilitator password")
    field.input(password)
    return button(app, "Sign in").click().run()


def button(app: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in app.button if b.label == label)


def labels(app: AppTest) -> list[str]:
    return [b.label for b in app.button]


def everything_said(app: AppTest) -> str:
    """All the text a user can read on the page, joined."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning", "error", "success"):
        parts.extend(str(element.value) for element in getattr(app, kind))
    return "\n".join(parts)


def signed_in(query: dict[str, str] | None = None) -> AppTest:
    app = sign_in(open_page(query))
    assert not app.exception, app.exception
    return app


def test_without_a_password_the_page_says_where_the_sign_in_link_is_and_stays_locked(app_env, monkeypatch) -> None:
    monkeypatch.delenv("ALIGNMENT_ADMIN_PASSWORD", raising=False)
    app = open_page()
    assert not app.exception
    assert "Look in the terminal" in app.info[0].value and "ALIGNMENT_ADMIN_PASSWORD" in app.info[0].value
    assert not any(t.label == "Facilitator password" for t in app.text_input)
    assert "Create workshop" not in labels(app) and "Close submissions" not in labels(app)


def test_an_oidc_provider_replaces_the_password_with_a_sign_in_button(facilitator_env) -> None:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "a long random secret",
        "client_id": "facilitators",
        "client_secret": "not-a-real-secret",
        "server_metadata_url": "https://id.example.org/.well-known/openid-configuration",
    }
    app.run()
    app.switch_page("pages/facilitator.py").run()
    assert not app.exception
    assert "Sign in" in labels(app)
    assert not any(t.label == "Facilitator password" for t in app.text_input)
    assert "Close submissions" not in labels(app)


def test_branding_from_settings_appears_on_the_room_screen(facilitator_env, monkeypatch) -> None:
    monkeypatch.setenv("ALIGNMENT_BRAND_NAME", "Contoso Revenue Team")
    monkeypatch.setenv("ALIGNMENT_BRAND_COLOUR", "#AA3377")
    app = signed_in()
    assert "Contoso Revenue Team" in [h.value for h in app.header]
    app = app.toggle(key="presentation_mode").set_value(True).run()
    assert "Contoso Revenue Team" in [h.value for h in app.header]


def test_a_wrong_password_is_refused_and_the_right_one_opens_the_console(facilitator_env) -> None:
    app = sign_in(open_page(), "guess")
    assert "not right" in app.error[0].value
    assert "Close submissions" not in labels(app)
    app = sign_in(app)
    assert not app.error
    assert "Close submissions" in labels(app) and "Sign out" in labels(app)


def test_repeated_wrong_passwords_lock_the_gate_with_the_wait_named(facilitator_env) -> None:
    app = open_page()
    for attempt in range(MAX_FAILURES):
        app = sign_in(app, f"guess {attempt}")
    app = sign_in(app)
    assert "Try again in 5 minutes" in app.error[0].value
    assert "Close submissions" not in labels(app)


def test_create_close_reopen_new_round_and_delete_a_workshop(facilitator_env) -> None:
    app = signed_in()
    app.text_input(key="new-name").input("Spring offsite")
    app.text_input(key="new-organisation").input("Acme")
    app.multiselect(key="new-teams").select("Leadership")
    app.number_input(key="new-k").set_value(5)
    app = button(app, "Create workshop").click().run()
    assert not app.exception
    engine = open_database()
    created = next(w for w in list_workshops(engine) if w.name == "Spring offsite")
    assert (created.organisation, created.teams, created.k) == ("Acme", ("Marketing", "Sales", "Leadership"), 5)
    assert created.code in app.success[0].value
    assert app.selectbox(key="workshop_select").value == created.code  # the one picker, in the sidebar
    assert app.session_state["facilitator_tab"] == "Room screen"  # landed on the new workshop's room screen

    app = button(app, "Close submissions").click().run()
    assert find_workshop(engine, created.code).status == "closed"
    assert "Submissions are closed" in everything_said(app)
    app = button(app, "Reopen submissions").click().run()
    assert find_workshop(engine, created.code).status == "open"
    app = button(app, "Start the new round").click().run()
    assert find_workshop(engine, created.code).current_round == 2
    assert "Round 2 has started" in app.success[0].value

    delete = button(app, "Delete workshop")
    assert delete.disabled
    app.text_input(key=f"delete-confirm-{created.id}").input("WRONG1").run()
    assert button(app, "Delete workshop").disabled
    app.text_input(key=f"delete-confirm-{created.id}").input(created.code.lower()).run()
    app = button(app, "Delete workshop").click().run()
    assert not app.exception
    assert find_workshop(engine, created.code) is None
    assert "deleted" in app.success[0].value


def test_settings_change_the_workshop_and_a_broken_framework_file_is_refused(facilitator_env) -> None:
    engine = open_database()
    mine = create_workshop(engine, "Autumn offsite", teams=["Marketing", "Sales", "Product"], k=4)
    app = sign_in(open_page({"w": mine.code}))

    def field(kind: str, label: str):  # type: ignore[no-untyped-def]
        return next(w for w in getattr(app, kind) if w.label == label)  # the settings form comes first

    assert (field("text_input", "Workshop name").value, field("number_input", "Minimum group size (k)").value) == (
        "Autumn offsite", 4)
    assert field("multiselect", "Other teams taking part").value == ["Product"]
    field("text_input", "Workshop name").input("  Autumn offsite, day 2 ")
    field("number_input", "Minimum group size (k)").set_value(6)
    app = button(app, "Save settings").click().run()
    assert not app.exception and "Settings saved." in [s.value for s in app.success]
    changed = find_workshop(engine, mine.code)
    assert (changed.name, changed.k, changed.teams) == ("Autumn offsite, day 2", 6, ("Marketing", "Sales", "Product"))

    uploader = next(u for u in app.get("file_uploader") if u.label.startswith("Or upload your own framework"))
    uploader.set_value(("broken.yaml", b"id: x\nscale: [1, 2\n", "application/yaml"))
    app = button(app, "Save settings").click().run()
    # line 3 is where the unclosed list meets the end of the file
    assert [e.value for e in app.error] == [
        plain(
            "The framework file cannot be used — broken.yaml, line 3: not valid YAML (expected ',' or ']', "
            "but got '<stream end>')"
        )
    ]
    assert find_workshop(engine, mine.code).framework_path is None


def test_the_k_field_is_fixed_and_says_why_once_results_were_shown(facilitator_env) -> None:
    engine = open_database()
    mine = create_workshop(engine, "Shown offsite", k=4)
    update_workshop(engine, mine.id, results_revealed=True)
    app = sign_in(open_page({"w": mine.code}))
    k_field = next(w for w in app.number_input if w.label == "Minimum group size (k)")
    assert k_field.disabled and k_field.value == 4
    assert "Fixed: results have been shown with k = 4" in k_field.help
    next(w for w in app.text_input if w.label == "Workshop name").input("Shown offsite, renamed")
    app = button(app, "Save settings").click().run()  # the other settings still save
    assert not app.exception and "Settings saved." in [s.value for s in app.success]
    assert (find_workshop(engine, mine.code).name, find_workshop(engine, mine.code).k) == ("Shown offsite, renamed", 4)


def test_an_archived_workshop_can_be_chosen_and_restored(facilitator_env) -> None:
    engine = open_database()
    mine = create_workshop(engine, "Old offsite")
    app = sign_in(open_page({"w": mine.code}))
    app = button(app, "Archive").click().run()
    assert find_workshop(engine, mine.code).status == "archived"
    assert mine.code not in {w.code for w in list_workshops(engine)}  # gone from the participants' picker
    assert "(archived)" in app.selectbox(key="workshop_select").format_func(mine.code)
    app = button(app, "Reopen submissions").click().run()
    assert find_workshop(engine, mine.code).status == "open"


def test_k_below_three_is_refused(facilitator_env) -> None:
    app = signed_in()
    assert app.number_input(key="new-k").min == 3


def comments_on_the_alignment_page(app: AppTest, dimension_id: str) -> str:
    """The comment texts the Alignment page shows when exploring ``dimension_id``."""
    app.switch_page("pages/alignment.py").run()
    app.selectbox(key="drill_dimension").set_value(dimension_id).run()
    assert not app.exception, app.exception
    return "\n".join(everything_said(app).splitlines() + [frame.value.to_csv() for frame in app.dataframe])


def test_hiding_a_comment_removes_it_from_the_alignment_page(facilitator_env) -> None:
    engine = open_database()
    app = signed_in()
    demo = list_workshops(engine)[0]
    first = comments_frame(engine, demo.id, demo.current_round).iloc[0]
    assert first["text"] in comments_on_the_alignment_page(app, first["dimension_id"])

    app.switch_page("pages/facilitator.py").run()
    app = app.button(key=f"comment-{first['comment_id']}").click().run()
    assert not app.exception
    assert first["comment_id"] not in set(comments_frame(engine, demo.id)["comment_id"])
    assert app.button(key=f"comment-{first['comment_id']}").label == "Show"
    assert first["text"] not in comments_on_the_alignment_page(app, first["dimension_id"])

    app.switch_page("pages/facilitator.py").run()
    app = app.button(key=f"comment-{first['comment_id']}").click().run()
    assert first["comment_id"] in set(comments_frame(engine, demo.id)["comment_id"])
    assert first["text"] in comments_on_the_alignment_page(app, first["dimension_id"])


def test_actions_round_trip(facilitator_env) -> None:
    engine = open_database()
    app = signed_in()
    demo = list_workshops(engine)[0]
    before = len(list_actions(engine, demo.id))
    key = f"new-action-{demo.id}"
    app.text_input(key=f"{key}-text").input("Publish the lead definition")
    app.text_input(key=f"{key}-owner").input("Dana")
    app.selectbox(key=f"{key}-dimension").set_value("common_language")
    app = button(app, "Add action").click().run()
    assert not app.exception
    added = next(a for a in list_actions(engine, demo.id) if a.text == "Publish the lead definition")
    assert (added.owner, added.dimension_id, added.round_no) == ("Dana", "common_language", demo.current_round)
    assert "Publish the lead definition" in everything_said(app)

    app.text_input(key=f"edit-action-{added.id}-owner").input("Dana and Lee")
    app = next(b for b in app.button if b.label == "Save" and b.key and str(added.id) in b.key).click().run()
    assert next(a for a in list_actions(engine, demo.id) if a.id == added.id).owner == "Dana and Lee"

    app = app.checkbox(key=f"action-done-{added.id}").check().run()
    assert next(a for a in list_actions(engine, demo.id) if a.id == added.id).status == "done"
    app = app.button(key=f"action-delete-{added.id}").click().run()
    assert len(list_actions(engine, demo.id)) == before
    assert "Publish the lead definition" not in everything_said(app)


def test_an_empty_action_is_refused_with_a_sentence(facilitator_env) -> None:
    app = signed_in()
    demo = list_workshops(open_database())[0]
    app = button(app, "Add action").click().run()
    assert "Say what the action is" in app.error[0].value
    assert len(list_actions(open_database(), demo.id)) == 3


def test_presentation_steps_through_every_insight(facilitator_env) -> None:
    app = signed_in({"present": "1"})
    seen = []
    for _ in STEPS:
        assert not app.exception, app.exception
        seen.append(app.title[0].value)
        assert not app.error
        if app.title[0].value != STEPS[-1]:
            app = button(app, "Next").click().run()
    assert seen == list(STEPS)
    assert button(app, "Next").disabled


def test_unrevealed_results_stay_hidden_in_presentation_until_revealed(facilitator_env) -> None:
    engine = open_database()
    app = signed_in()
    mine = create_workshop(engine, "Quiet room")
    app = open_page({"w": mine.code, "present": "1"})
    app = sign_in(app)
    app = button(app, "Next").click().run()
    assert "hidden until you reveal" in everything_said(app)
    app = button(app, "Reveal results to the room").click().run()
    assert find_workshop(engine, mine.code).results_revealed
    assert "No answers in this round yet" in everything_said(app)


def test_the_presentation_toggle_leaves_and_enters_presentation_mode(facilitator_env) -> None:
    app = signed_in()
    app = app.toggle(key="presentation_mode").set_value(True).run()
    assert app.title[0].value == STEPS[0]
    assert app.query_params.get("present") == ["1"] or app.query_params.get("present") == "1"
    app = app.toggle(key="presentation_mode").set_value(False).run()
    assert app.title[0].value == "Facilitator"


def test_results_are_visible_once_revealed_or_to_the_facilitator() -> None:
    from dataclasses import replace

    from alignment.store.workshops import WorkshopInfo

    hidden = WorkshopInfo(
        id=1, code="BCDFGH", name="W", organisation="", status="open", is_demo=False, k=3, sla_hours=24,
        teams=("Marketing", "Sales"), framework_path=None, current_round=1, results_revealed=False, revision=0,
        created_at=None,  # type: ignore[arg-type]
    )  # fmt: skip
    assert not results_visible(hidden, is_facilitator=False)
    assert results_visible(hidden, is_facilitator=True)
    assert results_visible(replace(hidden, results_revealed=True), is_facilitator=False)


def test_the_join_link_is_the_app_root_with_the_code() -> None:
    from alignment.ui.room import base_of, join_link

    assert base_of("https://align.example.org/facilitator") == "https://align.example.org"
    assert base_of("https://example.org/tools/align/facilitator/") == "https://example.org/tools/align"
    assert base_of("http://127.0.0.1:8501/") == "http://127.0.0.1:8501"
    assert join_link("https://align.example.org/", "BCDFGH") == "https://align.example.org/?w=BCDFGH"


def test_the_join_code_is_drawn_in_two_readable_halves_and_the_qr_is_a_png() -> None:
    from alignment.ui.room import join_code_svg, qr_png, spoken_code

    assert spoken_code("BCDFGH") == "BCD FGH"
    svg = join_code_svg("BCDFGH", "#0072B2")
    assert ">BCD FGH</text>" in svg and 'fill="#0072B2"' in svg
    assert qr_png("https://align.example.org/?w=BCDFGH").startswith(b"\x89PNG")


def test_a_malformed_brand_colour_falls_back_to_the_app_blue(monkeypatch) -> None:
    from alignment.ui.room import DEFAULT_COLOUR, brand

    monkeypatch.setenv("ALIGNMENT_BRAND_COLOUR", '"/><script>')
    assert brand(None).colour == DEFAULT_COLOUR
    monkeypatch.setenv("ALIGNMENT_BRAND_COLOUR", "#aa3377")
    assert brand(None).colour == "#aa3377"


def live_count_script() -> None:
    from alignment.store import list_workshops
    from alignment.ui import room, session

    workshop = list_workshops(session.engine())[0]
    room.live_count(workshop.id, workshop.teams, workshop.current_round)


def test_the_live_count_keeps_its_last_figures_while_the_database_is_away(app_env, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    from alignment.ui import room

    app = AppTest.from_function(live_count_script, default_timeout=60).run()
    assert not app.exception
    before = [h.value for h in [*app.title, *app.header]]
    assert before and before[0].endswith("answered in round 2")  # the demo

    def away(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("SELECT ...", {}, Exception("connection refused"))

    monkeypatch.setattr(room, "participation", away)
    app = app.run()
    assert not app.exception
    assert [h.value for h in [*app.title, *app.header]] == before
    assert "Reconnecting to the database… these are the last figures it gave." in [c.value for c in app.caption]


def flagged_room_script() -> None:
    from alignment.store import find_workshop, list_workshops
    from alignment.store.headcounts import expected_head_counts
    from alignment.ui import room, session

    code = next(w.code for w in list_workshops(session.engine()) if w.name == "Small room")
    workshop = find_workshop(session.engine(), code)
    expected = tuple(expected_head_counts(workshop).items())
    room.live_count(workshop.id, workshop.teams, workshop.current_round, 3, expected)


def test_more_answer_sheets_than_expected_people_are_flagged_on_the_room_screen(facilitator_env) -> None:
    import uuid

    from alignment.framework import load_framework
    from alignment.store.headcounts import set_expected_head_counts
    from alignment.store.responses import join, save_importance, save_step, submit

    AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()  # migrate and seed
    engine, framework = open_database(), load_framework()
    workshop = create_workshop(engine, "Small room")
    set_expected_head_counts(engine, workshop, {"marketing": 1, "sales": 5})
    for _ in range(2):  # two marketing answer sheets, one marketer expected
        token = join(engine, workshop, "marketing").token
        for dimension in framework.dimensions:
            save_step(engine, framework, workshop.id, token, round_no=1, dimension_id=dimension.id,
                      answers={item.id: 3 for item in dimension.items})  # fmt: skip
        save_importance(engine, framework, workshop.id, token, round_no=1, dimension_ids=["common_language"])
        submit(engine, framework, workshop.id, token, round_no=1, submission_id=uuid.uuid4().hex)
    app = AppTest.from_function(flagged_room_script, default_timeout=60).run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        # 2 sheets is below k = 3, so the flag says "more" instead of the count
        "Marketing: more answer sheets than the 1 person expected. Someone may have answered twice."
    ]
    assert "of 5 expected" in [s.value for s in app.subheader]  # sales: 0 of 5, not flagged
