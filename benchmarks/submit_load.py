"""How the answer store holds up when a whole room submits at once.

N simulated participants (default 200), one thread each, go through the same store functions the
self-assessment page calls: join, save every dimension step, save the importance picks, submit.
Each submit is pressed twice with the same submission id (a double click), and every fifth one is
sent a third time through a second engine (a reconnect landing on another replica).

Two phases per database:

- ``answering``: participants arrive over ``--ramp`` seconds and pause ``--think`` ms (on average)
  between steps, then submit as soon as they are done (a compressed workshop: ten minutes of
  answering squeezed into a few seconds);
- ``burst``: then the same number of new participants, with complete drafts, all press Submit at
  the same instant (a barrier), the worst case.

Printed per phase: submissions stored, lost, duplicated, errors, "database is locked" errors, and
p50/p95/max latency of a submit (and of a step save while answering). On SQLite, submits that wait
for the writer share one transaction (group commit, ``responses._write_grouped``).

Then, unless ``--no-browser``: how long a phone (390×844 Chromium) takes to open the join link on a
warm server until the team choice is on the screen, next to a bare one-line Streamlit page on a
second server in the same run (median of ``--opens`` loads each, after one warm-up load). Figures
are measured, never asserted. Runs on SQLite by default; add ``--postgres URL`` (or set ALIGNMENT_TEST_POSTGRES_URL) to
run on a fresh temporary Postgres database as well.

    python benchmarks/submit_load.py
    python benchmarks/submit_load.py --no-browser --ramp 5
    python benchmarks/submit_load.py --postgres postgresql://alignment:alignment@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.exc import OperationalError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alignment.framework import Framework, load_framework  # noqa: E402
from alignment.store import create_workshop, open_database  # noqa: E402
from alignment.store import responses as store  # noqa: E402
from alignment.store.engine import read_session  # noqa: E402
from alignment.store.models import Answer, Participant, Response  # noqa: E402
from alignment.store.workshops import WorkshopInfo  # noqa: E402

TEAMS = ("marketing", "sales", "leadership")


@dataclass
class Tally:
    submit_ms: list[float] = field(default_factory=list)
    step_ms: list[float] = field(default_factory=list)
    submitted: int = 0
    errors: list[str] = field(default_factory=list)
    locked: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(self, exc: Exception) -> None:
        with self.lock:
            if isinstance(exc, OperationalError) and "database is locked" in str(exc):
                self.locked += 1
            self.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}")


def fill_draft(engine: Engine, framework: Framework, workshop: WorkshopInfo, token: str, rng: random.Random,
               tally: Tally | None = None, think_ms: float = 0) -> None:  # fmt: skip
    """Save every step as the page does, with a random rating per item (sometimes "don't know")."""
    for index, dimension in enumerate(framework.dimensions, start=1):
        answers = {item.id: (None if rng.random() < 0.08 else rng.randint(1, 5)) for item in dimension.items}
        if think_ms:
            time.sleep(rng.uniform(0, 2 * think_ms) / 1000)
        started = time.perf_counter()
        store.save_step(engine, framework, workshop.id, token, round_no=workshop.current_round,
                        dimension_id=dimension.id, answers=answers, step=index + 1,
                        comment="Hand-offs are slow." if rng.random() < 0.2 else "")  # fmt: skip
        if tally is not None:
            with tally.lock:
                tally.step_ms.append((time.perf_counter() - started) * 1000)
    picks = rng.sample([dim.id for dim in framework.dimensions], 3)
    store.save_importance(engine, framework, workshop.id, token, round_no=workshop.current_round, dimension_ids=picks)


def press_submit(engines: list[Engine], framework: Framework, workshop: WorkshopInfo, token: str, number: int,
                 tally: Tally) -> None:  # fmt: skip
    """Submit, then the double click, then (every fifth person) the retry through another replica."""
    submission = uuid.uuid4().hex
    started = time.perf_counter()
    store.submit(engines[0], framework, workshop.id, token, round_no=workshop.current_round, submission_id=submission)
    elapsed = (time.perf_counter() - started) * 1000
    with tally.lock:
        tally.submit_ms.append(elapsed)
        tally.submitted += 1
    store.submit(engines[0], framework, workshop.id, token, round_no=workshop.current_round, submission_id=submission)
    if number % 5 == 0:
        store.submit(engines[1], framework, workshop.id, token, round_no=workshop.current_round,
                     submission_id=submission)  # fmt: skip


def run_threads(count: int, target) -> None:  # type: ignore[no-untyped-def]
    threads = [threading.Thread(target=target, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def answering_phase(engines: list[Engine], framework: Framework, workshop: WorkshopInfo, count: int, ramp: float,
                    think_ms: float) -> Tally:  # fmt: skip
    tally = Tally()

    def participant(number: int) -> None:
        rng = random.Random(number)
        time.sleep(rng.uniform(0, ramp))
        try:
            token = store.join(engines[0], workshop, TEAMS[number % len(TEAMS)]).token
            fill_draft(engines[0], framework, workshop, token, rng, tally, think_ms)
            press_submit(engines, framework, workshop, token, number, tally)
        except Exception as exc:  # noqa: BLE001 - every failure is counted and printed
            tally.failed(exc)

    run_threads(count, participant)
    return tally


def burst_phase(engines: list[Engine], framework: Framework, workshop: WorkshopInfo, count: int) -> Tally:
    tally = Tally()
    tokens = []
    for number in range(count):
        token = store.join(engines[0], workshop, TEAMS[number % len(TEAMS)]).token
        fill_draft(engines[0], framework, workshop, token, random.Random(10_000 + number))
        tokens.append(token)
    barrier = threading.Barrier(count)

    def participant(number: int) -> None:
        barrier.wait()
        try:
            press_submit(engines, framework, workshop, tokens[number], number, tally)
        except Exception as exc:  # noqa: BLE001
            tally.failed(exc)

    run_threads(count, participant)
    return tally


def stored(engine: Engine, framework: Framework, workshop: WorkshopInfo) -> tuple[int, int]:
    """``(submitted responses, duplicated answers or responses)`` for the workshop."""
    with read_session(engine) as session:
        responses = session.scalar(
            select(func.count(Response.id))
            .join(Participant, Participant.id == Response.participant_id)
            .where(Participant.workshop_id == workshop.id, Response.status == "submitted")
        )
        people = session.scalar(
            select(func.count(func.distinct(Response.participant_id)))
            .join(Participant, Participant.id == Response.participant_id)
            .where(Participant.workshop_id == workshop.id, Response.status == "submitted")
        )
        answers = session.scalar(
            select(func.count())
            .select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .join(Participant, Participant.id == Response.participant_id)
            .where(Participant.workshop_id == workshop.id, Response.status == "submitted")
        )
    return responses, (responses - people) + (answers - responses * len(framework.items))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def latency(label: str, values: list[float]) -> str:
    return (
        f"{label}  p50 {percentile(values, 0.5):6.1f}  p95 {percentile(values, 0.95):6.1f}"
        f"  max {max(values, default=float('nan')):6.1f}"
    )


def report(label: str, engine: Engine, framework: Framework, workshop: WorkshopInfo, count: int, tally: Tally,
           seconds: float) -> None:  # fmt: skip
    submitted, duplicated = stored(engine, framework, workshop)
    print(f"  {label:<10} stored {submitted}/{count}  lost {tally.submitted - submitted}  duplicated {duplicated}  "
          f"errors {len(tally.errors)}  database-is-locked {tally.locked}  ({seconds:.1f} s)")  # fmt: skip
    print(f"  {'':<10} {latency('submit ms', tally.submit_ms)}")
    if tally.step_ms:
        print(f"  {'':<10} {latency('step save', tally.step_ms)}  ({len(tally.step_ms)} saves)")
    for error in sorted(set(tally.errors))[:5]:
        print(f"  {'':<10} error: {error}")


def benchmark(url: str, label: str, framework: Framework, count: int, ramp: float, think_ms: float,
              pre_ping: bool = True) -> None:  # fmt: skip
    engines = [open_database(url), open_database(url)]  # two "replicas" sharing one database
    if not pre_ping:  # the same pool without the liveness check on every checkout (for comparison only)
        for number, engine in enumerate(engines):
            engine.dispose()
            engines[number] = create_engine(engine.url, pool_pre_ping=False, pool_size=10, max_overflow=20)
    print(f"{label}: {count} participants, {len(framework.dimensions)} steps + importance + submit each")
    try:
        for phase in ("answering", "burst"):
            workshop = create_workshop(engines[0], f"Load test ({phase})", teams=["Marketing", "Sales", "Leadership"])
            started = time.perf_counter()
            if phase == "answering":
                tally = answering_phase(engines, framework, workshop, count, ramp, think_ms)
            else:
                tally = burst_phase(engines, framework, workshop, count)
            report(phase, engines[0], framework, workshop, count, tally, time.perf_counter() - started)
    finally:
        for engine in engines:
            engine.dispose()


@contextmanager
def temporary_postgres(admin_url: str) -> Iterator[str]:
    admin_url = admin_url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"alignment_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name}
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


BARE_PAGE = 'import streamlit as st\n\nst.title("Hello")\nst.radio("Your team", ["Marketing", "Sales"])\n'


def open_times(url: str, opens: int) -> list[float]:
    """Seconds from ``goto(url)`` to the finished first screen (a team choice visible), in fresh phone contexts."""
    from conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, wait_for_app
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for number in range(opens + 1):  # the first load warms the server up and is not counted
            context = browser.new_context(viewport=PHONE, has_touch=True)
            page = context.new_page()
            started = time.perf_counter()
            page.goto(url)
            page.get_by_text("Your team", exact=True).first.wait_for(timeout=60_000)
            wait_for_app(page)
            if number:
                times.append(time.perf_counter() - started)
            context.close()
        browser.close()
    return times


def join_link_timing(opens: int) -> None:
    """The join link on a warm app server next to a bare Streamlit page, same machine, same run."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from conftest import AppServer

    with tempfile.TemporaryDirectory() as folder:
        app = AppServer(Path(folder) / "app").start()
        bare_dir = Path(folder) / "bare"
        bare_dir.mkdir()
        (bare_dir / "bare.py").write_text(BARE_PAGE, encoding="utf-8")
        bare = AppServer(Path(folder) / "bare-data")
        bare.data_dir.mkdir()
        command = [sys.executable, "-m", "streamlit", "run", str(bare_dir / "bare.py"), "--server.port", str(bare.port),
                   "--server.address", "127.0.0.1", "--server.headless", "true"]  # fmt: skip
        import subprocess
        import urllib.request

        process = subprocess.Popen(command, cwd=bare_dir, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            for _ in range(200):
                try:
                    urllib.request.urlopen(f"{bare.url}/_stcore/health", timeout=2)
                    break
                except OSError:
                    time.sleep(0.3)
            db = open_database(f"sqlite:///{app.data_dir / 'alignment.db'}")
            workshop = create_workshop(db, "Timing room")
            db.dispose()
            link = open_times(f"{app.url}/?w={workshop.code}", opens)
            plain = open_times(bare.url, opens)
        finally:
            process.terminate()
            app.stop()
    print(f"\nOpening the join link on a phone (median of {opens}, warm server):")
    print(f"  join link      {statistics.median(link):5.2f} s   (min {min(link):.2f}, max {max(link):.2f})")
    print(f"  bare Streamlit {statistics.median(plain):5.2f} s   (min {min(plain):.2f}, max {max(plain):.2f})")
    print(f"  ratio          {statistics.median(link) / statistics.median(plain):5.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--ramp", type=float, default=20.0, help="seconds over which participants arrive")
    parser.add_argument("--think", type=float, default=300.0, help="mean pause between steps, in ms")
    parser.add_argument("--postgres", default=os.environ.get("ALIGNMENT_TEST_POSTGRES_URL"),
                        help="a Postgres server URL; a temporary database is created there and dropped")  # fmt: skip
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    parser.add_argument("--no-browser", action="store_true", help="skip timing the join link in Chromium")
    parser.add_argument("--opens", type=int, default=5, help="page loads timed per page")
    parser.add_argument("--compare-pre-ping", action="store_true",
                        help="run Postgres again without pool_pre_ping (what the liveness check costs)")  # fmt: skip
    args = parser.parse_args()
    framework = load_framework()
    print(f"{os.cpu_count()} CPU cores; arrival over {args.ramp:.0f} s, ~{args.think:.0f} ms between steps\n")
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'alignment.db'}"
            benchmark(url, "SQLite (WAL, BEGIN IMMEDIATE)", framework, args.participants, args.ramp, args.think)
    if args.postgres:
        with temporary_postgres(args.postgres) as url:
            print()
            benchmark(url, "PostgreSQL", framework, args.participants, args.ramp, args.think)
            if args.compare_pre_ping:
                print()
                benchmark(url, "PostgreSQL without pool_pre_ping", framework, args.participants, args.ramp,
                          args.think, pre_ping=False)  # fmt: skip
    if not args.no_browser:
        join_link_timing(args.opens)


if __name__ == "__main__":
    main()
