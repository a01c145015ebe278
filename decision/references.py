"""What refers to a piece of content, so that deleting it can be refused with the list.

Foreign keys between content rows are RESTRICT in the database (nothing cascades or turns
conditional questions unconditional); this module names every reference in plain words,
including those the database cannot see (scenario answers, choice links).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from .models import (
    Caveat,
    Choice,
    ChoiceWeight,
    Comparison,
    Criterion,
    Dimension,
    Option,
    Question,
    RuleOut,
    Scenario,
)
from .vocabulary import PART_SEPARATOR


@dataclass(frozen=True)
class Reference:
    row: models.Model  # where the reference is edited
    how: str  # how it refers, in plain words

    def __str__(self) -> str:
        return f"{self.row._meta.verbose_name.capitalize()} “{self.row}” {self.how}"


def references_to(row: models.Model) -> list[Reference]:
    """Every piece of other content that would break if `row` were deleted."""
    finder = _FINDERS.get(type(row))
    return finder(row) if finder and row.pk else []


def _option(option: Option) -> list[Reference]:
    found = [Reference(d, "names it the winner") for d in option.dimensions_won.all()]
    found += [
        Reference(c, "uses it as the default option")
        for c in Comparison.objects.filter(default_option=option)
    ]
    weights = ChoiceWeight.objects.filter(option=option).select_related("choice__question")
    found += [Reference(w.choice, f"gives it a weight of {w.weight:+g}") for w in weights]
    rules = RuleOut.objects.filter(option=option).select_related("choice__question")
    found += [Reference(r.choice, "rules it out") for r in rules]
    caveats = Caveat.objects.filter(option=option).select_related("choice__question")
    found += [Reference(c.choice, f"has a caveat about it: “{c.form}”") for c in caveats]
    linked = Choice.objects.filter(criteria__option=option).select_related("question").distinct()
    found += [Reference(c, "links to one of its “choose this when…” criteria") for c in linked]
    found += [
        Reference(s, "expects it as the outcome")
        for s in Scenario.objects.filter(comparison_id=option.comparison_id, outcome=option.slug)
    ]
    return found


def _question(question: Question) -> list[Reference]:
    found = [
        Reference(q, "is asked only after one of its answers")
        for q in Question.objects.filter(show_if__question=question).exclude(pk=question.pk)
    ]
    found += [
        Reference(s, "answers it")
        for s in _scenarios(question.comparison_id)
        if question.slug in s.answers
    ]
    return found


def _choice(choice: Choice) -> list[Reference]:
    question = choice.question
    found = [Reference(q, "is asked only after this answer") for q in choice.follow_ups.all()]
    found += [
        Reference(s, "uses this answer")
        for s in _scenarios(question.comparison_id)
        if choice.slug in str(s.answers.get(question.slug, "")).split(PART_SEPARATOR)
    ]
    if question.multiple:
        found += [
            Reference(q, "is about this part")
            for q in Question.objects.filter(comparison_id=question.comparison_id)
            if isinstance(q.parts, list) and choice.slug in q.parts
        ]
    return found


def _criterion(criterion: Criterion) -> list[Reference]:
    return [Reference(c, "links to it") for c in criterion.choices.select_related("question")]


def _dimension(dimension: Dimension) -> list[Reference]:
    return [
        Reference(c, "marks it as mattering") for c in dimension.choices.select_related("question")
    ]


def _scenarios(comparison_id: int) -> list[Scenario]:
    return [
        s
        for s in Scenario.objects.filter(comparison_id=comparison_id)
        if isinstance(s.answers, dict)
    ]


_FINDERS = {
    Option: _option,
    Question: _question,
    Choice: _choice,
    Criterion: _criterion,
    Dimension: _dimension,
}
