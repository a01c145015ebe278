"""Every page as a browser renders it: layout, colour schemes, print, console, accessibility."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from decision.services import comparison_content, create_result
from tests.browser.conftest import SCREENSHOTS, PageProblems

COMPARISON = "/kubernetes-vs-serverless/"
WIZARD = "/kubernetes-vs-serverless/wizard/"
# A step past the parts question (its answer as repeated keys, as the checkbox form sends it).
STEP = WIZARD + "?location=one-cloud&regulation=standard&parts=web-api&parts=events&step=duration"


@pytest.fixture
def result_url(site):
    content = comparison_content("kubernetes-vs-serverless")
    answers = dict(content.scenarios[0].answers)
    return create_result(content, answers).get_absolute_url()


@pytest.fixture
def pages(result_url):
    return {
        "index": "/",
        "comparison": COMPARISON,
        "wizard-step": STEP,
        "result": result_url,
    }


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", [360, 390])
def test_no_page_scrolls_sideways_on_a_phone(page, site, pages, width):
    page.set_viewport_size({"width": width, "height": 800})
    for name, url in pages.items():
        page.goto(site + url)
        assert _overflow(page) <= 0, f"{name} is wider than {width}px"
    page.goto(site + COMPARISON)
    table = page.locator(".comparison-table")
    assert table.bounding_box()["width"] <= width


def _luminance(page, selector: str, prop: str) -> float:
    return page.evaluate(
        """([selector, prop]) => {
          const value = getComputedStyle(document.querySelector(selector))[prop];
          const [r, g, b] = value.match(/[\\d.]+/g).slice(0, 3).map(Number);
          return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
        }""",
        [selector, prop],
    )


def test_dark_mode_follows_the_system_setting(browser, site, pages):
    for scheme, dark in (("light", False), ("dark", True)):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        for name, url in pages.items():
            page.goto(site + url)
            background = _luminance(page, "body", "backgroundColor")
            text = _luminance(page, "body", "color")
            assert abs(background - text) > 0.6, f"{name} in {scheme}: text blends in"
            assert (background < 0.2) is dark, f"{name} ignores the {scheme} scheme"
        context.close()


def test_printing_a_result_hides_navigation_and_actions(page, site, result_url):
    page.goto(site + result_url)
    assert page.locator(".result-actions").is_visible()
    page.emulate_media(media="print")
    for selector in (".site-header nav", ".result-actions", ".permalink", ".skip-link"):
        assert not page.locator(selector).first.is_visible(), f"{selector} is printed"
    assert page.locator("h1").is_visible()
    assert page.locator("#table").is_visible()


def test_no_console_errors_or_csp_violations_anywhere(page, site, pages, problems):
    for url in [*pages.values(), "/admin/login/"]:
        page.goto(site + url)
        assert problems.csp_violations() == [], url
    page.goto(site + STEP)
    page.locator("#wizard input[type=radio]").first.check()
    page.locator("#wizard button[type=submit]").click()
    page.wait_for_function("() => document.activeElement?.id === 'question-heading'")
    assert problems.csp_violations() == []
    assert problems.console == []


def _axe_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def test_axe_finds_nothing_on_the_public_pages(browser, site, pages):
    found = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        targets = pages if scheme == "light" else {"comparison": COMPARISON}
        for name, url in [*targets.items(), ("404", "/no-such-page/"), ("admin", "/admin/login/")]:
            page.goto(site + url)
            found[f"{name} ({scheme})"] = _axe_violations(page)
        context.close()
    assert {page: v for page, v in found.items() if v} == {}


def test_axe_finds_nothing_on_any_wizard_step(page, site):
    page.goto(site + WIZARD)
    page.locator("#wizard button[type=submit]").click()  # no answer: the error state
    page.locator("#step-error").wait_for()
    found = {"error state": _axe_violations(page)}
    for step in range(1, 30):
        found[f"step {step}"] = _axe_violations(page)
        # The first answer: a radio button, or on the parts question the first part's box.
        page.locator("#wizard input[type=radio], #wizard input[type=checkbox]").first.check()
        before = page.locator("#question-heading").inner_text()
        page.locator("#wizard button[type=submit]").click()
        page.wait_for_function(
            """(old) => location.pathname.includes('/wizard/review/')
              || document.getElementById('question-heading')?.textContent !== old""",
            arg=before,
        )
        page.wait_for_load_state()
        if "/wizard/review/" in page.url:
            break
    else:
        raise AssertionError("the wizard never reached the check-your-answers page")
    found["check your answers"] = _axe_violations(page)
    page.locator("#wizard button[type=submit]").click()  # the review page's finish button
    page.wait_for_url(re.compile(r"/results/[\w-]+/$"))
    page.wait_for_load_state()
    found["result"] = _axe_violations(page)
    assert {name: v for name, v in found.items() if v} == {}


def test_screenshots_of_every_page(browser, site, pages):
    """Saved to screenshots/ (git-ignored) for review; each must also fit its viewport."""
    SCREENSHOTS.mkdir(exist_ok=True)
    shots = {**pages, "404": "/no-such-page/"}
    for device, viewport in (("desktop", (1280, 900)), ("mobile", (390, 844))):
        for scheme in ("light", "dark"):
            context = browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]}, color_scheme=scheme
            )
            page = context.new_page()
            problems = PageProblems(page)
            for name, url in shots.items():
                page.goto(site + url)
                path = SCREENSHOTS / f"{name}-{device}-{scheme}.png"
                page.screenshot(path=str(path), full_page=True)
                assert path.stat().st_size > 10_000, f"{path.name} looks empty"
                assert _overflow(page) <= 0, f"{name} overflows at {device} width"
            assert problems.csp_violations() == []
            context.close()
