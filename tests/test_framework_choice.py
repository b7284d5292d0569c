"""The Facilitator's workshop forms: the framework is chosen from the files in data/ or uploaded as YAML (no
page asks for a path on the server), and names past their caps are refused in one sentence."""

from __future__ import annotations

import pytest
from conftest import TINY_SCALE, TINY_SHARED_DIMENSIONS
from test_facilitator_page import button, facilitator_env, open_page, sign_in  # noqa: F401

from alignment.framework import UPLOADED_FRAMEWORK_KEY, FrameworkError, workshop_framework
from alignment.store import create_workshop, find_workshop, open_database


def test_an_uploaded_framework_is_kept_with_the_workshop_and_no_path_can_be_typed(facilitator_env) -> None:  # noqa: F811
    engine = open_database()
    mine = create_workshop(engine, "Autumn offsite")
    app = sign_in(open_page({"w": mine.code}))
    assert not [t for t in app.text_input if "framework" in t.label.lower()]
    choices = next(s for s in app.selectbox if s.label == "Framework")
    assert choices.options == ["Sales & marketing alignment — core framework (framework.yaml)"]
    uploader = next(u for u in app.get("file_uploader") if u.label.startswith("Or upload your own framework"))
    uploader.set_value(("tiny.yaml", (TINY_SCALE + TINY_SHARED_DIMENSIONS).encode(), "application/yaml"))
    app = button(app, "Save settings").click().run()
    assert not app.exception and "Settings saved." in [s.value for s in app.success]
    saved = find_workshop(engine, mine.code)
    framework = workshop_framework(saved.framework_path, saved.settings.get(UPLOADED_FRAMEWORK_KEY))
    assert (framework.name, [d.id for d in framework.dimensions]) == (
        "Tiny framework",
        ["language", "handoff", "trust"],
    )
    choices = next(s for s in app.selectbox if s.label == "Framework")
    assert choices.value == "uploaded" and "Uploaded: tiny.yaml" in choices.options


def test_an_upload_over_the_size_limit_is_refused_in_one_sentence(facilitator_env) -> None:  # noqa: F811
    engine = open_database()
    mine = create_workshop(engine, "Autumn offsite")
    app = sign_in(open_page({"w": mine.code}))
    uploader = next(u for u in app.get("file_uploader") if u.label.startswith("Or upload your own framework"))
    uploader.set_value(("huge.yaml", b"# " * 150_000, "application/yaml"))  # 300,000 bytes > 256,000
    app = button(app, "Save settings").click().run()
    assert [e.value.replace("\\", "") for e in app.error] == [
        "The framework file cannot be used — huge.yaml: the framework file is larger than 256 KB"
    ]
    assert find_workshop(engine, mine.code).settings.get(UPLOADED_FRAMEWORK_KEY) is None


def test_a_stored_path_outside_data_is_never_read() -> None:
    with pytest.raises(FrameworkError) as refused:
        workshop_framework("/etc/passwd")
    assert str(refused.value) == (
        "passwd: not one of the frameworks in data/; choose one on the Facilitator page or upload it as YAML"
    )


def test_a_path_into_data_still_works_and_one_elsewhere_leaves_the_settings_form_reachable(facilitator_env) -> None:  # noqa: F811
    assert workshop_framework("data/framework.yaml").id == workshop_framework(None).id
    engine = open_database()
    old = create_workshop(engine, "Made by an older version", framework_path="/srv/private/questions.yaml")
    app = sign_in(open_page({"w": old.code}))
    assert not app.exception
    assert any(
        e.value.replace("\\", "") == "The assessment framework cannot be loaded — questions.yaml: not one of the "
        "frameworks in data/; choose one on the Facilitator page or upload it as YAML"
        for e in app.error
    )
    choices = next(s for s in app.selectbox if s.label == "Framework")  # the form to fix it is there
    assert choices.value == "framework.yaml"
    app = button(app, "Save settings").click().run()
    assert find_workshop(engine, old.code).framework_path is None


def test_a_team_name_past_its_cap_is_refused_on_the_form_in_one_sentence(facilitator_env) -> None:  # noqa: F811
    app = sign_in(open_page())
    app.text_input(key="new-name").input("Spring offsite")
    app.multiselect(key="new-teams").set_value(["Customer Success", "T" * 41])
    app = button(app, "Create workshop").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == ["A team name can be at most 40 characters; this one has 41\\."]
