"""Properties of the scoring engine over generated models and answers.

Each property restates a rule of `decision/engine.py`'s module docstring (or a "Done when"
line of issue 10) and checks it against any model the content could describe: two or three
options in any order, an optional parts question, questions about some parts only, show_if
chains, rule-outs, dimensions, criteria and caveats. Pure (no database).
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from decision.engine import (
    COMBINE,
    MIN_EVIDENCE,
    NO_FIT,
    NOT_ENOUGH,
    NOT_SURE,
    WHOLE,
    Caveat,
    Choice,
    Model,
    Question,
    RuleOut,
    alternatives,
    applicable_questions,
    confidence_label,
    effective_answers,
    join_parts,
    possible_questions,
    recommend,
)
from decision.vocabulary import PART_SEPARATOR, TIE

OPTIONS = ("alpha", "bravo", "charlie")
PARTS = ("web", "events", "jobs")
DIMENSIONS = ("d-one", "d-two", "d-three")
CRITERIA = ("c-one", "c-two", "c-three")
FORMS = ("functions", "containers")
# Halves in [-5, 5]: binary floats add these exactly, so a drawn tie is a real tie.
WEIGHT_VALUES = sorted((halves / 2 for halves in range(-10, 11)), key=abs)

# recommend() with flips reruns the engine once per alternative answer: these keep the file
# to a few seconds on two cores.
FAST = settings(max_examples=200, deadline=None)
SLOW = settings(max_examples=120, deadline=None)


# --- helpers -------------------------------------------------------------------------------


def subsets(items) -> st.SearchStrategy[tuple]:
    """Any subset of `items`, in their order (one draw: generating stays cheap)."""
    return st.integers(0, 2 ** len(items) - 1).map(lambda bits: subset(items, bits))


def subset(items, bits: int) -> tuple:
    return tuple(item for n, item in enumerate(items) if bits >> n & 1)


@st.composite
def choices(draw, options, slugs, *, rule_odds: int = 8) -> tuple[Choice, ...]:
    """Choices weighing every option (as the content does), some ruling one out, some with
    a caveat, dimensions and criteria.

    Each choice is read from one draw of a few bytes, so a model takes few draws and
    hypothesis can try many; zero bytes (where it shrinks to) mean no weight, rule-out,
    caveat, dimension or criterion."""
    pairs = [(option, form) for option in options for form in FORMS]
    made = []
    for slug in slugs:
        rule, caveat, dims, crits, *weights = draw(
            st.binary(min_size=4 + len(options), max_size=4 + len(options))
        )
        ruled = rule % (rule_odds * len(options) + len(options)) - rule_odds * len(options)
        caveat = caveat % (4 * len(pairs)) - 3 * len(pairs)
        made.append(
            Choice(
                slug=slug,
                label=slug.capitalize(),
                weights={
                    o: WEIGHT_VALUES[w % len(WEIGHT_VALUES)]
                    for o, w in zip(options, weights, strict=True)
                },
                rules_out=(
                    (RuleOut(options[ruled], f"{slug} rules out {options[ruled]}"),)
                    if ruled >= 0
                    else ()
                ),
                dimensions=subset(DIMENSIONS, dims),
                criteria=subset(CRITERIA, crits),
                caveats=(
                    (
                        Caveat(
                            pairs[caveat][0],
                            pairs[caveat][1],
                            f"Watch {pairs[caveat][1]} on {pairs[caveat][0]}.",
                            ("https://example.com",),
                        ),
                    )
                    if caveat >= 0
                    else ()
                ),
            )
        )
    return tuple(made)


@st.composite
def models(draw, *, parts: bool | None = None) -> Model:
    """Two or three options in any order; questions before and after an optional parts
    question; the later ones may be about some parts only; some have a show_if."""
    options = draw(st.permutations(OPTIONS))[: draw(st.integers(2, 3))]
    with_parts = draw(st.booleans()) if parts is None else parts
    questions: list[Question] = []

    def plain(index: int, about: tuple[str, ...] = ()) -> Question:
        count = draw(st.integers(2, 3))
        show_if = None
        earlier = [q for q in questions if not q.multiple]
        if earlier and draw(st.integers(0, 4)) == 0:
            parent = draw(st.sampled_from(earlier))
            show_if = (parent.slug, draw(st.sampled_from(parent.choices)).slug)
        return Question(
            slug=f"q{index}",
            prompt=f"Question {index}?",
            choices=draw(choices(options, [f"c{n}" for n in range(1, count + 1)])),
            show_if=show_if,
            parts=about,
        )

    for index in range(draw(st.integers(0, 2))):
        questions.append(plain(index))
    picked_parts: tuple[str, ...] = ()
    if with_parts:
        picked_parts = PARTS[: draw(st.integers(2, 3))]
        questions.append(
            Question(
                slug="parts",
                prompt="Which parts?",
                choices=draw(choices(options, picked_parts, rule_odds=4)),
                multiple=True,
            )
        )
    for index in range(len(questions), len(questions) + draw(st.integers(2, 5))):
        about = draw(subsets(picked_parts)) if picked_parts else ()
        questions.append(plain(index, about))
    winners = {d: draw(st.sampled_from([*options, TIE])) for d in DIMENSIONS}
    default = draw(st.none() | st.sampled_from(options))
    return Model(
        options=tuple(options),
        questions=tuple(questions),
        default_option=default,
        winners=winners,
    )


def answer_to(question: Question, *, invalid: bool = True) -> st.SearchStrategy[str | None]:
    """An answer as a visitor (or a stale or hand-made URL) might send it; mostly a choice.

    For the parts question, mostly several parts, in any order."""
    slugs = [c.slug for c in question.choices]
    if not question.multiple:
        return st.sampled_from([*slugs, *slugs, *slugs, NOT_SURE, None])
    several = st.permutations(slugs).flatmap(
        lambda order: st.integers(2, len(order)).map(lambda n: PART_SEPARATOR.join(order[:n]))
    )
    odd = ["", "nope", f"{slugs[0]},{slugs[0]}"] if invalid else []
    return st.sampled_from(["several", "several", "one", NOT_SURE, None, *odd]).flatmap(
        lambda kind: (
            several
            if kind == "several"
            else st.sampled_from(slugs)
            if kind == "one"
            else st.just(kind)
        )
    )


@st.composite
def answer_sets(draw, model: Model) -> dict[str, str]:
    answers = {}
    for question in model.questions:
        value = draw(answer_to(question))
        if value is not None:
            answers[question.slug] = value
    return answers


@st.composite
def cases(draw, *, parts: bool | None = None) -> tuple[Model, dict[str, str]]:
    model = draw(models(parts=parts))
    return model, draw(answer_sets(model))


def chosen(model: Model, answers) -> list[tuple[Question, Choice]]:
    """The choices the effective answers stand for, in question order."""
    kept = effective_answers(model, answers)
    found = []
    for question in model.questions:
        value = kept.get(question.slug)
        if value is None or value == NOT_SURE:
            continue
        for slug in value.split(PART_SEPARATOR) if question.multiple else [value]:
            found.append((question, question.choice(slug)))
    return found


def counted_for(question: Question, choice: Choice, parts) -> list[str]:
    """The parts an answer counts for, from the docstring's rule."""
    if question.multiple:
        return [choice.slug]
    return [p for p in parts if not question.parts or p == WHOLE or p in question.parts]


