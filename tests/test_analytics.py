"""Counting the wizard (`decision.analytics`): the stored figures match what visitors did.

A scripted set of visits to the factory's parts comparison (`where`, the multiple question
`parts`, `traffic`, `hours` only after `traffic=steady`, `job-length` only about `jobs`,
`team`), by browsers with and without JavaScript, bots and prefetches; then batching, a
failing database, and writers in parallel threads.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from html import unescape
from unittest import mock

import pytest
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.test import Client, RequestFactory

from decision import analytics, services
from decision.models import DailyCount, Result
from decision.vocabulary import NOT_SURE
from tests.factories import load_data, parts_comparison_data
from tests.forms_html import step_form

pytestmark = pytest.mark.django_db

SLUG = "parts-demo"
WIZARD = f"/{SLUG}/wizard/"
REVIEW = f"/{SLUG}/wizard/review/"

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
BINGBOT = (
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0;"
    " +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36"
)
HEADLESS_CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " HeadlessChrome/131.0.0.0 Safari/537.36"
)
HTMX = {"HTTP_HX_REQUEST": "true"}
RESTORE = {**HTMX, "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}  # htmx sends both


@pytest.fixture
def demo():
    return load_data(parts_comparison_data())


def stored() -> Counter:
    """What is stored, as {(event, subject): count}."""
    return Counter({(row.event, row.subject): row.count for row in DailyCount.objects.all()})


def stored_keys() -> set[tuple]:
    return set(DailyCount.objects.values_list("comparison_slug", "version", "day").distinct())


class Visitor:
    """A browser on the wizard: with htmx (steps swapped in place, their address pushed) or
    without JavaScript (each step's form submitted, its redirect followed)."""

    def __init__(self, *, htmx: bool, user_agent: str | None = CHROME):
        agent = {} if user_agent is None else {"HTTP_USER_AGENT": user_agent}
        self.client = Client(**agent)
        self.htmx = htmx
        self.url = ""  # the address bar
        self.html = ""
        self.etag = None
        self.result = None

    def open(self, url: str, **headers) -> None:
        """Follow a link or type an address: a whole page."""
        response = self.client.get(url, **headers)
        assert response.status_code == 200, (url, response.status_code)
        self.url, self.html, self.etag = url, response.content.decode(), response.get("ETag")

    def back(self) -> None:
        """Press the step's Back link (htmx swaps the step before in, and pushes its address)."""
        url = unescape(re.search(r'<a class="button" href="([^"]+)"', self.html).group(1))
        if not self.htmx:
            self.open(url)
            return
        response = self.client.get(url, **HTMX)
        assert response.status_code == 200
        self.url, self.html, self.etag = url, response.content.decode(), None

    def change(self, question: str) -> None:
        """Press the review page's "Change" link of this question."""
        links = re.findall(r'<a href="([^"]+)"', self.html)
        url = next(unescape(u) for u in links if f"step={question}&amp;return=review" in u)
        self.open(url)

    def reload(self) -> None:
        """Reload the page: revalidated when the browser holds a copy, else fetched again."""
        if self.etag:
            response = self.client.get(self.url, HTTP_IF_NONE_MATCH=self.etag)
            assert response.status_code == 304
        else:
            response = self.client.get(self.url, HTTP_CACHE_CONTROL="max-age=0")
            assert response.status_code == 200

    def restore(self) -> None:
        """htmx restores the page from the server on a history navigation it has no copy of."""
        response = self.client.get(self.url, **RESTORE)
        assert response.status_code == 200
        assert "<html" in response.content.decode()

    def answer(self, *picked: str) -> None:
        """Submit the step on screen with this choice (or these parts)."""
        form = _form(self.html)
        assert form.method == "get"
        question = dict(form.hidden)["from"]
        data = [*form.hidden, *((question, choice) for choice in picked)]
        if self.htmx:
            response = self.client.get(form.action, _listed(data), **HTMX)
            assert response.status_code == 200, response
            self.url, self.html = response["HX-Push-Url"], response.content.decode()
            self.etag = None  # a swap fills no browser cache under the pushed address
            return
        response = self.client.get(form.action, _listed(data))
        assert response.status_code == 302, response
        self.open(response["Location"])

    def finish(self) -> Result:
        """Press the review page's button; land on the result."""
        form = _form(self.html)
        assert (form.method, self.url.split("?")[0]) == ("post", REVIEW)
        if self.htmx:
            response = self.client.post(form.action, _listed(form.hidden), **HTMX)
            location = response["HX-Redirect"]
        else:
            response = self.client.post(form.action, _listed(form.hidden))
            assert response.status_code == 302
            location = response["Location"]
        self.open(location)
        self.result = Result.objects.get(token=location.rstrip("/").rsplit("/", 1)[1])
        return self.result


def _form(html: str):
    """The wizard form of a whole page, or of a step htmx swaps into `#wizard`."""
    return step_form(html if 'id="wizard"' in html else f'<div id="wizard">{html}</div>')


def _listed(pairs) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    return data


def walk(visitor: Visitor, answers: list[tuple[str, ...]]) -> None:
    visitor.open(WIZARD)
    for picked in answers:
        visitor.answer(*picked)


def first_pass(*steps_taken: tuple[str, tuple[str, ...]], then: str | None = None) -> Counter:
    """The counts of one visitor's first pass: each question shown, answered and its choices;
    `then` is the question shown last (left unanswered), or "review"."""
    counts = Counter({("start", ""): 1})
    for question, picked in steps_taken:
        counts[("shown", question)] += 1
        counts[("answered", question)] += 1
        counts.update(("choice", f"{question}/{choice}") for choice in picked)
    if then == "review":
        counts[("review", "")] += 1
    elif then is not None:
        counts[("shown", then)] += 1
    return counts


def outcomes(*results: Result) -> Counter:
    counts = Counter({("result", ""): len(results)})
    counts.update(("outcome", result.outcome) for result in results)
    return counts


# --- the scripted visits -------------------------------------------------------------------


def test_the_counts_match_a_day_of_visits(demo):
    day_before = datetime.now(UTC).date()

    # Through the follow-up question, without JavaScript, every question but none skipped.
    alice = Visitor(htmx=False)
    walk(alice, [("any-cloud",), ("web", "jobs"), ("steady",), ("office",), ("minutes",)])
    alice.answer("ops")
    alice.finish()
    expected = first_pass(
        ("where", ("any-cloud",)),
        ("parts", ("web", "jobs")),
        ("traffic", ("steady",)),
        ("hours", ("office",)),
        ("job-length", ("minutes",)),
        ("team", ("ops",)),
        then="review",
    )

    # The other branch, with htmx: `hours` (and `job-length`, about jobs) never shown.
    bob = Visitor(htmx=True)
    walk(bob, [("any-cloud",), ("web",), ("spiky",), ("devs",)])
    bob.finish()
    expected += first_pass(
        ("where", ("any-cloud",)),
        ("parts", ("web",)),
        ("traffic", ("spiky",)),
        ("team", ("devs",)),
        then="review",
    )

    # One answer, then gone.
    carol = Visitor(htmx=True)
    walk(carol, [("any-cloud",)])
    expected += first_pass(("where", ("any-cloud",)), then="parts")

    # Reloads: the first page revalidated and restored from history, the review page
    # reloaded, the result reloaded. A knock-out leads straight to the review page.
    dave = Visitor(htmx=False)
    dave.open(WIZARD)
    assert dave.etag
    dave.reload()
    dave.restore()
    dave.answer("own-servers")
    assert dave.url.startswith(REVIEW)
    dave.reload()
    dave.finish()
    dave.reload()
    expected += first_pass(("where", ("own-servers",)), then="review")

    # With htmx: the pushed address reloaded and restored; "not sure" about the parts.
    frank = Visitor(htmx=True)
    walk(frank, [("any-cloud",)])
    frank.reload()
    frank.restore()
    frank.answer(NOT_SURE)
    frank.reload()
    expected += first_pass(("where", ("any-cloud",)), ("parts", (NOT_SURE,)), then="traffic")

    # Back two steps, past an answered one (kept), to change an earlier answer; then gone.
    erin = Visitor(htmx=True)
    walk(erin, [("any-cloud",), ("web",), ("spiky",)])
    erin.back()
    erin.back()
    assert "traffic=spiky" in erin.url and "step=parts" in erin.url
    erin.answer("web", "store")
    expected += first_pass(
        ("where", ("any-cloud",)), ("parts", ("web",)), ("traffic", ("spiky",)), then="team"
    )

    # A change from the review page, which opens the follow-up: none of it counts again.
    grace = Visitor(htmx=False)
    walk(grace, [("any-cloud",), ("web",), ("spiky",), ("ops",)])
    assert grace.url.startswith(REVIEW)
    grace.change("traffic")
    grace.answer("steady")
    assert "step=hours" in grace.url and "return=review" in grace.url
    grace.answer("office")
    assert grace.url.startswith(REVIEW)
    grace.finish()
    expected += first_pass(
        ("where", ("any-cloud",)),
        ("parts", ("web",)),
        ("traffic", ("spiky",)),
        ("team", ("ops",)),
        then="review",
    )

    # Nothing from a crawler's whole visit, a client that names no browser, or a prefetch.
    bot = Visitor(htmx=False, user_agent=GOOGLEBOT)
    walk(bot, [("any-cloud",), ("web",), ("steady",), ("all-day",), ("devs",)])
    bot.finish()
    nameless = Visitor(htmx=False, user_agent=None)
    walk(nameless, [("any-cloud",), ("jobs",)])
    prefetch = Client(HTTP_USER_AGENT=CHROME, HTTP_SEC_PURPOSE="prefetch")
    assert prefetch.get(WIZARD).status_code == 200
    assert prefetch.get(WIZARD, {"where": "any-cloud", "from": "where"}).status_code == 302
    legacy_prefetch = Client(HTTP_USER_AGENT=FIREFOX, HTTP_PURPOSE="prefetch")
    assert legacy_prefetch.get(WIZARD).status_code == 200

    expected += outcomes(alice.result, bob.result, dave.result, grace.result)
    analytics.flush()
    assert analytics._TALLY.pending() == 0
    assert stored() == expected
    # The figures the dashboard reads: starts, and drop-off over those who were shown a step.
    assert expected[("start", "")] == 7
    assert expected[("shown", "hours")] == expected[("answered", "hours")] == 1
    assert expected[("shown", "job-length")] == 1
    assert expected[("review", "")] == 4 and expected[("result", "")] == 4
    version = services.cached_content(SLUG).fingerprint[:12]
    assert {(slug, v) for slug, v, _ in stored_keys()} == {(SLUG, version)}
    assert {day for _, _, day in stored_keys()} <= {day_before, datetime.now(UTC).date()}


@pytest.mark.parametrize("choice", ["spiky", NOT_SURE])
@pytest.mark.parametrize("htmx", [False, True])
def test_going_back_one_step_to_answer_again_counts_nothing_more(demo, htmx, choice):
    """The step the Back link opens says in its form that its question had an answer
    (`again=1`): answering it again, the same or otherwise, is a change, not a first answer."""
    erin = Visitor(htmx=htmx)
    walk(erin, [("any-cloud",), ("web",), ("spiky",)])
    assert "step=team" in erin.url
    erin.back()
    assert "traffic=spiky" in erin.url and "step=traffic" in erin.url
    erin.answer(choice)
    assert "step=team" in erin.url
    analytics.flush()
    assert stored() == first_pass(
        ("where", ("any-cloud",)), ("parts", ("web",)), ("traffic", ("spiky",)), then="team"
    )


@pytest.mark.parametrize("htmx", [False, True])
def test_going_back_past_an_answered_step_to_change_an_answer_counts_nothing(demo, htmx):
    erin = Visitor(htmx=htmx)
    walk(erin, [("any-cloud",), ("web",), ("spiky",)])
    erin.back()
    erin.back()
    assert "traffic=spiky" in erin.url and "step=parts" in erin.url
    erin.answer("web", "jobs")  # `traffic`, answered after it, is kept: a change
    assert "step=traffic" in erin.url
    analytics.flush()
    assert stored() == first_pass(
        ("where", ("any-cloud",)), ("parts", ("web",)), ("traffic", ("spiky",)), then="team"
    )


def test_counting_turned_off_counts_nothing(demo, settings):
    settings.ANALYTICS_ENABLED = False
    visitor = Visitor(htmx=False)
    walk(visitor, [("own-servers",)])
    visitor.finish()
    assert analytics._TALLY.pending() == 0
    analytics.flush()
    assert not DailyCount.objects.exists()


# --- who counts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "user_agent",
    [GOOGLEBOT, BINGBOT, "curl/8.5.0", "python-requests/2.32.3", HEADLESS_CHROME, "", "  "],
)
def test_bots_scripts_and_no_user_agent_are_bots(user_agent):
    assert analytics.is_bot(user_agent)


