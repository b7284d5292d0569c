"""Self-assessment: participants join a workshop and rate how their organisation works."""

import streamlit as st

from alignment.store import participation
from alignment.ui import session

workshop = session.current_workshop()
session.page_header("Self-assessment", workshop)
if workshop is None:
    st.info("There is no workshop yet. Ask your facilitator for the join code.", icon=":material/info:")
    st.stop()

counts = participation(session.engine(), workshop.id)
st.write(f"{sum(c['submitted'] for c in counts.values())} people have answered in round {workshop.current_round}.")
for team, numbers in sorted(counts.items()):
    st.write(f"- {workshop.team_name(team)}: {numbers['submitted']} answered")
