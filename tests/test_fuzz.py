"""Thousands of odd requests against every URL of the site: none may end in a server error.

A seeded generator builds each request (method, path, query string, body, content type,
headers, host) and sends it through Django's test client, which turns an unhandled exception
into a 500 instead of raising it. Every failure is collected and reported with the request
that caused it, so one run shows them all.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import sys
import traceback
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
import reversion
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.signals import got_request_exception
from django.test import Client
from django.test.client import BOUNDARY, encode_multipart
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver
from reversion.models import Version

from decision.costs import INPUTS, NODE_TYPE
from decision.models import Comparison, Result
from tests.asgi_client import asgi_request
from tests.factories import comparison_data, load_data, load_flagship

pytestmark = pytest.mark.django_db

SEED = 20_250_117
REQUESTS = 2_400
METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")

WEIRD_TEXT = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "%00",
    "%",
    "%zz",
    "%ff%fe",
    "ünïcödé ✓ 😀",
    "\u202eevil",
    "\ufeff",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "-1",
    "0",
    "1e309",
    "9" * 40,
    "NaN",
    "true",
    "null",
    "[]",
    "{}",
    "x" * 5_000,
    "é" * 2_000,
    "line\r\nbreak",
)
TRACKING_KEYS = ("utm_source", "utm_medium", "fbclid", "gclid", "ref")
ADMIN_KEYS = (
    "q",
    "o",
    "p",
    "e",
    "all",
    "_popup",
    "_to_field",
    "_changelist_filters",
    "next",
    "status__exact",
    "comparison__id__exact",
    "comparison__slug__regex",
    "app_label",
    "model_name",
    "field_name",
    "term",
    "username",
    "password",
    "old_password",
    "new_password1",
    "new_password2",
    "_save",
    "_continue",
    "_addanother",
    "action",
    "index",
    "select_across",
)
WIZARD_KEYS = ("step", "from", "csrfmiddlewaretoken")
ESTIMATE_KEYS = (*(item.name for item in INPUTS), NODE_TYPE, "hours_kubernetes", "hours_serverless")
STATIC_PATHS = (
    "/static/css/site.css",
    "/static/css/admin.css",
    "/static/js/wizard.js",
    "/static/js/result.js",
    "/static/img/favicon.svg",
    "/static/django_htmx/htmx-2.min.js",
    "/static/admin/css/base.css",
    "/static/staticfiles.json",
    "/static/",
    "/static/nope.css",
    "/static/../decision/settings.py",
    "/static/%2e%2e/%2e%2e/etc/passwd",
    "/static/css/site.css%00",
    "/static/css/site.css/",
    "/static//css//site.css",
)
JUNK_PATHS = (
    "/favicon.ico",
    "/robots.txt",
    "/.env",
    "/.git/config",
    "/wp-login.php",
    "/%00",
    "/%ff",
    "/%c0%ae%c0%ae/",
    "/ü/",
    "/%E2%9C%93/wizard/",
    "//",
    "/./",
    "/../",
    "/kubernetes-vs-serverless",
    "/kubernetes-vs-serverless/wizard",
    "/kubernetes-vs-serverless/results/",
    "/kubernetes-vs-serverless/results/adr.md",
    "/healthz/",
    "/readyz/",
    "/HEALTHZ",
    "/admin",
    "/ADMIN/",
    "/" + "a" * 5_000,
    "/" + "a/" * 500,
)
HOSTS = (
    "evil.example",
    "localhost",
    "127.0.0.1",
    "testserver:80",
    "testserver:abc",
    "testserver:99999999",
    "[::1]",
    "[::1",
    "a b",
    "ünïcode.example",
    "testserver\x00",
    "x" * 300,
    "testserver.",
    "testserver@evil.example",
)
USER_AGENTS = (
    "",
    "curl/8.5.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
    "ünïcode-agent/1.0",
    "\x00",
    "() { :; }; echo vulnerable",
    "x" * 10_000,
)


@dataclass
class Sent:
    """One request as sent, described well enough to send it again."""

    number: int
    client: str
    method: str
    path: str
    query: str = ""
    content_type: str | None = None
    body: bytes = b""
    environ: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        parts = [f"#{self.number} [{self.client}] {self.method} {_short(self.path)}"]
        if self.query:
            parts.append(f"query={_short(self.query)}")
        if self.content_type is not None:
            parts.append(f"content_type={_short(self.content_type)}")
        if self.body:
            parts.append(f"body({len(self.body)} bytes)={_short(self.body)}")
        if self.environ:
            shown = {
                k: v if len(v) <= 80 else f"{v[:80]}… ({len(v)} long)"
                for k, v in self.environ.items()
            }
            parts.append(f"environ={shown!r}")
        return " ".join(parts)


def _short(value, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(value)} long)"


def _latin1(text: str) -> str:
    """Text as a WSGI server hands it to Django: UTF-8 bytes read as Latin-1."""
    return text.encode("utf-8", "surrogatepass").decode("iso-8859-1")


# Every URL pattern of the project, with a way to fill in its parameters.


def _routes(patterns=None, prefix: str = "") -> list[str]:
    """The full route of every URL pattern, spelled as Django's ResolverMatch.route spells it."""
    routes = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = URLResolver._join_route(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            routes.append(route)
    return routes


FAKE_IDS = (
    "0",
    "999999",
    "-1",
    "abc",
    "1.5",
    "%00",
    "%2e%2e",
    "%C3%BC",
    "9" * 30,
    "1%2F2",
    "_",
    "A" * 32,  # shaped like a result token
    "x" * 65,
)
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>([^)]*)\)|\([^)]*\)")