def first_by_rule(model: Model, options, scores) -> str:
    """The highest score; an exact tie to the default option, else the first slug."""
    best = max(scores[o] for o in options)
    tied = [o for o in options if scores[o] == best]
    return model.default_option if model.default_option in tied else min(tied)


def without_answers(result):
    return replace(result, answers={}, flips=())


def reordered(model: Model, options, shuffle) -> Model:
    """The same model with its options in another order and each weights dict reshuffled."""

    def reshuffle(weights):
        items = list(weights.items())
        shuffle(items)
        return dict(items)

    return replace(
        model,
        options=tuple(options),
        questions=tuple(
            replace(
                q,
                choices=tuple(replace(c, weights=reshuffle(c.weights)) for c in q.choices),
            )
            for q in model.questions
        ),
    )


# --- outcome and placements ----------------------------------------------------------------


@FAST
@given(case=cases(parts=True))
def test_combine_exactly_when_parts_land_on_different_options(case):
    model, answers = case
    result = recommend(model, answers, explain=False)
    where = {p.option for p in result.placements}

    if result.outcome == COMBINE:
        assert len(result.placements) >= 2
        assert len(where) >= 2
        assert NO_FIT not in where
    if len(where) >= 2 and result.outcome not in (NO_FIT, NOT_ENOUGH):
        assert result.outcome == COMBINE
    if result.outcome in model.options:
        assert where == {result.outcome}


