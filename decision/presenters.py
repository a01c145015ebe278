"""Turn a frozen recommendation and its content into what the result page and ADR show.

Works on plain data only (the snapshot stored with a result), so a permalink renders the same
words years later, whatever has changed in the content since.
"""

from __future__ import annotations

from dataclasses import dataclass

from .content.schema import COMBINE, ComparisonSchema, OptionSchema
from .engine import NO_FIT, NOT_SURE, NOT_SURE_LABEL
from .snapshot import RecommendationSnapshot
from .tables import Row, dimension_rows

MINUS = "\u2212"  # a typographic minus sign reads better than a hyphen


@dataclass(frozen=True)
class Bar:
    name: str
    score: float
    percent: int  # of the widest bar, for the SVG
    is_outcome: bool
    ruled_out: bool


@dataclass(frozen=True)
class Reason:
    prompt: str
    label: str
    why: str
    effects: str  # for example "+3 Kubernetes, \u22121 Serverless"


@dataclass(frozen=True)
class Change:
    prompt: str
    from_label: str
    to_label: str
    outcome_name: str


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
    confidence: float
    confidence_percent: int
    label: str
    bars: list[Bar]
    ruled_out: list[tuple[str, list[str]]]
    reasons: list[Reason]
    changes: list[Change]
    criteria: list[tuple[str, list[str]]]  # (option name, matched criterion texts)
    rows: list[Row]
    answers: list[Answer]
    chosen_options: list[OptionSchema]
    mattering: list[str]  # dimension names

    @property
    def is_combine(self) -> bool:
        return self.outcome == COMBINE


def outcome_name(content: ComparisonSchema, outcome: str, ruled_out=()) -> str:
    if outcome == COMBINE:
        return "Combine " + _join([o.name for o in content.options if o.slug not in ruled_out])
    if outcome == NO_FIT:
        return "None of the options fits as asked"
    return next((o.name for o in content.options if o.slug == outcome), outcome)


def result_view(content: ComparisonSchema, recommendation: RecommendationSnapshot) -> ResultView:
    """Everything the result page and the ADR say, from a stored recommendation."""
    options = {option.slug: option for option in content.options}
    names = {slug: option.name for slug, option in options.items()}
    questions = {question.slug: question for question in content.questions}
    outcome = recommendation.outcome
    ruled = recommendation.ruled_out
    scores = recommendation.scores
    widest = max((abs(v) for v in scores.values()), default=0) or 1

    def label_of(question_slug: str, choice_slug: str) -> str:
        if choice_slug == NOT_SURE:
            return NOT_SURE_LABEL
        question = questions.get(question_slug)
        choice = question and next((c for c in question.choices if c.slug == choice_slug), None)
        return choice.label if choice else choice_slug

    def prompt_of(question_slug: str) -> str:
        question = questions.get(question_slug)
        return question.prompt if question else question_slug

    criteria_by_option = []
    matched = set(recommendation.criteria)
    for option in content.options:
        texts = [c.text for c in option.criteria if c.slug in matched]
        if texts:
            criteria_by_option.append((option.name, texts))

    if outcome == COMBINE:
        summary = content.combined_advice
        chosen = [option for option in content.options if option.slug not in ruled]
        headline = "Use both, each where it is strongest"
    elif outcome == NO_FIT:
        summary, chosen = (
            "Each option is ruled out by at least one of your answers. Revisit the hard "
            "limits below: often one part of the system can change to fit.",
            [],
        )
        headline = "No option fits every answer"
    elif outcome in options:
        summary, chosen = options[outcome].tagline, [options[outcome]]
        headline = f"Choose {names[outcome]}"
    else:  # an option the snapshot's content no longer describes
        summary, chosen, headline = "", [], f"Choose {outcome}"

    mattering = recommendation.dimensions
    given = recommendation.answers
    return ResultView(
        outcome=outcome,
        outcome_name=outcome_name(content, outcome, ruled),
        headline=headline,
        summary=summary,
        confidence=recommendation.confidence,
        confidence_percent=round(recommendation.confidence * 100),
        label=recommendation.label,
        bars=[
            Bar(
                name=names[slug],
                score=scores.get(slug, 0),
                percent=round(max(scores.get(slug, 0), 0) / widest * 100),
                is_outcome=slug == outcome or (outcome == COMBINE and slug not in ruled),
                ruled_out=slug in ruled,
            )
            for slug in options
        ],
        ruled_out=[(names[slug], list(ruled[slug])) for slug in options if slug in ruled],
        reasons=[
            Reason(
                prompt=prompt_of(c.question),
                label=c.label,
                why=c.why,
                effects=_effects(c.weights, list(options), names),
            )
            for c in recommendation.contributions
        ],
        changes=[
            Change(
                prompt=prompt_of(flip.question),
                from_label=label_of(flip.question, flip.from_choice),
                to_label=label_of(flip.question, flip.to_choice),
                outcome_name=outcome_name(content, flip.outcome),
            )
            for flip in recommendation.flips
        ],
        criteria=criteria_by_option,
        rows=dimension_rows(content, mattering=mattering),
        # Stored JSON may come back with its keys reordered (PostgreSQL's jsonb sorts them):
        # list the answers in the order the questions are asked.
        answers=[
            Answer(question=q.slug, prompt=q.prompt, label=label_of(q.slug, given[q.slug]))
            for q in content.questions
            if q.slug in given
        ],
        chosen_options=chosen,
        mattering=[d.name for d in content.dimensions if d.slug in mattering],
    )


def _effects(weights: dict[str, float], order: list[str], names: dict[str, str]) -> str:
    parts = [
        f"{'+' if weights[slug] > 0 else MINUS}{abs(weights[slug]):g} {names[slug]}"
        for slug in order
        if weights.get(slug)
    ]
    return ", ".join(parts) if parts else "no change to the scores"


def _join(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
