"""The whole app in-process (AppTest): every page renders on a fresh database and on the demo."""

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from alignment.framework import UPLOADED_FRAMEWORK_KEY
from alignment.store import create_workshop, delete_workshop, list_workshops, open_database, update_settings
from alignment.ui.session import plain

PAGES = {
    "pages/self_assessment.py": "Sales & marketing alignment",  # no join code yet: the landing
    "pages/pipeline.py": "Pipeline data",
    "pages/alignment.py": "Alignment",
    "pages/facilitator.py": "Facilitator",
}


def run_app(query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    return app.run()


def titles(app: AppTest) -> list[str]:
    return [title.value for title in app.title]


def test_first_start_seeds_the_demo_and_every_page_renders(app_env) -> None:
    app = run_app()
    assert not app.exception and not app.error
    assert titles(app) == ["Sales & marketing alignment"]  # a first-time visitor's landing
    for page, title in PAGES.items():
        app.switch_page(page).run()
        assert not app.exception, f"{page}: {app.exception}"
        assert title in titles(app)
    workshops = list_workshops(open_database())
    assert [w.is_demo for w in workshops] == [True]


def test_every_page_renders_when_the_database_has_no_workshop(app_env) -> None:
    engine = open_database()
    run_app()  # first start seeds the demo; delete it to reach an empty installation
    for workshop in list_workshops(engine):
        delete_workshop(engine, workshop.id)
    app = run_app()
    for page in PAGES:
        app.switch_page(page).run()
        assert not app.exception, f"{page}: {app.exception}"
        assert not app.error


def test_link_code_selects_the_workshop(app_env) -> None:
    engine = open_database()
    run_app()
    mine = create_workshop(engine, "Board offsite")
    app = run_app({"w": mine.code.lower()})
    shown = [str(e.value) for kind in ("title", "subheader", "markdown", "caption") for e in getattr(app, kind)]
    assert any("Board offsite" in text for text in shown)  # the join page names the workshop of the link
    app.switch_page("pages/alignment.py").run()
    assert any("Board offsite" in caption.value for caption in app.caption)


def test_without_a_code_a_visitor_sees_the_demo_and_no_list_of_other_workshops(app_env) -> None:
    engine = open_database()
    run_app()
    other = create_workshop(engine, "Another company's offsite")  # newer than the demo
    app = run_app()
    app.switch_page("pages/alignment.py").run()
    shown = "\n".join(c.value for c in app.caption)
    assert "Demo" in shown and other.code not in shown
    assert "Workshop" not in [s.label for s in app.sidebar.selectbox]  # no picker of every workshop and code



def test_unreachable_database_stops_with_one_sentence(app_env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIGNMENT_DATABASE_URL", "postgresql://nobody:secret@127.0.0.1:9/nowhere")
    app = run_app()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "The database at postgresql+psycopg://nobody:***@127.0.0.1:9/nowhere cannot be reached; "
        "check ALIGNMENT_DATABASE_URL (host, port, user, password)."
    ]


def test_broken_framework_file_stops_the_page_with_the_line(app_env, tmp_path) -> None:
    broken = tmp_path / "our-framework.yaml"
    broken.write_text("id: ours\nname: Ours\nscale: [1, 2\n")
    engine = open_database()
    run_app()
    workshop = create_workshop(engine, "Custom questions")
    update_settings(engine, workshop.id, UPLOADED_FRAMEWORK_KEY, {"name": broken.name, "text": broken.read_text()})
    app = run_app({"w": workshop.code})
    assert not app.exception
    assert len(app.error) == 1 and plain("our-framework.yaml, line 4: not valid YAML") in app.error[0].value


@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_opened_while_the_database_is_away_says_so_and_offers_to_try_again(app_env, monkeypatch, page) -> None:
    from sqlalchemy.exc import OperationalError

    from alignment.ui import session

    run_app()  # the app has started (engine open, demo seeded) before the database goes away
    away = {"yes": True}

    def unreachable(read):  # type: ignore[no-untyped-def]
        def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
            if away["yes"]:
                raise OperationalError("SELECT ...", {}, Exception("connection refused"))
            return read(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(session, "find_workshop", unreachable(session.find_workshop))
    monkeypatch.setattr(session, "list_workshops", unreachable(session.list_workshops))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)  # a new visitor: nothing remembered
    app.run()
    app = app.switch_page(page).run()
    assert not app.exception
    assert [e.value for e in app.error] == [session.CONNECTION_LOST_MESSAGE]

    away["yes"] = False  # back: Try again shows the page
    app = next(b for b in app.button if b.label == "Try again").click().run()
    assert not app.exception and not app.error
    assert PAGES[page] in titles(app)


def test_a_workshop_name_is_shown_as_text_never_as_markdown(app_env) -> None:
    engine = open_database()
    run_app()
    tricky = create_workshop(engine, "Q3 **bold** [click](https://example.com) offsite")
    app = run_app({"w": tricky.code})
    app.switch_page("pages/alignment.py").run()
    header = next(c.value for c in app.caption if tricky.code in c.value)
    assert "\\*\\*bold\\*\\*" in header and "\\[click\\]\\(https" in header  # escaped: shown literally


def test_a_participant_who_opens_alignment_from_the_navigation_stays_in_their_workshop(app_env) -> None:
    engine = open_database()
    run_app()
    mine = create_workshop(engine, "Board offsite")
    app = run_app({"w": mine.code})
    app.query_params.clear()  # the navigation's links carry no ?w=
    app.switch_page("pages/alignment.py").run()
    assert any("Board offsite" in caption.value for caption in app.caption)
    assert app.query_params["w"] == mine.code  # and the link says so again


def test_signing_in_never_switches_the_workshop_on_the_page(app_env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIGNMENT_ADMIN_PASSWORD", "pw")
    engine = open_database()
    run_app()
    newer = create_workshop(engine, "Another offsite")  # a signed-in facilitator's default would be this one
    app = run_app()
    app.switch_page("pages/pipeline.py").run()
    assert "Demo" in "\n".join(c.value for c in app.caption)
    next(t for t in app.text_input if t.label == "Facilitator password").input("pw")
    next(b for b in app.button if b.label == "Sign in").click().run()
    shown = "\n".join(c.value for c in app.caption)
    assert "Demo" in shown and newer.code not in shown  # still the demo the upload was meant for
