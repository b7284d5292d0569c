"""The first screen of a visitor without a join link: what this is, and the three ways on."""

from __future__ import annotations

import streamlit as st

from alignment.ui import questionnaire


def landing(typed: str) -> str | None:
    """Two sentences, the join-code field, the demo dashboard and how to run a workshop.

    Returns the code typed into the field when Join is pressed.
    """
    st.title("Sales & marketing alignment")
    st.write(
        "Marketing and sales rate, anonymously on their phones, how well they work together. The dashboard "
        "puts where the two teams see things differently next to what the CRM pipeline says."
    )
    st.subheader("Join a workshop", anchor=False)
    code = questionnaire.join_code_form(typed)
    st.subheader("Or look around", anchor=False)
    with st.container(horizontal=True, gap="small"):
        st.page_link("pages/alignment.py", label="Open the demo dashboard", icon=":material/compare_arrows:")
        st.page_link("pages/facilitator.py", label="Run a workshop", icon=":material/co_present:")
    return code
