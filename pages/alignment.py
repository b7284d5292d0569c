"""Alignment: how marketing and sales each score the dimensions."""

import streamlit as st

from alignment.charts import dimension_scores_chart
from alignment.store import answers_frame
from alignment.ui import session

workshop = session.current_workshop()
session.page_header("Alignment", workshop)
if workshop is None:
    st.info("Create a workshop on the Facilitator page first.", icon=":material/info:")
    st.stop()
answers = answers_frame(session.engine(), workshop.id, workshop.current_round)
if answers.empty:
    st.info("No answers yet in this round.", icon=":material/hourglass_empty:")
    st.stop()
framework = session.framework(workshop)
names = {d.id: d.name for d in framework.dimensions}
answers["dimension_id"] = answers["item_id"].map({item.id: item.dimension_id for item in framework.items})
scores = (
    answers.dropna(subset=["value"])
    .groupby(["dimension_id", "team"])
    .agg(score=("value", "mean"), n=("participant_id", "nunique"))
    .reset_index()
)
scores["score"] = (scores["score"] - 1) * 25
scores["dimension_name"] = scores["dimension_id"].map(names)
st.altair_chart(dimension_scores_chart(scores[scores["team"].isin(["marketing", "sales"])]), width="stretch")
