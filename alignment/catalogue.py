"""The catalogue of metrics and terms (``data/metrics.yaml``): what every figure means, said once.

Each metric has an id, a label, a definition, a unit and a format, a direction (higher is better,
lower is better, or neither), named parameters (such as the leakage window), the table of pipeline
facts and the column it reads, the chart that draws it and the sentence that states it. Terms are
the perception half's words (item score, gap, alignment index, priorities …) and the bands of the
alignment index, on the index's own 0–100 scale. The framework validates its ``evidence`` links
against the metric ids; the page, presentation mode, the deck and the workbook iterate over it.

``load_catalogue`` validates the file and says, in one sentence, which entry and field is wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml

DEFAULT_CATALOGUE_PATH: Final = Path(__file__).resolve().parent.parent / "data" / "metrics.yaml"
UNITS: Final = ("share", "count", "days", "hours", "amount")
FORMATS: Final = ("percent", "integer", "days", "hours", "amount")
DIRECTIONS: Final = ("higher_is_better", "lower_is_better", "neither")


class CatalogueError(ValueError):
    """A catalogue file that cannot be used; the message names the entry and the field."""


@dataclass(frozen=True)
class Metric:
    """One pipeline metric as the catalogue defines it (see the file's header for each field)."""

    id: str
    label: str
    definition_text: str
    unit: str
    format: str
    direction: str
    sentence_text: str
    parameters: dict[str, float] = field(default_factory=dict, hash=False, compare=False)
    table: str | None = None
    value: str | None = None
    count: str | None = None
    chart: str | None = None
    leads: bool = False

    @property
    def definition(self) -> str:
        """The definition with its parameters filled in."""
        return self.definition_text.format(**self.parameters)


@dataclass(frozen=True)
class Term:
    id: str
    label: str
    definition: str


@dataclass(frozen=True)
class Band:
    """A band of the alignment index: from ``start`` (0–100) up to the next band."""

    start: float
    name: str
    meaning: str


@dataclass(frozen=True)
class Catalogue:
    metrics: tuple[Metric, ...]
    terms: tuple[Term, ...]
    bands: tuple[Band, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.metrics)

    def metric(self, metric_id: str) -> Metric:
        return next(m for m in self.metrics if m.id == metric_id)

    def term(self, term_id: str) -> Term:
        return next(t for t in self.terms if t.id == term_id)

    def band(self, index: float) -> Band:
        """The band an index (0–100) falls in."""
        return next(b for b in reversed(self.bands) if index >= b.start)

    def definitions(self, k: int) -> list[tuple[str, str]]:
        """Every term, then every metric, as (label, definition) — the definitions any output lists."""
        terms = [(t.label, t.definition.format(k=k)) for t in self.terms]
        return terms + [(m.label, m.definition) for m in self.metrics]


def _text(entry: dict[str, Any], key: str, where: str, required: bool = True) -> str | None:
    value = entry.get(key)
    if value is None:
        if required:
            raise CatalogueError(f"{where} has no '{key}'; add one.")
        return None
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: '{key}' must be non-empty text.")
    return value.strip()


def _choice(entry: dict[str, Any], key: str, where: str, allowed: tuple[str, ...]) -> str:
    value = _text(entry, key, where)
    if value not in allowed:
        raise CatalogueError(f"{where}: '{key}' is '{value}'; use one of {', '.join(allowed)}.")
    return str(value)


def _metric(entry: object, position: int) -> Metric:
    if not isinstance(entry, dict):
        raise CatalogueError(f"metric {position} is not a mapping of fields.")
    where = f"metric '{entry.get('id', position)}'"
    parameters = entry.get("parameters") or {}
    if not isinstance(parameters, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in parameters.values()
    ):
        raise CatalogueError(f"{where}: 'parameters' must map names to numbers.")
    definition = str(_text(entry, "definition", where))
    if not definition.endswith("."):
        raise CatalogueError(f"{where}: the definition must end with a full stop.")
    metric = Metric(
        id=str(_text(entry, "id", where)), label=str(_text(entry, "label", where)), definition_text=definition,
        unit=_choice(entry, "unit", where, UNITS), format=_choice(entry, "format", where, FORMATS),
        direction=_choice(entry, "direction", where, DIRECTIONS), sentence_text=str(_text(entry, "sentence", where)),
        parameters=dict(parameters), table=_text(entry, "table", where, required=False),
        value=_text(entry, "value", where, required=False), count=_text(entry, "count", where, required=False),
        chart=_text(entry, "chart", where, required=False), leads=bool(entry.get("leads", False)),
    )
    try:
        metric.definition  # noqa: B018 - every {name} of the definition must be a parameter
        metric.sentence_text.format(marketing="", sales="", marketing_n="", sales_n="", **metric.parameters)
    except (KeyError, IndexError) as exc:
        raise CatalogueError(f"{where} uses {{{exc.args[0]}}}, which is not one of its parameters.") from None
    if metric.table and not metric.value:
        raise CatalogueError(f"{where} names a table but no 'value' column.")
    return metric


def parse_catalogue(data: object) -> Catalogue:
    """Validate the catalogue's parsed YAML."""
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), list):
        raise CatalogueError("The catalogue needs a 'metrics' list.")
    metrics = tuple(_metric(entry, position) for position, entry in enumerate(data["metrics"], start=1))
    seen: set[str] = set()
    for metric in metrics:
        if metric.id in seen:
            raise CatalogueError(f"metric id '{metric.id}' is used twice.")
        seen.add(metric.id)
    terms = []
    for position, entry in enumerate(data.get("terms") or [], start=1):
        if not isinstance(entry, dict):
            raise CatalogueError(f"term {position} is not a mapping of fields.")
        where = f"term '{entry.get('id', position)}'"
        terms.append(Term(str(_text(entry, "id", where)), str(_text(entry, "label", where)),
                          str(_text(entry, "definition", where))))
    bands = []
    for position, entry in enumerate(data.get("bands") or [], start=1):
        where = f"band {position}"
        if not isinstance(entry, dict) or not isinstance(entry.get("from"), int | float):
            raise CatalogueError(f"{where} needs a number in 'from'.")
        bands.append(Band(float(entry["from"]), str(_text(entry, "name", where)), str(_text(entry, "meaning", where))))
    if not bands or bands[0].start != 0 or any(a.start >= b.start for a, b in zip(bands, bands[1:], strict=False)):
        raise CatalogueError("The bands must start at 0 and rise.")
    return Catalogue(metrics, tuple(terms), tuple(bands))


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """The catalogue at ``path`` (default ``DEFAULT_CATALOGUE_PATH``, ``data/metrics.yaml``), validated;
    read once per file."""
    return _load(Path(path) if path else DEFAULT_CATALOGUE_PATH)


@cache
def _load(location: Path) -> Catalogue:
    try:
        data = yaml.safe_load(location.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"Cannot read the catalogue {location}: {exc}") from None
    return parse_catalogue(data)
