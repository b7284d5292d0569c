"""Everything one report holds, computed once by the same functions the dashboard calls.

``build_report`` reads the workshop's submitted answers, importance picks, actions and current
pipeline datasets and runs them through ``alignment.scoring``, ``alignment.gaps`` and
``alignment.metrics`` — the deck, the workbook and the CSV files are then only layouts of this
one object, so an export can never disagree with the screen.

Anonymity: every perception figure arrives already withheld below the workshop's ``k`` (see
``alignment.scoring``). ``withhold_counts`` goes one step further for exports and blanks the
respondent and "don't know" counts of withheld rows too, so no number from fewer than ``k``
people leaves the app. The facilitator-only answers and comments are limited to team-rounds with
at least ``k`` respondents, and answers get a fresh random respondent number per export.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import pandas as pd
from sqlalchemy import Engine

from alignment import metrics
from alignment.action_history import action_history, workshop_progress
from alignment.action_progress import ActionProgress
from alignment.evidence import PipelineFacts, evidence_statements, pipeline_facts
from alignment.framework import Framework
from alignment.gaps import PerceptionGaps, perception_gaps
from alignment.scoring import (
    AlignmentIndex,
    agreement,
    alignment_index,
    answer_distribution,
    dimension_scores,
    dont_know_share,
    importance_share,
    item_scores,
    priorities,
    respondents_by_team,
    round_change,
)
from alignment.store import (
    WorkshopInfo,
    answers_frame,
    comments_frame,
    current_dataset,
    importance_frame,
    load_dataset_frame,
)
from alignment.store.actions import list_actions

TOP_GAPS: Final = 3
COUNT_COLUMNS: Final = ("n", "n_dont_know", "n_marketing", "n_sales", "picks", "respondents", "answers",
                        "dont_know", "items_shown")


@dataclass(frozen=True)
class PipelineEvidence:
    """The dashboard's pipeline facts from the workshop's current datasets (``facts`` None when none)."""

    deals_file: str | None = None
    leads_file: str | None = None
    facts: PipelineFacts | None = None

    @property
    def available(self) -> bool:
        return self.facts is not None and self.facts.deals > 0

    def table(self, metric_id: str) -> pd.DataFrame | None:
        """A metric table by id (``win_rate``, ``lead_acceptance``, …), None without data."""
        return getattr(self.facts, metric_id, None) if self.facts is not None else None


@dataclass(frozen=True)
class WorkshopReport:
    """One workshop's results in one round, ready to lay out as a deck, a workbook or CSV files."""

    workshop: WorkshopInfo
    framework: Framework
    round_no: int
    made_on: date
    participation: pd.DataFrame
    dimensions: pd.DataFrame
    items: pd.DataFrame
    gaps: PerceptionGaps
    index: AlignmentIndex
    agreement: pd.DataFrame
    dont_know: pd.DataFrame
    importance: pd.DataFrame
    priorities: pd.DataFrame
    rounds: pd.DataFrame
    round_items: pd.DataFrame
    pipeline: PipelineEvidence
    actions: pd.DataFrame
    previous_index: AlignmentIndex | None = None
    distributions: dict[str, pd.DataFrame] = field(default_factory=dict)
    evidence: pd.DataFrame | None = None
    answers: pd.DataFrame | None = None
    comments: pd.DataFrame | None = None
    progress: tuple[ActionProgress, ...] = ()
    action_history: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def k(self) -> int:
        return self.workshop.k

    def top_gaps(self, count: int = TOP_GAPS) -> pd.DataFrame:
        """The ``count`` dimensions with the largest shown absolute gap, largest first."""
        table = self.gaps.dimensions.set_index("dimension_id")
        return table.loc[top_gap_ids(self.gaps.dimensions, count)].reset_index()

    def team_name(self, team: str) -> str:
        return self.workshop.team_name(team)


def top_gap_ids(gaps: pd.DataFrame, count: int = TOP_GAPS) -> list[str]:
    """Ids of the ``count`` dimensions with the largest shown absolute gap, largest first."""
    shown = gaps.dropna(subset=["gap"])
    order = shown["gap"].abs().sort_values(ascending=False, kind="stable").index
    return [str(d) for d in shown.loc[order, "dimension_id"].head(count)]


