"""Facilitator: run the workshop from the shared screen.

Signed-in facilitators create and run workshops, put the join code and QR code on the wall, watch
answers arrive, moderate comments, record actions and present the results step by step.
"""

import streamlit as st

from alignment.ui import discussion, downloads, facilitator, presentation, room, session

workshop = session.current_workshop()
if session.presenting() and facilitator.is_facilitator():
    presentation.show(workshop)
    st.stop()

st.title("Facilitator")
if not facilitator.require_facilitator():
    st.stop()
facilitator.show_flash()
if workshop is None:
    st.subheader("Create your first workshop", anchor=False)
    facilitator.new_workshop_form()
    st.stop()

st.caption(f"{session.plain(workshop.name)} · join code **{workshop.code}** · choose another in the sidebar")
presentation.toggle()
session.demo_banner(workshop)

facilitator.open_tab()
room_tab, run_tab, comments_tab, actions_tab, new_tab = st.tabs(
    ["Room screen", "Run the workshop", "Comments", "Actions", "New workshop"],
    key=facilitator.LANDING_TAB_KEY,
    on_change="rerun",
)
with room_tab:
    room.room_screen(workshop)
with run_tab:
    facilitator.run_controls(workshop)
    st.subheader("Settings", anchor=False)
    facilitator.settings_form(workshop)
    st.subheader("Who is in the room", anchor=False)
    facilitator.head_count_form(workshop)
    st.subheader("Reports", anchor=False)
    downloads.report_downloads(workshop, allow_answers=True, key="facilitator-report")
    facilitator.danger_zone(workshop)
with comments_tab:
    discussion.moderation_panel(workshop, session.framework(workshop))
with actions_tab:
    discussion.actions_panel(workshop, session.framework(workshop))
with new_tab:
    facilitator.new_workshop_form()
st.divider()
facilitator.sign_out_button()
