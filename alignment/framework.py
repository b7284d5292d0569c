"""The assessment framework: dimensions, items, the answer scale and the evidence links.

The framework is data (``data/framework.yaml``); this module loads it and validates it, and every
error names the file and line where the problem is, so a facilitator who edits their own copy can
fix it without reading code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from alignment.catalogue import load_catalogue

DEFAULT_FRAMEWORK_PATH = Path(__file__).resolve().parent.parent / "data" / "framework.yaml"

PRACTICE_OWNERS = ("marketing", "sales", "both")
MIN_ITEMS, MAX_ITEMS = 2, 4


class FrameworkError(ValueError):
    """A framework file that cannot be used; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    dimension_id: str


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    practice_of: str  # "marketing", "sales" or "both": whose practice the items describe


@dataclass(frozen=True)
class Dimension:
    id: str
    name: str
    group: str
    description: str
    items: tuple[Item, ...]
    prompts: tuple[str, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    version: int
    scale: tuple[ScalePoint, ...]
    dont_know_label: str
    groups: tuple[Group, ...]
    dimensions: tuple[Dimension, ...]

    @cached_property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for dim in self.dimensions for item in dim.items)

    @cached_property
    def _items_by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}

    @cached_property
    def _dimensions_by_id(self) -> dict[str, Dimension]:
        return {dim.id: dim for dim in self.dimensions}

    @property
    def scale_values(self) -> tuple[int, ...]:
        return tuple(point.value for point in self.scale)

    def item(self, item_id: str) -> Item:
        return self._items_by_id[item_id]

    def has_item(self, item_id: str) -> bool:
        return item_id in self._items_by_id

    def dimension(self, dimension_id: str) -> Dimension:
        return self._dimensions_by_id[dimension_id]

    def group(self, group_id: str) -> Group:
        return next(group for group in self.groups if group.id == group_id)

    def practice_of(self, dimension_id: str) -> str:
        """Whose practice a dimension describes: ``marketing``, ``sales`` or ``both``."""
        return self.group(self.dimension(dimension_id).group).practice_of


