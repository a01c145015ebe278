"""check_content runs the content's own scenarios; recommend prints the engine's answer."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from decision.models import ChoiceWeight, Scenario
from tests.factories import load_flagship

pytestmark = pytest.mark.django_db


def run(name, *args) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_check_content_passes_on_the_flagship():
    comparison = load_flagship()
    count = comparison.scenarios.count()
    assert count >= 12
    assert (
        run("check_content") == f"kubernetes-vs-serverless: content valid, {count} scenarios pass\n"
    )


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
