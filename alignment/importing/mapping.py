"""Which column of the file feeds which canonical field: CRM header profiles, then fuzzy matching.

Header profiles (``data/crm_profiles.yaml``) list the headers each CRM writes. The profile that
recognises the most fields names the source (``"HubSpot deals"``). Each field then takes, in order:
a header of that profile (confidence 1.0), a header another profile uses for the same field (0.9),
or a header spelled closely enough (rapidfuzz ``ratio`` ≥ 88 on the header's words; confidence =
0.85 × similarity).
A column feeds at most one field. The user confirms or changes every choice before anything is saved.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Final

import yaml
from rapidfuzz import fuzz, process

from alignment.canonical import fields_for
from alignment.importing import shape
from alignment.importing.rules import DATA_DIR, SAFE_LOADER

PROFILES_PATH: Final = DATA_DIR / "crm_profiles.yaml"
HELPER_FIELDS: Final = {
    "deals": ("is_won", "is_closed", "won_date", "lost_date", "closed_date", "amount_cents"),
    "leads": ("is_converted",),
}
FIELD_LABELS: Final = {
    "deal_id": "Deal ID",
    "deal_name": "Deal name",
    "account": "Account",
    "owner": "Owner",
    "stage": "Stage",
    "outcome": "Outcome (won/lost/open status)",
    "amount": "Amount",
    "currency": "Currency",
    "created_date": "Created date",
    "close_date": "Close date",
    "lead_source": "Lead source",
    "source_group": "Source group",
    "loss_reason": "Loss reason",
    "segment": "Segment",
    "region": "Region",
    "product": "Product",
    "lead_id": "Lead ID",
    "status": "Lead status",
    "mql_date": "MQL date",
    "accepted_date": "Accepted date",
    "rejected_date": "Rejected date",
    "reject_reason": "Rejection reason",
    "first_touch_date": "First touch date",
    "converted_date": "Converted date",
    "is_won": "Won flag",
    "is_closed": "Closed flag",
    "won_date": "Won date",
    "lost_date": "Lost date",
    "closed_date": "Actual close date",
    "is_converted": "Converted flag",
    "amount_cents": "Amount in cents",
}
DERIVED: Final = ("source_group",)
FUZZY_CUTOFF: Final = 88
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def header_key(name: str) -> str:
    """A header as profiles compare it: letters and digits only, lower case (``Close Date`` = ``CloseDate``)."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def header_words(name: str) -> str:
    """A header as fuzzy matching compares it: lower-case words (``LeadSource`` → ``lead source``)."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", _CAMEL.sub(" ", name).casefold()).split())


@dataclass(frozen=True)
class Profile:
    name: str
    kind: str
    fields: dict[str, tuple[str, ...]]


@lru_cache(maxsize=2)
def load_profiles(path: Path = PROFILES_PATH) -> tuple[Profile, ...]:
    """The CRM header profiles shipped in ``data/crm_profiles.yaml``."""
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    profiles = []
    for entry in raw["profiles"]:
        known = set(fields_for(entry["kind"])) | set(HELPER_FIELDS[entry["kind"]])
        unknown = set(entry["fields"]) - known
        if unknown:
            raise ValueError(f"{path.name}: profile {entry['name']!r} names unknown fields {sorted(unknown)}")
        profiles.append(
            Profile(entry["name"], entry["kind"], {f: tuple(map(str, a)) for f, a in entry["fields"].items()})
        )
    return tuple(profiles)


@dataclass(frozen=True)
class FieldMatch:
    """The column chosen for one field, how sure the match is (0–1) and how it was found."""

    column: str | None
    confidence: float = 0.0
    how: str = "not found"


@dataclass(frozen=True)
class Mapping:
    """The proposed (or confirmed) columns for every field of a ``kind`` of file."""

    kind: str
    source: str
    fields: dict[str, FieldMatch] = field(default_factory=dict)

    def columns(self) -> dict[str, str]:
        """``{field: source column}`` for the fields that have one."""
        return {name: match.column for name, match in self.fields.items() if match.column}

    def column(self, name: str) -> str | None:
        return self.fields.get(name, FieldMatch(None)).column

    def with_columns(self, chosen: dict[str, str | None], how: str = "chosen by you") -> Mapping:
        """This mapping with the user's choices (``None`` or ``""`` = no column); choices count as certain."""
        fields = dict(self.fields)
        for name, column in chosen.items():
            if fields.get(name, FieldMatch(None)).column != (column or None):
                fields[name] = FieldMatch(column or None, 1.0 if column else 0.0, how if column else "not used")
        return replace(self, fields=fields)

    def missing_required(self) -> list[str]:
        """Required fields with no column, in the user's words."""
        columns = self.columns()
        if self.kind == "deals":
            missing = [] if {"stage", "outcome", "is_won"} & set(columns) else ["Stage (or a won/lost status)"]
            return missing + ([] if {"amount", "amount_cents"} & set(columns) else ["Amount"])
        missing = [] if "created_date" in columns else ["Created date"]
        described = {"lead_id", "status", "lead_source", "mql_date", "accepted_date", "converted_date"} & set(columns)
        return missing + ([] if described else ["Lead status or source"])

    def refusal(self, file_columns: list[str]) -> str | None:
        """The one sentence that refuses the file when required fields are missing, else None."""
        missing = self.missing_required()
        if not missing:
            return None
        if not self.columns() and shape.value_like(file_columns):
            return shape.NO_HEADER_SENTENCE
        if self.kind == "deals":
            return (
                f"The file has no {' and no '.join(m.lower() for m in missing)} column, so win rates and deal "
                "values cannot be worked out: export the opportunities or deals with their stage (or status) and "
                "amount columns, one row per deal."
            )
        return (
            f"The file has no {' and no '.join(m.lower() for m in missing)} column, so it cannot be read as "
            "leads: export the leads with their created date, status and source, one row per lead."
        )


