"""The SQLite file deleted while a participant answers: the next save is refused with one sentence (not
"try again", and not a silent save into a file that no longer exists)."""

from __future__ import annotations

import os

from test_self_assessment_page import answer_step, engine, open_page, press, start, workshop  # noqa: F401

from alignment.ui.session import plain


def test_answers_are_refused_with_one_sentence_once_the_database_file_is_deleted(engine, workshop) -> None:  # noqa: F811
    app = start(open_page(w=workshop.code))
    app = answer_step(app, "5")  # saved while the file is there
    assert not app.error
    path = engine.url.database
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    app = answer_step(app, "4")
    assert not app.exception
    assert [e.value for e in app.error] == [
        plain(
            f"The database at {path} was deleted or replaced while the app was running, so nothing more can be "
            "saved; restore it from a backup and restart the app."
        )
    ]
    assert press(app, "Next").error  # pressing again does not pretend to save either
