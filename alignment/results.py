"""The one results model: everything any output shows, decided once.

``build_results`` is a pure function (no Streamlit, no store): it takes a workshop's submitted
answers, importance picks and comments, the prepared pipeline datasets, the framework, the
catalogue of metrics, the chosen filters and whether the viewer is the signed-in facilitator, and
returns one frozen ``Results``. The Alignment page, presentation mode, the room screen's figures,
chart downloads, the deck, the workbook and the CSV zip all render that object; none computes a
figure of its own.

It is made of two halves, each pure, so a caller may keep one while the other changes:
``alignment.perception.perception_results`` (scores, gaps with intervals, agreement, index,
priorities, round change, comments) and ``pipeline_results`` (every pipeline metric for the deal
filters); ``assemble`` joins them and writes the evidence statements and the reasoned absences.

Decisions made here, so that no output can forget them:

- **Reveal**: the current round's figures are shown only once the facilitator reveals them (the
  facilitator always sees them). While hidden, the object holds no perception figure at all and
  ``downloads_allowed`` is False.
- **Anonymity**: every figure from fewer than ``k`` people is withheld where it is computed
  (``alignment.scoring``); the filter is checked by ``alignment.suppression.check_filter`` and a
  refused level filter is dropped with its reason; teams below ``k`` are named in
  ``withheld_teams`` without their counts, their comments are not listed, and the respondent total
  counts only the teams shown (a total that included them would give their count away).
- **Head counts**: a team in view that handed in more answer sheets this round than the
  facilitator's expected head count (``alignment.store.headcounts``) is named in ``over_expected``
  with that expected number — never with its count of sheets, which may be below ``k``.
- **Unknown is never zero**: a figure that cannot be computed is absent (NA) and ``absences`` says
  why in words ("the deals have no lead source", "no deal is won yet", "fewer than 3 people
  answered").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import pandas as pd

from alignment import numbers, view_words
from alignment.catalogue import Catalogue, load_catalogue
from alignment.evidence import NO_PIPELINE, NO_SOURCE, NO_WON, PipelineFacts, evidence_statements, pipeline_facts
from alignment.framework import Framework
from alignment.gaps import largest_gap
from alignment.lead_metrics import filter_leads
from alignment.metrics import DealFilters, filter_deals
from alignment.perception import Perception, perception_results
from alignment.promises import Promises
from alignment.scoring import MARKETING, SALES, too_few
from alignment.store.headcounts import expected_head_counts, over_expected, over_expected_sentence, submitted_by_team
from alignment.store.workshops import WorkshopInfo
from alignment.suppression import AnswerFilters

TOP_GAPS: Final = 3
DEFAULT_LEAKAGE_DAYS: Final = 7
EVERYONE: Final = AnswerFilters()
EVERY_DEAL: Final = DealFilters()
COUNT_COLUMNS: Final = ("n", "n_dont_know", "n_marketing", "n_sales", "picks", "respondents", "answers",
                        "dont_know", "items_shown")


@dataclass(frozen=True)
class PipelineEvidence:
    """The pipeline facts for the chosen deal filters (``facts`` None when no deals file is saved)."""

    deals_file: str | None = None
    leads_file: str | None = None
    facts: PipelineFacts | None = None

    @property
    def available(self) -> bool:
        return self.facts is not None and self.facts.deals > 0

    @property
    def currency(self) -> str | None:
        return self.facts.currency if self.facts is not None else None

    def table(self, metric_table: str | None) -> pd.DataFrame | None:
        """A metric table by name (``win_rate``, ``lead_acceptance``, …), None without data."""
        return self.facts.table(metric_table) if self.facts is not None else None


@dataclass(frozen=True)
class Results:
    """Everything any output shows of one round, for one viewer and one set of filters."""

    workshop: WorkshopInfo
    framework: Framework
    catalogue: Catalogue
    k: int
    for_facilitator: bool
    made_on: date
    perception: Perception
    deal_filters: DealFilters
    pipeline: PipelineEvidence
    evidence: pd.DataFrame
    actions: pd.DataFrame
    absences: dict[str, str] = field(default_factory=dict)
    answers: pd.DataFrame | None = None
    promises: Promises = field(default_factory=Promises)
    over_expected: tuple[tuple[str, int], ...] = ()  # (team name, people expected), no count of sheets

    # --- the perception half, by name -------------------------------------------------------
    def __getattr__(self, name: str) -> object:
        """``results.dimensions``, ``results.gaps`` …: the fields of ``perception``."""
        if name != "perception" and name in Perception.__dataclass_fields__:
            return getattr(self.perception, name)
        raise AttributeError(name)

    @property
    def comments(self) -> pd.DataFrame:
        return self.perception.comments

    @property
    def visible(self) -> bool:
        """Whether this round's perception figures may be shown to this viewer."""
        return self.perception.visible

    @property
    def empty(self) -> bool:
        """No answers in this round and view (or none that may be shown)."""
        return self.perception.respondents.empty

    @property
    def downloads_allowed(self) -> bool:
        """Whether files with this round's figures may leave the app for this viewer."""
        return self.perception.visible

    @property
    def withheld_teams(self) -> tuple[str, ...]:
        """Names of the teams in view with answers from fewer than ``k`` people (never their counts)."""
        table = self.perception.participation
        below = table[table["respondents"].isna() & table["answered"]]
        return tuple(below["team_name"])

    @property
    def respondents_shown(self) -> int:
        """People in the teams that are shown (teams below ``k`` are not added in)."""
        table = self.perception.respondents
        return int(table.loc[table["enough"], "respondents"].sum())

    @property
    def withheld_reason(self) -> str:
        """Why a figure from fewer than ``k`` people is not shown, in the words every output uses."""
        return too_few(self.k)

    def team_name(self, team: str) -> str:
        return self.workshop.team_name(team)

    def over_expected_note(self) -> str:
        """Each team in view with more answer sheets than people expected, in words; "" when none."""
        return " ".join(over_expected_sentence(name, people) for name, people in self.over_expected)

    def top_gaps(self, count: int = TOP_GAPS) -> pd.DataFrame:
        """The ``count`` dimensions with the largest shown absolute gap, largest first."""
        table = self.gaps.dimensions.set_index("dimension_id")
        return table.loc[top_gap_ids(self.gaps.dimensions, count)].reset_index()

    def largest_gap(self) -> pd.Series | None:
        return largest_gap(self.gaps.dimensions)

    def headline(self) -> str:
        """What the alignment index says, in words for the room (no formula)."""
        index = self.index
        if index.index is None:
            return self.absences.get("index", "The alignment index cannot be worked out yet.")
        band = self.catalogue.band(index.index)
        return f"Alignment index {numbers.whole(index.index)} of 100, {band.name}: {band.meaning}."

    def index_parts(self) -> str:
        """The index's parts in plain words."""
        index = self.index
        if index.index is None:
            return ""
        return (f"Level {numbers.whole(index.level)} (how well both teams rate the practice) and closeness "
                f"{numbers.whole(index.consistency)} (100 minus their average gap), over {index.dimensions_used} "
                f"dimension{'s' if index.dimensions_used != 1 else ''}.")

    def index_change(self) -> str | None:
        """``+4 on round 1`` when the previous round's index is known."""
        earlier = self.previous_index
        if self.index.index is None or earlier is None or earlier.index is None:
            return None
        return f"{numbers.signed(self.index.index - earlier.index)} on round {self.round_no - 1}"

    def gap_sentence(self, row: pd.Series) -> str:
        """One gap in words; its direction is stated only when the interval excludes zero."""
        points = numbers.whole(abs(row["gap"]))
        spread = f"95% interval {numbers.interval(row['low'], row['high'])}"
        scores = f"marketing {numbers.whole(row['marketing'])}, sales {numbers.whole(row['sales'])}"
        if numbers.certain(row["low"], row["high"]):
            who = "marketing" if row["gap"] > 0 else "sales"
            return f"{row['dimension_name']}: {points} points apart, {who} rates it higher ({scores}; {spread})"
        return f"{row['dimension_name']}: {points} points apart, which may be chance ({scores}; {spread})"

    def share_sentence(self) -> str:
        """Marketing's share of the pipeline and of bookings, or why it cannot be said."""
        for reason in ("pipeline", "marketing_share"):
            if reason in self.absences:
                return self.absences[reason]
        share = self.pipeline.facts.marketing_share if self.pipeline.facts is not None else {}
        said = f"Marketing sourced {numbers.percent(share['pipeline_count_share'])} of the deals created"
        if "bookings_share" in self.absences:
            return f"{said}. {self.absences['bookings_share']}"
        return f"{said} and {numbers.percent(share['bookings_share'])} of the value won."

    def dont_know_overall(self) -> float | None:
        shares = self.dont_know_by_team.dropna(subset=["share"])
        return float(shares["dont_know"].sum() / shares["answers"].sum()) if len(shares) else None

    def fix_first(self, top: int = TOP_GAPS) -> dict[str, list[str]]:
        """Per team shown, up to ``top`` dimensions of its Fix first quadrant, the most often picked first."""
        table = self.priorities
        fix = table[table["quadrant"] == "Fix first"].sort_values("importance", ascending=False, kind="stable")
        teams = [t for t in (MARKETING, SALES) if t in set(table["team"])] + sorted(
            t for t in set(table["team"]) if t not in (MARKETING, SALES))
        return {team: fix.loc[fix["team"] == team, "dimension_name"].head(top).tolist() for team in teams}

    def filter_labels(self) -> list[tuple[str, str]]:
        """The filters in force as (what, chosen values) labels for files and captions."""
        filters = self.filters
        return [("Round", str(self.round_no)), ("Teams", view_words.teams_words(filters, self.team_name)),
                ("Levels", view_words.levels_words(filters)), ("Deals", view_words.deals_words(self.deal_filters))]

    @property
    def filtered(self) -> bool:
        """Whether a team, level or deal filter narrows this view."""
        return view_words.is_filtered(self.filters, self.deal_filters)

    def view_description(self) -> str:
        """The view in words: "every team and level, all deals", or the filters named (``alignment.view_words``)."""
        return view_words.describe_view(self.filters, self.deal_filters, self.team_name)