class _Reader:
    """Walks a composed YAML node tree and raises FrameworkError with file:line on any problem."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: yaml.Node | None, message: str) -> FrameworkError:
        where = f"{self.source}, line {node.start_mark.line + 1}" if node is not None else self.source
        return FrameworkError(f"{where}: {message}")

    def mapping(self, node: yaml.Node, what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping of keys to values")
        out: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if key.value in out:
                raise self.fail(key, f"{what} has the key '{key.value}' twice")
            out[key.value] = value
        return out

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list")
        return list(node.value)

    def required(self, parent: yaml.Node, fields: dict[str, yaml.Node], key: str, what: str) -> yaml.Node:
        if key not in fields:
            raise self.fail(parent, f"{what} is missing '{key}'")
        return fields[key]

    def text(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            raise self.fail(node, f"{what} must be non-empty text")
        return str(node.value).strip()

    def integer(self, node: yaml.Node, what: str) -> int:
        value = yaml.safe_load(yaml.serialize(node)) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(node, f"{what} must be a whole number")
        return value

    def texts(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        return tuple(self.text(entry, what) for entry in self.sequence(node, what))


def load_framework(path: str | Path | None = None) -> Framework:
    """Load and validate a framework file (default: ``data/framework.yaml``)."""
    path = Path(path) if path is not None else DEFAULT_FRAMEWORK_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise FrameworkError(f"{path}: the framework file does not exist") from exc
    except UnicodeDecodeError as exc:
        raise FrameworkError(f"{path}: the framework file is not UTF-8 text") from exc
    return parse_framework(text, source=str(path))


def parse_framework(text: str, source: str = "framework") -> Framework:
    """Parse framework YAML text; ``source`` names it in error messages."""
    reader = _Reader(source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise FrameworkError(f"{source}, line {line}: not valid YAML ({exc.problem})") from exc
    if root is None:
        raise FrameworkError(f"{source}: the framework file is empty")
    top = reader.mapping(root, "the framework")
    scale = _read_scale(reader, root, top)
    groups = _read_groups(reader, root, top)
    dimensions = _read_dimensions(reader, root, top, {group.id for group in groups})
    return Framework(
        id=reader.text(reader.required(root, top, "id", "the framework"), "id"),
        name=reader.text(reader.required(root, top, "name", "the framework"), "name"),
        version=reader.integer(top["version"], "version") if "version" in top else 1,
        scale=scale,
        dont_know_label=reader.text(top["dont_know_label"], "dont_know_label")
        if "dont_know_label" in top
        else "Don't know",
        groups=groups,
        dimensions=dimensions,
    )


def _read_scale(reader: _Reader, root: yaml.Node, top: dict[str, yaml.Node]) -> tuple[ScalePoint, ...]:
    points = []
    for node in reader.sequence(reader.required(root, top, "scale", "the framework"), "scale"):
        fields = reader.mapping(node, "a scale point")
        value = reader.integer(reader.required(node, fields, "value", "a scale point"), "a scale value")
        label = reader.text(reader.required(node, fields, "label", "a scale point"), "a scale label")
        points.append(ScalePoint(value, label))
    values = [point.value for point in points]
    if values != list(range(1, 6)):
        raise reader.fail(top["scale"], f"scale must have the values 1 to 5 in order, found {values}")
    return tuple(points)


def _read_groups(reader: _Reader, root: yaml.Node, top: dict[str, yaml.Node]) -> tuple[Group, ...]:
    groups: list[Group] = []
    for node in reader.sequence(reader.required(root, top, "groups", "the framework"), "groups"):
        fields = reader.mapping(node, "a group")
        group_id = reader.text(reader.required(node, fields, "id", "a group"), "a group id")
        owner = reader.text(reader.required(node, fields, "practice_of", f"group '{group_id}'"), "practice_of")
        if owner not in PRACTICE_OWNERS:
            raise reader.fail(
                fields["practice_of"], f"practice_of must be one of {', '.join(PRACTICE_OWNERS)}, not '{owner}'"
            )
        if any(group.id == group_id for group in groups):
            raise reader.fail(node, f"group id '{group_id}' is used twice")
        name = reader.text(reader.required(node, fields, "name", f"group '{group_id}'"), "a group name")
        groups.append(Group(group_id, name, owner))
    if not groups:
        raise reader.fail(top["groups"], "groups must list at least one group")
    return tuple(groups)


def _read_dimensions(
    reader: _Reader, root: yaml.Node, top: dict[str, yaml.Node], group_ids: set[str]
) -> tuple[Dimension, ...]:
    dimensions: list[Dimension] = []
    seen_items: set[str] = set()
    for node in reader.sequence(reader.required(root, top, "dimensions", "the framework"), "dimensions"):
        fields = reader.mapping(node, "a dimension")
        dim_id = reader.text(reader.required(node, fields, "id", "a dimension"), "a dimension id")
        what = f"dimension '{dim_id}'"
        if any(dim.id == dim_id for dim in dimensions):
            raise reader.fail(node, f"dimension id '{dim_id}' is used twice")
        group = reader.text(reader.required(node, fields, "group", what), "group")
        if group not in group_ids:
            raise reader.fail(fields["group"], f"{what} names group '{group}', which is not in groups")
        item_nodes = reader.sequence(reader.required(node, fields, "items", what), f"items of {what}")
        if not MIN_ITEMS <= len(item_nodes) <= MAX_ITEMS:
            raise reader.fail(
                fields["items"], f"{what} has {len(item_nodes)} items; it needs {MIN_ITEMS} to {MAX_ITEMS}"
            )
        items = []
        for item_node in item_nodes:
            item_fields = reader.mapping(item_node, f"an item of {what}")
            item_id = reader.text(reader.required(item_node, item_fields, "id", f"an item of {what}"), "an item id")
            if item_id in seen_items:
                raise reader.fail(item_node, f"item id '{item_id}' is used twice")
            seen_items.add(item_id)
            text = reader.text(reader.required(item_node, item_fields, "text", f"item '{item_id}'"), "item text")
            items.append(Item(item_id, text, dim_id))
        evidence = reader.texts(fields["evidence"], "evidence") if "evidence" in fields else ()
        known = load_catalogue().ids
        unknown = [metric for metric in evidence if metric not in known]
        if unknown:
            raise reader.fail(
                fields["evidence"],
                f"{what} links unknown metric '{unknown[0]}'; known metrics (data/metrics.yaml): {', '.join(known)}",
            )
        dimensions.append(
            Dimension(
                id=dim_id,
                name=reader.text(reader.required(node, fields, "name", what), "a dimension name"),
                group=group,
                description=reader.text(fields["description"], "description") if "description" in fields else "",
                items=tuple(items),
                prompts=reader.texts(fields["prompts"], "prompts") if "prompts" in fields else (),
                evidence=evidence,
            )
        )
    if not dimensions:
        raise reader.fail(top["dimensions"], "dimensions must list at least one dimension")
    return tuple(dimensions)
