"""The admin "Content health" page: the pure report first, then the page built on it."""

from datetime import date
from html.parser import HTMLParser

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decision import content_health
from decision.content.schema import ComparisonSchema, validate
from decision.content.store import comparison_data as stored_data
from decision.content.store import load_tree
from decision.content_health import admin_url
from decision.health_report import health_report
from decision.models import Caveat, Choice, FaqEntry, Option, Question, Scenario
from tests.factories import (
    FLAGSHIP,
    comparison_data,
    load_data,
    load_flagship,
    modified,
    sourced,
)

TODAY = date(2025, 6, 1)
# Three informative answers: fewer are not enough for the engine to go on.
ANSWERS = {
    "question-1": "favour-option-1",
    "question-2": "favour-option-1",
    "question-3": "favour-option-1",
}


def problem_data(slug: str = "demo", **sizes) -> dict:
    """Valid content with one of each problem the report finds in valid content."""

    def change(data):
        data["questions"][2]["choices"].append(
            {
                "slug": "no-preference",
                "label": "No preference",
                "why": "Either would do.",
                "weights": {"option-1": 0},
            }
        )
        data["options"][1]["sources"].append("http://example.com/old-pricing")
        data["dimensions"][0]["sources"] = ["http://example.org/benchmark"]
        data["faq"][1]["sources"] = ["https://example.net/ok", "http://example.net/faq"]
        data["scenarios"] = [
            {
                "slug": "leans-one",
                "name": "Leans to one",
                "answers": dict(ANSWERS),
                "outcome": "option-1",
            },
            {
                "slug": "wrong",
                "name": "Expects the other",
                "answers": dict(ANSWERS),
                "outcome": "option-2",
            },
        ]

    return modified(comparison_data(slug, **sizes), change)


def valid(data: dict) -> ComparisonSchema:
    content, problems = validate(data)
    assert content is not None, problems
    return content


# --- The pure report ----------------------------------------------------------------------


def test_clean_content_reports_nothing():
    data = modified(
        sourced(comparison_data(), as_of="2025-05"),
        lambda d: d.update(
            scenarios=[{"slug": "a", "name": "A", "answers": ANSWERS, "outcome": "option-1"}]
        ),
    )
    report = health_report(valid(data), today=TODAY)
    assert report.problem_count == 0
    assert [check.passed for check in report.scenarios] == [True]
    assert report.unreachable_questions == ()
    assert report.inert_choices == ()
    assert report.insecure_sources == ()
    assert report.stale_facts == ()
    assert report.unsourced_figures == ()


def test_every_scenario_is_listed_with_expected_and_actual_outcome():
    report = health_report(valid(problem_data()), today=TODAY)

    passing, failing = report.scenarios
    assert (passing.path, passing.expected, passing.actual, passing.passed) == (
        "scenarios[0]",
        "option-1",
        "option-1",
        True,
    )
    assert (failing.path, failing.expected, failing.actual, failing.passed) == (
        "scenarios[1]",
        "option-2",
        "option-1",
        False,
    )
    assert (failing.expected_label, failing.actual_label) == ("Option 2", "Option 1")
    assert failing.answers == tuple(ANSWERS.items())
    assert report.passed == (passing,)
    assert report.failed == (failing,)


def test_combine_and_no_fit_read_as_words():
    def change(data):
        data["scenarios"] = [
            {
                "slug": "nothing-fits",
                "name": "Nothing fits",
                "answers": {"question-1": "must-avoid"},
                "outcome": "combine",
            }
        ]
        # Rule the other option out too, so no option is left.
        data["questions"][0]["choices"][2]["rules_out"].append(
            {"option": "option-1", "reason": "Another hard limit."}
        )

    [check] = health_report(valid(modified(comparison_data(), change)), today=TODAY).scenarios
    assert check.expected_label == "Combine them"
    assert check.actual == "no-fit"
    assert check.actual_label.startswith("No fit")


