"""check_content runs the content's own scenarios; recommend prints the engine's answer."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from decision.models import Choice, ChoiceWeight, Scenario
from tests.factories import comparison_data, load_data, load_flagship, sourced, with_parts

pytestmark = pytest.mark.django_db


def run(name, *args) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_check_content_passes_on_the_flagship():
    comparison = load_flagship()
    count = comparison.scenarios.count()
    assert count >= 12
    sources = [
        f"  scenario '{s.slug}' ({s.name}): {s.source}\n"
        for s in comparison.scenarios.all()
        if s.source
    ]
    assert run("check_content") == (
        f"kubernetes-vs-serverless: content valid, {count} scenarios pass\n" + "".join(sources)
    )


def _sourced_demo() -> dict:
    data = sourced(with_parts(comparison_data()))
    data["scenarios"] = [
        {
            "slug": "api-team",
            "name": "A team with an API",
            "source": "https://example.com/case-study",
            "answers": {"parts": "web-api"},
            "outcome": "not-enough",
        },
        {"slug": "unsure", "name": "Nobody knows", "answers": {}, "outcome": "not-enough"},
    ]
    return data


def test_check_content_passes_on_sourced_content_and_names_each_scenarios_source():
    load_data(_sourced_demo())
    assert run("check_content") == (
        "demo: content valid, 2 scenarios pass\n"
        "  scenario 'api-team' (A team with an API): https://example.com/case-study\n"
    )


def test_check_content_fails_on_a_figure_without_a_source_or_a_month():
    load_data(_sourced_demo())
    # As an admin edit leaving the month out would store it.
    Choice.objects.filter(question__slug="question-1", slug="must-avoid").update(
        why="Its jobs run over 15 minutes.", as_of=""
    )
    Choice.objects.filter(question__slug="parts", slug="events").update(
        label="Events, up to 5,000 a second", sources=""
    )

    with pytest.raises(CommandError) as caught:
        run("check_content")

    assert str(caught.value).splitlines() == [
        "2 problems:",
        "demo: questions[0].choices[1]: answer “Events, up to 5,000 a second” states “5,000” "
        "but lacks a source",
        "demo: questions[1].choices[2]: answer “We cannot use option-2” states “15” but lacks "
        "an as_of month",
    ]


def test_check_content_names_the_scenario_a_weight_change_flips():
    comparison = load_flagship()
    scenario = comparison.scenarios.filter(outcome="serverless").first()
    # Make every answer of this scenario push hard toward Kubernetes instead.
    for question, choice in scenario.answers.items():
        weight = ChoiceWeight.objects.filter(
            choice__question__comparison=comparison,
            choice__question__slug=question,
            choice__slug=choice,
            option__slug="kubernetes",
        ).first()
        if weight:
            weight.weight = 10
            weight.save()

    with pytest.raises(CommandError) as caught:
        run("check_content")
    message = str(caught.value)
    assert f"scenario '{scenario.slug}' ({scenario.name}): expected Serverless" in message
    assert "now gives Kubernetes" in message or "now gives Combine" in message


def test_check_content_reports_a_scenario_with_a_stale_answer():
    comparison = load_flagship()
    Scenario.objects.create(
        comparison=comparison, slug="stale", name="Stale", answers={"gone": "x"}, outcome="combine"
    )
    with pytest.raises(CommandError, match=r"scenarios\[\d+\]\.answers\.gone: 'gone' is not a"):
        run("check_content")


def test_check_content_of_an_unknown_slug_fails():
    with pytest.raises(CommandError, match="nope: no such comparison"):
        run("check_content", "nope")


def test_recommend_prints_the_engine_result_as_json():
    comparison = load_flagship()
    scenario = comparison.scenarios.get(slug=comparison.scenarios.first().slug)
    pairs = [f"{q}={c}" for q, c in scenario.answers.items()]
    data = json.loads(run("recommend", "kubernetes-vs-serverless", *pairs))
    assert data["outcome"] == scenario.outcome
    assert 0 <= data["confidence"] <= 1
    assert data["label"] in {"clear", "leaning", "close call"}
    assert set(data["scores"]) == {"kubernetes", "serverless"}
    assert data["answers"] == scenario.answers
    assert isinstance(data["flips"], list)


@pytest.mark.parametrize(
    "args, message",
    [
        (["nope"], "No comparison with slug 'nope'"),
        (["kubernetes-vs-serverless", "state"], "'state' is not QUESTION=CHOICE"),
        (["kubernetes-vs-serverless", "colour=blue"], "not one of our questions"),
    ],
)
def test_recommend_rejects_bad_input(args, message):
    load_flagship()
    with pytest.raises(CommandError, match=message):
        run("recommend", *args)
