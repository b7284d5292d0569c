"""Alignment: where marketing and sales see things differently, how sure we are, what the pipeline says."""

import streamlit as st

from alignment.charts import PRESENTATION_FONT_SCALE
from alignment.ui import alignment_sections as sections
from alignment.ui import dashboard, downloads, promises, session
from alignment.ui.facilitator import is_facilitator, results_visible

workshop = session.current_workshop()
session.page_header("Alignment", workshop)
if workshop is None:
    st.info("Open the link your facilitator shared, or type the workshop's join code in the sidebar. "
            "Facilitators create workshops on the Facilitator page.", icon=":material/info:")
    st.stop()

framework = session.framework(workshop)
scale = PRESENTATION_FONT_SCALE if session.presenting() else 1.0
k = max(3, int(workshop.k))
data = dashboard.workshop_answers(workshop.id, workshop.revision)
chosen = dashboard.answer_filters(workshop, data)
deals_id, leads_id = dashboard.dataset_ids(workshop)
deal_filters = dashboard.deal_filters(deals_id)

filters, check = dashboard.safe_filters(workshop, chosen, k)
if not check.allowed:
    st.warning(check.reason, icon=":material/shield_person:")
view = dashboard.perception_view(workshop.id, workshop.revision, filters, k, f"{framework.id}:{framework.version}",
                                  framework)
facts = None
if deals_id is not None:
    facts = dashboard.pipeline_view(deals_id, leads_id, deal_filters, workshop.sla_hours,
                                    workshop.revision)

hidden = (not view.empty and filters.round_no == workshop.current_round
          and not results_visible(workshop, is_facilitator()))
if hidden:
    st.info(f"Round {workshop.current_round} results stay hidden until the facilitator reveals them, so that nobody "
            "is anchored before the discussion. Earlier rounds are in the Round filter.",
            icon=":material/visibility_off:")
elif view.empty:
    st.info(f"No answers yet in round {filters.round_no}{' for these filters' if chosen.teams else ''}. Share the "
            f"join code **{workshop.code}**; results appear here as answers arrive.", icon=":material/hourglass_empty:")
else:
    sections.headline(view, workshop, k)
promises.alignment_section(workshop, hidden)

perception_tab, priorities_tab, evidence_tab, pipeline_tab = st.tabs(
    ["Perception", "Priorities", "Evidence", "Pipeline"], key="alignment_tab", on_change="rerun")
if perception_tab.open and not view.empty and not hidden:
    with perception_tab:
        clicked = sections.perception(view, framework, workshop, k, scale, filters.round_no)
        st.subheader("Explore a dimension")
        names = {d.id: d.name for d in framework.dimensions}
        if "drill_dimension" not in st.session_state:
            st.session_state["drill_dimension"] = dashboard.first_to_explore(view, framework)
        if clicked in names and clicked != st.session_state.get("last_clicked"):
            st.session_state["drill_dimension"] = clicked
        st.session_state["last_clicked"] = clicked
        dimension_id = st.selectbox("Dimension", list(names), format_func=names.__getitem__, key="drill_dimension")
        sections.drill_down(view, framework, workshop, data.comments[data.comments["round_no"] == filters.round_no],
                            dimension_id, k, scale)
        sections.definitions()
if priorities_tab.open and not view.empty and not hidden:
    with priorities_tab:
        sections.priorities(view, workshop, k, scale)
if evidence_tab.open:
    with evidence_tab:
        if hidden:
            st.info("The evidence sets perception next to pipeline facts; it appears with the results.")
        else:
            sections.evidence(view, framework, facts)
if pipeline_tab.open:
    with pipeline_tab:
        sections.pipeline(facts, scale)

if not session.presenting():
    st.divider()
    st.subheader("Take the results with you", anchor=False)
    downloads.report_downloads(workshop, round_no=filters.round_no or workshop.current_round, key="alignment-report")
