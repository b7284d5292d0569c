"""What an import did, in numbers a user can check: the validation report.

The counts always add up: ``rows_read == rows_accepted + rows_rejected + footer_rows``. Every row
that is not used is counted under one reason (the first that applies) with a few example rows.
Warnings describe rows that were kept but limit what the data can show, or look doubtful.
``inferred`` names the fields whose column was chosen from its values, with how sure (0–1) and why.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

LEAD_OUTCOME_WORDS = {"won": "converted", "lost": "rejected", "open": "open"}


@dataclass(frozen=True)
class Problem:
    """A reason rows were not used (``rejected``) or a warning about kept rows.

    ``kind`` is a stable identifier (``amount_not_a_number``), ``message`` the sentence shown to
    the user, ``rows`` how many rows it concerns, ``example`` one of them as text.
    """

    kind: str
    message: str
    rows: int
    example: str | None = None
    rejected: bool = False


@dataclass
class ImportReport:
    """The validation report of one import (see the module docstring for how the counts relate)."""

    filename: str
    kind: str
    source: str
    file_format: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    footer_rows: int
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    footer_examples: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    example_rows: list[dict[str, Any]] = field(default_factory=list)
    date_formats: dict[str, dict[str, Any]] = field(default_factory=dict)
    amount_total: float = 0.0
    currencies: dict[str, int] = field(default_factory=dict)
    decimal_mark: str | None = None
    outcomes: dict[str, int] = field(default_factory=dict)
    source_groups: dict[str, int] = field(default_factory=dict)
    created_range: list[str | None] = field(default_factory=lambda: [None, None])
    close_range: list[str | None] = field(default_factory=lambda: [None, None])
    notes: list[str] = field(default_factory=list)
    inferred: dict[str, dict[str, Any]] = field(default_factory=dict)

    def outcome_words(self) -> str:
        """The outcomes in words: "12 won, 3 lost, 35 open" for deals; "4 converted, 1 rejected,
        55 open" for leads (a converted lead is counted as won, a rejected one as lost)."""
        words = {"won": "won", "lost": "lost", "open": "open"} if self.kind == "deals" else LEAD_OUTCOME_WORDS
        return ", ".join(f"{count:,} {words.get(outcome, outcome)}" for outcome, count in self.outcomes.items())

    @property
    def rejections(self) -> list[Problem]:
        """Reasons rows were not used, most rows first."""
        return sorted((p for p in self.problems if p.rejected), key=lambda p: -p.rows)

    @property
    def warnings(self) -> list[Problem]:
        """Warnings about rows that were kept."""
        return [p for p in self.problems if not p.rejected]

    @property
    def ambiguous_dates(self) -> list[str]:
        """Date fields whose day/month order the values could not tell (the page asks)."""
        return [name for name, info in self.date_formats.items() if info.get("ambiguous")]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe copy (stored with the dataset)."""
        data = asdict(self)
        data["amount_total"] = 0.0 if math.isnan(self.amount_total) else round(self.amount_total, 2)
        return data