@pytest.mark.parametrize("user_agent", [CHROME, FIREFOX, SAFARI_IPHONE])
def test_browsers_are_not_bots(user_agent):
    assert not analytics.is_bot(user_agent)


@pytest.mark.parametrize(
    "headers, counted",
    [
        ({"HTTP_USER_AGENT": CHROME}, True),
        ({"HTTP_USER_AGENT": SAFARI_IPHONE, **HTMX}, True),
        ({}, False),
        ({"HTTP_USER_AGENT": GOOGLEBOT}, False),
        ({"HTTP_USER_AGENT": CHROME, "HTTP_SEC_PURPOSE": "prefetch"}, False),
        ({"HTTP_USER_AGENT": CHROME, "HTTP_SEC_PURPOSE": "prefetch;prerender"}, False),
        ({"HTTP_USER_AGENT": FIREFOX, "HTTP_PURPOSE": "prefetch"}, False),
    ],
)
def test_which_requests_count(headers, counted, settings):
    assert analytics.counts_for(RequestFactory().get("/", **headers)) is counted
    settings.ANALYTICS_ENABLED = False
    assert analytics.counts_for(RequestFactory().get("/", **headers)) is False


# --- batching ------------------------------------------------------------------------------


def test_counts_wait_in_memory_until_a_flush(demo, settings):
    # The default size; a long wait, so that a pause of a loaded machine cannot flush early.
    settings.ANALYTICS_FLUSH_SECONDS = 3600
    for htmx in (False, True, False):
        walk(Visitor(htmx=htmx), [("any-cloud",), ("web",)])
    each = first_pass(("where", ("any-cloud",)), ("parts", ("web",)), then="traffic")
    assert not DailyCount.objects.exists()
    assert analytics._TALLY.pending() == 3 * each.total()
    analytics.flush()
    assert analytics._TALLY.pending() == 0
    assert stored() == each + each + each


