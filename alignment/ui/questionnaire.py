"""Widgets of the self-assessment: the join field, the start form, one form per step, the review.

Each form returns what the participant did (:class:`StepAction`); the page decides what to store
and where to go. Every text shown here is plain text or Streamlit Markdown: nothing is rendered as
HTML, and text typed by participants is only ever put back into text fields.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import streamlit as st
from sqlalchemy.exc import OperationalError
from streamlit.delta_generator import DeltaGenerator

from alignment.framework import Dimension, Framework
from alignment.questionnaire import (
    COMMENT_MAX_CHARS,
    LEVELS,
    MAX_IMPORTANCE_PICKS,
    AnswerRefused,
    Draft,
    Step,
    clamp_step,
    dimension_summary,
    steps,
)
from alignment.store.engine import DatabaseGone, DatabaseUnavailable
from alignment.store.responses import REVEALED_MESSAGE, RoundChanged, UnknownParticipant, WorkshopClosed
from alignment.store.workshops import WorkshopInfo
from alignment.ui.session import plain

READING_WIDTH = 680
DONT_KNOW_OPTION = "?"
RATING_OPTIONS = ("1", "2", "3", "4", "5", DONT_KNOW_OPTION)
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
NOTICE_KEY = "questionnaire-notice"
ROUND_KEY = "questionnaire-round"
T = TypeVar("T")


@dataclass(frozen=True)
class StepAction:
    """What the participant pressed (``next``, ``back`` or ``None``) and the values in the form."""

    move: str | None
    answers: dict[str, int | None] = field(default_factory=dict)
    comment: str = ""
    picks: tuple[str, ...] = ()


def reading_column() -> DeltaGenerator:
    """A centred column of readable width: the full screen on a phone, ~680 px on a desktop."""
    return st.container(horizontal_alignment="center").container(width=READING_WIDTH)


def heading(workshop: WorkshopInfo, big: bool) -> None:
    """The page title and workshop on the join and start screens; nothing while answering (phones are short)."""
    if big:
        st.title("Self-assessment")
        st.caption(plain(workshop.name))


def join_code_form(typed: str = "") -> str | None:
    """The single field that asks for the join code; returns the code when the participant presses Join."""
    with st.form("join-code"):
        code = st.text_input(
            "Join code",
            value=typed,
            max_chars=20,
            placeholder="For example K7M 2QX",
        )
        st.caption("The six letters and digits your facilitator shows on the screen. Case and spaces don't matter.")
        pressed = st.form_submit_button("Join", type="primary", width="stretch")
    return code if pressed else None


def unknown_code(code: str) -> None:
    """Say that no workshop has this code (the field above keeps what was typed).

    Only letters, digits and spaces of what was typed are repeated, so typed text never becomes Markdown.
    """
    shown = re.sub(r"[^0-9A-Za-z ]", "", code).strip()[:20]
    st.error(
        f"No workshop has the code “{shown}”. Check the code on the screen and try again.",
        icon=":material/search_off:",
    )


def closed(submitted: bool, revealed: bool = False) -> None:
    """Why answers are no longer taken: the workshop is closed, or this round's results have been shown."""
    received = " Your answers were received." if submitted else ""
    if revealed:
        st.info(f"{REVEALED_MESSAGE}{received}", icon=":material/lock:")
        return
    st.info(
        f"This workshop is closed for answers.{received} Your facilitator will share the results.",
        icon=":material/lock:",
    )


def anonymity_promise(workshop: WorkshopInfo) -> None:
    st.caption(
        f":material/lock: Anonymous: no name is asked, and results are shown only for groups of at least "
        f"{workshop.k} people."
    )


def start_form(workshop: WorkshopInfo, framework: Framework, team: str | None, level: str | None) -> StepAction:
    """Team (required) and level (optional). ``picks`` carries ``(team, level or "")`` on Start."""
    st.write(f"About 10 minutes: {len(framework.dimensions)} short topics, then what matters most, then a review.")
    with st.form("start"):
        chosen_team = st.pills(
            "Your team",
            workshop.team_ids,
            format_func=lambda team: plain(workshop.team_name(team)),
            default=team if team in workshop.team_ids else None,
            key=f"team:{workshop.id}",
        )
        chosen_level = st.pills(
            "Your level (optional)",
            list(LEVELS),
            format_func=LEVELS.__getitem__,
            default=level,
            key=f"level:{workshop.id}",
        )
        anonymity_promise(workshop)
        pressed = st.form_submit_button("Start", type="primary", width="stretch")
    if not pressed:
        return StepAction(None)
    return StepAction("next", picks=(chosen_team or "", chosen_level or ""))


def progress(step: Step) -> None:
    st.progress(step.number / step.total, text=step.progress)


def _to_option(value: int | None) -> str:
    return DONT_KNOW_OPTION if value is None else str(value)


