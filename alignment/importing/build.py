"""Turn a read file and a confirmed mapping into the canonical frame and its validation report.

Rows are not used (rejected), first reason first, when they are: empty; without any stage or
won/lost status (deals); with an amount or date that is written but is not one; without a created
date (leads, whose every measure starts there); or repeating an ID seen in an earlier row.
A deal's outcome comes from its status column (Pipedrive ``Deal - Status``, Dynamics ``Status``,
Close ``status_type``) when that names won, lost or open; else from the ``IsWon``/``IsClosed``
flags; else from its stage through the stage rules. A closed deal's close date is its won, lost
or actual close date when the file has one, else its close date.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alignment.canonical import DEAL_DATE_FIELDS, LEAD_DATE_FIELDS, OUTCOMES, SOURCE_GROUPS, conform, fields_for
from alignment.importing.amounts import ParsedAmounts, parse_amounts
from alignment.importing.dates import ParsedDates, parse_dates
from alignment.importing.limits import ImportRefused
from alignment.importing.mapping import FIELD_LABELS, Mapping
from alignment.importing.readers import RawTable
from alignment.importing.report import ImportReport, Problem
from alignment.importing.rules import ImportRules, as_flag, normalise_name
from alignment.importing.warnings import deal_warnings, doubtful_warnings, lead_warnings

TEXT_FIELDS = (
    "deal_id",
    "deal_name",
    "account",
    "owner",
    "currency",
    "lead_source",
    "loss_reason",
    "segment",
    "region",
    "product",
    "lead_id",
    "status",
    "reject_reason",
)
EXAMPLES_PER_REASON = 5
TEXT = pa.large_string()


@dataclass
class ImportResult:
    """The canonical rows, the report, and the distinct stages and lead sources with what the rules made of them."""

    frame: pd.DataFrame
    report: ImportReport
    stages: pd.DataFrame = field(default_factory=pd.DataFrame)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)


class _Rejections:
    """The first reason each row is not used, with the examples shown to the user."""

    def __init__(self, raw: RawTable, mapping: Mapping) -> None:
        self.raw, self.mapping = raw, mapping
        self.reason = np.full(raw.table.num_rows, -1, dtype=np.int16)
        self.kinds: list[tuple[str, str]] = []

    def add(self, kind: str, message: str, mask: np.ndarray) -> None:
        fresh = mask & (self.reason < 0)
        if fresh.any():
            self.reason[fresh] = len(self.kinds)
            self.kinds.append((kind, message))

    @property
    def kept(self) -> np.ndarray:
        return self.reason < 0

    def problems(self) -> tuple[list[Problem], list[dict]]:
        problems, examples = [], []
        shown = list(dict.fromkeys(self.mapping.columns().values())) or self.raw.columns[:8]
        for code, (kind, message) in enumerate(self.kinds):
            rows = np.flatnonzero(self.reason == code)
            sample = self.raw.table.select(shown).take(pa.array(rows[:EXAMPLES_PER_REASON])).to_pylist()
            for row_number, cells in zip(rows[:EXAMPLES_PER_REASON], sample, strict=True):
                examples.append({"reason": message, "row": int(row_number) + 1, **cells})
            first = " · ".join(f"{k}={v}" for k, v in sample[0].items() if v not in (None, ""))[:200]
            problems.append(Problem(kind, message, int(rows.size), f"row {rows[0] + 1}: {first}", rejected=True))
        if self.raw.malformed:
            message = "the row has a different number of cells than the header"
            problems.append(
                Problem(
                    "wrong_number_of_cells",
                    message,
                    len(self.raw.malformed),
                    self.raw.malformed[0][:200],
                    rejected=True,
                )
            )
            examples += [{"reason": message, "row": None, "text": t[:500]} for t in self.raw.malformed[:5]]
        return problems, examples


def _text(raw: RawTable, column: str | None) -> pa.ChunkedArray | None:
    if not column:
        return None
    values = raw.table.column(column)
    if raw.plain_cells:  # only a space or a tab can start or end a cell (see RawTable)
        spaced = any(pc.any(test(values, blank)).as_py() for test in (pc.starts_with, pc.ends_with) for blank in " \t")
    else:
        spaced = pc.any(pc.match_substring_regex(values, r"^[\s\p{Z}]|[\s\p{Z}]$")).as_py()
    if not spaced:
        return values
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, trimmed.type), trimmed)


def _series(values: pa.Array | pa.ChunkedArray | None, size: int) -> pd.Series:
    if values is None:
        values = pa.nulls(size, TEXT)
    if values.type != TEXT:
        values = values.cast(TEXT)
    return pd.Series(values.to_pandas(types_mapper={TEXT: pd.StringDtype("pyarrow")}.get), dtype="string")


@dataclass(frozen=True)
class _Distinct:
    """A text column as its distinct values, where each row's value is among them, and how many rows hold each."""

    values: list[str]
    indices: pa.Array
    counts: np.ndarray

    @classmethod
    def of(cls, column: pa.ChunkedArray | pa.Array) -> _Distinct:
        encoded = pc.dictionary_encode(column)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        values = encoded.dictionary.to_pylist()
        indices = encoded.indices.fill_null(len(values))
        counts = np.bincount(indices.to_numpy(zero_copy_only=False), minlength=len(values) + 1)[:-1]
        return cls(values, indices, counts)

    def spread(self, answers: list, blank: object = None, answer_type: pa.DataType = TEXT) -> pa.Array:
        """One answer per distinct value, spread over the rows (``blank`` for blank cells)."""
        return pc.take(pa.array([*answers, blank], type=answer_type), self.indices)


