"""Content health: what an editor should fix in one comparison, found without a visitor.

Pure Python over the fixture schema; nothing here imports Django. Every finding carries the
fixture path it comes from (`scenarios[3]`, `questions[1].choices[0]`, `faq[2].sources[0]`),
so the admin view can link it to the page where it is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .content import facts
from .content.engine_data import engine_model, engine_scenarios
from .content.schema import ComparisonSchema
from .engine import recommend
from .estimates import stale_prices
from .vocabulary import COMBINE, NO_FIT, NOT_ENOUGH, STALE_AFTER_DAYS


@dataclass(frozen=True)
class ScenarioCheck:
    """One scenario run through the engine: what it expects and what it gets."""

    path: str
    slug: str
    name: str
    answers: tuple[tuple[str, str], ...]  # (question slug, choice slug), in fixture order
    expected: str
    expected_label: str
    actual: str
    actual_label: str
    confidence: float

    @property
    def passed(self) -> bool:
        return self.actual == self.expected


@dataclass(frozen=True)
class UnreachableQuestion:
    path: str
    slug: str
    prompt: str
    reason: str


@dataclass(frozen=True)
class InertChoice:
    """A choice that counts exactly like "Not sure": it can never change an outcome."""

    path: str
    question: str
    slug: str
    label: str


@dataclass(frozen=True)
class InsecureSource:
    path: str
    owner: str  # what cites it, for the reader: "Option “Kubernetes”"
    url: str


@dataclass(frozen=True)
class StaleFact:
    """An item whose figures were last checked against their sources too long ago."""

    path: str
    what: str
    figures: tuple[str, ...]  # each figure once, in the order the texts state them
    sources: tuple[str, ...]
    as_of: str  # the month, like "2026-11"


@dataclass(frozen=True)
class UnsourcedFigure:
    """An item that states a figure with no source or no "as of" month beside it."""

    path: str
    message: str


@dataclass(frozen=True)
class HealthReport:
    scenarios: tuple[ScenarioCheck, ...]
    unreachable_questions: tuple[UnreachableQuestion, ...]
    inert_choices: tuple[InertChoice, ...]
    insecure_sources: tuple[InsecureSource, ...]
    stale_facts: tuple[StaleFact, ...]
    unsourced_figures: tuple[UnsourcedFigure, ...]

    @property
    def passed(self) -> tuple[ScenarioCheck, ...]:
        return tuple(check for check in self.scenarios if check.passed)

    @property
    def failed(self) -> tuple[ScenarioCheck, ...]:
        return tuple(check for check in self.scenarios if not check.passed)

    @property
    def problem_count(self) -> int:
        """Everything an editor should act on: failing scenarios and every other finding."""
        return (
            len(self.failed)
            + len(self.unreachable_questions)
            + len(self.inert_choices)
            + len(self.insecure_sources)
            + len(self.stale_facts)
            + len(self.unsourced_figures)
        )


def health_report(content: ComparisonSchema, *, today: date) -> HealthReport:
    """Check one comparison: its scenarios, reachability, inert choices, sources and dates.

    `today` is the clock the stale facts are measured against, passed in so tests can set it.
    """
    return HealthReport(
        scenarios=scenario_checks(content),
        unreachable_questions=unreachable_questions(content),
        inert_choices=inert_choices(content),
        insecure_sources=insecure_sources(content),
        stale_facts=tuple(
            StaleFact(
                path=fact.path,
                what=fact.what,
                figures=tuple(dict.fromkeys(fact.figures)),
                sources=fact.sources,
                as_of=fact.as_of or "",
            )
            for fact in facts.stale_facts(content, today=today)
        )
        + tuple(
            StaleFact(
                path=path,
                what=what,
                figures=(f"{rate.amount:g} {rate.unit}",),
                sources=(rate.source,),
                as_of=rate.checked.isoformat(),
            )
            for path, what, rate in stale_prices(content, today, STALE_AFTER_DAYS)
        ),
        unsourced_figures=tuple(
            UnsourcedFigure(path, message) for path, message in facts.unsourced_figures(content)
        ),
    )


def scenario_checks(content: ComparisonSchema) -> tuple[ScenarioCheck, ...]:
    """Every scenario with its expected and actual outcome, in fixture order."""
    model = engine_model(content)
    labels = outcome_labels(content)
    checks = []
    for index, scenario in enumerate(engine_scenarios(content)):
        result = recommend(model, scenario.answers, explain=False)
        checks.append(
            ScenarioCheck(
                path=f"scenarios[{index}]",
                slug=scenario.slug,
                name=scenario.name,
                answers=tuple(scenario.answers.items()),
                expected=scenario.outcome,
                expected_label=labels.get(scenario.outcome, scenario.outcome),
                actual=result.outcome,
                actual_label=labels.get(result.outcome, result.outcome),
                confidence=result.confidence,
            )
        )
    return tuple(checks)


def outcome_labels(content: ComparisonSchema) -> dict[str, str]:
    """What each outcome slug reads as: the option's name, "Combine them", "No fit"…"""
    labels = {option.slug: option.name for option in content.options}
    labels[COMBINE] = "Combine them"
    labels[NO_FIT] = "No fit (every option ruled out)"
    labels[NOT_ENOUGH] = "Not enough to go on"
    return labels