def dimension_values(round_no: int, dimension: Dimension) -> tuple[dict[str, int | None], str]:
    """What the step's widgets hold now: ``({item id: 1–5 or None}, comment)``; untapped items are left out."""
    answers: dict[str, int | None] = {}
    for item in dimension.items:
        value = st.session_state.get(f"rating:{round_no}:{item.id}")
        if value:
            answers[item.id] = None if value == DONT_KNOW_OPTION else int(value)
    return answers, st.session_state.get(f"comment:{round_no}:{dimension.id}") or ""


def dimension_form(framework: Framework, step: Step, draft: Draft, keep: Callable[[], None]) -> StepAction:
    """One dimension: its items rated 1–5 or "Don't know", an optional comment, Back and Next.

    Every tap calls ``keep`` (which stores the step as it is), so a rating is never lost on reload.
    """
    dimension = step.dimension
    assert dimension is not None
    low, high = framework.scale[0], framework.scale[-1]
    st.subheader(dimension.name)
    if dimension.description:
        st.write(dimension.description)
    st.caption(f"1 = {low.label.lower()} · 5 = {high.label.lower()} · {framework.dont_know_label} is fine too.")
    for item in dimension.items:
        st.segmented_control(
            item.text,
            RATING_OPTIONS,
            format_func=lambda option: framework.dont_know_label if option == DONT_KNOW_OPTION else option,
            default=_to_option(draft.answers[item.id]) if item.id in draft.answers else None,
            key=f"rating:{draft.round_no}:{item.id}",
            width="stretch",
            on_change=keep,
        )
    st.text_area(
        "Comment (optional, seen only by the facilitator)",
        value=draft.comments.get(dimension.id, ""),
        max_chars=COMMENT_MAX_CHARS,
        height=90,
        key=f"comment:{draft.round_no}:{dimension.id}",
        placeholder=f"An example, a suggestion, what would help (up to {COMMENT_MAX_CHARS} characters)",
        on_change=keep,
    )
    move = _back_next()
    answers, comment = dimension_values(draft.round_no, dimension)
    return StepAction(move, answers=answers, comment=comment)


def importance_picks(framework: Framework, draft: Draft) -> tuple[str, ...]:
    """The topics ticked now (the stored picks until the participant taps)."""
    return tuple(
        dim.id
        for dim in framework.dimensions
        if st.session_state.get(f"importance:{draft.round_no}:{dim.id}", dim.id in draft.importance)
    )


def importance_form(framework: Framework, draft: Draft, keep: Callable[[], None]) -> StepAction:
    """Which dimensions matter most for hitting the revenue number: up to three ticks, a fourth cannot be ticked."""
    st.subheader("What matters most?")
    st.write(
        "Which topics matter most for hitting our revenue number? "
        f"Pick up to {NUMBER_WORDS.get(MAX_IMPORTANCE_PICKS, MAX_IMPORTANCE_PICKS)}."
    )
    picked = importance_picks(framework, draft)
    full = len(picked) >= MAX_IMPORTANCE_PICKS
    with st.container(key="importance-topics", gap="small"):
        for dim in framework.dimensions:
            st.checkbox(
                dim.name,
                value=dim.id in draft.importance,
                key=f"importance:{draft.round_no}:{dim.id}",
                disabled=full and dim.id not in picked,
                on_change=keep,
            )
    left = MAX_IMPORTANCE_PICKS - len(picked)
    st.caption(
        f"{len(picked)} of {MAX_IMPORTANCE_PICKS} picked. "
        + ("Untick one to pick another." if full else f"You can pick {left} more.")
    )
    move = _back_next()
    return StepAction(move, picks=importance_picks(framework, draft))


def _back_next() -> str | None:
    """Back and Next, kept in view at the bottom of the phone's screen."""
    with st.container(horizontal=True, horizontal_alignment="distribute", key="step-actions"):
        back = st.button("Back", icon=":material/arrow_back:", key="step-back")
        forward = st.button("Next", type="primary", icon=":material/arrow_forward:", key="step-next")
    return "next" if forward else "back" if back else None


def review(framework: Framework, draft: Draft) -> tuple[str | None, int | None]:
    """Every dimension with what was answered, an Edit button each, and Submit.

    Returns ``("submit", None)``, ``("back", None)``, ``("edit", step index)`` or ``(None, None)``.
    """
    st.subheader("Check and submit")
    st.write("Tap Edit to change a topic. Nothing is counted until you submit.")
    choice: tuple[str | None, int | None] = (None, None)
    with st.container(border=True):
        for index, dimension in enumerate(framework.dimensions, start=1):
            row = st.container(horizontal=True, vertical_alignment="center")
            with row:
                with st.container(gap=None):
                    st.markdown(f"**{dimension.name}**")
                    st.caption(dimension_summary(dimension, draft.answers))
                if st.button("Edit", key=f"edit:{dimension.id}", type="tertiary", icon=":material/edit:"):
                    choice = ("edit", index)
    names = {dim.id: dim.name for dim in framework.dimensions}
    picked = ", ".join(names[pick] for pick in draft.importance if pick in names) or "none picked yet"
    with st.container(border=True, horizontal=True, vertical_alignment="center"):
        with st.container(gap=None):
            st.markdown("**Most important for the number**")
            st.caption(picked)
        if st.button("Edit", key="edit:importance", type="tertiary", icon=":material/edit:"):
            choice = ("edit", len(framework.dimensions) + 1)
    with st.container(horizontal=True, horizontal_alignment="distribute", key="step-actions"):
        if st.button("Back", icon=":material/arrow_back:"):
            choice = ("back", None)
        label = "Save my changes" if draft.submitted else "Submit my answers"
        if st.button(label, type="primary", icon=":material/send:", key="submit"):
            choice = ("submit", None)
    return choice


