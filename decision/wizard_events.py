"""Which events a step of the wizard counts (decision.analytics stores them). Pure Python.

Counts follow each visitor's first pass through the questions, so that a question's drop-off
is over the visitors who were shown it:
- a start shows the first question;
- a first answer counts the question as answered, each choice it picked, and then the next
  question as shown, or the review page as reached;
- an answer changed afterwards (going back, or from the review page) counts nothing, and
  neither does the question it opens.
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
    model: Model, answers: Mapping[str, str], question: Question, *, back_to_review: bool
) -> bool:
    """Whether `question` is answered on the visitor's first pass: nothing after it answered."""
    if back_to_review:
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
