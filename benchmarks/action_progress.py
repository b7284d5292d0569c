"""Time checking targeted actions against a new round, next to the dashboard's own metrics.

    python benchmarks/action_progress.py [--deals 1000000] [--leads 200000] [--repeat 3]

Two rounds of demo-shaped deals (``--deals`` rows each) and leads (``--leads`` rows each), prepared
as the app prepares them. Times:

- baseline: the dashboard's win rate and sales cycle by source group on one round's deals, and its
  lead acceptance and response time on one round's leads (what the Pipeline tab computes);
- check: ``action_progress`` for one action per target metric (six), each read on both rounds
  (metric then and now, with intervals), without perception gaps.

Prints the best and median time of each and their ratio (check ÷ baseline) from the same run; the
machine is shared, so absolute figures vary with its load (printed too).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alignment.action_progress import RoundEvidence, action_progress  # noqa: E402
from alignment.action_targets import TARGET_METRICS, ActionTarget  # noqa: E402
from alignment.demo import demo_deals, demo_leads  # noqa: E402
from alignment.lead_metrics import lead_acceptance, response_time  # noqa: E402
from alignment.metrics import cycle_time, prepare_pipeline, win_rate  # noqa: E402
from alignment.store.actions import ActionInfo  # noqa: E402


def timed(work: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rounds = {}
    for number, seed in ((1, 1), (2, 2)):
        rng = np.random.default_rng(seed)
        rounds[number] = RoundEvidence(number, prepare_pipeline(demo_deals(rng, count=args.deals)),
                                       prepare_pipeline(demo_leads(rng, count=args.leads)))  # fmt: skip
    actions = [ActionInfo(id=i, round_no=1, text=m, owner="", due_date=None, dimension_id=None, status="open",
                          target=ActionTarget("pipeline", metric=m, source_group="marketing", value=0.5))
               for i, m in enumerate(TARGET_METRICS)]  # fmt: skip
    deals, leads = rounds[2].deals, rounds[2].leads

    def baseline() -> None:
        win_rate(deals), cycle_time(deals), lead_acceptance(leads), response_time(leads, 24)

    def check() -> None:
        action_progress(actions, rounds, 2, date(2026, 6, 1))

    base, checked = timed(baseline, args.repeat), timed(check, args.repeat)
    print(f"deals per round: {args.deals:,}; leads per round: {args.leads:,}; load average: {os.getloadavg()[0]:.1f}")
    for name, times in (("baseline (4 dashboard metrics, 1 round)", base), ("check (6 targets, 2 rounds)", checked)):
        print(f"{name}: best {min(times) * 1000:,.0f} ms, median {statistics.median(times) * 1000:,.0f} ms")
    print(f"ratio check / baseline (best): {min(checked) / min(base):.1f}")


if __name__ == "__main__":
    main()
