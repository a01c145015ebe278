"""What one wizard page shows: a step (one question) or the "check your answers" page.

Pure: content, the engine's model and the answers in, a frozen `StepView` out; the template
only reads it. The view builds the step's form (a Django object) beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from . import wizard as steps
from .content.schema import ComparisonSchema
from .engine import WHOLE, Model, Question, recommend, split_parts
from .vocabulary import NOT_SURE, NOT_SURE_LABEL

SITE = "Decision Wizard"
REVIEW_HEADING = "Check your answers"


@dataclass(frozen=True)
class WizardUrls:
    """The wizard's addresses, without queries (the view reverses them)."""

    wizard: str
    review: str
    finish: str
    comparison: str


@dataclass(frozen=True)
class ReviewRow:
    question: str
    prompt: str
    answer: str
    change_url: str


@dataclass(frozen=True)
class StepView:
    title: str  # the page's <title>
    question: Question | None  # None: the review page
    hint: str
    progress: steps.Progress
    progress_label: str
    status: str  # what the live region announces when the page arrives
    notices: tuple[str, ...]  # what was dropped from the address (a warning)
    knockouts: tuple[str, ...]  # options ruled out, with reasons (information, not an error)
    hidden: tuple[tuple[str, str], ...]  # the answers travelling with the form
    method: str
    action: str
    button: str
    back_url: str | None
    back_label: str
    start_url: str
    comparison_url: str
    review: tuple[ReviewRow, ...]
    back_to_review: bool
    failure: str  # the message shown when the next page cannot be loaded (JavaScript)
    sources: tuple[str, ...] = ()  # what backs the figures in the question and its answers
    as_of: str | None = None  # the oldest month those figures were checked

    @property
    def is_review(self) -> bool:
        return self.question is None


def present_step(
    content: ComparisonSchema,
    model: Model,
    answers: Mapping[str, str],
    question: Question | None,
    *,
    notices: Sequence[str] = (),
    urls: WizardUrls,
    back_to_review: bool = False,
    has_error: bool = False,
) -> StepView:
    """The step showing `question` for these answers, or the review page when it is None."""
    slug = question.slug if question else None
    progress = steps.progress(model, answers, slug)
    names = {option.slug: option.name for option in content.options}
    if question is None:
        knockouts = _knockout_lines(model, names, {}, answers)
        label = f"{REVIEW_HEADING} · {progress.total} answered"
        heading = REVIEW_HEADING
    else:
        previous = steps.previous_question(model, answers, slug)
        knockouts = _knocked_out_by(model, names, answers, previous) if previous else ()
        if progress.to_go:
            label = f"Question {progress.position} · about {progress.to_go} to go"
        else:
            label = f"Question {progress.position} · the last one"
        heading = question.prompt
    title = f"{heading} — {content.title} wizard — {SITE}"
    back_url = _back_url(model, answers, question, urls, back_to_review)
    sources, as_of = _facts(content, slug)
    return StepView(
        title=f"Error: {title}" if has_error else title,
        question=question,
        hint="Select every part your system has." if question and question.multiple else "",
        progress=progress,
        progress_label=label,
        status=" ".join([*knockouts, label]),
        notices=tuple(notices),
        knockouts=knockouts,
        hidden=_hidden(model, answers, slug, back_to_review),
        method="post" if question is None else "get",
        action=urls.finish if question is None else urls.wizard,
        button="See my recommendation" if question is None else "Continue",
        back_url=back_url,
        back_label="Back to the comparison" if back_url == urls.comparison else "Back",
        start_url=urls.wizard,
        comparison_url=urls.comparison,
        review=_review_rows(model, answers, urls) if question is None else (),
        back_to_review=back_to_review,
        failure=(
            "We could not get your recommendation. Check your connection and try again."
            if question is None
            else "We could not load the next question. Check your connection and try again."
        ),
        sources=sources,
        as_of=as_of,
    )


