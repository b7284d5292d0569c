"""Alignment: where marketing and sales see things differently, how sure we are, what the pipeline says."""

import streamlit as st

from alignment.charts import PRESENTATION_FONT_SCALE
from alignment.ui import alignment_sections as sections
from alignment.ui import dashboard, downloads, promises, session
from alignment.ui.facilitator import is_facilitator

workshop = session.current_workshop()
session.page_header("Alignment", workshop)
if workshop is None:
    st.info("Open the link your facilitator shared, or type the workshop's join code in the sidebar. "
            "Facilitators create workshops on the Facilitator page.", icon=":material/info:")
    st.stop()

framework = session.framework(workshop)
scale = PRESENTATION_FONT_SCALE if session.presenting() else 1.0
data = dashboard.workshop_answers(workshop.id, workshop.revision)
chosen = dashboard.answer_filters(workshop, data)
deals_id, _ = dashboard.dataset_ids(workshop)
results = dashboard.results_for(workshop, framework, chosen, dashboard.deal_filters(deals_id), is_facilitator())

if results.filter_note:
    st.warning(results.filter_note, icon=":material/shield_person:")
if results.has_answers and not results.visible:
    st.info(results.hidden_reason + " Earlier rounds are in the Round filter.", icon=":material/visibility_off:")
elif results.empty and results.withheld_teams:
    opening = ("Nothing can be shown for this choice of levels." if results.filter_note
               else "Answers have come in, but no team can be shown yet.")
    st.info(f"{opening} Not shown in this view, to keep answers anonymous: {', '.join(results.withheld_teams)}.",
            icon=":material/shield_person:")
elif results.empty:
    st.info(f"No answers yet in round {results.round_no}{' for these filters' if chosen.teams else ''}. Share the "
            f"join code **{workshop.code}**; results appear here as answers arrive.", icon=":material/hourglass_empty:")
else:
    sections.headline(results)
promises.alignment_section(results)

shown = results.visible and not results.empty
perception_tab, priorities_tab, evidence_tab, pipeline_tab = st.tabs(
    ["Perception", "Priorities", "Evidence", "Pipeline"], key="alignment_tab", on_change="rerun")
if perception_tab.open and shown:
    with perception_tab:
        clicked = sections.perception(results, scale)
        st.subheader("Explore a dimension")
        names = {d.id: d.name for d in framework.dimensions}
        if "drill_dimension" not in st.session_state:
            st.session_state["drill_dimension"] = dashboard.first_to_explore(results, framework)
        if clicked in names and clicked != st.session_state.get("last_clicked"):
            st.session_state["drill_dimension"] = clicked
        st.session_state["last_clicked"] = clicked
        dimension_id = st.selectbox("Dimension", list(names), format_func=names.__getitem__, key="drill_dimension")
        sections.drill_down(results, dimension_id, scale)
        sections.definitions(results)
if priorities_tab.open and shown:
    with priorities_tab:
        sections.priorities(results, scale)
if evidence_tab.open:
    with evidence_tab:
        if not results.visible:
            st.info("The evidence sets perception next to pipeline facts; it appears with the results.")
        else:
            sections.evidence(results)
if pipeline_tab.open:
    with pipeline_tab:
        sections.pipeline(results, scale)

if not session.presenting():
    st.divider()
    st.subheader("Take the results with you", anchor=False)
    downloads.report_downloads(workshop, results=results, key="alignment-report")
