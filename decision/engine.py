"""The scoring engine: a visitor's answers in, a reasoned recommendation out.

Pure Python on plain data classes; nothing here knows about Django, HTTP or the database.

How a recommendation is made
----------------------------
* Only *applicable* questions count: a question with `show_if` counts only when the earlier
  question got the named answer. Answers to other questions are ignored.
* Each answer adds its choice's weight to each option's **score**. "Not sure" adds nothing.
* An answer may **rule out** an option (a hard limit). A ruled-out option is never the outcome.
* **Support** for an option is the sum of the positive weights it received: how strongly the
  answers pull towards it, whatever pulls away.
* The outcome is **combine** when at least two options that are not ruled out each have
  support of at least `COMBINE_MIN_SUPPORT`, and the weaker of the two strongest pulls is at
  least `COMBINE_MIN_BALANCE` of the stronger one: the answers pull strongly both ways.
* Otherwise the outcome is the remaining option with the highest score. Exact ties go to the
  comparison's default option when it is among them, else to the alphabetically first slug, so
  the order of options in the content never matters.
* If every option is ruled out, the outcome is `NO_FIT`.
* **Confidence** (0 to 1) for a single option is the share of the evidence between the outcome
  and the runner-up that points to the outcome (score gap / total disagreement), discounted
  when there is little evidence: `share * evidence / (evidence + EVIDENCE_HALF)`. The runner-up
  is the best option still in the race; when every other option is ruled out there is no
  contest and confidence is 1. For combine it is the balance of the two
  pulls, with the same discount. Labels: "clear" from 0.6, "leaning" from 0.3, else
  "close call".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

NOT_SURE = "not-sure"
NOT_SURE_LABEL = "Not sure"
COMBINE = "combine"
NO_FIT = "no-fit"

COMBINE_MIN_SUPPORT = 6.0
COMBINE_MIN_BALANCE = 0.5
EVIDENCE_HALF = 4.0
CLEAR = 0.6
LEANING = 0.3


@dataclass(frozen=True)
class RuleOut:
    option: str
    reason: str


@dataclass(frozen=True)
class Choice:
    slug: str
    label: str
    why: str = ""
    weights: Mapping[str, float] = field(default_factory=dict)
    rules_out: tuple[RuleOut, ...] = ()
    dimensions: tuple[str, ...] = ()
    criteria: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    slug: str
    prompt: str
    choices: tuple[Choice, ...]
    help: str = ""
    show_if: tuple[str, str] | None = None  # (question slug, choice slug)

    def choice(self, slug: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.slug == slug), None)


@dataclass(frozen=True)
class Model:
    """What the engine needs of a comparison."""

    options: tuple[str, ...]
    questions: tuple[Question, ...]
    default_option: str | None = None

    def question(self, slug: str) -> Question | None:
        return next((q for q in self.questions if q.slug == slug), None)


@dataclass(frozen=True)
class Contribution:
    question: str
    choice: str
    label: str
    why: str
    weights: Mapping[str, float]
    size: float  # how much this answer moved the outcome against the runner-up


@dataclass(frozen=True)
class Flip:
    """A single answer change that would give a different outcome."""

    question: str
    from_choice: str
    to_choice: str
    outcome: str


@dataclass(frozen=True)
class Recommendation:
    outcome: str
    runner_up: str | None
    confidence: float
    label: str
    scores: Mapping[str, float]
    support: Mapping[str, float]
    ruled_out: Mapping[str, tuple[str, ...]]
    contributions: tuple[Contribution, ...]
    criteria: tuple[str, ...]
    dimensions: tuple[str, ...]
    answers: Mapping[str, str]
    flips: tuple[Flip, ...] = ()


def applicable_questions(model: Model, answers: Mapping[str, str]) -> list[Question]:
    """The questions that apply, in order, given the answers so far."""
    shown = []
    for question in model.questions:
        if question.show_if is None or answers.get(question.show_if[0]) == question.show_if[1]:
            shown.append(question)
    return shown


def effective_answers(model: Model, answers: Mapping[str, str]) -> dict[str, str]:
    """Keep only valid answers to applicable questions, in question order."""
    kept: dict[str, str] = {}
    for question in model.questions:
        if question.show_if is not None and kept.get(question.show_if[0]) != question.show_if[1]:
            continue
        choice = answers.get(question.slug)
        if choice == NOT_SURE or (choice is not None and question.choice(choice)):
            kept[question.slug] = choice
    return kept


def recommend(model: Model, answers: Mapping[str, str], *, explain: bool = True) -> Recommendation:
    """Score the options for these answers; with `explain`, also list the flips."""
    answers = effective_answers(model, answers)
    scores = dict.fromkeys(model.options, 0.0)
    support = dict.fromkeys(model.options, 0.0)
    ruled_out: dict[str, list[str]] = {}
    chosen: list[tuple[Question, Choice]] = []
    for question in model.questions:
        slug = answers.get(question.slug)
        choice = question.choice(slug) if slug else None
        if choice is None:
            continue
        chosen.append((question, choice))
        for option, weight in choice.weights.items():
            if option in scores:
                scores[option] += weight
                support[option] += max(weight, 0.0)
        for rule in choice.rules_out:
            if rule.option in scores:
                ruled_out.setdefault(rule.option, []).append(rule.reason)

    # Decide on rounded sums, so weights such as 0.1 + 0.2 tie with 0.3 as the reader expects.
    scores = {option: round(score, 6) for option, score in scores.items()}
    support = {option: round(value, 6) for option, value in support.items()}
    outcome, runner_up = _decide(model, scores, support, ruled_out)
    confidence = round(_confidence(outcome, runner_up, scores, support, ruled_out, chosen), 2)
    contributions = sorted(
        (
            Contribution(
                question=question.slug,
                choice=choice.slug,
                label=choice.label,
                why=choice.why,
                weights=dict(choice.weights),
                size=_size(choice, outcome, runner_up),
            )
            for question, choice in chosen
            if choice.weights or choice.rules_out
        ),
        key=lambda c: (-c.size, -sum(abs(w) for w in c.weights.values())),
    )
    recommendation = Recommendation(
        outcome=outcome,
        runner_up=runner_up,
        confidence=confidence,
        label=confidence_label(confidence),
        scores={option: round(score, 3) for option, score in scores.items()},
        support={option: round(value, 3) for option, value in support.items()},
        ruled_out={option: tuple(reasons) for option, reasons in ruled_out.items()},
        contributions=tuple(contributions),
        criteria=_unique(slug for _, choice in chosen for slug in choice.criteria),
        dimensions=_unique(slug for _, choice in chosen for slug in choice.dimensions),
        answers=answers,
    )
    if explain:
        recommendation = replace(recommendation, flips=tuple(_flips(model, answers, outcome)))
    return recommendation


def confidence_label(confidence: float) -> str:
    if confidence >= CLEAR:
        return "clear"
    if confidence >= LEANING:
        return "leaning"
    return "close call"


def _decide(model, scores, support, ruled_out) -> tuple[str, str | None]:
    candidates = [option for option in model.options if option not in ruled_out]
    if not candidates:
        return NO_FIT, None
    by_support = sorted(candidates, key=lambda o: (-support[o], o))
    if len(by_support) >= 2:
        strong, second = by_support[0], by_support[1]
        if (
            support[second] >= COMBINE_MIN_SUPPORT
            and support[second] >= COMBINE_MIN_BALANCE * support[strong]
        ):
            return COMBINE, None
    ranked = sorted(candidates, key=lambda o: (-scores[o], o != model.default_option, o))
    # The runner-up is the best of the options still in the race; a ruled-out one is not.
    return ranked[0], (ranked[1] if len(ranked) > 1 else None)


def _confidence(outcome, runner_up, scores, support, ruled_out, chosen) -> float:
    if outcome == NO_FIT:
        return 0.0
    if outcome == COMBINE:
        pulls = sorted((v for o, v in support.items() if o not in ruled_out), reverse=True)
        balance = pulls[1] / pulls[0]
        evidence = pulls[0] + pulls[1]
        return balance * evidence / (evidence + EVIDENCE_HALF)
    if runner_up is None:
        return 1.0
    evidence = sum(
        abs(choice.weights.get(outcome, 0.0) - choice.weights.get(runner_up, 0.0))
        for _, choice in chosen
    )
    if evidence == 0:
        return 0.0
    share = (scores[outcome] - scores[runner_up]) / evidence
    return max(0.0, share) * evidence / (evidence + EVIDENCE_HALF)


def _size(choice: Choice, outcome: str, runner_up: str | None) -> float:
    if runner_up is None:
        return max((abs(w) for w in choice.weights.values()), default=0.0)
    return abs(choice.weights.get(outcome, 0.0) - choice.weights.get(runner_up, 0.0))


def _flips(model: Model, answers: dict[str, str], outcome: str) -> list[Flip]:
    flips = []
    for question in applicable_questions(model, answers):
        current = answers.get(question.slug, NOT_SURE)
        for alternative in [*(c.slug for c in question.choices), NOT_SURE]:
            if alternative == current:
                continue
            changed = {**answers, question.slug: alternative}
            result = recommend(model, changed, explain=False)
            if result.outcome != outcome:
                flips.append(Flip(question.slug, current, alternative, result.outcome))
    return flips


def _unique(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
