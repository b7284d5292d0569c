"""The presenter's console: a clicker or the keyboard moves the presentation, the controls stay off the wall.

Presenter clickers send the keys a keyboard does: Right arrow, Page Down or Space for the next
step, Left arrow or Page Up for the previous one. A components-v2 component listens for them in
the page (keys typed into a text field are left alone) and sends ``next`` or ``previous`` back as
a trigger value. The on-screen controls sit in a small overlay in the bottom-right corner that
stays invisible on the projected slide until the pointer is over it (see ``styles.PROJECTOR``).
"""

from __future__ import annotations

import streamlit as st

NEXT_KEYS = ("ArrowRight", "PageDown", " ")
PREVIOUS_KEYS = ("ArrowLeft", "PageUp")
_KEYS_JS = """
export default function ({ setTriggerValue }) {
  const forward = new Set(["ArrowRight", "PageDown", " ", "Spacebar"]);
  const back = new Set(["ArrowLeft", "PageUp"]);
  const onKey = (event) => {
    const target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
    if (forward.has(event.key)) {
      event.preventDefault();
      setTriggerValue("move", "next");
    } else if (back.has(event.key)) {
      event.preventDefault();
      setTriggerValue("move", "previous");
    }
  };
  window.addEventListener("keydown", onKey);
  return () => window.removeEventListener("keydown", onKey);
}
"""
_listener = st.components.v2.component("alignment_presenter_keys", js=_KEYS_JS)
HELP = (
    "Right arrow, Page Down or Space: next step. Left arrow or Page Up: previous step (presenter clickers "
    "send these keys). Point at the bottom-right corner for the buttons."
)


def key_press() -> int:
    """+1 when the presenter asked for the next step since the last run, −1 for the previous one, else 0."""
    with st.container(key="presenter-keys", height=1, border=False):
        result = _listener(key="presenter-keys-listener", on_move_change=lambda: None, height=0)
    move = getattr(result, "move", None)
    return 1 if move == "next" else -1 if move == "previous" else 0
