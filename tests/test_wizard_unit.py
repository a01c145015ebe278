"""The wizard's pure parts: URL state (`decision.wizard`), the step form and the step presenter.

Bare asserts, no database: the comparison is a factory fixture parsed by the content schema
and turned into the engine's model, exactly as the site does it.
"""

from __future__ import annotations

from itertools import pairwise
from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from decision import wizard as steps
from decision.content.engine_data import engine_model
from decision.content.files import parse_text
from decision.forms import StepForm
from decision.step_presenter import WizardUrls, answer_label, present_step
from decision.vocabulary import NOT_SURE, NOT_SURE_LABEL
from tests.factories import parts_comparison_data, to_yaml

CONTENT = parse_text(to_yaml(parts_comparison_data()), file="parts-demo.yaml")
MODEL = engine_model(CONTENT)
URLS = WizardUrls(
    wizard="/parts-demo/wizard/",
    review="/parts-demo/wizard/review/",
    finish="/parts-demo/wizard/finish/",
    comparison="/parts-demo/",
)
OPTIONS = {option.slug: option.name for option in CONTENT.options}
PARTS = {choice.slug: choice.label for choice in MODEL.question("parts").choices}


def parse(query: str, **kwargs) -> steps.WizardState:
    return steps.parse(MODEL, parse_qsl(query, keep_blank_values=True), **kwargs)


# --- parse ---------------------------------------------------------------------------------


def test_parts_arrive_as_repeated_keys_or_one_joined_value_and_are_stored_in_content_order():
    repeated = parse("where=any-cloud&parts=store&parts=web")
    joined = parse("where=any-cloud&parts=store,web")
    mixed = parse("parts=store&where=any-cloud&parts=web,store")
    for state in (repeated, joined, mixed):
        assert state.answers == {"where": "any-cloud", "parts": "web,store"}
        assert state.notices == []


@pytest.mark.parametrize(
    "query, notice",
    [
        ("parts=web&parts=not-sure", "because it was both “Not sure” and some parts"),
        ("parts=web&parts=teleport", "that is not one of its choices"),
        ("parts=", "that is not one of its choices"),
        ("where=any-cloud&where=own-servers", "because there were several"),
        ("where=web", "that is not one of its choices"),
    ],
)
def test_an_unusable_answer_is_dropped_with_a_notice_naming_its_question(query, notice):
    state = parse(query)
    key = query.split("=")[0]
    assert key not in state.answers
    [message] = state.notices
    assert notice in message
    assert MODEL.question(key).prompt in message


def test_not_sure_alone_is_a_parts_answer():
    assert parse("where=any-cloud&parts=not-sure").answers["parts"] == NOT_SURE


def test_step_from_and_return_are_read():
    state = parse("where=any-cloud&step=parts&return=review")
    assert (state.step, state.submitted, state.back_to_review) == ("parts", None, True)
    assert parse("where=any-cloud&step=parts&return=elsewhere").back_to_review is False


def test_the_submitted_answer_is_left_to_the_form_and_its_follow_ups_are_kept():
    # Changing `traffic` while `hours` (its follow-up) travels with the form: keep it for now.
    state = parse("where=any-cloud&parts=web&traffic=teleport&hours=all-day&from=traffic")
    assert state.submitted == "traffic"
    assert state.notices == []  # the form, not a notice, says what is wrong with `teleport`
    assert state.answers == {"where": "any-cloud", "parts": "web", "hours": "all-day"}
    # Answered so that the follow-up no longer applies, it goes without a word.
    answers = steps.with_answer(MODEL, state.answers, "traffic", "spiky")
    assert answers == {"where": "any-cloud", "parts": "web", "traffic": "spiky"}


def test_without_submission_from_is_ignored():
    state = parse("where=any-cloud&from=where", submission=False)
    assert state.submitted is None
    assert state.answers == {"where": "any-cloud"}


def test_answers_to_skipped_questions_are_dropped():
    # Option 2 is ruled out for everything: nothing after `where` can change anything.
    state = parse("where=own-servers&parts=web&traffic=steady&step=traffic")
    assert state.answers == {"where": "own-servers"}
    assert state.step is None
    assert len(state.notices) == 3


# --- moving between steps ------------------------------------------------------------------


def test_next_and_previous_follow_the_questions_that_apply():
    answers = {"where": "any-cloud", "parts": "web,jobs", "traffic": "spiky"}
    assert steps.next_question(MODEL, answers, "traffic").slug == "job-length"
    assert steps.previous_question(MODEL, answers, "job-length").slug == "traffic"
    steady = {**answers, "traffic": "steady"}
    assert steps.next_question(MODEL, steady, "traffic").slug == "hours"
    assert steps.previous_question(MODEL, answers, "where") is None
    assert steps.previous_question(MODEL, answers, None).slug == "team"  # the last


