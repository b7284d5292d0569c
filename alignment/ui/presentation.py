"""Presentation mode: one insight per screen, in type the back of the room can read.

The steps: participation → overall alignment → the three biggest gaps → a drill-down of each →
priorities → pipeline evidence → what we promised last time (``alignment.ui.promises``) → actions.
Every figure and sentence comes from the one results object (``alignment.results``, through the
page's cached loader ``dashboard.results_for``), built for the room — not for the facilitator — so
the current round's results stay hidden until the facilitator reveals them and nothing from fewer
than k people is shown; charts from ``alignment.charts`` at :data:`FONT_SCALE` (axis labels of
23 px, text marks of 21 px).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from alignment import charts, numbers
from alignment.export import tables
from alignment.results import Results
from alignment.store import WorkshopInfo, update_workshop
from alignment.store.actions import list_actions
from alignment.ui import dashboard, presenter, promises, session, styles
from alignment.ui.discussion import describe_action
from alignment.ui.facilitator import REVEAL_CLOSES
from alignment.ui.room import big_figure, brand_header, room_screen
from alignment.ui.session import plain

PRESENT_KEY = "presentation_mode"
STEP_KEY = "presentation_step"
GAPS_SHOWN = 3
# Chart text at 1920×1080: axis labels 23 px, text marks (dimension names in the priority grid) 21 px.
FONT_SCALE = max(charts.PRESENTATION_FONT_SCALE, 1.9)
STEPS: tuple[str, ...] = (
    "Who answered",
    "Overall alignment",
    "The three biggest gaps",
    "Gap 1 up close",
    "Gap 2 up close",
    "Gap 3 up close",
    "Priorities",
    "Pipeline evidence",
    "What we promised last time",
    "Actions",
)


def _sync_link() -> None:
    if st.session_state.get(PRESENT_KEY):
        st.query_params["present"] = "1"
    else:
        st.query_params.pop("present", None)


def toggle() -> None:
    """The switch into and out of presentation mode (kept in the link as ``?present=1``)."""
    if session.presenting() and PRESENT_KEY not in st.session_state:
        st.session_state[PRESENT_KEY] = True
    st.toggle(
        "Presentation mode",
        key=PRESENT_KEY,
        on_change=_sync_link,
        help="Full screen for the projector: large type, one insight per screen. `?present=1` in the link opens it. "
        + presenter.HELP,
    )


def room_results(workshop: WorkshopInfo) -> Results:
    """The current round's results as the room may see them (cached by the page's loader)."""
    return dashboard.results_for(workshop, session.framework(workshop), for_facilitator=False)


def _go(step: int) -> None:
    st.session_state[STEP_KEY] = max(0, min(step, len(STEPS) - 1))


def _navigation(workshop: WorkshopInfo, step: int) -> None:
    """The organisation on top; previous, where we are, next and the way out in the presenter's overlay."""
    brand_header(workshop)
    with st.container(key="presenter-controls", horizontal=True, vertical_alignment="center", gap="small",
                      width="content"):  # fmt: skip
        st.button("Previous", icon=":material/arrow_back:", disabled=step == 0, on_click=_go, args=(step - 1,))
        st.markdown(f"**Step {step + 1} of {len(STEPS)}**")
        st.button("Next", icon=":material/arrow_forward:", type="primary", disabled=step == len(STEPS) - 1,
                  on_click=_go, args=(step + 1,))  # fmt: skip
        toggle()


def _reveal(workshop_id: int) -> None:
    update_workshop(session.engine(), workshop_id, results_revealed=True)


def show(workshop: WorkshopInfo | None) -> None:
    """The presentation: previous/next with the branding on top, then the current step."""
    if workshop is None:
        st.info("There is no workshop to present yet.", icon=":material/info:")
        toggle()
        return
    styles.add(styles.PROJECTOR)
    _go(int(st.session_state.get(STEP_KEY, 0)) + presenter.key_press())
    step = st.session_state[STEP_KEY]
    _navigation(workshop, step)
    st.title(STEPS[step], anchor=False)
    if step > 0 and not room_results(workshop).visible:
        st.header("Results are hidden until you reveal them.", anchor=False)
        st.subheader("Talk about expectations first: what do you think the teams said?", anchor=False)
        st.button("Reveal results to the room", type="primary", icon=":material/visibility:", on_click=_reveal,
                  args=(workshop.id,), help=REVEAL_CLOSES)  # fmt: skip
        st.caption(REVEAL_CLOSES)
    else:
        _STEP_VIEWS[step](workshop, step)


def _participation(workshop: WorkshopInfo, _step: int) -> None:
    room_screen(workshop, with_brand=False)
    st.subheader(f"Teams with fewer than {workshop.k} answers are not shown, so nobody can be singled out.",
                 anchor=False)  # fmt: skip


def _results(workshop: WorkshopInfo) -> Results | None:
    results = room_results(workshop)
    if results.empty:
        st.header("No answers in this round yet.", anchor=False)
        return None
    return results


def _overall(workshop: WorkshopInfo, _step: int) -> None:
    results = _results(workshop)
    if results is None:
        return
    index = results.index
    if index.index is None:
        st.header(results.absences.get("index", "The index cannot be worked out yet."), anchor=False)
        return
    st.header(results.headline(), anchor=False)
    level, closeness, used = st.columns(3)
    with level:
        big_figure("Level: how well both rate the practice", numbers.whole(index.level))
    with closeness:
        big_figure("Closeness: 100 − their average gap", numbers.whole(index.consistency))
    with used:
        big_figure("Dimensions compared", index.dimensions_used)
    st.subheader(results.catalogue.term("index_bands").definition, anchor=False)


