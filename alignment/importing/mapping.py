"""Which column of the file feeds which canonical field: headers first, then the values themselves.

Header profiles (``data/crm_profiles.yaml``) list the headers each CRM writes. The profile that
recognises the most fields names the source (``"HubSpot deals"``). Each field then takes, in order:

1. a header of that profile (confidence 1.0), or one another profile uses for the field (0.9);
2. a header holding one of the field's words as whole words (``close_value`` holds “value”,
   ``first_contact_date`` holds “first contact”), when the column's values suit the field (see
   :func:`.profiles.value_fit`): header evidence ``h = 0.55 + 0.05 × words in the phrase`` and value
   evidence ``v`` combine as ``1 − (1 − h)(1 − v)`` (at most 0.95); free-text fields take ``h``;
3. a header spelled closely enough (rapidfuzz ``ratio`` ≥ 88 on the header's words; 0.85 × similarity);
4. for a required field still without a column, the one column whose values clearly fit: the only
   money column (amount); the only date column, or the earlier of two date columns whose values
   precede the other's in at least 90 % of rows (created date; the later is the close date); the
   only categorical column of stage, status or lead-source words. Confidence ``0.3 + 0.5 × v``, at
   most 0.8, and the field is marked *inferred from values* so the user confirms it first.

A column feeds at most one field. The user confirms or changes every choice before anything is saved.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Final

import pyarrow as pa
import yaml
from rapidfuzz import fuzz, process

from alignment.canonical import fields_for
from alignment.importing import shape
from alignment.importing.profiles import ColumnProfile, Profiles, earlier_share, profile_table, value_fit
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
NOT_USED_HOW: Final = "not used"
FUZZY_CUTOFF: Final = 88
WORD_MATCH_MIN_FIT: Final = 0.5
INFER_MIN_FIT: Final = 0.6
DATE_ORDER_SHARE: Final = 0.9
LOOKED_FOR: Final = {
    "Stage (or a won/lost status)": "a header such as Stage or Status, or a column of stage names such as Closed Won",
    "Amount": "a header such as Amount or Value, or one column of money amounts",
    "Created date": "a header such as Created Date, or a column of dates",
    "Lead status or source": "a header such as Status or Lead Source, or a column of status or lead-source words",
}
VALUE_WORDS: Final = {
    "amount": "money values",
    "amount_cents": "money values",
    "stage": "stage names",
    "outcome": "won/lost words",
    "status": "lead status words",
    "lead_source": "lead-source words",
    "deal_id": "one value per row",
    "lead_id": "one value per row",
}
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
def header_phrases(path: Path = PROFILES_PATH) -> dict[str, dict[str, tuple[str, ...]]]:
    """``{kind: {field: phrases}}``: the words that name a field inside a longer header."""
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    return {
        kind: {name: tuple(header_words(p) for p in phrases) for name, phrases in fields.items()}
        for kind, fields in (raw.get("words") or {}).items()
    }


def _phrase_in(phrase: str, words: str) -> bool:
    return f" {phrase} " in f" {words} "


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
    from_values: bool = False


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
        """This mapping with the user's choices (``None`` or ``""`` = no column); choices count as certain,
        and a column inferred from values that the user keeps is no longer a guess."""
        fields = dict(self.fields)
        for name, column in chosen.items():
            current = fields.get(name, FieldMatch(None))
            if current.column != (column or None) or (column and current.from_values):
                fields[name] = FieldMatch(column or None, 1.0 if column else 0.0, how if column else NOT_USED_HOW)
        return replace(self, fields=fields)

    def inferred(self) -> dict[str, FieldMatch]:
        """Fields whose column was chosen from its values (the user is asked to confirm these first)."""
        return {name: match for name, match in self.fields.items() if match.column and match.from_values}

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
        looked = "; and ".join(LOOKED_FOR[m] for m in missing)
        if self.kind == "deals":
            return (
                f"The file has no {' and no '.join(m.lower() for m in missing)} column (looked for {looked}), so "
                "win rates and deal values cannot be worked out: export the opportunities or deals with their "
                "stage (or status) and amount columns, one row per deal."
            )
        return (
            f"The file has no {' and no '.join(m.lower() for m in missing)} column (looked for {looked}), so it "
            "cannot be read as leads: export the leads with their created date, status and source, one row per lead."
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


def _by_words(
    kind: str,
    wanted: list[str],
    free: list[str],
    profiles: Profiles | dict[str, ColumnProfile],
    fields: dict[str, FieldMatch],
) -> None:
    """Step 2 of the module docstring: field words inside longer headers, checked against the values."""
    phrases = header_phrases().get(kind, {})
    candidates = []
    for name in wanted:
        if name in fields:
            continue
        for column in free:
            words = header_words(column)
            found = [p for p in phrases.get(name, ()) if _phrase_in(p, words)]
            if not found:
                continue
            phrase = max(found, key=lambda p: len(p.split()))
            header = 0.55 + 0.05 * len(phrase.split())
            fit = value_fit(name, profiles[column]) if column in profiles else None
            if fit is not None and fit < WORD_MATCH_MIN_FIT:
                continue
            confidence = header if fit is None else min(0.95, 1 - (1 - header) * (1 - fit))
            how = f"header word “{phrase}”" + (f" and {VALUE_WORDS.get(name, 'dates')}" if fit is not None else "")
            valued = fit is not None and name not in ("deal_id", "lead_id")
            candidates.append((round(confidence, 2), len(phrase), name, column, how, valued))
    for confidence, _, name, column, how, valued in sorted(candidates, reverse=True):
        if name not in fields and column in free:
            fields[name] = FieldMatch(column, confidence, how, from_values=valued)
            free.remove(column)


def _inferred(confidence_of: float) -> float:
    return round(min(0.8, 0.3 + 0.5 * confidence_of), 2)


def _infer_dates(
    kind: str, free: list[str], profiles: Profiles | dict[str, ColumnProfile], fields: dict[str, FieldMatch]
) -> None:
    if "created_date" in fields:
        return
    dated = [c for c in free if c in profiles and (value_fit("created_date", profiles[c]) or 0) >= 0.8]
    close = fields.get("close_date")
    if "created_date" not in fields and close is not None and close.column in profiles:
        before = [c for c in dated if earlier_share(profiles[c], profiles[close.column]) >= DATE_ORDER_SHARE]
        if len(before) == 1:
            share = earlier_share(profiles[before[0]], profiles[close.column])
            fields["created_date"] = FieldMatch(
                before[0],
                _inferred(share),
                f"inferred from values: dates before the close date in {share:.0%} of rows",
                from_values=True,
            )
            free.remove(before[0])
        return
    if len(dated) == 1 and kind == "leads":
        fit = value_fit("created_date", profiles[dated[0]]) or 0.0
        fields["created_date"] = FieldMatch(
            dated[0], _inferred(fit), "inferred from values: the only date column", from_values=True
        )
        free.remove(dated[0])
    elif len(dated) == 2 and kind == "deals" and "close_date" not in fields:
        first, second = dated
        if earlier_share(profiles[second], profiles[first]) > earlier_share(profiles[first], profiles[second]):
            first, second = second, first
        share = earlier_share(profiles[first], profiles[second])
        if share >= DATE_ORDER_SHARE:
            how = f"inferred from values: the earlier of two date columns (before “{second}” in {share:.0%} of rows)"
            fields["created_date"] = FieldMatch(first, _inferred(share), how, from_values=True)
            fields["close_date"] = FieldMatch(
                second, _inferred(share), "inferred from values: the later of two date columns", from_values=True
            )
            free.remove(first)
            free.remove(second)


def _infer_values(
    kind: str, free: list[str], profiles: Profiles | dict[str, ColumnProfile], fields: dict[str, FieldMatch]
) -> None:
    """Step 4 of the module docstring: required fields from the one column whose values clearly fit."""
    _infer_dates(kind, free, profiles, fields)
    wanted = ("amount", "stage", "outcome", "lead_source") if kind == "deals" else ("lead_source", "status")
    for name in wanted:
        if name in fields or (name == "outcome" and "stage" in fields):
            continue
        fits = sorted(
            ((value_fit(name, profiles[c]) or 0.0, c) for c in free if c in profiles), key=lambda f: f[0], reverse=True
        )
        fits = [f for f in fits if f[0] >= INFER_MIN_FIT]
        if not fits or (len(fits) > 1 and (name == "amount" or fits[0][0] - fits[1][0] < 0.3)):
            continue  # the amount must be the only money column; other fields need a clear winner
        fit, column = fits[0]
        reason = (
            "the only column of money amounts" if name == "amount" else f"{fit:.0%} of values are {VALUE_WORDS[name]}"
        )
        fields[name] = FieldMatch(column, _inferred(fit), f"inferred from values: {reason}", from_values=True)
        free.remove(column)


def _propose(columns: list[str], kind: str, profiles: Profiles | dict[str, ColumnProfile]) -> tuple[Mapping, int]:
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
    free_columns = [c for c in columns if c not in taken]
    _by_words(kind, wanted, free_columns, profiles, fields)
    free = {c: header_words(c) for c in free_columns}
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
    _infer_values(kind, list(free), profiles, fields)
    source = profile.name if profile else "Unrecognised export (columns matched by name and values)"
    return Mapping(kind, source, fields), hits


def propose_mapping(columns: list[str], kind: str | None = None, table: pa.Table | None = None) -> Mapping:
    """The best guess of each field's column; with no ``kind``, deals or leads is decided from the headers.

    With ``table`` (the file's rows) the values are read too (see the module docstring); without it
    only the headers are.
    """
    profiles: Profiles | dict[str, ColumnProfile] = profile_table(table) if table is not None else {}
    if kind is not None:
        return _propose(columns, kind, profiles)[0]
    deals, deal_hits = _propose(columns, "deals", {})
    leads, lead_hits = _propose(columns, "leads", {})
    if profiles:  # values can only add fields: read them for the other kind only when the headers leave it open
        if not deals.missing_required() and deal_hits > lead_hits:
            return _propose(columns, "deals", profiles)[0]
        if not leads.missing_required() and lead_hits > deal_hits:
            return _propose(columns, "leads", profiles)[0]
        deals, deal_hits = _propose(columns, "deals", profiles)
        leads, lead_hits = _propose(columns, "leads", profiles)
    if not deals.missing_required() and (leads.missing_required() or deal_hits >= lead_hits):
        return deals
    if not leads.missing_required() and deals.missing_required():
        return leads
    return deals if deal_hits >= lead_hits else leads