def test_a_knock_out_skips_the_questions_it_settles():
    answers = {"where": "own-servers"}
    assert steps.next_question(MODEL, answers, "where") is None
    assert steps.following(MODEL, answers, "where") is None  # the review page


def test_from_the_review_page_an_answer_goes_back_there_unless_it_opened_a_question():
    done = {"where": "any-cloud", "parts": "web", "traffic": "spiky", "team": "ops"}
    assert steps.following(MODEL, done, "parts", back_to_review=True) is None
    assert steps.following(MODEL, done, "parts").slug == "traffic"  # walking forward
    opened = steps.with_answer(MODEL, done, "traffic", "steady")
    assert steps.following(MODEL, opened, "traffic", back_to_review=True).slug == "hours"
    more_parts = steps.with_answer(MODEL, done, "parts", "web,jobs")
    assert steps.following(MODEL, more_parts, "parts", back_to_review=True).slug == "job-length"


def test_current_question_is_the_step_asked_for_or_the_first_unanswered():
    answers = {"where": "any-cloud", "parts": "web"}
    assert steps.current_question(MODEL, answers, "where").slug == "where"
    assert steps.current_question(MODEL, answers, None).slug == "traffic"
    assert steps.current_question(MODEL, answers, "job-length") is None  # not about web


# --- the query string ----------------------------------------------------------------------


def test_query_is_canonical_with_the_parts_as_repeated_keys():
    answers = {"parts": "web,store", "where": "any-cloud"}
    assert (
        steps.query(MODEL, answers, "traffic", back_to_review=True)
        == "where=any-cloud&parts=web&parts=store&step=traffic&return=review"
    )
    assert steps.url(URLS.wizard, MODEL, {}) == URLS.wizard
    assert steps.url(URLS.review, MODEL, {"parts": NOT_SURE}) == URLS.review + "?parts=not-sure"


def _answer(question, draw) -> str:
    if question.multiple:
        picked = draw(st.sets(st.sampled_from([c.slug for c in question.choices])))
        return ",".join(c.slug for c in question.choices if c.slug in picked) or NOT_SURE
    return draw(st.sampled_from([*(c.slug for c in question.choices), NOT_SURE]))


@st.composite
def forward_walks(draw) -> list[dict[str, str]]:
    """The answers at each step of a visitor walking forward to the review page."""
    answers: dict[str, str] = {}
    walk = [dict(answers)]
    while (question := steps.current_question(MODEL, answers, None)) is not None:
        answers = steps.with_answer(MODEL, answers, question.slug, _answer(question, draw))
        walk.append(dict(answers))
    return walk


@settings(max_examples=200, deadline=None)
@given(forward_walks(), st.booleans(), st.booleans())
def test_query_and_parse_round_trip(walk, with_step, back_to_review):
    answers = walk[-1]
    step = next(iter(answers)) if with_step else None
    state = parse(steps.query(MODEL, answers, step, back_to_review=back_to_review))
    assert state.answers == answers
    assert (state.step, state.back_to_review, state.notices) == (step, back_to_review, [])


# --- progress ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(forward_walks())
def test_progress_only_moves_forward_and_never_passes_its_maximum(walk):
    seen = []
    for answers in walk:
        question = steps.current_question(MODEL, answers, None)
        progress = steps.progress(MODEL, answers, question.slug if question else None)
        assert 0 <= progress.done <= progress.total
        seen.append(progress)
    for before, after in pairwise(seen):
        assert after.done == before.done + 1
        assert after.total <= before.total  # "about N to go" never grows
        assert after.done * before.total >= before.done * after.total  # the bar never shrinks
    assert seen[-1].done == seen[-1].total  # the review page is complete


def test_progress_counts_questions_that_could_still_apply():
    first = steps.progress(MODEL, {}, "where")
    assert (first.position, first.to_go) == (1, len(MODEL.questions) - 1)
    # Only web: the question about jobs can no longer apply; the follow-up still might.
    later = steps.progress(MODEL, {"where": "any-cloud", "parts": "web"}, "traffic")
    assert (later.position, later.to_go) == (3, 2)


# --- the step form -------------------------------------------------------------------------


def test_the_parts_form_has_checkboxes_and_joins_the_parts_in_content_order():
    question = MODEL.question("parts")
    form = StepForm(question, {"parts": ["store", "web"]})
    assert form.is_valid()
    assert form.answer == "web,store"
    assert [option.data["type"] for option in form.field] == ["checkbox"] * 4
    assert StepForm(question, {"parts": ["not-sure"]}).is_valid()
    joined = StepForm(question, {"parts": ["jobs,web"]})
    assert joined.is_valid() and joined.answer == "web,jobs"


