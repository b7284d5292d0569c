"""Static CSS the app adds to Streamlit's theme (never built from data; no user text in it).

- :data:`HELPERS`: components that only do work (cookies, keys) take no room on the page.
- :data:`PHONE`: participant screens on a phone: every tap target at least 44 px high, text
  fields and statements at 16 px (smaller makes iOS zoom in), Back/Next/Submit kept in view.
- :data:`PROJECTOR`: the presenter's controls float small in a corner and fade until pointed at,
  so the room sees the slide, not the buttons; the live count is large.
"""

from __future__ import annotations

import streamlit as st

HELPERS = """
<style>
[data-testid="stLayoutWrapper"]:has(> .st-key-browser-cookies),
[data-testid="stLayoutWrapper"]:has(> .st-key-presenter-keys) {
  position: absolute !important; height: 0 !important; overflow: hidden !important; margin: 0 !important;
}
</style>
"""

PHONE = """
<style>
.stMain button, .stMain [role="radio"], .stMain [data-testid="stCheckbox"] label { min-height: 44px; }
.stMain [data-testid="stCheckbox"] label { display: flex; align-items: center; width: 100%; }
.stMain [data-testid="stPageLink"] a { min-height: 44px; display: flex; align-items: center; }
.stMain input, .stMain textarea { font-size: 16px !important; }
.stMain input { min-height: 44px; }
.stMain [data-testid="stWidgetLabel"] p, .stMain [data-testid="stCheckbox"] p { font-size: 16px; }
.stMain [data-testid="stMarkdownContainer"] p { font-size: 16px; }
[data-testid="stLayoutWrapper"]:has(> .st-key-step-actions) {
  position: sticky; bottom: 0; z-index: 99; background: #FFFFFF;
  padding: 8px 0 12px 0; border-top: 1px solid rgba(49, 51, 63, 0.12);
}
.st-key-step-actions button { min-width: 112px; }
</style>
"""

PROJECTOR = """
<style>
[data-testid="stLayoutWrapper"]:has(> .st-key-presenter-controls) {
  position: fixed !important; right: 16px; bottom: 16px; z-index: 1000; width: auto !important;
  background: rgba(255, 255, 255, 0.94); border-radius: 8px; padding: 4px 8px;
  opacity: 0; transition: opacity 0.2s;
}
[data-testid="stLayoutWrapper"]:has(> .st-key-presenter-controls):hover,
[data-testid="stLayoutWrapper"]:has(> .st-key-presenter-controls):focus-within { opacity: 1; }
.st-key-live-count h1 { font-size: 64px; }
.st-key-live-count h2 { font-size: 40px; }
</style>
"""


def add(css: str) -> None:
    """Put one of the static style blocks above on the page."""
    st.html(css)