@FAST
@given(model=models(parts=True), data=st.data())
def test_a_single_part_system_never_gets_combine(model, data):
    parts_question = model.parts_question
    single = data.draw(st.sampled_from([None, NOT_SURE, *(c.slug for c in parts_question.choices)]))
    answers = data.draw(answer_sets(model))
    answers.pop(parts_question.slug, None)
    if single is not None:
        answers[parts_question.slug] = single

    result = recommend(model, answers, explain=False)

    assert len(result.placements) == 1
    assert result.outcome != COMBINE
    if single in (None, NOT_SURE) or parts_question.slug not in result.answers:
        assert result.placements[0].part == WHOLE


@FAST
@given(case=cases(parts=False))
def test_a_model_without_parts_never_gets_combine(case):
    model, answers = case
    result = recommend(model, answers, explain=False)

    assert [p.part for p in result.placements] == [WHOLE]
    assert result.outcome != COMBINE


@FAST
@given(case=cases(parts=True))
def test_each_part_goes_to_its_highest_scoring_option_not_ruled_out(case):
    model, answers = case
    result = recommend(model, answers, explain=False)
    picked = chosen(model, answers)
    parts = [p.part for p in result.placements]

    for placement in result.placements:
        scores = dict.fromkeys(model.options, 0.0)
        ruled: dict[str, list[str]] = {}
        for question, choice in picked:
            if placement.part in counted_for(question, choice, parts):
                for option, weight in choice.weights.items():
                    scores[option] += weight
                for rule in choice.rules_out:
                    ruled.setdefault(rule.option, []).append(rule.reason)
        assert placement.scores == scores
        assert {o: list(r) for o, r in placement.ruled_out.items()} == ruled
        assert placement.option not in placement.ruled_out
        assert placement.runner_up not in placement.ruled_out
        live = [o for o in model.options if o not in ruled]
        if not live:
            assert (placement.option, placement.runner_up) == (NO_FIT, None)
            assert result.outcome == NO_FIT
            continue
        assert placement.option == first_by_rule(model, live, scores)
        rest = [o for o in live if o != placement.option]
        expected_runner_up = first_by_rule(model, rest, scores) if rest else None
        assert placement.runner_up == expected_runner_up


@FAST
@given(case=cases())
def test_a_ruled_out_option_never_appears_in_the_placements(case):
    model, answers = case
    result = recommend(model, answers, explain=False)

    for placement in result.placements:
        assert placement.option not in placement.ruled_out
        assert placement.option not in result.ruled_out
    for option, reasons in result.ruled_out.items():
        assert all(option in p.ruled_out for p in result.placements)
        assert reasons
    if result.outcome not in (COMBINE, NO_FIT, NOT_ENOUGH):
        assert result.outcome not in result.ruled_out


@FAST
@given(case=cases())
def test_not_enough_exactly_when_evidence_is_short_and_not_settled(case):
    model, answers = case
    result = recommend(model, answers, explain=False)
    no_fit = any(p.option == NO_FIT for p in result.placements)
    settled = all(p.runner_up is None for p in result.placements)

    expected = not no_fit and result.informative < MIN_EVIDENCE and not settled
    assert (result.outcome == NOT_ENOUGH) == expected
    if result.outcome in (NOT_ENOUGH, NO_FIT):
        assert (result.runner_up, result.confidence) == (None, 0)


@FAST
@given(model=models())
def test_every_answer_not_sure_is_not_enough(model):
    answers = {q.slug: NOT_SURE for q in model.questions}

    result = recommend(model, answers, explain=False)

    assert result.outcome == NOT_ENOUGH
    assert result.informative == 0
    assert result.label == "close call"


# --- "Not sure" and the order of options ---------------------------------------------------