@dataclass
class Site:
    """The real objects a URL can point at: content, a draft, a saved result, revisions."""

    slugs: tuple[str, ...]
    token: str
    answers: dict[str, str]  # a complete set of answers the finish step accepts
    user_pk: int
    content_type_pk: int
    version_pks: tuple[int, ...]
    pks: dict[str, tuple[int, ...]]
    questions: dict[str, tuple[str, ...]]  # question slug -> its choice slugs

    def fill(self, route: str, rng: random.Random, *, real: bool) -> str:
        """A concrete path for `route`, with real identifiers when `real`, odd ones otherwise."""
        model = re.match(r"admin/(\w+)/(\w+)/", route)
        label = f"{model[1]}.{model[2]}" if model else "decision.comparison"
        pks = self.pks.get(label, ())

        def value(match: re.Match) -> str:
            name = match[2] or match[3]
            if match[4] is not None and "|" in match[4]:  # an alternation such as app_label
                return rng.choice(match[4].split("|"))
            if name == "url":
                return rng.choice(("", "nope/", "decision/nope/", "%00/", "ü/"))
            if not real and rng.random() < 0.7:
                return rng.choice(FAKE_IDS)
            if name == "slug":
                return rng.choice(self.slugs)
            if name == "token":
                return self.token
            if name == "content_type_id":
                return str(self.content_type_pk)
            if name == "id":
                return str(self.user_pk)
            if name == "version_id" or (match[0] == r"(\d+)"):
                return str(rng.choice(self.version_pks))
            return str(rng.choice(pks)) if pks else "1"

        path = PARAMETER.sub(value, route).replace("^", "").replace("$", "")
        return "/" + path


@pytest.fixture
def site(client, django_user_model) -> Site:
    flagship = load_flagship()
    load_data(comparison_data("draft-demo") | {"status": "draft"})
    with reversion.create_revision():
        flagship.save()
    questions = {
        q.slug: tuple(c.slug for c in q.choices.all())
        for q in flagship.questions.prefetch_related("choices")
    }
    answers = {q.slug: "not-sure" for q in flagship.questions.filter(show_if__isnull=True)}
    response = client.post(f"/{flagship.slug}/wizard/finish/", answers)
    assert response.status_code == 302, response
    result = Result.objects.get()
    user = django_user_model.objects.create_superuser("fuzz-editor", password="pw")
    pks = {}
    for model in apps.get_models():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        pks[label] = tuple(model._default_manager.values_list("pk", flat=True)[:20])
    return Site(
        slugs=(flagship.slug, "draft-demo", "no-such-comparison"),
        token=result.token,
        answers=answers,
        user_pk=user.pk,
        content_type_pk=ContentType.objects.get_for_model(Comparison).pk,
        version_pks=tuple(Version.objects.values_list("pk", flat=True)[:5]) or (1,),
        pks=pks,
        questions=questions,
    )


# Building one request


