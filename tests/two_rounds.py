"""A small deals and leads file for two rounds, and a workshop that agreed targets in round 1.

Round 1 deals: marketing 4 won + 16 lost; sales 10 won + 10 lost.
Round 2 deals: marketing 18 won + 12 lost; sales 11 won + 9 lost.
Round 1 leads (all marketing, 40 handed over): 10 accepted; 20 touched, 10 after 2 hours, 10 after 30 hours.
Round 2 leads (all marketing, 40 handed over): 30 accepted; the export has no first-touch dates.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine

from alignment.action_targets import ActionTarget
from alignment.canonical import conform
from alignment.framework import Framework
from alignment.store import WorkshopInfo, create_workshop, get_workshop, save_dataset, start_new_round, update_workshop
from alignment.store.actions import add_action
from alignment.store.engine import write_session
from alignment.store.models import Answer, Participant, Response, Round

START = datetime(2026, 1, 5, 9, 0)
ROUND_1_DEALS = {("marketing", "won"): 4, ("marketing", "lost"): 16, ("sales", "won"): 10, ("sales", "lost"): 10}
ROUND_2_DEALS = {("marketing", "won"): 18, ("marketing", "lost"): 12, ("sales", "won"): 11, ("sales", "lost"): 9}


def deals_file(counts: dict[tuple[str, str], int]) -> pd.DataFrame:
    """Deals per (source group, outcome); each created on START and closed 20 days later."""
    rows = [{"deal_id": f"{source}-{outcome}-{i}", "source_group": source, "outcome": outcome,
             "amount": 1000.0, "created_date": START, "close_date": START + timedelta(days=20)}
            for (source, outcome), count in counts.items() for i in range(count)]  # fmt: skip
    return conform(pd.DataFrame(rows), "deals")


def leads_file(handed_over: int, accepted: int, touch_hours: list[float] | None) -> pd.DataFrame:
    """Marketing leads, all handed over on START; the first ``accepted`` accepted; the first
    ``len(touch_hours)`` touched that many hours later (no first-touch column at all when None)."""
    rows = []
    for i in range(handed_over):
        row = {"lead_id": f"L{i}", "source_group": "marketing", "created_date": START, "mql_date": START,
               "accepted_date": START + timedelta(hours=1) if i < accepted else None}  # fmt: skip
        if touch_hours is not None:
            row["first_touch_date"] = START + timedelta(hours=touch_hours[i]) if i < len(touch_hours) else None
        rows.append(row)
    return conform(pd.DataFrame(rows), "leads")


def round_1_files() -> tuple[pd.DataFrame, pd.DataFrame]:
    return deals_file(ROUND_1_DEALS), leads_file(40, 10, [2.0] * 10 + [30.0] * 10)


def round_2_files() -> tuple[pd.DataFrame, pd.DataFrame]:
    return deals_file(ROUND_2_DEALS), leads_file(40, 30, None)


def pipeline(metric: str, source: str, value: float, by: date | None = None) -> ActionTarget:
    return ActionTarget("pipeline", metric=metric, source_group=source, value=value, by=by)


TARGETED_ACTIONS = (
    ("Send sales the scored leads every Monday", pipeline("win_rate", "marketing", 0.5), "sla_handoff"),
    ("Agree what an accepted lead is", pipeline("lead_acceptance", "marketing", 0.9), None),
    ("Coach sales on discovery calls", pipeline("win_rate", "sales", 0.7, by=date(2026, 3, 31)), None),
    ("Call every accepted lead within four hours", pipeline("response_time", "marketing", 4.0), None),
)


def answer(engine: Engine, workshop: WorkshopInfo, framework: Framework, round_no: int,
           teams: dict[str, tuple[int, int]]) -> None:  # fmt: skip
    """Submitted answers in ``round_no``: team → (people, the answer each gives to every item)."""
    with write_session(engine) as session:
        round_id = session.query(Round).filter_by(workshop_id=workshop.id, number=round_no).one().id
        for team, (people, value) in teams.items():
            for person in range(people):
                participant = Participant(workshop_id=workshop.id, token=f"{workshop.code}-{round_no}-{team}-{person}",
                                          team=team)  # fmt: skip
                session.add(participant)
                session.flush()
                response = Response(participant_id=participant.id, round_id=round_id, status="submitted",
                                    submission_id=f"{workshop.code}-{round_no}-{team}-{person}")  # fmt: skip
                session.add(response)
                session.flush()
                session.add_all(Answer(response_id=response.id, item_id=item.id, value=value)
                                for item in framework.items)  # fmt: skip


def two_round_workshop(engine: Engine, framework: Framework) -> WorkshopInfo:
    """Round 1: answers (marketing 3 × 5, sales 3 × 2), both exports and four targeted actions;
    round 2: its own exports and answers (marketing 3 × 4, sales 3 × 3), revealed."""
    workshop = create_workshop(engine, "Spring offsite", organisation="Acme", k=3)
    deals, leads = round_1_files()
    save_dataset(engine, workshop.id, "deals", deals, "deals-january.csv")
    save_dataset(engine, workshop.id, "leads", leads, "leads-january.csv")
    answer(engine, workshop, framework, 1, {"marketing": (3, 5), "sales": (3, 2)})
    for text, target, dimension in TARGETED_ACTIONS:
        add_action(engine, workshop.id, text, owner="Ana", dimension_id=dimension, target=target)
    add_action(engine, workshop.id, "Close the hand-off gap", dimension_id="sla_handoff",
               target=ActionTarget("perception", dimension="sla_handoff", below=20))  # fmt: skip
    start_new_round(engine, workshop.id)
    deals, leads = round_2_files()
    save_dataset(engine, workshop.id, "deals", deals, "deals-april.csv")
    save_dataset(engine, workshop.id, "leads", leads, "leads-april.csv")
    answer(engine, workshop, framework, 2, {"marketing": (3, 4), "sales": (3, 3)})
    update_workshop(engine, workshop.id, results_revealed=True)
    return get_workshop(engine, workshop.code)
