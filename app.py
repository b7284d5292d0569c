"""Sales & marketing alignment — the router.

Sets the page up, builds the navigation over the four pages, and holds what they share: the
current workshop (from ``?w=CODE`` or the sidebar) and presentation mode (``?present=1``).
"""

import streamlit as st

from alignment.ui import session

st.set_page_config(
    page_title="Sales & marketing alignment",
    page_icon=":material/handshake:",
    layout="wide",
    initial_sidebar_state="collapsed" if session.presenting() else "auto",
)

pages = [
    st.Page("pages/self_assessment.py", title="Self-assessment", icon=":material/edit_note:", default=True),
    st.Page("pages/pipeline.py", title="Pipeline data", icon=":material/upload_file:", url_path="pipeline"),
    st.Page("pages/alignment.py", title="Alignment", icon=":material/compare_arrows:", url_path="alignment"),
    st.Page("pages/facilitator.py", title="Facilitator", icon=":material/co_present:", url_path="facilitator"),
]
navigation = st.navigation(pages, position="hidden" if session.presenting() else "sidebar")
session.settings_guard()  # a broken setting: one sentence each, on every page, and nothing else

with session.connection_guard():  # a dropped database connection: one sentence and "Try again"
    workshop = session.current_workshop()
    if navigation.url_path != "facilitator":  # there, the settings form stays reachable to choose another
        session.framework(workshop)  # a broken framework file stops here with its line, on every page
    if not session.presenting():
        session.workshop_picker(workshop, open_by_code=navigation.url_path != "")  # Self-assessment has its own
    navigation.run()
