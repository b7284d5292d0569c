"""The questionnaire a participant walks through, as pure data: steps, progress and validation.

Steps, in order: ``start`` (pick a team) → one ``dimension`` step per framework dimension →
``importance`` (the dimensions that matter most for hitting the number) → ``review`` → ``thanks``.
Only the answering steps are counted in the progress ("Step 3 of 14"): the dimensions, the
importance step and the review.

A rating is 1–5, or ``None`` for "don't know". Every check raises :class:`AnswerRefused` with a
sentence a participant (or a developer calling the store) can act on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from alignment.framework import Dimension, Framework
from alignment.text import clean_text

COMMENT_MAX_CHARS = 500
MAX_IMPORTANCE_PICKS = 3
LEVELS = {"ic": "Individual contributor", "manager": "Manager", "leader": "Leader"}
DONT_KNOW = None


class AnswerRefused(ValueError):
    """Answers that cannot be stored as given; the message says what is wrong and what is allowed."""


@dataclass(frozen=True)
class Step:
    """One screen of the questionnaire.

    ``index`` is the position in :func:`steps` (0 = start). ``number`` and ``total`` give the
    progress shown to the participant; they are 0 for the start and thank-you screens.
    """

    index: int
    kind: str  # "start", "dimension", "importance", "review" or "thanks"
    number: int = 0
    total: int = 0
    dimension: Dimension | None = None

    @property
    def progress(self) -> str:
        return f"Step {self.number} of {self.total}" if self.number else ""


@dataclass(frozen=True)
class Draft:
    """What a participant has stored for the current round.

    ``answers`` maps item id → 1–5 or ``None`` (don't know); an item that is not in it has not been
    answered. ``step`` is the furthest step reached (a :class:`Step` index). ``submitted`` is true
    once the participant has submitted; later edits still count, once.
    """

    round_no: int
    team: str
    level: str | None
    answers: dict[str, int | None] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    importance: tuple[str, ...] = ()
    step: int = 1
    submitted: bool = False


def steps(framework: Framework) -> tuple[Step, ...]:
    """Every step of the questionnaire for ``framework``, start to thank-you."""
    total = len(framework.dimensions) + 2
    answering = [
        Step(index=n, kind="dimension", number=n, total=total, dimension=dim)
        for n, dim in enumerate(framework.dimensions, start=1)
    ]
    last = len(answering)
    return (
        Step(index=0, kind="start"),
        *answering,
        Step(index=last + 1, kind="importance", number=last + 1, total=total),
        Step(index=last + 2, kind="review", number=last + 2, total=total),
        Step(index=last + 3, kind="thanks"),
    )


def step_of_kind(framework: Framework, kind: str) -> Step:
    return next(step for step in steps(framework) if step.kind == kind)


def clamp_step(framework: Framework, index: int) -> Step:
    """The step at ``index``, kept within the answering steps (a stored draft resumes there)."""
    all_steps = steps(framework)
    return all_steps[min(max(index, 1), len(all_steps) - 2)]


def validate_answers(
    framework: Framework, dimension_id: str, answers: Mapping[str, int | None]
) -> dict[str, int | None]:
    """Answers for one dimension's items: known item ids of that dimension, values 1–5 or ``None``."""
    dimension = validate_dimension(framework, dimension_id)
    own = {item.id for item in dimension.items}
    clean: dict[str, int | None] = {}
    for item_id, value in answers.items():
        if item_id not in own:
            where = "another dimension" if framework.has_item(item_id) else "this questionnaire"
            raise AnswerRefused(f"The statement '{item_id}' belongs to {where}, not to '{dimension.name}'.")
        if value is not DONT_KNOW and (
            isinstance(value, bool) or not isinstance(value, int) or value not in framework.scale_values
        ):
            low, high = framework.scale_values[0], framework.scale_values[-1]
            raise AnswerRefused(f"A rating must be a whole number from {low} to {high} or 'don't know', not {value!r}.")
        clean[item_id] = value
    return clean


def validate_dimension(framework: Framework, dimension_id: str) -> Dimension:
    if dimension_id not in {dim.id for dim in framework.dimensions}:
        raise AnswerRefused(f"There is no dimension '{dimension_id}' in this questionnaire.")
    return framework.dimension(dimension_id)


def validate_comment(text: str | None) -> str:
    """A comment stripped of surrounding space and of invisible characters (:func:`alignment.text.clean_text`);
    refused past :data:`COMMENT_MAX_CHARS` characters."""
    clean = clean_text(text).strip()
    if len(clean) > COMMENT_MAX_CHARS:
        raise AnswerRefused(
            f"A comment can be at most {COMMENT_MAX_CHARS} characters; this one has {len(clean)}. Please shorten it."
        )
    return clean


def validate_importance(framework: Framework, dimension_ids: Iterable[str]) -> tuple[str, ...]:
    """The dimensions picked as most important: known ids, no repeats, at most three."""
    picks = tuple(dict.fromkeys(dimension_ids))
    for dimension_id in picks:
        validate_dimension(framework, dimension_id)
    if len(picks) > MAX_IMPORTANCE_PICKS:
        raise AnswerRefused(f"Pick at most {MAX_IMPORTANCE_PICKS} topics that matter most; {len(picks)} were picked.")
    return picks


def validate_level(level: str | None) -> str | None:
    if level is not None and level not in LEVELS:
        raise AnswerRefused(f"The level must be one of {', '.join(LEVELS.values())}, or left out.")
    return level


def unanswered(
    framework: Framework, answers: Mapping[str, int | None], dimension: Dimension | None = None
) -> list[str]:
    """Ids of the items (of ``dimension``, or of the whole framework) that have no answer yet."""
    items = dimension.items if dimension is not None else framework.items
    return [item.id for item in items if item.id not in answers]


def completeness_problem(framework: Framework, draft: Draft) -> str | None:
    """Why ``draft`` cannot be submitted yet (a sentence), or ``None`` when it is complete."""
    open_dimensions = [dim.name for dim in framework.dimensions if unanswered(framework, draft.answers, dim)]
    if open_dimensions:
        listed = ", ".join(open_dimensions[:3]) + (" and more" if len(open_dimensions) > 3 else "")
        return f"Some statements have no answer yet ({listed}). Choose a rating or 'Don't know' for each."
    if not draft.importance:
        return f"Pick up to {MAX_IMPORTANCE_PICKS} topics that matter most before submitting."
    return None


def dimension_summary(dimension: Dimension, answers: Mapping[str, int | None]) -> str:
    """A short line for the review: how many statements are rated, don't know, or still open."""
    rated = sum(1 for item in dimension.items if answers.get(item.id) is not None)
    dont_know = sum(1 for item in dimension.items if item.id in answers and answers[item.id] is None)
    missing = len(dimension.items) - rated - dont_know
    parts = [f"{rated} rated"] if rated or not dont_know else []
    if dont_know:
        parts.append(f"{dont_know} don't know")
    if missing:
        parts.append(f"{missing} not answered")
    return " · ".join(parts)
