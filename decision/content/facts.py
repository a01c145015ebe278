"""Facts in the content: every text that states a figure needs a source and a month checked.

A *figure* is a number that does not belong to a name (`15 minutes` and `$0.10` are figures;
`S3`, `m7g.large`, `HTTP/2` and `v1.2` are not). Each figure lives on an item (an option, a
dimension, an FAQ entry, a question, an answer or a caveat) whose `sources` back it and whose
`as_of` month says when it was last checked. Pure Python: `check_content` fails on
`unsourced_figures`, and content health lists `stale_facts`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from decision.vocabulary import STALE_AFTER_DAYS

from .schema import ComparisonSchema

FIGURE = re.compile(r"(?<![A-Za-z0-9_./-])\$?\d[\d,.]*")


@dataclass(frozen=True)
class Fact:
    """An item whose texts state at least one figure."""

    path: str  # where it lives in the fixture, like "questions[4].choices[2]"
    what: str  # a short name for people, like "answer “Longer than 15 minutes…”"
    figures: tuple[str, ...]
    sources: tuple[str, ...]
    as_of: str | None


def figures(text: str) -> list[str]:
    """The figures a text states, in order."""
    return [match.group().rstrip(".,") for match in FIGURE.finditer(text)]


def facts(comparison: ComparisonSchema) -> list[Fact]:
    """Every item of the comparison that states a figure."""
    return [fact for fact in _items(comparison) if fact.figures]


def unsourced_figures(comparison: ComparisonSchema) -> list[tuple[str, str]]:
    """(path, message) for each figure without a source or an "as of" month beside it."""
    problems = []
    for fact in facts(comparison):
        missing = [
            what
            for what, absent in (("a source", not fact.sources), ("an as_of month", not fact.as_of))
            if absent
        ]
        if missing:
            shown = ", ".join(f"“{figure}”" for figure in fact.figures[:3])
            problems.append(
                (fact.path, f"{fact.what} states {shown} but lacks {' and '.join(missing)}")
            )
    return problems


def stale_facts(comparison: ComparisonSchema, *, today: date) -> list[Fact]:
    """Facts last checked more than STALE_AFTER_DAYS before `today` (oldest first)."""
    stale = []
    for fact in facts(comparison):
        if fact.as_of is None:
            continue
        year, month = (int(part) for part in fact.as_of.split("-"))
        if (today - date(year, month, 1)).days > STALE_AFTER_DAYS:
            stale.append(fact)
    return sorted(stale, key=lambda fact: fact.as_of)


def _fact(path: str, what: str, texts, item=None) -> Fact:
    """The figures in `texts`, backed by `item`'s sources and month (None: nothing backs them)."""
    found = tuple(figure for text in texts for figure in figures(text))
    sources = tuple(item.sources) if item is not None else ()
    return Fact(path, what, found, sources, item.as_of if item is not None else None)


def _items(comparison: ComparisonSchema) -> Iterator[Fact]:
    advice = [comparison.default_advice, comparison.combined_advice, comparison.integration_advice]
    yield _fact("", "the comparison's intro or advice", [comparison.intro, *advice])
    for i, option in enumerate(comparison.options):
        texts = [option.tagline, option.typical_cost, option.time_to_productive]
        texts += [*option.pros, *option.cons, *(c.text for c in option.criteria)]
        yield _fact(f"options[{i}]", f"option “{option.name}”", texts, option)
    for i, dimension in enumerate(comparison.dimensions):
        texts = [dimension.why_it_matters, *dimension.assessments.values()]
        yield _fact(f"dimensions[{i}]", f"dimension “{dimension.name}”", texts, dimension)
    for i, entry in enumerate(comparison.faq):
        yield _fact(f"faq[{i}]", f"FAQ “{entry.question}”", [entry.question, entry.answer], entry)
    for i, question in enumerate(comparison.questions):
        where = f"questions[{i}]"
        texts = [question.prompt, question.help]
        yield _fact(where, f"question “{question.prompt}”", texts, question)
        for j, choice in enumerate(question.choices):
            at = f"{where}.choices[{j}]"
            texts = [choice.label, choice.why, *(rule.reason for rule in choice.rules_out)]
            yield _fact(at, f"answer “{_short(choice.label)}”", texts, choice)
            for k, caveat in enumerate(choice.caveats):
                texts = [caveat.form, caveat.text]
                yield _fact(f"{at}.caveats[{k}]", f"caveat “{caveat.form}”", texts, caveat)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