def _facts(content: ComparisonSchema, slug: str | None) -> tuple[tuple[str, ...], str | None]:
    """The sources of a question and its answers, and the oldest month they were checked."""
    question = next((q for q in content.questions if q.slug == slug), None)
    if question is None:
        return (), None
    items = [question, *question.choices]
    sources = tuple(dict.fromkeys(url for item in items for url in item.sources))
    months = sorted(item.as_of for item in items if item.as_of)
    return sources, (months[0] if months else None)


def answer_label(question: Question, value: str) -> str:
    """An answer in words: its choice's label, "Not sure", or the parts' labels."""
    if value == NOT_SURE:
        return NOT_SURE_LABEL
    picked = split_parts(value) if question.multiple else [value]
    labels = [choice.label for choice in question.choices if choice.slug in picked]
    return "; ".join(labels)


def _hidden(model, answers, current, back_to_review) -> tuple[tuple[str, str], ...]:
    kept = {slug: value for slug, value in answers.items() if slug != current}
    pairs = steps.answer_pairs(model, kept)
    if back_to_review and current is not None:
        pairs.append((steps.RETURN, steps.REVIEW))
    elif current in answers:  # a step shown again: its answer will be a change, not a first
        pairs.append((steps.AGAIN, "1"))
    return tuple(pairs)


def _back_url(model, answers, question, urls: WizardUrls, back_to_review: bool) -> str | None:
    """Back from the review page: the last question; from a step opened by a Change link:
    the review page (or the step before, while this one is still unanswered); else the
    step before, and from the first step the comparison."""
    if question is None:
        last = steps.previous_question(model, answers, None)
        return steps.url(urls.wizard, model, answers, last.slug) if last else None
    if back_to_review and question.slug in answers:
        return steps.url(urls.review, model, answers)
    previous = steps.previous_question(model, answers, question.slug)
    if previous is None:
        return urls.comparison
    return steps.url(urls.wizard, model, answers, previous.slug, back_to_review=back_to_review)


def _review_rows(model, answers, urls: WizardUrls) -> tuple[ReviewRow, ...]:
    return tuple(
        ReviewRow(
            question=question.slug,
            prompt=question.prompt,
            answer=answer_label(question, answers[question.slug]),
            change_url=steps.url(urls.wizard, model, answers, question.slug, back_to_review=True),
        )
        for question in steps.applicable_questions(model, answers)
        if question.slug in answers
    )


# --- knock-outs ----------------------------------------------------------------------------


def _knocked_out_by(model, names, answers, question: Question) -> tuple[str, ...]:
    """What the answer to `question` ruled out beyond what the answers before it had."""
    if question.slug not in answers:
        return ()
    order = [q.slug for q in model.questions]
    cut = order.index(question.slug)
    before = {k: v for k, v in answers.items() if order.index(k) < cut}
    upto = {**before, question.slug: answers[question.slug]}
    return _knockout_lines(model, names, before, upto)


def _ruled(model, answers) -> tuple[tuple[str, ...], dict[tuple[str, str], tuple[str, ...]]]:
    """The system's parts and, per (option, part) ruled out, the reasons."""
    placements = recommend(model, answers, explain=False).placements
    ruled = {
        (option, p.part): reasons for p in placements for option, reasons in p.ruled_out.items()
    }
    return tuple(p.part for p in placements), ruled


def _knockout_lines(model, names, before, after) -> tuple[str, ...]:
    """One line per option ruled out by `after` and not by `before`, with its reasons."""
    _, was = _ruled(model, before)
    parts, now = _ruled(model, after)
    # Before the parts are picked a rule-out holds for the whole system, so for every part.
    was |= {
        (option, part): r for (option, whole), r in was.items() if whole == WHOLE for part in parts
    }
    labels = {c.slug: c.label for c in model.parts_question.choices} if model.parts_question else {}
    lines = []
    for option in model.options:
        new = [part for part in parts if (option, part) in now and (option, part) not in was]
        if not new:
            continue
        reasons = " ".join(dict.fromkeys(r for part in new for r in now[option, part]))
        name = names.get(option, option)
        if set(new) == set(parts):
            lines.append(f"{name} is ruled out: {reasons}")
        else:
            where = _join([f"“{labels.get(part, part)}”" for part in new])
            lines.append(f"{name} is ruled out for {where}: {reasons}")
    return tuple(lines)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
