"""Streamlit helpers for the Alignment page: cached results, executive filters, chart downloads.

Everything the page shows comes from two cached views:

- ``perception_view`` — scores, gaps, agreement, priorities and the index for one round and one
  set of answer filters. Every team is scored once per workshop id, round, levels, ``k`` and the
  workshop's change counter (``revision``), so a new answer or a hidden comment recomputes and
  nothing else does; the team filter then only picks rows (``restrict_to_teams``);
- ``pipeline_view`` — every pipeline metric for one set of deal filters, keyed by the dataset ids
  and the revision. The prepared deal rows themselves stay in one shared cache entry per dataset.

``build_perception`` and ``build_pipeline`` are the uncached computations (the benchmark times them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import streamlit as st

from alignment import scoring
from alignment.answer_matrix import AnswerMatrix
from alignment.canonical import SOURCE_GROUPS
from alignment.evidence import PipelineFacts, pipeline_facts
from alignment.framework import Framework
from alignment.gaps import PerceptionGaps, largest_gap, perception_gaps
from alignment.lead_metrics import filter_leads
from alignment.metrics import USED_COLUMNS, DealFilters, filter_deals, prepare_pipeline
from alignment.scoring import MARKETING, SALES
from alignment.store import answers_frame, comments_frame, current_dataset, importance_frame, load_dataset_frame
from alignment.store.workshops import WorkshopInfo, round_numbers
from alignment.suppression import (
    LEVEL_LABELS,
    AnswerFilters,
    FilterCheck,
    Release,
    check_filter,
    released_answers,
    released_groups,
    visible_comments,
)
from alignment.ui import downloads, session

LEAKAGE_DAYS = 7


@dataclass(frozen=True)
class WorkshopAnswers:
    """All submitted answers, importance picks and visible comments of a workshop (every round)."""

    answers: pd.DataFrame
    importance: pd.DataFrame
    comments: pd.DataFrame
    rounds: tuple[int, ...]


@dataclass(frozen=True)
class PerceptionView:
    """Everything the perception half of the page shows, for one round and one filter."""

    respondents: pd.DataFrame
    dimensions: pd.DataFrame
    gaps: PerceptionGaps
    self_other: pd.DataFrame
    agreement: pd.DataFrame
    dont_know_by_team: pd.DataFrame
    dont_know_by_dimension: pd.DataFrame
    importance: pd.DataFrame
    priorities: pd.DataFrame
    index: scoring.AlignmentIndex
    previous_index: scoring.AlignmentIndex | None
    round_change: pd.DataFrame
    answers: pd.DataFrame
    release: Release = Release(frozenset(), frozenset())

    @property
    def empty(self) -> bool:
        return self.respondents.empty


@st.cache_data(max_entries=16, show_spinner=False)
def workshop_answers(workshop_id: int, revision: int) -> WorkshopAnswers:
    """Read a workshop's results once per change (``revision``)."""
    engine = session.engine()
    return WorkshopAnswers(
        answers=answers_frame(engine, workshop_id),
        importance=importance_frame(engine, workshop_id),
        comments=comments_frame(engine, workshop_id),
        rounds=tuple(round_numbers(engine, workshop_id)),
    )


def build_perception(data: WorkshopAnswers, framework: Framework, k: int, filters: AnswerFilters) -> PerceptionView:
    """Compute the perception view for ``filters`` (which must have passed ``check_filter``).

    Teams are never pooled, so every team is scored once for the round and levels and the team
    filter only picks rows (``restrict_to_teams``): changing teams recomputes nothing.
    """
    everyone = AnswerFilters(round_no=filters.round_no, levels=filters.levels)
    return restrict_to_teams(_all_teams(data, framework, k, everyone), filters.teams)


