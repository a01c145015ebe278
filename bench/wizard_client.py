"""A visitor's walk through the wizard over HTTP, for the benchmark and the audit.

Reaches the review form for a set of answers (asking "not sure" for any question a set leaves
open), then finishes the wizard with the form's CSRF token and cookie, as a browser would.
"""

from __future__ import annotations

import http.cookiejar
import random
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import yaml

from bench.server import BASE_DIR
from decision.content.engine_data import engine_model
from decision.content.schema import ComparisonSchema
from decision.engine import effective_answers

FIXTURE = BASE_DIR / "fixtures" / "kubernetes-vs-serverless.yaml"
# Production sits behind a proxy that terminates TLS and says so. Sending this with every
# request makes Django answer as it does there: https canonical URLs, HSTS, Secure cookies,
# the strict Referer check on POST.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
MAX_STEPS = 50


class FormParser(HTMLParser):
    """The forms of a page: action, method and inputs (name, type, value, checked)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._current = {
                "action": attributes.get("action") or "",
                "method": (attributes.get("method") or "get").lower(),
                "inputs": [],
            }
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attributes.get("name"):
            self._current["inputs"].append(
                {
                    "name": attributes["name"],
                    "type": (attributes.get("type") or "text").lower(),
                    "value": attributes.get("value") or "",
                    "checked": "checked" in attributes,
                }
            )

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def fixture() -> dict:
    return yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


def pick_scenario(slug: str | None, who: str = "bench") -> dict:
    """The fixture scenario named `slug`, or by default the first whose answers pull both ways."""
    scenarios = fixture().get("scenarios") or []
    if not scenarios:
        raise SystemExit(f"{who}: {FIXTURE.name} has no scenarios to take answers from")
    if slug:
        for scenario in scenarios:
            if scenario["slug"] == slug:
                return scenario
        raise SystemExit(f"{who}: no scenario {slug!r} in {FIXTURE.name}")
    return next((s for s in scenarios if s.get("outcome") == "combine"), scenarios[0])


def answer_sets(count: int, seed: int = 1) -> list[dict[str, str]]:
    """`count` different answer sets, each only to the questions its own answers lead to."""
    data = fixture()
    model = engine_model(ComparisonSchema.model_validate(data))
    chooser = random.Random(seed)
    found: dict[tuple, dict[str, str]] = {}
    while len(found) < count:
        answers: dict[str, str] = {}
        for question in data["questions"]:
            slugs = [choice["slug"] for choice in question["choices"]]
            if question.get("multiple"):
                picked = chooser.sample(slugs, chooser.randint(1, len(slugs)))
                answers[question["slug"]] = ",".join(s for s in slugs if s in picked)
            else:
                answers[question["slug"]] = chooser.choice(slugs)
        answers = effective_answers(model, answers)
        found.setdefault(tuple(sorted(answers.items())), answers)
    return list(found.values())


class LocalCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """Send `Secure` cookies to our own plain-HTTP server, as browsers do for 127.0.0.1."""

    def return_ok_secure(self, cookie, request):
        return True


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def visitor(*, follow_redirects: bool = True, headers: dict[str, str] | None = None):
    """A urllib opener with its own cookie jar, sending PROXY_HEADERS and `headers`."""
    jar = http.cookiejar.CookieJar(LocalCookiePolicy())
    handlers = [urllib.request.HTTPCookieProcessor(jar)]
    if not follow_redirects:
        handlers.append(NoRedirects())
    opener = urllib.request.build_opener(*handlers)
    opener.addheaders = [*opener.addheaders, *PROXY_HEADERS.items(), *(headers or {}).items()]
    opener.jar = jar
    return opener


def fetch(opener, request, who: str = "bench") -> tuple[str, str]:
    """The final URL and body of a request (redirects followed), or a clear stop.

    An opener that does not follow redirects (to see a finish's own answer) still follows
    them here: the wizard redirects a complete set of answers to its review page.
    """
    url = request if isinstance(request, str) else request.full_url
    for _ in range(5):
        try:
            with opener.open(request, timeout=30) as response:
                return response.geturl(), response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            location = error.headers.get("Location")
            if error.code not in (301, 302, 303, 307, 308) or not location:
                raise SystemExit(f"{who}: {url} answered {error.code} {error.reason}") from None
            url = request = urllib.parse.urljoin(url, location)
        except (urllib.error.URLError, OSError) as error:
            raise SystemExit(f"{who}: {url} failed: {error}") from None
    raise SystemExit(f"{who}: {url} redirected too many times")


def review_form(opener, base: str, comparison: str, answers: dict[str, str], who: str = "bench"):
    """Walk to the review page with these answers: its URL and its POST form."""
    wizard = f"{base}/{comparison}/wizard/"
    answers = dict(answers)
    for _ in range(MAX_STEPS):
        url, html = fetch(opener, wizard + "?" + urllib.parse.urlencode(answers), who)
        parser = FormParser()
        parser.feed(html)
        radios = [
            i for form in parser.forms for i in form["inputs"] if i["type"] in ("radio", "checkbox")
        ]
        asking = next((i["name"] for i in radios if i["name"] not in answers), None)
        if asking is None:
            review = next((f for f in parser.forms if f["method"] == "post"), None)
            if review is None:
                raise SystemExit(f"{who}: {url} shows neither a question nor a review form")
            return url, review
        # A question the answers leave open: answer "not sure".
        values = [i["value"] for i in radios if i["name"] == asking]
        answers[asking] = "not-sure" if "not-sure" in values else values[0]
    raise SystemExit(f"{who}: the wizard kept asking questions; gave up after {MAX_STEPS} steps")


def finish_request(opener, base: str, url: str, form: dict, who: str = "bench"):
    """The POST a browser sends to finish the wizard from this review form."""
    token = next((c.value for c in opener.jar if c.name == "csrftoken"), None)
    fields = [
        (i["name"], i["value"]) for i in form["inputs"] if i["type"] not in ("radio", "checkbox")
    ]
    if token is None or not any(name == "csrfmiddlewaretoken" for name, _ in fields):
        raise SystemExit(f"{who}: {url} gave no CSRF cookie or form token")
    # What a browser on the public https:// address sends; Django checks it against the host.
    public = "https://" + base.removeprefix("http://")
    return urllib.request.Request(
        urllib.parse.urljoin(url, form["action"]),
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Referer": public + url.removeprefix(base), "Origin": public},
        method="POST",
    )


def create_result(base: str, comparison: str, answers: dict[str, str], who: str = "bench") -> str:
    """Walk the wizard with these answers (unasked questions get "not sure"); the result URL."""
    opener = visitor()
    url, form = review_form(opener, base, comparison, answers, who)
    result_url, _ = fetch(opener, finish_request(opener, base, url, form, who), who)
    if "/results/" not in urllib.parse.urlsplit(result_url).path:
        raise SystemExit(f"{who}: finishing the wizard led to {result_url}, not a result")
    return result_url
