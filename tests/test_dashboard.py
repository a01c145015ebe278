"""The staff analytics dashboard at /admin/analytics/: its figures, filters, CSV, access rules
and query count, on counts seeded straight into DailyCount."""

import csv
import io
import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decision import analytics, services
from decision.analytics import VERSION_LENGTH
from decision.content.store import InvalidContent
from decision.dashboard_figures import NO_RATE
from decision.models import DailyCount, Question
from decision.services import cached_content
from tests.factories import comparison_data, load_data, load_flagship

pytestmark = pytest.mark.django_db

FLAGSHIP = "kubernetes-vs-serverless"
URL = "/admin/analytics/"
OLD_VERSION = "0123456789ab"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def today():
    return timezone.now().date()


def _version(slug=FLAGSHIP) -> str:
    return cached_content(slug).fingerprint[:VERSION_LENGTH]


def _count(day, event, subject="", count=1, *, slug=FLAGSHIP, version=None):
    return DailyCount(
        comparison_slug=slug,
        version=version or _version(slug),
        day=day,
        event=event,
        subject=subject,
        count=count,
    )


@pytest.fixture
def flagship():
    return load_flagship()


@pytest.fixture
def seeded(flagship):
    """Two days of a known scenario, a day outside the default range, and an older version.

    Thirty visitors start; 27 answer the first question; the follow-up `volume` (asked only
    after steady traffic) is shown to 6, of whom 3 answer: a 50% drop-off over its own six.
    """
    day1, day2 = today() - timedelta(days=2), today() - timedelta(days=1)
    rows = [
        _count(day1, "start", count=10),
        _count(day2, "start", count=20),
        _count(day1, "shown", "location", 10),
        _count(day2, "shown", "location", 20),
        _count(day1, "answered", "location", 9),
        _count(day2, "answered", "location", 18),
        _count(day2, "choice", "location/one-cloud", 20),
        _count(day2, "choice", "location/not-sure", 7),
        _count(day2, "shown", "volume", 6),
        _count(day2, "answered", "volume", 3),
        _count(day2, "choice", "volume/heavy", 3),
        _count(day2, "shown", "retired-question", 4),
        _count(day2, "answered", "retired-question", 1),
        _count(day2, "review", count=13),
        _count(day1, "result", count=4),
        _count(day2, "result", count=8),
        _count(day2, "outcome", "serverless", 8),
        _count(day2, "outcome", "combine", 3),
        _count(day2, "outcome", "retired-option", 1),
        _count(day2, "vote", "yes", 2),
        _count(day2, "vote", "no", 1),
        _count(day2, "lead", count=1),
        # Outside the default 30 days: never counted on the default page.
        _count(today() - timedelta(days=40), "start", count=500),
        # The same day under an older version of the content.
        _count(day2, "start", count=5, version=OLD_VERSION),
        _count(day2, "result", count=5, version=OLD_VERSION),
    ]
    DailyCount.objects.bulk_create(rows)
    return day1, day2


def _view_only_user(django_user_model, username="analyst"):
    user = django_user_model.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_dailycount", content_type__app_label="decision")
    )
    return user


