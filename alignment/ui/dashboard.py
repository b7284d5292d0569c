"""Streamlit helpers for the Alignment page: the one cached results loader, filters, chart downloads.

Every figure the page (and presentation mode) shows comes from one ``alignment.results.Results``,
built by ``page_results``: cached by workshop id, its change counter (``revision``), the answer
and deal filters and whether the viewer is the signed-in facilitator. Its two halves are cached
apart — the perception half by round and answer filters, the pipeline half by dataset ids and deal
filters — so changing a deal filter does not rescore the answers and the other way round; the
checked actions (``Results.promises``) are cached by round alone, whatever the filters. The answer
sheets per team that ``Results.over_expected`` checks against the expected head counts come from the
same cached answers (saving head counts changes the revision too). The prepared deal rows
themselves stay in one shared cache entry per dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
import streamlit as st

from alignment import perception
from alignment import results as model
from alignment.action_history import load_promises
from alignment.canonical import SOURCE_GROUPS
from alignment.export.report import actions_table
from alignment.export.tables import chart_table
from alignment.framework import Framework
from alignment.metrics import USED_COLUMNS, DealFilters, prepare_pipeline
from alignment.perception import Perception
from alignment.promises import Promises
from alignment.results import PipelineEvidence, Results
from alignment.store import answers_frame, comments_frame, current_dataset, importance_frame, load_dataset_frame
from alignment.store.headcounts import submitted_by_team
from alignment.store.workshops import WorkshopInfo, round_numbers
from alignment.suppression import LEVEL_LABELS, AnswerFilters
from alignment.ui import downloads, session

CACHE_TTL = 900


@dataclass(frozen=True)
class WorkshopAnswers:
    """All submitted answers, importance picks and comments of a workshop (every round)."""

    answers: pd.DataFrame
    importance: pd.DataFrame
    comments: pd.DataFrame
    rounds: tuple[int, ...]


@st.cache_data(max_entries=16, ttl=CACHE_TTL, show_spinner=False)
def workshop_answers(workshop_id: int, revision: int) -> WorkshopAnswers:
    """Read a workshop's results once per change (``revision``)."""
    engine = session.engine()
    return WorkshopAnswers(
        answers=answers_frame(engine, workshop_id),
        importance=importance_frame(engine, workshop_id),
        comments=comments_frame(engine, workshop_id),
        rounds=tuple(round_numbers(engine, workshop_id)),
    )


@st.cache_data(max_entries=64, ttl=CACHE_TTL, show_spinner=False)
def _screened(workshop_id: int, revision: int, filters: AnswerFilters, k: int, framework_key: str,
              _framework: Framework, _team_names: dict[str, str]) -> tuple[AnswerFilters, str]:
    data = workshop_answers(workshop_id, revision)  # a renamed team changes the revision, so the key holds
    return perception.screened(data.answers, data.importance, filters, k, _framework.item_dimensions(), _team_names)


@st.cache_data(max_entries=32, ttl=CACHE_TTL, show_spinner="Scoring the answers…")
def _all_teams(workshop_id: int, revision: int, filters: AnswerFilters, note: str, for_facilitator: bool,
               framework_key: str, _workshop: WorkshopInfo, _framework: Framework) -> Perception:
    data = workshop_answers(workshop_id, revision)
    return perception.all_teams_results(_workshop, _framework, data.answers, data.importance, data.comments, filters,
                                   note, for_facilitator=for_facilitator)


def _perception(workshop_id: int, revision: int, filters: AnswerFilters, for_facilitator: bool, framework_key: str,
                workshop: WorkshopInfo, framework: Framework) -> Perception:
    """``results.perception_results`` with its parts cached: every team is scored once per round and levels,
    and the team filter only picks rows."""
    filters = replace(filters, round_no=filters.round_no or workshop.current_round)
    allowed, note = _screened(workshop_id, revision, filters, max(3, int(workshop.k)), framework_key, framework,
                              perception.team_names(workshop))
    every_team = _all_teams(workshop_id, revision, replace(allowed, teams=()), note, for_facilitator, framework_key,
                            workshop, framework)
    return perception.restrict_to_teams(every_team, filters.teams)


@st.cache_data(max_entries=64, ttl=CACHE_TTL, show_spinner="Computing the pipeline figures…")
def _pipeline(files: tuple[int | None, int | None, str | None, str | None], filters: DealFilters, sla_hours: float,
              revision: int) -> PipelineEvidence:
    deals_id, leads_id, deals_file, leads_file = files
    if deals_id is None:
        return PipelineEvidence()
    leads = prepared_dataset(leads_id) if leads_id is not None else None
    return model.pipeline_results(prepared_dataset(deals_id), leads, filters, sla_hours=sla_hours,
                                  deals_file=deals_file, leads_file=leads_file)