def top_gap_ids(gaps: pd.DataFrame, count: int = TOP_GAPS) -> list[str]:
    """Ids of the ``count`` dimensions with the largest shown absolute gap, largest first."""
    shown = gaps.dropna(subset=["gap"])
    order = shown["gap"].abs().sort_values(ascending=False, kind="stable").index
    return [str(d) for d in shown.loc[order, "dimension_id"].head(count)]


def withhold_counts(table: pd.DataFrame) -> pd.DataFrame:
    """A copy where withheld rows (``suppressed``) also lose their counts, which rest on < k people."""
    if "suppressed" not in table.columns:
        return table
    out = table.copy()
    hidden = out["suppressed"].astype(bool).to_numpy()
    for column in COUNT_COLUMNS:
        if column in out.columns:
            out[column] = out[column].astype("Float64").mask(hidden)
    return out


def pipeline_results(
    deals: pd.DataFrame | None,
    leads: pd.DataFrame | None,
    deal_filters: DealFilters,
    *,
    sla_hours: float,
    catalogue: Catalogue | None = None,
    deals_file: str | None = None,
    leads_file: str | None = None,
) -> PipelineEvidence:
    """Every pipeline metric over the deals (and leads) that match ``deal_filters``; the leakage
    window is the catalogue's ``lead_leakage`` parameter ``days``."""
    if deals is None:
        return PipelineEvidence()
    catalogue = catalogue or load_catalogue()
    days = int(catalogue.metric("lead_leakage").parameters.get("days", DEFAULT_LEAKAGE_DAYS)) if (
        "lead_leakage" in catalogue.ids) else DEFAULT_LEAKAGE_DAYS
    chosen_leads = None if leads is None else filter_leads(leads, deal_filters)
    facts = pipeline_facts(filter_deals(deals, deal_filters), chosen_leads, sla_hours, days)
    return PipelineEvidence(deals_file=deals_file, leads_file=leads_file, facts=facts)