def thanks(answered: int, can_edit: bool) -> bool:
    """The thank-you screen; returns True when the participant asks to change their answers."""
    st.subheader("Thank you! Your answers are in.")
    people = "person has" if answered == 1 else "people have"
    st.success(f"{answered} {people} answered so far.", icon=":material/how_to_reg:")
    st.write("The facilitator will share the results with the room. Only group results are shown.")
    if not can_edit:
        return False
    st.caption(
        "You can change your answers until the facilitator closes the round. This browser remembers you: "
        "scanning the code again brings you back here."
    )
    return st.button("Change my answers", icon=":material/edit:", type="primary")


def team_summary(workshop: WorkshopInfo, draft: Draft) -> None:
    level = f" · {LEVELS[draft.level]}" if draft.level in LEVELS else ""
    st.caption(plain(f"{workshop.name} · {workshop.team_name(draft.team)}{level} · round {draft.round_no}"))


# ---------------------------------------------------------------- where the participant is


def _step_key(token: str, round_no: int) -> str:
    return f"questionnaire-step:{token}:{round_no}"


def current_step(framework: Framework, token: str, draft: Draft) -> Step:
    """The step to show: where this session last was, else where the stored draft got to."""
    all_steps = steps(framework)
    index = st.session_state.get(_step_key(token, draft.round_no))
    if index is None:
        index = all_steps[-1].index if draft.submitted else clamp_step(framework, draft.step).index
    return all_steps[min(max(index, 0), len(all_steps) - 1)]


def go_to(token: str, round_no: int, index: int) -> None:
    """Show step ``index`` next (and rerun)."""
    st.session_state[_step_key(token, round_no)] = index
    st.rerun()


def submission_id(token: str, round_no: int) -> str:
    """This session's id for the next submit: stable across double clicks and retries until it succeeds."""
    return st.session_state.setdefault(f"submission-id:{token}:{round_no}", uuid.uuid4().hex)


def forget_submission_id(token: str, round_no: int) -> None:
    st.session_state.pop(f"submission-id:{token}:{round_no}", None)


RETRY_MESSAGE = (
    "Your answers could not be saved just now: the connection to our database dropped for a moment. "
    "Everything you entered is still here — please tap the button again."
)


def keep_quietly(action: Callable[[], object]) -> None:
    """Store a tap as it happens (a widget callback); a refusal or an outage is said on the next screen.

    A failed keep loses nothing on the screen: the widgets still hold the taps, and Next stores
    them again (through :func:`attempt`, which explains and offers a retry).
    """
    try:
        action()
    except (AnswerRefused, WorkshopClosed, RoundChanged) as exc:
        st.session_state[NOTICE_KEY] = str(exc)
    except UnknownParticipant:
        st.query_params.pop("p", None)
    except (OperationalError, DatabaseUnavailable):
        st.session_state[NOTICE_KEY] = RETRY_MESSAGE


def attempt(action: Callable[[], T]) -> tuple[bool, T | None]:
    """Run a store call: ``(True, result)``, or ``(False, None)`` after showing why it was refused.

    A closed workshop stops the page; a new round or a link that matches nobody reloads it. When the
    database cannot be reached for a moment, nothing on the screen is lost: the participant is asked
    to try again, and a repeated submit reuses its submission id, so it is stored once.
    """
    try:
        return True, action()
    except AnswerRefused as exc:
        st.error(str(exc), icon=":material/error:")
    except WorkshopClosed as exc:
        st.warning(str(exc), icon=":material/lock:")
        st.stop()
    except RoundChanged as exc:
        st.session_state[NOTICE_KEY] = str(exc)
        st.rerun()
    except UnknownParticipant:
        del st.query_params["p"]
        st.rerun()
    except DatabaseGone as exc:
        st.error(plain(str(exc)), icon=":material/database_off:")
    except (OperationalError, DatabaseUnavailable):
        st.error(RETRY_MESSAGE, icon=":material/cloud_off:")
    return False, None


def round_notice(draft: Draft) -> None:
    """Say so when the facilitator starts a new round while this participant has the page open."""
    seen = st.session_state.get(ROUND_KEY)
    st.session_state[ROUND_KEY] = draft.round_no
    if seen is not None and seen != draft.round_no:
        st.info(
            f"The facilitator has started round {draft.round_no}. Your earlier answers are kept for comparison; "
            "this round starts afresh.",
            icon=":material/restart_alt:",
        )


def show_notice() -> None:
    """A message kept across one rerun (e.g. that a new round has started)."""
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(notice, icon=":material/info:")
