"""The scoring engine: the flagship's scenarios, properties of any answers, worked examples.

Pure unit tests (no database): models come from fixture files through `parse_file`/`parse_text`
and `engine_model`, or are built directly from the engine's data classes.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from decision.content.engine_data import engine_model, engine_scenarios
from decision.content.files import parse_file, parse_text
from decision.engine import (
    CLEAR,
    COMBINE,
    COMBINE_MIN_BALANCE,
    COMBINE_MIN_SUPPORT,
    LEANING,
    NO_FIT,
    NOT_SURE,
    Choice,
    Model,
    Question,
    RuleOut,
    confidence_label,
    effective_answers,
    recommend,
)
from tests.factories import FLAGSHIP, comparison_data, modified, to_yaml

# Read once, at import time: the fixture is content that may change, so nothing below
# hard-codes its questions or answers.
FLAGSHIP_CONTENT = parse_file(FLAGSHIP)
FLAGSHIP_MODEL = engine_model(FLAGSHIP_CONTENT)
FLAGSHIP_SCENARIOS = engine_scenarios(FLAGSHIP_CONTENT)

OPTION_SLUGS = ("alpha", "bravo", "charlie", "delta")
# Weights in [-5, 5] in steps of a half: binary floats add these exactly, so an "exact tie"
# in a drawn model is a real tie and not an accident of rounding.
WEIGHTS = st.sampled_from(sorted((halves / 2 for halves in range(-10, 11)), key=abs))

# recommend() with flips reruns the engine once per alternative answer, so these bounds keep
# the whole file well under 20 seconds on two cores.
FAST = settings(max_examples=150, deadline=None)
SLOW = settings(max_examples=80, deadline=None)


# --- strategies --------------------------------------------------------------------------


def answer_sets(model: Model):
    """Answers as a visitor might send them: each question skipped, "not sure" or a choice.

    Questions whose show_if does not hold are answered too, as a stale URL would.
    """
    picks = st.tuples(
        *(
            st.sampled_from([None, NOT_SURE, *(c.slug for c in question.choices)])
            for question in model.questions
        )
    )
    return picks.map(
        lambda picked: {
            question.slug: choice
            for question, choice in zip(model.questions, picked, strict=True)
            if choice is not None
        }
    )


@st.composite
def models(draw, *, conditional: bool = False) -> Model:
    """2-4 options in any order, 1-6 questions of 2-3 choices, random weights and rule-outs.

    Some questions have a show_if on an earlier question's choice; with `conditional`, more
    of them do (so show_if chains appear) and the last question always has one.
    """
    options = tuple(
        draw(st.lists(st.sampled_from(OPTION_SLUGS), min_size=2, max_size=4, unique=True))
    )
    count = draw(st.sampled_from(range(2 if conditional else 1, 7)))
    questions: list[Question] = []
    for index in range(count):
        choices = []
        for number in range(1, draw(st.sampled_from([2, 3])) + 1):
            weights = {option: draw(st.none() | WEIGHTS) for option in options}
            ruled = draw(st.sampled_from(options)) if draw(st.integers(0, 3)) == 0 else None
            choices.append(
                Choice(
                    slug=f"choice-{number}",
                    label=f"Choice {number}",
                    weights={o: w for o, w in weights.items() if w is not None},
                    rules_out=(RuleOut(ruled, f"{ruled} cannot do this"),) if ruled else (),
                )
            )
        show_if = None
        last = index == count - 1
        odds = 1 if conditional else 3
        if index > 0 and ((conditional and last) or draw(st.integers(0, odds)) == 0):
            parent = questions[draw(st.integers(0, index - 1))]
            show_if = (parent.slug, draw(st.sampled_from(parent.choices)).slug)
        questions.append(
            Question(
                slug=f"question-{index + 1}",
                prompt=f"Question {index + 1}?",
                choices=tuple(choices),
                show_if=show_if,
            )
        )
    default = draw(st.none() | st.sampled_from(options))
    return Model(options=options, questions=tuple(questions), default_option=default)


@st.composite
def synthetic_cases(draw, *, conditional: bool = False) -> tuple[Model, dict[str, str]]:
    model = draw(models(conditional=conditional))
    return model, draw(answer_sets(model))


flagship_cases = st.tuples(st.just(FLAGSHIP_MODEL), answer_sets(FLAGSHIP_MODEL))
cases = st.one_of(flagship_cases, synthetic_cases())


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
                question,
                choices=tuple(
                    replace(choice, weights=reshuffle(choice.weights))
                    for choice in question.choices
                ),
            )
            for question in model.questions
        ),
    )


def answered(model: Model, answers: dict[str, str]):
    """The chosen Choice of each effective answer, in question order ("not sure" has none)."""
    for question in model.questions:
        choice = question.choice(answers.get(question.slug, NOT_SURE))
        if choice is not None:
            yield question, choice


# --- 1. the flagship's own scenarios ------------------------------------------------------


@pytest.mark.parametrize("scenario", FLAGSHIP_SCENARIOS, ids=[s.slug for s in FLAGSHIP_SCENARIOS])
def test_flagship_scenario_gives_its_expected_outcome(scenario):
    result = recommend(FLAGSHIP_MODEL, scenario.answers, explain=False)

    assert result.outcome == scenario.outcome, (
        f"{scenario.name}: scores {dict(result.scores)}, support {dict(result.support)}, "
        f"ruled out {dict(result.ruled_out)}"
    )


# --- 2. properties -----------------------------------------------------------------------


@FAST
@given(case=cases)
def test_the_same_answers_give_the_same_recommendation(case):
    model, answers = case
    # The same answers arriving in another order (a reordered query string) are the same input.
    again = dict(reversed(list(answers.items())))

    assert recommend(model, answers) == recommend(model, again)


@FAST
@given(case=cases, data=st.data(), shuffle=st.randoms(use_true_random=False))
def test_the_order_of_options_in_the_content_does_not_matter(case, data, shuffle):
    model, answers = case
    order = data.draw(st.permutations(model.options))
    before = recommend(model, answers)

    after = recommend(reordered(model, order, shuffle.shuffle), answers)

    assert after.outcome == before.outcome
    assert after.runner_up == before.runner_up
    assert after.scores == before.scores
    assert after.confidence == before.confidence
    assert set(after.ruled_out) == set(before.ruled_out)
    assert after == before


@FAST
@given(case=cases)
def test_not_sure_for_the_unanswered_questions_changes_nothing(case):
    model, answers = case
    before = recommend(model, answers, explain=False)
    filled = {question.slug: NOT_SURE for question in model.questions} | answers

    after = recommend(model, filled, explain=False)

    assert after.scores == before.scores
    assert after.support == before.support
    assert after.outcome == before.outcome
    assert after.confidence == before.confidence
    assert after.ruled_out == before.ruled_out


@FAST
@given(case=cases)
def test_a_ruled_out_option_is_never_the_outcome(case):
    model, answers = case
    result = recommend(model, answers, explain=False)
    expected_ruled_out = {
        rule.option for _, choice in answered(model, result.answers) for rule in choice.rules_out
    }
    remaining = [option for option in model.options if option not in expected_ruled_out]

    assert set(result.ruled_out) == expected_ruled_out
    assert result.outcome not in result.ruled_out
    if not remaining:
        assert result.outcome == NO_FIT
    else:
        assert result.outcome in [*remaining, COMBINE]
    if result.outcome in remaining:
        # Outside combine, nothing left standing scores higher than the outcome.
        assert result.scores[result.outcome] == max(result.scores[o] for o in remaining)


@FAST
@given(case=cases)
def test_confidence_is_between_0_and_1_and_its_label_matches_the_thresholds(case):
    model, answers = case
    result = recommend(model, answers, explain=False)

    assert 0 <= result.confidence <= 1
    if result.confidence >= CLEAR:
        assert result.label == "clear"
    elif result.confidence >= LEANING:
        assert result.label == "leaning"
    else:
        assert result.label == "close call"


@FAST
@given(case=cases)
def test_contributions_come_largest_first(case):
    model, answers = case
    result = recommend(model, answers, explain=False)
    sizes = [contribution.size for contribution in result.contributions]

    assert sizes == sorted(sizes, reverse=True)


@SLOW
@given(case=cases)
def test_every_listed_flip_really_flips_the_outcome(case):
    model, answers = case
    result = recommend(model, answers)

    for flip in result.flips:
        assert result.answers.get(flip.question, NOT_SURE) == flip.from_choice
        changed = {**result.answers, flip.question: flip.to_choice}
        assert flip.outcome != result.outcome
        assert recommend(model, changed, explain=False).outcome == flip.outcome, flip


@SLOW
@given(case=synthetic_cases())
def test_a_single_answer_change_that_is_not_listed_keeps_the_outcome(case):
    model, answers = case
    result = recommend(model, answers)
    listed = {(flip.question, flip.to_choice): flip.outcome for flip in result.flips}
    assert len(listed) == len(result.flips)

    for question in model.questions:
        current = result.answers.get(question.slug, NOT_SURE)
        for alternative in [*(c.slug for c in question.choices), NOT_SURE]:
            if alternative == current:
                continue
            changed = {**result.answers, question.slug: alternative}
            outcome = recommend(model, changed, explain=False).outcome
            assert outcome == listed.get((question.slug, alternative), result.outcome), (
                question.slug,
                current,
                alternative,
            )


@FAST
@given(case=st.one_of(flagship_cases, synthetic_cases(conditional=True)), data=st.data())
def test_answers_to_questions_that_do_not_apply_are_ignored(case, data):
    model, answers = case
    answers = dict(answers)
    # Answer a conditional question, and break one link of its show_if chain: the question
    # it depends on (or one further up) gets another answer, "not sure", or none at all.
    hidden = data.draw(st.sampled_from([q for q in model.questions if q.show_if]))
    chain = [hidden]
    while chain[-1].show_if:
        chain.append(model.question(chain[-1].show_if[0]))
    broken = data.draw(st.sampled_from(chain[:-1]))
    for question in chain[:-1]:
        parent, trigger = question.show_if
        answers[parent] = trigger
        if question is broken:
            other = data.draw(
                st.sampled_from(
                    [None, NOT_SURE]
                    + [c.slug for c in model.question(parent).choices if c.slug != trigger]
                )
            )
            if other is None:
                del answers[parent]
            else:
                answers[parent] = other
    answers[hidden.slug] = data.draw(st.sampled_from([c.slug for c in hidden.choices]))

    kept = effective_answers(model, answers)

    assert hidden.slug not in kept
    for slug in answers:
        show_if = model.question(slug).show_if
        applies = show_if is None or kept.get(show_if[0]) == show_if[1]
        assert (slug in kept) == applies, slug
    without = {slug: choice for slug, choice in answers.items() if slug in kept}
    assert recommend(model, answers) == recommend(model, without)


# --- 3. worked examples ------------------------------------------------------------------


def three_options(questions: int = 3, change=None) -> Model:
    """The factory comparison with options option-1..3, through the fixture parser.

    Choice `favour-option-N` gives option N +3 and the others -1; question-1's `must-avoid`
    rules out option-3; question-2 is shown only when question-1 is `favour-option-1`.
    """
    data = comparison_data("three-options", options=3, questions=questions)
    if change is not None:
        data = modified(data, change)
    return engine_model(parse_text(to_yaml(data), file="three-options.yaml"))


def test_a_clear_win_for_the_third_option():
    model = three_options()

    result = recommend(model, {"question-1": "favour-option-3", "question-3": "favour-option-3"})

    assert result.outcome == "option-3"
    assert result.scores == {"option-1": -2.0, "option-2": -2.0, "option-3": 6.0}
    assert result.runner_up == "option-1"
    # All 8 points of evidence favour option-3: 8 / (8 + 4).
    assert result.confidence == pytest.approx(8 / 12, abs=0.005)
    assert result.label == "clear"
    assert result.ruled_out == {}


def test_a_ruled_out_option_loses_even_with_the_highest_score():
    model = three_options()

    result = recommend(model, {"question-1": "must-avoid", "question-3": "favour-option-3"})

    assert result.scores["option-3"] == max(result.scores.values())
    assert result.ruled_out == {"option-3": ("A hard limit.",)}
    # option-1 and option-2 tie at -1; there is no default option, so the first slug wins.
    assert result.outcome == "option-1"
    assert "question-1" in [c.question for c in result.contributions]


def test_all_options_ruled_out_is_no_fit():
    model = Model(
        options=("alpha", "bravo"),
        questions=(
            Question(
                "hosting",
                "Where must it run?",
                (
                    Choice(
                        "nowhere",
                        "Nowhere allowed",
                        weights={"alpha": 5},
                        rules_out=(RuleOut("alpha", "no"), RuleOut("bravo", "no")),
                    ),
                    Choice("anywhere", "Anywhere"),
                ),
            ),
        ),
        default_option="alpha",
    )

    result = recommend(model, {"hosting": "nowhere"})

    assert result.outcome == NO_FIT
    assert result.confidence == 0
    assert result.flips[0].to_choice == "anywhere"
    assert result.flips[0].outcome == "alpha"


COMBINE_CASES = {
    # name: (questions answered favour-option-1, questions answered favour-option-2)
    "both at the minimum support": (["question-1", "question-2"], ["question-3", "question-4"]),
    "weaker pull exactly half the stronger": (
        ["question-1", "question-2", "question-5", "question-6"],
        ["question-3", "question-4"],
    ),
}
NOT_COMBINE_CASES = {
    "weaker pull below the minimum support": (["question-1", "question-2"], ["question-3"]),
    "weaker pull below half the stronger": (
        ["question-1", "question-2", "question-5", "question-6", "question-7"],
        ["question-3", "question-4"],
    ),
}


def _pulls(option_1: list[str], option_2: list[str]) -> dict[str, str]:
    return {slug: "favour-option-1" for slug in option_1} | {
        slug: "favour-option-2" for slug in option_2
    }


@pytest.mark.parametrize(("option_1", "option_2"), COMBINE_CASES.values(), ids=COMBINE_CASES)
def test_strong_support_for_two_options_gives_combine(option_1, option_2):
    result = recommend(three_options(questions=7), _pulls(option_1, option_2))

    assert result.support["option-2"] >= COMBINE_MIN_SUPPORT
    assert result.support["option-2"] >= COMBINE_MIN_BALANCE * result.support["option-1"]
    assert result.outcome == COMBINE
    assert result.runner_up is None
    assert result.label != "close call"


@pytest.mark.parametrize(
    ("option_1", "option_2"), NOT_COMBINE_CASES.values(), ids=NOT_COMBINE_CASES
)
def test_one_sided_or_weak_support_does_not_combine(option_1, option_2):
    result = recommend(three_options(questions=7), _pulls(option_1, option_2))

    assert result.outcome == "option-1"


def test_support_for_a_ruled_out_option_does_not_make_a_combine():
    answers = {
        "question-1": "must-avoid",
        "question-3": "favour-option-3",
        "question-4": "favour-option-3",
        "question-5": "favour-option-1",
        "question-6": "favour-option-1",
    }

    result = recommend(three_options(questions=7), answers)

    assert result.support["option-1"] == result.support["option-3"] == COMBINE_MIN_SUPPORT
    assert result.outcome == "option-1"


def test_contributions_are_sorted_by_how_much_they_moved_the_outcome():
    def stronger_question_3(data):
        data["questions"][2]["choices"][2]["weights"] = {
            "option-1": 0.0,
            "option-2": -2.0,
            "option-3": 5.0,
        }

    model = three_options(questions=4, change=stronger_question_3)
    answers = {
        "question-1": "favour-option-2",
        "question-3": "favour-option-3",
        "question-4": "favour-option-1",
    }

    result = recommend(model, answers)

    assert (result.outcome, result.runner_up) == ("option-3", "option-1")
    assert [(c.question, c.size) for c in result.contributions] == [
        ("question-3", 5.0),
        ("question-4", 4.0),
        ("question-1", 0.0),
    ]


def test_criteria_and_dimensions_are_collected_in_answer_order_without_duplicates():
    model = three_options(questions=5)
    answers = {
        "question-1": "favour-option-2",  # dimension-1, option-2-when-1
        "question-3": "favour-option-3",  # dimension-3, option-3-when-1
        "question-4": "favour-option-3",  # dimension-1, option-3-when-2
        "question-5": "favour-option-3",  # dimension-2, option-3-when-1
    }

    result = recommend(model, answers)

    assert result.dimensions == ("dimension-1", "dimension-3", "dimension-2")
    assert result.criteria == ("option-2-when-1", "option-3-when-1", "option-3-when-2")


def _tie_model(options: tuple[str, ...], default: str | None) -> Model:
    return Model(
        options=options,
        default_option=default,
        questions=(
            Question(
                "q",
                "Which?",
                (
                    Choice("all-even", "All even", weights=dict.fromkeys(options, 2.0)),
                    Choice("not-mike", "Not mike", weights={"zulu": 2.0, "alpha": 2.0}),
                ),
            ),
        ),
    )


TIES = {
    "default among the tied": (("zulu", "mike", "alpha"), "mike", "all-even", "mike"),
    "default listed last among the tied": (("alpha", "zulu", "mike"), "zulu", "not-mike", "zulu"),
    "default not among the tied": (("zulu", "mike", "alpha"), "mike", "not-mike", "alpha"),
    "no default": (("zulu", "mike", "alpha"), None, "all-even", "alpha"),
}


@pytest.mark.parametrize(("options", "default", "answer", "expected"), TIES.values(), ids=TIES)
def test_an_exact_tie_goes_to_the_default_option_else_the_first_slug(
    options, default, answer, expected
):
    model = _tie_model(options, default)

    for order in (options, tuple(reversed(options))):
        result = recommend(replace(model, options=order), {"q": answer})
        assert result.outcome == expected


def test_no_answers_gives_the_default_option_as_a_close_call():
    result = recommend(FLAGSHIP_MODEL, {})

    assert result.outcome == (FLAGSHIP_MODEL.default_option or min(FLAGSHIP_MODEL.options))
    assert result.confidence == 0
    assert result.label == "close call"
    assert set(result.scores.values()) == {0}


def test_no_answers_without_a_default_gives_the_first_slug():
    result = recommend(_tie_model(("zulu", "mike", "alpha"), None), {})

    assert result.outcome == "alpha"
    assert result.confidence == 0
    assert result.label == "close call"


# --- the runner-up and the confidence shown -------------------------------------------------


def test_a_close_race_between_the_remaining_options_is_not_clear():
    model = three_options()

    # option-3 is ruled out; option-1 and option-2 tie at -1.
    result = recommend(model, {"question-1": "must-avoid", "question-3": "favour-option-3"})

    assert result.scores["option-1"] == result.scores["option-2"]
    assert result.runner_up == "option-2"
    assert result.label == "close call"


def test_no_contest_when_every_other_option_is_ruled_out():
    model = Model(
        options=("alpha", "bravo", "charlie"),
        questions=(
            Question(
                "hosting",
                "Where must it run?",
                (
                    Choice(
                        "own-hardware",
                        "On our own hardware",
                        weights={"bravo": 1.0, "charlie": 1.0},
                        rules_out=(
                            RuleOut("bravo", "cloud only"),
                            RuleOut("charlie", "cloud only"),
                        ),
                    ),
                    Choice("anywhere", "Anywhere"),
                ),
            ),
        ),
    )

    result = recommend(model, {"hosting": "own-hardware"})

    assert result.outcome == "alpha"
    assert result.runner_up is None
    assert (result.confidence, result.label) == (1, "clear")


def test_the_label_agrees_with_the_confidence_shown():
    model = Model(
        options=("alpha", "bravo"),
        questions=(
            Question(
                "q",
                "Which?",
                (Choice("lean", "Lean", weights={"alpha": 5.99}), Choice("none", "None")),
            ),
        ),
    )

    result = recommend(model, {"q": "lean"})

    # 5.99 / 9.99 = 0.5996: shown as 60%, so it must read "clear", as 60% does everywhere.
    assert result.confidence == 0.6
    assert result.label == confidence_label(result.confidence) == "clear"
