"""The analytics dashboard in a real browser, on a month of realistic counts: readable at a
desktop width and on a phone, in the light and dark themes, with axe finding nothing, no
sideways scroll of the page, and no CSP violation or console error.

Signed in through the admin's sign-in form as a staff user who may view the counts and the
questions, and nothing else.
"""

import random
from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import expect

from decision.analytics import VERSION_LENGTH
from decision.models import DailyCount, Vote
from decision.services import cached_content
from decision.vocabulary import COMBINE, NOT_SURE
from tests.browser.conftest import SCREENSHOTS, PageProblems

SLUG = "kubernetes-vs-serverless"
URL = "/admin/analytics/"
PASSWORD = "correct horse battery staple"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SMALLEST_TEXT = 11  # px, as drawn


def seed_counts(slug: str, *, days: int = 30, end: date | None = None, seed: int = 7) -> None:
    """A plausible month of wizard traffic for `slug`, first pass only, as the wizard counts.

    Weekdays busier than weekends; each question loses a few visitors; a follow-up question
    is shown only to the visitors who gave its condition; a result most of the time after the
    review page; a vote now and then, a lead rarely.
    """
    found = cached_content(slug)
    content, version = found.content, found.fingerprint[:VERSION_LENGTH]
    end = end or timezone.now().date()
    pick = random.Random(seed)
    outcomes = [option.slug for option in content.options] + [COMBINE]
    rows = []

    def add(day, event, subject, count):
        if count:
            rows.append(
                DailyCount(
                    comparison_slug=slug,
                    version=version,
                    day=day,
                    event=event,
                    subject=subject,
                    count=count,
                )
            )

    for n in range(days):
        day = end - timedelta(days=days - 1 - n)
        busy = 0.55 if day.weekday() >= 5 else 1.0
        starts = round(pick.randint(28, 48) * busy + n * 0.4)
        add(day, "start", "", starts)
        alive, picked = starts, {}
        for index, question in enumerate(content.questions):
            if question.show_if is not None:
                shown = picked.get((question.show_if.question, question.show_if.choice), 0)
            else:
                shown = alive
            leaving = round(shown * pick.uniform(0.02, 0.09 if index else 0.18))
            answered = shown - leaving
            alive -= leaving
            add(day, "shown", question.slug, shown)
            add(day, "answered", question.slug, answered)
            slugs = [choice.slug for choice in question.choices] + [NOT_SURE]
            weights = [pick.uniform(0.3, 1.0) for _ in question.choices] + [0.15]
            if question.multiple:
                for slug_, weight in zip(slugs, weights, strict=True):
                    add(day, "choice", f"{question.slug}/{slug_}", round(answered * weight * 0.7))
                continue
            left = answered
            for position, (slug_, weight) in enumerate(zip(slugs, weights, strict=True)):
                share = weight / sum(weights[position:])
                count = left if position == len(slugs) - 1 else round(left * share)
                left -= count
                picked[(question.slug, slug_)] = count
                add(day, "choice", f"{question.slug}/{slug_}", count)
        add(day, "review", "", alive)
        results = round(alive * pick.uniform(0.85, 0.97))
        add(day, "result", "", results)
        left = results
        for position, outcome in enumerate(outcomes):
            count = left if position == len(outcomes) - 1 else round(left * pick.uniform(0.3, 0.6))
            left -= count
            add(day, "outcome", outcome, count)
        votes = round(results * pick.uniform(0.08, 0.2))
        yes = round(votes * 0.6)
        partly = round((votes - yes) * 0.6)
        for answer, count in zip(
            Vote.Answer.values, (yes, partly, votes - yes - partly), strict=True
        ):
            add(day, "vote", answer, count)
        add(day, "lead", "", 1 if pick.random() < 0.3 else 0)
    DailyCount.objects.bulk_create(rows)


def analyst(settings):
    """A staff user who may view the counts and the questions: the Sales team's rights."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = get_user_model().objects.create_user("analyst", password=PASSWORD, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="decision", codename__in=["view_dailycount", "view_question"]
        )
    )
    return user


def sign_in(page, site: str, user) -> None:
    page.goto(f"{site}/admin/login/?next={URL}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools strong")).to_have_text(user.username)


@pytest.fixture
def counted(site, settings):
    seed_counts(SLUG)
    return analyst(settings)


def _axe(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in found]


def _smallest_chart_text(page) -> float:
    """The smallest chart text as drawn, in CSS pixels: its font size times the SVG's scale."""
    return page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('svg.analytics-chart__svg')]
             .flatMap(svg => {
               const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
               return [...svg.querySelectorAll('text')]
                 .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
             }))"""
    )


def _text_outside_charts(page) -> list[str]:
    """Chart text drawn past its SVG's edges (2 px for a glyph's side bearing)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('svg.analytics-chart__svg')].flatMap(svg => {
             const edge = svg.getBoundingClientRect();
             return [...svg.querySelectorAll('text')].filter(t => {
               const r = t.getBoundingClientRect();
               return r.left < edge.left - 2 || r.right > edge.right + 2
                 || r.top < edge.top - 2 || r.bottom > edge.bottom + 2;
             }).map(t => t.textContent);
           })"""
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_dashboard_reads_well_at_each_width_and_theme(browser, site, counted, viewport, scheme):
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    problems = PageProblems(tab)
    sign_in(tab, site, counted)
    expect(tab.locator("h1")).to_have_text("Analytics")

    charts = tab.locator("svg.analytics-chart__svg")
    assert charts.count() >= 5
    for n in range(charts.count()):
        box = charts.nth(n).bounding_box()
        assert box and box["width"] > 200 and box["height"] > 40
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    expect(tab.locator("#analytics-daily polyline.analytics-chart__line--1")).to_be_visible()
    expect(tab.locator("#analytics-drop-off rect.analytics-chart__bar").first).to_be_visible()

    assert tab.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]
    assert _smallest_chart_text(tab) >= SMALLEST_TEXT
    assert _text_outside_charts(tab) == []
    assert _axe(tab) == []
    assert problems.console == []
    assert problems.csp_violations() == []

    SCREENSHOTS.mkdir(exist_ok=True)
    name = f"dashboard-{viewport['width']}-{scheme}.png"
    tab.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    context.close()


def test_the_filters_work_in_the_browser_and_a_bad_date_is_explained(page, site, counted, problems):
    sign_in(page, site, counted)
    starts = page.locator("#analytics-totals dd").first.inner_text()
    first = timezone.now().date() - timedelta(days=6)
    page.get_by_label("From:", exact=True).fill(first.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#analytics-daily tbody tr")).to_have_count(7)
    assert page.locator("#analytics-totals dd").first.inner_text() != starts

    page.goto(f"{site}{URL}?from=31-05-2026")
    expect(page.locator("#id_from_error")).to_contain_text("Enter a date like")
    expect(page.locator("#analytics-daily tbody tr")).to_have_count(30)
    assert problems.console == []
    assert problems.csp_violations() == []
