"""The demo workshop: a seeded, deterministic Northwind workshop so the first screen is not empty.

It holds two rounds of answers from marketing, sales and a few leaders, comments, importance picks,
about 2,000 deals and 4,000 leads. The numbers follow patterns real workshops show: each team rates
its own practice higher than the other team does, leaders rate everything higher than their staff,
"don't know" is more common about the other team's work, and marketing-sourced deals win less
often but arrive in larger numbers. Everything but the join code and participant tokens is the same
on every run (``numpy`` generator seeded with :data:`SEED`).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select, text

from alignment.framework import Framework
from alignment.store.datasets import add_dataset
from alignment.store.engine import write_session
from alignment.store.models import (
    Action,
    Answer,
    AppSetting,
    Comment,
    ImportancePick,
    Participant,
    Response,
    Round,
    Workshop,
    utcnow,
)
from alignment.store.workshops import WorkshopInfo, _info, new_join_code

SEED = 20_260_301
DEMO_NAME = "Demo — Northwind alignment workshop"
DEMO_ORGANISATION = "Northwind Traders (demo)"
DEMO_TEAMS = ("Marketing", "Sales", "Leadership")
PIPELINE_END = pd.Timestamp("2026-10-31")
# (round number, team id) → how many people answered
HEADCOUNT = {(1, "marketing"): 11, (1, "sales"): 14, (1, "leadership"): 3,
             (2, "marketing"): 12, (2, "sales"): 16, (2, "leadership"): 4}  # fmt: skip
LEVELS = ("ic", "manager", "leader")

# Mean rating (1–5) by whose practice a dimension is about and who answers.
_BASE_VIEW = {
    ("marketing", "marketing"): 3.9, ("marketing", "sales"): 2.6, ("marketing", "leadership"): 3.8,
    ("sales", "marketing"): 2.8, ("sales", "sales"): 3.9, ("sales", "leadership"): 3.9,
    ("both", "marketing"): 3.0, ("both", "sales"): 2.7, ("both", "leadership"): 3.7,
}  # fmt: skip
# Dimension-specific shifts that give the demo a story: lead follow-up and the hand-off are sore points.
_DIMENSION_SHIFT = {"promotion_content": -0.3, "lead_follow_up": -0.2, "sla_handoff": -0.5, "common_language": -0.3,
                    "goal_forecast": 0.2, "trust_collaboration": 0.1}  # fmt: skip
_ROUND_TWO_GAIN = {"common_language": 0.6, "sla_handoff": 0.5, "lead_follow_up": 0.3}
# Where sales is split: half love marketing's content, half never use it (low agreement).
_SPLIT = {("promotion_content", "sales")}
_IMPORTANCE_WEIGHTS = {
    "marketing": {"lead_follow_up": 5, "sla_handoff": 4, "objections_feedback": 3, "shared_metrics": 3},
    "sales": {"promotion_content": 5, "customer_insight": 4, "common_language": 3, "sla_handoff": 3},
    "leadership": {"shared_metrics": 5, "goal_forecast": 4, "trust_collaboration": 3},
}
_COMMENTS = {
    "promotion_content": [
        ("sales", "The case studies are good but I can never find the latest version."),
        ("sales", "We make our own slides because the official deck is too generic."),
        ("marketing", "We produce a lot of content that we never hear about again."),
    ],
    "sla_handoff": [
        ("marketing", "Leads sit for days before anyone calls. We only find out at the quarterly review."),
        ("sales", "Half the leads we get are students downloading a white paper."),
        ("sales", "Nobody told us there was an agreement on follow-up times."),
    ],
    "common_language": [
        ("sales", "An MQL means something different every quarter."),
        ("marketing", "We changed the scoring model but sales still uses the old definition."),
    ],
    "lead_follow_up": [("marketing", "Rejected leads disappear; we never learn why.")],
    "shared_metrics": [("leadership", "Marketing is paid on leads, sales on bookings. That is the problem.")],
}
_ACTIONS = [
    (
        "common_language",
        "Write one-page definitions of MQL, SAL and SQL and publish them in the CRM",
        "Head of Marketing Ops",
    ),
    ("sla_handoff", "Agree a 24-hour first-touch target for accepted leads and report it weekly", "VP Sales"),
    ("objections_feedback", "Make the loss reason a required field when closing a deal as lost", "Sales Ops"),
]
_LEAD_SOURCES = {
    "marketing": ["Web form", "Webinar", "Trade show", "Content download", "Paid search", "Email campaign"],
    "sales": ["Outbound call", "Outbound email", "Sales prospecting", "LinkedIn outreach"],
    "partner": ["Partner referral", "Reseller"],
    "other": ["Customer referral", "Other"],
}
_STAGES_OPEN = ["Prospecting", "Qualification", "Needs Analysis", "Proposal", "Negotiation"]
_LOSS_REASONS = ["Price", "Chose a competitor", "No decision", "Timing", "Missing feature", "Went silent"]
_REJECT_REASONS = ["Not our target customer", "Student or job seeker", "No budget", "Duplicate", "Unreachable"]


def seed_demo(engine: Engine, framework: Framework) -> WorkshopInfo:
    """Create a fresh demo workshop (an existing demo is left alone; see :func:`recreate_demo`)."""
    rng = np.random.default_rng(SEED)
    with write_session(engine) as session:
        workshop = Workshop(
            code=_free_code(session),
            name=DEMO_NAME,
            organisation=DEMO_ORGANISATION,
            teams=list(DEMO_TEAMS),
            k=3,
            sla_hours=24,
            is_demo=True,
            status="open",
            current_round=2,
            results_revealed=True,
            settings={},
        )
        session.add(workshop)
        session.flush()
        now = utcnow()
        rounds = {
            1: Round(
                workshop_id=workshop.id,
                number=1,
                label="Round 1 — kick-off",
                started_at=now - timedelta(days=70),
                closed_at=now - timedelta(days=63),
            ),
            2: Round(
                workshop_id=workshop.id, number=2, label="Round 2 — follow-up", started_at=now - timedelta(days=1)
            ),
        }
        session.add_all(rounds.values())
        session.flush()
        _add_answers(session, rng, framework, workshop.id, rounds)
        for dimension_id, text_, owner in _ACTIONS:
            session.add(
                Action(
                    workshop_id=workshop.id,
                    round_no=1,
                    dimension_id=dimension_id,
                    text=text_,
                    owner=owner,
                    due_date=(now + timedelta(days=30)).date(),
                )
            )
        add_dataset(
            session,
            workshop.id,
            "deals",
            demo_deals(rng),
            "northwind_deals_demo.csv",
            {"source": "Demo generator", "rows_read": 2000, "rows_accepted": 2000, "rows_rejected": 0},
        )
        add_dataset(
            session,
            workshop.id,
            "leads",
            demo_leads(rng),
            "northwind_leads_demo.csv",
            {"source": "Demo generator", "rows_read": 4000, "rows_accepted": 4000, "rows_rejected": 0},
        )
        _mark_seeded(session)
        session.flush()
        return _info(workshop)


def ensure_demo(engine: Engine, framework: Framework) -> WorkshopInfo | None:
    """Seed the demo on the very first start (once per database; a deleted demo stays deleted)."""
    with write_session(engine) as session:
        if engine.url.get_backend_name() == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(4242018)"))
        if session.get(AppSetting, "demo_seeded") is not None or session.scalar(select(func.count(Workshop.id))):
            return None
        _mark_seeded(session)
    return seed_demo(engine, framework)


def recreate_demo(engine: Engine, framework: Framework) -> WorkshopInfo:
    """Delete every demo workshop and seed a new one (``python -m alignment demo``)."""
    with write_session(engine) as session:
        for workshop in session.scalars(select(Workshop).where(Workshop.is_demo.is_(True))):
            session.delete(workshop)
    return seed_demo(engine, framework)


def _mark_seeded(session) -> None:  # type: ignore[no-untyped-def]
    if session.get(AppSetting, "demo_seeded") is None:
        session.add(AppSetting(key="demo_seeded", value=True))


def _free_code(session) -> str:  # type: ignore[no-untyped-def]
    while True:
        code = new_join_code()
        if session.scalar(select(Workshop.id).where(Workshop.code == code)) is None:
            return code


def _add_answers(session, rng: np.random.Generator, framework: Framework, workshop_id: int, rounds: dict) -> None:  # type: ignore[no-untyped-def]
    dimension_ids = [d.id for d in framework.dimensions]
    for (round_no, team), headcount in HEADCOUNT.items():
        for person in range(headcount):
            participant = Participant(
                workshop_id=workshop_id,
                token=secrets.token_urlsafe(16),
                team=team,
                level="leader" if team == "leadership" else ("manager" if person % 4 == 0 else "ic"),
            )
            session.add(participant)
            session.flush()
            response = Response(
                participant_id=participant.id,
                round_id=rounds[round_no].id,
                status="submitted",
                step=len(dimension_ids) + 2,
                submission_id=secrets.token_hex(16),
                submitted_at=rounds[round_no].started_at + timedelta(minutes=int(rng.integers(5, 90))),
            )
            session.add(response)
            session.flush()
            leniency = rng.normal(0, 0.35)
            for dimension in framework.dimensions:
                owner = framework.practice_of(dimension.id)
                mean = _BASE_VIEW[(owner, team)] + _DIMENSION_SHIFT.get(dimension.id, 0.0) + leniency
                if round_no == 2:
                    mean += _ROUND_TWO_GAIN.get(dimension.id, 0.1)
                if (dimension.id, team) in _SPLIT:
                    mean = 4.4 if person % 2 == 0 else 1.8
                dont_know = 0.03 if owner in (team, "both") or team == "leadership" else 0.12
                for item in dimension.items:
                    value = None if rng.random() < dont_know else int(np.clip(round(rng.normal(mean, 0.75)), 1, 5))
                    session.add(Answer(response_id=response.id, item_id=item.id, value=value))
            weights = np.array([_IMPORTANCE_WEIGHTS[team].get(d, 1) for d in dimension_ids], dtype=float)
            for dimension_id in rng.choice(dimension_ids, size=3, replace=False, p=weights / weights.sum()):
                session.add(ImportancePick(response_id=response.id, dimension_id=str(dimension_id)))
            for dimension_id, comments in _COMMENTS.items():
                for index, (comment_team, comment) in enumerate(comments):
                    if comment_team == team and person == index and round_no == 1 + index % 2:
                        session.add(Comment(response_id=response.id, dimension_id=dimension_id, text=comment))


def demo_deals(rng: np.random.Generator, count: int = 2000) -> pd.DataFrame:
    """About two years of deals in canonical form, with realistic sources, stages, amounts and cycles."""
    groups = rng.choice(["marketing", "sales", "partner", "other"], size=count, p=[0.48, 0.34, 0.12, 0.06])
    sources = np.array([rng.choice(_LEAD_SOURCES[g]) for g in groups])
    segments = rng.choice(["SMB", "Mid-market", "Enterprise"], size=count, p=[0.5, 0.35, 0.15])
    size_scale = pd.Series(segments).map({"SMB": 9_000, "Mid-market": 32_000, "Enterprise": 120_000}).to_numpy()
    created = PIPELINE_END - pd.to_timedelta(rng.integers(0, 730, size=count), unit="D")
    win_p = pd.Series(groups).map({"marketing": 0.22, "sales": 0.31, "partner": 0.36, "other": 0.28}).to_numpy()
    cycle = rng.gamma(shape=3.0, scale=pd.Series(segments).map({"SMB": 14, "Mid-market": 25, "Enterprise": 45}))
    cycle = np.where(groups == "marketing", cycle * 1.15, cycle).round().astype(int) + 3
    close = created + pd.to_timedelta(cycle, unit="D")
    is_closed = close <= PIPELINE_END
    outcome = np.where(~is_closed, "open", np.where(rng.random(count) < win_p, "won", "lost"))
    stage = np.where(
        outcome == "won", "Closed Won", np.where(outcome == "lost", "Closed Lost", rng.choice(_STAGES_OPEN, size=count))
    )
    amount = np.round(rng.lognormal(mean=0.0, sigma=0.55, size=count) * size_scale, -2)
    loss = np.where(
        outcome == "lost", rng.choice(_LOSS_REASONS, size=count, p=[0.24, 0.22, 0.2, 0.14, 0.12, 0.08]), None
    )
    accounts = [f"Account {n:04d}" for n in rng.integers(1, 900, size=count)]
    return pd.DataFrame(
        {
            "deal_id": [f"NW-D{n:05d}" for n in range(1, count + 1)],
            "deal_name": [
                f"{a} — {p}"
                for a, p in zip(accounts, rng.choice(["Platform", "Analytics", "Services"], size=count), strict=True)
            ],
            "account": accounts,
            "owner": rng.choice([f"Rep {n:02d}" for n in range(1, 17)], size=count),
            "stage": stage,
            "outcome": outcome,
            "amount": amount,
            "currency": "USD",
            "created_date": created,
            "close_date": close,
            "lead_source": sources,
            "source_group": groups,
            "loss_reason": loss,
            "segment": segments,
            "region": rng.choice(["North America", "EMEA", "APAC"], size=count, p=[0.5, 0.35, 0.15]),
            "product": rng.choice(["Platform", "Analytics", "Services"], size=count, p=[0.5, 0.3, 0.2]),
        }
    )


def demo_leads(rng: np.random.Generator, count: int = 4000) -> pd.DataFrame:
    """About a year of leads: hand-over, acceptance or rejection, first touch and conversion."""
    groups = rng.choice(["marketing", "sales", "partner", "other"], size=count, p=[0.7, 0.18, 0.08, 0.04])
    sources = np.array([rng.choice(_LEAD_SOURCES[g]) for g in groups])
    created = PIPELINE_END - pd.to_timedelta(rng.integers(0, 365 * 24 * 60, size=count), unit="min")
    mql = created + pd.to_timedelta(rng.integers(1, 72, size=count), unit="h")
    accept_p = np.where(groups == "marketing", 0.58, 0.8)
    decided = rng.random(count)
    accepted = decided < accept_p
    rejected = (~accepted) & (decided < accept_p + 0.3)
    decision_time = (mql + pd.to_timedelta(rng.gamma(2.0, 10.0, size=count), unit="h")).floor("min")
    response_hours = rng.lognormal(mean=np.where(groups == "marketing", 3.0, 2.3), sigma=0.9)
    touched = accepted & (rng.random(count) < 0.88)
    first_touch = pd.Series((decision_time + pd.to_timedelta(response_hours, unit="h")).floor("min")).where(touched)
    converted = pd.Series(first_touch + pd.to_timedelta(rng.integers(2, 40, size=count), unit="D")).where(
        touched & (rng.random(count) < 0.3)
    )
    status = np.where(
        converted.notna(), "Converted", np.where(accepted, "Working", np.where(rejected, "Rejected", "Open"))
    )
    return pd.DataFrame(
        {
            "lead_id": [f"NW-L{n:05d}" for n in range(1, count + 1)],
            "created_date": created,
            "lead_source": sources,
            "source_group": groups,
            "status": status,
            "mql_date": mql,
            "accepted_date": pd.Series(decision_time).where(accepted),
            "rejected_date": pd.Series(decision_time).where(rejected),
            "reject_reason": pd.Series(rng.choice(_REJECT_REASONS, size=count)).where(rejected),
            "first_touch_date": first_touch,
            "converted_date": converted,
            "deal_id": None,
        }
    )
