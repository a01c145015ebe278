"""The cost estimate as a browser shows it: the form updates the figures in place (and without
JavaScript by a page load), refuses bad values next to the field, stays readable on a phone,
passes axe, and carries its numbers into the decision record."""

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from decision import costs
from decision.estimate_form import EstimateForm
from decision.estimate_presenter import money, present, volume_words
from decision.estimates import plans_of, priced_options, suggested
from decision.models import Comparison
from decision.services import comparison_content, create_result
from tests.browser.conftest import SCREENSHOTS, PageProblems

SLUG = "kubernetes-vs-serverless"
COSTS = f"/{SLUG}/costs/"
VOLUME = 500_000_000
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


# --- what the figures should be, from the fixture's prices -----------------------------------


def _expected(query: dict[str, str], answers: dict[str, str] | None = None):
    """The estimate (model figures and chart) for these form values, from the content itself."""
    content = comparison_content(SLUG)
    form = EstimateForm(content, suggested(content, answers), query)
    assert form.is_valid(), form.errors
    plans = plans_of(content)
    figures = costs.estimate(plans, form.inputs(), priced_options(content))
    names = {option.slug: option.name for option in content.options}
    totals = {names[cost.option]: money(cost.total) for cost in figures.options}
    return figures, totals, present(figures, plans, names).chart


def _shown_totals(page) -> dict[str, str]:
    items = page.locator(".estimate__total")
    return {
        item.locator(".estimate__option").inner_text().strip(): item.locator(
            ".estimate__amount"
        ).inner_text()
        for item in items.all()
    }


def _geometry(page) -> dict[str, list[str]]:
    """The chart as drawn: marker positions and each line's points."""
    return page.evaluate(
        """() => ({
          markers: [...document.querySelectorAll('figure.cost-chart svg .cost-chart__marker')]
            .map(m => m.getAttribute('x1')),
          lines: [...document.querySelectorAll('figure.cost-chart svg polyline.cost-chart__line')]
            .map(l => l.getAttribute('points')),
        })"""
    )


def _drawn(chart) -> dict[str, list[str]]:
    """The geometry the chart module lays out, as the template writes it."""
    return {
        "markers": [f"{marker.x}" for marker in chart.markers],
        "lines": [line.points for line in chart.lines],
    }


def _same_geometry(shown, drawn) -> bool:
    return shown["lines"] == drawn["lines"] and [float(x) for x in shown["markers"]] == [
        pytest.approx(float(x)) for x in drawn["markers"]
    ]


def _assert_figures(page, query, answers=None, *, volume: int):
    """The headline, totals and chart show the estimate for these values."""
    _, totals, chart = _expected(query, answers)
    headline = page.locator(".estimate__headline").inner_text()
    assert volume_words(volume) in headline
    for name, amount in totals.items():
        assert name in headline and amount in headline, (name, amount, headline)
    assert _shown_totals(page) == totals
    assert _same_geometry(_geometry(page), _drawn(chart))


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _page_errors(problems) -> list[str]:
    """Scripts that threw (CSP reports are checked on their own, below)."""
    return [line for line in problems.console if line.startswith("page error")]


def _axe(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in found]


def _result():
    """A saved result of a flagship scenario (one recommending serverless), and its answers."""
    content = comparison_content(SLUG)
    scenario = Comparison.objects.get(slug=SLUG).scenarios.filter(outcome="serverless").first()
    assert scenario is not None, "no flagship scenario recommends serverless"
    found = create_result(content, scenario.answers)
    return found.get_absolute_url(), dict(found.answers)


# --- 1. editing the volume with JavaScript: in place, pushed to the address bar --------------