def test_not_sure_cannot_be_ticked_with_a_part():
    form = StepForm(MODEL.question("parts"), {"parts": ["web", NOT_SURE]})
    assert not form.is_valid()
    assert form.errors["parts"] == [
        "Tick the parts your system has, or “Not sure” on its own, not both."
    ]


@pytest.mark.parametrize(
    "slug, data, message",
    [
        ("parts", {}, "Tick each part your system has, or “Not sure”."),
        ("parts", {"parts": ["teleport"]}, "That part is not one of the choices"),
        ("where", {}, "Choose one of the answers to continue, or “Not sure”."),
        ("where", {"where": "web"}, "That answer is not one of the choices; pick one of these."),
    ],
)
def test_the_form_says_what_is_wrong_without_echoing_it(slug, data, message):
    form = StepForm(MODEL.question(slug), data)
    assert not form.is_valid()
    assert form.errors[slug][0].startswith(message)
    assert "teleport" not in str(form.errors)


def test_a_step_form_shows_the_answer_given():
    parts = StepForm(MODEL.question("parts"), answer="web,store")
    assert [o.data["value"] for o in parts.field if o.data["selected"]] == ["web", "store"]
    where = StepForm(MODEL.question("where"), answer="own-servers")
    assert [o.data["type"] for o in where.field] == ["radio"] * 3
    assert [o.data["value"] for o in where.field if o.data["selected"]] == ["own-servers"]


# --- the step presenter --------------------------------------------------------------------


def test_a_knock_out_for_the_whole_system_is_said_on_the_next_page():
    answers = {"where": "own-servers"}
    review = present_step(CONTENT, MODEL, answers, None, urls=URLS)
    reason = MODEL.question("where").choice("own-servers").rules_out[0].reason
    assert review.knockouts == (f"{OPTIONS['option-2']} is ruled out: {reason}",)
    assert review.knockouts[0] in review.status
    assert [row.question for row in review.review] == ["where"]  # the rest was skipped


def test_a_knock_out_for_some_parts_names_them_and_is_said_once():
    answers = {"where": "any-cloud", "parts": "web,store"}
    step = present_step(CONTENT, MODEL, answers, MODEL.question("traffic"), urls=URLS)
    reason = MODEL.question("parts").choice("store").rules_out[0].reason
    assert step.knockouts == (
        f"{OPTIONS['option-2']} is ruled out for “{PARTS['store']}”: {reason}",
    )
    after = present_step(
        CONTENT, MODEL, {**answers, "traffic": "spiky"}, MODEL.question("team"), urls=URLS
    )
    assert after.knockouts == ()  # already said; the next answer ruled nothing out


def test_a_step_has_its_own_title_and_progress_words():
    step = present_step(CONTENT, MODEL, {}, MODEL.question("where"), urls=URLS)
    assert step.title == f"Where must it run? — {CONTENT.title} wizard — Decision Wizard"
    assert step.progress_label == f"Question 1 · about {len(MODEL.questions) - 1} to go"
    assert step.back_url == URLS.comparison and step.back_label == "Back to the comparison"
    error = present_step(CONTENT, MODEL, {}, MODEL.question("where"), urls=URLS, has_error=True)
    assert error.title.startswith("Error: Where must it run?")
    parts = present_step(CONTENT, MODEL, {"where": "any-cloud"}, MODEL.question("parts"), urls=URLS)
    assert parts.hint and parts.method == "get"


def test_the_review_page_links_each_answer_to_its_step_and_back():
    answers = {"where": "any-cloud", "parts": "web,store", "traffic": "spiky", "team": "ops"}
    review = present_step(CONTENT, MODEL, answers, None, urls=URLS)
    assert review.title.startswith("Check your answers — ")
    assert (review.method, review.action) == ("post", URLS.finish)
    assert [row.question for row in review.review] == list(answers)
    parts_row = review.review[1]
    assert parts_row.answer == f"{PARTS['web']}; {PARTS['store']}"
    assert parts_row.change_url == steps.url(
        URLS.wizard, MODEL, answers, "parts", back_to_review=True
    )
    assert dict(review.hidden) == {**answers, "parts": "store"}  # repeated keys: last one wins
    assert review.hidden.count(("parts", "web")) == 1

    change = present_step(
        CONTENT, MODEL, answers, MODEL.question("parts"), urls=URLS, back_to_review=True
    )
    assert ("return", "review") in change.hidden
    assert change.back_url == steps.url(URLS.review, MODEL, answers)


def test_answer_labels():
    assert answer_label(MODEL.question("parts"), NOT_SURE) == NOT_SURE_LABEL
    assert answer_label(MODEL.question("where"), "any-cloud") == "In a public cloud"
