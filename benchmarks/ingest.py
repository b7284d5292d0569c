"""Time the whole deals import against a bare ``pyarrow.csv.read_csv`` of the same file.

    python benchmarks/ingest.py [--rows 1000000] [--repeat 2]

Writes a realistic deals CSV (Salesforce-style report columns, US dates, currency amounts, footer
lines) to a temporary folder, then measures, each in a fresh subprocess so one run's memory does not
hide in the next: (1) ``pyarrow.csv.read_csv(path)`` alone (told to skip the footer lines, which
would otherwise stop it); (2) the whole import — read the bytes, detect encoding, delimiter and
header, propose the mapping (from the headers and a sample of the values), parse and check every
value, and build the canonical frame. Both use every core: pyarrow's reader parses blocks in
parallel, and the import counts lines and works on its columns (dates, amounts, stages, sources,
text) on one thread per core. Peak memory is the growth of the subprocess's maximum
resident set size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) over its resident size just before the measured
step (``VmRSS``), which counts Arrow's native buffers (``tracemalloc`` would not). Prints the best
time of each, the ratio, and peak memory against the file size, and the command that repeats the run.
Targets: ratio ≤ 3, peak memory ≤ 4 × file size.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
STAGES = [
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
]
SOURCES = ["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Trade Show", "Cold Call", "Webinar", ""]
OWNERS = ["Dana", "Sam", "Lee", "Ana", "Ben", "Kim", "Raj", "Mia"]


def write_deals(path: Path, rows: int, seed: int = 7) -> None:
    """A deals export like a Salesforce report saved as CSV, ``rows`` records plus its footer."""
    rng = np.random.default_rng(seed)
    created = np.datetime64("2022-01-01") + rng.integers(0, 900, rows).astype("timedelta64[D]")
    close = created + rng.integers(-5, 200, rows).astype("timedelta64[D]")

    def us_dates(days: np.ndarray) -> pa.Array:
        unique, index = np.unique(days, return_inverse=True)
        written = [f"{d.month}/{d.day}/{d.year}" for d in unique.astype("datetime64[D]").tolist()]
        return pa.array(np.array(written)[index])

    amounts = np.round(rng.lognormal(9.5, 1.0, rows), 2)
    table = pa.table(
        {
            "Opportunity Name": pa.array(np.char.add("Deal ", np.arange(rows).astype(str))),
            "Account Name": pa.array(np.char.add("Acct ", rng.integers(0, 5000, rows).astype(str))),
            "Opportunity Owner": pa.array(np.array(OWNERS)[rng.integers(0, len(OWNERS), rows)]),
            "Stage": pa.array(np.array(STAGES)[rng.integers(0, len(STAGES), rows)]),
            "Amount": pa.array(amounts),
            "Close Date": us_dates(close),
            "Created Date": us_dates(created),
            "Lead Source": pa.array(np.array(SOURCES)[rng.integers(0, len(SOURCES), rows)]),
        }
    )
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
    with path.open("a", encoding="utf-8") as out:
        out.write(f'\n"Grand Totals ({rows} records)"\n\n"Confidential Information - Do Not Distribute"\n')


def resident_bytes() -> int:
    """This process's resident set size now (Linux ``/proc/self/status``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(step: str, path: str) -> dict[str, float]:
    """Run one step in this process and return its seconds and peak memory growth in bytes."""
    if step in ("import", "import-one-thread"):
        from alignment.importing import Limits, build, propose_mapping, read_table, records, run_import
        from alignment.importing.limits import read_upload

        if step == "import-one-thread":  # what a one-core server would see
            build.PARALLEL_ROWS = records._PARALLEL_BYTES = 2**62

        def work() -> int:
            raw = read_table(read_upload(path, Limits()), Path(path).name)
            return len(run_import(raw, propose_mapping(raw.columns, None, raw.table)).frame)
    else:

        def work() -> int:
            skip_footer = pacsv.ParseOptions(invalid_row_handler=lambda row: "skip")
            return pacsv.read_csv(path, parse_options=skip_footer).num_rows

    before = resident_bytes()
    start = time.perf_counter()
    rows = work()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"seconds": seconds, "peak_growth": peak - before, "rows": rows}


def run_step(step: str, path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", step, str(path)], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--measure", nargs=2, metavar=("STEP", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(measure(*args.measure)))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "deals.csv"
        write_deals(path, args.rows)
        size = path.stat().st_size
        print(f"file: {args.rows:,} deals, {size / 1e6:.1f} MB")
        bare, full, alone = [], [], []
        for _ in range(args.repeat):  # interleaved, so load from other processes hits all alike
            bare.append(run_step("pyarrow", path))
            full.append(run_step("import", path))
            alone.append(run_step("import-one-thread", path))
    best_bare = min(r["seconds"] for r in bare)
    best_full = min(r["seconds"] for r in full)
    bare_peak = max(r["peak_growth"] for r in bare)
    full_peak = max(r["peak_growth"] for r in full)
    print(f"pyarrow.csv.read_csv alone: {best_bare:.2f} s, peak memory +{bare_peak / 1e6:.0f} MB")
    print(
        f"whole import:               {best_full:.2f} s, peak memory +{full_peak / 1e6:.0f} MB"
        f" ({full_peak / size:.1f} × file size), {full[0]['rows']:,} rows kept"
    )
    ratios = sorted(f["seconds"] / b["seconds"] for b, f in zip(bare, full, strict=True))
    print(
        f"ratio: {best_full / best_bare:.1f} × best to best, {ratios[len(ratios) // 2]:.1f} × median of pairs "
        "(target ≤ 3); peak memory target ≤ 4 × file size"
    )
    best_alone = min(r["seconds"] for r in alone)
    print(
        f"whole import on one thread: {best_alone:.2f} s = {best_alone / best_bare:.1f} × the bare read "
        f"(for comparison: the import's own threads save {best_alone - best_full:.2f} s), peak memory "
        f"+{max(r['peak_growth'] for r in alone) / 1e6:.0f} MB"
    )
    print("memory: ru_maxrss after minus VmRSS before, in a fresh subprocess per measurement")
    print(f"repeat: python benchmarks/ingest.py --rows {args.rows} --repeat {args.repeat}")


if __name__ == "__main__":
    main()
