"""Loading and validating the assessment framework file."""

from pathlib import Path

import pytest

from alignment.framework import DEFAULT_FRAMEWORK_PATH, FrameworkError, load_framework, parse_framework

VALID = """\
id: tiny
name: Tiny framework
scale:
  - {value: 1, label: No}
  - {value: 2, label: Rather not}
  - {value: 3, label: Maybe}
  - {value: 4, label: Rather yes}
  - {value: 5, label: Yes}
groups:
  - {id: m, name: Marketing strategy, practice_of: marketing}
dimensions:
  - id: insight
    group: m
    name: Insight
    items:
      - {id: insight.1, text: We know our customer.}
      - {id: insight.2, text: We check it against wins.}
    prompts: ["Who is the customer?"]
    evidence: [win_rate]
"""


def test_shipped_framework_has_twelve_dimensions_in_three_groups() -> None:
    framework = load_framework()
    assert len(framework.dimensions) == 12
    assert [g.practice_of for g in framework.groups] == ["marketing", "sales", "both"]
    per_group = {g.id: sum(d.group == g.id for d in framework.dimensions) for g in framework.groups}
    assert set(per_group.values()) == {4}
    assert all(2 <= len(d.items) <= 4 and d.prompts and d.evidence for d in framework.dimensions)
    assert len({item.id for item in framework.items}) == len(framework.items)


def test_valid_file_loads_with_lookups() -> None:
    framework = parse_framework(VALID)
    assert framework.item("insight.2").dimension_id == "insight"
    assert framework.practice_of("insight") == "marketing"
    assert framework.scale_values == (1, 2, 3, 4, 5)
    assert framework.dont_know_label == "Don't know"


@pytest.mark.parametrize(
    ("broken", "message", "line"),
    [
        (VALID.replace("name: Tiny framework\n", ""), "missing 'name'", 1),
        (VALID.replace("{id: insight.2,", "{id: insight.1,"), "item id 'insight.1' is used twice", 17),
        (VALID.replace("group: m\n", "group: nowhere\n"), "names group 'nowhere'", 13),
        (VALID.replace("[win_rate]", "[vibes]"), "unknown metric 'vibes'", 19),
        (VALID.replace("{value: 5, label: Yes}", "{value: 7, label: Yes}"), "values 1 to 5", 4),
        (VALID.replace("      - {id: insight.2, text: We check it against wins.}\n", ""), "needs 2 to 4", 16),
        (VALID.replace("practice_of: marketing", "practice_of: finance"), "practice_of must be one of", 10),
        (VALID.replace("    name: Insight\n", "    name: [Insight\n"), "not valid YAML", 15),
        (VALID.replace("text: We know our customer.", "text: ''"), "item text must be non-empty", 16),
    ],
)
def test_broken_file_names_the_problem_and_the_line(broken: str, message: str, line: int) -> None:
    with pytest.raises(FrameworkError) as error:
        parse_framework(broken, source="custom.yaml")
    assert message in str(error.value)
    assert f"custom.yaml, line {line}" in str(error.value)


def test_missing_and_empty_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError, match="does not exist"):
        load_framework(tmp_path / "nope.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(FrameworkError, match="empty"):
        load_framework(empty)


def test_default_path_points_at_the_shipped_file() -> None:
    assert DEFAULT_FRAMEWORK_PATH.name == "framework.yaml" and DEFAULT_FRAMEWORK_PATH.exists()
