"""The scoring engine: a visitor's answers in, a placement for each part of their system out.

Pure Python on plain data classes; nothing here knows about Django, HTTP or the database.

How a recommendation is made
----------------------------
* **Parts.** A system has parts (a web API, event handlers, batch jobs…): the choices of the
  comparison's *parts question* (`Question.multiple`). A visitor who picks no part, or is not
  sure, describes one part: the whole system (`WHOLE`).
* **Which answers count for a part.** A question applies to the parts it names (`Question.parts`;
  none named: every part). A part's own choice in the parts question counts for it alone.
  Questions are asked in order, and a question is **skipped** when every part it applies to has
  all options but one ruled out by earlier answers (and none of its answers could rule out the
  last one): it can no longer change anything. A `show_if` question counts only after the named
  answer.
* **Scores.** For each part, each answer that counts adds its choice's weight to each option;
  "Not sure" adds nothing. An answer may **rule out** an option for the parts it applies to.
* **Placement.** Each part goes to the option with the highest score that is not ruled out.
  Exact ties go to the comparison's default option when it is among them, else to the
  alphabetically first slug, so the order of options in the content never matters.
* **Outcome.** Every part on one option: that option. Parts on different options: `COMBINE`,
  and only then (a single part never gets it: conflicting evidence about one workload is a
  close call). A part with every option ruled out: `NO_FIT`. Fewer than `MIN_EVIDENCE`
  informative answers (real answers whose choice moves a score or rules an option out) and no
  rule-out that settles the system: `NOT_ENOUGH`.
* **Confidence** of a placement (0 to 1) is the share of the evidence between its option and the
  runner-up that points to its option (score gap / total disagreement), discounted when there
  is little evidence: `share * evidence / (evidence + EVIDENCE_HALF)`. When every other option
  is ruled out the runner-up is None (the page says "ruled out", never "100 %"). The outcome's
  confidence is that of its weakest placement. Labels: "clear" from 0.6, "leaning" from 0.3,
  else "close call".
* **Why it matters to you.** A dimension is pointed at when a chosen answer names it and the
  answer's weights favour the dimension's winner. A "choose X when" criterion matches when an
  answer names it and no answered question that speaks to it was answered otherwise.
* **Flips** are exactly the single-answer changes (another choice, "Not sure", or one part more
  or fewer) that change the outcome, nearest first: fewer steps along the question's scale of
  choices, then the smaller change in weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from .vocabulary import (
    COMBINE,
    NO_FIT,
    NOT_ENOUGH,
    NOT_SURE,
    NOT_SURE_LABEL,
    PART_SEPARATOR,
    TIE,
)

__all__ = ["COMBINE", "NOT_ENOUGH", "NOT_SURE", "NOT_SURE_LABEL", "NO_FIT"]

WHOLE = "system"  # the one part of a system described without parts
MIN_EVIDENCE = 3
EVIDENCE_HALF = 4.0
CLEAR = 0.6
LEANING = 0.3


@dataclass(frozen=True)
class RuleOut:
    option: str
    reason: str


@dataclass(frozen=True)
class Caveat:
    option: str
    form: str
    text: str
    sources: tuple[str, ...] = ()
    as_of: str | None = None


@dataclass(frozen=True)
class Choice:
    slug: str
    label: str
    why: str = ""
    weights: Mapping[str, float] = field(default_factory=dict)
    rules_out: tuple[RuleOut, ...] = ()
    dimensions: tuple[str, ...] = ()
    criteria: tuple[str, ...] = ()
    caveats: tuple[Caveat, ...] = ()

    @property
    def informative(self) -> bool:
        return any(self.weights.values()) or bool(self.rules_out)


@dataclass(frozen=True)
class Question:
    slug: str
    prompt: str
    choices: tuple[Choice, ...]
    help: str = ""
    show_if: tuple[str, str] | None = None  # (question slug, choice slug)
    multiple: bool = False  # the parts question: its choices are the parts of a system
    parts: tuple[str, ...] = ()  # the parts it is about; empty: every part

    def choice(self, slug: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.slug == slug), None)

    def applies_to(self, part: str) -> bool:
        return not self.parts or part == WHOLE or part in self.parts


@dataclass(frozen=True)
class Model:
    """What the engine needs of a comparison."""

    options: tuple[str, ...]
    questions: tuple[Question, ...]
    default_option: str | None = None
    winners: Mapping[str, str] = field(default_factory=dict)  # dimension slug -> option or TIE
    # Walks through the questions already made for some answers (see `_walked`): every wizard
    # request walks the same few answer sets several times.
    _walks: dict = field(default_factory=dict, compare=False, repr=False)

    def question(self, slug: str) -> Question | None:
        return next((q for q in self.questions if q.slug == slug), None)

    @property
    def parts_question(self) -> Question | None:
        return next((q for q in self.questions if q.multiple), None)


@dataclass(frozen=True)
class Contribution:
    question: str
    choice: str
    label: str
    why: str
    weights: Mapping[str, float]
    parts: tuple[str, ...]  # the parts this answer counted for
    size: float  # how much this answer moved its parts' placements against their runners-up


@dataclass(frozen=True)
class Placement:
    """Where one part of the system goes, and how sure we are."""

    part: str
    option: str  # an option slug, or NO_FIT
    runner_up: str | None
    confidence: float
    label: str
    scores: Mapping[str, float]
    ruled_out: Mapping[str, tuple[str, ...]]
    reasons: tuple[str, ...]  # the answers that pushed it toward its option, strongest first


@dataclass(frozen=True)
class Pointer:
    """An answer that points at a dimension: the option it favours is that dimension's winner."""

    dimension: str
    option: str
    question: str
    choice: str


