"""Turn a frozen recommendation and its content into what the result page and ADR show.

Works on plain data only (the snapshot stored with a result), so a permalink renders the same
words years later, whatever has changed in the content since. No scores reach a visitor:
certainty is said in words (and drawn as a bar), and a ruled-out runner-up is named with its
reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .content.schema import ComparisonSchema, OptionSchema
from .engine import WHOLE, favoured, split_parts
from .short_answer import first_sentences
from .snapshot import PlacementSnapshot, RecommendationSnapshot
from .tables import Row, dimension_rows
from .vocabulary import COMBINE, NO_FIT, NOT_ENOUGH, NOT_SURE, NOT_SURE_LABEL

MAX_CHANGES = 5
MAX_DRIVERS = 6
# Pros and cons per chosen option in the ADR (the page links to the rest), so a record stays
# short enough to be read in a review.
ADR_POINTS = 5
ADR_POINTS_COMBINED = 3
WHOLE_NAME = "Your system"
CERTAINTY = {
    "clear": (3, "Clear", "your answers point firmly one way"),
    "leaning": (2, "Leaning", "most of your answers point this way, some the other"),
    "close call": (1, "Close call", "your answers pull both ways about equally"),
}


@dataclass(frozen=True)
class Certainty:
    level: int  # 0 (none) to 3 (clear), for the bar
    label: str
    words: str


@dataclass(frozen=True)
class Placed:
    """One part of the system, where it goes, and the one-line reason."""

    part: str
    name: str
    option: str
    option_name: str
    reason: str
    certainty: Certainty
    form: str  # the form of the option that fits, from a caveat ("" when plain)
    ruled_out: list[tuple[str, str]]  # (option name, first reason)


@dataclass(frozen=True)
class Reason:
    prompt: str
    label: str
    why: str
    direction: str  # "points to Kubernetes", "rules out Serverless"…
    parts: str  # "for your batch jobs" ("" for the whole system)


@dataclass(frozen=True)
class Change:
    sentence: str
    outcome_name: str


@dataclass(frozen=True)
class Mattering:
    dimension: str
    dimension_slug: str
    option_name: str
    answer: str  # the answer that points at it


@dataclass(frozen=True)
class CaveatView:
    option_name: str
    form: str
    text: str
    sources: list[str]
    as_of: str | None
    parts: str  # "your batch jobs" ("" for the whole system)


@dataclass(frozen=True)
class Consequences:
    option_name: str
    pros: list[str]
    cons: list[str]
    more: int  # pros and cons left out of the record
    sources: list[str]
    as_of: str | None


@dataclass(frozen=True)
class Answer:
    question: str
    prompt: str
    label: str


@dataclass(frozen=True)
class ResultView:
    outcome: str
    outcome_name: str
    headline: str
    summary: str
    certainty: Certainty
    runner_up: str  # "Runner-up: Serverless" or "Ruled out: Serverless, because …" or ""
    placements: list[Placed]
    integration_advice: str
    ruled_out: list[tuple[str, list[str]]]
    reasons: list[Reason]
    changes: list[Change]
    criteria: list[tuple[str, list[str]]]  # (option name, matched criterion texts)
    mattering: list[Mattering]
    caveats: list[CaveatView]
    rows: list[Row]
    answers: list[Answer]
    to_answer: list[str] = field(default_factory=list)  # prompts worth answering (not enough)
    chosen_options: list[OptionSchema] = field(default_factory=list)
    default_title: str = ""

    @property
    def drivers(self) -> list[str]:
        """The decision drivers for the ADR, strongest first: what the answers pointed at."""
        found = [
            f"We said “{m.answer}”, and {m.option_name} is stronger on {lower_first(m.dimension)}."
            for m in self.mattering
        ]
        found += [f"{text} (favours {name})" for name, texts in self.criteria for text in texts]
        return found[:MAX_DRIVERS]

    @property
    def consequences(self) -> list[Consequences]:
        """Each chosen option's first pros and cons, each listed once."""
        limit = ADR_POINTS_COMBINED if len(self.chosen_options) > 1 else ADR_POINTS
        return [
            Consequences(
                option.name,
                option.pros[:limit],
                option.cons[:limit],
                max(len(option.pros) - limit, 0) + max(len(option.cons) - limit, 0),
                list(option.sources),
                option.as_of,
            )
            for option in self.chosen_options
        ]

    @property
    def is_combine(self) -> bool:
        return self.outcome == COMBINE

    @property
    def is_not_enough(self) -> bool:
        return self.outcome == NOT_ENOUGH

    @property
    def has_map(self) -> bool:
        return len(self.placements) > 1

    @property
    def options_used(self) -> list[str]:
        return list(dict.fromkeys(p.option_name for p in self.placements))


