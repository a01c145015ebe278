"""The analytics dashboard's arithmetic: daily series, drop-off, answer, outcome and vote
splits, from counted events. Pure Python (no Django), so every rate can be checked alone.

Counts follow each visitor's first pass through the wizard (decision.wizard_events), so:
- a question's drop-off is over the visitors who were *shown* it: (shown − answered) / shown,
  which keeps a follow-up question shown to a few visitors from looking like a cliff;
- a question's answer split is over the visitors who answered it; a question where visitors
  pick several answers (the parts question) has shares that add up to more than 100 %;
- the completion rate is results / starts, and each finish counts a result, so a visitor who
  changes an answer and finishes again counts twice.

A rate with nothing to divide by is `None`, written as an en dash, never an error.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .vocabulary import NOT_SURE, NOT_SURE_LABEL
from .wizard_events import ANSWERED, CHOICE, LEAD, OUTCOME, RESULT, REVIEW, SHOWN, START, VOTE

NO_RATE = "\u2013"  # an en dash: nothing to divide by


# --- rates ---------------------------------------------------------------------------------


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when whole is zero."""
    return part / whole if whole else None


def percent(value: float | None) -> str:
    """A rate as a whole percentage: "35%"; "<1%" and ">99%" near the ends; a dash for None."""
    if value is None:
        return NO_RATE
    hundredths = value * 100
    if 0 < hundredths < 0.5:
        return "<1%"
    if 99.5 <= hundredths < 100:
        return ">99%"
    return f"{hundredths:.0f}%"


# --- input ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """Events of one kind about one subject on one day (every content version added up)."""

    day: date
    event: str
    subject: str
    count: int


@dataclass(frozen=True)
class QuestionInfo:
    """A question of the current content, in wizard order, with its choices in order."""

    slug: str
    prompt: str
    choices: tuple[tuple[str, str], ...]  # (slug, label)
    multiple: bool = False


# --- output --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: date
    starts: int
    results: int
    leads: int

    @property
    def completion(self) -> float | None:
        return rate(self.results, self.starts)

    @property
    def completion_text(self) -> str:
        return percent(self.completion)


@dataclass(frozen=True)
class DropOff:
    """A question's first-pass figures. `current` is False for a question no longer asked."""

    slug: str
    prompt: str
    shown: int
    answered: int
    current: bool = True

    @property
    def left(self) -> int:
        """Visitors shown the question who did not answer it.

        Never below zero: over a range that starts at midnight, an answer can fall inside the
        range while the showing fell the day before.
        """
        return max(self.shown - self.answered, 0)

    @property
    def drop_off(self) -> float | None:
        return rate(self.left, self.shown)

    @property
    def drop_off_text(self) -> str:
        return percent(self.drop_off)


@dataclass(frozen=True)
class Share:
    """One row of a split: a label, how often, and the share of the whole it is out of."""

    slug: str
    label: str
    count: int
    share: float | None
    known: bool = True  # False: a slug the current content no longer names

    @property
    def share_text(self) -> str:
        return percent(self.share)


@dataclass(frozen=True)
class Answers:
    """How the visitors who answered a question answered it."""

    slug: str
    prompt: str
    answered: int
    multiple: bool
    shares: tuple[Share, ...]
    current: bool = True


@dataclass(frozen=True)
class Totals:
    starts: int
    reviews: int
    results: int
    votes: int
    leads: int

    @property
    def completion(self) -> float | None:
        return rate(self.results, self.starts)

    @property
    def completion_text(self) -> str:
        return percent(self.completion)


@dataclass(frozen=True)
class Figures:
    days: tuple[Day, ...]
    drop_off: tuple[DropOff, ...]
    answers: tuple[Answers, ...]
    outcomes: tuple[Share, ...]
    votes: tuple[Share, ...]
    totals: Totals


# --- building ------------------------------------------------------------------------------


def days_between(start: date, end: date) -> list[date]:
    """Every day from start to end, both included (none when end is before start)."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def split(
    counts: Mapping[str, int], names: Sequence[tuple[str, str]], whole: int | None = None
) -> tuple[Share, ...]:
    """Every named slug in the order given (zeros included), then counted slugs no name
    covers, by slug; each with its share of `whole` (by default, of all the counts)."""
    whole = sum(counts.values()) if whole is None else whole
    known = {slug for slug, _ in names}
    rows = [
        Share(slug, label, counts.get(slug, 0), rate(counts.get(slug, 0), whole))
        for slug, label in names
    ]
    rows += [
        Share(slug, slug, counts[slug], rate(counts[slug], whole), known=False)
        for slug in sorted(counts)
        if slug not in known and counts[slug]
    ]
    return tuple(rows)


def figures(
    counts: Iterable[Count],
    *,
    start: date,
    end: date,
    questions: Sequence[QuestionInfo],
    outcomes: Sequence[tuple[str, str]],
    votes: Sequence[tuple[str, str]],
) -> Figures:
    """The dashboard's figures for the days from `start` to `end`.

    `questions` are the current content's in wizard order; a question counted but no longer
    in it is listed after them, by slug, under its slug. `outcomes` and `votes` name the
    subjects of those events in the order to show them; other subjects are shown by slug.
    """
    daily: dict[str, Counter[date]] = defaultdict(Counter)
    by_subject: dict[str, Counter[str]] = defaultdict(Counter)
    for row in counts:
        if not start <= row.day <= end:
            continue
        daily[row.event][row.day] += row.count
        by_subject[row.event][row.subject] += row.count

    days = tuple(
        Day(day, daily[START][day], daily[RESULT][day], daily[LEAD][day])
        for day in days_between(start, end)
    )
    shown, answered = by_subject[SHOWN], by_subject[ANSWERED]
    chosen: dict[str, Counter[str]] = defaultdict(Counter)
    for subject, count in by_subject[CHOICE].items():
        question, _, choice = subject.partition("/")
        chosen[question][choice] += count

    asked = {question.slug for question in questions}
    former = sorted({slug for slug in (*shown, *answered, *chosen) if slug and slug not in asked})
    drop_off = [DropOff(q.slug, q.prompt, shown[q.slug], answered[q.slug]) for q in questions]
    drop_off += [DropOff(slug, slug, shown[slug], answered[slug], current=False) for slug in former]

    answers = []
    for question in questions:
        names = [*question.choices, (NOT_SURE, NOT_SURE_LABEL)]
        answers.append(
            _answers(
                question.slug,
                question.prompt,
                question.multiple,
                names,
                answered[question.slug],
                chosen[question.slug],
            )
        )
    for slug in former:
        answers.append(_answers(slug, slug, False, [], answered[slug], chosen[slug], current=False))

    totals = Totals(
        starts=sum(daily[START].values()),
        reviews=sum(daily[REVIEW].values()),
        results=sum(daily[RESULT].values()),
        votes=sum(daily[VOTE].values()),
        leads=sum(daily[LEAD].values()),
    )
    return Figures(
        days=days,
        drop_off=tuple(drop_off),
        answers=tuple(answers),
        outcomes=split(by_subject[OUTCOME], outcomes),
        votes=split(by_subject[VOTE], votes),
        totals=totals,
    )


def _answers(
    slug: str,
    prompt: str,
    multiple: bool,
    names: Sequence[tuple[str, str]],
    answered: int,
    chosen: Mapping[str, int],
    *,
    current: bool = True,
) -> Answers:
    # Over the visitors who answered: for a single answer that is the choices' own total; for
    # the parts question each visitor may pick several, so the shares may add up past 100 %.
    whole = answered or sum(chosen.values())
    return Answers(slug, prompt, answered, multiple, split(chosen, names, whole), current)