@dataclass(frozen=True)
class CaveatNote:
    """A caveat that applies: its option was chosen for these parts despite this answer."""

    question: str
    choice: str
    option: str
    form: str
    text: str
    sources: tuple[str, ...]
    as_of: str | None
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Flip:
    """A single answer change that would give a different outcome."""

    question: str
    from_choice: str
    to_choice: str
    outcome: str
    distance: float = 0.0
    moves: tuple[tuple[str, str], ...] = ()  # (part, option) placements that would change


@dataclass(frozen=True)
class Recommendation:
    outcome: str
    runner_up: str | None
    confidence: float
    label: str
    placements: tuple[Placement, ...]
    ruled_out: Mapping[str, tuple[str, ...]]  # options ruled out for every part, with reasons
    contributions: tuple[Contribution, ...]
    criteria: tuple[str, ...]
    dimensions: tuple[str, ...]
    pointers: tuple[Pointer, ...]
    caveats: tuple[CaveatNote, ...]
    answers: Mapping[str, str]
    informative: int
    flips: tuple[Flip, ...] = ()

    @property
    def scores(self) -> dict[str, float]:
        """Each option's score summed over the parts (for the command line and old callers)."""
        totals: dict[str, float] = {}
        for placement in self.placements:
            for option, score in placement.scores.items():
                totals[option] = round(totals.get(option, 0.0) + score, 3)
        return totals


# --- answers -------------------------------------------------------------------------------


def split_parts(value: str) -> list[str]:
    return [part for part in value.split(PART_SEPARATOR) if part]


def join_parts(question: Question, parts) -> str:
    """The stored answer for these parts: their slugs in content order, joined."""
    picked = set(parts)
    return PART_SEPARATOR.join(c.slug for c in question.choices if c.slug in picked)


def valid_answer(question: Question, value: str | None) -> bool:
    if value is None:
        return False
    if value == NOT_SURE:
        return True
    if not question.multiple:
        return question.choice(value) is not None
    picked = split_parts(value)
    return bool(picked) and len(set(picked)) == len(picked) and all(map(question.choice, picked))