def header_signature(columns: list[str]) -> str:
    """A short fingerprint of a header row, to remember a confirmed mapping for the next file like it."""
    joined = "\x1f".join(sorted(header_key(c) for c in columns))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def _detect(columns: list[str], kind: str) -> tuple[Profile | None, int]:
    keys = {header_key(c) for c in columns}
    best, best_score = None, (0, 0.0)
    for profile in load_profiles():
        if profile.kind != kind:
            continue
        hits = sum(any(header_key(a) in keys for a in aliases) for aliases in profile.fields.values())
        score = (hits, hits / len(profile.fields))
        if score > best_score:
            best, best_score = profile, score
    return (best, best_score[0]) if best_score[0] >= 2 else (None, best_score[0])


def _propose(columns: list[str], kind: str) -> tuple[Mapping, int]:
    profile, hits = _detect(columns, kind)
    by_key = {}
    for column in columns:
        by_key.setdefault(header_key(column), column)
    others = [p for p in load_profiles() if p.kind == kind and p is not profile]
    wanted = [*fields_for(kind), *HELPER_FIELDS[kind]]
    taken: set[str] = set()
    fields: dict[str, FieldMatch] = {}

    def take(name: str, aliases: tuple[str, ...], confidence: float, how: str) -> bool:
        for alias in aliases:
            column = by_key.get(header_key(alias))
            if column and column not in taken:
                fields[name] = FieldMatch(column, confidence, how)
                taken.add(column)
                return True
        return False

    wanted = [name for name in wanted if name not in DERIVED]
    if profile:
        for name in wanted:
            take(name, profile.fields.get(name, ()), 1.0, "usual header of this export")
    for name in wanted:
        if name not in fields:
            any(take(name, other.fields.get(name, ()), 0.9, "usual header of another export") for other in others)
    free = {c: header_words(c) for c in columns if c not in taken}
    for name in wanted:
        if name in fields or name in DERIVED or not free:
            continue
        aliases = {header_words(a) for p in load_profiles() if p.kind == kind for a in p.fields.get(name, ())}
        best = None
        for alias in aliases | {header_words(name)}:
            found = process.extractOne(alias, free, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            if found and (best is None or found[1] > best[1]):
                best = found
        if best:
            fields[name] = FieldMatch(best[2], round(0.85 * best[1] / 100, 2), "similar header")
            free.pop(best[2])
    source = profile.name if profile else "Unrecognised export (columns matched by name)"
    return Mapping(kind, source, fields), hits


def propose_mapping(columns: list[str], kind: str | None = None) -> Mapping:
    """The best guess of each field's column; with no ``kind``, deals or leads is decided from the headers."""
    if kind is not None:
        return _propose(columns, kind)[0]
    deals, deal_hits = _propose(columns, "deals")
    leads, lead_hits = _propose(columns, "leads")
    if not deals.missing_required() and (leads.missing_required() or deal_hits >= lead_hits):
        return deals
    if not leads.missing_required() and deals.missing_required():
        return leads
    return deals if deal_hits >= lead_hits else leads
