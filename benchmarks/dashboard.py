"""Time the one results object on a large workshop, and the first chart in Chromium against a bare page.

    python benchmarks/dashboard.py [--participants 500] [--deals 1000000] [--repeat 3] [--no-browser]

Builds a throwaway SQLite store with one workshop: ``--participants`` people in four teams who
answered every item of the framework (about 1 in 12 answers "don't know") and picked three
dimensions each, and a deals dataset of ``--deals`` rows saved as the workshop's current pipeline
(plus the demo's 4,000 leads). Then it calls, directly, what the page's cached loader calls (no
Streamlit caching):

- cold: read the answers from the store, load and prepare the saved deals, ``build_results`` (every
  score, the bootstrap, every pipeline metric, evidence), and the charts of the first tab;
- filter change, as the page does it (the other half of the results stays cached): a team filter
  (the round's all-teams scores kept, ``restrict_to_teams`` + ``assemble``), a level filter (the
  round rescored, ``perception_results`` + ``assemble``) and a segment + date filter
  (``pipeline_results`` + ``assemble``), each with its charts.

With the browser (Debian's Chromium, headless): a real ``streamlit run app.py`` on this store and a
bare one-chart Streamlit page side by side, each opened in a fresh tab; the time from navigation to
the first chart drawn (a Vega canvas or SVG on the page) is the best of ``--repeat`` warm loads
(after one cold load, whose time is printed too), and the ratio app ÷ bare page.

Prints best and median of each and the machine's load average (the machine is shared, so figures
under load are slower than on an idle machine). Targets: filter change < 300 ms server time, the
first chart within 1.3× of the bare page.
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
from alignment.results import (  # noqa: E402
    assemble,
    build_results,
    perception_results,
    pipeline_results,
    restrict_to_teams,
)
from alignment.store import (  # noqa: E402
    answers_frame,
    comments_frame,
    create_workshop,
    importance_frame,
    load_dataset_frame,
    open_database,
    save_dataset,
    update_workshop,
)
from alignment.store.engine import write_session  # noqa: E402
from alignment.store.models import Answer, ImportancePick, Participant, Response, Round  # noqa: E402
from alignment.suppression import AnswerFilters  # noqa: E402

BARE_PAGE = """
import altair as alt
import pandas as pd
import streamlit as st

st.title("Bare page")
data = pd.DataFrame({"dimension": list("ABCDEFGHIJKL"), "score": range(12)})
st.altair_chart(alt.Chart(data).mark_bar().encode(x="score:Q", y="dimension:N"), width="stretch")
"""
CHART = ".vega-embed canvas, .vega-embed svg.marks"

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
    """The Perception tab's first charts, as the page draws them."""
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


def first_chart_seconds(browser, url: str, repeat: int) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """Seconds from navigation to the first chart drawn: cold (first load), best and median of ``repeat`` warm loads."""
    times = []
    for _ in range(repeat + 1):
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url)
        page.locator(CHART).first.wait_for(state="visible", timeout=180_000)
        times.append(time.perf_counter() - start)
        context.close()
    return times[0], min(times[1:]), statistics.median(times[1:])