def _section(html: str, section_id: str) -> str:
    """The element with this id, up to its own closing tag (sections may nest)."""
    start = html.index(f'id="{section_id}"')
    tag = html[html.rindex("<", 0, start) + 1 :].split(None, 1)[0]
    depth, at = 1, start
    while depth:
        opening = html.find(f"<{tag}", at)
        closing = html.index(f"</{tag}>", at)
        if opening != -1 and opening < closing:
            depth, at = depth + 1, opening + 1
        else:
            depth, at = depth - 1, closing + 1
    return html[start:at]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def _rows(html: str) -> list[list[str]]:
    """Each table row of `html` as its cells' text (header rows included)."""
    return [
        [_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    ]


def _row(html: str, section_id: str, first: str) -> list[str]:
    found = [row for row in _rows(_section(html, section_id)) if row and row[0] == first]
    assert found, f"no row {first!r} in {section_id}"
    return found[0]


def _totals(html: str) -> dict[str, str]:
    block = _section_dl(html)
    return dict(
        zip(
            [_text(t) for t in re.findall(r"<dt>(.*?)</dt>", block, re.S)],
            [_text(t) for t in re.findall(r"<dd>(.*?)</dd>", block, re.S)],
            strict=True,
        )
    )


def _section_dl(html: str) -> str:
    start = html.index('id="analytics-totals"')
    return html[start : html.index("</dl>", start)]


# --- the figures ---------------------------------------------------------------------------


def test_the_page_shows_the_scenarios_figures(staff, seeded):
    _, day2 = seeded
    response = staff.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    totals = _totals(html)
    # Every version by default: 30 + 5 starts, 12 + 5 results.
    assert totals["Starts"] == "35"
    assert totals["Results"] == "17"
    assert totals["Completion rate"] == f"{17 / 35:.0%}"
    assert totals["Reached review"] == "13"
    assert totals["Votes"] == "3"
    assert totals["Leads"] == "1"

    days = _rows(_section(html, "analytics-daily"))
    assert _text(days[0][0]) == "Day"
    day2_row = _row(html, "analytics-daily", f"{day2:%a} {day2.day} {day2:%b}")
    assert day2_row[1:] == ["25", "13", f"{13 / 25:.0%}", "1"]
    assert len(days) == 1 + 30 + 1  # header, 30 days, the totals row

    content = cached_content(FLAGSHIP).content
    prompts = {q.slug: q.prompt for q in content.questions}
    # The follow-up's drop-off is over the six visitors shown it, not over the 35 who started.
    assert _row(html, "analytics-drop-off", prompts["volume"])[1:] == ["6", "3", "3", "50%"]
    assert _row(html, "analytics-drop-off", prompts["location"])[1:] == ["30", "27", "3", "10%"]
    assert _row(html, "analytics-drop-off", prompts["regulation"])[1:] == ["0", "0", "0", NO_RATE]
    retired = _row(html, "analytics-drop-off", "retired-question (no longer asked)")
    assert retired[1:] == ["4", "1", "3", "75%"]


def test_drop_off_lists_questions_in_wizard_order_then_those_no_longer_asked(staff, seeded):
    html = staff.get(URL).content.decode()
    content = cached_content(FLAGSHIP).content
    firsts = [row[0] for row in _rows(_section(html, "analytics-drop-off"))[1:]]
    assert firsts == [q.prompt for q in content.questions] + ["retired-question (no longer asked)"]


def test_answers_outcomes_and_votes_are_named_from_the_content(staff, seeded):
    html = staff.get(URL).content.decode()
    content = cached_content(FLAGSHIP).content
    location = content.questions[0]
    assert location.slug == "location"
    answers = _section(html, "analytics-answers-1")
    assert location.prompt in answers
    labels = {choice.slug: choice.label for choice in location.choices}
    rows = {row[0]: row[1:] for row in _rows(answers) if row}
    assert rows[labels["one-cloud"]] == ["20", f"{20 / 27:.0%}"]
    assert rows["Not sure"] == ["7", f"{7 / 27:.0%}"]

    names = {option.slug: option.name for option in content.options}
    outcomes = {row[0]: row[1:] for row in _rows(_section(html, "analytics-outcomes"))}
    assert outcomes[names["serverless"]] == ["8", f"{8 / 12:.0%}"]
    assert outcomes[names["kubernetes"]] == ["0", "0%"]
    combine = next(name for name in outcomes if name.startswith("Combine"))
    assert outcomes[combine] == ["3", "25%"]
    assert outcomes["retired-option (not in the current content)"] == ["1", f"{1 / 12:.0%}"]

    votes = {row[0]: row[1:] for row in _rows(_section(html, "analytics-votes"))}
    assert votes == {
        "Answer": ["Votes", "Share"],
        "Yes": ["2", "67%"],
        "Partly": ["0", "0%"],
        "No": ["1", "33%"],
    }


def test_each_question_links_to_its_admin_page(staff, seeded):
    html = staff.get(URL).content.decode()
    volume = Question.objects.get(comparison__slug=FLAGSHIP, slug="volume")
    link = reverse("admin:decision_question_change", args=[volume.pk])
    assert f'href="{link}"' in _section(html, "analytics-drop-off")
    assert f'href="{link}"' in _section(html, "analytics-answers")


def test_the_page_writes_this_processs_pending_counts_before_reading(staff, flagship, settings):
    settings.ANALYTICS_FLUSH_SIZE = 10_000
    settings.ANALYTICS_FLUSH_SECONDS = 3600
    request = RequestFactory().get("/", HTTP_USER_AGENT=BROWSER)
    analytics.record(request, FLAGSHIP, _version(), [("start", "")] * 1)
    assert not DailyCount.objects.exists()
    html = staff.get(URL).content.decode()
    assert _totals(html)["Starts"] == "1"


# --- filters -------------------------------------------------------------------------------


def test_the_date_filter_leaves_out_rows_outside(staff, seeded):
    day1, _ = seeded
    html = staff.get(URL, {"from": day1.isoformat(), "to": day1.isoformat()}).content.decode()
    totals = _totals(html)
    assert totals["Starts"] == "10"
    assert totals["Results"] == "4"
    assert len(_rows(_section(html, "analytics-daily"))) == 3

    old = today() - timedelta(days=40)
    html = staff.get(URL, {"from": old.isoformat(), "to": old.isoformat()}).content.decode()
    assert _totals(html)["Starts"] == "500"


def test_the_version_filter_shows_one_version_and_offers_the_versions_seen(staff, seeded):
    html = staff.get(URL).content.decode()
    current = _version()
    assert f'value="{current}"' in html
    assert f'value="{OLD_VERSION}"' in html
    assert "(current," in html

    html = staff.get(URL, {"version": OLD_VERSION}).content.decode()
    totals = _totals(html)
    assert totals["Starts"] == "5"
    assert totals["Results"] == "5"
    assert f"content version {OLD_VERSION}" in html

    html = staff.get(URL, {"version": current}).content.decode()
    assert _totals(html)["Starts"] == "30"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from": "garbage"}, "from", "Enter a date like"),
        ({"to": "2026-02-31"}, "to", "Enter a date like"),
        ({"from": "2026-05-10", "to": "2026-05-01"}, "from", "The first day is after the last"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "to", "Pick at most 366 days"),
    ],
)
def test_bad_dates_show_an_error_on_the_field_and_the_default_range(
    staff, seeded, query, field, message
):
    response = staff.get(URL, query)
    assert response.status_code == 200
    html = response.content.decode()
    errors = re.search(rf'id="id_{field}_error"[^>]*>(.*?)</ul>', html, re.S)
    assert errors and message in _text(errors.group(1))
    assert 'id="analytics-fell-back"' in html
    assert _totals(html)["Starts"] == "35"  # the default 30 days
    assert len(_rows(_section(html, "analytics-daily"))) == 32


