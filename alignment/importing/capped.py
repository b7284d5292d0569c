"""Run a reading step in a child process whose memory is capped, for files whose size cannot be told first.

python-calamine reads a legacy .xls whole when it opens it, and sets memory aside from counts
written in the file (a sheet's DIMENSIONS record, the span between its first and last cell): a
5 KB .xls can ask for 137 GB, and the allocation failure ends the process, which no ``except``
catches. Telling such a file's size first means parsing every record, so the read runs in a child
process instead, its address space capped at what it already uses plus ``budget``. Past that the
child dies, and the upload is refused with one sentence while the server lives on.

Where the platform has no ``resource`` module (Windows), the step runs in this process.
"""

from __future__ import annotations

import importlib
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Final, TypeVar

from alignment.importing.limits import EXPORT_HINT, ImportRefused, size_text

try:
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None

ROOT: Final = Path(__file__).resolve().parent.parent.parent
TIMEOUT_SECONDS: Final = 300
_CHILD: Final = "import sys; sys.path.insert(0, sys.argv[1]); from alignment.importing.capped import serve; serve()"
Result = TypeVar("Result")


def call_capped(function: Callable[..., Result], *args: object, budget: int) -> Result:
    """``function(*args)`` run in a child process allowed ``budget`` bytes more than it uses at the start.

    ``function`` must be importable by name and its arguments and result picklable. An
    :class:`ImportRefused` it raises is raised here; a child that dies or fails ends in one sentence.
    """
    if resource is None:
        return function(*args)
    target = f"{function.__module__}:{function.__qualname__}"
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(ROOT)],
            input=pickle.dumps((target, args, budget)),
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ImportRefused(
            f"Reading the workbook took longer than {TIMEOUT_SECONDS // 60} minutes: {EXPORT_HINT}."
        ) from None
    if done.returncode < 0:
        raise ImportRefused(
            f"The workbook would take more than {size_text(budget)} of memory to read, which no real export needs: "
            f"{EXPORT_HINT}."
        )
    if done.returncode or not done.stdout:
        raise ImportRefused(f"The workbook cannot be read: {EXPORT_HINT}.")
    outcome, value = pickle.loads(done.stdout)
    if outcome == "refused":
        raise ImportRefused(value)
    return value


def serve() -> None:
    """The child's side: read the call from standard input, cap memory, run it, write the outcome."""
    target, args, budget = pickle.load(sys.stdin.buffer)
    module, _, name = target.partition(":")
    function = getattr(importlib.import_module(module), name)
    _cap_address_space(budget)
    try:
        outcome = ("done", function(*args))
    except ImportRefused as refused:
        outcome = ("refused", str(refused))
    sys.stdout.buffer.write(pickle.dumps(outcome))


def _cap_address_space(budget: int) -> None:
    """Allow this process ``budget`` bytes of address space more than it has now (Linux: ``/proc/self/statm``)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except OSError:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = pages * resource.getpagesize() + budget
    resource.setrlimit(resource.RLIMIT_AS, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
