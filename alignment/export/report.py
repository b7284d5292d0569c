"""Load a workshop's results from the store: the one loader the exports and the command line use.

``load_results`` reads the workshop's submitted answers, importance picks, comments, actions and
current pipeline datasets (and, for the actions with a target, each round's own exports through
``alignment.action_history.load_promises``) and hands them to ``alignment.results.build_results`` — the deck, the
workbook and the CSV files are then only layouts of that one object, the same object the Alignment
page and presentation mode render, so an export can never disagree with the screen.

Anonymity: every perception figure arrives already withheld below the workshop's ``k``
(``alignment.results``); ``withhold_counts`` blanks the respondent and "don't know" counts of
withheld rows too, so no number from fewer than ``k`` people leaves the app. The facilitator-only
answers are limited to team-rounds with at least ``k`` respondents, and answers get a fresh random
respondent number per export.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from alignment import metrics
from alignment.action_history import load_promises
from alignment.catalogue import Catalogue
from alignment.framework import Framework
from alignment.metrics import DealFilters
from alignment.perception import participation_table, visible_comments
from alignment.results import (
    EVERY_DEAL,
    TOP_GAPS,
    PipelineEvidence,
    Results,
    build_results,
    top_gap_ids,
    withhold_counts,
)
from alignment.store import (
    WorkshopInfo,
    answers_frame,
    comments_frame,
    current_dataset,
    importance_frame,
    load_dataset_frame,
)
from alignment.store.actions import ActionInfo, list_actions
from alignment.suppression import AnswerFilters

WorkshopReport = Results  # the exports' name for the results object

__all__ = [
    "TOP_GAPS", "PipelineEvidence", "WorkshopReport", "actions_table", "anonymous_answers", "build_report",
    "load_results", "participation_table", "top_gap_ids", "visible_comments", "withhold_counts",
]


def actions_table(engine: Engine, workshop: WorkshopInfo, framework: Framework,
                  actions: list[ActionInfo] | None = None) -> pd.DataFrame:
    """The agreed actions as the Facilitator page lists them (open first, then oldest first):
    ``text, owner, due_date, status, dimension_id, dimension_name, round_no``."""
    names = {d.id: d.name for d in framework.dimensions}
    rows = [{"text": a.text, "owner": a.owner, "due_date": a.due_date, "status": a.status,
             "dimension_id": a.dimension_id, "dimension_name": names.get(a.dimension_id or "", ""),
             "round_no": a.round_no} for a in (list_actions(engine, workshop.id) if actions is None else actions)]
    return pd.DataFrame(rows, columns=["text", "owner", "due_date", "status", "dimension_id", "dimension_name",
                                       "round_no"])


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


def saved_pipeline(engine: Engine, workshop: WorkshopInfo) -> tuple[pd.DataFrame | None, pd.DataFrame | None,
                                                                    str | None, str | None]:
    """The workshop's current deals and leads, prepared (None when not saved), and their file names."""
    deals_info = current_dataset(engine, workshop.id, "deals")
    if deals_info is None:
        return None, None, None, None
    leads_info = current_dataset(engine, workshop.id, "leads")
    used = metrics.USED_COLUMNS
    deals = metrics.prepare_pipeline(load_dataset_frame(engine, deals_info.id, columns=used))
    leads = metrics.prepare_pipeline(load_dataset_frame(engine, leads_info.id, columns=used)) if leads_info else None
    return deals, leads, deals_info.filename, leads_info.filename if leads_info else None


def load_results(
    engine: Engine,
    workshop: WorkshopInfo,
    framework: Framework,
    *,
    filters: AnswerFilters | None = None,
    deal_filters: DealFilters = EVERY_DEAL,
    for_facilitator: bool = False,
    with_answers: bool = False,
    catalogue: Catalogue | None = None,
    made_on: date | None = None,
    rng: random.Random | None = None,
) -> Results:
    """Read what ``build_results`` needs from the store and build the results object.

    ``with_answers`` (facilitator only) adds the anonymous answers of team-rounds with at least ``k``
    respondents, each respondent numbered at random afresh.
    """
    answers = answers_frame(engine, workshop.id)
    filters = filters or AnswerFilters(round_no=workshop.current_round)
    deals, leads, deals_file, leads_file = saved_pipeline(engine, workshop)
    actions = list_actions(engine, workshop.id)
    sheet = None
    if for_facilitator and with_answers:
        sheet = anonymous_answers(answers, framework, max(3, int(workshop.k)), rng or random.SystemRandom())
    return build_results(
        workshop, framework, answers, importance_frame(engine, workshop.id), comments_frame(engine, workshop.id),
        deals=deals, leads=leads, deals_file=deals_file, leads_file=leads_file,
        filters=filters, deal_filters=deal_filters, actions=actions_table(engine, workshop, framework, actions),
        catalogue=catalogue, for_facilitator=for_facilitator, made_on=made_on, answers_sheet=sheet,
        promises=load_promises(engine, workshop, framework, round_no=filters.round_no or workshop.current_round,
                               today=made_on, actions=actions),
    )


def build_report(
    engine: Engine,
    workshop: WorkshopInfo,
    framework: Framework,
    *,
    round_no: int | None = None,
    filters: AnswerFilters | None = None,
    deal_filters: DealFilters = EVERY_DEAL,
    for_facilitator: bool = False,
    made_on: date | None = None,
    rng: random.Random | None = None,
    signed_in: bool = True,
) -> Results:
    """The report of ``round_no`` (default: the round of ``filters``, else the current round) for the
    view ``filters`` and ``deal_filters`` choose (default: every team and level, all deals) — built as
    the Alignment page builds that view, so the file holds exactly the figures the page shows.

    Made by the signed-in facilitator (the Facilitator page, the command line) it holds the round's
    figures whether revealed or not, and ``for_facilitator`` adds the anonymous answers; with
    ``signed_in`` False it is the room's view (nothing from a round not yet revealed, no answers).
    """
    chosen = filters or AnswerFilters()
    chosen = replace(chosen, round_no=round_no or chosen.round_no or workshop.current_round)
    return load_results(engine, workshop, framework, filters=chosen, deal_filters=deal_filters,
                        for_facilitator=signed_in, with_answers=for_facilitator and signed_in, made_on=made_on,
                        rng=rng)