def test_counts_are_written_once_enough_keys_wait(demo, settings):
    settings.ANALYTICS_FLUSH_SECONDS = 3600
    settings.ANALYTICS_FLUSH_SIZE = 4
    visitor = Visitor(htmx=False)
    visitor.open(WIZARD)  # two keys: start, shown where
    assert not DailyCount.objects.exists()
    visitor.answer("any-cloud")  # three more: over the size, all five written
    assert stored() == first_pass(("where", ("any-cloud",)), then="parts")
    assert analytics._TALLY.pending() == 0
    visitor.answer("jobs")  # three keys wait
    assert analytics._TALLY.pending() == 3
    visitor.answer("steady")
    assert analytics._TALLY.pending() == 0
    assert stored() == first_pass(
        ("where", ("any-cloud",)), ("parts", ("jobs",)), ("traffic", ("steady",)), then="hours"
    )


def test_counts_are_written_once_the_oldest_is_old_enough(demo, settings):
    settings.ANALYTICS_FLUSH_SECONDS = 0
    Visitor(htmx=True).open(WIZARD)
    assert analytics._TALLY.pending() == 0
    assert stored() == first_pass(then="where")


FAILURES = [OperationalError("database is locked"), InterfaceError("connection already closed")]


@pytest.mark.parametrize("failure", FAILURES, ids=type)
def test_a_failed_write_keeps_its_counts_for_the_next(demo, settings, caplog, failure):
    settings.ANALYTICS_FLUSH_SECONDS = 3600
    real = analytics.write_counts
    attempts = []

    def fails_once(counts):
        attempts.append(sum(counts.values()))
        if len(attempts) == 1:
            raise failure
        real(counts)

    first = Visitor(htmx=False)
    walk(first, [("any-cloud",)])
    with mock.patch.object(analytics, "write_counts", fails_once):
        analytics.flush()
        assert "Counts not written" in caplog.text
        assert not DailyCount.objects.exists()
        pending = analytics._TALLY.pending()
        assert pending == attempts[0] > 0
        walk(Visitor(htmx=True), [("own-servers",)])
        analytics.flush()
    assert len(attempts) == 2 and attempts[1] > pending
    assert analytics._TALLY.pending() == 0
    assert stored() == first_pass(("where", ("any-cloud",)), then="parts") + first_pass(
        ("where", ("own-servers",)), then="review"
    )