def _released(
    data: WorkshopAnswers, framework: Framework, filters: AnswerFilters, k: int
) -> tuple[pd.DataFrame, pd.DataFrame, Release]:
    """The answers and picks a view may use: only teams that ``released_groups`` shows for it."""
    release = released_groups(data.answers, filters, k, data.importance, item_dimensions(framework))
    return (released_answers(data.answers, filters, release), released_answers(data.importance, filters, release),
            release)


def _all_teams(data: WorkshopAnswers, framework: Framework, k: int, filters: AnswerFilters) -> PerceptionView:
    answers, importance, release = _released(data, framework, filters, k)
    matrix = AnswerMatrix.build(answers, framework)
    dimensions = scoring.dimension_scores(matrix, framework, k)
    gaps = perception_gaps(matrix, framework, k)
    shares = scoring.importance_share(importance, framework, k)
    previous = None
    if filters.round_no is not None and filters.round_no - 1 in data.rounds:
        earlier = AnswerFilters(round_no=filters.round_no - 1, teams=filters.teams, levels=filters.levels)
        before = _released(data, framework, earlier, k)[0]
        if len(before):
            earlier_gaps = perception_gaps(before, framework, k, resamples=1).dimensions  # only the point gaps are used
            previous = scoring.alignment_index(pd.DataFrame(), earlier_gaps)
    across_rounds = _released(data, framework, AnswerFilters(teams=filters.teams, levels=filters.levels), k)[0]
    return PerceptionView(
        respondents=scoring.respondents_by_team(matrix, k),
        dimensions=dimensions,
        gaps=gaps,
        self_other=scoring.self_other(dimensions),
        agreement=scoring.agreement(matrix, framework, k),
        dont_know_by_team=scoring.dont_know_share(matrix, framework, k, by_dimension=False),
        dont_know_by_dimension=scoring.dont_know_share(matrix, framework, k),
        importance=shares,
        priorities=scoring.priorities(dimensions, shares),
        index=scoring.alignment_index(dimensions, gaps.dimensions),
        previous_index=previous,
        round_change=scoring.round_change(across_rounds, framework, k),
        answers=answers,
        release=release,
    )


def restrict_to_teams(view: PerceptionView, teams: tuple[str, ...]) -> PerceptionView:
    """The view for the chosen teams only (all teams when ``teams`` is empty).

    Per-team tables keep the chosen teams' rows; the gap and the index need both marketing and
    sales among them, and say so otherwise.
    """
    if not teams:
        return view
    chosen = list(teams)

    def rows(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["team"].isin(chosen)].reset_index(drop=True)

    both = MARKETING in chosen and SALES in chosen
    gaps = view.gaps if both else PerceptionGaps(_without_gap(view.gaps.dimensions, chosen),
                                                  _without_gap(view.gaps.items, chosen))
    dimensions = rows(view.dimensions)
    return PerceptionView(
        respondents=rows(view.respondents), dimensions=dimensions, gaps=gaps,
        self_other=scoring.self_other(dimensions), agreement=rows(view.agreement),
        dont_know_by_team=rows(view.dont_know_by_team), dont_know_by_dimension=rows(view.dont_know_by_dimension),
        importance=rows(view.importance), priorities=rows(view.priorities),
        index=scoring.alignment_index(dimensions, gaps.dimensions),
        previous_index=view.previous_index if both else None, round_change=rows(view.round_change),
        answers=rows(view.answers),
        release=Release(frozenset(g for g in view.release.shown if g[1] in chosen),
                        frozenset(g for g in view.release.withheld if g[1] in chosen)),
    )


def _without_gap(table: pd.DataFrame, chosen: list[str]) -> pd.DataFrame:
    out = table.copy()
    for team in (MARKETING, SALES):
        if team not in chosen:
            out[team], out[f"n_{team}"] = np.nan, 0
    out["gap"], out["low"], out["high"] = np.nan, np.nan, np.nan
    out["suppressed"], out["reason"] = True, "choose both marketing and sales to see the gap"
    return out


