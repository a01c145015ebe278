"""Which events a step of the wizard counts (decision.analytics stores them). Pure Python.

Counts follow each visitor's first pass through the questions, so that a question's drop-off
is over the visitors who were shown it:
- a start shows the first question;
- a first answer counts the question as answered, each choice it picked, and then the next
  question as shown, or the review page as reached;
- an answer changed afterwards (going back, or from the review page) counts nothing, and
  neither does the question it opens. A step shown again carries `again=1` in its form
  (decision.wizard), since the question's old answer does not travel with it. Only a browser's
  own Back button without JavaScript, then an answer sent again, cannot be told apart from a
  first answer: the wizard keeps no state beyond the address. Nor can a question that a change
  opens, never asked before: answering it counts it (with the step after it shown again).
"""

from __future__ import annotations

from collections.abc import Mapping

from .engine import Model, Question, split_parts
from .vocabulary import NOT_SURE

START, SHOWN, ANSWERED, CHOICE = "start", "shown", "answered", "choice"
REVIEW, RESULT, OUTCOME, VOTE, LEAD = "review", "result", "outcome", "vote", "lead"

Events = list[tuple[str, str]]


def start_events(question: Question) -> Events:
    return [(START, ""), (SHOWN, question.slug)]


def is_first_answer(
    model: Model,
    answers: Mapping[str, str],
    question: Question,
    *,
    back_to_review: bool,
    again: bool = False,
) -> bool:
    """Whether `question` is answered on the visitor's first pass: not opened from the review
    page, not answered before (`again`: its step carried an answer), nothing after it answered.
    """
    if back_to_review or again:
        return False
    slugs = [q.slug for q in model.questions]
    later = slugs[slugs.index(question.slug) + 1 :]
    return not any(slug in answers for slug in later)


def answer_events(question: Question, answer: str, upcoming: Question | None) -> Events:
    """A first answer: the question, its choices, and where the visitor goes next."""
    picked = split_parts(answer) if question.multiple and answer != NOT_SURE else [answer]
    events = [(ANSWERED, question.slug)]
    events += [(CHOICE, choice_subject(question.slug, choice)) for choice in picked]
    events.append((SHOWN, upcoming.slug) if upcoming is not None else (REVIEW, ""))
    return events


def result_events(outcome: str) -> Events:
    return [(RESULT, ""), (OUTCOME, outcome)]


def choice_subject(question: str, choice: str) -> str:
    return f"{question}/{choice}"