def browser_figures(folder: str, code: str, repeat: int) -> None:
    """The app's Alignment page and a bare one-chart page, each on its own ``streamlit run``."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import subprocess

    from conftest import CHROMIUM, CHROMIUM_ARGS, AppServer, free_port
    from playwright.sync_api import sync_playwright

    bare_script = Path(folder) / "bare.py"
    bare_script.write_text(BARE_PAGE, encoding="utf-8")
    app = AppServer(Path(folder)).start()
    port = free_port()
    bare = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(bare_script), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            bare_cold, bare_best, bare_median = first_chart_seconds(browser, f"http://127.0.0.1:{port}/", repeat)
            app_cold, app_best, app_median = first_chart_seconds(browser, f"{app.url}/alignment?w={code}", repeat)
            browser.close()
    finally:
        app.stop()
        bare.terminate()
        bare.wait(timeout=10)
    print(f"{'first chart, bare one-chart page':<52} best {bare_best * 1000:8.0f} ms   median "
          f"{bare_median * 1000:8.0f} ms   (cold {bare_cold * 1000:.0f} ms)")
    print(f"{'first chart, Alignment page (warm cache)':<52} best {app_best * 1000:8.0f} ms   median "
          f"{app_median * 1000:8.0f} ms   (cold {app_cold * 1000:.0f} ms)")
    ratio = app_best / bare_best
    print(f"Alignment page ÷ bare page: {ratio:.2f}× (target 1.3×: {'met' if ratio <= 1.3 else 'MISSED'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true", help="time the results object only")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="alignment-bench-")
    os.environ["ALIGNMENT_DATA_DIR"] = folder
    engine = open_database(f"sqlite:///{folder}/alignment.db")
    started = time.perf_counter()
    workshop_id, deals_id, leads_id = seed(engine, args.participants, args.deals)
    print(f"seeded {args.participants} participants and {args.deals:,} deals in {time.perf_counter() - started:.1f} s")
    framework = load_framework()
    workshop = update_workshop(engine, workshop_id, results_revealed=True)
    answers, importance = answers_frame(engine, workshop_id), importance_frame(engine, workshop_id)
    comments = comments_frame(engine, workshop_id)
    print(f"answers: {len(answers):,} rows from {answers['participant_id'].nunique()} people")

    def cold_load() -> None:
        deals = prepare_pipeline(load_dataset_frame(engine, deals_id, columns=USED_COLUMNS))
        leads = prepare_pipeline(load_dataset_frame(engine, leads_id, columns=USED_COLUMNS))
        results = build_results(workshop, framework, answers_frame(engine, workshop_id),
                                importance_frame(engine, workshop_id), comments_frame(engine, workshop_id),
                                deals=deals, leads=leads, filters=AnswerFilters(round_no=1))
        perception_charts(results)
        pipeline_views(results.pipeline.facts)

    cold = timed("cold: store → results object → charts", cold_load, args.repeat)
    deals = prepare_pipeline(load_dataset_frame(engine, deals_id, columns=USED_COLUMNS))
    leads = prepare_pipeline(load_dataset_frame(engine, leads_id, columns=USED_COLUMNS))
    segment = str(deals["segment"].dropna().iloc[0])
    perception = perception_results(workshop, framework, answers, importance, comments, AnswerFilters(round_no=1))
    pipeline = pipeline_results(deals, leads, DealFilters(), sla_hours=workshop.sla_hours)

    def answer_filter(filters: AnswerFilters) -> None:
        half = perception_results(workshop, framework, answers, importance, comments, filters)
        results = assemble(workshop, framework, half, pipeline)
        perception_charts(results)

    def team_filter(teams: tuple[str, ...]) -> None:
        results = assemble(workshop, framework, restrict_to_teams(perception, teams), pipeline)
        perception_charts(results)

    def deal_filter() -> None:
        chosen = DealFilters(segments=(segment,), start=date(2025, 1, 1), end=date(2025, 12, 31))
        results = assemble(workshop, framework, perception,
                           pipeline_results(deals, leads, chosen, sla_hours=workshop.sla_hours), deal_filters=chosen)
        pipeline_views(results.pipeline.facts)

    team_change = timed("filter change: teams = marketing + sales",
                        lambda: team_filter(("marketing", "sales")), args.repeat)
    level_change = timed("filter change: levels = ic + manager",
                         lambda: answer_filter(AnswerFilters(round_no=1, levels=("ic", "manager"))), args.repeat)
    deal_change = timed(f"filter change: segment = {segment}, 2025 only", deal_filter, args.repeat)
    slowest = max(team_change, level_change, deal_change)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"targets: filter change < 300 ms ({'met' if slowest < 0.3 else 'MISSED'}, slowest {slowest * 1000:.0f} ms);"
          f" cold {cold * 1000:.0f} ms")
    if not args.no_browser:
        browser_figures(folder, workshop.code, args.repeat)


if __name__ == "__main__":
    main()