@st.cache_data(max_entries=32, show_spinner="Scoring the answers…")
def _scored_round(workshop_id: int, revision: int, filters: AnswerFilters, k: int, framework_key: str,
                  _framework: Framework) -> PerceptionView:
    return _all_teams(workshop_answers(workshop_id, revision), _framework, k, filters)


def perception_view(workshop_id: int, revision: int, filters: AnswerFilters, k: int, framework_key: str,
                    framework: Framework) -> PerceptionView:
    """``build_perception``, with the all-teams scores cached by workshop, change counter, round,
    levels and ``k`` (``framework_key`` names the framework file and version)."""
    everyone = AnswerFilters(round_no=filters.round_no, levels=filters.levels)
    return restrict_to_teams(_scored_round(workshop_id, revision, everyone, k, framework_key, framework),
                             filters.teams)


@st.cache_resource(max_entries=4, show_spinner="Loading the pipeline data…")
def prepared_dataset(dataset_id: int) -> pd.DataFrame:
    """A saved dataset's rows, prepared once and shared read-only (never modified by any metric)."""
    return prepare_pipeline(load_dataset_frame(session.engine(), dataset_id, columns=USED_COLUMNS))


def dataset_ids(workshop: WorkshopInfo) -> tuple[int | None, int | None]:
    """The current deals and leads dataset ids of a workshop (None when not uploaded)."""
    engine = session.engine()
    deals, leads = current_dataset(engine, workshop.id, "deals"), current_dataset(engine, workshop.id, "leads")
    return (deals.id if deals else None), (leads.id if leads else None)


def build_pipeline(
    deals: pd.DataFrame,
    leads: pd.DataFrame | None,
    filters: DealFilters,
    sla_hours: float,
    leakage_days: int = LEAKAGE_DAYS,
) -> PipelineFacts:
    """Filter the deals (and leads) and compute every pipeline metric."""
    chosen_leads = None if leads is None else filter_leads(leads, filters)
    return pipeline_facts(filter_deals(deals, filters), chosen_leads, sla_hours, leakage_days)


@st.cache_data(max_entries=64, show_spinner="Computing the pipeline figures…")
def pipeline_view(
    deals_id: int, leads_id: int | None, filters: DealFilters, sla_hours: float, revision: int
) -> PipelineFacts:
    """``build_pipeline`` cached by dataset ids, filters, SLA and the workshop's change counter."""
    leads = prepared_dataset(leads_id) if leads_id is not None else None
    return build_pipeline(prepared_dataset(deals_id), leads, filters, sla_hours)


@st.cache_data(max_entries=8, show_spinner=False)
def pipeline_options(deals_id: int) -> dict[str, list]:
    """The values an executive can filter the deals by, and the range of created dates."""
    deals = prepared_dataset(deals_id)
    options: dict[str, list] = {
        column: sorted(str(v) for v in deals[column].dropna().unique()) for column in ("segment", "region", "product")
    }
    present = set(deals["source_group"].dropna().astype(str))
    options["source_group"] = [g for g in SOURCE_GROUPS if g in present]
    created = deals["created_date"].dropna()
    options["dates"] = [created.min().date(), created.max().date()] if len(created) else []
    return options


def answer_filters(workshop: WorkshopInfo, data: WorkshopAnswers) -> AnswerFilters:
    """Sidebar widgets for round, teams and levels."""
    rounds = list(data.rounds) or [workshop.current_round]
    st.sidebar.subheader("Filters")
    default_round = workshop.current_round if workshop.current_round in rounds else rounds[-1]
    round_no = st.sidebar.selectbox(
        "Round", rounds, index=rounds.index(default_round), key="filter_round", format_func=lambda r: f"Round {r}"
    )
    teams_present = sorted(data.answers["team"].dropna().unique(), key=lambda t: (t not in ("marketing", "sales"), t))
    teams = st.sidebar.multiselect(
        "Teams", teams_present, key="filter_teams", placeholder="All teams", format_func=workshop.team_name
    )
    levels = st.sidebar.multiselect(
        "Levels",
        list(LEVEL_LABELS),
        key="filter_levels",
        placeholder="All levels",
        format_func=lambda level: LEVEL_LABELS[level].capitalize(),
    )
    return AnswerFilters(round_no=int(round_no), teams=tuple(teams), levels=tuple(levels))


