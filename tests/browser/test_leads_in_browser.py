"""The scoping-call form and the vote as a browser shows them: loaded and sent in place with
JavaScript, pages of their own without it, errors next to the fields, and nothing for axe."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from decision.models import Comparison, Lead, Vote
from decision.presenters import result_view
from decision.services import comparison_content, create_result
from decision.snapshot import read_snapshot
from tests.browser.conftest import PageProblems

SLUG = "kubernetes-vs-serverless"
CALL = f"/{SLUG}/call/"
TEAM = "sales@example.com"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
CALL_BUTTON = "Book a 30-minute scoping call"
VOTE_LINK = "Tell us whether this recommendation fits your system"

# Chromium logs every response with an error status as a failed resource load. The call form
# answers 422 when a field is missing (on purpose: htmx swaps it in, as the page's htmx-config
# says), so that one line is expected; any other console error is not.
UNPROCESSABLE = re.compile(r"^Failed to load resource: the server responded with a status of 422")


@pytest.fixture
def forms(settings):
    """Forms that may be sent at once (the minimum fill time is for scripts, not for tests),
    and an address for the team's notification. The live server runs in this process, so it
    sees these settings, and its emails land in `mail.outbox`."""
    settings.LEAD_MIN_FILL_SECONDS = 0
    settings.LEAD_NOTIFY_EMAIL = TEAM
    return settings


def _result(outcome: str = "serverless"):
    """A new saved result of a flagship scenario with this outcome (each can take one vote)."""
    content = comparison_content(SLUG)
    scenario = Comparison.objects.get(slug=SLUG).scenarios.filter(outcome=outcome).first()
    assert scenario is not None, f"no flagship scenario recommends {outcome}"
    return create_result(content, scenario.answers)


def _outcome_name(result) -> str:
    snapshot = read_snapshot(result.snapshot)
    return result_view(snapshot.content, snapshot.recommendation).outcome_name


def _axe(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in found]


def _unexpected(console: list[str]) -> list[str]:
    return [line for line in console if not UNPROCESSABLE.match(line)]


def _without_csrf(html: str) -> str:
    """Markup without its CSRF token, which is masked afresh in each response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', html)


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


# --- 1. the call form with JavaScript: in place on the result page ---------------------------


def test_the_call_form_opens_shows_errors_and_sends_in_place(page, site, forms, problems):
    result = _result()
    outcome = _outcome_name(result)
    page.goto(site + result.get_absolute_url())
    address = page.url
    panel = page.locator("#call-panel")
    panel.get_by_role("link", name=CALL_BUTTON).click()
    form = panel.locator("form.call-form")
    expect(form).to_be_visible()
    assert page.url == address
    expect(form).to_contain_text(f"links to your recommendation ({outcome})")
    assert form.locator('input[name="result"]').input_value() == result.token

    # Sent empty: the fields are marked in place, with a summary read out at once.
    form.get_by_role("button", name="Send the request").click()
    summary = panel.locator("#call-errors")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("3 fields marked below; nothing was sent yet")
    assert page.url == address
    for field, message in [
        ("name", "Please tell us your name."),
        ("email", "Please give an email address we can reply to."),
        ("consent", "Please agree, so that we may keep your details."),
    ]:
        control = panel.locator(f"#id_{field}")
        expect(control).to_have_attribute("aria-invalid", "true")
        expect(panel.locator(f"#id_{field}-error")).to_have_text(message)
        assert f"id_{field}-error" in control.get_attribute("aria-describedby").split()
    expect(panel.locator("#id_company")).not_to_have_attribute("aria-invalid", "true")
    assert not Lead.objects.exists()

    panel.get_by_role("textbox", name="Your name").fill("Ana Lima")
    panel.get_by_role("textbox", name="Work email").fill("ana@example.com")
    panel.get_by_role("textbox", name="Company").fill("Lima Logistics")
    panel.get_by_role("textbox", name="Message").fill("A busy API, and nightly batch jobs.")
    panel.locator("#id_consent").check()
    panel.get_by_role("button", name="Send the request").click()

    confirmation = panel.locator(".confirmation")
    expect(confirmation).to_have_attribute("role", "status")
    expect(confirmation).to_contain_text("Thank you: your request is with us")
    expect(confirmation).to_contain_text(f"your recommendation, {outcome},")
    expect(panel.locator("form")).to_have_count(0)
    expect(panel.get_by_role("heading", name="Thank you: your request is with us")).to_be_focused()
    assert page.url == address

    lead = Lead.objects.get()
    assert (lead.name, lead.email, lead.company, lead.message) == (
        "Ana Lima",
        "ana@example.com",
        "Lima Logistics",
        "A busy API, and nightly batch jobs.",
    )
    assert lead.result == result and lead.comparison_slug == SLUG
    (email,) = mail.outbox
    assert email.to == [TEAM] and email.reply_to == ["ana@example.com"]
    assert "Ana Lima (Lima Logistics)" in email.subject

    assert problems.csp_violations() == []
    assert _unexpected(problems.console) == []