def unreachable_questions(content: ComparisonSchema) -> tuple[UnreachableQuestion, ...]:
    """Questions that no sequence of answers shows.

    The wizard shows a question with `show_if` only after the named earlier question got the
    named answer, so a question is reachable when it has no `show_if`, or when its `show_if`
    names an earlier, reachable question and one of that question's choices. Content that
    passes `schema.validate` always satisfies the last two conditions, so this finds what a
    structurally valid schema (read leniently, or built in code) can still get wrong, and any
    chain that hangs from such a question.
    """
    reachable: dict[str, set[str]] = {}  # question slug -> its choice slugs
    found = []
    for index, question in enumerate(content.questions):
        reason = None
        condition = question.show_if
        if condition is not None:
            if condition.question not in reachable:
                earlier = any(q.slug == condition.question for q in content.questions[:index])
                reason = (
                    f"it is shown only after '{condition.question}', which no visitor reaches"
                    if earlier
                    else f"it is shown only after '{condition.question}', which is not asked "
                    "before it"
                )
            elif condition.choice not in reachable[condition.question]:
                reason = (
                    f"it is shown only after the answer '{condition.choice}' to "
                    f"'{condition.question}', which is not one of its choices"
                )
        if reason is None:
            reachable[question.slug] = {choice.slug for choice in question.choices}
        else:
            found.append(
                UnreachableQuestion(
                    path=f"questions[{index}]",
                    slug=question.slug,
                    prompt=question.prompt,
                    reason=reason,
                )
            )
    return tuple(found)


def inert_choices(content: ComparisonSchema) -> tuple[InertChoice, ...]:
    """Choices with no non-zero weight on any option and no rule-out: they change no outcome.

    The engine sums weights and collects rule-outs, nothing else, so such a choice counts
    exactly like "Not sure": picking it can never give a different outcome than "Not sure",
    whatever the other answers. This is the bounded definition used here; a choice with
    weights can still change no outcome for a particular answer set, which the scenarios
    (and the result page's "what would change it") show case by case. The parts question's
    answers are parts to place, not evidence, so they are never inert.
    """
    options = {option.slug for option in content.options}
    found = []
    for i, question in enumerate(content.questions):
        if question.multiple:
            continue
        for j, choice in enumerate(question.choices):
            pulls = any(weight != 0 for slug, weight in choice.weights.items() if slug in options)
            limits = any(rule.option in options for rule in choice.rules_out)
            if not pulls and not limits:
                found.append(
                    InertChoice(
                        path=f"questions[{i}].choices[{j}]",
                        question=question.prompt,
                        slug=choice.slug,
                        label=choice.label,
                    )
                )
    return tuple(found)


def insecure_sources(content: ComparisonSchema) -> tuple[InsecureSource, ...]:
    """Every source URL in the content that is plain http://, scenarios' sources included."""
    cited = [
        *(
            (f"options[{i}]", f"Option “{o.name}”", o.sources)
            for i, o in enumerate(content.options)
        ),
        *(
            (f"dimensions[{i}]", f"Dimension “{d.name}”", d.sources)
            for i, d in enumerate(content.dimensions)
        ),
        *((f"faq[{i}]", f"FAQ “{f.question}”", f.sources) for i, f in enumerate(content.faq)),
    ]
    for i, question in enumerate(content.questions):
        cited.append((f"questions[{i}]", f"Question “{question.prompt}”", question.sources))
        for j, choice in enumerate(question.choices):
            at = f"questions[{i}].choices[{j}]"
            cited.append((at, f"Answer “{choice.label}”", choice.sources))
            cited += [
                (f"{at}.caveats[{k}]", f"Caveat “{caveat.form}”", caveat.sources)
                for k, caveat in enumerate(choice.caveats)
            ]
    found = [
        InsecureSource(path=f"{path}.sources[{k}]", owner=owner, url=url)
        for path, owner, sources in cited
        for k, url in enumerate(sources)
        if _insecure(url)
    ]
    found += [
        InsecureSource(path=f"scenarios[{i}].source", owner=f"Scenario “{s.name}”", url=s.source)
        for i, s in enumerate(content.scenarios)
        if s.source and _insecure(s.source)
    ]
    return tuple(found)


def _insecure(url: str) -> bool:
    return url.lower().startswith("http://")
