"""Presentation mode: one insight per screen, in type the back of the room can read.

The steps: participation → overall alignment → the three biggest gaps → a drill-down of each →
priorities → pipeline evidence → actions. Every figure comes from ``alignment.scoring``,
``alignment.gaps`` and ``alignment.metrics``; charts from ``alignment.charts`` at
:data:`FONT_SCALE` (axis labels of 23 px, text marks of 21 px). The current round's results stay hidden until the
facilitator reveals them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from alignment import charts, scoring
from alignment.gaps import perception_gaps
from alignment.metrics import USED_COLUMNS, cycle_time, marketing_share, prepare_pipeline, win_rate
from alignment.store import (
    WorkshopInfo,
    answers_frame,
    current_dataset,
    importance_frame,
    load_dataset_frame,
    update_workshop,
)
from alignment.store.actions import list_actions
from alignment.ui import presenter, session, styles
from alignment.ui.discussion import describe_action
from alignment.ui.facilitator import results_visible
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


@dataclass(frozen=True)
class RoundResults:
    """What the presentation shows of one round, computed once per revision of the workshop."""

    dimensions: pd.DataFrame
    gaps: pd.DataFrame
    index: scoring.AlignmentIndex
    priorities: pd.DataFrame
    answers: pd.DataFrame


@st.cache_data(max_entries=8, ttl=900, show_spinner="Working out the results…")
def round_results(workshop: WorkshopInfo, round_no: int, revision: int) -> RoundResults | None:
    """Scores, gaps, index and priorities of a round (``revision`` keys the cache); None without answers."""
    engine, framework, k = session.engine(), session.framework(workshop), workshop.k
    answers = answers_frame(engine, workshop.id, round_no)
    if answers.empty:
        return None
    importance = importance_frame(engine, workshop.id, round_no)
    dimensions = scoring.dimension_scores(answers, framework, k)
    gaps = perception_gaps(answers, framework, k).dimensions
    return RoundResults(
        dimensions=dimensions,
        gaps=gaps,
        index=scoring.alignment_index(dimensions, gaps),
        priorities=scoring.priorities(dimensions, scoring.importance_share(importance, framework, k)),
        answers=answers,
    )


def biggest_gaps(gaps: pd.DataFrame, count: int = GAPS_SHOWN) -> pd.DataFrame:
    """The ``count`` dimensions with the largest absolute marketing − sales gap that is shown."""
    shown = gaps.dropna(subset=["gap"])
    return shown.assign(abs_gap=shown["gap"].abs()).nlargest(count, "abs_gap").reset_index(drop=True)


def fix_first(priorities: pd.DataFrame, top: int = GAPS_SHOWN) -> dict[str, list[str]]:
    """Per team, up to ``top`` dimensions of its "Fix first" quadrant (important to it and rated low
    by it), the most often picked first."""
    fix = priorities[priorities["quadrant"] == "Fix first"].sort_values("importance", ascending=False, kind="stable")
    teams = charts.ordered_teams(priorities["team"])
    return {team: fix.loc[fix["team"] == team, "dimension_name"].head(top).tolist() for team in teams}


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
    if step > 0 and not results_visible(workshop, is_facilitator=False):
        st.header("Results are hidden until you reveal them.", anchor=False)
        st.subheader("Talk about expectations first: what do you think the teams said?", anchor=False)
        st.button("Reveal results to the room", type="primary", icon=":material/visibility:", on_click=_reveal,
                  args=(workshop.id,))  # fmt: skip
    else:
        _STEP_VIEWS[step](workshop, step)


def _participation(workshop: WorkshopInfo, _step: int) -> None:
    room_screen(workshop, with_brand=False)
    st.subheader(f"Teams with fewer than {workshop.k} answers are not shown, so nobody can be singled out.",
                 anchor=False)  # fmt: skip


def _results(workshop: WorkshopInfo) -> RoundResults | None:
    results = round_results(workshop, workshop.current_round, workshop.revision)
    if results is None:
        st.header("No answers in this round yet.", anchor=False)
        return None
    return results


def _overall(workshop: WorkshopInfo, _step: int) -> None:
    results = _results(workshop)
    if results is None:
        return
    index = results.index
    if index.index is None:
        st.header(index.reason or "Not enough answers from both teams to work out the index.", anchor=False)
        return
    st.header(f"Alignment index {index.index:.0f} of 100 — {index.band}", anchor=False)
    level, closeness, used = st.columns(3)
    with level:
        big_figure("Level: how well both rate the practice", f"{index.level:.0f}")
    with closeness:
        big_figure("Closeness: 100 − their average gap", f"{index.consistency:.0f}")
    with used:
        big_figure("Dimensions compared", index.dimensions_used)
    st.subheader("Index = level × closeness ÷ 100.", anchor=False)
    st.subheader(
        "Bands: Undefined below 25, Defined from 25, Aligned from 50, Integrated from 75 "
        "(after Kotler, Rackham and Krishnaswamy, HBR 2006).",
        anchor=False,
    )


def _gap_sentence(row: pd.Series) -> str:
    direction = "marketing rates it higher" if row["gap"] > 0 else "sales rates it higher"
    return (
        f"{row['dimension_name']}: {abs(row['gap']):.0f} points apart, {direction} "
        f"(marketing {row['marketing']:.0f}, sales {row['sales']:.0f})"
    )


def _gaps(workshop: WorkshopInfo, _step: int) -> None:
    results = _results(workshop)
    if results is None:
        return
    top = biggest_gaps(results.gaps)
    if top.empty:
        st.header(f"No gap can be shown yet: both teams need at least {workshop.k} answers.", anchor=False)
        return
    for _, row in top.iterrows():
        st.subheader(_gap_sentence(row), anchor=False)
    st.altair_chart(charts.gap_dumbbell_chart(top, FONT_SCALE), width="stretch")


def _drill_down(workshop: WorkshopInfo, step: int) -> None:
    results = _results(workshop)
    if results is None:
        return
    top = biggest_gaps(results.gaps)
    position = step - 3
    if position >= len(top):
        st.header("There is no further gap to show: skip ahead.", anchor=False)
        return
    row = top.iloc[position]
    framework = session.framework(workshop)
    dimension = framework.dimension(row["dimension_id"])
    st.header(_gap_sentence(row), anchor=False)
    distribution = scoring.answer_distribution(results.answers, framework, workshop.k, dimension.id)
    chart_column, words_column = st.columns([3, 2], gap="large")
    chart_column.altair_chart(charts.answer_distribution_chart(distribution, FONT_SCALE), width="stretch")
    with words_column:
        for number, item in enumerate(dimension.items, start=1):
            st.markdown(f"#### Item {number}. {item.text}")
        if dimension.prompts:
            st.subheader(f"To discuss: {dimension.prompts[0]}", anchor=False)


def _priorities(workshop: WorkshopInfo, _step: int) -> None:
    results = _results(workshop)
    if results is None:
        return
    if results.priorities.empty:
        st.header("No team has made enough importance picks to show priorities yet.", anchor=False)
        return
    lists = fix_first(results.priorities, top=len(results.priorities))
    shared = [name for name in lists.get("marketing", []) if name in lists.get("sales", [])]
    st.header(
        "Marketing and sales would both fix first: " + ", ".join(shared)
        if shared
        else "Marketing and sales do not share a first priority yet.",
        anchor=False,
    )
    for team, names in fix_first(results.priorities).items():
        listed = ", ".join(names) if names else "nothing is both important and low-rated"
        st.subheader(f"{plain(workshop.team_name(team))}: {listed}", anchor=False)
    st.subheader(
        "Fix first = picked as critical by more of the team than average, and rated below the team's average.",
        anchor=False,
    )


@st.cache_data(max_entries=8, ttl=900, show_spinner=False)
def pipeline_facts(dataset_id: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float | int]]:
    """Win rate, cycle time and marketing's share of the workshop's current deals dataset."""
    deals = prepare_pipeline(load_dataset_frame(session.engine(), dataset_id, columns=USED_COLUMNS))
    return win_rate(deals), cycle_time(deals), marketing_share(deals)


def _evidence(workshop: WorkshopInfo, _step: int) -> None:
    dataset = current_dataset(session.engine(), workshop.id, "deals")
    if dataset is None:
        st.header("No pipeline data yet: add a CRM export on the Pipeline data page.", anchor=False)
        return
    wins, cycles, share = pipeline_facts(dataset.id)
    st.header(
        f"Marketing sourced {share['pipeline_count_share']:.0%} of deals and "
        f"{share['bookings_share']:.0%} of bookings.",
        anchor=False,
    )
    groups = [g for g in ("marketing", "sales") if g in set(wins["source_group"])]
    columns = st.columns(max(len(groups), 1))
    for column, group in zip(columns, groups, strict=False):
        win = wins.set_index("source_group").loc[group]
        with column:
            big_figure(f"{charts.source_label(group)} win rate", f"{win['win_rate']:.0%}",
                       f"{int(win['won']):,} won of {int(win['closed']):,} closed")  # fmt: skip
            if group in set(cycles["source_group"]):
                days = cycles.set_index("source_group").loc[group, "median_days"]
                big_figure(f"{charts.source_label(group)} median sales cycle", f"{days:.0f} days")
    st.subheader(f"From {dataset.filename}: {dataset.rows_accepted:,} deals.", anchor=False)


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
_STEP_VIEWS = (_participation, _overall, _gaps, _drill_down, _drill_down, _drill_down, _priorities, _evidence, _actions)
