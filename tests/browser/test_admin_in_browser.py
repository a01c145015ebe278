"""What a content editor does in admin, in a real browser: edit, be refused, reorder, revert.

Signed in through the real sign-in form (django-axes checks it) as a staff user who is only in
the "Content editors" group, never a superuser.
"""

import importlib
import re
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect

from decision.models import Choice, Comparison, FaqEntry, Question, Scenario
from decision.presenters import outcome_name
from decision.services import comparison_content
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_wizard_in_browser import answer_until_review
from tests.factories import comparison_data, load_data

SLUG = "kubernetes-vs-serverless"
PASSWORD = "correct horse battery staple"
EDITORS = "Content editors"

# Accessibility problems axe finds in Django's own admin markup, not in ours. A new kind fails.
STOCK_ADMIN_AXE = {"empty-table-header", "label", "label-title-only", "select-name"}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


def _content_editors() -> Group:
    """The group the data migration made.

    Transactional tests empty every table when they end, the group included, so a test that
    runs after one of them makes it again with the migration's own function.
    """
    if not Group.objects.filter(name=EDITORS).exists():
        migration = importlib.import_module("decision.migrations.0004_content_editors_group")
        migration.create_content_editors(apps, SimpleNamespace(connection=connection))
    return Group.objects.get(name=EDITORS)


@pytest.fixture
def editor(site, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = get_user_model().objects.create_user("writer", password=PASSWORD, is_staff=True)
    user.groups.add(_content_editors())
    return user


@pytest.fixture
def admin(page, site, editor, problems):
    """The page, signed in through the admin's sign-in form."""
    page.goto(f"{site}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(editor.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools strong")).to_have_text(editor.username)
    return page


def _admin_url(site, name: str, *args) -> str:
    return site + reverse(f"admin:decision_{name}", args=args)


def _save(page) -> None:
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()


def _expect_saved(page) -> None:
    """The save went through: no error on the page (they are listed if any), a success note."""
    assert page.locator(".errornote, .errorlist li").all_inner_texts() == []
    expect(page.locator(".messagelist .success")).to_be_visible()


def _open(page, group: str) -> None:
    """Open a collapsed inline section (a <details>) of the change form."""
    page.locator(f"#{group}-group summary").first.click()


def _shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"admin-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000, f"{path.name} looks empty"


def _no_problems(page, problems) -> None:
    # Chromium logs every CSP violation as a console error too, so `console` covers every
    # page the test went through; the page's own record covers the last one.
    assert problems.console == []
    assert problems.csp_violations() == []


def _flagship() -> Comparison:
    return Comparison.objects.get(slug=SLUG)


def test_a_new_winner_and_assessment_show_on_the_public_page_at_once(admin, site, problems):
    comparison = _flagship()
    dimensions = list(comparison.dimensions.all())
    dimension = next(d for d in dimensions if d.winner_id is not None)
    new_winner = comparison.options.exclude(pk=dimension.winner_id).first()
    index = dimensions.index(dimension)
    text = f"{new_winner.name} is easier to run than it looks (edited in admin)."

    admin.goto(_admin_url(site, "comparison_change", comparison.pk))
    _open(admin, "dimensions")
    admin.locator(f"#id_dimensions-{index}-winner").select_option(label=new_winner.name)
    admin.locator(f"#id_dimensions-{index}-assessment_{new_winner.pk}").fill(text)
    _save(admin)
    _expect_saved(admin)

    admin.goto(site + comparison.get_absolute_url())
    row = admin.locator(f"#dimension-{dimension.slug}")
    expect(row.locator(".winner .tag")).to_have_text(new_winner.name)
    expect(row.locator("td.wins")).to_contain_text(text)
    _no_problems(admin, problems)


def test_a_bad_source_address_is_refused_at_its_field_and_nothing_is_saved(admin, site, problems):
    comparison = _flagship()
    entry = comparison.faq_entries.first()
    public = site + comparison.get_absolute_url()
    admin.goto(public)
    sources_before = admin.locator("#faq .faq > details").first.locator("a").all_inner_texts()
    bad = "not a web address"

    admin.goto(_admin_url(site, "comparison_change", comparison.pk))
    _open(admin, "faq_entries")
    field = admin.locator("#id_faq_entries-0-sources")
    field.fill(f"{entry.sources}\n{bad}")
    _save(admin)

    row = admin.locator("#faq_entries-0 .form-row.field-sources")
    expect(row.locator(".errorlist")).to_contain_text(f"“{bad}” is not a web address")
    expect(field).to_have_value(re.compile(re.escape(bad)))
    _shoot(admin, "refused-field-error")
    admin.locator("#faq_entries-0").screenshot(path=str(SCREENSHOTS / "admin-field-error-row.png"))
    assert FaqEntry.objects.get(pk=entry.pk).sources == entry.sources
    admin.goto(public)
    assert (
        admin.locator("#faq .faq > details").first.locator("a").all_inner_texts() == sources_before
    )
    _no_problems(admin, problems)


