"""A view's filters in words, as the files and the captions under the download buttons name them.

A view is one round seen through the answer filters (teams, levels) and the deal filters (segment,
region, product, source group, created dates). Unfiltered it reads "every team and level, all
deals"; filtered, each chosen filter is named with its values, e.g. "Teams: Marketing, Sales ·
Levels: managers · Deals: region EMEA, created 2026-01-01 to 2026-03-31". Several values of one
deal filter are joined with "or" (a deal matches any of them); the deal filters themselves all
apply at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from alignment.metrics import DealFilters
from alignment.suppression import LEVEL_LABELS, AnswerFilters

EVERYTHING: Final = "every team and level, all deals"
ALL_DEALS: Final = "all deals"


def teams_words(filters: AnswerFilters, team_name: Callable[[str], str]) -> str:
    """``Marketing, Sales`` or ``every team``."""
    return ", ".join(team_name(team) for team in filters.teams) or "every team"


def levels_words(filters: AnswerFilters) -> str:
    """``managers, leaders`` or ``every level``."""
    return ", ".join(LEVEL_LABELS.get(level, level) for level in filters.levels) or "every level"


def deals_words(deal_filters: DealFilters) -> str:
    """``region EMEA or APAC, created 2026-01-01 to 2026-03-31`` or ``all deals``."""
    parts = [f"{what} {' or '.join(chosen)}" for what, chosen in (
        ("segment", deal_filters.segments), ("region", deal_filters.regions), ("product", deal_filters.products),
        ("source group", deal_filters.source_groups)) if chosen]
    start, end = deal_filters.start, deal_filters.end
    if start is not None and end is not None:
        parts.append(f"created {start.isoformat()} to {end.isoformat()}")
    elif start is not None:
        parts.append(f"created from {start.isoformat()}")
    elif end is not None:
        parts.append(f"created up to {end.isoformat()}")
    return ", ".join(parts) or ALL_DEALS


def is_filtered(filters: AnswerFilters, deal_filters: DealFilters) -> bool:
    """Whether any team, level or deal filter narrows the view (the round does not count)."""
    return bool(filters.teams or filters.levels) or deal_filters != DealFilters()


def describe_view(filters: AnswerFilters, deal_filters: DealFilters, team_name: Callable[[str], str]) -> str:
    """The whole view in one line (see the module docstring)."""
    if not is_filtered(filters, deal_filters):
        return EVERYTHING
    people = [f"Teams: {teams_words(filters, team_name)}" if filters.teams else "",
              f"Levels: {levels_words(filters)}" if filters.levels else ""]
    said = [part for part in people if part] or ["every team and level"]
    deals = deals_words(deal_filters)
    said.append(ALL_DEALS if deals == ALL_DEALS else f"Deals: {deals}")
    return " · ".join(said)
