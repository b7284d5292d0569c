"""What the "is the database still the one we opened?" check costs each write.

Every write transaction of an engine from ``open_database`` first checks the SQLite file's inode and
reads the database id from ``app_settings``. This times small writes (one action added) with the check
and, as the baseline in the same run, through an engine without it (``make_engine`` + ``migrate``),
on SQLite and optionally on Postgres. Prints milliseconds per write (median of interleaved rounds)
and the ratio. Never asserted anywhere.

    python benchmarks/write_check.py [--writes 300] [--rounds 5] [--postgres URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402

from alignment.store import create_workshop, make_engine, migrate, open_database  # noqa: E402
from alignment.store.actions import add_action  # noqa: E402


def per_write_ms(engine, workshop_id: int, writes: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    for n in range(writes):
        add_action(engine, workshop_id, f"Action {n}")
    return (time.perf_counter() - started) * 1000 / writes


def compare(url: str, writes: int, rounds: int) -> tuple[float, float]:
    checked = open_database(url)
    unchecked = make_engine(url)
    migrate(unchecked)
    workshop = create_workshop(checked, "Benchmark")
    with_check, without = [], []
    for _ in range(rounds):  # interleaved, so both see the same machine load
        with_check.append(per_write_ms(checked, workshop.id, writes))
        without.append(per_write_ms(unchecked, workshop.id, writes))
    checked.dispose()
    unchecked.dispose()
    return statistics.median(with_check), statistics.median(without)


def report(label: str, with_check: float, without: float) -> None:
    print(f"{label}: {with_check:.2f} ms per write with the check, {without:.2f} ms without; "
          f"ratio {with_check / without:.2f}×")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", help="an admin URL; a scratch database is created and dropped")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report("SQLite", *compare(f"sqlite:///{folder}/bench.db", args.writes, args.rounds))
    if args.postgres:
        admin = create_engine(args.postgres.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")  # fmt: skip
        name = f"bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            report("Postgres", *compare(args.postgres.rsplit("/", 1)[0] + "/" + name, args.writes, args.rounds))
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
