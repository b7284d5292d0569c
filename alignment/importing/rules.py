"""Editable rule tables: stage → outcome and lead source → source group.

Both tables live in ``data/`` (``stage_outcomes.yaml``, ``lead_sources.yaml``). A name is first
looked up in the workshop's own choices (``overrides``), then among the whole names of the table,
then among its phrases in order (a phrase matches as whole words anywhere in the name). A stage that
matches nothing is ``open``; a lead source that matches nothing is ``other``, a blank one ``unknown``.
Lookups run once per distinct value, so a million rows with twenty stage names cost twenty lookups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Final

import yaml

from alignment.canonical import OUTCOMES, SOURCE_GROUPS

DATA_DIR: Final = Path(__file__).resolve().parent.parent.parent / "data"
STAGE_RULES_PATH: Final = DATA_DIR / "stage_outcomes.yaml"
SOURCE_RULES_PATH: Final = DATA_DIR / "lead_sources.yaml"

SAFE_LOADER: Final = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SPACES = re.compile(r"\s+")
_DASH_SPACING = re.compile(r"\s*([-/])\s*")
TRUE_WORDS: Final = frozenset({"true", "1", "yes", "y", "t", "x", "won", "closed", "checked"})
FALSE_WORDS: Final = frozenset({"false", "0", "no", "n", "f", "", "unchecked"})


def normalise_name(value: object) -> str:
    """A name as the rules compare it: lower case, ``_`` as a space, single spaces, no spaces around ``-`` or ``/``."""
    text = _SPACES.sub(" ", str(value if value is not None else "").replace("_", " ")).strip().casefold()
    return _DASH_SPACING.sub(r" \1 ", text).replace("  ", " ")


@dataclass(frozen=True)
class RuleTable:
    """One rule table: whole names, then phrases in order, then ``default``."""

    names: dict[str, str]
    phrases: tuple[tuple[str, str], ...]
    default: str
    blank: str
    allowed: tuple[str, ...]
    patterns: tuple[tuple[re.Pattern[str], str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compiled = tuple((re.compile(rf"(?<!\w){re.escape(p)}(?!\w)"), target) for p, target in self.phrases)
        object.__setattr__(self, "patterns", compiled)

    def lookup(self, value: object, overrides: dict[str, str] | None = None) -> tuple[str, bool]:
        """The target for ``value`` and whether a rule (not the default) decided it."""
        name = normalise_name(value)
        if overrides and name in overrides:
            return overrides[name], True
        if not name:
            return self.blank, True
        if name in self.names:
            return self.names[name], True
        for pattern, target in self.patterns:
            if pattern.search(name):
                return target, True
        return self.default, False


def _load(path: Path, default: str, blank: str, allowed: tuple[str, ...]) -> RuleTable:
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}
    names = {normalise_name(k): str(v) for k, v in (raw.get("names") or {}).items()}
    phrases = tuple((normalise_name(p), str(t)) for p, t in (raw.get("contains") or []))
    wrong = sorted({t for t in [*names.values(), *(t for _, t in phrases)] if t not in allowed})
    if wrong:
        raise ValueError(f"{path.name}: unknown target(s) {', '.join(wrong)}; expected one of {', '.join(allowed)}")
    return RuleTable(names=names, phrases=phrases, default=default, blank=blank, allowed=allowed)


@lru_cache(maxsize=4)
def stage_rules(path: Path = STAGE_RULES_PATH) -> RuleTable:
    """The shipped stage → outcome table (unmatched stages are ``open``)."""
    return _load(path, default="open", blank="open", allowed=OUTCOMES)


@lru_cache(maxsize=4)
def source_rules(path: Path = SOURCE_RULES_PATH) -> RuleTable:
    """The shipped lead source → source group table (unmatched: ``other``; blank: ``unknown``)."""
    return _load(path, default="other", blank="unknown", allowed=SOURCE_GROUPS)


def _by_normal_name(overrides: dict[str, str] | None, allowed: tuple[str, ...]) -> dict[str, str]:
    """``overrides`` keyed by today's normal form, names already in that form applied last (so they win)."""
    saved = sorted((overrides or {}).items(), key=lambda item: normalise_name(item[0]) == item[0])
    return {normalise_name(name): target for name, target in saved if target in allowed}


@dataclass(frozen=True)
class ImportRules:
    """The rule tables for one import, with the workshop's overrides (normalised name → target)."""

    stages: RuleTable = field(default_factory=stage_rules)
    sources: RuleTable = field(default_factory=source_rules)
    stage_overrides: dict[str, str] = field(default_factory=dict)
    source_overrides: dict[str, str] = field(default_factory=dict)

    @classmethod
    def with_overrides(
        cls, stage_overrides: dict[str, str] | None = None, source_overrides: dict[str, str] | None = None
    ) -> ImportRules:
        """Shipped tables plus a workshop's choices; choices with an unknown target are ignored.

        Saved names are normalised again here, so a choice saved under an earlier normal form (before
        ``_`` counted as a space, ``Closed_Won`` was saved as ``closed_won``) still applies. Where two
        saved names now mean the same (``closed_won`` and ``closed won``), the one already in today's
        form wins: it is the one a save since the change wrote.
        """
        return cls(
            stage_overrides=_by_normal_name(stage_overrides, OUTCOMES),
            source_overrides=_by_normal_name(source_overrides, SOURCE_GROUPS),
        )

    def outcome(self, stage: object) -> tuple[str, bool]:
        """The outcome of a stage or status name, and whether a rule recognised it."""
        return self.stages.lookup(stage, self.stage_overrides)

    def source_group(self, source: object) -> str:
        """The source group of a lead source."""
        return self.sources.lookup(source, self.source_overrides)[0]


def as_flag(value: object) -> bool | None:
    """``TRUE``/``1``/``yes`` → True, ``FALSE``/``0``/empty → False, anything else → None."""
    name = normalise_name(value)
    if name in TRUE_WORDS:
        return True
    if name in FALSE_WORDS:
        return False
    return None
