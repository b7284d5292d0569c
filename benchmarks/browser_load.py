"""A room of phones against one real server: N Chromium contexts answer at once while a facilitator watches.

Starts its own ``streamlit run app.py`` on a free loopback port with a fresh SQLite folder, creates a
workshop, then drives N concurrent browser contexts (phone viewport, touch) through the whole participant
flow: open the join link, pick a team, rate every statement of every topic, pick two important topics,
submit. A facilitator context signs in to the room screen and waits for the live count to reach N.

Printed: completed submissions, errors, p50/p95/max seconds per step (from a tap to the next screen
being ready), how long the room screen took to show the final count, server memory (VmRSS of the
streamlit process) before the room arrives, with every session open, and after they closed, and the
memory per session. Then the database is checked: every participant stored once, none lost, none
duplicated. Figures are measured, never asserted. Stops by itself (``--timeout``).

    python benchmarks/browser_load.py                  # 10 participants
    python benchmarks/browser_load.py --participants 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, AppServer  # noqa: E402
from playwright.async_api import Page, async_playwright  # noqa: E402

from alignment.framework import load_framework  # noqa: E402
from alignment.store import answers_frame, create_workshop, open_database, participation  # noqa: E402

FRAMEWORK = load_framework()
TOTAL = len(FRAMEWORK.dimensions) + 2
TEAMS = ("Marketing", "Sales")
SCRIPT_DONE = (
    "() => { const app = document.querySelector(\"[data-testid='stApp']\");"
    " return app && app.getAttribute('data-test-script-state') === 'notRunning'; }"
)
TIMEOUT_MS = 120_000


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB, from /proc/PID/status (VmRSS, in kB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def ready(page: Page, text: str) -> None:
    """Wait until ``text`` is visible and Streamlit has finished the run that shows it."""
    await page.get_by_text(text, exact=True).first.wait_for(state="visible", timeout=TIMEOUT_MS)
    await page.wait_for_function(SCRIPT_DONE, timeout=TIMEOUT_MS)


async def tap_choice(page: Page, group: str, choice: str) -> None:
    await page.get_by_role("radiogroup", name=group, exact=True).get_by_role("radio", name=choice, exact=True).tap()


class Timer:
    """Seconds per named step, over all participants."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = defaultdict(list)

    def record(self, step: str, started: float) -> None:
        self.seconds[step].append(time.perf_counter() - started)


async def participant(
    browser, url: str, code: str, number: int, timer: Timer, done: asyncio.Event, finished: list[int]
) -> None:  # type: ignore[no-untyped-def]
    """One phone: the whole flow, then keep the session open until every participant is done."""
    context = await browser.new_context(viewport=PHONE, has_touch=True)
    page = await context.new_page()
    try:
        started = time.perf_counter()
        await page.goto(f"{url}/?w={code}")
        await ready(page, "Your team")
        timer.record("open the link", started)

        started = time.perf_counter()
        await tap_choice(page, "Your team", TEAMS[number % len(TEAMS)])
        await page.get_by_role("button", name="Start").tap()
        await ready(page, f"Step 1 of {TOTAL}")
        timer.record("pick a team and start", started)

        for step, dimension in enumerate(FRAMEWORK.dimensions, start=1):
            started = time.perf_counter()
            for item in dimension.items:
                await tap_choice(page, item.text, str(1 + (number + step) % 5))
            await page.get_by_role("button", name="Next").tap()
            await ready(page, f"Step {step + 1} of {TOTAL}")
            timer.record("answer a topic", started)

        started = time.perf_counter()
        for dimension in FRAMEWORK.dimensions[number % 3 : number % 3 + 2]:
            await page.get_by_text(dimension.name, exact=True).tap()
            await page.get_by_role("checkbox", name=dimension.name, exact=True).wait_for()
        await page.get_by_role("button", name="Next").tap()
        await ready(page, f"Step {TOTAL} of {TOTAL}")
        timer.record("pick important topics", started)

        started = time.perf_counter()
        await page.get_by_role("button", name="Submit my answers").tap()
        await ready(page, "Thank you! Your answers are in.")
        timer.record("submit", started)
        finished.append(number)
        await done.wait()
    finally:
        await context.close()