@pytest.mark.parametrize("how", ["leave the field", "press the button"])
def test_editing_the_volume_updates_the_figures_in_place(page, site, problems, how):
    page.goto(site + COSTS)
    _assert_figures(page, {}, volume=costs.INPUTS[0].default)
    before = _geometry(page)
    page.evaluate("window.__marker = 1")

    page.fill("#estimate-requests_per_month", str(VOLUME))
    if how == "leave the field":
        page.locator("#estimate-requests_per_month").press("Tab")  # a change event
    else:
        page.get_by_role("button", name="Update the estimate").click()

    expect(page.locator(".estimate__headline")).to_contain_text(volume_words(VOLUME))
    expect(page).to_have_url(re.compile(rf"[?&]requests_per_month={VOLUME}(&|$)"))
    page.wait_for_load_state("networkidle")  # a second request (change, then submit) settles
    assert page.evaluate("window.__marker") == 1  # no page load
    _assert_figures(page, {"requests_per_month": str(VOLUME)}, volume=VOLUME)
    assert _geometry(page) != before
    assert page.locator("#estimate-requests_per_month").input_value() == str(VOLUME)
    assert page.locator("form.estimate__form").count() == 1  # swapped, not nested

    # The pushed address is a permalink: loaded on its own it shows the same figures.
    swapped = page.locator(".estimate__results").inner_text()
    pushed = page.url
    page.goto(pushed)
    assert page.evaluate("window.__marker") is None
    assert page.locator(".estimate__results").inner_text() == swapped
    assert _page_errors(problems) == []


def test_back_after_an_update_shows_the_earlier_figures(page, site):
    page.goto(site + COSTS)
    first = page.locator(".estimate__headline").inner_text()
    page.fill("#estimate-requests_per_month", str(VOLUME))
    page.get_by_role("button", name="Update the estimate").click()
    expect(page.locator(".estimate__headline")).to_contain_text(volume_words(VOLUME))
    page.wait_for_load_state("networkidle")
    page.go_back()
    expect(page.locator(".estimate__headline")).to_have_text(first)
    assert page.locator("#estimate-requests_per_month").input_value() == str(
        costs.INPUTS[0].default
    )


def test_the_estimate_runs_within_the_sites_content_security_policy(page, site, problems):
    """htmx on the cost and result pages needs nothing the policy blocks (no inline styles)."""
    result_url, _ = _result()
    for url in (COSTS, result_url):
        page.goto(site + url)
        page.fill("#estimate-requests_per_month", str(VOLUME))
        page.get_by_role("button", name="Update the estimate").click()
        expect(page.locator(".estimate__headline")).to_contain_text(volume_words(VOLUME))
        page.wait_for_load_state("networkidle")
        assert problems.csp_violations() == [], url
    assert problems.console == []


# --- 2. the same form without JavaScript -----------------------------------------------------


def test_the_form_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(site + COSTS)
    page.fill("#estimate-requests_per_month", str(VOLUME))
    page.fill("#estimate-hours_kubernetes", "10")
    with page.expect_navigation():
        page.get_by_role("button", name="Update the estimate").click()
    query = _query(page.url)
    assert query["requests_per_month"] == [str(VOLUME)]
    assert query["hours_kubernetes"] == ["10"]
    assert urlsplit(page.url).fragment == "estimate"
    _assert_figures(
        page, {"requests_per_month": str(VOLUME), "hours_kubernetes": "10"}, volume=VOLUME
    )
    # The values typed are kept in the form, marked as the visitor's.
    assert page.locator("#estimate-requests_per_month").input_value() == str(VOLUME)
    field = page.locator(".estimate__field", has=page.locator("#estimate-hours_kubernetes"))
    assert page.locator("#estimate-hours_kubernetes").input_value() == "10"
    assert "Your value" in field.inner_text()
    context.close()


# --- 3. a value that cannot be used ----------------------------------------------------------


