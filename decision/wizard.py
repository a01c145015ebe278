"""The wizard's state, carried entirely in the URL: parsing it and moving between steps.

A step URL holds the answers so far as `question=choice` pairs plus `step=<question>`, the
question on screen. The parts question (`Question.multiple`) repeats its key, one part each
(`parts=web&parts=jobs`, as a checkbox form sends it; one comma-joined value is read too).
A submitted step adds `from=<question>`: the question just answered, whose value the step's
form judges; `again=1` says that question had an answer already (the visitor went back to
change it), which decision.analytics needs to count only first answers. `return=review`
marks a step opened from the "check your answers" page: once answered, the visitor goes back
there.

Any other key (`utm_source`, `fbclid`, a form's `csrfmiddlewaretoken`, anything a link or a
visitor adds) is dropped silently: it never reaches the page or a cache key. A known key with a
value that cannot be used gets a notice naming the question, in our words. Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from .engine import (
    Model,
    Question,
    applicable_questions,
    effective_answers,
    join_parts,
    possible_questions,
    split_parts,
    valid_answer,
)
from .vocabulary import NOT_SURE, PART_SEPARATOR

STEP = "step"
FROM = "from"
RETURN = "return"
AGAIN = "again"  # its one value is "1"
REVIEW = "review"  # the one value `return` may take
MAX_PARAMS = 100
MAX_VALUE_LENGTH = 100  # per value; the parts question's joined value may hold one per part


@dataclass
class WizardState:
    answers: dict[str, str] = field(default_factory=dict)
    step: str | None = None
    submitted: str | None = None  # the question a form submission answered (its `from`)
    back_to_review: bool = False  # `return=review`: go back to the review page once answered
    again: bool = False  # `again=1`: the submitted question had an answer before
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Progress:
    """Where a step stands among the questions that apply or could still apply."""

    done: int  # questions before this one: the bar's value
    total: int  # questions that apply or could still apply: the bar's maximum

    @property
    def position(self) -> int:
        return self.done + 1

    @property
    def to_go(self) -> int:
        """Questions that could still come after this one."""
        return max(self.total - self.position, 0)


def parse(model: Model, pairs: Iterable[tuple[str, str]], *, submission: bool = True):
    """Read answers, step and submission from query or form pairs; drop and report the rest.

    The submitted question's own value is left to its form (`decision.forms.StepForm`), the
    one check of a submitted answer: it is neither kept nor reported here, and answers that
    could apply once it is answered are kept. Without `submission`, `from` is dropped.
    """
    state = WizardState()
    special = (STEP, FROM, RETURN, AGAIN) if submission else (STEP, RETURN)
    pairs = [(key, value) for key, value in pairs if key in special or model.question(key)]
    if len(pairs) > MAX_PARAMS:
        state.notices.append(f"The address had too many parts; we read the first {MAX_PARAMS}.")
        pairs = pairs[:MAX_PARAMS]

    seen: dict[str, list[str]] = {}
    for key, value in pairs:
        if len(value) > _longest(model, key):
            state.notices.append("We ignored a value that was far too long to be an answer.")
            continue
        seen.setdefault(key, []).append(value)

    for key in (STEP, FROM):
        if key in seen:
            slug = _one_question(model, key, seen.pop(key), state.notices)
            if key == STEP:
                state.step = slug
            else:
                state.submitted = slug
    state.back_to_review = REVIEW in seen.pop(RETURN, [])
    state.again = "1" in seen.pop(AGAIN, [])

    for key, values in seen.items():
        if key == state.submitted:
            continue
        value = _answer(model.question(key), values, state.notices)
        if value is not None:
            state.answers[key] = value

    if state.submitted is None:
        kept = effective_answers(model, state.answers)
    else:
        # Its answer is not known yet: keep every answer that could apply with it.
        could = possible_questions(model, state.answers)
        kept = {q.slug: state.answers[q.slug] for q in could if q.slug in state.answers}
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


def _longest(model: Model, key: str) -> int:
    question = model.question(key)
    if question is not None and question.multiple:
        return MAX_VALUE_LENGTH * len(question.choices)
    return MAX_VALUE_LENGTH


def _one_question(model: Model, key: str, values: list[str], notices: list[str]) -> str | None:
    if len(set(values)) > 1:
        notices.append(f"We ignored a repeated “{key}” in the address.")
        return None
    question = model.question(values[0])
    if question is None:
        notices.append("We ignored a step that is not part of this wizard.")
        return None
    return question.slug


def _answer(question: Question, values: list[str], notices: list[str]) -> str | None:
    """The stored answer these values give, or None with a notice saying why not."""
    if question.multiple:
        picked = list(dict.fromkeys(p for v in values for p in v.split(PART_SEPARATOR)))
        if NOT_SURE in picked and len(picked) > 1:
            notices.append(
                f"We ignored your answer to “{question.prompt}” because it was both "
                "“Not sure” and some parts; please answer it again."
            )
            return None
        value = PART_SEPARATOR.join(picked)
        if not valid_answer(question, value):
            notices.append(
                f"We ignored an answer to “{question.prompt}” that is not one of its choices."
            )
            return None
        return value if value == NOT_SURE else join_parts(question, picked)
    if len(set(values)) > 1:
        notices.append(
            f"We ignored your answers to “{question.prompt}” because there were several; "
            "please answer it again."
        )
        return None
    if not valid_answer(question, values[0]):
        notices.append(
            f"We ignored an answer to “{question.prompt}” that is not one of its choices."
        )
        return None
    return values[0]


def with_answer(model: Model, answers: Mapping[str, str], question: str, value: str):
    """The answers once `question` is answered with `value` (a form's clean answer).

    Answers the new one makes inapplicable (a follow-up it closes) go without a word: the
    visitor changed their mind, nothing was tampered with.
    """
    return effective_answers(model, {**answers, question: value})


def current_question(model: Model, answers: Mapping[str, str], step: str | None):
    """The question to show: the requested step, else the first unanswered one (None: done)."""
    shown = applicable_questions(model, answers)
    if step is not None:
        return next((q for q in shown if q.slug == step), None)
    return next((q for q in shown if q.slug not in answers), None)


def next_question(model: Model, answers: Mapping[str, str], after: str) -> Question | None:
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


def following(
    model: Model, answers: Mapping[str, str], answered: str, *, back_to_review: bool = False
) -> Question | None:
    """Where a visitor goes once `answered` is answered; None: the review page.

    Walking forward, the next question that applies. Coming from the review page, straight
    back there, unless the answer opened a question not answered yet: that one first.
    """
    if not back_to_review:
        upcoming = next_question(model, answers, answered)
        if upcoming is not None:
            return upcoming
    return current_question(model, answers, None)


def previous_question(model: Model, answers: Mapping[str, str], current: str | None):
    """The applicable question before `current` (the last one for the review page)."""
    shown = applicable_questions(model, answers)
    if current is None:
        return shown[-1] if shown else None
    slugs = [q.slug for q in shown]
    index = slugs.index(current) if current in slugs else 0
    return shown[index - 1] if index > 0 else None


def progress(model: Model, answers: Mapping[str, str], current: str | None) -> Progress:
    """The step's place among the questions that apply or could still apply.

    Answering a question only ever removes later questions from that list, so walking
    forward the bar's value grows, its maximum never grows and the value never passes it.
    The review page (`current` None) is complete.
    """
    could = [q.slug for q in possible_questions(model, answers)]
    if current is None or current not in could:
        return Progress(done=len(could), total=len(could))
    return Progress(done=could.index(current), total=len(could))


def answer_pairs(model: Model, answers: Mapping[str, str]) -> list[tuple[str, str]]:
    """The answers as URL pairs in question order; the parts question repeats its key."""
    pairs = []
    for question in model.questions:
        value = answers.get(question.slug)
        if value is None:
            continue
        if question.multiple and value != NOT_SURE:
            pairs += [(question.slug, part) for part in split_parts(value)]
        else:
            pairs.append((question.slug, value))
    return pairs


def query(
    model: Model,
    answers: Mapping[str, str],
    step: str | None = None,
    *,
    back_to_review: bool = False,
) -> str:
    """The canonical query string for these answers (in question order), step and return."""
    pairs = answer_pairs(model, answers)
    if step is not None:
        pairs.append((STEP, step))
    if back_to_review:
        pairs.append((RETURN, REVIEW))
    return urlencode(pairs)


def url(
    base: str,
    model: Model,
    answers: Mapping[str, str],
    step: str | None = None,
    *,
    back_to_review: bool = False,
) -> str:
    """`base` (the wizard's or the review page's path) with the canonical query."""
    text = query(model, answers, step, back_to_review=back_to_review)
    return f"{base}?{text}" if text else base