def _per_value(values: pa.ChunkedArray, decide, answer_type: pa.DataType = TEXT, blank: object = None) -> pa.Array:
    """Apply ``decide`` once per distinct value and spread the answers over the rows (``blank`` for blanks)."""
    distinct = _Distinct.of(values)
    return distinct.spread([decide(v) for v in distinct.values], blank, answer_type)


def _stages(stage: pa.ChunkedArray, rules: ImportRules) -> tuple[pa.Array, pa.Array, pd.DataFrame]:
    """Stages written the way most rows write them (stray case and spaces merged), their outcomes, and the
    stage table ``stage, deals, outcome, recognised``."""
    distinct = _Distinct.of(stage)
    spelling: dict[str, str] = {}
    for position in np.argsort(-distinct.counts, kind="stable"):
        value = distinct.values[position]
        spelling.setdefault(normalise_name(value), " ".join(value.split()))
    names = [spelling[normalise_name(v)] for v in distinct.values]
    decided = {name: rules.outcome(name) for name in set(names)}
    deals: dict[str, int] = {}
    for name, count in zip(names, distinct.counts, strict=True):
        deals[name] = deals.get(name, 0) + int(count)
    table = pd.DataFrame(
        {
            "stage": list(deals),
            "deals": list(deals.values()),
            "outcome": [decided[n][0] for n in deals],
            "recognised": [decided[n][1] for n in deals],
        }
    ).sort_values("deals", ascending=False, ignore_index=True)
    respelled = stage if names == distinct.values else distinct.spread(names)
    return respelled, distinct.spread([decided[n][0] for n in names]), table


def _dates(
    raw: RawTable, mapping: Mapping, names: tuple[str, ...], keep_time: bool, choices: dict[str, bool]
) -> dict[str, ParsedDates]:
    parsed = {n: parse_dates(raw.table.column(c), keep_time, choices.get(n)) for n in names if (c := mapping.column(n))}
    shown = [p.format.day_first for n, p in parsed.items() if p.format.day_first is not None and not p.format.ambiguous]
    if shown:
        for name, result in list(parsed.items()):
            if result.format.ambiguous and choices.get(name) is None:
                parsed[name] = parse_dates(raw.table.column(mapping.column(name)), keep_time, None, shown[0])
    return parsed


def _date_formats(mapping: Mapping, parsed: dict[str, ParsedDates]) -> dict[str, dict]:
    return {
        name: {
            "column": mapping.column(name),
            "format": p.format.label,
            "ambiguous": p.format.ambiguous,
            "alternative": p.format.alternative,
            "day_first": p.format.day_first,
        }
        for name, p in parsed.items()
    }


def _outcomes(raw: RawTable, mapping: Mapping, rules: ImportRules, by_stage: pa.Array | None) -> pa.Array:
    size = raw.table.num_rows
    readings = []
    if (status := _text(raw, mapping.column("outcome"))) is not None:
        readings.append(_per_value(status, lambda v: (lambda o: o[0] if o[1] else None)(rules.outcome(v))))
    won_flag = _text(raw, mapping.column("is_won"))
    closed_flag = _text(raw, mapping.column("is_closed"))
    if won_flag is not None or closed_flag is not None:
        no = pa.array(np.zeros(size, dtype=bool))
        won = pc.fill_null(_per_value(won_flag, as_flag, pa.bool_(), False), False) if won_flag is not None else no
        if closed_flag is not None:
            closed = pc.fill_null(_per_value(closed_flag, as_flag, pa.bool_(), False), False)
            readings.append(pc.if_else(won, "won", pc.if_else(closed, "lost", "open")).cast(TEXT))
        else:
            readings.append(pc.if_else(won, pa.scalar("won", TEXT), pa.scalar(None, TEXT)))
    if by_stage is not None:
        readings.append(by_stage)
    if not readings:
        return pa.nulls(size, TEXT)
    return pc.coalesce(*readings) if len(readings) > 1 else readings[0]