def parts_of(model: Model, answers: Mapping[str, str]) -> tuple[str, ...]:
    """The parts the visitor picked, in content order; (WHOLE,) when they picked none."""
    question = model.parts_question
    value = answers.get(question.slug) if question else None
    if not value or value == NOT_SURE:
        return (WHOLE,)
    picked = set(split_parts(value))
    return tuple(c.slug for c in question.choices if c.slug in picked)


def chosen_choices(question: Question, value: str) -> list[Choice]:
    """The choices an answer stands for: one, several parts, or none for "Not sure"."""
    if value == NOT_SURE:
        return []
    if question.multiple:
        return [c for c in (question.choice(slug) for slug in split_parts(value)) if c]
    choice = question.choice(value)
    return [choice] if choice else []


# --- the walk through the questions --------------------------------------------------------


@dataclass
class _Walk:
    """What the answers so far say, question by question."""

    model: Model
    parts: tuple[str, ...] = (WHOLE,)
    ruled_out: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # part -> option

    def live(self, part: str) -> list[str]:
        out = self.ruled_out.get(part, {})
        return [option for option in self.model.options if option not in out]

    def settled(self, question: Question) -> bool:
        """True when no answer to `question` can change any placement it could touch."""
        for part in self.parts:
            if not question.applies_to(part):
                continue
            live = self.live(part)
            if len(live) > 1:
                return False
            if any(rule.option in live for c in question.choices for rule in c.rules_out):
                return False
        return True

    def record(self, question: Question, value: str) -> None:
        if question.multiple:
            self.parts = parts_of(self.model, {question.slug: value})
            # Rule-outs so far apply to the whole system, so to each part picked.
            everywhere = self.ruled_out.pop(WHOLE, {})
            for part in self.parts:
                self.ruled_out[part] = {o: list(r) for o, r in everywhere.items()}
            for choice in chosen_choices(question, value):
                for rule in choice.rules_out:
                    self.ruled_out.setdefault(choice.slug, {}).setdefault(rule.option, []).append(
                        rule.reason
                    )
            return
        for choice in chosen_choices(question, value):
            for part in self.parts:
                if question.applies_to(part):
                    for rule in choice.rules_out:
                        self.ruled_out.setdefault(part, {}).setdefault(rule.option, []).append(
                            rule.reason
                        )


def _walk(model: Model, answers: Mapping[str, str], *, may: bool = False):
    """Yield each question that applies (in order) with its valid answer or None.

    With `may`, a question counts while it *could* still apply: a `show_if` whose question is
    unanswered, or parts not yet picked, do not exclude it.
    """
    walk = _Walk(model)
    kept: dict[str, str] = {}
    shown: set[str] = set()
    for question in model.questions:
        if question.show_if is not None:
            asked, wanted = question.show_if
            open_ = may and asked in shown and asked not in kept
            if kept.get(asked) != wanted and not open_:
                continue
        if (
            question.parts
            and walk.parts != (WHOLE,)
            and not any(part in question.parts for part in walk.parts)
        ):
            continue
        if walk.settled(question):
            continue
        shown.add(question.slug)
        value = answers.get(question.slug)
        value = value if valid_answer(question, value) else None
        if value is not None and question.multiple and value != NOT_SURE:
            value = join_parts(question, split_parts(value))
        if value is not None:
            kept[question.slug] = value
            walk.record(question, value)
        yield question, value


WALKS_KEPT = 4096


def _walked(model: Model, answers: Mapping[str, str], *, may: bool = False):
    """`_walk` as a tuple, remembered on the model (a model never changes once built)."""
    key = (may, tuple(sorted(answers.items())))
    found = model._walks.get(key)
    if found is None:
        if len(model._walks) >= WALKS_KEPT:
            model._walks.clear()
        found = model._walks[key] = tuple(_walk(model, answers, may=may))
    return found


def applicable_questions(model: Model, answers: Mapping[str, str]) -> list[Question]:
    """The questions that apply, in order, given the answers so far."""
    return [question for question, _ in _walked(model, answers)]


