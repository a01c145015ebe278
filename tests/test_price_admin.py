"""Staff edit prices in admin, through the same gate as the rest of the content."""

from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from decision.models import Plan, Price
from decision.services import comparison_content
from tests.factories import comparison_data, load_data
from tests.test_admin import _errors, _exported, _inline_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    load_data(comparison_data(plans=1))
    return Plan.objects.get(slug="option-1-functions-1")


def test_a_plan_page_lists_its_prices_with_sources_and_dates(staff, plan):
    page = staff.get(reverse("admin:decision_plan_change", args=[plan.pk])).content.decode()
    assert "usd-per-million-requests" in page
    assert "https://example.com/pricing" in page
    assert "2026-11-01" in page
    option = reverse("admin:decision_option_change", args=[plan.option_id])
    assert "Edit its 3 prices and node types" in staff.get(option).content.decode()


def test_a_changed_price_is_saved_exported_and_shown_in_the_estimate(staff, client, plan):
    url = reverse("admin:decision_plan_change", args=[plan.pk])
    data = _inline_post_data(staff, url)
    index = next(
        i
        for i in range(3)
        if data[f"prices-{i}-key"] == "compute" and not data.get(f"prices-{i}-free")
    )
    data[f"prices-{index}-amount"] = "0.00002"
    data[f"prices-{index}-checked"] = "2026-11-20"
    response = staff.post(url, data)
    assert response.status_code == 302, _errors(response)
    price = Price.objects.get(plan=plan, key="compute")
    assert price.amount == Decimal("0.00002")
    assert price.checked == date(2026, 11, 20)
    exported = _exported()["options"][0]["plans"][0]["prices"]["compute"]
    assert exported["amount"] == 0.00002
    assert exported["checked"] == "2026-11-20"
    content = comparison_content("demo")
    assert content.options[0].plans[0].prices["compute"].amount == 0.00002


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "-1", "Ensure this value is greater than or equal to 0"),
        ("unit", "usd-per-hour", "'usd-per-hour' is not the unit for 'requests'"),
        ("key", "cpu", "'cpu' is not a price item of a functions plan"),
        ("unit", "usd-per-request", "Select a valid choice"),
        ("amount", "", "This field is required"),
    ],
)
def test_a_bad_price_is_refused_with_its_message_and_nothing_changes(
    staff, plan, field, value, message
):
    url = reverse("admin:decision_plan_change", args=[plan.pk])
    data = _inline_post_data(staff, url)
    index = next(
        i
        for i in range(3)
        if data[f"prices-{i}-key"] == "requests" and not data.get(f"prices-{i}-free")
    )
    before = list(Price.objects.order_by("pk").values_list("key", "amount", "unit"))
    data[f"prices-{index}-{field}"] = value
    response = staff.post(url, data)
    assert response.status_code == 200
    assert message in unescape(response.content.decode())
    assert list(Price.objects.order_by("pk").values_list("key", "amount", "unit")) == before


def test_content_health_links_a_stale_price_to_its_plan(staff, plan, monkeypatch):
    from decision import content_health

    monkeypatch.setattr(content_health, "today", lambda: date(2027, 6, 1))
    comparison = plan.option.comparison
    page = staff.get(reverse("admin:decision_comparison_health", args=[comparison.pk]))
    html = page.content.decode()
    plan_url = reverse("admin:decision_plan_change", args=[plan.pk])
    assert f'<a href="{plan_url}">{plan.name}: compute price</a>' in html


def test_an_answers_estimate_with_an_unknown_input_is_refused_on_its_field(staff):
    from decision.models import Choice

    load_data(comparison_data("answered", plans=1))
    choice = Choice.objects.get(
        question__comparison__slug="answered", slug="favour-option-1", question__slug="question-1"
    )
    url = reverse("admin:decision_choice_change", args=[choice.pk])
    data = _inline_post_data(staff, url)
    data["dimensions"] = [d.pk for d in choice.dimensions.all()]
    data["criteria"] = [c.pk for c in choice.criteria.all()]
    data["estimate"] = '{"requests": 5000000}'
    response = staff.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "'requests' is not an estimate input" in " ".join(errors.get("estimate", []))
    choice.refresh_from_db()
    assert choice.estimate == {}

    data["estimate"] = '{"requests_per_month": 5000000}'
    assert staff.post(url, data).status_code == 302
    choice.refresh_from_db()
    assert choice.estimate == {"requests_per_month": 5000000}
