"""Staff edit content in admin; everyone else is kept out."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from decision.models import Assessment, Dimension, Option
from decision.presenters import outcome_name
from decision.services import comparison_content
from tests.factories import comparison_data, load_data, load_flagship

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_user("editor", password="pw", is_staff=True)
    user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


def _inline_post_data(client, url):
    """The admin change form's current values, as the browser would post them back."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = "" if value is None else value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, 0)
        for inline_form in formset.formset.forms:
            for name in inline_form.fields:
                value = inline_form.initial.get(name, inline_form.fields[name].initial)
                if hasattr(value, "pk"):
                    value = value.pk
                elif isinstance(value, list) and all(hasattr(v, "pk") for v in value):
                    value = [v.pk for v in value]
                elif isinstance(value, dict | list):
                    value = json.dumps(value)
                data[inline_form.add_prefix(name)] = "" if value is None else value
    return {key: value for key, value in data.items() if value is not False}


def test_staff_changes_a_winner_and_the_page_shows_it(staff):
    comparison = load_flagship()
    dimension = comparison.dimensions.get(slug="operational-overhead")
    kubernetes = comparison.options.get(slug="kubernetes")
    assert dimension.winner.slug == "serverless"

    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    data = _inline_post_data(staff, url)
    index = list(comparison.dimensions.all()).index(dimension)
    data[f"dimensions-{index}-winner"] = kubernetes.pk
    data[f"dimensions-{index}-assessment_{kubernetes.pk}"] = "Much easier than you think."
    response = staff.post(url, data)
    assert response.status_code == 302, response.context and [
        response.context["adminform"].form.errors,
        *[fs.formset.errors for fs in response.context["inline_admin_formsets"]],
    ]

    dimension.refresh_from_db()
    assert dimension.winner == kubernetes
    assert Assessment.objects.get(dimension=dimension, option=kubernetes).text == (
        "Much easier than you think."
    )
    row = (
        staff.get("/kubernetes-vs-serverless/")
        .content.decode()
        .split('id="dimension-operational-overhead"')[1]
        .split("</tr>")[0]
    )
    assert "Much easier than you think." in row
    assert '<span class="tag tag--winner">Kubernetes</span>' in row


def test_winner_from_another_comparison_is_rejected(staff):
    load_data(comparison_data("first"))
    other = load_data(comparison_data("second"))
    dimension = Dimension.objects.get(comparison__slug="first", slug="dimension-1")
    foreign = Option.objects.get(comparison=other, slug="option-1")

    url = reverse("admin:decision_dimension_change", args=[dimension.pk])
    data = _inline_post_data(staff, url)
    data["winner"] = foreign.pk
    response = staff.post(url, data)

    assert response.status_code == 200
    # Only this comparison's options are offered, so the other one is not a valid choice.
    assert "Select a valid choice" in response.content.decode()
    dimension.refresh_from_db()
    assert dimension.winner.comparison.slug == "first"


def test_comparison_change_page_offers_view_on_site(staff):
    comparison = load_data(comparison_data())
    html = staff.get(reverse("admin:decision_comparison_change", args=[comparison.pk])).content
    assert b'href="/admin/r/' in html  # Django's "View on site" redirect
    content_type = ContentType.objects.get_for_model(comparison)
    response = staff.get(reverse("admin:view_on_site", args=[content_type.pk, comparison.pk]))
    assert response["Location"].endswith("/demo/")


@pytest.mark.parametrize("name", ["comparison", "option", "dimension", "faqentry", "criterion"])
def test_every_content_list_opens_for_staff(staff, name):
    load_data(comparison_data())
    assert staff.get(reverse(f"admin:decision_{name}_changelist")).status_code == 200


def test_non_staff_user_is_refused(client):
    comparison = load_data(comparison_data())
    user = get_user_model().objects.create_user("visitor", password="pw")
    client.force_login(user)
    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.post(url, {"title": "Hijacked"}).status_code == 302
    comparison.refresh_from_db()
    assert comparison.title == "Comparison demo"


def test_a_scenario_flipping_edit_is_refused_then_saved_with_the_tick(staff):
    comparison = load_flagship()
    scenario = comparison.scenarios.filter(outcome="serverless").first()
    question, choice = next(iter(scenario.answers.items()))
    target = comparison.questions.get(slug=question).choices.get(slug=choice)
    before = {w.pk: w.weight for w in target.weights.all()}

    url = reverse("admin:decision_choice_change", args=[target.pk])
    data = _inline_post_data(staff, url)
    data["dimensions"] = [d.pk for d in target.dimensions.all()]
    data["criteria"] = [c.pk for c in target.criteria.all()]
    weights = list(target.weights.select_related("option"))
    for index, weight in enumerate(weights):
        data[f"weights-{index}-weight"] = 10 if weight.option.slug == "kubernetes" else -10
    response = staff.post(url, data)

    # Refused: the page names the scenario and both outcomes, and nothing is saved.
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Scenario “{scenario.name}”" in page
    assert "expected Serverless, now gives " in page
    assert 'name="_update_scenarios"' in page
    assert {w.pk: w.weight for w in target.weights.all()} == before
    scenario.refresh_from_db()
    assert scenario.outcome == "serverless"

    # With the tick, the edit and the scenario's new expected outcome are saved together.
    response = staff.post(url, {**data, "_update_scenarios": "1"})
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.outcome != "serverless"
    new_name = outcome_name(comparison_content(comparison.slug), scenario.outcome)
    assert f"expected Serverless, now gives {new_name}" in page
    assert {w.option.slug: w.weight for w in target.weights.select_related("option")} == {
        w.option.slug: (10 if w.option.slug == "kubernetes" else -10) for w in weights
    }


def test_admin_rejects_a_slug_the_fixture_format_would_refuse(staff):
    comparison = load_data(comparison_data())
    option = comparison.options.first()
    url = reverse("admin:decision_option_change", args=[option.pk])
    data = _inline_post_data(staff, url)
    data["slug"] = "Option_One"
    response = staff.post(url, data)
    assert response.status_code == 200
    assert "Use lower-case letters, digits and single hyphens" in response.content.decode()
    option.refresh_from_db()
    assert option.slug == "option-1"


def test_staff_see_what_visitors_chose(staff, client):
    comparison = load_data(comparison_data())
    from decision.services import comparison_content, create_result

    create_result(comparison_content(comparison.slug), {"question-1": "favour-option-2"})
    response = staff.get(reverse("admin:decision_result_changelist") + "?outcome=option-2")
    assert response.status_code == 200
    assert "1 result" in response.content.decode()