@SLOW
@given(case=cases(), data=st.data())
def test_not_sure_to_an_unanswered_applicable_question_changes_nothing(case, data):
    model, answers = case
    kept = effective_answers(model, answers)
    open_ = [q for q in applicable_questions(model, kept) if q.slug not in kept]
    if not open_:
        open_ = applicable_questions(model, {})
        kept = {}
    target = data.draw(st.sampled_from(open_))
    before = recommend(model, kept)

    after = recommend(model, {**kept, target.slug: NOT_SURE})

    assert after.outcome == before.outcome
    assert after.placements == before.placements
    assert after.flips == before.flips
    assert without_answers(after) == without_answers(before)
    assert after.answers == {**before.answers, target.slug: NOT_SURE}


@FAST
@given(case=cases())
def test_not_sure_to_every_unanswered_question_changes_nothing(case):
    model, answers = case
    before = recommend(model, answers, explain=False)
    filled = {q.slug: NOT_SURE for q in model.questions} | effective_answers(model, answers)

    after = recommend(model, filled, explain=False)

    assert after.outcome == before.outcome
    assert after.placements == before.placements
    assert without_answers(after) == without_answers(before)


@SLOW
@given(case=cases(), data=st.data(), shuffle=st.randoms(use_true_random=False))
def test_the_order_of_options_in_the_content_never_matters(case, data, shuffle):
    model, answers = case
    order = data.draw(st.permutations(model.options))

    before = recommend(model, answers)
    after = recommend(reordered(model, order, shuffle.shuffle), answers)

    assert after == before


@FAST
@given(case=cases())
def test_the_order_of_answers_never_matters(case):
    model, answers = case
    again = dict(reversed(list(answers.items())))

    assert recommend(model, again, explain=False) == recommend(model, answers, explain=False)


# --- flips ---------------------------------------------------------------------------------


@SLOW
@given(case=cases())
def test_flips_are_exactly_the_single_answer_changes_that_change_the_outcome(case):
    model, answers = case
    result = recommend(model, answers)
    kept = effective_answers(model, answers)

    expected = set()
    for question in applicable_questions(model, kept):
        current = kept.get(question.slug)
        for alternative in alternatives(question, current):
            outcome = recommend(model, {**kept, question.slug: alternative}, explain=False).outcome
            if outcome != result.outcome:
                expected.add((question.slug, current or NOT_SURE, alternative, outcome))
    listed = [(f.question, f.from_choice, f.to_choice, f.outcome) for f in result.flips]

    assert len(listed) == len(set(listed))
    assert set(listed) == expected
    distances = [f.distance for f in result.flips]
    assert distances == sorted(distances)


@SLOW
@given(case=cases())
def test_each_flips_moves_are_the_placements_it_changes(case):
    model, answers = case
    result = recommend(model, answers)
    before = {p.part: p.option for p in result.placements}

    for flip in result.flips:
        changed = recommend(model, {**result.answers, flip.question: flip.to_choice}, explain=False)
        assert changed.outcome == flip.outcome
        moved = tuple(
            (p.part, p.option) for p in changed.placements if before.get(p.part) != p.option
        )
        assert flip.moves == moved


# --- confidence ----------------------------------------------------------------------------


@FAST
@given(case=cases())
def test_confidence_is_honest_and_labelled_by_the_thresholds(case):
    model, answers = case
    result = recommend(model, answers, explain=False)

    for shown in (result, *result.placements):
        assert 0 <= shown.confidence <= 1
        assert shown.label == confidence_label(shown.confidence)
    for placement in result.placements:
        if placement.runner_up is not None:
            assert placement.confidence < 1
        elif placement.option != NO_FIT:
            assert placement.label == "clear"
    if result.outcome not in (NO_FIT, NOT_ENOUGH):
        weakest = min(result.placements, key=lambda p: (p.runner_up is None, p.confidence))
        assert result.confidence == weakest.confidence
        if result.runner_up is not None:
            assert result.confidence < 1


# --- why it matters, criteria, caveats -----------------------------------------------------


def favoured(model: Model, choice: Choice) -> str | None:
    """The option the answer's weights put strictly ahead of every other, if any."""
    weight = {o: choice.weights.get(o, 0.0) for o in model.options}
    best = max(weight.values())
    top = [o for o in model.options if weight[o] == best]
    return top[0] if len(top) == 1 else None


