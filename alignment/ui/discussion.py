"""What the facilitator does during the discussion: moderate comments and record agreed actions.

Comment text is participants' own words: it is shown with ``st.text`` (never as Markdown or HTML).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from alignment.framework import Framework
from alignment.store import WorkshopInfo
from alignment.store.actions import (
    MAX_ACTION_LENGTH,
    MAX_OWNER_LENGTH,
    ActionInfo,
    add_action,
    delete_action,
    list_actions,
    update_action,
)
from alignment.store.moderation import comments_for_moderation, set_comment_hidden
from alignment.ui import session
from alignment.ui.facilitator import flash
from alignment.ui.session import plain
from alignment.ui.target_form import read_target, target_fields


def _set_hidden(workshop_id: int, comment_id: int, hidden: bool) -> None:
    set_comment_hidden(session.engine(), workshop_id, comment_id, hidden)
    flash("Comment hidden from everyone else." if hidden else "Comment shown again.")


def moderation_panel(workshop: WorkshopInfo, framework: Framework) -> None:
    """Comments per dimension with hide/show; hidden ones disappear from every other view."""
    every_round = st.toggle("Comments from every round", key=f"comments-all-rounds-{workshop.id}")
    comments = comments_for_moderation(session.engine(), workshop.id, None if every_round else workshop.current_round)
    if not comments:
        st.info(
            "No comments yet. Participants can add one to each dimension; they appear here as answers arrive.",
            icon=":material/chat_bubble_outline:",
        )
        return
    st.caption("Hidden comments stay here for you and disappear from the Alignment page, presentations and exports.")
    names = {d.id: d.name for d in framework.dimensions}
    ordered = [d for d in names if d in comments] + [d for d in comments if d not in names]
    for dimension_id in ordered:
        frame = comments[dimension_id]
        hidden = int(frame["hidden"].sum())
        label = f"{names.get(dimension_id, dimension_id)} · {len(frame)} comment{'' if len(frame) == 1 else 's'}" + (
            f" ({hidden} hidden)" if hidden else ""
        )
        with st.expander(label, expanded=len(comments) <= 3):
            for row in frame.itertuples(index=False):
                text_column, button_column = st.columns([6, 1], vertical_alignment="center")
                with text_column:
                    st.text(row.text)
                    st.caption(
                        f"{plain(workshop.team_name(str(row.team)))} · round {row.round_no}"
                        + (" · hidden from everyone else" if row.hidden else "")
                    )
                button_column.button(
                    "Show" if row.hidden else "Hide",
                    key=f"comment-{row.comment_id}",
                    icon=":material/visibility:" if row.hidden else ":material/visibility_off:",
                    on_click=_set_hidden,
                    args=(workshop.id, int(row.comment_id), not row.hidden),
                )


def _add(workshop_id: int, form_key: str) -> None:
    state = st.session_state
    try:
        add_action(
            session.engine(),
            workshop_id,
            state[f"{form_key}-text"],
            owner=state[f"{form_key}-owner"],
            due_date=state[f"{form_key}-due"],
            dimension_id=state[f"{form_key}-dimension"],
            target=read_target(state, form_key, state[f"{form_key}-dimension"]),
        )
    except ValueError as exc:
        state[f"{form_key}-problem"] = str(exc)
        return
    flash("Action recorded.")


def _set_status(workshop_id: int, action_id: int, key: str) -> None:
    update_action(session.engine(), workshop_id, action_id, status="done" if st.session_state[key] else "open")


def _remove(workshop_id: int, action_id: int) -> None:
    delete_action(session.engine(), workshop_id, action_id)
    flash("Action removed.")


def action_form(workshop: WorkshopInfo, framework: Framework) -> None:
    """Record an agreed action: what, who, by when, which dimension, and optionally a measurable target."""
    key = f"new-action-{workshop.id}"
    names = {d.id: d.name for d in framework.dimensions}
    with st.form(key, border=True, clear_on_submit=True, enter_to_submit=False):
        st.text_input("What was agreed", key=f"{key}-text", max_chars=MAX_ACTION_LENGTH)
        owner_column, due_column, dimension_column = st.columns([2, 1, 2])
        owner_column.text_input("Owner", key=f"{key}-owner", max_chars=MAX_OWNER_LENGTH)
        due_column.date_input("Due", key=f"{key}-due", value=None, min_value=date(2000, 1, 1), format="YYYY-MM-DD")
        dimension_column.selectbox(
            "Dimension", list(names), index=None, key=f"{key}-dimension", format_func=names.__getitem__,
            placeholder="Not linked to a dimension",
        )  # fmt: skip
        target_fields(key, workshop)
        st.form_submit_button(
            "Add action", type="primary", icon=":material/add_task:", on_click=_add, args=(workshop.id, key)
        )
    problem = st.session_state.pop(f"{key}-problem", None)
    if problem:
        st.error(problem, icon=":material/error:")


def _save_edit(workshop_id: int, action_id: int, key: str) -> None:
    state = st.session_state
    try:
        update_action(
            session.engine(), workshop_id, action_id, text=state[f"{key}-text"], owner=state[f"{key}-owner"],
            due_date=state[f"{key}-due"], dimension_id=state[f"{key}-dimension"],
            target=read_target(state, key, state[f"{key}-dimension"]),
        )  # fmt: skip
    except (ValueError, LookupError) as exc:
        state[f"{key}-problem"] = str(exc)
        return
    flash("Action updated.")


def edit_form(workshop: WorkshopInfo, framework: Framework, action: ActionInfo) -> None:
    """Change what an action says, who owns it, when it is due, which dimension it serves and its target."""
    key = f"edit-action-{action.id}"
    names = {d.id: d.name for d in framework.dimensions}
    with st.form(key, border=False, enter_to_submit=False):
        st.text_input("What was agreed", value=action.text, key=f"{key}-text", max_chars=MAX_ACTION_LENGTH)
        st.text_input("Owner", value=action.owner, key=f"{key}-owner", max_chars=MAX_OWNER_LENGTH)
        st.date_input("Due", value=action.due_date, key=f"{key}-due", min_value=date(2000, 1, 1), format="YYYY-MM-DD")
        st.selectbox(
            "Dimension", list(names), index=list(names).index(action.dimension_id) if action.dimension_id in names
            else None, key=f"{key}-dimension", format_func=names.__getitem__, placeholder="Not linked to a dimension",
        )  # fmt: skip
        target_fields(key, workshop, action.target, narrow=True)
        st.form_submit_button("Save", type="primary", on_click=_save_edit, args=(workshop.id, action.id, key))
    problem = st.session_state.pop(f"{key}-problem", None)
    if problem:
        st.error(problem, icon=":material/error:")


def describe_action(action: ActionInfo, framework: Framework) -> str:
    """Who, by when, which dimension and the target, in one line."""
    names = {d.id: d.name for d in framework.dimensions}
    parts = [
        action.owner or "no owner yet",
        f"due {action.due_date:%d %b %Y}" if action.due_date else "no due date",
        names.get(action.dimension_id or "", "") or "",
        f"agreed in round {action.round_no}",
        f"target: {action.target.describe(names)}" if action.target else "",
    ]
    return " · ".join(p for p in parts if p)


def actions_panel(workshop: WorkshopInfo, framework: Framework) -> None:
    """The form and the list of actions (from every round: they carry over)."""
    action_form(workshop, framework)
    actions = list_actions(session.engine(), workshop.id)
    if not actions:
        st.info("No actions yet. Record what the room agrees as you go.", icon=":material/task_alt:")
        return
    for action in actions:
        done_key = f"action-done-{action.id}"
        st.session_state[done_key] = action.is_done
        check_column, text_column, edit_column, delete_column = st.columns([1, 9, 1, 1], vertical_alignment="center")
        check_column.checkbox(
            "Done", key=done_key, on_change=_set_status, args=(workshop.id, action.id, done_key),
        )  # fmt: skip
        with text_column:
            st.text(action.text)
            st.caption(plain(describe_action(action, framework)))
        with edit_column.popover("Edit", icon=":material/edit:"):
            edit_form(workshop, framework, action)
        delete_column.button(
            "Remove", key=f"action-delete-{action.id}", icon=":material/delete:", on_click=_remove,
            args=(workshop.id, action.id),
        )  # fmt: skip