def _absences(perception: Perception, pipeline: PipelineEvidence, k: int) -> dict[str, str]:
    """Every figure that cannot be shown, with its reason in words."""
    out: dict[str, str] = {}
    if not perception.visible:
        out["perception"] = perception.hidden_reason
    elif perception.respondents.empty:
        out["perception"] = f"No answers yet in round {perception.round_no} for this view."
    counts = dict(zip(perception.respondents["team"], perception.respondents["enough"], strict=True))
    short = [t for t in (MARKETING, SALES) if not counts.get(t, False)]
    if perception.index.index is None:
        out["index"] = (f"The alignment index needs at least {k} people from marketing and from sales; "
                        f"{' and '.join(short) or 'one of them'} {'has' if len(short) == 1 else 'have'} fewer so far."
                        if short else "The alignment index needs scores from both marketing and sales.")
    if perception.gaps.dimensions["gap"].notna().sum() == 0:
        out["gaps"] = (f"No gap can be shown until marketing and sales each have at least {k} people answering."
                       if short else str(perception.gaps.dimensions["reason"].iloc[0]).capitalize() + "."
                       if len(perception.gaps.dimensions) else "No gap can be shown yet.")
    if perception.priorities.empty:
        out["priorities"] = f"Priorities need at least {k} people in a team who picked what matters most."
    facts = pipeline.facts
    if facts is None:
        out["pipeline"] = NO_PIPELINE
    elif not facts.deals:
        out["pipeline"] = "No deals match these filters. Widen the segment, region, product or date filters."
    elif not facts.has_source:
        out["marketing_share"] = NO_SOURCE
    elif not numbers.known(facts.marketing_share["bookings_share"]):
        out["bookings_share"] = NO_WON
    if facts is not None and facts.lead_acceptance is None:
        out["leads"] = ("No leads file: add a leads export on the Pipeline data page to see acceptance, response "
                        "time and leakage.")
    return out