def _pairs(rng: random.Random, site: Site, count: int) -> list[tuple[str, str]]:
    questions = list(site.questions)
    pairs = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.45:
            key = rng.choice(questions)
            value = rng.choice((*site.questions[key], "not-sure", *WEIRD_TEXT[:12]))
        elif roll < 0.55:
            key = rng.choice(WIZARD_KEYS)
            value = rng.choice((*questions, *WEIRD_TEXT))
        elif roll < 0.65:  # the cost estimate's inputs, numbers in and out of range
            key = rng.choice(ESTIMATE_KEYS)
            value = rng.choice(
                ("0", "-1", "1e400", "nan", "inf", "99999999999999", "0.5", *WEIRD_TEXT)
            )
        elif roll < 0.75:
            key, value = rng.choice(ADMIN_KEYS), rng.choice((*WEIRD_TEXT, "1", "name", "-slug"))
        elif roll < 0.85:
            key, value = rng.choice(TRACKING_KEYS), rng.choice(WEIRD_TEXT)
        else:
            key, value = rng.choice(WEIRD_TEXT), rng.choice(WEIRD_TEXT)
        pairs.append((key, value))
        if rng.random() < 0.15:  # the same key again
            pairs.append((key, rng.choice((value, *WEIRD_TEXT[:8]))))
    return pairs


def _query(rng: random.Random, site: Site) -> str:
    roll = rng.random()
    if roll < 0.3:
        return ""
    if roll < 0.85:
        pairs = _pairs(rng, site, rng.randint(1, 8))
        if rng.random() < 0.5:
            return urlencode(pairs)  # as a browser encodes it
        # Raw, as a hand-typed or hostile client sends it: unicode, NULs, stray % and &.
        return _latin1("&".join(f"{k}={v}" for k, v in pairs).replace("#", "%23"))
    if roll < 0.9:
        return urlencode([(f"k{n}", "v") for n in range(rng.choice((150, 1_100)))])
    if roll < 0.95:
        return "=&&=&%ff%fe=%00&step&from=&;;" + "&" * rng.randint(1, 50)
    return urlencode({"q": "x" * rng.choice((10_000, 60_000))})