def test_deleting_an_answer_a_follow_up_depends_on_is_refused_with_the_list(admin, site, problems):
    follow_up = Question.objects.exclude(show_if=None).select_related("show_if__question").first()
    choice = follow_up.show_if

    admin.goto(_admin_url(site, "choice_delete", choice.pk))
    expect(admin.get_by_role("link", name=follow_up.prompt).first).to_be_visible()
    expect(admin.locator("input[type=submit]")).to_have_count(0)
    _shoot(admin, "delete-refused")

    # The same answer, ticked for deletion among its question's answers.
    question = choice.question
    index = list(question.choices.all()).index(choice)
    admin.goto(_admin_url(site, "question_change", question.pk))
    admin.locator(f"#id_choices-{index}-DELETE").check()
    _save(admin)
    refusal = admin.locator("#choices-group .errorlist.nonfield")
    expect(refusal).to_contain_text(str(choice))
    expect(refusal).to_contain_text(follow_up.prompt)
    assert Choice.objects.filter(pk=choice.pk).exists()
    _no_problems(admin, problems)


def test_a_save_that_flips_a_scenario_needs_the_tick(admin, site, problems):
    comparison = _flagship()
    scenario = comparison.scenarios.filter(outcome="serverless").first()
    question, answer = next(iter(scenario.answers.items()))
    choice = comparison.questions.get(slug=question).choices.get(slug=answer)
    weights = list(choice.weights.select_related("option"))

    admin.goto(_admin_url(site, "choice_change", choice.pk))
    for index, weight in enumerate(weights):
        pull = "10" if weight.option.slug == "kubernetes" else "-10"
        admin.locator(f"#id_weights-{index}-weight").fill(pull)
    _save(admin)

    box = admin.locator(".gate-flips")
    expect(box).to_contain_text(f"Scenario “{scenario.name}”")
    _shoot(admin, "scenario-flip")
    scenario.refresh_from_db()
    assert scenario.outcome == "serverless"
    said = box.inner_text()

    box.get_by_role("checkbox").check()
    _save(admin)
    _expect_saved(admin)
    scenario.refresh_from_db()
    assert scenario.outcome != "serverless"
    assert f"now gives {outcome_name(comparison_content(SLUG), scenario.outcome)}" in said
    _no_problems(admin, problems)


def _drag(page, handle, target) -> None:
    """Drag by the handle and drop on the target's top edge, as a person does with a mouse.

    Playwright's drag sends the browser's own drag-and-drop events (the ones Sortable
    listens to) in order, waiting for each: hand-rolled mouse moves raced Sortable on a busy
    machine. The viewport is made tall enough to hold the whole page, both rows included
    however many rows the content has, so nothing scrolls mid-drag.
    """
    viewport = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(10_000, height + 100)})
    handle.drag_to(target, source_position={"x": 20, "y": 8}, target_position={"x": 25, "y": 2})
    page.set_viewport_size(viewport)


def test_faq_entries_reordered_by_drag_and_drop_show_in_the_new_order(admin, site, problems):
    comparison = _flagship()
    public = site + comparison.get_absolute_url()
    questions = list(comparison.faq_entries.values_list("question", flat=True))

    admin.goto(_admin_url(site, "comparison_change", comparison.pk))
    _open(admin, "faq_entries")
    rows = admin.locator("#faq_entries-group .inline-related.has_original")
    _drag(admin, rows.last.locator("h3"), rows.first.locator("h3"))
    expect(rows.first.locator("h3 .inline_label")).to_contain_text(questions[-1])
    orders = rows.locator("input._reorder_").evaluate_all("inputs => inputs.map(i => i.value)")
    assert orders == [str(n) for n in range(1, len(questions) + 1)]
    _save(admin)
    _expect_saved(admin)

    admin.goto(public)
    shown = admin.locator("#faq .faq > details > summary").all_inner_texts()
    assert shown == [questions[-1], *questions[:-1]]
    _no_problems(admin, problems)