def test_bad_comparison_and_version_fall_back_without_crashing(staff, seeded):
    response = staff.get(URL, {"comparison": "no-such-thing", "version": "<script>"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>" not in _section(html, "content-main")
    assert "Select a valid choice" in html
    assert _totals(html)["Starts"] == "35"


def test_the_comparison_select_defaults_to_the_first_and_switches(staff, seeded):
    other = load_data(comparison_data("other-thing"))
    DailyCount.objects.create(
        comparison_slug=other.slug, version="abc", day=today(), event="start", count=4
    )
    html = staff.get(URL).content.decode()
    first = _totals(html)["Starts"]
    html = staff.get(URL, {"comparison": other.slug}).content.decode()
    assert _totals(html)["Starts"] == "4"
    assert first == "35"
    assert "Question 1?" in _section(html, "analytics-drop-off")


def test_content_that_no_longer_validates_still_shows_the_counts_by_slug(
    staff, seeded, monkeypatch
):
    def invalid(slug):
        raise InvalidContent(slug, [("questions", "broken")])

    monkeypatch.setattr("decision.dashboard_views.cached_content", invalid)
    response = staff.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "does not validate" in html
    assert _row(html, "analytics-drop-off", "volume")[1:] == [
        "6",
        "3",
        "3",
        "50%",
    ]
    assert _totals(html)["Starts"] == "35"


def test_a_site_without_comparisons_still_shows_the_page(staff):
    response = staff.get(URL)
    assert response.status_code == 200
    assert "There are no comparisons yet" in response.content.decode()


# --- CSV -----------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_has_every_row_in_range_and_escapes_formulas(staff, seeded):
    _, day2 = seeded
    DailyCount.objects.create(
        comparison_slug=FLAGSHIP,
        version=_version(),
        day=day2,
        event="choice",
        subject="=HYPERLINK(1)",
        count=2,
    )
    html = staff.get(URL).content.decode()
    link = re.search(r'href="([^"]*format=csv[^"]*)"', html).group(1)
    response = staff.get(URL + unescape(link))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    rows = _csv(response)
    assert rows[0] == ["day", "comparison", "version", "event", "subject", "count"]
    in_range = DailyCount.objects.filter(day__gte=today() - timedelta(days=29))
    assert len(rows) - 1 == in_range.count()
    assert [day2.isoformat(), FLAGSHIP, _version(), "choice", "'=HYPERLINK(1)", "2"] in rows
    assert not any(cell.startswith("=") for row in rows for cell in row)
    assert "500" not in [row[-1] for row in rows]  # the day outside the range


def test_the_csv_carries_the_filters(staff, seeded):
    _, day2 = seeded
    response = staff.get(URL, {"format": "csv", "from": day2, "to": day2, "version": OLD_VERSION})
    rows = _csv(response)[1:]
    assert sorted(rows) == [
        [day2.isoformat(), FLAGSHIP, OLD_VERSION, "result", "", "5"],
        [day2.isoformat(), FLAGSHIP, OLD_VERSION, "start", "", "5"],
    ]


# --- who may see it ------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?format=csv"])
def test_anonymous_visitors_are_sent_to_the_admin_sign_in_and_see_nothing(client, seeded, query):
    response = client.get(URL + query)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert b"serverless" not in response.content
    assert b"35" not in response.content


def test_staff_without_the_permission_are_refused(client, django_user_model, seeded):
    user = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    client.force_login(user)
    for query in ("", "?format=csv"):
        response = client.get(URL + query)
        assert response.status_code == 403
        assert b"analytics-totals" not in response.content
        assert b"retired-option" not in response.content


def test_staff_with_only_the_view_permission_see_it_without_question_links(
    client, django_user_model, seeded
):
    client.force_login(_view_only_user(django_user_model))
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert _totals(html)["Starts"] == "35"
    assert "/admin/decision/question/" not in html  # pages this user may not open
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_admin_index_links_to_the_dashboard_only_for_those_who_may_see_it(
    client, django_user_model, staff
):
    assert f'href="{URL}"' in staff.get("/admin/").content.decode()

    client.force_login(_view_only_user(django_user_model))
    assert f'href="{URL}"' in client.get("/admin/").content.decode()

    clerk = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    client.force_login(clerk)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert f'href="{URL}"' not in response.content.decode()


# --- the page itself -----------------------------------------------------------------------


def test_charts_are_svg_with_title_and_description_and_no_style_attribute(staff, seeded):
    html = staff.get(URL).content.decode()
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert len(svgs) >= 5
    for svg in svgs:
        assert "style=" not in svg
    charts = [svg for svg in svgs if 'role="img"' in svg]
    assert charts
    for svg in charts:
        assert re.search(r"<title id=\"[^\"]+\">[^<]+</title>", svg)
        assert re.search(r"<desc id=\"[^\"]+\">[^<]+</desc>", svg)
    assert "style=" not in _section(html, "content-main")
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "an id is used twice"


def test_every_wide_table_scrolls_in_a_labelled_focusable_region(staff, seeded):
    html = _section(staff.get(URL).content.decode(), "content-main")
    regions = re.findall(r'<div class="analytics-table"([^>]*)>', html)
    assert len(regions) == html.count("<table>")
    for attributes in regions:
        assert 'role="region"' in attributes
        assert 'tabindex="0"' in attributes
        assert "aria-labelledby=" in attributes


def _queries(client, **params) -> int:
    cache.clear()
    services.forget()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(queries)


def _seed_many(slug: str, days: int, questions: list[str]):
    version = _version(slug)
    rows = []
    for n in range(days):
        day = today() - timedelta(days=n)
        rows.append(_count(day, "start", count=n + 1, slug=slug, version=version))
        for question in questions:
            rows += [
                _count(day, "shown", question, 5, slug=slug, version=version),
                _count(day, "answered", question, 4, slug=slug, version=version),
                _count(day, "choice", f"{question}/favour-option-1", 4, slug=slug, version=version),
            ]
        rows.append(_count(day, "start", count=1, slug=slug, version=f"v{n:011d}"))
    DailyCount.objects.bulk_create(rows)


def test_the_query_count_does_not_grow_with_days_questions_or_versions(
    staff, django_assert_max_num_queries
):
    small = load_data(comparison_data("small", questions=3))
    large = load_data(comparison_data("large", questions=9))
    _seed_many(small.slug, 2, [f"question-{n}" for n in range(1, 4)])
    _seed_many(large.slug, 60, [f"question-{n}" for n in range(1, 10)])

    few = _queries(staff, comparison=small.slug)
    many = _queries(
        staff, comparison=large.slug, **{"from": today() - timedelta(days=90), "to": today()}
    )
    assert few == many
    cache.clear()
    services.forget()
    with django_assert_max_num_queries(few):
        staff.get(URL, {"comparison": large.slug})
