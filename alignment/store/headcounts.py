"""Expected head counts per team, and the teams with more submissions than expected.

The facilitator may say how many people of each team are in the room. More submissions than that
means someone answered twice or an outsider joined: the room screen flags it, and
``alignment.results`` carries the flag (``Results.over_expected``) to the Alignment page, the deck
and the workbook, in the words of ``over_expected_sentence`` (a team's name and the expected number,
never its count of answer sheets). Head counts live in the workshop's settings under :data:`SETTING`
as ``{team id: people}``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
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


def submitted_by_team(answers: pd.DataFrame, round_no: int) -> dict[str, int]:
    """``{team id: answer sheets handed in}`` in ``round_no``, from the submitted answers (every level)."""
    chosen = answers[answers["round_no"] == round_no]
    return {str(team): int(n) for team, n in chosen.groupby("team", observed=True)["response_id"].nunique().items()}


def over_expected_sentence(team_name: str, people: int) -> str:
    """The flag in words: the team and the expected number only (its count may be below ``k``)."""
    return (f"{team_name} handed in more answer sheets than the {people} {'person' if people == 1 else 'people'} "
            "expected in the room: someone may have answered twice.")