def _gaps(workshop: WorkshopInfo, _step: int) -> None:
    results = _results(workshop)
    if results is None:
        return
    top = results.top_gaps(GAPS_SHOWN)
    if top.empty:
        st.header(results.absences.get("gaps", "No gap can be shown yet."), anchor=False)
        return
    for _, row in top.iterrows():
        st.subheader(results.gap_sentence(row), anchor=False)
    st.altair_chart(charts.gap_dumbbell_chart(top, FONT_SCALE), width="stretch")


def _drill_down(workshop: WorkshopInfo, step: int) -> None:
    results = _results(workshop)
    if results is None:
        return
    top = results.top_gaps(GAPS_SHOWN)
    position = step - 3
    if position >= len(top):
        st.header("There is no further gap to show: skip ahead.", anchor=False)
        return
    row = top.iloc[position]
    dimension = results.framework.dimension(row["dimension_id"])
    st.header(results.gap_sentence(row), anchor=False)
    chart_column, words_column = st.columns([3, 2], gap="large")
    chart_column.altair_chart(
        charts.answer_distribution_chart(results.distributions[dimension.id], FONT_SCALE), width="stretch"
    )
    with words_column:
        for number, item in enumerate(dimension.items, start=1):
            st.markdown(f"#### Item {number}. {plain(item.text)}")
        if dimension.prompts:
            st.subheader(f"To discuss: {dimension.prompts[0]}", anchor=False)


def _priorities(workshop: WorkshopInfo, _step: int) -> None:
    results = _results(workshop)
    if results is None:
        return
    if results.priorities.empty:
        st.header(results.absences.get("priorities", "No priorities yet."), anchor=False)
        return
    lists = results.fix_first(top=len(results.priorities))
    shared = [name for name in lists.get("marketing", []) if name in lists.get("sales", [])]
    st.header(
        "Marketing and sales would both fix first: " + ", ".join(shared)
        if shared
        else "Marketing and sales do not share a first priority yet.",
        anchor=False,
    )
    for team, names in results.fix_first().items():
        listed = ", ".join(names) if names else "nothing is both important and low-rated"
        st.subheader(f"{plain(results.team_name(team))}: {listed}", anchor=False)
    st.subheader(results.catalogue.term("priority").definition, anchor=False)


def _evidence(workshop: WorkshopInfo, _step: int) -> None:
    """The share sentence, then every catalogue metric by source group: the deck's pipeline table
    (``tables.pipeline``), one metric a row in heading type; an unknown figure is said in words."""
    results = room_results(workshop)
    if "pipeline" in results.absences:
        st.header(results.absences["pipeline"], anchor=False)
        return
    facts = results.pipeline.facts
    st.header(results.share_sentence(), anchor=False)
    summary = tables.pipeline(results) if facts.has_source else None
    if summary is not None and not summary.empty:
        _by_source(results, summary)
    leads = f"; leads from {results.pipeline.leads_file}" if results.pipeline.leads_file else ""
    st.subheader(plain(f"From {results.pipeline.deals_file}: {facts.deals:,} deals{leads}."), anchor=False)


def _by_source(results: Results, summary: pd.DataFrame) -> None:
    currency = results.pipeline.currency
    rows = [(m, tables.metric_header(m, currency)) for m in results.catalogue.metrics
            if tables.metric_header(m, currency) in summary.columns]  # fmt: skip
    unknown = [m.label for m, header in rows if not summary[header].map(numbers.known).any()]
    widths = [3, *[2] * len(summary)]
    for column, group in zip(st.columns(widths), ["", *summary["Source group"]], strict=True):
        column.subheader(f"{group}-sourced" if group else "", anchor=False)
    for metric, header in rows:
        if metric.label in unknown:
            continue
        label, *figures = st.columns(widths, vertical_alignment="center")
        label.subheader(metric.label, anchor=False, help=metric.definition)
        for column, value in zip(figures, summary[header], strict=True):
            column.header(numbers.formatted(value, metric.format, currency) if numbers.known(value)
                          else "not known", anchor=False)  # fmt: skip
    if unknown:
        st.subheader("Not known from these deals yet: " + ", ".join(unknown) + ".", anchor=False)


def _promised(workshop: WorkshopInfo, _step: int) -> None:
    promises.presentation_step(room_results(workshop))


def _actions(workshop: WorkshopInfo, _step: int) -> None:
    actions = list_actions(session.engine(), workshop.id)
    if not actions:
        st.header("No actions recorded yet. What will we do differently?", anchor=False)
        return
    framework = session.framework(workshop)
    for action in actions:
        mark = "Done: " if action.is_done else ""
        st.subheader(f"{mark}{plain(action.text)}", anchor=False)
        st.markdown(f"#### {plain(describe_action(action, framework))}")


# One view per entry of STEPS; the three drill-downs share a view that picks its gap by step.
_STEP_VIEWS = (_participation, _overall, _gaps, _drill_down, _drill_down, _drill_down, _priorities, _evidence,
               _promised, _actions)  # fmt: skip
