"""The estimate on its own page and on a result: a GET form, figures from the content's prices,
an htmx swap of the section alone, and a permalink per set of inputs."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decision import costs, page_cache, services
from decision.estimate_presenter import money, volume_words
from decision.estimates import plans_of, priced_options, suggested
from decision.models import Comparison, Result
from decision.services import comparison_content, create_result
from tests.factories import comparison_data, load_data, load_flagship

pytestmark = pytest.mark.django_db

FLAGSHIP = "kubernetes-vs-serverless"
COSTS = f"/{FLAGSHIP}/costs/"


@pytest.fixture
def flagship():
    return load_flagship()


def text(response) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def expected(content, answers=None, **given) -> costs.Estimate:
    """The estimate the model makes for these answers and typed values: what a page must show."""
    values = suggested(content, answers).values | given
    options = priced_options(content)
    inputs = costs.Inputs(
        requests_per_month=int(values["requests_per_month"]),
        duration_ms=float(values["duration_ms"]),
        memory_mb=float(values["memory_mb"]),
        vcpu=float(values["vcpu"]),
        concurrency=int(values["concurrency"]),
        peak_to_average=float(values["peak_to_average"]),
        min_nodes=int(values["min_nodes"]),
        utilisation=float(values["utilisation"]),
        free_tier=bool(values["free_tier"]),
        hourly_rate=float(values["hourly_rate"]),
        node_type=str(values["node_type"]),
        hours={o: float(values[f"hours_{o}"]) for o in options},
    )
    return costs.estimate(plans_of(content), inputs, options)


def test_the_cost_page_shows_each_options_total_from_the_prices(client, flagship):
    content = comparison_content(FLAGSHIP)
    estimate = expected(content)
    page = text(client.get(COSTS))
    for option in estimate.options:
        assert money(option.total) in page
        assert option.cheapest.plan.name in page
    assert "An estimate, not a quote." in page
    assert "checked against their public sources 28 November 2026" in page
    assert costs.LEFT_OUT in page


def test_typed_values_change_the_figures_and_the_permalink(client, flagship):
    content = comparison_content(FLAGSHIP)
    response = client.get(COSTS, {"requests_per_month": "500000000", "duration_ms": "100"})
    page = text(response)
    estimate = expected(content, requests_per_month=500_000_000, duration_ms=100)
    assert f"At {volume_words(500_000_000)} requests a month" in page
    for option in estimate.options:
        assert money(option.total) in page
    link = re.search(r'Link to this estimate: <a href="([^"]+)"', response.content.decode())
    query = parse_qs(urlsplit(unescape(link[1])).query)
    assert query["requests_per_month"] == ["500000000"]
    assert query["duration_ms"] == ["100"]
    assert query["memory_mb"] == ["512"]  # the permalink holds every input, typed or not
    # The permalink shows the same figures.
    again = text(client.get(unescape(link[1])))
    assert all(money(option.total) in again for option in estimate.options)


def test_the_break_even_is_stated_and_marked(client, flagship):
    content = comparison_content(FLAGSHIP)
    query = {"hours_kubernetes": "0", "hours_serverless": "0", "duration_ms": "100"}
    estimate = expected(content, hours_kubernetes=0, hours_serverless=0, duration_ms=100)
    assert estimate.break_evens
    response = client.get(COSTS, query)
    page = text(response)
    for even in estimate.break_evens:
        assert f"below about {volume_words(even.volume)} requests a month" in page
        assert f"{even.volume:,}" in page  # in the chart's table
    assert response.content.decode().count('class="cost-chart__marker"') == 1 + len(
        estimate.break_evens
    )


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("memory_mb", "5", "greater than or equal to 128"),
        ("requests_per_month", "-1", "greater than or equal to 0"),
        ("duration_ms", "quick", "Enter a number"),
        ("node_type", "t2-nano", "Select a valid choice"),
    ],
)
def test_a_bad_value_is_shown_with_its_error_and_the_rest_still_counts(
    client, flagship, name, value, error
):
    content = comparison_content(FLAGSHIP)
    response = client.get(COSTS, {name: value, "requests_per_month": "50000000"} | {name: value})
    assert response.status_code == 200
    page = text(response)
    assert error in page
    assert "Some values cannot be used" in page
    if name != "requests_per_month":  # the good value is still used
        estimate = expected(content, requests_per_month=50_000_000)
        assert f"At {volume_words(50_000_000)} requests a month" in page
        assert all(money(option.total) in page for option in estimate.options)
    html = response.content.decode()
    assert f'id="estimate-{name}-error"' in html or "field-error" in html


def test_an_htmx_request_gets_the_section_alone_and_is_never_cached(client, flagship):
    response = client.get(COSTS, {"requests_per_month": "2000000"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="wrap section estimate" id="estimate"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]
    assert f"At {volume_words(2_000_000)} requests a month" in text(response)
    # The full page at the plain address is a different response, cached on its own.
    full = client.get(COSTS)
    assert "<html" in full.content.decode()
    assert "HX-Request" in full["Vary"]


def test_a_query_is_not_stored_in_the_page_cache(client, flagship):
    client.get(COSTS)
    stored = len(page_cache._LOCAL)
    for volume in range(1000, 1010):
        client.get(COSTS, {"requests_per_month": str(volume)})
    assert len(page_cache._LOCAL) == stored


def test_the_plain_cost_page_is_cached_in_a_fixed_number_of_queries(client, flagship):
    counts = []
    cache.clear()
    services.forget()
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(COSTS).status_code == 200
        counts.append(len(queries))
    cold, warm = counts
    assert warm == 0
    load_data(comparison_data("huge-priced", options=4, plans=6))
    cache.clear()
    services.forget()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/huge-priced/costs/").status_code == 200
    assert len(queries) == cold


def test_a_comparison_without_prices_has_no_cost_page(client):
    load_data(comparison_data("unpriced"))
    assert client.get("/unpriced/costs/").status_code == 404
    assert "cost-link" not in client.get("/unpriced/").content.decode()


def test_a_drafts_cost_page_is_for_staff_only(client, staff):
    data = comparison_data("draft-priced", plans=1)
    data["status"] = "draft"
    load_data(data)
    from django.test import Client

    assert Client().get("/draft-priced/costs/").status_code == 404
    response = staff.get("/draft-priced/costs/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_comparisons_cost_rows_link_to_the_cost_page(client, flagship):
    html = client.get(f"/{FLAGSHIP}/").content.decode()
    content = comparison_content(FLAGSHIP)
    about_cost = [d for d in content.dimensions if d.about_cost]
    assert about_cost
    assert html.count(f'class="cost-link" href="{COSTS}"') == len(about_cost)


# --- On a result ---------------------------------------------------------------------------


def flagship_result(scenario: str) -> Result:
    content = comparison_content(FLAGSHIP)
    answers = Comparison.objects.get(slug=FLAGSHIP).scenarios.get(slug=scenario).answers
    return create_result(content, answers)


def test_a_result_shows_the_estimate_its_answers_suggest(client, flagship):
    result = flagship_result("shop-core-plus-order-events")
    content = comparison_content(FLAGSHIP)
    estimate = expected(content, result.answers)
    page = text(client.get(result.get_absolute_url()))
    volume = estimate.inputs.requests_per_month
    assert volume != 10_000_000  # the answers, not the model's default
    assert f"At {volume_words(volume)} requests a month" in page
    assert all(money(option.total) in page for option in estimate.options)
    heavy = next(c for q in content.questions if q.slug == "volume" for c in q.choices)
    assert f"From your answer “{heavy.label}”." in page
    # The result's cost rows point at the estimate on the same page.
    assert (
        'class="cost-link" href="#estimate"'
        in client.get(result.get_absolute_url()).content.decode()
    )


def test_an_edited_estimate_on_a_result_is_rendered_afresh_and_marked_unlisted(client, flagship):
    result = flagship_result("shop-core-plus-order-events")
    url = result.get_absolute_url()
    client.get(url)
    stored = len(page_cache._LOCAL)
    response = client.get(url, {"requests_per_month": "7000000"})
    assert f"At {volume_words(7_000_000)} requests a month" in text(response)
    assert response["X-Robots-Tag"] == "noindex"
    assert "private" in response["Cache-Control"]
    assert len(page_cache._LOCAL) == stored
    partial = client.get(url, {"requests_per_month": "7000000"}, headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert "<html" not in html
    # The ADR form's hidden copy of the inputs is swapped out of band with the section.
    assert 'id="adr-estimate" hx-swap-oob="true"' in html
    assert 'name="requests_per_month" value="7000000"' in html
    assert Result.objects.count() == 1  # editing the estimate never makes a result


def test_the_adr_states_the_estimate_with_the_visitors_numbers(client, flagship):
    result = flagship_result("shop-core-plus-order-events")
    adr = reverse("decision:result_adr", args=[result.comparison_slug, result.token])
    content = comparison_content(FLAGSHIP)
    default = client.get(adr).content.decode()
    estimate = expected(content, result.answers)
    line = next(line for line in default.splitlines() if "Neutral, because of cost" in line)
    assert f"at {volume_words(estimate.inputs.requests_per_month)} requests a month" in line
    assert all(money(option.total) in line for option in estimate.options)
    assert "not a quote" in line
    edited = client.get(adr, {"requests_per_month": "7000000"}).content.decode()
    assert f"at {volume_words(7_000_000)} requests a month" in edited
    assert "requests_per_month=7000000" in edited  # the link back holds the inputs


def test_an_old_result_whose_snapshot_has_no_prices_shows_no_estimate(client):
    load_data(comparison_data("unpriced"))
    result = create_result(comparison_content("unpriced"), {})
    html = client.get(result.get_absolute_url()).content.decode()
    assert 'id="estimate"' not in html
    assert 'id="estimate-form"' not in html and "#estimate" not in html
