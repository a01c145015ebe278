"""Decision records are clean Markdown: the committed example and every scenario's record."""

from pathlib import Path

import pytest
from django.urls import reverse
from pymarkdown.api import PyMarkdownApi

from decision.models import Comparison
from decision.services import comparison_content, create_result
from tests.factories import load_flagship

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


def lint(text: str) -> list[str]:
    # Records are prose: lines run as long as their sentences (as configured in pyproject).
    api = PyMarkdownApi().disable_rule_by_identifier("md013")
    found = api.scan_string(text)
    return [f"{f.line_number}: {f.rule_id} {f.rule_description}" for f in found.scan_failures]


def test_the_linter_finds_problems():
    assert lint("# Title\n\n* one\n+ two\n")


def test_the_committed_combine_example_is_clean_markdown_and_names_its_placements():
    [example] = sorted(EXAMPLES.glob("[0-9][0-9][0-9][0-9]-*.md"))
    text = example.read_text()
    assert lint(text) == []
    assert len(text.splitlines()) < 80
    assert "Chosen option: **Combine" in text
    assert "| Part | Goes to | Why |" in text
    assert example.name.startswith(text.splitlines()[0].split(".")[0].removeprefix("# ").zfill(4))


@pytest.mark.django_db
def test_every_scenarios_record_is_clean_markdown_and_short(client):
    load_flagship()
    content = comparison_content("kubernetes-vs-serverless")
    for scenario in Comparison.objects.get(slug=content.slug).scenarios.all():
        result = create_result(content, scenario.answers)
        url = reverse("decision:result_adr", args=[result.comparison_slug, result.token])
        text = client.get(url).content.decode()
        assert lint(text) == [], scenario.slug
        # A typical system (up to three parts) fits in 80 lines; one with every part in 100.
        parts = len(result.recommendation["placements"])
        assert len(text.splitlines()) < (80 if parts <= 3 else 100), scenario.slug