def outcome_name(content: ComparisonSchema, outcome: str, ruled_out=()) -> str:
    if outcome == COMBINE:
        return "Combine " + _join([o.name for o in content.options if o.slug not in ruled_out])
    if outcome == NO_FIT:
        return "None of the options fits as asked"
    if outcome == NOT_ENOUGH:
        return "Not enough to go on"
    return next((o.name for o in content.options if o.slug == outcome), outcome)


def result_view(content: ComparisonSchema, recommendation: RecommendationSnapshot) -> ResultView:
    """Everything the result page and the ADR say, from a stored recommendation."""
    words = _Words(content)
    outcome = recommendation.outcome
    placements = recommendation.placements or _old_placements(recommendation)
    if outcome == NOT_ENOUGH:
        placements = []  # nothing is placed until the answers say enough
    placed = [words.placed(p, recommendation) for p in placements]
    given = recommendation.answers
    headline, summary, chosen = _headline(content, words, outcome, placed)
    return ResultView(
        outcome=outcome,
        outcome_name=outcome_name(content, outcome, recommendation.ruled_out),
        headline=headline,
        summary=summary,
        certainty=_certainty(outcome, recommendation.label),
        runner_up=words.runner_up(recommendation),
        placements=placed,
        integration_advice=content.integration_advice if outcome == COMBINE else "",
        ruled_out=[
            (words.option(slug), list(reasons))
            for slug, reasons in recommendation.ruled_out.items()
        ],
        reasons=[words.reason(c) for c in recommendation.contributions],
        changes=[words.change(flip, placements) for flip in recommendation.flips[:MAX_CHANGES]],
        criteria=_criteria(content, recommendation.criteria),
        mattering=words.mattering(recommendation),
        caveats=[words.caveat(c) for c in recommendation.caveats],
        rows=dimension_rows(content, mattering=recommendation.dimensions),
        # Stored JSON may come back with its keys reordered (PostgreSQL's jsonb sorts them):
        # list the answers in the order the questions are asked.
        answers=[
            Answer(question=q.slug, prompt=q.prompt, label=words.answer(q.slug, given[q.slug]))
            for q in content.questions
            if q.slug in given
        ],
        to_answer=_worth_answering(content, given) if outcome == NOT_ENOUGH else [],
        chosen_options=chosen,
        default_title=words.title(placed),
    )


