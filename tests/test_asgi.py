"""The production ASGI application: whole bodies, one thread for Django, 400 for requests Django
cannot build, 413 for bodies over the limit."""

import asyncio
import threading

import pytest

from decision.asgi_handler import BufferedWsgi
from tests.asgi_client import asgi_request, run
from tests.factories import load_flagship

MANY_FIELDS = b"&".join(b"k%d=v" % n for n in range(1_100))


@pytest.mark.django_db(transaction=True)
def test_a_page_is_served():
    load_flagship()
    status, _, body = asgi_request("GET", "/kubernetes-vs-serverless/")
    assert status == 200 and b"<h1" in body


@pytest.mark.parametrize(
    "headers, query",
    [
        # A named charset makes Django re-read the query string while building the request.
        ([(b"content-type", b"text/plain; charset=utf-8")], MANY_FIELDS),
        ([(b"content-type", b"application/x-www-form-urlencoded; charset=latin-1")], MANY_FIELDS),
        # Longer than Django parses.
        ([(b"content-type", b"text/plain; a=" + b"x" * 12_000)], b""),
    ],
)
@pytest.mark.parametrize("method, path", [("GET", "/healthz"), ("POST", "/nope/")])
@pytest.mark.django_db(transaction=True)
def test_a_request_django_cannot_build_is_a_400_page(method, path, headers, query):
    status, _, body = asgi_request(method, path, query=query, headers=headers)
    assert status == 400
    assert b"We could not read that request" in body


def _wsgi_recording_threads(seen: list):
    def app(environ, start_response):
        seen.append((threading.get_ident(), environ["wsgi.input"].read()))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"one ", b"two"]

    return app


async def _ask(application, body_parts: list[bytes], *, method="POST", headers=()):
    """Send a request whose body arrives in parts; return (status, body, loop thread)."""
    parts = [
        {"type": "http.request", "body": part, "more_body": n < len(body_parts) - 1}
        for n, part in enumerate(body_parts)
    ]
    sent = []

    async def receive():
        if parts:
            await asyncio.sleep(0.01)  # a client sending slowly
            return parts.pop(0)
        await asyncio.Event().wait()

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": "/",
        "query_string": b"",
        "root_path": "",
        "headers": list(headers),
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    await application(scope, receive, send)
    status = sent[0]["status"]
    return status, b"".join(m.get("body", b"") for m in sent[1:]), threading.get_ident()


def test_django_runs_in_one_thread_on_whole_bodies_never_in_the_event_loop():
    seen = []
    application = BufferedWsgi(_wsgi_recording_threads(seen))

    async def many():
        return await asyncio.gather(
            *(_ask(application, [b"a" * 10, b"b" * 10, b"c"]) for _ in range(5))
        )

    answers = run(many())
    assert {status for status, _, _ in answers} == {200}
    assert {body for _, body, _ in answers} == {b"one two"}
    assert [body for _, body in seen] == [b"a" * 10 + b"b" * 10 + b"c"] * 5
    threads = {thread for thread, _ in seen}
    assert len(threads) == 1  # one thread: one database connection per process
    assert threads.isdisjoint({loop for _, _, loop in answers})


def test_a_body_over_the_limit_is_refused_unread():
    seen = []
    application = BufferedWsgi(_wsgi_recording_threads(seen), max_body=100)
    declared = run(_ask(application, [b"x"], headers=[(b"content-length", b"101")]))
    sent = run(_ask(application, [b"x" * 60, b"x" * 60]))
    assert declared[0] == sent[0] == 413
    assert seen == []  # Django never saw either


def test_head_is_answered_without_a_body():
    seen = []
    status, body, _ = run(_ask(BufferedWsgi(_wsgi_recording_threads(seen)), [b""], method="HEAD"))
    assert (status, body) == (200, b"")
    assert len(seen) == 1


def test_a_client_that_leaves_mid_body_costs_django_nothing():
    seen, sent = [], []
    application = BufferedWsgi(_wsgi_recording_threads(seen))
    messages = [
        {"type": "http.request", "body": b"half", "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "headers": [], "path": "/", "query_string": b""}
    run(application(scope, receive, send))
    assert seen == [] and sent == []


@pytest.mark.django_db(transaction=True)
def test_a_graceful_stop_writes_the_counts_the_worker_still_holds(settings):
    """Uvicorn's SIGTERM handling ends the process without atexit: the lifespan's shutdown is
    the worker's last chance to write what it counted."""
    from django.test import RequestFactory

    from decision import analytics
    from decision.asgi import application
    from decision.models import DailyCount

    settings.ANALYTICS_FLUSH_SECONDS = 3600  # nothing is written while serving
    visit = RequestFactory().get("/", HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/131")
    analytics.record(visit, "demo", "f" * 64, [("start", ""), ("shown", "where")])
    assert not DailyCount.objects.exists() and analytics._TALLY.pending() == 2

    sent = []
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message["type"])

    run(application({"type": "lifespan"}, receive, send))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert analytics._TALLY.pending() == 0
    assert dict(DailyCount.objects.values_list("event", "count")) == {"start": 1, "shown": 1}