def assemble(
    workshop: WorkshopInfo,
    framework: Framework,
    perception: Perception,
    pipeline: PipelineEvidence,
    *,
    deal_filters: DealFilters = EVERY_DEAL,
    actions: pd.DataFrame | None = None,
    catalogue: Catalogue | None = None,
    for_facilitator: bool = False,
    made_on: date | None = None,
    answers_sheet: pd.DataFrame | None = None,
    promises: Promises | None = None,
    submitted: Mapping[str, int] | None = None,
) -> Results:
    """Join the two halves: evidence statements and reasoned absences are written here. ``promises``
    (``alignment.promises.promises_results``) is withheld with the round's reason while the round is hidden;
    ``submitted`` (``headcounts.submitted_by_team`` of the round) is checked against the expected head counts."""
    catalogue = catalogue or load_catalogue()
    k = max(3, int(workshop.k))
    if perception.visible:
        evidence = evidence_statements(framework, perception.gaps.dimensions, pipeline.facts, catalogue)
    else:
        evidence = evidence_statements(framework, perception.gaps.dimensions.iloc[0:0], None, catalogue).iloc[0:0]
    return Results(
        workshop=workshop, framework=framework, catalogue=catalogue, k=k, for_facilitator=for_facilitator,
        made_on=made_on or date.today(), perception=perception, deal_filters=deal_filters, pipeline=pipeline,
        evidence=evidence, actions=actions if actions is not None else pd.DataFrame(
            columns=["text", "owner", "due_date", "status", "dimension_id", "dimension_name", "round_no"]),
        absences=_absences(perception, pipeline, k),
        answers=answers_sheet if for_facilitator and perception.visible else None,
        promises=_promises_shown(promises if promises is not None else Promises(perception.round_no), perception),
        over_expected=_over_expected(workshop, perception, submitted or {}),
    )


def _over_expected(workshop: WorkshopInfo, perception: Perception,
                   submitted: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """The teams in view (every level: a head count is the whole team's) with more sheets than expected."""
    if not perception.visible:
        return ()
    flagged = over_expected(submitted, expected_head_counts(workshop))
    in_view = [team for team in workshop.team_ids if team in flagged and (
        not perception.filters.teams or team in perception.filters.teams)]
    return tuple((workshop.team_name(team), flagged[team][1]) for team in in_view)


def _promises_shown(promises: Promises, perception: Perception) -> Promises:
    return promises if perception.visible else promises.withheld(perception.hidden_reason)


def build_results(
    workshop: WorkshopInfo,
    framework: Framework,
    answers: pd.DataFrame,
    importance: pd.DataFrame,
    comments: pd.DataFrame,
    *,
    deals: pd.DataFrame | None = None,
    leads: pd.DataFrame | None = None,
    deals_file: str | None = None,
    leads_file: str | None = None,
    filters: AnswerFilters = EVERYONE,
    deal_filters: DealFilters = EVERY_DEAL,
    actions: pd.DataFrame | None = None,
    catalogue: Catalogue | None = None,
    for_facilitator: bool = False,
    made_on: date | None = None,
    answers_sheet: pd.DataFrame | None = None,
    promises: Promises | None = None,
) -> Results:
    """The results of one round for one viewer and one set of filters (see the module docstring).

    ``deals``/``leads`` are prepared frames (``metrics.prepare_pipeline``) or None without a file;
    ``answers_sheet`` is the facilitator's anonymous answers table, kept only for the facilitator;
    ``promises`` the round's checked actions (``alignment.promises.promises_results``).
    """
    catalogue = catalogue or load_catalogue()
    perception = perception_results(workshop, framework, answers, importance, comments, filters,
                                    for_facilitator=for_facilitator)
    pipeline = pipeline_results(deals, leads, deal_filters, sla_hours=workshop.sla_hours, catalogue=catalogue,
                                deals_file=deals_file, leads_file=leads_file)
    return assemble(workshop, framework, perception, pipeline, deal_filters=deal_filters, actions=actions,
                    catalogue=catalogue, for_facilitator=for_facilitator, made_on=made_on,
                    answers_sheet=answers_sheet, promises=promises,
                    submitted=submitted_by_team(answers, perception.round_no))