# When the button that loaded the form, or the form that was sent, is replaced, focus must
# move into the panel (`autofocus`, which htmx honours in swapped content): else it falls back
# to the page, and the next Tab lands past the form.
def _focus_is_in(page, selector: str) -> bool:
    return page.evaluate(f"document.activeElement.closest({selector!r}) !== null")


def _open_call_form_by_keyboard(page, site):
    page.goto(site + _result().get_absolute_url())
    page.locator("#call-panel").get_by_role("link", name=CALL_BUTTON).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#call-panel form.call-form")).to_be_visible()


def test_focus_moves_into_the_call_form_when_it_opens(page, site, forms):
    _open_call_form_by_keyboard(page, site)
    page.wait_for_timeout(200)  # htmx settles the swap, then focuses
    assert _focus_is_in(page, "#call-panel")


def test_focus_stays_in_the_call_form_after_errors(page, site, forms):
    _open_call_form_by_keyboard(page, site)
    page.locator("#call-panel").get_by_role("button", name="Send the request").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#call-errors")).to_be_visible()
    page.wait_for_timeout(200)
    assert _focus_is_in(page, "#call-panel")


# --- 2. the call form without JavaScript: pages, a redirect, and a safe reload ---------------


def test_the_call_form_works_without_javascript(browser, site, forms):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{site}/{SLUG}/")
    page.locator(f'a[href="{CALL}"]').click()
    expect(page).to_have_url(site + CALL)
    expect(page.locator("h1")).to_have_text(CALL_BUTTON)

    page.get_by_role("textbox", name="Your name").fill("Ana Lima")
    page.get_by_role("textbox", name="Company").fill("Lima Logistics")
    page.get_by_role("textbox", name="Message").fill("Mostly APIs.")
    page.locator("#id_consent").check()
    with page.expect_navigation() as sent:
        page.get_by_role("button", name="Send the request").click()
    assert sent.value.status == 422
    expect(page.locator("#call-errors")).to_contain_text("the 1 field marked below")
    expect(page.locator("#id_email-error")).to_have_text(
        "Please give an email address we can reply to."
    )
    expect(page.locator("#id_email")).to_have_attribute("aria-invalid", "true")
    # What was typed is kept.
    assert page.locator("#id_name").input_value() == "Ana Lima"
    assert page.locator("#id_company").input_value() == "Lima Logistics"
    assert page.locator("#id_message").input_value() == "Mostly APIs."
    assert page.locator("#id_consent").is_checked()
    assert not Lead.objects.exists()

    page.get_by_role("textbox", name="Work email").fill("ana@example.com")
    with page.expect_navigation() as sent:
        page.get_by_role("button", name="Send the request").click()
    assert sent.value.status == 200
    assert sent.value.request.redirected_from is not None  # the post answered with a redirect
    expect(page).to_have_url(f"{site}{CALL}?sent=1")
    expect(page.locator(".confirmation")).to_contain_text("Thank you: your request is with us")
    expect(page.get_by_role("link", name="Back to Kubernetes vs serverless")).to_be_visible()

    page.reload()
    expect(page.locator(".confirmation")).to_contain_text("Thank you: your request is with us")
    lead = Lead.objects.get()
    assert lead.result is None and lead.email == "ana@example.com"
    assert len(mail.outbox) == 1
    context.close()


# --- 3. the vote: in place with JavaScript, a page of its own without ------------------------