def possible_questions(model: Model, answers: Mapping[str, str]) -> list[Question]:
    """The questions that apply or could still apply once the unanswered ones are answered.

    Answering a question only ever removes questions from this list, so progress measured
    against it never moves backwards.
    """
    return [question for question, _ in _walked(model, answers, may=True)]


def effective_answers(model: Model, answers: Mapping[str, str]) -> dict[str, str]:
    """Keep only valid answers to applicable questions, in question order (parts normalised)."""
    return {q.slug: value for q, value in _walked(model, answers) if value is not None}


# --- recommending --------------------------------------------------------------------------


def recommend(model: Model, answers: Mapping[str, str], *, explain: bool = True) -> Recommendation:
    """Place each part of the system; with `explain`, also list the flips."""
    answers = effective_answers(model, answers)
    parts = parts_of(model, answers)
    chosen: list[tuple[Question, Choice]] = [
        (question, choice)
        for question in model.questions
        if question.slug in answers
        for choice in chosen_choices(question, answers[question.slug])
    ]
    placements = tuple(_place(model, part, chosen) for part in parts)
    informative = len({q.slug for q, c in chosen if c.informative})
    outcome, runner_up, confidence = _outcome(model, placements, informative)
    sizes = _sizes(placements, chosen)
    contributions = sorted(
        (
            Contribution(
                question=question.slug,
                choice=choice.slug,
                label=choice.label,
                why=choice.why,
                weights=dict(choice.weights),
                parts=_counted_for(question, choice, parts),
                size=sizes[(question.slug, choice.slug)],
            )
            for question, choice in chosen
            if choice.weights or choice.rules_out
        ),
        key=lambda c: (-c.size, -sum(abs(w) for w in c.weights.values())),
    )
    pointers = tuple(_pointers(model, chosen))
    everywhere = _ruled_out_everywhere(model, placements)
    confidence = shown_confidence(confidence, runner_up)
    recommendation = Recommendation(
        outcome=outcome,
        runner_up=runner_up,
        confidence=confidence,
        label=confidence_label(confidence),
        placements=placements,
        ruled_out=everywhere,
        contributions=tuple(contributions),
        criteria=_matched_criteria(model, answers, chosen),
        dimensions=_unique(pointer.dimension for pointer in pointers),
        pointers=pointers,
        caveats=tuple(_caveats(placements, chosen, parts)),
        answers=answers,
        informative=informative,
    )
    if explain:
        recommendation = replace(recommendation, flips=tuple(flips(model, answers, outcome)))
    return recommendation


def shown_confidence(confidence: float, runner_up: str | None) -> float:
    """Confidence as shown (two decimals), and below 1 while there is a runner-up at all."""
    shown = round(confidence, 2)
    return min(shown, 0.99) if runner_up is not None else shown


def confidence_label(confidence: float) -> str:
    if confidence >= CLEAR:
        return "clear"
    if confidence >= LEANING:
        return "leaning"
    return "close call"


def _counted_for(question: Question, choice: Choice, parts: tuple[str, ...]) -> tuple[str, ...]:
    if question.multiple:
        return (choice.slug,)
    return tuple(part for part in parts if question.applies_to(part))