@st.cache_data(max_entries=16, ttl=CACHE_TTL, show_spinner="Checking the actions agreed last time…")
def _promises(workshop_id: int, revision: int, round_no: int, framework_key: str, _workshop: WorkshopInfo,
              _framework: Framework) -> Promises:
    return load_promises(session.engine(), _workshop, _framework, round_no=round_no)


@st.cache_data(max_entries=32, ttl=CACHE_TTL, show_spinner=False)
def page_results(workshop_id: int, revision: int, filters: AnswerFilters, deal_filters: DealFilters,
                 for_facilitator: bool, framework_key: str, _workshop: WorkshopInfo, _framework: Framework) -> Results:
    """The results object of one page view: ``alignment.results`` over the cached answers and datasets.

    Keyed by workshop id, change counter, the answer and deal filters, the viewer and the framework
    (``framework_key`` names its file and version).
    """
    half = _perception(workshop_id, revision, filters, for_facilitator, framework_key, _workshop, _framework)
    pipeline = _pipeline(current_files(_workshop), deal_filters, _workshop.sla_hours, revision)
    promises = _promises(workshop_id, revision, half.round_no, framework_key, _workshop, _framework)
    submitted = submitted_by_team(workshop_answers(workshop_id, revision).answers, half.round_no)
    return model.assemble(_workshop, _framework, half, pipeline, deal_filters=deal_filters,
                          actions=actions_table(session.engine(), _workshop, _framework),
                          for_facilitator=for_facilitator, promises=promises, submitted=submitted)


def results_for(workshop: WorkshopInfo, framework: Framework, filters: AnswerFilters | None = None,
                deal_filters: DealFilters | None = None, for_facilitator: bool = False) -> Results:
    """``page_results`` for a workshop (default: its current round, every team, level and deal)."""
    return page_results(workshop.id, workshop.revision, filters or AnswerFilters(round_no=workshop.current_round),
                        deal_filters or DealFilters(), for_facilitator, f"{framework.id}:{framework.version}",
                        workshop, framework)


@st.cache_resource(max_entries=4, show_spinner="Loading the pipeline data…")
def prepared_dataset(dataset_id: int) -> pd.DataFrame:
    """A saved dataset's rows, prepared once and shared read-only (never modified by any metric)."""
    return prepare_pipeline(load_dataset_frame(session.engine(), dataset_id, columns=USED_COLUMNS))


def current_files(workshop: WorkshopInfo) -> tuple[int | None, int | None, str | None, str | None]:
    """The current deals and leads dataset ids of a workshop and their file names (None when not uploaded)."""
    engine = session.engine()
    deals, leads = current_dataset(engine, workshop.id, "deals"), current_dataset(engine, workshop.id, "leads")
    return (deals.id if deals else None, leads.id if leads else None, deals.filename if deals else None,
            leads.filename if leads else None)


def dataset_ids(workshop: WorkshopInfo) -> tuple[int | None, int | None]:
    """The current deals and leads dataset ids of a workshop (None when not uploaded)."""
    deals_id, leads_id, _, _ = current_files(workshop)
    return deals_id, leads_id


@st.cache_data(max_entries=8, ttl=CACHE_TTL, show_spinner=False)
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
    """Sidebar widgets for the pipeline: segment, region, product, source group, created dates.

    The dates start at the deals' whole range, which filters nothing: the view is then "all deals"
    (every deal and lead, dated or not), as in presentation mode and the facilitator's files."""
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
        if isinstance(picked, tuple) and len(picked) == 2 and list(picked) != options["dates"]:
            start, end = picked  # the whole range, as the widget starts, is no date filter: all deals
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


def first_to_explore(results: Results, framework: Framework) -> str:
    """The dimension the drill-down opens on: the largest perception gap, else the first dimension."""
    biggest = results.largest_gap()
    return str(biggest["dimension_id"]) if biggest is not None else framework.dimensions[0].id


def show_chart(chart: object, data: pd.DataFrame, name: str, on_select: str = "ignore", *,
               labels: Results) -> object:
    """A chart at full width with its CSV and PNG downloads underneath (when the results may leave the
    app); the CSV holds ``data`` labelled as ``export.tables.chart_table`` does. Returns the selection event."""
    description = getattr(chart, "description", None)
    event = st.altair_chart(chart, width="stretch", key=f"chart_{name}", on_select=on_select,
                            alt=description if isinstance(description, str) else None)
    if labels.downloads_allowed:
        downloads.chart_downloads(chart, chart_table(data, labels), name)
    return event
