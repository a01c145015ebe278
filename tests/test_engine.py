"""The scoring engine, rule by rule: worked examples on small models built in the test.

Pure unit tests (no database, no fixture files): each model is built from the engine's own
data classes with the helpers below, so every example names exactly the answers it is about.
The properties over generated models and answers live in `test_engine_properties.py`.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from decision.engine import (
    CLEAR,
    COMBINE,
    EVIDENCE_HALF,
    LEANING,
    MIN_EVIDENCE,
    NO_FIT,
    NOT_ENOUGH,
    NOT_SURE,
    WHOLE,
    Caveat,
    Choice,
    Model,
    Pointer,
    Question,
    RuleOut,
    alternatives,
    applicable_questions,
    confidence_label,
    effective_answers,
    possible_questions,
    recommend,
)
from decision.vocabulary import TIE, WEIGHT_LIMIT

K8S = "kubernetes"
SLS = "serverless"


# --- helpers -------------------------------------------------------------------------------


def choice(slug: str, k8s: float = 0.0, sls: float = 0.0, **extra) -> Choice:
    """A choice weighing the two options; `out=[...]` names the options it rules out."""
    rules = tuple(RuleOut(option, f"{slug} rules out {option}") for option in extra.pop("out", ()))
    label = slug.replace("-", " ").capitalize()
    return Choice(slug, label, weights={K8S: k8s, SLS: sls}, rules_out=rules, **extra)


def question(slug: str, *choices: Choice, **extra) -> Question:
    return Question(slug, f"{slug}?", tuple(choices), **extra)


def parts_question(*choices: Choice) -> Question:
    """The parts question: each choice is a part of the system."""
    return question("parts", *choices, multiple=True)


def model(*questions: Question, default: str | None = None, winners=None) -> Model:
    return Model(
        options=(K8S, SLS),
        questions=tuple(questions),
        default_option=default,
        winners=winners or {},
    )


def placed(result) -> dict[str, str]:
    return {p.part: p.option for p in result.placements}


def placement(result, part: str):
    return next(p for p in result.placements if p.part == part)


def slugs(questions) -> list[str]:
    return [q.slug for q in questions]


# Answers pulling one way, each informative: three of them reach MIN_EVIDENCE.
def pulls(option: str, count: int = MIN_EVIDENCE, *, start: int = 1) -> list[Question]:
    weights = {K8S: 3.0, SLS: 0.0} if option == K8S else {K8S: 0.0, SLS: 3.0}
    return [
        question(
            f"pull-{n}",
            choice("yes", weights[K8S], weights[SLS]),
            choice("no"),
        )
        for n in range(start, start + count)
    ]


def yes_to(questions) -> dict[str, str]:
    return {q.slug: "yes" for q in questions}


def test_the_examples_below_assume_three_answers_of_evidence():
    assert MIN_EVIDENCE == 3


# --- knock-outs ----------------------------------------------------------------------------


def hosting() -> Question:
    return question(
        "hosting",
        choice("on-premises", k8s=4, sls=-2, out=[SLS]),
        choice("public-cloud"),
    )


def test_a_rule_out_on_an_early_question_skips_every_later_question_it_settles():
    late = pulls(SLS, 3)
    never_ends = question(
        "duration", choice("never-ends", k8s=4, out=[SLS]), choice("seconds", sls=1)
    )
    m = model(hosting(), *late, never_ends)
    answers = {"hosting": "on-premises", **yes_to(late), "duration": "seconds"}

    # Unanswered, every question could apply; the rule-out leaves only Kubernetes, and no
    # later answer can rule Kubernetes out, so nothing after it can change anything.
    assert slugs(applicable_questions(m, {})) == slugs(m.questions)
    assert slugs(applicable_questions(m, {"hosting": "on-premises"})) == ["hosting"]
    assert slugs(possible_questions(m, {"hosting": "on-premises"})) == ["hosting"]
    assert effective_answers(m, answers) == {"hosting": "on-premises"}

    result = recommend(m, answers)

    assert result.outcome == K8S
    assert result.runner_up is None
    assert result.informative == 1  # fewer than MIN_EVIDENCE, but the rule-out settles it
    assert result.ruled_out == {SLS: ("on-premises rules out serverless",)}
    (only,) = result.placements
    assert (only.part, only.option, only.runner_up) == (WHOLE, K8S, None)
    assert only.ruled_out == {SLS: ("on-premises rules out serverless",)}


def test_a_question_that_could_still_rule_out_the_last_option_is_asked():
    gpu = question("hardware", choice("gpu", out=[K8S]), choice("none"))
    m = model(hosting(), *pulls(SLS, 1), gpu)

    shown = applicable_questions(m, {"hosting": "on-premises"})

    assert slugs(shown) == ["hosting", "hardware"]
    result = recommend(m, {"hosting": "on-premises", "hardware": "gpu"})
    assert result.outcome == NO_FIT
    assert result.runner_up is None
    assert result.confidence == 0


def web_and_jobs(**jobs_extra) -> Question:
    return parts_question(
        choice("web", sls=1),
        choice("jobs", **jobs_extra),
        choice("events", sls=1),
    )


def test_a_rule_out_on_one_part_places_that_part_on_the_other_option():
    late = pulls(SLS, 2)
    m = model(web_and_jobs(out=[SLS]), *late)

    result = recommend(m, {"parts": "web,jobs", **yes_to(late)})

    assert placed(result) == {"web": SLS, "jobs": K8S}
    jobs, web = placement(result, "jobs"), placement(result, "web")
    assert jobs.ruled_out == {SLS: ("jobs rules out serverless",)}
    assert jobs.runner_up is None
    # The other part is free: the same answers count for it, and nothing is ruled out there.
    assert web.ruled_out == {}
    assert web.runner_up == K8S
    assert web.scores == {K8S: 0.0, SLS: 7.0}
    assert result.outcome == COMBINE
    # Ruled out for one part only: not ruled out for the system.
    assert result.ruled_out == {}


def test_questions_about_a_settled_part_only_are_skipped():
    jobs_only = question(
        "jobs-duration", choice("hours", k8s=3), choice("minutes", sls=1), parts=("jobs",)
    )
    everyone = pulls(SLS, 1)
    m = model(web_and_jobs(out=[SLS]), jobs_only, *everyone)

    assert slugs(applicable_questions(m, {"parts": "jobs"})) == ["parts"]
    assert slugs(applicable_questions(m, {"parts": "web,jobs"})) == [
        "parts",
        "pull-1",
    ]
    assert slugs(applicable_questions(m, {"parts": "web"})) == ["parts", "pull-1"]
    # Before the parts are known, the part's questions could still apply.
    assert slugs(applicable_questions(m, {})) == ["parts", "jobs-duration", "pull-1"]


def test_a_part_with_every_option_ruled_out_gives_no_fit():
    gpu = question("gpu", choice("needs-gpu", out=[K8S]), choice("no-gpu"), parts=("jobs",))
    late = pulls(SLS, 2)
    m = model(web_and_jobs(out=[SLS]), gpu, *late)

    result = recommend(m, {"parts": "web,jobs", "gpu": "needs-gpu", **yes_to(late)})

    assert result.outcome == NO_FIT
    assert placed(result) == {"web": SLS, "jobs": NO_FIT}
    assert set(placement(result, "jobs").ruled_out) == {K8S, SLS}
    assert placement(result, "web").ruled_out == {}
    assert (result.runner_up, result.confidence) == (None, 0)


def test_options_ruled_out_for_every_part_are_the_systems_ruled_out():
    m = model(web_and_jobs(), *pulls(K8S, 2), hosting())
    answers = {"parts": "web,jobs", "pull-1": "yes", "pull-2": "yes", "hosting": "on-premises"}

    result = recommend(m, answers)

    assert result.ruled_out == {SLS: ("on-premises rules out serverless",)}
    assert placed(result) == {"web": K8S, "jobs": K8S}
    assert result.outcome == K8S
    assert result.runner_up is None


def test_rule_outs_before_the_parts_question_apply_to_every_part():
    m = model(hosting(), web_and_jobs(out=[K8S]), *pulls(SLS, 1))

    # Only Kubernetes is left, and a part (jobs) could rule it out: the parts question stays.
    assert slugs(applicable_questions(m, {"hosting": "on-premises"})) == ["hosting", "parts"]
    result = recommend(m, {"hosting": "on-premises", "parts": "web,jobs"})

    assert placed(result) == {"web": K8S, "jobs": NO_FIT}
    assert result.outcome == NO_FIT


# --- not enough evidence -------------------------------------------------------------------


def test_every_answer_not_sure_is_not_enough():
    qs = [web_and_jobs(), *pulls(K8S, 4)]
    m = model(*qs, default=SLS)

    result = recommend(m, {q.slug: NOT_SURE for q in qs})

    assert result.outcome == NOT_ENOUGH
    assert result.runner_up is None
    assert result.confidence == 0
    assert result.informative == 0
    assert placed(result) == {WHOLE: SLS}  # the default option, on no evidence


def test_no_answers_at_all_is_not_enough():
    assert recommend(model(*pulls(K8S, 4)), {}).outcome == NOT_ENOUGH


def test_fewer_than_min_evidence_informative_answers_is_not_enough():
    qs = pulls(K8S, MIN_EVIDENCE)
    m = model(*qs)

    short = recommend(m, yes_to(qs[:-1]))
    enough = recommend(m, yes_to(qs))

    assert short.informative == MIN_EVIDENCE - 1
    assert short.outcome == NOT_ENOUGH
    assert enough.informative == MIN_EVIDENCE
    assert enough.outcome == K8S


def test_answers_that_move_no_score_are_not_evidence():
    qs = pulls(K8S, MIN_EVIDENCE)
    m = model(*qs)
    # Two informative answers, and a real answer whose weights are all zero.
    answers = {"pull-1": "yes", "pull-2": "yes", "pull-3": "no"}

    result = recommend(m, answers)

    assert result.informative == 2
    assert result.outcome == NOT_ENOUGH


def test_a_rule_out_is_evidence_even_without_weights():
    out = question("limit", choice("cannot", out=[SLS]), choice("can"))
    gpu = question("gpu", choice("needs", out=[K8S]), choice("no"))
    m = model(out, gpu, *pulls(K8S, 1))

    result = recommend(m, {"limit": "cannot", "gpu": "no", "pull-1": "yes"})

    # Kubernetes is all that is left (pull-1 is skipped); "no" to the GPU moves nothing.
    assert result.answers == {"limit": "cannot", "gpu": "no"}
    assert result.informative == 1
    assert result.outcome == K8S


def test_a_rule_out_that_settles_only_one_part_does_not_make_enough():
    m = model(web_and_jobs(out=[SLS]), *pulls(SLS, 3))

    result = recommend(m, {"parts": "web,jobs", "pull-1": "yes"})

    assert placement(result, "jobs").runner_up is None
    assert placement(result, "web").runner_up is not None
    assert result.outcome == NOT_ENOUGH


def test_a_parts_answer_whose_parts_move_nothing_is_not_informative():
    # The docstring: informative answers are "real answers whose choice moves a score or
    # rules an option out". Parts with no weights and no rule-outs move nothing.
    neutral_parts = parts_question(choice("web"), choice("jobs"))
    qs = pulls(K8S, 2)
    m = model(neutral_parts, *qs)

    result = recommend(m, {"parts": "web,jobs", **yes_to(qs)})

    assert result.informative == 2
    assert result.outcome == NOT_ENOUGH


# --- parts ---------------------------------------------------------------------------------


def test_a_question_about_one_part_counts_for_that_part_only():
    latency = question(
        "latency", choice("sensitive", k8s=4), choice("tolerant", sls=1), parts=("web",)
    )
    m = model(web_and_jobs(), latency, *pulls(SLS, 1))

    result = recommend(m, {"parts": "web,jobs", "latency": "sensitive", "pull-1": "yes"})

    assert placement(result, "web").scores == {K8S: 4.0, SLS: 4.0}
    assert placement(result, "jobs").scores == {K8S: 0.0, SLS: 3.0}
    (contribution,) = [c for c in result.contributions if c.question == "latency"]
    assert contribution.parts == ("web",)


def test_a_question_about_one_part_counts_for_the_whole_system_without_parts():
    latency = question(
        "latency", choice("sensitive", k8s=4), choice("tolerant", sls=1), parts=("web",)
    )
    m = model(web_and_jobs(), latency)

    for parts in ({}, {"parts": NOT_SURE}):
        result = recommend(m, {**parts, "latency": "sensitive"})
        assert placement(result, WHOLE).scores == {K8S: 4.0, SLS: 0.0}


def test_a_question_about_parts_not_picked_is_skipped_and_its_answer_dropped():
    latency = question(
        "latency", choice("sensitive", k8s=4), choice("tolerant", sls=1), parts=("web",)
    )
    m = model(web_and_jobs(), latency)
    answers = {"parts": "jobs,events", "latency": "sensitive"}

    assert slugs(applicable_questions(m, answers)) == ["parts"]
    assert effective_answers(m, answers) == {"parts": "jobs,events"}
    assert "latency" not in recommend(m, answers).answers


def test_the_parts_questions_choice_weights_count_for_their_own_part_only():
    parts = parts_question(choice("web", sls=2), choice("jobs", k8s=3), choice("events"))
    m = model(parts, *pulls(SLS, 1))

    result = recommend(m, {"parts": "web,jobs", "pull-1": "yes"})

    assert placement(result, "web").scores == {K8S: 0.0, SLS: 5.0}
    assert placement(result, "jobs").scores == {K8S: 3.0, SLS: 3.0}
    by_choice = {c.choice: c.parts for c in result.contributions if c.question == "parts"}
    assert by_choice == {"web": ("web",), "jobs": ("jobs",)}


def test_a_multiple_answer_is_normalised_to_content_order():
    m = model(web_and_jobs(), *pulls(SLS, 1))

    assert effective_answers(m, {"parts": "events,web"}) == {"parts": "web,events"}
    assert effective_answers(m, {"parts": "jobs,events,web"}) == {"parts": "web,jobs,events"}
    # Empty pieces between separators are no parts at all.
    assert effective_answers(m, {"parts": "events,,web,"}) == {"parts": "web,events"}
    result = recommend(m, {"parts": "events,jobs"})
    assert result.answers["parts"] == "jobs,events"
    assert [p.part for p in result.placements] == ["jobs", "events"]


@pytest.mark.parametrize(
    "value",
    ["web,lambda", "web,web", "", ",", "Web", "web, jobs", "not-sure,web"],
    ids=[
        "unknown part",
        "duplicate",
        "empty",
        "separator only",
        "wrong case",
        "space",
        "not sure with a part",
    ],
)
def test_an_invalid_multiple_answer_is_dropped(value):
    m = model(web_and_jobs(), *pulls(SLS, 1))

    assert effective_answers(m, {"parts": value, "pull-1": "yes"}) == {"pull-1": "yes"}
    assert [p.part for p in recommend(m, {"parts": value}).placements] == [WHOLE]


def test_not_sure_to_the_parts_question_is_kept_and_describes_the_whole_system():
    m = model(web_and_jobs(), *pulls(SLS, 1))

    assert effective_answers(m, {"parts": NOT_SURE}) == {"parts": NOT_SURE}
    assert [p.part for p in recommend(m, {"parts": NOT_SURE}).placements] == [WHOLE]


def test_an_invalid_single_answer_is_dropped():
    m = model(*pulls(SLS, 2))

    assert effective_answers(m, {"pull-1": "maybe", "pull-2": "yes", "other": "yes"}) == {
        "pull-2": "yes"
    }


def conflicting() -> tuple[list[Question], dict[str, str]]:
    """Evidence for both options: two answers for Kubernetes, two for serverless."""
    k8s, sls = pulls(K8S, 2), pulls(SLS, 2, start=3)
    return [*k8s, *sls], yes_to([*k8s, *sls])


@pytest.mark.parametrize(
    "parts",
    [None, NOT_SURE, "jobs"],
    ids=["no parts question answer", "not sure", "one part"],
)
def test_a_single_part_system_with_conflicting_evidence_is_a_close_call_not_combine(parts):
    qs, answers = conflicting()
    m = model(parts_question(choice("web"), choice("jobs")), *qs)
    if parts is not None:
        answers["parts"] = parts

    result = recommend(m, answers)

    assert len(result.placements) == 1
    assert result.outcome != COMBINE
    assert result.outcome in (K8S, SLS)
    assert result.label == "close call"


def test_a_model_without_a_parts_question_never_combines():
    qs, answers = conflicting()

    result = recommend(model(*qs), answers)

    assert [p.part for p in result.placements] == [WHOLE]
    assert result.outcome != COMBINE


def test_two_parts_on_different_options_combine():
    parts = parts_question(choice("web", sls=3), choice("jobs", k8s=3))
    qs = pulls(K8S, 1) + pulls(SLS, 1, start=2)
    m = model(parts, *qs)

    result = recommend(m, {"parts": "web,jobs", **yes_to(qs)})

    assert placed(result) == {"web": SLS, "jobs": K8S}
    assert result.outcome == COMBINE
    assert result.runner_up is None


def test_two_parts_on_the_same_option_do_not_combine():
    parts = parts_question(choice("web", sls=3), choice("jobs", sls=1))
    qs = pulls(SLS, 2)
    m = model(parts, *qs)

    result = recommend(m, {"parts": "web,jobs", **yes_to(qs)})

    assert placed(result) == {"web": SLS, "jobs": SLS}
    assert result.outcome == SLS


# --- placement and ties --------------------------------------------------------------------


def three(options, default, weights) -> Model:
    """Three options; one question whose `even` answer gives them `weights`."""
    return Model(
        options=options,
        default_option=default,
        questions=(
            Question("q", "q?", (Choice("even", "Even", weights=weights), Choice("none", "None"))),
            *pulls(K8S, 2),  # K8S is not one of the three: these add nothing but evidence
        ),
    )


TIES = {
    "default among the tied": ("mike", {"zulu": 2, "mike": 2, "alpha": 2}, "mike", "alpha"),
    "default listed last": ("zulu", {"zulu": 2, "alpha": 2}, "zulu", "alpha"),
    "default not among the tied": ("mike", {"zulu": 2, "alpha": 2}, "alpha", "zulu"),
    "no default": (None, {"zulu": 2, "mike": 2, "alpha": 2}, "alpha", "mike"),
    "no default, runner-up by score": (None, {"zulu": 2, "alpha": 2, "mike": 1}, "alpha", "zulu"),
}


@pytest.mark.parametrize(("default", "weights", "winner", "runner_up"), TIES.values(), ids=TIES)
def test_an_exact_tie_goes_to_the_default_option_else_the_first_slug(
    default, weights, winner, runner_up
):
    options = ("zulu", "mike", "alpha")
    answers = {"q": "even", "pull-1": "yes", "pull-2": "yes"}

    for order in (options, options[::-1], ("mike", "alpha", "zulu")):
        result = recommend(three(order, default, weights), answers)
        assert (result.outcome, result.runner_up) == (winner, runner_up), order


def test_rounding_does_not_break_a_tie():
    weights = [{K8S: 0.1, SLS: 0.0}, {K8S: 0.2, SLS: 0.0}, {K8S: 0.0, SLS: 0.3}]
    qs = [
        question(f"q{n}", Choice("yes", "Yes", weights=w), choice("no"))
        for n, w in enumerate(weights)
    ]

    for default, expected in ((SLS, SLS), (None, K8S)):
        result = recommend(model(*qs, default=default), yes_to(qs))
        assert result.outcome == expected


def test_a_ruled_out_option_loses_even_with_the_highest_score():
    limit = question("limit", choice("cannot", sls=10, out=[SLS]), choice("can"))
    m = model(limit, *pulls(SLS, 3))

    result = recommend(m, {"limit": "cannot", **yes_to(pulls(SLS, 3))})

    assert result.placements[0].scores[SLS] > result.placements[0].scores[K8S]
    assert result.outcome == K8S


# --- confidence ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("confidence", "label"),
    [
        (1.0, "clear"),
        (CLEAR, "clear"),
        (0.5999, "leaning"),
        (LEANING, "leaning"),
        (0.2999, "close call"),
        (0.0, "close call"),
    ],
)
def test_confidence_labels_follow_the_thresholds(confidence, label):
    assert (CLEAR, LEANING) == (0.6, 0.3)
    assert confidence_label(confidence) == label


def test_confidence_is_the_share_of_evidence_discounted_when_there_is_little():
    qs = [*pulls(K8S, 2), question("against", choice("yes", k8s=-1, sls=1), choice("no"))]
    m = model(*qs)

    result = recommend(m, yes_to(qs))

    # Scores 5 to 1: the gap (4) over all disagreement (3 + 3 + 2 = 8), times 8 / (8 + 4).
    evidence = 8
    expected = (4 / evidence) * evidence / (evidence + EVIDENCE_HALF)
    assert (result.outcome, result.runner_up) == (K8S, SLS)
    assert result.confidence == round(expected, 2) == 0.33
    assert result.label == "leaning"


def test_a_placement_label_agrees_with_the_confidence_it_shows():
    qs = [
        question("q1", Choice("yes", "Yes", weights={K8S: 2.0}), choice("no")),
        question("q2", Choice("yes", "Yes", weights={K8S: 2.0}), choice("no")),
        question("q3", Choice("yes", "Yes", weights={K8S: 1.99}), choice("no")),
    ]

    result = recommend(model(*qs), yes_to(qs))

    # 5.99 / 9.99 = 0.5996: shown as 0.6 (60 %), so it must read "clear" as 60 % does elsewhere.
    (only,) = result.placements
    assert only.confidence == 0.6
    assert only.label == confidence_label(only.confidence) == "clear"
    assert (result.confidence, result.label) == (0.6, "clear")


def test_confidence_is_never_shown_as_one_with_a_runner_up():
    # Forty answers at the content's weight limit: 800 points of evidence, all one way.
    qs = [
        question(f"q{n}", choice("yes", k8s=WEIGHT_LIMIT, sls=-WEIGHT_LIMIT), choice("no"))
        for n in range(40)
    ]

    result = recommend(model(*qs), yes_to(qs), explain=False)

    assert result.runner_up == SLS
    assert result.placements[0].runner_up == SLS
    assert result.placements[0].confidence < 1
    assert result.confidence < 1


def test_a_runner_up_ruled_out_is_none_not_a_hundred_percent():
    m = model(hosting(), *pulls(K8S, 2))

    result = recommend(m, {"hosting": "on-premises"})

    assert result.runner_up is None
    assert result.placements[0].runner_up is None
    assert result.label == "clear"


def test_the_outcomes_confidence_is_the_weakest_placements():
    parts = parts_question(choice("web", k8s=6), choice("jobs", k8s=1), choice("events"))
    qs = [*pulls(K8S, 1), question("cost", choice("yes", sls=2), choice("no"))]
    m = model(parts, *qs)

    result = recommend(m, {"parts": "web,jobs", **yes_to(qs)})

    web, jobs = placement(result, "web"), placement(result, "jobs")
    assert (web.option, jobs.option) == (K8S, K8S)
    assert jobs.confidence < web.confidence
    assert result.outcome == K8S
    assert (result.confidence, result.label) == (jobs.confidence, jobs.label)
    assert result.runner_up == jobs.runner_up == SLS


def test_a_settled_part_is_never_the_weakest():
    parts = parts_question(choice("web"), choice("jobs", out=[SLS]))
    qs = [*pulls(K8S, 1), question("cost", choice("yes", k8s=1, sls=2), choice("no"))]
    m = model(parts, *qs)

    result = recommend(m, {"parts": "web,jobs", **yes_to(qs)})

    web, jobs = placement(result, "web"), placement(result, "jobs")
    assert (web.option, jobs.option, jobs.runner_up) == (K8S, K8S, None)
    assert result.outcome == K8S
    assert result.runner_up == SLS
    assert result.confidence == web.confidence < 1


def test_a_combine_takes_the_weakest_placements_confidence():
    parts = parts_question(choice("web", sls=6), choice("jobs", k8s=2), choice("events"))
    qs = [*pulls(K8S, 1), question("cost", choice("yes", sls=2), choice("no"))]
    m = model(parts, *qs)

    result = recommend(m, {"parts": "web,jobs", **yes_to(qs)})

    assert result.outcome == COMBINE
    assert result.confidence == min(p.confidence for p in result.placements)


# --- why it matters to you -----------------------------------------------------------------

WINNERS = {"stateful": K8S, "cost": SLS, "portability": TIE}


def state_question() -> Question:
    return question(
        "state",
        choice("stateless", sls=1, dimensions=("stateful",)),
        choice("stateful", k8s=4, sls=-2, dimensions=("stateful", "portability")),
        choice("either", k8s=2, sls=2, dimensions=("stateful", "cost")),
    )


def test_an_answer_favouring_the_other_option_does_not_point_at_the_dimension():
    qs = pulls(SLS, 2)
    m = model(state_question(), *qs, winners=WINNERS)

    result = recommend(m, {"state": "stateless", **yes_to(qs)})

    assert result.dimensions == ()
    assert result.pointers == ()


def test_an_answer_favouring_the_winner_points_at_the_dimension():
    qs = pulls(SLS, 2)
    m = model(state_question(), *qs, winners=WINNERS)

    result = recommend(m, {"state": "stateful", **yes_to(qs)})

    # Named whatever the outcome: the answer points at Kubernetes's strength.
    assert result.dimensions == ("stateful",)
    assert result.pointers == (Pointer("stateful", K8S, "state", "stateful"),)


def test_tied_weights_or_a_tied_dimension_never_point():
    qs = pulls(SLS, 2)
    m = model(state_question(), *qs, winners=WINNERS)

    # "either" weighs both options alike; "portability" (named by "stateful") is a tie.
    assert recommend(m, {"state": "either", **yes_to(qs)}).dimensions == ()
    assert "portability" not in recommend(m, {"state": "stateful"}).dimensions


def test_a_negative_weight_alone_favours_the_other_option():
    # Weights {kubernetes: -2} add -2 to Kubernetes and nothing to serverless: they favour
    # serverless, the winner of "cost".
    lone = question(
        "budget", Choice("tight", "Tight", weights={K8S: -2.0}, dimensions=("cost",)), choice("no")
    )
    m = model(lone, winners=WINNERS)

    result = recommend(m, {"budget": "tight"})

    assert result.dimensions == ("cost",)
    assert result.pointers == (Pointer("cost", SLS, "budget", "tight"),)


# --- criteria ------------------------------------------------------------------------------


def criteria_model() -> Model:
    return model(
        web_and_jobs(),
        question(
            "workload",
            choice("always-on", k8s=3, criteria=("k8s-stateful",)),
            choice("event-driven", sls=2, criteria=("sls-events",)),
        ),
        question(
            "state",
            choice("stateless", sls=1),
            choice("stateful", k8s=4, criteria=("k8s-stateful",)),
        ),
        question("hint", choice("show", k8s=1), choice("hide")),
        question(
            "storage",
            choice("volumes", k8s=1, criteria=("k8s-stateful",)),
            choice("none"),
            show_if=("hint", "show"),
        ),
    )


@pytest.mark.parametrize(
    ("state", "matched"),
    [("stateful", True), ("stateless", False), (NOT_SURE, True), (None, True)],
    ids=["supports", "contradicts", "not sure", "unanswered"],
)
def test_a_criterion_matches_only_when_no_answer_speaking_to_it_contradicts_it(state, matched):
    answers = {"workload": "always-on", "hint": "hide"}
    if state is not None:
        answers["state"] = state

    result = recommend(criteria_model(), answers)

    assert ("k8s-stateful" in result.criteria) is matched


def test_a_question_that_does_not_apply_never_contradicts_a_criterion():
    # "storage" is shown only after hint=show: its stale answer speaks to the criterion, but
    # it is not an answer to an applicable question.
    answers = {"workload": "always-on", "hint": "hide", "storage": "none"}

    assert "k8s-stateful" in recommend(criteria_model(), answers).criteria
    answers["hint"] = "show"
    assert "k8s-stateful" not in recommend(criteria_model(), answers).criteria


def test_criteria_come_in_answer_order_without_duplicates():
    answers = {"workload": "always-on", "state": "stateful", "hint": "show", "storage": "volumes"}

    assert recommend(criteria_model(), answers).criteria == ("k8s-stateful",)


def test_a_criterion_needs_an_answer_that_links_it():
    answers = {"workload": "event-driven", "state": "stateless"}

    assert recommend(criteria_model(), answers).criteria == ("sls-events",)


def test_picking_parts_never_contradicts_a_criterion_one_of_them_links():
    parts = parts_question(
        choice("web", sls=1, criteria=("sls-events",)),
        choice("events", sls=1, criteria=("sls-events",)),
        choice("jobs"),
    )
    m = model(parts, *pulls(SLS, 1))

    result = recommend(m, {"parts": "events,jobs", "pull-1": "yes"})

    assert result.criteria == ("sls-events",)


# --- caveats -------------------------------------------------------------------------------

LONG_JOBS = Caveat(
    SLS,
    "Serverless containers and jobs",
    "Functions stop at 15 minutes.",
    ("https://example.com/limits",),
    "2026-11",
)


def caveat_model() -> Model:
    return model(
        parts_question(
            choice("web", sls=3),
            choice("jobs", k8s=3),
            choice("streams", sls=3, caveats=(replace(LONG_JOBS, text="Connections end."),)),
        ),
        question(
            "duration",
            choice("over-15-minutes", k8s=1, caveats=(LONG_JOBS,)),
            choice("seconds", sls=1),
        ),
        question("memory", choice("large", caveats=(LONG_JOBS,)), choice("small")),
        *pulls(SLS, 1),
    )


def test_a_caveat_appears_for_the_parts_placed_on_its_option_it_counted_for():
    answers = {"parts": "web,jobs", "duration": "over-15-minutes", "pull-1": "yes"}

    result = recommend(caveat_model(), answers)

    assert placed(result) == {"web": SLS, "jobs": K8S}
    (note,) = result.caveats
    assert (note.question, note.choice, note.option) == ("duration", "over-15-minutes", SLS)
    assert (note.form, note.text) == (LONG_JOBS.form, LONG_JOBS.text)
    assert (note.sources, note.as_of) == (LONG_JOBS.sources, LONG_JOBS.as_of)
    assert note.parts == ("web",)


def test_a_caveat_never_appears_when_no_part_it_counted_for_lands_on_its_option():
    answers = {"parts": "jobs", "duration": "over-15-minutes", "pull-1": "no"}

    result = recommend(caveat_model(), answers)

    assert placed(result) == {"jobs": K8S}
    assert result.caveats == ()


def test_a_caveat_on_a_part_counts_for_that_part_only():
    answers = {"parts": "web,streams", "duration": "seconds", "pull-1": "yes"}

    result = recommend(caveat_model(), answers)

    assert placed(result) == {"web": SLS, "streams": SLS}
    assert [(n.text, n.parts) for n in result.caveats] == [("Connections end.", ("streams",))]


@pytest.mark.parametrize(("about", "expected"), [(("web",), []), ((), [("jobs",)])])
def test_a_caveat_on_a_question_about_some_parts_never_reaches_the_others(about, expected):
    nodes = Caveat(K8S, "Node pools", "Size the nodes for it.")
    m = model(
        parts_question(choice("web", sls=3), choice("jobs", k8s=5)),
        question("memory", choice("large", caveats=(nodes,)), choice("small"), parts=about),
        *pulls(SLS, 1),
    )

    result = recommend(m, {"parts": "web,jobs", "memory": "large", "pull-1": "yes"})

    assert placed(result) == {"web": SLS, "jobs": K8S}
    assert [note.parts for note in result.caveats] == expected


def test_the_same_caveat_from_two_answers_is_listed_once_with_all_its_parts():
    answers = {"parts": "web,events", "duration": "over-15-minutes", "memory": "large"}
    m = replace(
        caveat_model(),
        questions=(
            parts_question(choice("web", sls=3), choice("events", sls=3)),
            *caveat_model().questions[1:],
        ),
    )

    result = recommend(m, answers)

    assert placed(result) == {"web": SLS, "events": SLS}
    (note,) = result.caveats
    assert (note.question, note.choice) == ("duration", "over-15-minutes")
    assert note.parts == ("web", "events")


# --- what would change it ------------------------------------------------------------------


def test_alternatives_are_every_other_choice_and_not_sure():
    q = question("q", choice("a"), choice("b"), choice("c"))

    assert alternatives(q, "b") == ["a", "c", NOT_SURE]
    assert alternatives(q, None) == ["a", "b", "c", NOT_SURE]
    assert alternatives(q, NOT_SURE) == ["a", "b", "c"]


def test_alternatives_of_the_parts_question_add_or_remove_one_part():
    q = web_and_jobs()

    assert alternatives(q, "web,events") == ["events", "web,jobs,events", "web", NOT_SURE]
    assert alternatives(q, "jobs") == ["web,jobs", NOT_SURE, "jobs,events"]
    assert alternatives(q, None) == ["web", "jobs", "events"]
    assert alternatives(q, NOT_SURE) == ["web", "jobs", "events"]


def scale_model() -> Model:
    """One question on a scale; the current answer sits at one end."""
    return model(
        question(
            "duration",
            choice("seconds", sls=4),
            choice("minutes", k8s=1),  # one step, small change: keeps serverless
            choice("quarter-hour", k8s=5),  # two steps, still short of serverless
            choice("hours", k8s=9),  # three steps, larger change
            choice("forever", k8s=5, out=[SLS]),  # four steps
        ),
        *pulls(SLS, 2),
    )


def test_flips_are_exactly_the_single_changes_that_change_the_outcome_nearest_first():
    answers = {"duration": "seconds", "pull-1": "yes", "pull-2": "yes"}

    result = recommend(scale_model(), answers)

    assert result.outcome == SLS
    # One step (1.03: a weight of 3 goes), one step (1.04: a weight of 4 goes), three steps,
    # four steps.
    assert [(f.question, f.to_choice, f.outcome) for f in result.flips] == [
        ("pull-1", "no", NOT_ENOUGH),
        ("pull-1", NOT_SURE, NOT_ENOUGH),
        ("pull-2", "no", NOT_ENOUGH),
        ("pull-2", NOT_SURE, NOT_ENOUGH),
        ("duration", NOT_SURE, NOT_ENOUGH),
        ("duration", "hours", K8S),
        ("duration", "forever", K8S),
    ]
    assert all(f.from_choice == answers[f.question] for f in result.flips)
    distances = [f.distance for f in result.flips]
    assert distances == sorted(distances)


def test_among_equal_steps_the_smaller_change_in_weights_comes_first():
    m = model(
        question(
            "traffic",
            choice("spiky", k8s=1, sls=-1),
            choice("steady", sls=9),  # one step, change 1 + 10 = 11
            choice("low", sls=6),  # two steps
        ),
        question(
            "team",
            choice("platform", k8s=1),
            choice("developers", sls=6),  # one step, change 1 + 6 = 7
        ),
        *pulls(K8S, 1),
    )

    result = recommend(m, {"traffic": "spiky", "team": "platform", "pull-1": "yes"})

    assert result.outcome == K8S
    ordered = [(f.question, f.to_choice) for f in result.flips if f.outcome == SLS]
    assert ordered == [("team", "developers"), ("traffic", "steady"), ("traffic", "low")]


def test_a_flip_that_adds_a_part_names_the_placements_it_moves():
    parts = parts_question(choice("web", k8s=1), choice("events", sls=9), choice("jobs"))
    qs = pulls(K8S, 2)
    m = model(parts, *qs)

    result = recommend(m, {"parts": "web", **yes_to(qs)})

    assert result.outcome == K8S
    (flip,) = [f for f in result.flips if f.to_choice == "web,events"]
    assert flip.outcome == COMBINE
    assert flip.moves == (("events", SLS),)
    assert flip.from_choice == "web"


def test_flips_from_an_unanswered_question_start_from_not_sure():
    m = scale_model()

    result = recommend(m, {"pull-1": "yes", "pull-2": "yes"})

    assert result.outcome == NOT_ENOUGH
    changes = {(f.question, f.from_choice, f.to_choice) for f in result.flips}
    assert ("duration", NOT_SURE, "seconds") in changes
    assert ("duration", NOT_SURE, "forever") in changes


def test_solid_evidence_that_no_single_answer_moves_has_no_flips():
    qs = pulls(K8S, 5)

    result = recommend(model(*qs), yes_to(qs))

    assert result.outcome == K8S
    assert result.flips == ()


def test_undoing_a_knock_out_can_leave_too_little_to_go_on():
    m = model(hosting(), *pulls(K8S, 1))

    result = recommend(m, {"hosting": "on-premises"})

    assert result.outcome == K8S
    assert {(f.to_choice, f.outcome) for f in result.flips} == {
        ("public-cloud", NOT_ENOUGH),
        (NOT_SURE, NOT_ENOUGH),
    }


# --- how many questions are left -----------------------------------------------------------


def test_possible_questions_count_a_conditional_question_until_it_is_ruled_out():
    m = model(
        question("hint", choice("show"), choice("hide")),
        question("detail", choice("a"), choice("b"), show_if=("hint", "show")),
        *pulls(K8S, 1),
    )

    assert slugs(possible_questions(m, {})) == ["hint", "detail", "pull-1"]
    assert slugs(applicable_questions(m, {})) == ["hint", "pull-1"]
    assert slugs(possible_questions(m, {"hint": "show"})) == ["hint", "detail", "pull-1"]
    assert slugs(possible_questions(m, {"hint": "hide"})) == ["hint", "pull-1"]
    assert slugs(possible_questions(m, {"hint": NOT_SURE})) == ["hint", "pull-1"]


def test_possible_questions_count_the_parts_questions_until_the_parts_are_picked():
    jobs_only = question("jobs-duration", choice("hours"), choice("minutes"), parts=("jobs",))
    m = model(web_and_jobs(), jobs_only, *pulls(K8S, 1))

    assert slugs(possible_questions(m, {})) == ["parts", "jobs-duration", "pull-1"]
    assert slugs(possible_questions(m, {"parts": "web"})) == ["parts", "pull-1"]
    assert slugs(possible_questions(m, {"parts": "web,jobs"})) == [
        "parts",
        "jobs-duration",
        "pull-1",
    ]
