"""Streamlit helpers shared by the pages (the only part of ``alignment`` that imports streamlit)."""