@FAST
@given(case=cases())
def test_a_dimension_is_pointed_at_only_by_an_answer_favouring_its_winner(case):
    model, answers = case
    result = recommend(model, answers, explain=False)

    expected = []
    for question, choice in chosen(model, answers):
        option = favoured(model, choice)
        for dimension in choice.dimensions:
            winner = model.winners.get(dimension)
            if option is not None and winner == option and winner != TIE:
                expected.append((dimension, option, question.slug, choice.slug))

    assert [(p.dimension, p.option, p.question, p.choice) for p in result.pointers] == expected
    assert result.dimensions == tuple(dict.fromkeys(p.dimension for p in result.pointers))


@FAST
@given(case=cases())
def test_a_criterion_matches_only_when_no_answer_that_speaks_to_it_says_otherwise(case):
    model, answers = case
    result = recommend(model, answers, explain=False)
    picked = chosen(model, answers)
    kept = result.answers

    linked = dict.fromkeys(slug for _, choice in picked for slug in choice.criteria)
    expected = []
    for criterion in linked:
        contradicted = any(
            not question.multiple
            and kept.get(question.slug) not in (None, NOT_SURE)
            and any(criterion in c.criteria for c in question.choices)
            and criterion not in question.choice(kept[question.slug]).criteria
            for question in model.questions
        )
        if not contradicted:
            expected.append(criterion)

    assert result.criteria == tuple(expected)


@FAST
@given(case=cases(parts=True))
def test_a_caveat_appears_exactly_for_the_parts_placed_on_its_option(case):
    model, answers = case
    result = recommend(model, answers, explain=False)
    where = {p.part: p.option for p in result.placements}

    expected: dict[tuple[str, str, str], list[str]] = {}
    for question, choice in chosen(model, answers):
        for caveat in choice.caveats:
            hit = [
                part
                for part in counted_for(question, choice, list(where))
                if where[part] == caveat.option
            ]
            if hit:
                parts = expected.setdefault((caveat.option, caveat.form, caveat.text), [])
                parts += [part for part in hit if part not in parts]

    notes = {(n.option, n.form, n.text): sorted(n.parts) for n in result.caveats}
    assert notes == {key: sorted(parts) for key, parts in expected.items()}
    assert len(notes) == len(result.caveats)
    for note in result.caveats:
        assert all(where[part] == note.option for part in note.parts)


# --- answers and progress ------------------------------------------------------------------


@FAST
@given(case=cases(parts=True))
def test_a_parts_answer_is_kept_only_when_valid_and_then_in_content_order(case):
    model, answers = case
    question = model.parts_question
    kept = effective_answers(model, answers)
    value = answers.get(question.slug)

    if question.slug not in kept:
        return
    if value == NOT_SURE:
        assert kept[question.slug] == NOT_SURE
        return
    picked = value.split(PART_SEPARATOR)
    assert len(picked) == len(set(picked))
    assert all(question.choice(part) for part in picked)
    assert kept[question.slug] == join_parts(question, picked)
    assert [p.part for p in recommend(model, answers, explain=False).placements] == [
        c.slug for c in question.choices if c.slug in picked
    ]


@SLOW
@given(model=models(), data=st.data())
def test_progress_along_a_forward_walk_never_moves_backwards(model, data):
    answers: dict[str, str] = {}
    possible = possible_questions(model, answers)
    left = len(possible)

    for _ in range(len(model.questions) + 1):
        shown = applicable_questions(model, answers)
        assert {q.slug for q in shown} <= {q.slug for q in possible}
        current = next((q for q in shown if q.slug not in answers), None)
        if current is None:
            break
        # The current step's position never passes the number of questions that may apply.
        position = [q.slug for q in possible].index(current.slug) + 1
        assert position == len(answers) + 1 <= len(possible)

        value = data.draw(answer_to(current, invalid=False).filter(bool))
        if current.multiple and value != NOT_SURE:
            value = join_parts(current, value.split(PART_SEPARATOR))
        answers[current.slug] = value
        assert effective_answers(model, answers) == answers

        now = possible_questions(model, answers)
        assert [q.slug for q in now if q in possible] == [q.slug for q in now]
        assert len(now) - len(answers) < left
        possible, left = now, len(now) - len(answers)

    assert left == 0
    assert [q.slug for q in possible] == list(answers)
