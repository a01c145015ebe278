"""The result page as a browser shows it: the placement map, its layout, and accessibility."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from decision.models import Comparison
from decision.services import comparison_content, create_result
from tests.browser.conftest import SCREENSHOTS, PageProblems

SLUG = "kubernetes-vs-serverless"


def _result_url(outcome: str, *, parts: int = 1) -> str:
    """The permalink of a flagship scenario with this outcome (and at least `parts` parts)."""
    content = comparison_content(SLUG)
    for scenario in Comparison.objects.get(slug=SLUG).scenarios.filter(outcome=outcome):
        picked = scenario.answers.get("parts", "")
        if len([p for p in picked.split(",") if p and p != "not-sure"]) >= parts:
            return create_result(content, scenario.answers).get_absolute_url()
    raise AssertionError(f"no flagship scenario gives {outcome} with {parts}+ parts")


@pytest.fixture
def results(site):
    return {
        "combine": _result_url("combine", parts=2),
        "single": _result_url("serverless"),
        "not-enough": _result_url("not-enough", parts=0),
    }


def _axe(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in found]


def test_axe_finds_nothing_on_each_kind_of_result(browser, site, results):
    found = {}
    for scheme in ("light", "dark"):
        for width in (1366, 390):
            context = browser.new_context(
                color_scheme=scheme, viewport={"width": width, "height": 900}
            )
            page = context.new_page()
            problems = PageProblems(page)
            for name, url in results.items():
                page.goto(site + url)
                found[f"{name} {scheme} {width}"] = _axe(page)
                assert problems.csp_violations() == []
            assert problems.console == []
            context.close()
    assert found == {key: [] for key in found}


def test_the_headline_and_placement_map_are_above_the_fold_on_desktop(page, site, results):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(site + results["combine"])
    headline = page.locator("h1").bounding_box()
    first_row = page.locator(".placement__table tbody tr").first.bounding_box()
    diagram = page.locator("svg.map").bounding_box()
    assert headline["y"] + headline["height"] <= 768
    assert first_row["y"] < 768 and diagram["y"] < 768
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "result-combine-desktop.png"))


def test_no_empty_column_on_desktop(page, site, results):
    """Both columns of the layout carry content down most of their shared height."""
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(site + results["not-enough"])
    main = page.locator(".result-main").bounding_box()
    side = page.locator(".result-side").bounding_box()
    assert side["y"] >= main["y"] + main["height"] - 1  # nothing placed: one column
    for url in (results["combine"], results["single"]):
        page.goto(site + url)
        main = page.locator(".result-main").bounding_box()
        side = page.locator(".result-side").bounding_box()
        assert side["x"] > main["x"] + main["width"] - 1  # side by side
        shorter, taller = sorted((main["height"], side["height"]))
        assert shorter >= 0.4 * taller, url


def test_the_placement_map_is_readable_on_a_phone(page, site, results):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site + results["combine"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Every part's name and option are in the table, laid out within the screen.
    rows = page.locator(".placement__table tbody tr")
    assert rows.count() >= 2
    for index in range(rows.count()):
        box = rows.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # The diagram's text is drawn at a readable size, not shrunk to fit.
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('svg.map text')].map(
             t => t.getBoundingClientRect().height)"""
    )
    assert sizes and min(sizes) >= 11
    page.locator("#placement").screenshot(path=str(SCREENSHOTS / "result-map-phone.png"))


def test_one_column_on_a_phone(page, site, results):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site + results["single"])
    main = page.locator(".result-main").bounding_box()
    side = page.locator(".result-side").bounding_box()
    assert side["y"] >= main["y"] + main["height"] - 1


def test_the_decision_record_form_downloads_a_numbered_file(page, site, results):
    page.goto(site + results["combine"])
    page.fill("#adr-title", "Orders and their events")
    page.fill("#adr-number", "7")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the ADR").click()
    assert download.value.suggested_filename == "0007-orders-and-their-events.md"
    text = Path(download.value.path()).read_text()
    assert text.startswith("# 7. Orders and their events")


@pytest.mark.parametrize(("method", "status"), [("OPTIONS", 405), ("POST", 403)])
def test_the_405_and_403_pages_are_the_sites_own_styled_with_a_way_back(page, site, method, status):
    """A method the view refuses (405), or a post without its CSRF token (403)."""
    url = f"{site}/{SLUG}/wizard/finish/"
    page.route(url, lambda route: route.continue_(method=method))
    response = page.goto(url)
    assert response.status == status
    button = page.locator(".error-page a.button").first
    assert button.is_visible()
    # Styled by the site's stylesheet: the button is a rounded pill, not a bare link.
    assert button.evaluate("b => getComputedStyle(b).borderTopLeftRadius") not in ("", "0px")
    assert page.locator("h1").inner_text().strip()
    assert _axe(page) == []