def test_the_vote_is_loaded_and_sent_in_place(page, site, forms, problems):
    result = _result()
    page.goto(site + result.get_absolute_url())
    address = page.url
    panel = page.locator("#vote-panel")
    expect(panel.locator("form.vote-form")).to_be_visible()  # loaded by htmx, no click
    expect(panel.get_by_role("link", name=VOTE_LINK)).to_have_count(0)
    panel.get_by_label("Partly").check()
    panel.get_by_label("Anything to add?").fill("Close, but we also run GPUs.")
    panel.get_by_role("button", name="Send").click()

    thanks = panel.locator(".confirmation")
    expect(thanks).to_have_attribute("role", "status")
    expect(thanks).to_contain_text("Thank you.")
    expect(thanks.locator("strong")).to_have_text("Partly")
    assert page.url == address
    vote = Vote.objects.get()
    assert (vote.result, vote.answer, vote.comment) == (
        result,
        Vote.Answer.PARTLY,
        "Close, but we also run GPUs.",
    )

    page.reload()
    expect(panel.locator(".confirmation")).to_contain_text(
        "This recommendation has an answer: Partly."
    )
    expect(panel.locator(".confirmation")).not_to_contain_text("Thank you")
    expect(panel.locator('input[type="radio"]')).to_have_count(0)
    assert Vote.objects.count() == 1

    assert problems.csp_violations() == []
    assert problems.console == []


def test_the_vote_works_without_javascript(browser, site, forms):
    result = _result()
    vote_url = f"{site}{result.get_absolute_url()}vote/"
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(site + result.get_absolute_url())
    page.locator("#vote-panel").get_by_role("link", name=VOTE_LINK).click()
    expect(page).to_have_url(vote_url)
    page.get_by_label("Yes").check()
    with page.expect_navigation() as sent:
        page.get_by_role("button", name="Send").click()
    assert sent.value.request.redirected_from is not None
    expect(page).to_have_url(vote_url + "?sent=1")
    confirmation = page.locator("#vote-panel .confirmation")
    expect(confirmation).to_have_attribute("role", "status")
    expect(confirmation).to_contain_text("Thank you. This recommendation has an answer: Yes.")
    expect(page.locator('input[type="radio"]')).to_have_count(0)
    assert Vote.objects.get().answer == Vote.Answer.YES
    context.close()


# --- 4. accessibility and layout --------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_nothing_on_the_call_page_empty_and_with_errors(
    browser, site, forms, scheme, viewport
):
    context = browser.new_context(color_scheme=scheme, viewport=viewport)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    problems = PageProblems(tab)
    tab.goto(site + CALL)
    found = {"empty": _axe(tab)}
    assert _no_horizontal_scroll(tab)
    tab.get_by_role("button", name="Send the request").click()
    expect(tab.locator("#call-errors")).to_be_visible()
    found["with errors"] = _axe(tab)
    assert _no_horizontal_scroll(tab)
    assert found == {"empty": [], "with errors": []}
    assert problems.csp_violations() == []
    assert _unexpected(problems.console) == []
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_nothing_on_the_result_page_with_both_forms_in_place(
    browser, site, forms, scheme, viewport
):
    context = browser.new_context(color_scheme=scheme, viewport=viewport)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    problems = PageProblems(tab)
    tab.goto(site + _result().get_absolute_url())
    expect(tab.locator("#vote-panel form.vote-form")).to_be_visible()
    tab.locator("#call-panel").get_by_role("link", name=CALL_BUTTON).click()
    expect(tab.locator("#call-panel form.call-form")).to_be_visible()
    assert _axe(tab) == []
    assert _no_horizontal_scroll(tab)
    assert problems.csp_violations() == []
    assert problems.console == []
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_nothing_on_the_vote_page_without_javascript(
    browser, site, forms, scheme, viewport
):
    url = f"{site}{_result().get_absolute_url()}vote/"
    context = browser.new_context(java_script_enabled=False, color_scheme=scheme, viewport=viewport)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.goto(url)
    expect(tab.locator("form.vote-form")).to_be_visible()
    assert _no_horizontal_scroll(tab)
    markup = _without_csrf(tab.locator("main").inner_html())
    context.close()
    # axe waits on timers, which never fire in a page without JavaScript; so it checks the same
    # page with the site's own scripts refused, as the server sent it (the page has no
    # <noscript> content that would differ).
    context = browser.new_context(color_scheme=scheme, viewport=viewport)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.route("**/*.js", lambda route: route.abort())
    tab.goto(url)
    assert _without_csrf(tab.locator("main").inner_html()) == markup
    assert _axe(tab) == []
    context.close()