def _body(rng: random.Random, site: Site) -> tuple[bytes, str | None, dict[str, str]]:
    """A body, its content type (None: none sent) and any environ it needs."""
    roll = rng.random()
    pairs = _pairs(rng, site, rng.randint(0, 10))
    if roll < 0.3:
        charset = rng.choice(("", "; charset=utf-8", "; charset=utf-16", "; charset=nonsense"))
        return urlencode(pairs).encode(), "application/x-www-form-urlencoded" + charset, {}
    if roll < 0.45:
        data = {k: v for k, v in pairs}
        if rng.random() < 0.5:
            upload = _Upload(rng.randbytes(rng.randint(0, 2_000)), rng.choice(("a.txt", "ü.bin")))
            data["file"] = upload
        body = encode_multipart(BOUNDARY, data)
        kind = rng.choice(("good", "no boundary", "empty boundary", "wrong boundary", "cut"))
        if kind == "good":
            return body, f"multipart/form-data; boundary={BOUNDARY}", {}
        if kind == "no boundary":
            return body, "multipart/form-data", {}
        if kind == "empty boundary":
            return body, "multipart/form-data; boundary=", {}
        if kind == "wrong boundary":
            return body, "multipart/form-data; boundary=\x00nope", {}
        return body[: len(body) // 2], f"multipart/form-data; boundary={BOUNDARY}", {}
    if roll < 0.55:
        document = rng.choice(
            (
                dict(pairs),
                [p for pair in pairs for p in pair],
                "text",
                1e308,
                None,
                {"a": {"b": []}},
            )
        )
        return json.dumps(document).encode(), "application/json", {}
    if roll < 0.7:
        kind = rng.choice(
            ("application/x-www-form-urlencoded", "application/octet-stream", "text/plain", None)
        )
        return rng.randbytes(rng.randint(1, 4_000)), kind, {}
    if roll < 0.78:
        # A declared length that does not match the body (huge, negative, not a number).
        # Multipart is left out: the test client's stream fails on a short read where a
        # server would wait, which is no finding about the site.
        length = rng.choice(("99999999999", "2621441", "-1", "abc", "0", ""))
        kind = rng.choice(("application/x-www-form-urlencoded", "application/json"))
        return urlencode(pairs).encode() or b"a=1", kind, {"CONTENT_LENGTH": length}
    if roll < 0.8:
        return b"a=" + b"x" * 2_700_000, "application/x-www-form-urlencoded", {}
    if roll < 0.85:
        return b"", rng.choice(("multipart/form-data", "application/json", "text/html")), {}
    return b"", None, {}


class _Upload:
    """A file-like value for encode_multipart."""

    def __init__(self, data: bytes, name: str):
        self.data, self.name = data, name

    def read(self) -> bytes:
        return self.data


def _headers(rng: random.Random, site: Site) -> dict[str, str]:
    """Extra WSGI environ entries: request headers, a host, a scheme."""
    choices = {
        "HTTP_HX_REQUEST": ("true", "false", "1", ""),
        "HTTP_HX_HISTORY_RESTORE_REQUEST": ("true", "false"),
        "HTTP_HX_TARGET": ("wizard", "#wizard", "<b>", ""),
        "HTTP_HX_CURRENT_URL": (
            "http://testserver/kubernetes-vs-serverless/wizard/",
            "http://[::1",
            "not a url",
            "javascript:alert(1)",
        ),
        "HTTP_HX_TRIGGER": ("x", "\x00"),
        "HTTP_HX_BOOSTED": ("true",),
        "HTTP_HX_PROMPT": ("%E2%9C%93", "%zz"),
        "HTTP_HX_CURRENT_URL_URI_AUTOENCODED": ("true",),
        "HTTP_ACCEPT": ("text/html", "application/json", "*/*", "text/markdown", ";;;", ""),
        "HTTP_ACCEPT_ENCODING": ("gzip, br", "br", "gzip;q=0, identity;q=0", "zstd", ";;"),
        "HTTP_ACCEPT_LANGUAGE": ("fr", "zz-ZZ", "*;q=abc", "x" * 500),
        "HTTP_X_FORWARDED_FOR": ("203.0.113.9", "1.2.3.4, 5.6.7.8", "::1", "garbage", "1" * 300),
        "HTTP_X_FORWARDED_PROTO": ("https", "http", "gopher"),
        "HTTP_X_FORWARDED_HOST": ("evil.example", "testserver"),
        "HTTP_COOKIE": (
            "csrftoken=" + "a" * 32,
            "csrftoken=" + "A1" * 32,
            "csrftoken=short",
            "csrftoken=\x00",
            "sessionid=garbage; csrftoken=" + "b" * 32,
            "a=b; =; ;;",
            "ü=ü",
        ),
        "HTTP_X_CSRFTOKEN": ("a" * 32, "garbage"),
        "HTTP_USER_AGENT": USER_AGENTS,
        "HTTP_IF_NONE_MATCH": ("*", '"abc"', "garbage", 'W/"x", "y"'),
        "HTTP_IF_MODIFIED_SINCE": ("Wed, 21 Oct 2015 07:28:00 GMT", "garbage", "0"),
        "HTTP_IF_UNMODIFIED_SINCE": ("garbage",),
        "HTTP_IF_MATCH": ("*", "garbage"),
        "HTTP_RANGE": ("bytes=0-10", "bytes=abc", "bytes=999999999-", "bytes=5-1"),
        "HTTP_REFERER": ("https://evil.example/", "not a url", "http://testserver/"),
        "HTTP_ORIGIN": ("null", "https://evil.example", "http://testserver"),
    }
    environ = {}
    for name in rng.sample(sorted(choices), rng.randint(0, 6)):
        environ[name] = _latin1(rng.choice(choices[name]))
    if rng.random() < 0.15:
        environ["HTTP_HOST"] = _latin1(rng.choice(HOSTS))
    if rng.random() < 0.1:
        environ["wsgi.url_scheme"] = "https"
        environ["SERVER_PORT"] = "443"
    return environ


def _path(rng: random.Random, site: Site, routes: list[str], public: list[str]) -> str:
    roll = rng.random()
    if roll < 0.55:
        return site.fill(rng.choice(public), rng, real=rng.random() < 0.7)
    if roll < 0.7:
        return site.fill(rng.choice(routes), rng, real=rng.random() < 0.7)
    if roll < 0.82:
        return rng.choice(STATIC_PATHS)
    if roll < 0.92:
        return rng.choice(JUNK_PATHS)
    return rng.choice(("/healthz", "/readyz"))


def _send(client: Client, sent: Sent):
    environ = dict(sent.environ)
    if sent.query:
        environ["QUERY_STRING"] = sent.query
    if sent.body and sent.content_type is None:
        environ["CONTENT_TYPE"] = ""  # the client would name one otherwise
    return client.generic(sent.method, sent.path, sent.body, sent.content_type or "", **environ)


def _through_asgi(sent: Sent) -> int:
    """The production application's status for a request the test client cannot build."""
    environ = dict(sent.environ)
    headers = [
        (name[5:].replace("_", "-").lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in environ.items()
        if name.startswith("HTTP_")
    ]
    if sent.content_type:
        headers.append((b"content-type", sent.content_type.encode("latin-1")))
    body = sent.body or b""
    headers.append((b"content-length", str(len(body)).encode()))
    query = sent.query.encode("latin-1", "replace") if sent.query else b""
    status, _, _ = asgi_request(sent.method, sent.path, query=query, headers=headers, body=body)
    return status


def test_no_request_ends_in_a_server_error(site, django_user_model):
    rng = random.Random(SEED)
    routes = _routes()
    public = [route for route in routes if not route.startswith("admin/")]
    user = django_user_model.objects.get(pk=site.user_pk)
    clients = {
        "anonymous": Client(raise_request_exception=False),
        "csrf-checked": Client(raise_request_exception=False, enforce_csrf_checks=True),
        "staff": Client(raise_request_exception=False),
    }
    clients["staff"].force_login(user)

    exceptions: list[str] = []

    def record(sender, **kwargs):
        error = sys.exc_info()[1]
        where = traceback.extract_tb(error.__traceback__)[-1] if error else None
        exceptions.append(f"{error!r} at {where.filename}:{where.lineno}" if where else "?")

    got_request_exception.connect(record)
    failures: list[str] = []
    reached: set[str] = set()
    statuses: dict[int, int] = {}
    # First every route three times with real identifiers: a plain GET as a visitor and as
    # staff, then one odd request; then requests drawn at random.
    plan = [(route, kind) for route in routes for kind in ("anonymous", "staff", "odd")]
    try:
        for number in range(max(REQUESTS, len(plan))):
            if number < len(plan):
                route, kind = plan[number]
                path = site.fill(route, rng, real=True)
                name = rng.choice(list(clients)) if kind == "odd" else kind
                method = rng.choice(METHODS) if kind == "odd" else "GET"
            else:
                path = _path(rng, site, routes, public)
                name = rng.choices(list(clients), weights=(70, 15, 15))[0]
                method = rng.choices(METHODS, weights=(40, 8, 30, 5, 5, 5, 7))[0]
            if name == "staff" and path.startswith("/admin/logout"):
                method = "GET"  # signing the fuzzing editor out would end the staff part
            sent = Sent(number, name, method, path, _query(rng, site))
            if method in ("POST", "PUT", "PATCH", "DELETE") or rng.random() < 0.05:
                sent.body, sent.content_type, sent.environ = _body(rng, site)
            if path.endswith("/wizard/finish/") and method == "POST" and rng.random() < 0.5:
                # Complete answers, so a result may be saved, with a part or two tampered.
                pairs = [*site.answers.items(), *_pairs(rng, site, rng.randint(0, 2))]
                sent.body = urlencode(pairs).encode()
                sent.content_type = "application/x-www-form-urlencoded"
                sent.environ = {}
            sent.environ |= _headers(rng, site)
            if "HTTP_COOKIE" in sent.environ and name == "staff":
                del sent.environ["HTTP_COOKIE"]  # keep the session
            before = len(exceptions)
            try:
                response = _send(clients[name], sent)
            except Exception as error:  # raised while Django built the request object
                # The test client builds the request itself, outside any handler; production
                # serves through decision.asgi, which must answer it: ask it.
                status = _through_asgi(sent)
                statuses[status] = statuses.get(status, 0) + 1
                if status >= 500:
                    where = traceback.extract_tb(error.__traceback__)[-1]
                    failures.append(
                        f"{status} from the ASGI application for {sent}\n"
                        f"    {error!r} at {where.filename}:{where.lineno}"
                    )
                continue
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            with contextlib.suppress(Resolver404):  # a path no pattern matches
                reached.add(response.resolver_match.route)
            if response.status_code >= 500 or len(exceptions) > before:
                cause = "; ".join(exceptions[before:]) or "no exception recorded"
                failures.append(f"{response.status_code} for {sent}\n    {cause}")
    finally:
        got_request_exception.disconnect(record)

    print("statuses:", dict(sorted(statuses.items())))
    assert sum(statuses.values()) >= 2_000
    assert set(routes) <= reached, sorted(set(routes) - reached)  # every pattern was tried
    assert statuses.get(200, 0) > 300  # the requests reached real pages, not only errors
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)
