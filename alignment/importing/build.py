"""Turn a read file and a confirmed mapping into the canonical frame and its validation report.

Rows are not used (rejected), first reason first, when they are: empty; without any stage or
won/lost status (deals); with an amount or date that is written but is not one; without a created
date (leads, whose every measure starts there); or repeating an ID seen in an earlier row.
A deal's outcome comes from its status column (Pipedrive ``Deal - Status``, Dynamics ``Status``,
Close ``status_type``), its flags or its stage (see :mod:`.categories`). A closed deal's close date is its won, lost
or actual close date when the file has one, else its close date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alignment.canonical import DEAL_DATE_FIELDS, LEAD_DATE_FIELDS, OUTCOMES, SOURCE_GROUPS, conform, fields_for
from alignment.importing.amounts import ParsedAmounts, parse_amounts
from alignment.importing.categories import LOST, WON, Outcomes, SourceGroups, deal_outcomes, source_groups
from alignment.importing.cells import all_at_once, blank_at_an_edge, text_series
from alignment.importing.dates import ParsedDates, parse_dates
from alignment.importing.limits import ImportRefused
from alignment.importing.mapping import FIELD_LABELS, Mapping
from alignment.importing.readers import RawTable
from alignment.importing.report import ImportReport, Problem
from alignment.importing.rules import ImportRules
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
PARALLEL_ROWS = 50_000  # from this many rows the columns are worked on in parallel


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


def _column(raw: RawTable, column: str | None) -> pa.ChunkedArray | None:
    """A column of the file as written (None when the field is not mapped)."""
    return raw.table.column(column) if column else None


def _text(raw: RawTable, column: str | None) -> pa.ChunkedArray | None:
    """A column of the file with each cell trimmed and blank cells null (None when the field is not mapped)."""
    if not column:
        return None
    values = raw.table.column(column)
    if raw.plain_cells:  # ASCII: a cell needs trimming only when its first or last byte is a space or control
        spaced = blank_at_an_edge(values)
    else:
        spaced = pc.any(pc.match_substring_regex(values, r"^[\s\p{Z}]|[\s\p{Z}]$")).as_py()
    if not spaced:
        return values
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, trimmed.type), trimmed)


def _date_tasks(
    raw: RawTable, mapping: Mapping, names: tuple[str, ...], keep_time: bool, choices: dict[str, bool]
) -> dict[str, Callable[[], ParsedDates]]:
    """One task per mapped date field: parse its column (see :func:`_settled_dates` for what follows)."""
    return {
        f"date:{name}": partial(parse_dates, raw.table.column(column), keep_time, choices.get(name))
        for name in names
        if (column := mapping.column(name))
    }


def _settled_dates(
    raw: RawTable, mapping: Mapping, done: dict[str, object], keep_time: bool, choices: dict[str, bool]
) -> dict[str, ParsedDates]:
    """The parsed date columns, an ambiguous one read again in the order another column of the file showed."""
    parsed = {key.removeprefix("date:"): value for key, value in done.items() if key.startswith("date:")}
    shown = [p.format.day_first for p in parsed.values() if p.format.day_first is not None and not p.format.ambiguous]
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
    first, last = values.min(), values.max()  # NaT when no row has a date
    return [None, None] if pd.isna(first) else [first.date().isoformat(), last.date().isoformat()]


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
    deals = kind == "deals"
    date_fields = (*DEAL_DATE_FIELDS, "won_date", "lost_date", "closed_date") if deals else LEAD_DATE_FIELDS
    keep_time, choices = not deals, date_choices or {}
    tasks: dict[str, Callable[[], object]] = _date_tasks(raw, mapping, date_fields, keep_time, choices)
    if deals:  # the heaviest first, so the threads finish together
        tasks["amounts"] = partial(_amounts, raw, mapping)
        readings = (_column(raw, mapping.column(n)) for n in ("stage", "outcome", "is_won", "is_closed"))
        tasks["outcomes"] = partial(deal_outcomes, size, rules, *readings)
    tasks["sources"] = partial(source_groups, _column(raw, mapping.column("lead_source")), size, rules)
    text_fields = [n for n in TEXT_FIELDS if n in fields_for(kind) and n != "lead_source"]
    tasks |= {f"text:{n}": partial(_text, raw, mapping.column(n)) for n in text_fields if mapping.column(n)}
    done = all_at_once(tasks, size >= PARALLEL_ROWS)
    groups: SourceGroups = done["sources"]
    texts = {n: done.get(f"text:{n}") for n in text_fields} | {"lead_source": groups.column}
    blank = text_series(None, size)  # one all-blank column shared by every unmapped text field
    columns: dict[str, object] = {
        name: blank if texts[name] is None else text_series(texts[name], size)
        for name in TEXT_FIELDS
        if name in fields_for(kind)
    }
    columns["source_group"] = text_series(groups.texts, size)
    stage_table = pd.DataFrame()
    amounts = outcomes = None
    if deals:
        read: Outcomes = done["outcomes"]
        outcomes, by_stage = read.codes, read.stages
        stage_table = by_stage.table if by_stage is not None else stage_table
        columns["stage"] = text_series(by_stage.written if by_stage is not None else read.texts, size)
        columns["outcome"] = text_series(read.texts, size)
        rejections.add("no_stage", "the row has no stage or won/lost status", outcomes < 0)
        amounts = done["amounts"]
        rejections.add("amount_not_a_number", "the amount is not a number", amounts.invalid)
        columns["amount"] = amounts.values
        if amounts.currencies.notna().any():  # currency written beside the amount fills a blank currency cell
            written = columns["currency"]
            columns["currency"] = amounts.currencies if written is blank else written.fillna(amounts.currencies)
    parsed = _settled_dates(raw, mapping, done, keep_time, choices)
    if not deals:
        missing_created = parsed["created_date"].values.isna().to_numpy() & ~parsed["created_date"].invalid
        rejections.add("created_date_missing", "the created date is blank", missing_created)
    for name, result in parsed.items():
        rejections.add(f"{name}_not_a_date", f"the {FIELD_LABELS[name].lower()} is not a date", result.invalid)
        columns[name] = result.values
    if deals:
        columns["close_date"] = _close_dates(columns, parsed, outcomes)
    id_field = "deal_id" if kind == "deals" else "lead_id"
    if mapping.column(id_field):
        rejections.add(
            f"duplicate_{id_field}",
            f"the {FIELD_LABELS[id_field]} repeats an earlier row",
            _duplicates(columns[id_field], rejections.kept),
        )
    kept = rejections.kept
    everything = bool(kept.all())
    if not everything:
        columns = {name: (c.array if isinstance(c, pd.Series) else c)[kept] for name, c in columns.items()}
    frame = conform(columns, kind)
    problems, examples = rejections.problems()
    unrecognised = stage_table[stage_table["recognised"].eq(False)] if len(stage_table) else stage_table
    if kind == "deals":
        problems += deal_warnings(frame, mapping, raw, unrecognised, parsed, outcomes if everything else outcomes[kept])
    else:
        problems += lead_warnings(frame, mapping, raw, unrecognised, parsed)
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
        source_groups={g: n for g, n in groups.counts(kept).items() if g in SOURCE_GROUPS},
        inferred={
            name: {"column": match.column, "confidence": match.confidence, "how": match.how}
            for name, match in mapping.inferred().items()
        },
    )
    if kind == "deals":
        report.amount_total = float(frame["amount"].sum())
        report.currencies = {str(c): int(n) for c, n in frame["currency"].value_counts().items()}
        report.decimal_mark = amounts.decimal_mark
        counted = np.bincount(outcomes if everything else outcomes[kept], minlength=len(OUTCOMES))
        report.outcomes = {o: int(counted[OUTCOMES.index(o)]) for o in OUTCOMES}
    else:
        converted = frame["converted_date"].notna()
        rejected = frame["rejected_date"].notna() & ~converted
        report.outcomes = {
            "won": int(converted.sum()),
            "lost": int(rejected.sum()),
            "open": int(len(frame) - converted.sum() - rejected.sum()),
        }
    return ImportResult(frame, report, stage_table, groups.table)


def _close_dates(columns: dict[str, object], parsed: dict[str, ParsedDates], outcomes: np.ndarray) -> pd.Series:
    """The close date, replaced for a closed deal by its actual, won or lost date where the file has one."""
    close = pd.Series(columns.get("close_date", pd.Series(pd.NaT, index=range(len(outcomes)))))
    for helper, applies in (
        ("closed_date", lambda: (outcomes == WON) | (outcomes == LOST)),
        ("won_date", lambda: outcomes == WON),
        ("lost_date", lambda: outcomes == LOST),
    ):
        if helper in parsed:
            actual = parsed[helper].values
            close = close.where(~(applies() & actual.notna().to_numpy()), actual)
    return close