def _source_groups(lead_source: pa.ChunkedArray | None, size: int, rules: ImportRules) -> tuple[pa.Array, pd.DataFrame]:
    if lead_source is None:
        empty = pd.DataFrame(
            {
                name: pd.Series(dtype=dtype)
                for name, dtype in (("lead_source", "string"), ("rows", "int64"), ("source_group", "string"))
            }
        )
        return pa.array(["unknown"] * size, type=TEXT), empty
    distinct = _Distinct.of(lead_source)
    groups = [rules.source_group(v) for v in distinct.values]
    table = pd.DataFrame(
        {
            "lead_source": pd.Series(distinct.values, dtype="string"),
            "rows": pd.Series(distinct.counts, dtype="int64"),
            "source_group": pd.Series(groups, dtype="string"),
        }
    )
    table = table[table["rows"] > 0].sort_values("rows", ascending=False, ignore_index=True)
    return distinct.spread(groups, blank="unknown"), table


def _amounts(raw: RawTable, mapping: Mapping) -> ParsedAmounts:
    """The amount column, or the amount-in-cents column divided by 100 when only that is mapped."""
    if mapping.column("amount"):
        return parse_amounts(raw.table.column(mapping.column("amount")), comma_likely=raw.decimal_comma_likely)
    cents = parse_amounts(raw.table.column(mapping.column("amount_cents")), decimal_mark=".")
    return replace(cents, values=cents.values / 100)


def _empty_rows(raw: RawTable) -> np.ndarray:
    """Rows whose every cell is blank (the reader already turned empty cells into nulls)."""
    empty = np.ones(raw.table.num_rows, dtype=bool)
    for column in raw.table.columns:
        if column.null_count:
            empty &= column.is_null().to_numpy(zero_copy_only=False)
        else:
            return np.zeros(raw.table.num_rows, dtype=bool)
    return empty


def _duplicates(ids: pd.Series, kept: np.ndarray) -> np.ndarray:
    repeated = ids.where(pd.Series(kept)).duplicated(keep="first").to_numpy() & ids.notna().to_numpy()
    return repeated & kept


def _range(values: pd.Series) -> list[str | None]:
    present = values.dropna()
    return [present.min().date().isoformat(), present.max().date().isoformat()] if len(present) else [None, None]