class _Words:
    """Names and sentences for slugs, from the snapshot's own content."""

    def __init__(self, content: ComparisonSchema):
        self.content = content
        self.options = {option.slug: option for option in content.options}
        self.questions = {question.slug: question for question in content.questions}
        parts = next((q for q in content.questions if q.multiple), None)
        self.parts = {c.slug: c for c in parts.choices} if parts else {}

    def option(self, slug: str) -> str:
        option = self.options.get(slug)
        return option.name if option else slug

    def part(self, slug: str) -> str:
        if slug == WHOLE:
            return WHOLE_NAME
        choice = self.parts.get(slug)
        return _short_label(choice.label) if choice else slug

    def parts_phrase(self, slugs) -> str:
        """ "your batch jobs and your event processing" ("" for the whole system)."""
        named = [lower_first(self.part(slug)) for slug in slugs if slug != WHOLE]
        return _join([f"your {name}" for name in named]) if named else ""

    def prompt(self, slug: str) -> str:
        question = self.questions.get(slug)
        return question.prompt if question else slug

    def answer(self, question_slug: str, value: str) -> str:
        if value == NOT_SURE:
            return NOT_SURE_LABEL
        question = self.questions.get(question_slug)
        if question is None:
            return value
        if question.multiple:
            return _join([self.part(slug) for slug in split_parts(value)])
        choice = next((c for c in question.choices if c.slug == value), None)
        return choice.label if choice else value

    def why_of(self, question_slug: str, value: str) -> str:
        question = self.questions.get(question_slug)
        choice = question and next((c for c in question.choices if c.slug == value), None)
        return choice.why if choice else ""

    def placed(self, placement: PlacementSnapshot, recommendation) -> Placed:
        given = recommendation.answers
        own = self.parts.get(placement.part)
        reason = own.why if own else ""
        for slug in placement.reasons:
            if self.questions.get(slug, _NO_QUESTION).multiple:
                break  # the part's own nature is the strongest reason
            if slug in given:
                reason = self.why_of(slug, given[slug]) or reason
                break
        if placement.option == NO_FIT:
            reason = next(iter(_first_reasons(placement)), "")
        forms = [
            c.form
            for c in recommendation.caveats
            if c.option == placement.option and placement.part in c.parts
        ]
        return Placed(
            part=placement.part,
            name=self.part(placement.part),
            option=placement.option,
            option_name=self.option(placement.option)
            if placement.option != NO_FIT
            else "No option fits",
            reason=reason,
            certainty=_certainty(placement.option, placement.label),
            form=forms[0] if forms else "",
            ruled_out=[
                (self.option(slug), reasons[0])
                for slug, reasons in placement.ruled_out.items()
                if reasons
            ],
        )

    def runner_up(self, recommendation: RecommendationSnapshot) -> str:
        outcome = recommendation.outcome
        if outcome not in self.options:
            return ""
        ruled = [
            (slug, reasons) for slug, reasons in recommendation.ruled_out.items() if slug != outcome
        ]
        if ruled:
            slug, reasons = ruled[0]
            return f"Ruled out: {self.option(slug)}. {reasons[0]}" if reasons else ""
        if recommendation.runner_up:
            return f"Runner-up: {self.option(recommendation.runner_up)}"
        return ""

    def reason(self, contribution) -> Reason:
        leaning = favoured(contribution.weights, list(self.options))
        ruled = [
            slug
            for slug in self.options
            if any(
                rule.option == slug
                for rule in self._rules(contribution.question, contribution.choice)
            )
        ]
        if ruled:
            direction = "rules out " + _join([self.option(slug) for slug in ruled])
        elif leaning:
            direction = f"points to {self.option(leaning)}"
        else:
            direction = "does not tip the balance"
        question = self.questions.get(contribution.question)
        return Reason(
            prompt=self.prompt(contribution.question),
            label=contribution.label,
            why=contribution.why,
            direction=direction,
            parts=""
            if question is not None and question.multiple
            else self.parts_phrase(contribution.parts),
        )

    def _rules(self, question_slug: str, choice_slug: str):
        question = self.questions.get(question_slug)
        choice = question and next((c for c in question.choices if c.slug == choice_slug), None)
        return choice.rules_out if choice else []

    def change(self, flip, placements) -> Change:
        question = self.questions.get(flip.question)
        new = outcome_name(self.content, flip.outcome)
        if question is not None and question.multiple:
            before = set(split_parts(flip.from_choice)) if flip.from_choice != NOT_SURE else set()
            after = set(split_parts(flip.to_choice)) if flip.to_choice != NOT_SURE else set()
            added, removed = after - before, before - after
            if flip.to_choice == NOT_SURE:
                start = "If you were not sure which parts your system has"
            elif added:
                start = f"If your system also had {self.parts_phrase(added).removeprefix('your ')}"
            elif removed:
                start = f"If your system had no {self.parts_phrase(removed).removeprefix('your ')}"
            else:
                start = "If your system's parts were different"
        else:
            start = (
                f"If your answer to “{self.prompt(flip.question)}” were "
                f"“{self.answer(flip.question, flip.to_choice)}” "
                f"(you said “{self.answer(flip.question, flip.from_choice)}”)"
            )
        was = {p.part: p.option for p in placements}
        moves = [
            (part, option)
            for part, option in flip.moves
            if part != WHOLE and option != NO_FIT and part in was
        ]
        if flip.outcome == NOT_ENOUGH:
            effect = "we would not have enough to go on"
        elif moves and flip.outcome == COMBINE:
            moved = "; ".join(
                f"{self.parts_phrase([part])} would go to {self.option(option)}"
                for part, option in moves
            )
            effect = f"{moved}, so you would combine the options"
        else:
            effect = f"the recommendation would be {new}"
        return Change(sentence=f"{start}, {effect}.", outcome_name=new)

    def mattering(self, recommendation) -> list[Mattering]:
        dimensions = {d.slug: d for d in self.content.dimensions}
        seen, found = set(), []
        for pointer in recommendation.pointers:
            if pointer.dimension in seen or pointer.dimension not in dimensions:
                continue
            seen.add(pointer.dimension)
            found.append(
                Mattering(
                    dimension=dimensions[pointer.dimension].name,
                    dimension_slug=pointer.dimension,
                    option_name=self.option(pointer.option),
                    answer=self.answer(pointer.question, pointer.choice)
                    if not self.questions.get(pointer.question, _NO_QUESTION).multiple
                    else self.part(pointer.choice),
                )
            )
        return found

    def caveat(self, caveat) -> CaveatView:
        return CaveatView(
            option_name=self.option(caveat.option),
            form=caveat.form,
            text=caveat.text,
            sources=list(caveat.sources),
            as_of=caveat.as_of,
            parts=self.parts_phrase(caveat.parts),
        )

    def title(self, placed: list[Placed]) -> str:
        named = [p.name for p in placed if p.part != WHOLE]
        if not named:
            return f"{self.content.title}: where to run our system"
        if len(named) > 3:
            return f"Where to run the {len(named)} parts of our system"
        return f"Where to run our {_join([lower_first(name) for name in named])}"