async def facilitator(
    browser, url: str, code: str, password: str, expected: int, all_submitted: asyncio.Event
) -> float:  # type: ignore[no-untyped-def]
    """Sign in to the room screen; return seconds from the last submit until it shows ``expected``."""
    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    try:
        await page.goto(f"{url}/facilitator?w={code}")
        await page.wait_for_function(SCRIPT_DONE, timeout=TIMEOUT_MS)
        await page.get_by_label("Facilitator password").fill(password)
        await page.get_by_role("button", name="Sign in").click()
        await ready(page, "0 answered in round 1")
        await all_submitted.wait()
        started = time.perf_counter()
        await page.get_by_text(f"{expected} answered in round 1").wait_for(timeout=TIMEOUT_MS)
        return time.perf_counter() - started
    finally:
        await context.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def run(participants: int, timeout: float) -> None:
    password = secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory(prefix="browser-load-") as folder:
        server = AppServer(Path(folder) / "server", env={"ALIGNMENT_ADMIN_PASSWORD": password})
        server.data_dir.mkdir(parents=True)
        db = open_database(f"sqlite:///{server.data_dir / 'alignment.db'}")
        workshop = create_workshop(db, "Browser load", teams=list(TEAMS), k=3)
        server.start()
        try:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                warm = await browser.new_context(viewport=PHONE)  # first run: imports and the demo seed
                warm_page = await warm.new_page()
                await warm_page.goto(f"{server.url}/?w={workshop.code}")
                await ready(warm_page, "Your team")
                await warm.close()
                await asyncio.sleep(2)
                before = rss_mb(server.process.pid)
                cpu_before = cpu_seconds(server.process.pid)

                timer, finished, errors = Timer(), [], []
                done, all_submitted = asyncio.Event(), asyncio.Event()
                watcher = asyncio.create_task(
                    facilitator(browser, server.url, workshop.code, password, participants, all_submitted)
                )
                started = time.perf_counter()
                tasks = [
                    asyncio.create_task(participant(browser, server.url, workshop.code, n, timer, done, finished))
                    for n in range(participants)
                ]
                deadline = started + timeout
                while len(finished) + len(errors) < participants and time.perf_counter() < deadline:
                    await asyncio.sleep(0.5)
                    errors = [task.exception() for task in tasks if task.done() and task.exception()]
                wall = time.perf_counter() - started
                peak = rss_mb(server.process.pid)
                server_cpu = cpu_seconds(server.process.pid) - cpu_before
                all_submitted.set()
                try:
                    lag = await asyncio.wait_for(watcher, timeout=60)
                except Exception as exc:  # noqa: BLE001 - a figure, not a failure
                    lag, errors = float("nan"), [*errors, exc]
                done.set()
                for task in tasks:
                    if not task.done():
                        task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await browser.close()
            await asyncio.sleep(3)
            after = rss_mb(server.process.pid)
        finally:
            server.stop()

        counts = participation(db, workshop.id)
        stored = sum(team["submitted"] for team in counts.values())
        started_rows = sum(team["started"] for team in counts.values())
        answers = answers_frame(db, workshop.id)
        db.dispose()

    print(
        f"participants: {participants}, completed in the browser: {len(finished)}, errors: {len(errors)}, "
        f"wall time {wall:.1f} s"
    )
    for error in errors[:5]:
        print(f"  error: {type(error).__name__}: {str(error).splitlines()[0][:160]}")
    print(f"{'step':<24}{'n':>5}{'p50 s':>8}{'p95 s':>8}{'max s':>8}")
    for step, values in timer.seconds.items():
        print(
            f"{step:<24}{len(values):>5}{statistics.median(values):>8.2f}{percentile(values, 0.95):>8.2f}"
            f"{max(values):>8.2f}"
        )
    print(f"room screen showed {participants} answered {lag:.1f} s after the last submit")
    sessions = participants + 1
    print(
        f"server CPU: {server_cpu:.1f} s over the {wall:.1f} s run ({server_cpu / wall:.0%} of one core; "
        f"{len(os.sched_getaffinity(0))} cores shared with the browsers), "
        f"{server_cpu / participants:.1f} s per participant"
    )
    print(
        f"server RSS: before {before:.0f} MB, with {sessions} sessions open {peak:.0f} MB, "
        f"after they closed {after:.0f} MB; per session {(peak - before) / sessions:.1f} MB"
    )
    items = len(FRAMEWORK.items)
    print(
        f"database: {stored} submitted of {participants} ({participants - stored} lost), "
        f"{started_rows - participants} duplicated responses, {len(answers)} answers "
        f"(expected {participants * items})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=600, help="seconds before giving up on the room")
    args = parser.parse_args()
    asyncio.run(run(args.participants, args.timeout))


if __name__ == "__main__":
    main()