def run_import(
    raw: RawTable, mapping: Mapping, rules: ImportRules | None = None, date_choices: dict[str, bool] | None = None
) -> ImportResult:
    """Build the canonical frame of ``mapping.kind`` from ``raw`` and its report.

    Raises :class:`ImportRefused` when a required column is missing.

    ``date_choices`` maps a date field to the user's answer for an ambiguous column (True = day first).
    """
    refusal = mapping.refusal(raw.columns)
    if refusal:
        raise ImportRefused(refusal)
    rules = rules or ImportRules()
    kind, size = mapping.kind, raw.table.num_rows
    rejections = _Rejections(raw, mapping)
    rejections.add("empty_row", "the row is empty", _empty_rows(raw))
    blank = _series(None, size)  # one all-blank column shared by every unmapped text field
    columns: dict[str, object] = {
        name: _series(_text(raw, mapping.column(name)), size) if mapping.column(name) else blank
        for name in TEXT_FIELDS
        if name in fields_for(kind)
    }
    lead_source = _text(raw, mapping.column("lead_source"))
    groups, sources = _source_groups(lead_source, size, rules)
    columns["source_group"] = _series(groups, size)
    stages = pd.DataFrame()
    amounts = None
    if kind == "deals":
        written = _text(raw, mapping.column("stage"))
        stage, by_stage, stages = _stages(written, rules) if written is not None else (None, None, pd.DataFrame())
        outcome = _outcomes(raw, mapping, rules, by_stage)
        columns["stage"] = _series(stage if stage is not None else outcome, size)
        columns["outcome"] = _series(outcome, size)
        rejections.add("no_stage", "the row has no stage or won/lost status", columns["outcome"].isna().to_numpy())
        amounts = _amounts(raw, mapping)
        rejections.add("amount_not_a_number", "the amount is not a number", amounts.invalid)
        columns["amount"] = amounts.values
        if amounts.currencies.notna().any():  # currency written beside the amount fills a blank currency cell
            written = columns["currency"]
            columns["currency"] = amounts.currencies if written is blank else written.fillna(amounts.currencies)
        parsed = _dates(
            raw, mapping, (*DEAL_DATE_FIELDS, "won_date", "lost_date", "closed_date"), False, date_choices or {}
        )
    else:
        parsed = _dates(raw, mapping, LEAD_DATE_FIELDS, True, date_choices or {})
        missing_created = parsed["created_date"].values.isna().to_numpy() & ~parsed["created_date"].invalid
        rejections.add("created_date_missing", "the created date is blank", missing_created)
    for name, result in parsed.items():
        rejections.add(f"{name}_not_a_date", f"the {FIELD_LABELS[name].lower()} is not a date", result.invalid)
        columns[name] = result.values
    if kind == "deals":
        columns["close_date"] = _close_dates(columns, parsed)
    id_field = "deal_id" if kind == "deals" else "lead_id"
    rejections.add(
        f"duplicate_{id_field}",
        f"the {FIELD_LABELS[id_field]} repeats an earlier row",
        _duplicates(columns[id_field], rejections.kept),
    )
    kept = rejections.kept
    frame = pd.DataFrame(columns)
    frame = conform(frame if kept.all() else frame.loc[kept], kind)
    problems, examples = rejections.problems()
    warn = deal_warnings if kind == "deals" else lead_warnings
    problems += warn(
        frame, mapping, raw, stages[stages["recognised"].eq(False)] if len(stages) else stages, parsed, lead_source
    )
    problems += doubtful_warnings(raw, mapping, parsed, kept, frame)
    if raw.footer_rows:
        problems.append(
            Problem(
                "footer_removed",
                "report footer and total lines were removed",
                raw.footer_rows,
                raw.footer_examples[0] if raw.footer_examples else None,
            )
        )
    report = ImportReport(
        filename=raw.filename,
        kind=kind,
        source=mapping.source,
        file_format=raw.file_format,
        rows_read=raw.rows_read,
        rows_accepted=len(frame),
        rows_rejected=int((~kept).sum()) + len(raw.malformed),
        footer_rows=raw.footer_rows,
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        sheet=raw.sheet,
        mapping=mapping.columns(),
        footer_examples=raw.footer_examples,
        problems=problems,
        example_rows=examples,
        date_formats=_date_formats(mapping, parsed),
        notes=list(raw.notes),
        created_range=_range(frame["created_date"]),
        close_range=_range(frame["close_date"]) if kind == "deals" else [None, None],
        source_groups={g: int(n) for g, n in frame["source_group"].value_counts().items() if g in SOURCE_GROUPS},
        inferred={
            name: {"column": match.column, "confidence": match.confidence, "how": match.how}
            for name, match in mapping.inferred().items()
        },
    )
    if kind == "deals":
        report.amount_total = float(frame["amount"].sum())
        report.currencies = {str(c): int(n) for c, n in frame["currency"].value_counts().items()}
        report.decimal_mark = amounts.decimal_mark
        counted = frame["outcome"].value_counts()
        report.outcomes = {o: int(counted.get(o, 0)) for o in OUTCOMES}
    else:
        converted = frame["converted_date"].notna()
        rejected = frame["rejected_date"].notna() & ~converted
        report.outcomes = {
            "won": int(converted.sum()),
            "lost": int(rejected.sum()),
            "open": int(len(frame) - converted.sum() - rejected.sum()),
        }
    return ImportResult(frame, report, stages, sources)


def _close_dates(columns: dict[str, object], parsed: dict[str, ParsedDates]) -> pd.Series:
    close = pd.Series(columns.get("close_date", pd.Series(pd.NaT, index=range(len(columns["outcome"])))))
    outcome = columns["outcome"]
    for helper, applies in (
        ("closed_date", outcome.isin(["won", "lost"])),
        ("won_date", outcome.eq("won")),
        ("lost_date", outcome.eq("lost")),
    ):
        if helper in parsed:
            actual = parsed[helper].values
            close = close.where(~(applies.fillna(False).to_numpy() & actual.notna().to_numpy()), actual)
    return close