def test_zero_weight_choices_are_reported_and_weighted_ones_are_not():
    def change(data):
        data["questions"][0]["choices"].append(
            {"slug": "no-weights", "label": "No weights", "why": "Nothing at all."}
        )

    report = health_report(valid(modified(problem_data(), change)), today=TODAY)
    assert [(c.path, c.slug) for c in report.inert_choices] == [
        ("questions[0].choices[3]", "no-weights"),
        ("questions[2].choices[2]", "no-preference"),
    ]
    # `must-avoid` has no weights but rules an option out: it can change an outcome.
    assert "must-avoid" not in {c.slug for c in report.inert_choices}


def test_http_sources_are_reported_with_where_they_are_cited():
    report = health_report(valid(problem_data()), today=TODAY)
    assert [(s.path, s.url) for s in report.insecure_sources] == [
        ("options[1].sources[1]", "http://example.com/old-pricing"),
        ("dimensions[0].sources[0]", "http://example.org/benchmark"),
        ("faq[1].sources[1]", "http://example.net/faq"),
    ]
    assert report.insecure_sources[0].owner == "Option “Option 2”"


def test_a_show_if_chain_hanging_from_an_unreachable_question_is_unreachable():
    def change(data):
        # question-2 waits for a later question, which the wizard never asks first...
        data["questions"][1]["show_if"] = {"question": "question-3", "choice": "favour-option-1"}
        # ...so question-4, shown only after question-2, cannot be reached either.
        follow_up = {**data["questions"][2], "slug": "question-4", "prompt": "Question 4?"}
        follow_up["show_if"] = {"question": "question-2", "choice": "favour-option-1"}
        # question-5 waits for an answer question-1 does not have.
        orphan = {**data["questions"][2], "slug": "question-5", "prompt": "Question 5?"}
        orphan["show_if"] = {"question": "question-1", "choice": "no-such-answer"}
        data["questions"] += [follow_up, orphan]

    data = modified(comparison_data(), change)
    # The schema's reference checks refuse this; the report still explains it.
    assert validate(data)[0] is None
    content = ComparisonSchema.model_validate(data)

    report = health_report(content, today=TODAY)
    assert [(q.path, q.slug) for q in report.unreachable_questions] == [
        ("questions[1]", "question-2"),
        ("questions[3]", "question-4"),
        ("questions[4]", "question-5"),
    ]
    assert "not asked before it" in report.unreachable_questions[0].reason
    assert "no visitor reaches" in report.unreachable_questions[1].reason
    assert "not one of its choices" in report.unreachable_questions[2].reason


def test_valid_follow_up_questions_are_reachable():
    report = health_report(valid(comparison_data(questions=5)), today=TODAY)
    assert report.unreachable_questions == ()


def test_facts_checked_more_than_180_days_ago_are_listed_oldest_first():
    def change(data):
        data["faq"][1]["as_of"] = "2024-10"
        data["questions"][0]["choices"][2]["caveats"] = [
            {
                "option": "option-2",
                "form": "The long-running form",
                "text": "Runs up to 12 hours.",
                "sources": ["https://example.com/jobs"],
                "as_of": "2024-12",
            }
        ]

    content = valid(modified(sourced(comparison_data(), as_of="2025-05"), change))

    def stale_on(day: date) -> list[tuple[str, str]]:
        return [(f.path, f.as_of) for f in health_report(content, today=day).stale_facts]

    assert stale_on(date(2024, 12, 15)) == []
    # 2024-12-01 is exactly 180 days before 2025-05-30: not older than 180 days yet.
    assert stale_on(date(2025, 5, 30)) == [("faq[1]", "2024-10")]
    assert stale_on(date(2025, 5, 31)) == [
        ("faq[1]", "2024-10"),
        ("questions[0].choices[2].caveats[0]", "2024-12"),
    ]
    stale = health_report(content, today=date(2025, 5, 31)).stale_facts
    assert stale[1].what == "caveat “The long-running form”"
    assert stale[1].sources == ("https://example.com/jobs",)
    assert "12" in stale[1].figures

    assert len(stale_on(date(2026, 1, 1))) > 2  # everything checked in 2025-05 is due by then


