"""Facilitator: run the workshop from the shared screen."""

import streamlit as st

from alignment.store import participation
from alignment.ui import session

workshop = session.current_workshop()
session.page_header("Facilitator", workshop)
if workshop is None:
    st.info("No workshop yet.", icon=":material/info:")
    st.stop()
st.metric("Join code", workshop.code)
counts = participation(session.engine(), workshop.id)
st.dataframe([{"Team": workshop.team_name(t), **c} for t, c in sorted(counts.items())], hide_index=True)
