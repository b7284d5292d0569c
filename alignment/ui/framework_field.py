"""The framework field of the workshop forms: one of the framework files in ``data/``, or a YAML file uploaded
here (at most :data:`~alignment.framework.MAX_FRAMEWORK_BYTES`). No page asks for a path on the server: a
path typed into a page would let anyone who can sign in read any file the server can read."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy import Engine

from alignment.framework import (
    DEFAULT_FRAMEWORK_PATH,
    MAX_FRAMEWORK_BYTES,
    UPLOADED_FRAMEWORK_KEY,
    FrameworkError,
    parse_framework_bytes,
    shipped_frameworks,
    workshop_framework,
)
from alignment.store import WorkshopInfo, update_settings

KEEP_UPLOAD = "uploaded"  # the option that keeps the framework uploaded earlier


@dataclass(frozen=True)
class FrameworkChoice:
    """What the field says: the file of ``data/`` to store (``None``: the default, or an upload), the file
    uploaded now (name, bytes), and whether an earlier upload stays."""

    stored: str | None = None
    upload: tuple[str, bytes] | None = None
    keep_upload: bool = False


def framework_field(workshop: WorkshopInfo | None, key: str | None) -> FrameworkChoice:
    """A selector of the frameworks in ``data/`` (and the one uploaded earlier), and an uploader."""
    shipped = shipped_frameworks()
    uploaded = (workshop.settings.get(UPLOADED_FRAMEWORK_KEY) if workshop else None) or {}
    options = list(shipped) + ([KEEP_UPLOAD] if uploaded else [])
    current = KEEP_UPLOAD if uploaded else workshop.framework_path if workshop else None
    labels = {name: f"{title} ({name})" for name, title in shipped.items()}
    labels[KEEP_UPLOAD] = f"Uploaded: {uploaded.get('name', '')}"
    choice = st.selectbox("Framework", options, index=options.index(current) if current in options else 0,
                          format_func=labels.__getitem__, key=key and f"{key}-framework")  # fmt: skip
    file = st.file_uploader(
        f"Or upload your own framework (YAML, up to {MAX_FRAMEWORK_BYTES // 1000} KB)",
        type=["yaml", "yml"],
        max_upload_size=1,
        key=key and f"{key}-framework-upload",
    )
    upload = (file.name, file.getvalue()) if file is not None else None
    stored = None if upload or choice in (KEEP_UPLOAD, DEFAULT_FRAMEWORK_PATH.name) else choice
    return FrameworkChoice(stored, upload, keep_upload=choice == KEEP_UPLOAD and upload is None)


def framework_problem(chosen: FrameworkChoice) -> str | None:
    """One sentence when the chosen or uploaded framework cannot be used, else ``None``."""
    try:
        if chosen.upload:
            parse_framework_bytes(chosen.upload[1], source=chosen.upload[0])
        elif chosen.stored:
            workshop_framework(chosen.stored)
    except FrameworkError as exc:
        return f"The framework file cannot be used — {exc}"
    return None


def keep_framework_upload(engine: Engine, saved: WorkshopInfo, chosen: FrameworkChoice) -> None:
    """Keep an uploaded framework's YAML with the workshop; choosing a file of ``data/`` drops an earlier one."""
    if chosen.upload:
        name, data = chosen.upload
        value: dict[str, str] | None = {"name": name, "text": data.decode("utf-8-sig")}
    elif chosen.keep_upload or not saved.settings.get(UPLOADED_FRAMEWORK_KEY):
        return
    else:
        value = None
    update_settings(engine, saved.id, UPLOADED_FRAMEWORK_KEY, value)