def _place(model: Model, part: str, chosen) -> Placement:
    scores = dict.fromkeys(model.options, 0.0)
    ruled_out: dict[str, list[str]] = {}
    counted = []
    for question, choice in chosen:
        if part not in _counted_for(question, choice, (part,)):
            continue
        counted.append(choice)
        for option, weight in choice.weights.items():
            if option in scores:
                scores[option] += weight
        for rule in choice.rules_out:
            if rule.option in scores:
                ruled_out.setdefault(rule.option, []).append(rule.reason)
    # Decide on rounded sums, so weights such as 0.1 + 0.2 tie with 0.3 as the reader expects.
    scores = {option: round(score, 6) for option, score in scores.items()}
    candidates = [option for option in model.options if option not in ruled_out]
    if not candidates:
        option, runner_up, confidence = NO_FIT, None, 0.0
    else:
        ranked = sorted(candidates, key=lambda o: (-scores[o], o != model.default_option, o))
        option = ranked[0]
        runner_up = ranked[1] if len(ranked) > 1 else None
        confidence = _confidence(option, runner_up, scores, counted)
    # The answers that pushed this part toward its option rather than the runner-up.
    reasons = sorted(
        (
            (c.weights.get(option, 0.0) - c.weights.get(runner_up, 0.0), q.slug)
            for q, c in chosen
            if part in _counted_for(q, c, (part,)) and runner_up is not None
        ),
        key=lambda item: -item[0],
    )
    confidence = shown_confidence(confidence, runner_up)
    return Placement(
        part=part,
        option=option,
        runner_up=runner_up,
        confidence=confidence,
        label=confidence_label(confidence),
        scores={o: round(s, 3) for o, s in scores.items()},
        ruled_out={o: tuple(r) for o, r in ruled_out.items()},
        reasons=tuple(slug for size, slug in reasons if size > 0),
    )


def _confidence(option, runner_up, scores, counted) -> float:
    if runner_up is None:
        return 1.0
    evidence = sum(
        abs(choice.weights.get(option, 0.0) - choice.weights.get(runner_up, 0.0))
        for choice in counted
    )
    if evidence == 0:
        return 0.0
    share = (scores[option] - scores[runner_up]) / evidence
    return max(0.0, share) * evidence / (evidence + EVIDENCE_HALF)


def _outcome(model: Model, placements, informative: int) -> tuple[str, str | None, float]:
    if any(p.option == NO_FIT for p in placements):
        return NO_FIT, None, 0.0
    settled = all(p.runner_up is None for p in placements)
    if informative < MIN_EVIDENCE and not settled:
        return NOT_ENOUGH, None, 0.0
    weakest = min(placements, key=lambda p: (p.runner_up is None, p.confidence))
    options = {p.option for p in placements}
    if len(options) > 1:
        return COMBINE, None, weakest.confidence
    return weakest.option, weakest.runner_up, weakest.confidence


def _sizes(placements, chosen) -> dict[tuple[str, str], float]:
    sizes = {}
    for question, choice in chosen:
        size = 0.0
        for placement in placements:
            if placement.part not in _counted_for(question, choice, (placement.part,)):
                continue
            if placement.runner_up is None:
                moved = max((abs(w) for w in choice.weights.values()), default=0.0)
            else:
                moved = abs(
                    choice.weights.get(placement.option, 0.0)
                    - choice.weights.get(placement.runner_up, 0.0)
                )
            size = max(size, moved)
        sizes[(question.slug, choice.slug)] = size
    return sizes


def _ruled_out_everywhere(model: Model, placements) -> dict[str, tuple[str, ...]]:
    ruled = {}
    for option in model.options:
        if all(option in p.ruled_out for p in placements):
            reasons = _unique(r for p in placements for r in p.ruled_out[option])
            ruled[option] = reasons
    return ruled


def favoured(weights: Mapping[str, float], options) -> str | None:
    """The option these weights favour over every other (an option not named weighs 0)."""
    if not any(weights.values()):
        return None
    ranked = sorted(((weights.get(o, 0.0), o) for o in options), reverse=True)
    if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        return None
    return ranked[0][1]


def _pointers(model: Model, chosen):
    for question, choice in chosen:
        leaning = favoured(choice.weights, model.options)
        if leaning is None:
            continue
        for dimension in choice.dimensions:
            winner = model.winners.get(dimension)
            if winner is not None and winner != TIE and winner == leaning:
                yield Pointer(dimension, leaning, question.slug, choice.slug)


