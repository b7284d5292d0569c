"""Time what the Alignment page computes: a cold load and a filter change, on a large workshop.

    python benchmarks/dashboard.py [--participants 500] [--deals 1000000] [--repeat 3]

Builds a throwaway SQLite store with one workshop: ``--participants`` people in four teams who
answered every item of the framework (about 1 in 12 answers "don't know") and picked three
dimensions each, and a deals dataset of ``--deals`` rows saved as the workshop's current pipeline
(plus the demo's 4,000 leads). Then it calls, directly, what the page calls (no browser, no
Streamlit caching):

- cold load: read the answers from the store, score them (bootstrap included), load and prepare
  the saved deals, compute every pipeline metric, and build the charts of the first tab;
- filter change: a team filter (the page reuses the round's scores and picks rows), a level filter
  (the round is scored again, bootstrap included) and a segment + date filter (every pipeline metric
  recomputed on the deals), each with its charts.

Prints the best and median time of each, and the machine's load average (the machine is shared, so
figures under load are slower than on an idle machine). Targets: cold load < 3 s, filter change
< 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alignment import charts, pipeline_charts  # noqa: E402
from alignment.demo import demo_deals, demo_leads  # noqa: E402
from alignment.framework import load_framework  # noqa: E402
from alignment.metrics import USED_COLUMNS, DealFilters, prepare_pipeline  # noqa: E402
from alignment.store import (  # noqa: E402
    answers_frame,
    comments_frame,
    create_workshop,
    importance_frame,
    load_dataset_frame,
    open_database,
    save_dataset,
)
from alignment.store.engine import write_session  # noqa: E402
from alignment.store.models import Answer, ImportancePick, Participant, Response, Round  # noqa: E402
from alignment.suppression import AnswerFilters  # noqa: E402
from alignment.ui.dashboard import (  # noqa: E402
    WorkshopAnswers,
    build_perception,
    build_pipeline,
    restrict_to_teams,
)

TEAMS = ("marketing", "sales", "leadership", "customer_success")


def seed(engine, participants: int, deals: int) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """A workshop with ``participants`` submitted responses and ``deals`` saved deals."""
    framework = load_framework()
    workshop = create_workshop(engine, "Benchmark", teams=[t.replace("_", " ").title() for t in TEAMS])
    rng = np.random.default_rng(7)
    items = [item.id for item in framework.items]
    dimension_ids = [d.id for d in framework.dimensions]
    with write_session(engine) as session:
        round_id = session.query(Round.id).filter(Round.workshop_id == workshop.id).scalar()
        people = [{"workshop_id": workshop.id, "token": f"bench-{n}", "team": TEAMS[n % len(TEAMS)],
                   "level": ("ic", "manager", "leader")[n % 3]} for n in range(participants)]
        session.execute(insert(Participant), people)
        ids = [p.id for p in session.query(Participant.id).filter(Participant.workshop_id == workshop.id)]
        session.execute(insert(Response), [{"participant_id": pid, "round_id": round_id, "status": "submitted",
                                            "step": 20, "submission_id": f"bench-submit-{pid}"} for pid in ids])
        responses = [r.id for r in session.query(Response.id).filter(Response.round_id == round_id)]
        values = rng.integers(1, 6, size=(len(responses), len(items)))
        unknown = rng.random(size=values.shape) < 1 / 12
        session.execute(insert(Answer), [
            {"response_id": rid, "item_id": item, "value": None if unknown[r, i] else int(values[r, i])}
            for r, rid in enumerate(responses) for i, item in enumerate(items)])
        session.execute(insert(ImportancePick), [
            {"response_id": rid, "dimension_id": d} for rid in responses
            for d in rng.choice(dimension_ids, size=3, replace=False)])
    deals_id = save_dataset(engine, workshop.id, "deals", demo_deals(rng, count=deals), "bench_deals.csv")
    leads_id = save_dataset(engine, workshop.id, "leads", demo_leads(rng), "bench_leads.csv")
    return workshop.id, deals_id, leads_id


def perception_charts(view) -> None:  # type: ignore[no-untyped-def]
    charts.gap_dumbbell_chart(view.gaps.dimensions).to_dict()
    mirrored = view.self_other[view.self_other["self_team"].notna()]
    charts.self_other_chart(mirrored).to_dict()


def pipeline_views(facts) -> None:  # type: ignore[no-untyped-def]
    pipeline_charts.pipeline_created_chart(facts.pipeline_created).to_dict()
    pipeline_charts.win_rate_chart(facts.win_rate).to_dict()
    pipeline_charts.cycle_chart(facts.cycle_time).to_dict()


def timed(label: str, work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    print(f"{label:<52} best {min(times) * 1000:8.0f} ms   median {statistics.median(times) * 1000:8.0f} ms")
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="alignment-bench-")
    os.environ["ALIGNMENT_DATA_DIR"] = folder
    engine = open_database(f"sqlite:///{folder}/bench.db")
    started = time.perf_counter()
    workshop_id, deals_id, leads_id = seed(engine, args.participants, args.deals)
    print(f"seeded {args.participants} participants and {args.deals:,} deals in {time.perf_counter() - started:.1f} s")
    framework = load_framework()
    k, sla = 3, 24
    everyone = AnswerFilters(round_no=1)

    def read_answers() -> WorkshopAnswers:
        return WorkshopAnswers(answers_frame(engine, workshop_id), importance_frame(engine, workshop_id),
                               comments_frame(engine, workshop_id), (1,))

    data = read_answers()
    print(f"answers: {len(data.answers):,} rows from {data.answers['participant_id'].nunique()} people")

    def cold_load(columns: tuple[str, ...] | None = USED_COLUMNS) -> None:
        fresh = read_answers()
        view = build_perception(fresh, framework, k, everyone)
        deals = prepare_pipeline(load_dataset_frame(engine, deals_id, columns=columns))
        leads = prepare_pipeline(load_dataset_frame(engine, leads_id, columns=columns))
        facts = build_pipeline(deals, leads, DealFilters(), sla)
        perception_charts(view)
        pipeline_views(facts)

    every = timed("baseline: cold load reading every column", lambda: cold_load(None), args.repeat)
    cold = timed("cold load (store → scores → metrics → charts)", cold_load, args.repeat)
    print(f"reading only the columns the metrics use: {every / cold:.2f}× quicker than every column")
    deals = prepare_pipeline(load_dataset_frame(engine, deals_id))
    leads = prepare_pipeline(load_dataset_frame(engine, leads_id))
    segment = str(deals["segment"].dropna().iloc[0])
    scored = build_perception(data, framework, k, everyone)
    team_change = timed("filter change: teams = marketing + sales",
                        lambda: perception_charts(restrict_to_teams(scored, ("marketing", "sales"))), args.repeat)
    level_change = timed("filter change: levels = ic + manager (rescored)",
                         lambda: perception_charts(build_perception(
                             data, framework, k, AnswerFilters(round_no=1, levels=("ic", "manager")))),
                         args.repeat)
    deal_change = timed(f"filter change: segment = {segment}, 2025 only",
                        lambda: pipeline_views(build_pipeline(
                            deals, leads, DealFilters(segments=(segment,), start=date(2025, 1, 1),
                                                      end=date(2025, 12, 31)), sla)),
                        args.repeat)
    slowest = max(team_change, level_change, deal_change)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"targets: cold load < 3 s ({'met' if cold < 3 else 'MISSED'}), filter change < 300 ms "
          f"({'met' if slowest < 0.3 else 'MISSED'}, slowest {slowest * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
