"""Pipeline data: upload a CRM export, confirm the columns and rules, check the report, save it."""

import streamlit as st

from alignment.importing import Limits
from alignment.ui import pipeline_mapping, pipeline_report, session
from alignment.ui import pipeline_widgets as widgets
from alignment.ui.facilitator import require_facilitator

workshop = session.current_workshop()
session.page_header("Pipeline data", workshop, "CRM exports behind the pipeline evidence")
if not require_facilitator():
    st.stop()
if workshop is None:
    st.info("Create a workshop on the Facilitator page first.", icon=":material/info:")
    st.stop()

widgets.saved_message()
widgets.saved_datasets(workshop)

st.subheader("Add data")
loaded = widgets.upload(Limits.from_env())
if loaded is None:
    st.stop()
kind = widgets.choose_kind(loaded)

st.subheader("1. Columns")
mapping = pipeline_mapping.mapping_table(workshop, loaded, kind)
refusal = mapping.refusal(loaded.raw.columns)
if refusal:
    st.error(refusal, icon=":material/block:")
    st.stop()
mapping = pipeline_mapping.confirm_inferred(loaded, mapping)
if mapping is None:
    st.stop()

st.subheader("2. Rules")
saved_rules = widgets.saved_rules(workshop)
rules = widgets.rule_tables(loaded, mapping, saved_rules, widgets.checked(loaded, mapping, saved_rules, {}))
first = widgets.checked(loaded, mapping, rules, {})
choices = widgets.date_questions(loaded, mapping, first)
result = widgets.checked(loaded, mapping, rules, choices) if choices else first

st.subheader("3. Check")
pipeline_report.validation_report(result)
with st.expander("Preview"):
    pipeline_report.preview(result)
widgets.save_button(workshop, loaded, mapping, result, rules)