class _NoQuestion:
    multiple = False


_NO_QUESTION = _NoQuestion()


def _headline(content, words: _Words, outcome: str, placed: list[Placed]):
    options = {option.slug: option for option in content.options}
    if outcome == COMBINE:
        used = list(dict.fromkeys(p.option for p in placed))
        names = _join([words.option(slug) for slug in used])
        headline = f"Use {names}, each for the parts it suits"
        summary = "; ".join(
            f"{p.name} → {p.option_name}{f' ({p.form})' if p.form else ''}" for p in placed
        )
        return headline, summary + ".", [options[slug] for slug in used if slug in options]
    if outcome == NOT_ENOUGH:
        return "Not enough to go on", first_sentences(content.default_advice), []
    if outcome == NO_FIT:
        return (
            "No option fits every answer",
            "Each option is ruled out for at least one part of your system. Revisit the hard "
            "limits below: often one part can change to fit.",
            [],
        )
    if outcome in options:
        forms = list(dict.fromkeys(p.form for p in placed if p.form))
        headline = f"Choose {options[outcome].name}"
        if forms:
            headline += f", as {lower_first(_join(forms))}"
        return headline, options[outcome].tagline, [options[outcome]]
    return f"Choose {outcome}", "", []  # an option the snapshot's content no longer describes


def _certainty(outcome: str, label: str) -> Certainty:
    if outcome in (NOT_ENOUGH, NO_FIT) or label not in CERTAINTY:
        return Certainty(0, "Not enough evidence" if outcome == NOT_ENOUGH else "", "")
    level, name, words = CERTAINTY[label]
    return Certainty(level, name, words)


def _criteria(content: ComparisonSchema, matched_slugs) -> list[tuple[str, list[str]]]:
    matched = set(matched_slugs)
    found = []
    for option in content.options:
        texts = [c.text for c in option.criteria if c.slug in matched]
        if texts:
            found.append((option.name, texts))
    return found


def _worth_answering(content: ComparisonSchema, given: dict[str, str]) -> list[str]:
    """The prompts of questions left open or answered "Not sure" (where to sharpen the result)."""
    return [
        q.prompt
        for q in content.questions
        if q.show_if is None and given.get(q.slug, NOT_SURE) == NOT_SURE
    ]


def _old_placements(recommendation: RecommendationSnapshot) -> list[PlacementSnapshot]:
    """Results saved before placements existed: the whole system on its outcome."""
    if recommendation.outcome in (COMBINE, NO_FIT, NOT_ENOUGH):
        return []
    return [
        PlacementSnapshot(
            part=WHOLE,
            option=recommendation.outcome,
            runner_up=recommendation.runner_up,
            confidence=recommendation.confidence,
            label=recommendation.label,
            ruled_out=recommendation.ruled_out,
        )
    ]


def _first_reasons(placement: PlacementSnapshot) -> list[str]:
    return [reasons[0] for reasons in placement.ruled_out.values() if reasons]


def _short_label(label: str) -> str:
    """A part's label without its examples: "Scheduled or batch jobs (reports…)" → the first bit."""
    for mark in (" (", ": ", ", such as"):
        if mark in label:
            label = label.split(mark, 1)[0]
    return label.strip()


def lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym ("API", "ML")."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def _join(names: list[str]) -> str:
    names = list(names)
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
