"""What a visitor's browser does with the wizard: htmx swaps, history, keyboard, no JavaScript,
check your answers, failed steps and page titles.

Expected texts come from the loaded flagship content (its questions are being rewritten), never
from literals here.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from decision import wizard as steps
from decision.engine import effective_answers, join_parts
from decision.services import cached_content, create_result
from decision.step_presenter import WizardUrls, present_step
from decision.vocabulary import NOT_SURE

SLUG = "kubernetes-vs-serverless"
WIZARD = f"/{SLUG}/wizard/"
REVIEW = f"/{SLUG}/wizard/review/"
# Predicates are functions, not expressions: Playwright would eval() an expression, which the
# page's Content-Security-Policy (rightly) forbids.
FOCUSED_IS_HEADING = "() => document.activeElement?.id === 'question-heading'"
PROGRESS = re.compile(r"^Question (\d+) · (about \d+ to go|the last one)$")


@pytest.fixture
def content(site):
    return cached_content(SLUG)


def heading(page) -> str:
    return page.locator("#question-heading").inner_text()


def choose(page, index: int) -> str:
    """Select the index-th answer (or part) of the current step; return its value."""
    boxes = page.locator("#wizard input[type=checkbox]")
    answer = (
        boxes.nth(index) if boxes.count() else page.locator("#wizard input[type=radio]").nth(index)
    )
    answer.check()
    return answer.get_attribute("value")


def on_review(page) -> bool:
    return "/wizard/review/" in page.url


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


def answer_until_review(page, limit: int = 30) -> int:
    """From the current step, answer each step with its first choice up to the review page."""
    for count in range(limit):
        if on_review(page):
            return count
        choose(page, 0)
        submit_and_wait(page)
    raise AssertionError("the wizard never reached the review page")


def click_counting(page, locator, clicks: list) -> None:
    clicks.append(locator)
    locator.click()


def test_each_step_arrives_by_htmx_swap_and_pushes_its_url(page, site, content, problems):
    page.goto(site + WIZARD)
    page.evaluate("window.__sameDocument = 'yes'")
    urls = [page.url]
    answered = 0
    while not on_review(page):
        match = PROGRESS.match(page.locator(".progress__label").inner_text())
        assert match and int(match.group(1)) == answered + 1
        choose(page, 0)
        submit_and_wait(page)
        assert page.url not in urls, "the address bar did not change"
        urls.append(page.url)
        answered += 1
        # Still the same document: a full page load would have dropped the marker.
        assert page.evaluate("window.__sameDocument") == "yes"
        assert page.evaluate(FOCUSED_IS_HEADING) is True
    assert answered >= 3
    page.locator("#wizard button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/{SLUG}/results/[\w-]{{32}}/$"))
    expect(page.locator("h1")).to_be_visible()
    assert problems.console == []
    assert problems.csp_violations() == []


def test_the_back_button_returns_to_the_previous_step_with_its_answer(page, site):
    page.goto(site + WIZARD)
    first_prompt = heading(page)
    chosen = choose(page, 0)
    submit_and_wait(page)
    second_prompt = heading(page)
    assert second_prompt != first_prompt

    page.go_back()
    expect(page.locator("#question-heading")).to_have_text(first_prompt)
    checked = page.locator("#wizard input:checked")
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
    expect(page.locator(".progress__label")).to_have_text(re.compile(r"^Question 3 · "))


def test_the_same_path_without_javascript_gives_the_same_outcome(browser, site):
    outcomes = []
    for javascript in (True, False):
        context = browser.new_context(java_script_enabled=javascript)
        page = context.new_page()
        page.goto(site + WIZARD)
        for _ in range(40):
            if "/results/" in page.url:
                break
            if not on_review(page):
                choose(page, 0)
            if javascript and not on_review(page):
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


def _tab_to(page, test: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {test}; }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {test}")


def test_keyboard_alone_reaches_the_result(page, site):
    page.goto(site + WIZARD)
    for _ in range(30):
        if on_review(page):
            break
        if page.locator("#wizard input[type=checkbox]").count():
            _tab_to(page, "el.type === 'checkbox'")
            assert _focus_ring(page), "a focused part shows no focus ring"
            page.keyboard.press("Space")  # ticks the first part
            assert page.locator("#wizard input[type=checkbox]:checked").count() == 1
        else:
            _tab_to(page, "el.type === 'radio'")
            assert _focus_ring(page), "a focused answer shows no focus ring"
            page.keyboard.press("ArrowDown")  # moves to the next answer and selects it
            page.keyboard.press("Space")
            assert page.locator("#wizard input[type=radio]:checked").count() == 1
        _tab_to(page, "el.type === 'submit'")
        assert _focus_ring(page), "the focused button shows no focus ring"
        before = heading(page)
        page.keyboard.press("Enter")
        wait_for_next(page, before)
    assert on_review(page)
    _tab_to(page, "el.type === 'submit'")
    page.keyboard.press("Enter")
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
    assert page.title().startswith("Error: ")
    assert problems.csp_violations() == []


def test_progress_is_announced_in_a_live_region(page, site):
    page.goto(site + WIZARD)
    status = page.locator("#wizard-status")
    assert status.get_attribute("aria-live") == "polite"
    expect(status).to_have_text(re.compile(r"Question 1 · about \d+ to go$"))
    choose(page, 0)
    submit_and_wait(page)
    expect(status).to_have_text(re.compile(r"Question 2 · (about \d+ to go|the last one)$"))
    assert page.locator("#wizard-status").count() == 1


def _parts_step(content) -> str:
    parts = content.model.parts_question
    return steps.url(WIZARD, content.model, {}, parts.slug)


@pytest.mark.parametrize("width", [360, 390])
def test_wizard_controls_are_at_least_24_pixels(page, site, content, width):
    page.set_viewport_size({"width": width, "height": 800})
    for url in (_parts_step(content), WIZARD):
        page.goto(site + url)
        sizes = page.evaluate(
            """() => [...document.querySelectorAll(
                  '#wizard input, #wizard button, #wizard a, .site-header a')]
                .filter((el) => el.type !== 'hidden')
                .map((el) => { const r = el.getBoundingClientRect();
                               return [el.outerHTML.slice(0, 60), r.width, r.height]; })"""
        )
        small = [s for s in sizes if s[1] < 24 or s[2] < 24]
        assert sizes and small == []


# --- the parts step ------------------------------------------------------------------------


def test_not_sure_and_the_parts_exclude_each_other(page, site, content):
    page.goto(site + _parts_step(content))
    boxes = page.locator("#wizard input[type=checkbox]")
    unsure = page.locator("#wizard input[data-exclusive]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    unsure.check()
    expect(page.locator("#wizard input[type=checkbox]:checked")).to_have_count(1)
    boxes.nth(0).check()
    assert not unsure.is_checked()


# --- check your answers --------------------------------------------------------------------


def test_check_your_answers_round_trip(page, site, content, problems):
    page.goto(site + WIZARD)
    answer_until_review(page)
    expect(page.locator("#question-heading")).to_have_text("Check your answers")
    rows = page.locator(".review__row")
    count = rows.count()
    assert count >= 3
    row = rows.nth(1)
    prompt = row.locator("dt").inner_text()
    before = row.locator(".review__answer").inner_text()

    row.get_by_role("link", name=re.compile("^Change")).click()
    expect(page.locator("#question-heading")).to_have_text(prompt)
    assert "return=review" in page.url
    # Pick another answer than the one given (the last radio is "Not sure").
    answers = page.locator("#wizard input[type=radio], #wizard input[type=checkbox]")
    target = answers.nth(answers.count() - 1)
    target.check()
    label = page.locator(f"label[for='{target.get_attribute('id')}']").inner_text()
    page.locator("#wizard button[type=submit]").click()

    page.wait_for_url(re.compile(r"/wizard/review/"))
    expect(page.locator("#question-heading")).to_have_text("Check your answers")
    changed = page.locator(".review__row", has=page.locator("dt", has_text=prompt))
    expect(changed.locator(".review__answer")).to_have_text(label)
    assert label != before
    page.locator("#wizard button[type=submit]").click()
    page.wait_for_url(re.compile(r"/results/"))
    assert problems.csp_violations() == []


def test_changing_one_answer_from_a_result_takes_two_clicks(page, site, content):
    answers = dict(content.content.scenarios[0].answers)
    result = create_result(content.content, answers)
    page.goto(site + result.get_absolute_url())
    clicks = []
    click_counting(page, page.get_by_role("link", name="Change an answer").first, clicks)
    page.wait_for_url(re.compile(r"/wizard/review/"))
    row = page.locator(".review__row").nth(2)
    prompt = row.locator("dt").inner_text()
    click_counting(page, row.get_by_role("link", name=re.compile("^Change")), clicks)
    expect(page.locator("#question-heading")).to_have_text(prompt)
    assert page.locator("#wizard input:checked").count() >= 1  # the answer given is selected
    assert len(clicks) == 2


# --- titles --------------------------------------------------------------------------------


def test_the_page_title_follows_the_question(page, site, content):
    title = content.content.title
    page.goto(site + WIZARD)
    for _ in range(4):
        assert page.title() == f"{heading(page)} — {title} wizard — Decision Wizard"
        choose(page, 0)
        submit_and_wait(page)
        if on_review(page):
            break
    page.go_back()
    page.wait_for_load_state()
    expect(page.locator("#question-heading")).to_be_visible()
    # Back may reload the page from the server: wait for the title rather than read it once.
    expect(page).to_have_title(f"{heading(page)} — {title} wizard — Decision Wizard")
    answer_until_review(page)
    expect(page).to_have_title(f"Check your answers — {title} wizard — Decision Wizard")


# --- failures and slowness -----------------------------------------------------------------


def _failure_message(page) -> str:
    return page.locator("#wizard-failure").get_attribute("data-message")


@pytest.mark.parametrize("failure", ["offline", "server error"])
def test_a_step_that_cannot_load_says_so_and_keeps_the_form(page, site, failure, problems):
    page.goto(site + WIZARD)
    prompt = heading(page)
    chosen = choose(page, 0)

    def fail(route):
        if failure == "offline":
            route.abort("internetdisconnected")
        else:
            route.fulfill(status=500, body="Server error")

    page.route(re.compile(r"/wizard/\?"), fail)
    button = page.locator("#wizard button[type=submit]")
    button.click()
    region = page.locator("#wizard-failure")
    expect(region).to_have_text(_failure_message(page))
    assert region.get_attribute("aria-live") == "assertive"
    expect(button).to_be_enabled()
    assert heading(page) == prompt
    assert page.locator("#wizard input:checked").get_attribute("value") == chosen

    page.unroute(re.compile(r"/wizard/\?"))
    submit_and_wait(page)
    expect(page.locator("#wizard-failure")).to_have_text("")
    assert heading(page) != prompt


def test_a_slow_step_shows_a_loading_indicator_after_a_moment(page, site):
    page.goto(site + WIZARD)
    loading = page.locator(".wizard-loading")
    assert loading.evaluate("(el) => getComputedStyle(el).visibility") == "hidden"
    page.locator("#wizard").evaluate("(el) => el.classList.add('htmx-request')")
    assert loading.evaluate("(el) => getComputedStyle(el).visibility") == "hidden"
    page.wait_for_timeout(450)
    assert loading.evaluate("(el) => getComputedStyle(el).visibility") == "visible"


# --- accessibility -------------------------------------------------------------------------


def _axe_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def _knock_out_step(content) -> str:
    """A step (not the review page) that opens with a knock-out notice: the first answer in
    the content that rules an option out and leaves questions to ask (a part that rules one
    out is picked with another part), earlier questions answered "Not sure"."""
    model = content.model
    for question in model.questions:
        earlier = model.questions[: model.questions.index(question)]
        before = effective_answers(model, {q.slug: NOT_SURE for q in earlier})
        if question not in steps.applicable_questions(model, before):
            continue
        for choice in question.choices:
            if not choice.rules_out:
                continue
            value = choice.slug
            if question.multiple:  # with another part, so that questions remain
                value = join_parts(question, [question.choices[0].slug, choice.slug])
            answers = steps.with_answer(model, before, question.slug, value)
            step = steps.current_question(model, answers, None)
            if step is None:
                continue
            view = present_step(content.content, model, answers, step, urls=_URLS)
            if view.knockouts:
                return steps.url(WIZARD, model, answers, step.slug)
    raise AssertionError("no answer in the flagship rules an option out before a step")


_URLS = WizardUrls(wizard=WIZARD, review=REVIEW, finish=WIZARD + "finish/", comparison=f"/{SLUG}/")


def test_axe_finds_nothing_on_the_new_wizard_pages_and_states(page, site, content):
    found = {}
    page.goto(site + _parts_step(content))
    found["parts step"] = _axe_violations(page)

    page.goto(site + _knock_out_step(content))
    expect(page.locator(".knockouts")).to_be_visible()
    found["knock-out notice"] = _axe_violations(page)

    page.route(re.compile(r"/wizard/\?"), lambda route: route.abort("internetdisconnected"))
    choose(page, 0)
    page.locator("#wizard button[type=submit]").click()
    expect(page.locator("#wizard-failure")).not_to_be_empty()
    found["offline"] = _axe_violations(page)
    page.unroute(re.compile(r"/wizard/\?"))

    page.goto(site + WIZARD)
    answer_until_review(page)
    found["review"] = _axe_violations(page)
    assert {name: v for name, v in found.items() if v} == {}
