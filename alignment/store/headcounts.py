"""Expected head counts per team, and the teams with more submissions than expected.

The facilitator may say how many people of each team are in the room. More submissions than that
means someone answered twice or an outsider joined: the room screen and the report flag it.
Head counts live in the workshop's settings under :data:`SETTING` as ``{team id: people}``.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Engine

from alignment.store.workshops import WorkshopInfo, update_settings

SETTING = "expected_head_counts"


def expected_head_counts(workshop: WorkshopInfo) -> dict[str, int]:
    """``{team id: expected people}`` for the teams the facilitator gave a number (positive) for."""
    stored = workshop.settings.get(SETTING) or {}
    return {team: int(n) for team, n in stored.items() if team in workshop.team_ids and int(n) > 0}


def set_expected_head_counts(engine: Engine, workshop: WorkshopInfo, counts: Mapping[str, int | None]) -> WorkshopInfo:
    """Store the expected people per team id; ``None`` or 0 means "not said"."""
    clean = {team: int(n) for team, n in counts.items() if team in workshop.team_ids and n}
    return update_settings(engine, workshop.id, SETTING, clean)


def over_expected(submitted: Mapping[str, int], expected: Mapping[str, int]) -> dict[str, tuple[int, int]]:
    """Teams with more submissions than expected: ``{team id: (submitted, expected)}``."""
    return {
        team: (submitted.get(team, 0), people) for team, people in expected.items() if submitted.get(team, 0) > people
    }