def deal_filters(deals_id: int | None) -> DealFilters:
    """Sidebar widgets for the pipeline: segment, region, product, source group, created dates."""
    if deals_id is None:
        return DealFilters()
    options = pipeline_options(deals_id)
    chosen: dict[str, tuple[str, ...]] = {}
    for column, label in (
        ("segment", "Segments"),
        ("region", "Regions"),
        ("product", "Products"),
        ("source_group", "Source groups"),
    ):
        if options[column]:
            chosen[column] = tuple(
                st.sidebar.multiselect(
                    label, options[column], key=f"filter_{column}", placeholder=f"All {label.lower()}"
                )
            )
    start = end = None
    if options["dates"]:
        picked = st.sidebar.date_input(
            "Deals created between",
            value=tuple(options["dates"]),
            min_value=options["dates"][0],
            max_value=options["dates"][1],
            key="filter_dates",
        )
        if isinstance(picked, tuple) and len(picked) == 2:
            start, end = picked
    return DealFilters(
        segments=chosen.get("segment", ()),
        regions=chosen.get("region", ()),
        products=chosen.get("product", ()),
        source_groups=chosen.get("source_group", ()),
        start=_day(start),
        end=_day(end),
    )


def _day(value: object) -> date | None:
    return value if isinstance(value, date) else None


@st.cache_data(max_entries=64, show_spinner=False)
def _filter_check(workshop_id: int, revision: int, filters: AnswerFilters, k: int, framework_key: str,
                  _framework: Framework) -> FilterCheck:
    data = workshop_answers(workshop_id, revision)
    return check_filter(data.answers, filters, k, data.importance, item_dimensions(_framework))


def item_dimensions(framework: Framework) -> dict[str, str]:
    """Item id → dimension id, so that the disclosure check also counts who rated anything in a dimension."""
    return {item.id: item.dimension_id for item in framework.items}


@st.cache_data(max_entries=16, show_spinner=False)
def readable_comments(workshop_id: int, revision: int, round_no: int | None, k: int) -> pd.DataFrame:
    """The round's comments anyone may read: from teams whose all-levels view is shown (never split by level)."""
    data = workshop_answers(workshop_id, revision)
    everyone = AnswerFilters(round_no=round_no)
    return visible_comments(data.comments[data.comments["round_no"] == round_no],
                            released_groups(data.answers, everyone, k, data.importance))


def first_to_explore(view: PerceptionView, framework: Framework) -> str:
    """The dimension the drill-down opens on: the largest perception gap, else the first dimension."""
    biggest = largest_gap(view.gaps.dimensions)
    return str(biggest["dimension_id"]) if biggest is not None else framework.dimensions[0].id


def safe_filters(workshop: WorkshopInfo, filters: AnswerFilters, k: int) -> tuple[AnswerFilters, FilterCheck]:
    """The filters as chosen, and whether the level cut withholds teams that all levels show (cached by
    workshop, change counter, filters and ``k``). The view itself only ever uses the released groups."""
    framework = session.framework(workshop)
    return filters, _filter_check(workshop.id, workshop.revision, filters, k, f"{framework.id}:{framework.version}",
                                  framework)


def show_chart(chart: object, data: pd.DataFrame, name: str, on_select: str = "ignore") -> object:
    """A chart at full width with its CSV and PNG downloads underneath; returns the selection event."""
    description = getattr(chart, "description", None)
    event = st.altair_chart(chart, width="stretch", key=f"chart_{name}", on_select=on_select,
                            alt=description if isinstance(description, str) else None)
    downloads.chart_downloads(chart, data, name)
    return event