def test_the_browser_refuses_an_out_of_range_value_before_sending_it(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(site + COSTS)
    page.fill("#estimate-memory_mb", "5")
    page.get_by_role("button", name="Update the estimate").click()
    page.wait_for_timeout(300)
    assert page.url == site + COSTS  # not sent
    assert page.locator("#estimate-memory_mb").evaluate("e => e.validity.rangeUnderflow")
    context.close()


def test_with_javascript_a_bad_value_is_refused_and_the_figures_kept(page, site):
    page.goto(site + COSTS)
    before = page.locator(".estimate__results").inner_text()
    sent = []
    page.on(
        "request", lambda request: sent.append(request.url) if "memory_mb" in request.url else None
    )
    page.fill("#estimate-memory_mb", "5")
    page.get_by_role("button", name="Update the estimate").click()
    page.wait_for_timeout(300)
    assert sent == []
    assert page.locator("#estimate-memory_mb").evaluate("e => e.validity.rangeUnderflow")
    assert page.locator(".estimate__results").inner_text() == before


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_bad_value_in_a_link_shows_its_error_and_still_the_figures(browser, site, javascript):
    """A hand-edited or old link: each bad field says why, the figures use the suggestion."""
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(10_000)
    response = page.goto(f"{site}{COSTS}?memory_mb=5&requests_per_month=-3&duration_ms=300")
    assert response.status == 200
    assert page.locator(".estimate__errors").is_visible()
    for name, bound in (("memory_mb", "128"), ("requests_per_month", "0")):
        field = page.locator(".estimate__field", has=page.locator(f"#estimate-{name}"))
        error = field.locator(".field-error")
        expect(error).to_be_visible()
        assert bound in error.inner_text()
        assert page.locator(f"#estimate-{name}").get_attribute("aria-invalid") == "true"
    # The good value is used; the bad ones fall back to what the comparison suggests.
    _assert_figures(page, {"duration_ms": "300"}, volume=costs.INPUTS[0].default)
    context.close()


def test_a_field_points_screen_readers_at_its_error_and_help(page, site):
    """Every aria-describedby names an element on the page, so the error is read out."""
    page.goto(f"{site}{COSTS}?memory_mb=5")
    dangling = page.evaluate(
        """() => [...document.querySelectorAll('.estimate__form [aria-describedby]')]
             .flatMap(e => e.getAttribute('aria-describedby').split(/\\s+/)
               .filter(id => !document.getElementById(id)).map(id => e.id + ' → ' + id))"""
    )
    assert dangling == []
    described = page.locator("#estimate-memory_mb").evaluate(
        """e => e.getAttribute('aria-describedby').split(/\\s+/)
             .map(id => document.getElementById(id)?.textContent || '').join(' ')"""
    )
    assert "128" in described


# --- 4. accessibility ------------------------------------------------------------------------


def _open_details(page):
    page.evaluate("document.querySelectorAll('#estimate details').forEach(d => d.open = true)")


def test_axe_finds_nothing_on_the_cost_page_and_a_result_estimate(browser, site):
    result_url, _ = _result()
    found, blocked = {}, {}
    for scheme in ("light", "dark"):
        for viewport in (DESKTOP, PHONE):
            context = browser.new_context(color_scheme=scheme, viewport=viewport)
            page = context.new_page()
            page.set_default_timeout(10_000)
            problems = PageProblems(page)
            for name, url in (
                ("costs", COSTS),
                ("costs with an error", f"{COSTS}?memory_mb=5"),
                ("result", result_url),
            ):
                page.goto(site + url)
                _open_details(page)  # the chart's numbers and every bill checked too
                key = f"{name} {scheme} {viewport['width']}"
                found[key] = _axe(page)
                blocked[key] = problems.csp_violations()
            context.close()
    assert found == {key: [] for key in found}
    assert blocked == {key: [] for key in blocked}


def test_axe_finds_nothing_after_an_update_in_place(page, site):
    page.goto(site + COSTS)
    page.fill("#estimate-requests_per_month", str(VOLUME))
    page.get_by_role("button", name="Update the estimate").click()
    expect(page.locator(".estimate__headline")).to_contain_text(volume_words(VOLUME))
    page.wait_for_load_state("networkidle")
    _open_details(page)
    assert _axe(page) == []


# --- 5. readable on a phone ------------------------------------------------------------------


@pytest.mark.parametrize("volume", [costs.INPUTS[0].default, VOLUME])
def test_the_chart_is_readable_on_a_phone(page, site, volume):
    page.set_viewport_size(PHONE)
    page.goto(f"{site}{COSTS}?requests_per_month={volume}")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    svg = page.locator("figure.cost-chart svg.cost-chart__svg")
    box = svg.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('figure.cost-chart svg.cost-chart__svg text')]
             .map(t => t.getBoundingClientRect().height)"""
    )
    assert sizes and min(sizes) >= 11, sizes
    # Every piece of text is drawn inside the chart, none cut off at its edges (the SVG hides
    # overflow; 2 px for a glyph's side bearing, which its box includes).
    outside = page.evaluate(
        """() => {
          const svg = document.querySelector('figure.cost-chart svg.cost-chart__svg');
          const edge = svg.getBoundingClientRect();
          return [...svg.querySelectorAll('text')].filter(t => {
            const r = t.getBoundingClientRect();
            return r.left < edge.left - 2 || r.right > edge.right + 2
              || r.top < edge.top - 2 || r.bottom > edge.bottom + 2;
          }).map(t => t.textContent);
        }"""
    )
    assert outside == []
    SCREENSHOTS.mkdir(exist_ok=True)
    page.locator("figure.cost-chart").screenshot(
        path=str(SCREENSHOTS / f"cost-chart-phone-{volume}.png")
    )


# --- 6. the result page: in place, and into the decision record ------------------------------


def test_a_result_estimate_updates_in_place_and_goes_into_the_record(page, site, problems):
    url, answers = _result()
    page.goto(site + url)
    _assert_figures(page, {}, answers, volume=_expected({}, answers)[0].inputs.requests_per_month)
    hidden = page.locator("form.adr-form #adr-estimate input[name=requests_per_month]")
    assert hidden.input_value() != str(VOLUME)
    page.evaluate("window.__marker = 1")

    page.fill("#estimate-requests_per_month", str(VOLUME))
    page.locator("#estimate-requests_per_month").press("Tab")
    expect(page.locator(".estimate__headline")).to_contain_text(volume_words(VOLUME))
    expect(hidden).to_have_value(str(VOLUME))  # swapped out of band
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__marker") == 1
    assert _query(page.url)["requests_per_month"] == [str(VOLUME)]
    _assert_figures(page, {"requests_per_month": str(VOLUME)}, answers, volume=VOLUME)
    assert page.locator("#adr-estimate").count() == 1
    assert page.locator("form.adr-form #adr-estimate").count() == 1

    _, totals, _ = _expected({"requests_per_month": str(VOLUME)}, answers)
    page.fill("#adr-number", "3")
    with page.expect_download() as download:
        page.locator("form.adr-form").get_by_role("button", name="Download the ADR").click()
    text = Path(download.value.path()).read_text()
    [cost_line] = [line for line in text.splitlines() if "because of cost" in line]
    assert volume_words(VOLUME) in cost_line
    for amount in totals.values():
        assert amount in cost_line
    assert f"requests_per_month={VOLUME}" in cost_line  # the link to the inputs
    assert _page_errors(problems) == []


def test_a_reloaded_result_keeps_the_edited_estimate_for_the_record(browser, site):
    """Without JavaScript the result page with a query shows, and records, those numbers."""
    url, answers = _result()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(site + url)
    page.fill("#estimate-requests_per_month", str(VOLUME))
    with page.expect_navigation():
        page.get_by_role("button", name="Update the estimate").click()
    _assert_figures(page, {"requests_per_month": str(VOLUME)}, answers, volume=VOLUME)
    hidden = page.locator("form.adr-form #adr-estimate input[name=requests_per_month]")
    assert hidden.input_value() == str(VOLUME)
    with page.expect_download() as download:
        page.locator("form.adr-form").get_by_role("button", name="Download the ADR").click()
    text = Path(download.value.path()).read_text()
    [cost_line] = [line for line in text.splitlines() if "because of cost" in line]
    assert volume_words(VOLUME) in cost_line
    context.close()
