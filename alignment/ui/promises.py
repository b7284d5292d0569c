"""What we promised last time: each action with a target, checked against this round, on screen.

Two views of the results object's checked actions (``Results.promises``, built with the rest of the
results by the page's cached loader): a section of the Alignment page and a presentation step in
large type; neither computes a figure. Action text is the facilitator's own
words and goes through ``plain()``. Both show, per action, the metric then and now with the counts
behind it, the perception gap then and now, and the verdict with its reason.
"""

from __future__ import annotations

from typing import Final

import streamlit as st

from alignment.action_progress import CANNOT_TELL, MET, MOVING, ActionProgress, figure_words
from alignment.results import Results
from alignment.ui.session import plain

VERDICT_LOOK: Final = {
    MET: ("green", ":material/check_circle:"),
    MOVING: ("blue", ":material/trending_up:"),
    CANNOT_TELL: ("gray", ":material/help:"),
}
NOT_MOVING_LOOK: Final = ("orange", ":material/trending_flat:")


def _look(verdict: str) -> tuple[str, str]:
    return VERDICT_LOOK.get(verdict, NOT_MOVING_LOOK)


def verdict_label(progress: ActionProgress) -> str:
    """The verdict as a coloured Markdown badge: ``:green-badge[:material/check_circle: Met]``."""
    colour, icon = _look(progress.verdict)
    return f":{colour}-badge[{icon} {progress.verdict.capitalize()}]"


def _then_now(then: str, now: str) -> str:
    return f"{then or '–'} → {now or '–'}"


def alignment_section(results: Results) -> None:
    """The Alignment page's "What we promised last time" (nothing when no earlier action has a target
    or while the round is hidden)."""
    checked = results.promises.checked
    if not checked:
        return
    names = {d.id: d.name for d in results.framework.dimensions}
    st.subheader("What we promised last time", anchor=False)
    for progress in checked:
        words = figure_words(progress)
        with st.container(border=True):
            text_column, metric_column, gap_column, verdict_column = st.columns([4, 3, 2, 1.4])
            with text_column:
                st.text(progress.text)
                st.caption(plain(f"Target: {progress.target.describe(names)} · agreed in round {progress.round_then}"))
            if progress.metric_then is not None:
                label = progress.target.metric_spec.label if progress.target.metric_spec else ""
                metric_column.markdown(plain(f"{label} {_then_now(words['metric_then'], words['metric_now'])}"))
                metric_column.caption(plain(" · ".join(w for w in (words["counts_then"], words["counts_now"]) if w)))
            if progress.gap_then is not None:
                gap_column.markdown(plain("Gap " + _then_now(words["gap_then"], words["gap_now"])))
            verdict_column.markdown(verdict_label(progress))
            st.caption(plain(progress.reason))


def _short(words: str) -> str:
    """A figure for a big tile: the value without its interval, "?" where it cannot be told."""
    return "?" if words.startswith("cannot tell") else (words.split(" (")[0] or "–")


def _interval(words: str) -> str:
    return words.split(" (", 1)[1].rstrip(")") if " (" in words and not words.startswith("cannot") else "?"


def _tile(label: str, value: str, note: str) -> None:
    """A figure the back of the room can read: label 28 px, value 44 px, the counts behind it 20 px."""
    with st.container(border=True):
        st.subheader(label, anchor=False)
        st.title(value, anchor=False)
        if note:
            st.markdown(f"##### {plain(note)}")


def presentation_step(results: Results) -> None:
    """Presentation step "What we promised last time": one block per checked action, in large type."""
    checked = results.promises.checked
    if not checked:
        st.header("No action from an earlier round had a measurable target to check.", anchor=False)
        st.subheader("Give this round's actions a target, and the next round will show whether they moved.",
                     anchor=False)  # fmt: skip
        return
    names = {d.id: d.name for d in results.framework.dimensions}
    for progress in checked:
        words = figure_words(progress)
        colour, icon = _look(progress.verdict)
        st.header(f":{colour}[{icon} {progress.verdict.capitalize()}] · {plain(progress.text)}", anchor=False)
        st.markdown(f"#### Target: {plain(progress.target.describe(names))}")
        tiles = st.columns(2 if progress.metric_then is not None and progress.gap_then is not None else 1)
        if progress.metric_then is not None:
            with tiles[0]:
                label = progress.target.metric_spec.label if progress.target.metric_spec else "Metric"
                _tile(f"{label}, round {progress.round_then} → round {progress.round_now}",
                      f"{_short(words['metric_then'])} → {_short(words['metric_now'])}",
                      " → ".join(w for w in (words["counts_then"], words["counts_now"]) if w))  # fmt: skip
        if progress.gap_then is not None:
            with tiles[-1]:
                _tile("Perception gap (marketing − sales)",
                      f"{_short(words['gap_then'])} → {_short(words['gap_now'])} points",
                      f"95% intervals: {_interval(words['gap_then'])} → {_interval(words['gap_now'])}")  # fmt: skip
        st.markdown(f"#### {plain(progress.reason)}")
        st.divider()
