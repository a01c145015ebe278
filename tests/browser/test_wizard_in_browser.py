"""What a visitor's browser does with the wizard: htmx swaps, history, keyboard, no JavaScript."""

import re

import pytest
from playwright.sync_api import expect

WIZARD = "/kubernetes-vs-serverless/wizard/"
# Predicates are functions, not expressions: Playwright would eval() an expression, which the
# page's Content-Security-Policy (rightly) forbids.
FOCUSED_IS_HEADING = "() => document.activeElement?.id === 'question-heading'"


def heading(page) -> str:
    return page.locator("#question-heading").inner_text()


def choose(page, index: int) -> str:
    """Select the index-th answer of the current step; return its value."""
    radio = page.locator("#wizard input[type=radio]").nth(index)
    radio.check()
    return radio.get_attribute("value")


NEXT_IS_IN_PLACE = """(old) => location.pathname.includes('/results/')
  || (document.getElementById('question-heading')?.textContent !== old
      && document.activeElement?.id === 'question-heading')"""


def submit_and_wait(page) -> None:
    """Press the step's button and wait until the next step (or the result) is in place."""
    before = heading(page)
    page.locator("#wizard button[type=submit]").click()
    wait_for_next(page, before)


def wait_for_next(page, previous_heading: str) -> None:
    page.wait_for_function(NEXT_IS_IN_PLACE, arg=previous_heading)
    page.wait_for_load_state()


def finish_with_first_answers(page) -> str:
    """From the current step, answer each step with its first choice; return the result URL."""
    for _ in range(30):
        if "/results/" in page.url:
            return page.url
        choose(page, 0)
        submit_and_wait(page)
    raise AssertionError("the wizard never finished")


def test_each_step_arrives_by_htmx_swap_and_pushes_its_url(page, site, problems):
    page.goto(site + WIZARD)
    page.evaluate("window.__sameDocument = 'yes'")
    urls = [page.url]
    steps = 0
    while "/results/" not in page.url:
        progress = page.locator(".progress__label").inner_text()
        assert progress.startswith(f"Step {steps + 1} of ")
        choose(page, 0)
        is_last = "recommendation" in page.locator("#wizard button[type=submit]").inner_text()
        submit_and_wait(page)
        assert page.url not in urls, "the address bar did not change"
        urls.append(page.url)
        steps += 1
        if not is_last:
            # Still the same document: a full page load would have dropped the marker.
            assert page.evaluate("window.__sameDocument") == "yes"
            assert page.evaluate(FOCUSED_IS_HEADING) is True
    assert steps >= 8
    assert re.search(r"/kubernetes-vs-serverless/results/[\w-]{32}/$", page.url)
    expect(page.locator("h1")).to_contain_text(re.compile(r"Choose|Use both"))
    assert problems.console == []
    assert problems.csp_violations() == []


def test_the_back_button_returns_to_the_previous_step_with_its_answer(page, site):
    page.goto(site + WIZARD)
    first_prompt = heading(page)
    chosen = choose(page, 1)
    submit_and_wait(page)
    second_prompt = heading(page)
    assert second_prompt != first_prompt

    page.go_back()
    expect(page.locator("#question-heading")).to_have_text(first_prompt)
    checked = page.locator("#wizard input[type=radio]:checked")
    expect(checked).to_have_count(1)
    assert checked.get_attribute("value") == chosen

    page.go_forward()
    expect(page.locator("#question-heading")).to_have_text(second_prompt)


def test_a_reload_restores_the_current_step(page, site):
    page.goto(site + WIZARD)
    choose(page, 0)
    submit_and_wait(page)
    choose(page, 0)
    submit_and_wait(page)
    prompt, url = heading(page), page.url

    page.reload()
    assert page.url == url
    expect(page.locator("#question-heading")).to_have_text(prompt)
    expect(page.locator(".progress__label")).to_have_text(re.compile(r"^Step 3 of \d+$"))


def test_the_same_path_without_javascript_gives_the_same_outcome(browser, site):
    outcomes = []
    for javascript in (True, False):
        context = browser.new_context(java_script_enabled=javascript)
        page = context.new_page()
        page.goto(site + WIZARD)
        for _ in range(30):
            if "/results/" in page.url:
                break
            choose(page, 0)
            if javascript:
                submit_and_wait(page)
            else:
                with page.expect_navigation():  # a full page load per step
                    page.locator("#wizard button[type=submit]").click()
        assert "/results/" in page.url
        outcomes.append(page.locator("h1").inner_text())
        context.close()
    assert outcomes[0] == outcomes[1]


def _focus_ring(page) -> bool:
    return page.evaluate(
        """() => {
          const style = getComputedStyle(document.activeElement);
          return parseFloat(style.outlineWidth) > 0 && style.outlineStyle !== "none"
            || style.boxShadow !== "none";
        }"""
    )


def _tab_to(page, test: str, limit: int = 25) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {test}; }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {test}")


def test_keyboard_alone_reaches_the_result(page, site):
    page.goto(site + WIZARD)
    for _ in range(30):
        _tab_to(page, "el.type === 'radio'")
        assert _focus_ring(page), "a focused answer shows no focus ring"
        page.keyboard.press("ArrowDown")  # moves to the next answer and selects it
        page.keyboard.press("Space")
        assert page.locator("#wizard input[type=radio]:checked").count() == 1
        _tab_to(page, "el.type === 'submit'")
        assert _focus_ring(page), "the focused button shows no focus ring"
        last = "recommendation" in page.evaluate("document.activeElement.textContent")
        before = heading(page)
        page.keyboard.press("Enter")
        wait_for_next(page, before)
        if last:
            break
    page.wait_for_url(re.compile(r"/results/"))
    expect(page.locator("h1")).to_be_visible()


def test_submitting_without_an_answer_shows_the_error_in_place(page, site, problems):
    page.goto(site + WIZARD)
    page.evaluate("window.__sameDocument = 'yes'")
    page.locator("#wizard button[type=submit]").click()
    error = page.locator("#step-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Choose one of the answers")
    fieldset = page.locator("#wizard fieldset")
    assert fieldset.get_attribute("aria-invalid") == "true"
    assert "step-error" in fieldset.get_attribute("aria-describedby")
    assert page.evaluate("window.__sameDocument") == "yes"
    assert problems.csp_violations() == []


def test_progress_is_announced_in_a_live_region(page, site):
    page.goto(site + WIZARD)
    status = page.locator("#wizard-status")
    assert status.get_attribute("aria-live") == "polite"
    expect(status).to_have_text(re.compile(r"^Step 1 of \d+$"))
    choose(page, 0)
    submit_and_wait(page)
    expect(status).to_have_text(re.compile(r"^Step 2 of \d+$"))
    assert page.locator("#wizard-status").count() == 1


@pytest.mark.parametrize("width", [360, 390])
def test_wizard_controls_are_at_least_24_pixels(page, site, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(site + WIZARD + "?workload=event-driven&step=state")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll(
              '#wizard input, #wizard button, #wizard a, .site-header a')]
            .filter((el) => el.type !== 'hidden')
            .map((el) => { const r = el.getBoundingClientRect();
                           return [el.outerHTML.slice(0, 60), r.width, r.height]; })"""
    )
    small = [s for s in sizes if s[1] < 24 or s[2] < 24]
    assert sizes and small == []
