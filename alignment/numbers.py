"""Numbers as every output shows them: rounded once, never "-0", never "nan".

A figure that cannot be computed is not formatted at all: the results object carries its reason in
words (``alignment.results.Results.absences``); these helpers return "—" only as a last resort.
"""

from __future__ import annotations

import math
from typing import Final

MISSING: Final = "—"
UNITS: Final = {"days": "days", "hours": "hours"}


def known(value: object) -> bool:
    """Whether ``value`` is a finite number."""
    try:
        return value is not None and math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def rounded(value: float, places: int = 0) -> float:
    """``value`` rounded half away from zero, with -0 made 0."""
    factor = 10**places
    result = math.floor(abs(value) * factor + 0.5) / factor
    return math.copysign(result, value) if result else 0.0


def whole(value: object, places: int = 0) -> str:
    """``12``, ``1,234``; "—" when unknown."""
    if not known(value):
        return MISSING
    return f"{rounded(float(value), places):,.{places}f}"  # type: ignore[arg-type]


def signed(value: object) -> str:
    """A difference to the nearest whole number with its sign: ``+47``, ``-5``, ``0`` (never ``-0``)."""
    if not known(value):
        return MISSING
    number = rounded(float(value))  # type: ignore[arg-type]
    return "0" if number == 0 else f"{number:+.0f}"


def interval(low: object, high: object) -> str:
    """``-3 to +86``: an interval in whole points, each end signed as ``signed`` does."""
    return f"{signed(low)} to {signed(high)}"


def certain(low: object, high: object) -> bool:
    """Whether an interval excludes zero (so the difference has a sign we can state)."""
    return known(low) and known(high) and (float(low) > 0 or float(high) < 0)  # type: ignore[arg-type]


def percent(value: object) -> str:
    """A share as a whole percentage: ``38%``; "—" when unknown."""
    if not known(value):
        return MISSING
    return f"{rounded(float(value) * 100):.0f}%"  # type: ignore[arg-type]


def amount(value: object, currency: str | None = None) -> str:
    """An amount to the unit with the file's currency code: ``EUR 12,500`` (no code when it is unknown)."""
    if not known(value):
        return MISSING
    text = whole(value)
    return f"{currency} {text}" if currency else text


def formatted(value: object, fmt: str, currency: str | None = None) -> str:
    """A figure in a catalogue format: ``percent``, ``integer``, ``days``, ``hours`` or ``amount``."""
    if fmt == "percent":
        return percent(value)
    if fmt == "amount":
        return amount(value, currency)
    if fmt in UNITS:
        return f"{whole(value)} {UNITS[fmt]}" if known(value) else MISSING
    return whole(value)