def _edit_intro(page, site, comparison, text: str) -> None:
    page.goto(_admin_url(site, "comparison_change", comparison.pk))
    page.locator("fieldset summary", has_text="Advice").click()
    page.locator("#id_intro").fill(text)
    _save(page)
    _expect_saved(page)


def test_restoring_an_earlier_revision_brings_its_text_back(admin, site, problems):
    comparison = _flagship()
    public = site + comparison.get_absolute_url()
    older, newer = "Intro as first edited in admin.", "Intro as edited a second time."
    _edit_intro(admin, site, comparison, older)
    _edit_intro(admin, site, comparison, newer)

    admin.goto(_admin_url(site, "comparison_history", comparison.pk))
    rows = admin.locator("#change-history tbody tr")
    expect(rows).to_have_count(2)
    _shoot(admin, "history")
    rows.last.get_by_role("link", name="Compare with today").click()
    expect(admin.locator(".content-diff .diff-remove")).to_contain_text(older)
    expect(admin.locator(".content-diff .diff-add")).to_contain_text(newer)
    _shoot(admin, "compare-with-today")

    admin.go_back()
    rows.last.get_by_role("link", name="Restore this version").click()
    expect(admin.locator("#id_intro")).to_have_value(older)
    _save(admin)
    _expect_saved(admin)
    admin.goto(public)
    expect(admin.locator("#options .intro")).to_have_text(older)  # shown under the options
    _no_problems(admin, problems)


def test_a_draft_is_walked_by_staff_then_published_for_everyone(admin, site, browser, problems):
    draft = load_data({**comparison_data("draft-demo"), "status": "draft"})
    public = site + draft.get_absolute_url()
    visitor = browser.new_context().new_page()
    assert visitor.goto(public).status == 404
    visitor.goto(site + "/")
    expect(visitor.get_by_text(draft.title)).to_have_count(0)

    admin.goto(public)
    expect(admin.locator(".draft-banner")).to_be_visible()
    _shoot(admin, "draft-banner")
    admin.goto(site + reverse("decision:wizard", args=[draft.slug]))
    expect(admin.locator(".draft-banner")).to_be_visible()
    assert answer_until_review(admin) > 0  # each step with its first answer
    expect(admin.locator(".draft-banner")).to_be_visible()
    admin.locator("#wizard button[type=submit]").click()  # the review page's finish button
    admin.wait_for_url(re.compile(rf"/{draft.slug}/results/[\w-]+/$"))
    expect(admin.locator("h1")).to_be_visible()

    admin.goto(_admin_url(site, "comparison_change", draft.pk))
    admin.locator("#id_status").select_option(Comparison.Status.PUBLISHED)
    _save(admin)
    _expect_saved(admin)
    assert visitor.goto(public).status == 200
    expect(visitor.locator("h1")).to_have_text(draft.title)
    visitor.goto(site + "/")
    expect(visitor.get_by_role("link", name=draft.title, exact=True)).to_be_visible()
    visitor.context.close()
    _no_problems(admin, problems)


def _axe_violations(page) -> dict[str, list]:
    results = Axe().run(page)
    return {
        f"{v['id']} ({v['impact']})": [len(v["nodes"]), [n["target"] for n in v["nodes"]][:3]]
        for v in results.response["violations"]
    }


def test_screenshots_of_the_pages_an_editor_uses(admin, site, problems):
    comparison = _flagship()
    admin.goto(_admin_url(site, "comparison_change", comparison.pk))
    _shoot(admin, "comparison")
    found = _axe_violations(admin)
    _open(admin, "dimensions")
    _shoot(admin, "comparison-dimensions")
    closed = admin.locator("details:not([open]) > summary")
    for _ in range(closed.count()):
        closed.first.click()
    found |= _axe_violations(admin)
    print("axe on the comparison change page:", found)

    question = Question.objects.filter(comparison=comparison).first()
    weight = question.choices.first().weights.first()
    admin.goto(_admin_url(site, "question_change", question.pk))
    pull = admin.locator(f"#id_choices-0-weight_{weight.option_id}")
    expect(pull).to_have_value(str(weight.weight))
    _shoot(admin, "question-weights")

    admin.goto(_admin_url(site, "comparison_health", comparison.pk))
    count = Scenario.objects.filter(comparison=comparison).count()
    expect(admin.locator("#health-summary")).to_contain_text(f"{count} pass")
    _shoot(admin, "content-health")
    _no_problems(admin, problems)
    assert {name.split()[0] for name in found} <= STOCK_ADMIN_AXE, found