def actions_table(engine: Engine, workshop: WorkshopInfo, framework: Framework) -> pd.DataFrame:
    """The agreed actions as the Facilitator page lists them (open first, then oldest first):
    ``text, owner, due_date, status, dimension_id, dimension_name, round_no``."""
    names = {d.id: d.name for d in framework.dimensions}
    rows = [{"text": a.text, "owner": a.owner, "due_date": a.due_date, "status": a.status,
             "dimension_id": a.dimension_id, "dimension_name": names.get(a.dimension_id or "", ""),
             "round_no": a.round_no} for a in list_actions(engine, workshop.id)]
    return pd.DataFrame(rows, columns=["text", "owner", "due_date", "status", "dimension_id", "dimension_name",
                                       "round_no"])


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


def participation_table(answers: pd.DataFrame, workshop: WorkshopInfo) -> pd.DataFrame:
    """People who submitted per team (every team of the workshop, 0 included): ``team, team_name,
    respondents, enough``; ``respondents`` is withheld (NA) for teams with 1 to k − 1 people."""
    counts = respondents_by_team(answers, workshop.k).set_index("team")["respondents"] if len(answers) else {}
    teams = list(dict.fromkeys([*workshop.team_ids, *[str(t) for t in getattr(counts, "index", [])]]))
    rows = []
    for team in teams:
        people = int(counts.get(team, 0)) if len(answers) else 0
        rows.append({"team": team, "team_name": workshop.team_name(team), "respondents": people,
                     "enough": people >= workshop.k})
    table = pd.DataFrame(rows, columns=["team", "team_name", "respondents", "enough"])
    table["respondents"] = table["respondents"].astype("Int64").mask(
        (table["respondents"] > 0) & ~table["enough"].astype(bool))
    return table


def pipeline_evidence(engine: Engine, workshop: WorkshopInfo) -> PipelineEvidence:
    """``evidence.pipeline_facts`` over the workshop's current deals (and leads) datasets, unfiltered."""
    deals_info = current_dataset(engine, workshop.id, "deals")
    if deals_info is None:
        return PipelineEvidence()
    leads_info = current_dataset(engine, workshop.id, "leads")
    used = metrics.USED_COLUMNS
    deals = metrics.prepare_pipeline(load_dataset_frame(engine, deals_info.id, columns=used))
    leads = metrics.prepare_pipeline(load_dataset_frame(engine, leads_info.id, columns=used)) if leads_info else None
    return PipelineEvidence(
        deals_file=deals_info.filename,
        leads_file=leads_info.filename if leads_info else None,
        facts=pipeline_facts(deals, leads, sla_hours=workshop.sla_hours),
    )


def anonymous_answers(answers: pd.DataFrame, framework: Framework, k: int, rng: random.Random) -> pd.DataFrame:
    """Answers of team-rounds with at least ``k`` respondents, without token or participant id.

    Each respondent gets a random number drawn afresh for every export (so two exports cannot be
    joined on it); rows are ordered by that number, not by when people answered. Level is left out:
    a team's only leader would be recognisable by it. ``answer`` is 1–5, empty for "don't know".
    """
    columns = ["round_no", "team", "respondent", "dimension_id", "item_id", "item_text", "answer"]
    if answers.empty:
        return pd.DataFrame(columns=columns)
    size = answers.groupby(["round_no", "team"], observed=True)["participant_id"].transform("nunique")
    kept = answers[(size >= k).to_numpy()]
    people = list(pd.unique(kept["participant_id"]))
    numbers = rng.sample(range(1, max(len(people) * 10, 1000)), len(people))
    texts = {item.id: (item.dimension_id, item.text) for item in framework.items}
    table = pd.DataFrame({
        "round_no": kept["round_no"].astype("int64").to_numpy(),
        "team": kept["team"].astype("string").to_numpy(),
        "respondent": kept["participant_id"].map(dict(zip(people, numbers, strict=True))).astype("int64").to_numpy(),
        "dimension_id": kept["item_id"].map(lambda i: texts.get(i, ("", ""))[0]).to_numpy(),
        "item_id": kept["item_id"].astype("string").to_numpy(),
        "item_text": kept["item_id"].map(lambda i: texts.get(i, ("", ""))[1]).to_numpy(),
        "answer": kept["value"].astype("Int64").to_numpy(),
    })
    return table.sort_values(["round_no", "team", "respondent", "item_id"], kind="stable").reset_index(drop=True)