def _matched_criteria(model: Model, answers, chosen) -> tuple[str, ...]:
    supported = _unique(slug for _, choice in chosen for slug in choice.criteria)
    picked = {(q.slug, c.slug) for q, c in chosen}
    matched = []
    for criterion in supported:
        contradicted = False
        for question in model.questions:
            speaks = [c for c in question.choices if criterion in c.criteria]
            value = answers.get(question.slug)
            if not speaks or value is None or value == NOT_SURE:
                continue
            if question.multiple:
                continue  # parts add to each other; picking one never denies another
            if not any((question.slug, c.slug) in picked for c in speaks):
                contradicted = True
                break
        if not contradicted:
            matched.append(criterion)
    return tuple(matched)


def _caveats(placements, chosen, parts):
    notes: dict[tuple[str, str, str], CaveatNote] = {}
    for question, choice in chosen:
        for caveat in choice.caveats:
            hit = tuple(
                p.part
                for p in placements
                if p.option == caveat.option and p.part in _counted_for(question, choice, parts)
            )
            if not hit:
                continue
            key = (caveat.option, caveat.form, caveat.text)
            if key in notes:
                merged = _unique([*notes[key].parts, *hit])
                notes[key] = replace(notes[key], parts=merged)
            else:
                notes[key] = CaveatNote(
                    question=question.slug,
                    choice=choice.slug,
                    option=caveat.option,
                    form=caveat.form,
                    text=caveat.text,
                    sources=caveat.sources,
                    as_of=caveat.as_of,
                    parts=hit,
                )
    return notes.values()


# --- what would change it ------------------------------------------------------------------


def alternatives(question: Question, current: str | None) -> list[str]:
    """Every answer one change away: another choice or "Not sure"; one part more or fewer."""
    if not question.multiple:
        return [c for c in [*(c.slug for c in question.choices), NOT_SURE] if c != current]
    picked = set(split_parts(current)) if current and current != NOT_SURE else set()
    options = []
    for choice in question.choices:
        changed = picked ^ {choice.slug}
        options.append(join_parts(question, changed) if changed else NOT_SURE)
    if current is not None and current != NOT_SURE:
        options.append(NOT_SURE)
    return [value for value in dict.fromkeys(options) if value != current]


def flips(model: Model, answers: Mapping[str, str], outcome: str) -> list[Flip]:
    """Exactly the single-answer changes that change the outcome, nearest first."""
    answers = effective_answers(model, answers)
    before = recommend(model, answers, explain=False)
    found = []
    for question in applicable_questions(model, answers):
        current = answers.get(question.slug)
        for alternative in alternatives(question, current):
            changed = {**answers, question.slug: alternative}
            result = recommend(model, changed, explain=False)
            if result.outcome == outcome:
                continue
            moves = _moves(before.placements, result.placements)
            found.append(
                Flip(
                    question.slug,
                    current if current is not None else NOT_SURE,
                    alternative,
                    result.outcome,
                    _distance(question, current, alternative),
                    moves,
                )
            )
    return sorted(found, key=lambda flip: flip.distance)


def _moves(before, after) -> tuple[tuple[str, str], ...]:
    was = {p.part: p.option for p in before}
    return tuple((p.part, p.option) for p in after if was.get(p.part) != p.option)


def _distance(question: Question, current: str | None, alternative: str) -> float:
    """Steps along the question's scale of choices, then a fraction for the weight change."""
    if question.multiple:
        return 1.0
    order = [c.slug for c in question.choices]
    if current in (None, NOT_SURE) or alternative == NOT_SURE:
        steps = 1.0
    else:
        steps = float(abs(order.index(alternative) - order.index(current)))
    old, new = question.choice(current or ""), question.choice(alternative)
    weights = set(old.weights if old else {}) | set(new.weights if new else {})
    delta = sum(
        abs((new.weights.get(o, 0.0) if new else 0.0) - (old.weights.get(o, 0.0) if old else 0.0))
        for o in weights
    )
    return steps + delta / 100


def _unique(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
