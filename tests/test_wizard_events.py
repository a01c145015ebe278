"""Which events a wizard step counts (`decision.wizard_events`): bare asserts, no database.

The comparison is the factory's parts comparison parsed by the content schema and turned into
the engine's model, as the site does it: `where`, `parts` (the multiple question), `traffic`,
`hours` (only after `traffic=steady`), `job-length` (about `jobs` alone) and `team`.
"""

from __future__ import annotations

import pytest

from decision import wizard_events as events
from decision.content.engine_data import engine_model
from decision.content.files import parse_text
from decision.models import DailyCount
from decision.vocabulary import NOT_SURE
from tests.factories import parts_comparison_data, to_yaml

MODEL = engine_model(parse_text(to_yaml(parts_comparison_data()), file="parts-demo.yaml"))
Q = MODEL.question


def test_every_event_name_is_one_the_model_stores():
    names = [events.START, events.SHOWN, events.ANSWERED, events.CHOICE, events.REVIEW]
    names += [events.RESULT, events.OUTCOME, events.VOTE, events.LEAD]
    assert set(names) == set(DailyCount.Event.values)
    assert len(set(names)) == len(names)


def test_a_start_shows_the_first_question():
    assert events.start_events(Q("where")) == [("start", ""), ("shown", "where")]


# --- is_first_answer -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, answers",
    [
        ("where", {}),
        ("parts", {"where": "any-cloud"}),
        ("traffic", {"where": "any-cloud", "parts": "web"}),
        # Its own earlier value is not a later answer (the submitted question's is never kept).
        ("traffic", {"where": "any-cloud", "parts": "web", "traffic": "spiky"}),
        ("team", {"where": "any-cloud", "parts": "web", "traffic": "spiky"}),
    ],
)
def test_an_answer_with_nothing_after_it_answered_is_a_first_answer(question, answers):
    assert events.is_first_answer(MODEL, answers, Q(question), back_to_review=False)


@pytest.mark.parametrize(
    "question, answers",
    [
        ("where", {"parts": "web"}),
        ("where", {"team": "ops"}),
        ("parts", {"where": "any-cloud", "traffic": "steady", "hours": "office"}),
        # A follow-up answered after it counts as later, whether or not it applies now.
        ("traffic", {"where": "any-cloud", "parts": "web", "hours": "office"}),
    ],
)
def test_an_answer_with_a_later_question_answered_is_a_change(question, answers):
    assert not events.is_first_answer(MODEL, answers, Q(question), back_to_review=False)


@pytest.mark.parametrize("question", ["where", "traffic", "team"])
def test_an_answer_from_the_review_page_is_never_a_first_answer(question):
    assert not events.is_first_answer(MODEL, {}, Q(question), back_to_review=True)
    answers = {"where": "any-cloud", "parts": "web"}
    assert not events.is_first_answer(MODEL, answers, Q(question), back_to_review=True)


# --- answer_events -------------------------------------------------------------------------


def test_a_single_answer_counts_the_question_its_choice_and_the_next_question():
    assert events.answer_events(Q("traffic"), "steady", Q("hours")) == [
        ("answered", "traffic"),
        ("choice", "traffic/steady"),
        ("shown", "hours"),
    ]


def test_each_part_of_a_multiple_answer_is_a_choice_of_its_own():
    assert events.answer_events(Q("parts"), "web,jobs,store", Q("traffic")) == [
        ("answered", "parts"),
        ("choice", "parts/web"),
        ("choice", "parts/jobs"),
        ("choice", "parts/store"),
        ("shown", "traffic"),
    ]


@pytest.mark.parametrize("question", ["where", "parts"])
def test_not_sure_is_counted_as_a_choice_of_its_own(question):
    assert events.answer_events(Q(question), NOT_SURE, Q("team")) == [
        ("answered", question),
        ("choice", f"{question}/{NOT_SURE}"),
        ("shown", "team"),
    ]


def test_no_upcoming_question_means_the_review_page_was_reached():
    assert events.answer_events(Q("team"), "ops", None) == [
        ("answered", "team"),
        ("choice", "team/ops"),
        ("review", ""),
    ]


def test_a_result_counts_itself_and_its_outcome():
    assert events.result_events("option-1") == [("result", ""), ("outcome", "option-1")]


def test_a_choice_subject_names_the_question_and_the_choice():
    assert events.choice_subject("parts", "web") == "parts/web"