@pytest.mark.parametrize("failure", FAILURES, ids=type)
def test_a_visitor_never_sees_a_failed_write(demo, settings, failure):
    settings.ANALYTICS_FLUSH_SIZE = 1  # the visitor's own request writes
    visitor = Visitor(htmx=False)
    with mock.patch.object(analytics, "write_counts", side_effect=failure):
        walk(visitor, [("any-cloud",)])
    assert "step=parts" in visitor.url
    assert analytics._TALLY.pending() == first_pass(("where", ("any-cloud",)), then="parts").total()
    analytics.flush()
    assert stored() == first_pass(("where", ("any-cloud",)), then="parts")


# --- writers in parallel -------------------------------------------------------------------

THREADS = 8
ROUNDS = 60
KEYS = [("choice", f"question-{n % 3}/choice-{n}") for n in range(12)]


def settle(tally: analytics.Tally) -> None:
    """Flush until nothing waits: concurrent SQLite writers may have found the table locked."""
    for _ in range(200):
        tally.flush()
        if tally.pending() == 0:
            return
        time.sleep(0.01)
    raise AssertionError(f"{tally.pending()} counts never written")


def run_threads(target, count: int) -> None:
    errors: list[BaseException] = []

    def guarded(n: int) -> None:
        try:
            target(n)
        except BaseException as error:  # reported by the test's own thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_parallel_counting_loses_no_count(settings):
    settings.ANALYTICS_FLUSH_SECONDS = 3600
    settings.ANALYTICS_FLUSH_SIZE = 2  # every add is due: whichever thread gets there writes
    request = RequestFactory().get(WIZARD, HTTP_USER_AGENT=CHROME)
    day = datetime.now(UTC).date()
    # This process's tally, and two more as other processes' would write beside it.
    others = [analytics.Tally(), analytics.Tally()]
    start = threading.Barrier(THREADS)

    def count(n: int) -> None:
        start.wait(timeout=60)
        for round_ in range(ROUNDS):
            picked = KEYS[round_ % len(KEYS) :] + KEYS[: round_ % len(KEYS)]
            if n % 3 == 0:
                analytics.record(request, SLUG, "f" * 40, picked)
            else:
                keys = [(SLUG, "f" * 12, day, event, subject) for event, subject in picked]
                others[n % 3 - 1].add(keys)
            if round_ % 10 == n % 10:
                analytics.flush()  # the dashboard, at the same time

    run_threads(count, THREADS)
    for tally in [analytics._TALLY, *others]:
        settle(tally)
    rows = DailyCount.objects.filter(day__in=[day, datetime.now(UTC).date()])
    assert {(r.comparison_slug, r.version) for r in rows} == {(SLUG, "f" * 12)}
    assert {(r.event, r.subject): r.count for r in rows} == dict.fromkeys(KEYS, THREADS * ROUNDS)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_writes_of_the_same_keys_all_add_up():
    day = datetime.now(UTC).date()
    keys = [(SLUG, "v" * 12, day, "choice", f"q/c-{n:03}") for n in range(50)]
    counts = Counter({key: n + 1 for n, key in enumerate(keys)})
    writes = 3
    start = threading.Barrier(THREADS)
    retried = Counter()

    def write(n: int) -> None:
        for _ in range(writes):
            start.wait(timeout=60)
            for _ in range(500):  # a write that fails adds nothing: it is simply tried again
                try:
                    analytics.write_counts(counts)
                    break
                except DatabaseError:
                    retried[n] += 1
                    connection.close()
                    time.sleep(0.005)
            else:
                raise AssertionError("never written")

    run_threads(write, THREADS)
    stored_counts = dict(DailyCount.objects.values_list("subject", "count"))
    assert stored_counts == {key[-1]: THREADS * writes * n for key, n in counts.items()}
