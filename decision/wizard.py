"""The wizard's state, carried entirely in the URL: parsing it and moving between steps.

A step URL holds the answers so far as `question=choice` pairs plus `step=<question>`, the
question on screen. A submitted step adds `from=<question>`: the question just answered.
Any other key (`utm_source`, `fbclid`, a form's `csrfmiddlewaretoken`, anything a link or a
visitor adds) is dropped silently: it never reaches the page or a cache key. A known key with a
value that cannot be used gets a notice naming the question, in our words. Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from .engine import NOT_SURE, Model, Question, applicable_questions, effective_answers

STEP = "step"
FROM = "from"
MAX_PARAMS = 100
MAX_VALUE_LENGTH = 100


@dataclass
class WizardState:
    answers: dict[str, str] = field(default_factory=dict)
    step: str | None = None
    submitted: str | None = None  # the question a form submission answered (its `from`)
    notices: list[str] = field(default_factory=list)


def parse(model: Model, pairs: Iterable[tuple[str, str]]) -> WizardState:
    """Read answers, step and submission from query or form pairs; drop and report the rest."""
    state = WizardState()
    pairs = [(key, value) for key, value in pairs if key in (STEP, FROM) or model.question(key)]
    if len(pairs) > MAX_PARAMS:
        state.notices.append(f"The address had too many parts; we read the first {MAX_PARAMS}.")
        pairs = pairs[:MAX_PARAMS]

    seen: dict[str, list[str]] = {}
    for key, value in pairs:
        if len(value) > MAX_VALUE_LENGTH:
            state.notices.append("We ignored a value that was far too long to be an answer.")
            continue
        seen.setdefault(key, []).append(value)

    for key, values in seen.items():
        if key in (STEP, FROM):
            if len(set(values)) > 1:
                state.notices.append(f"We ignored a repeated “{key}” in the address.")
                continue
            question = model.question(values[0])
            if question is None:
                state.notices.append("We ignored a step that is not part of this wizard.")
                continue
            if key == STEP:
                state.step = question.slug
            else:
                state.submitted = question.slug
            continue
        question = model.question(key)
        if len(set(values)) > 1:
            state.notices.append(
                f"We ignored your answers to “{question.prompt}” because there were several; "
                "please answer it again."
            )
            continue
        value = values[0]
        if value != NOT_SURE and question.choice(value) is None:
            state.notices.append(
                f"We ignored an answer to “{question.prompt}” that is not one of its choices."
            )
            continue
        state.answers[question.slug] = value

    kept = effective_answers(model, state.answers)
    for slug in state.answers:
        if slug not in kept:
            prompt = model.question(slug).prompt
            state.notices.append(
                f"We ignored your answer to “{prompt}”, which does not apply to your other answers."
            )
    state.answers = kept
    shown = {q.slug for q in applicable_questions(model, kept)}
    if state.step is not None and state.step not in shown:
        state.notices.append("That step does not apply to your answers, so we moved on.")
        state.step = None
    return state


def current_question(model: Model, answers: dict[str, str], step: str | None) -> Question | None:
    """The question to show: the requested step, else the first unanswered one (None: done)."""
    shown = applicable_questions(model, answers)
    if step is not None:
        return next((q for q in shown if q.slug == step), None)
    return next((q for q in shown if q.slug not in answers), None)


def next_question(model: Model, answers: dict[str, str], after: str) -> Question | None:
    """The applicable question after `after` (None when `after` is the last one).

    Later answers are kept, so a visitor who goes back to change one answer walks forward
    through the rest with their earlier choices still selected.
    """
    shown = applicable_questions(model, answers)
    slugs = [q.slug for q in shown]
    if after not in slugs:
        return next((q for q in shown if q.slug not in answers), None)
    index = slugs.index(after)
    return shown[index + 1] if index + 1 < len(shown) else None


def previous_question(model: Model, answers: dict[str, str], current: str | None):
    shown = applicable_questions(model, answers)
    if current is None:
        return shown[-1] if shown else None
    slugs = [q.slug for q in shown]
    index = slugs.index(current) if current in slugs else 0
    return shown[index - 1] if index > 0 else None


def progress(model: Model, answers: dict[str, str], current: str | None) -> tuple[int, int]:
    """(k, n): the current step's position and the number of questions that apply."""
    shown = [q.slug for q in applicable_questions(model, answers)]
    total = len(shown)
    if current is None or current not in shown:
        return total, total
    return shown.index(current) + 1, total


def is_last(model: Model, answers: dict[str, str], current: str) -> bool:
    """True when `current` is the last question that applies to these answers."""
    return next_question(model, answers, current) is None


def query(model: Model, answers: dict[str, str], step: str | None = None) -> str:
    """The canonical query string for these answers (in question order) and step."""
    ordered = [(q.slug, answers[q.slug]) for q in model.questions if q.slug in answers]
    if step is not None:
        ordered.append((STEP, step))
    return urlencode(ordered)