def visible_comments(comments: pd.DataFrame, answers: pd.DataFrame, k: int) -> pd.DataFrame:
    """Comments that are not hidden, from team-rounds with at least ``k`` respondents."""
    if comments.empty:
        return comments.loc[:, ["round_no", "team", "dimension_id", "text"]]
    size = answers.groupby(["round_no", "team"], observed=True)["participant_id"].nunique()
    enough = {key for key, people in size.items() if people >= k}
    keep = [(int(r), str(t)) in enough and not bool(h)
            for r, t, h in zip(comments["round_no"], comments["team"], comments["hidden"], strict=True)]
    shown = comments[keep]
    return shown.loc[:, ["round_no", "team", "dimension_id", "text"]].reset_index(drop=True)


def _index_of(answers: pd.DataFrame, framework: Framework, k: int) -> AlignmentIndex:
    """The alignment index of other answers (an earlier round); only point gaps are needed."""
    gaps = perception_gaps(answers, framework, k, resamples=1)
    return alignment_index(dimension_scores(answers, framework, k), gaps.dimensions)


def _per_round(answers: pd.DataFrame, framework: Framework, k: int) -> pd.DataFrame:
    frames = [
        item_scores(answers[answers["round_no"] == r], framework, k).assign(round_no=int(r))
        for r in sorted(answers["round_no"].dropna().unique())
    ]
    return pd.concat(frames, ignore_index=True) if frames else item_scores(answers, framework, k).assign(round_no=0)


def build_report(
    engine: Engine,
    workshop: WorkshopInfo,
    framework: Framework,
    *,
    round_no: int | None = None,
    for_facilitator: bool = False,
    made_on: date | None = None,
    rng: random.Random | None = None,
) -> WorkshopReport:
    """The report of ``round_no`` (default: the workshop's current round).

    ``for_facilitator`` adds the anonymous answers and the visible comments (team-rounds ≥ k only).
    """
    number = round_no or workshop.current_round
    k = workshop.k
    everything = answers_frame(engine, workshop.id)
    answers = everything[everything["round_no"] == number]
    importance = importance_frame(engine, workshop.id, number)
    dimensions = dimension_scores(answers, framework, k)
    gaps = perception_gaps(answers, framework, k)
    shares = importance_share(importance, framework, k)
    index = alignment_index(dimensions, gaps.dimensions)
    pipeline = pipeline_evidence(engine, workshop)
    before = everything[everything["round_no"] == number - 1]
    top = top_gap_ids(gaps.dimensions)
    actions = list_actions(engine, workshop.id)
    progress = tuple(workshop_progress(engine, workshop, framework, round_no=number, actions=actions))
    answers_sheet = comments = None
    if for_facilitator:
        answers_sheet = anonymous_answers(everything, framework, k, rng or random.SystemRandom())
        comments = visible_comments(comments_frame(engine, workshop.id), everything, k)
    return WorkshopReport(
        workshop=workshop,
        framework=framework,
        round_no=number,
        made_on=made_on or date.today(),
        participation=participation_table(answers, workshop),
        dimensions=dimensions,
        items=item_scores(answers, framework, k),
        gaps=gaps,
        index=index,
        previous_index=_index_of(before, framework, k) if len(before) else None,
        agreement=agreement(answers, framework, k),
        dont_know=dont_know_share(answers, framework, k),
        importance=shares,
        priorities=priorities(dimensions, shares),
        rounds=round_change(everything, framework, k),
        round_items=_per_round(everything, framework, k),
        pipeline=pipeline,
        actions=actions_table(engine, workshop, framework),
        evidence=evidence_statements(framework, gaps.dimensions, pipeline.facts),
        distributions={d: answer_distribution(answers, framework, k, d) for d in top},
        answers=answers_sheet,
        comments=comments,
        progress=progress,
        action_history=action_history(actions, progress, framework),
    )
