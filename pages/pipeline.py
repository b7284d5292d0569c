"""Pipeline data: CRM exports saved to the workshop, with their row counts."""

import pandas as pd
import streamlit as st

from alignment.store import list_datasets
from alignment.ui import session

workshop = session.current_workshop()
session.page_header("Pipeline data", workshop)
if workshop is None:
    st.info("Create a workshop on the Facilitator page first.", icon=":material/info:")
    st.stop()
datasets = list_datasets(session.engine(), workshop.id)
if not datasets:
    st.info("No pipeline data yet.", icon=":material/upload_file:")
    st.stop()
st.dataframe(
    pd.DataFrame(
        [
            {
                "File": d.filename,
                "Kind": d.kind,
                "Rows used": d.rows_accepted,
                "Saved": d.created_at,
                "Current": d.is_current,
            }
            for d in datasets
        ]
    ),
    hide_index=True,
)
