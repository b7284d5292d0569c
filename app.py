"""Sales & marketing alignment — the router.

Sets the page up, builds the navigation over the four pages, and holds what they share: the
current workshop (``?w=CODE``, kept on every page), the facilitator's sign-in (a one-time link on
an installation without a password), the cookies this browser keeps, and presentation mode
(``?present=1``).
"""

import streamlit as st

from alignment.ui import browser_cookies, facilitator, session, styles

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
# .streamlit/config.toml hides the navigation until this point, so the first visitor after a start never sees the
# file names of pages/ listed before the router has run; from here on the pages below are the navigation.
if not st.get_option("client.showSidebarNavigation"):
    st.set_option("client.showSidebarNavigation", True)
navigation = st.navigation(pages, position="hidden" if session.presenting() else "sidebar")
session.settings_guard()  # a broken setting: one sentence each, on every page, and nothing else
styles.add(styles.HELPERS)

with session.connection_guard():  # a dropped database connection: one sentence and "Try again"
    facilitator.redeem_link_in_url()
    facilitator.announce_sign_in_link(first_only=True)
    workshop = session.current_workshop(pin_fallback=navigation.url_path != "")
    if navigation.url_path != "facilitator":  # there, the settings form stays reachable to choose another
        session.framework(workshop)  # a broken framework file stops here with its line, on every page
    if not session.presenting():
        session.workshop_picker(workshop, open_by_code=navigation.url_path != "")  # Self-assessment has its own
    browser_cookies.render()
    navigation.run()