def test_figures_without_a_source_or_a_month_are_listed():
    def change(data):
        del data["options"][0]["as_of"]
        data["faq"][0]["sources"] = []

    report = health_report(valid(modified(sourced(comparison_data()), change)), today=TODAY)
    assert [figure.path for figure in report.unsourced_figures] == ["options[0]", "faq[0]"]
    assert "lacks an as_of month" in report.unsourced_figures[0].message
    assert "lacks a source" in report.unsourced_figures[1].message
    assert report.problem_count == 2


# --- The admin page -----------------------------------------------------------------------


class _Links(HTMLParser):
    """Every href inside the page's main content."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and (self.depth or attrs.get("id") == "content-main"):
            self.depth += 1
        if tag == "a" and self.depth and attrs.get("href"):
            self.hrefs.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "div" and self.depth:
            self.depth -= 1


def links_in(response) -> list[str]:
    parser = _Links()
    parser.feed(response.content.decode())
    return parser.hrefs


def health_url(comparison) -> str:
    return reverse("admin:decision_comparison_health", args=[comparison.pk])


def change_url(row) -> str:
    return reverse(f"admin:decision_{row._meta.model_name}_change", args=[row.pk])


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_page_lists_each_problem_with_a_link_that_works(admin_client):
    comparison = load_data(problem_data())
    response = admin_client.get(health_url(comparison))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Scenarios: 1 pass, 1 fail" in page
    assert "1 choice that changes no outcome" in page
    assert "3 sources not on HTTPS" in page
    for text in ("Expects the other", "No preference", "http://example.org/benchmark"):
        assert text in page

    # Each problem links to the page where it is fixed.
    wrong = Scenario.objects.get(slug="wrong")
    question = Question.objects.get(comparison=comparison, slug="question-3")
    expected = {
        change_url(wrong),
        change_url(question),
        change_url(Option.objects.get(comparison=comparison, slug="option-2")),
        change_url(comparison.dimensions.get(slug="dimension-1")),
        change_url(FaqEntry.objects.get(comparison=comparison, question="Question 2?")),
    }
    hrefs = links_in(response)
    assert expected <= set(hrefs)
    [failing, _] = response.context["scenarios"]
    assert failing.item.slug == "wrong"
    assert failing.fix_url == change_url(wrong)
    walk = reverse("decision:wizard", args=[comparison.slug])
    assert failing.walk_url == (
        f"{walk}?question-1=favour-option-1&question-2=favour-option-1&question-3=favour-option-1"
    )
    assert failing.walk_url in hrefs

    for href in hrefs:
        # A scenario that answers every question walks on to "check your answers".
        assert admin_client.get(href, follow=True).status_code == 200, href


@pytest.mark.django_db
def test_content_that_fails_its_schema_shows_the_problems_instead(admin_client):
    comparison = load_data(comparison_data())
    question = Question.objects.get(comparison=comparison, slug="question-2")
    later = Choice.objects.get(
        question__comparison=comparison, question__slug="question-3", slug="favour-option-1"
    )
    # Written around the admin gate, as a raw database edit would be.
    Question.objects.filter(pk=question.pk).update(show_if=later)

    response = admin_client.get(health_url(comparison))
    assert response.status_code == 200
    assert response.context["report"] is None
    page = response.content.decode()
    assert "does not pass its schema" in page
    assert "questions[1].show_if.question" in page
    assert "Walk this scenario" not in page
    assert change_url(question) in links_in(response)
    for href in links_in(response):
        assert admin_client.get(href).status_code == 200, href


@pytest.mark.django_db
def test_problem_paths_link_to_the_nearest_page_admin_edits(admin_client):
    from django.contrib import admin

    comparison = load_data(comparison_data())
    _, rows = stored_data(load_tree(pk=comparison.pk))
    option = comparison.options.first()
    question = comparison.questions.first()
    assert admin_url(admin.site, rows, "options[0].pros[1]") == change_url(option)
    assert admin_url(admin.site, rows, "questions[0].choices[0].weights.option-1") == (
        change_url(question)
    )
    assert admin_url(admin.site, rows, "default_option") == change_url(comparison)


@pytest.mark.django_db
def test_the_flagship_passes_every_scenario(admin_client):
    comparison = load_flagship()
    scenarios = yaml.safe_load(FLAGSHIP.read_text())["scenarios"]

    response = admin_client.get(health_url(comparison))
    assert response.status_code == 200
    report = response.context["report"]
    assert len(report.passed) == len(scenarios) > 0
    assert report.failed == ()
    assert f"Scenarios: {len(scenarios)} pass, 0 fail" in response.content.decode()
    assert response.content.decode().count("Walk this scenario") == len(scenarios)


@pytest.mark.django_db
def test_visitors_and_non_staff_users_are_sent_to_the_login_page(client, django_user_model):
    comparison = load_data(comparison_data())
    url = health_url(comparison)
    login = reverse("admin:login")

    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(login)

    client.force_login(django_user_model.objects.create_user("visitor", password="pw"))
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(login)


@pytest.mark.django_db
def test_the_page_runs_the_same_number_of_queries_whatever_the_content_size(admin_client):
    small = load_data(problem_data("small"))
    large = load_data(
        problem_data("large", options=5, dimensions=12, faq=8, points=4, criteria=3, questions=9)
    )
    admin_client.get(health_url(small))  # warm the per-process caches (content types, …)

    counts = []
    for comparison in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(health_url(comparison))
            response.render()
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_the_page_lists_facts_to_recheck_against_a_clock_tests_set(admin_client, monkeypatch):
    def change(data):
        data["options"][1]["as_of"] = "2024-01"
        data["questions"][0]["choices"][0]["caveats"] = [
            {
                "option": "option-2",
                "form": "The long-running form",
                "text": "Runs up to 12 hours.",
                "sources": ["https://example.com/jobs"],
                "as_of": "2024-03",
            }
        ]

    comparison = load_data(modified(sourced(comparison_data(), as_of="2025-05"), change))
    monkeypatch.setattr(content_health, "today", lambda: date(2025, 6, 1))

    response = admin_client.get(health_url(comparison))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Facts to re-check (checked more than 180 days ago, oldest first)" in page
    assert "2 facts to re-check · 0 figures without a source or month" in page
    stale = page.split('id="health-stale"')[1].split("</table>")[0]
    option = Option.objects.get(comparison=comparison, slug="option-2")
    caveat = Caveat.objects.get(choice__question__comparison=comparison)
    assert stale.index("option “Option 2”") < stale.index("caveat “The long-running form”")
    assert f'<a href="{change_url(option)}">option “Option 2”</a>' in stale
    # A caveat is edited on its answer's own page.
    assert f'<a href="{change_url(caveat.choice)}">caveat “The long-running form”</a>' in stale
    assert '<time datetime="2024-01">2024-01</time>' in stale
    assert "https://example.com/jobs" in stale
    for href in (change_url(option), change_url(caveat.choice)):
        assert admin_client.get(href).status_code == 200, href

    monkeypatch.setattr(content_health, "today", lambda: date(2024, 2, 1))
    page = admin_client.get(health_url(comparison)).content.decode()
    assert "0 facts to re-check" in page
    assert "None: every dated fact was checked in the last 180 days." in page


@pytest.mark.django_db
def test_the_page_lists_figures_without_a_source_or_month(admin_client):
    comparison = load_data(comparison_data())  # the factory's figures name no month
    response = admin_client.get(health_url(comparison))
    section = response.content.decode().split('id="health-unsourced"')[1].split("</table>")[0]
    assert "Figures without a source or month" in section
    option = Option.objects.get(comparison=comparison, slug="option-1")
    assert f'<a href="{change_url(option)}">options[0]</a>' in section
    assert "option “Option 1” states" in section and "lacks an as_of month" in section
