"""Lighthouse audit of the flagship pages, served as production serves them.

Usage: python scripts/audit.py [--scenario SLUG] [--reports DIR]   (or simply `make audit`)

Builds a throwaway SQLite database, loads fixtures/*.yaml, collects static files, starts
gunicorn with DEBUG off (requests carry X-Forwarded-Proto: https, as behind the TLS proxy of
a deployment), walks the wizard to a saved result, then runs Lighthouse (mobile emulation,
its default) on the comparison page, a mid-wizard step and the result page.
Writes the scores and every failing audit to docs/quality.md. Exits 1 when accessibility,
best practices or SEO is below 100 on any page; performance is recorded, not asserted.

Needs node_modules/.bin/lighthouse (`npm ci`) and Chromium (CHROME_PATH, default
/usr/bin/chromium). Standard library only, apart from PyYAML to read the fixture.
"""

from __future__ import annotations

import argparse
import datetime
import http.cookiejar
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import yaml

BASE_DIR = Path(__file__).resolve().parent.parent
FIXTURE = BASE_DIR / "fixtures" / "kubernetes-vs-serverless.yaml"
OUTPUT = BASE_DIR / "docs" / "quality.md"
LIGHTHOUSE = BASE_DIR / "node_modules" / ".bin" / "lighthouse"
VENV_BIN = Path(sys.executable).parent
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CATEGORY_NAMES = {
    "performance": "Performance",
    "accessibility": "Accessibility",
    "best-practices": "Best practices",
    "seo": "SEO",
}
ASSERTED = ("accessibility", "best-practices", "seo")
SCORED_MODES = {"binary", "numeric", "metricSavings"}
# Production sits behind a proxy that terminates TLS and says so (gunicorn trusts this header
# from 127.0.0.1). Sending it with every request makes Django answer as it does there: https
# canonical URLs, HSTS, Secure cookies, the strict Referer check on POST.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
# Settings of the caller's shell that would make the run depend on it (a shared cache, another
# static storage, extra gunicorn options).
IGNORED_ENV = {"REDIS_URL", "STATICFILES_BACKEND", "GUNICORN_CMD_ARGS"}
MAX_ITEMS = 15  # offending elements listed per audit; the rest are counted


@dataclass
class Page:
    name: str
    url: str
    shown_path: str  # what docs/quality.md prints (the result token changes every run)
    report: dict = field(default_factory=dict)
    skip: tuple[str, ...] = ()  # audits that do not apply to this page, by design


def log(message: str) -> None:
    print(f"audit: {message}", flush=True)


# --- the server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in IGNORED_ENV}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'audit.sqlite3'}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Lighthouse fetches robots.txt without PROXY_HEADERS; unredirected, it gets the
        # same answer as it would over https in production.
        SECURE_SSL_REDIRECT="false",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str, who: str = "audit", timeout: float = 300) -> None:
    """Run a manage.py command with these settings; stop with its output if it fails."""
    log("manage.py " + " ".join(args))
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"{who}: manage.py {args[0]} failed (exit {completed.returncode})")


def start_server(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
    log(f"starting gunicorn on 127.0.0.1:{port}")
    with log_path.open("wb") as out:
        return subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "decision.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stopping it stops the workers
        )


def wait_until_up(
    server: subprocess.Popen, base: str, log_path: Path, timeout: float = 30, who: str = "audit"
):
    """Wait for /healthz to answer 200; stop with the server's log if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.stderr.write(log_path.read_text(errors="replace"))
            raise SystemExit(f"{who}: gunicorn exited early (exit {server.returncode})")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    sys.stderr.write(log_path.read_text(errors="replace"))
    raise SystemExit(f"{who}: {base}/healthz did not answer 200 within {timeout:.0f} s")


def stop_server(server: subprocess.Popen, grace: float = 10) -> None:
    """Stop gunicorn and its workers (its process group): politely, then for good."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# --- walking the wizard to a result ----------------------------------------------------


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


def pick_scenario(slug: str | None) -> dict:
    scenarios = yaml.safe_load(FIXTURE.read_text(encoding="utf-8")).get("scenarios") or []
    if not scenarios:
        raise SystemExit(f"audit: {FIXTURE.name} has no scenarios to take answers from")
    if slug:
        for scenario in scenarios:
            if scenario["slug"] == slug:
                return scenario
        raise SystemExit(f"audit: no scenario {slug!r} in {FIXTURE.name}")
    # The richest result page: one where the answers pull both ways.
    return next((s for s in scenarios if s.get("outcome") == "combine"), scenarios[0])


class LocalCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """Send `Secure` cookies to our own plain-HTTP server, as browsers do for 127.0.0.1."""

    def return_ok_secure(self, cookie, request):
        return True


def fetch(opener: urllib.request.OpenerDirector, request: str | urllib.request.Request):
    """The final URL and body of a request (redirects followed), or a clear stop."""
    url = request if isinstance(request, str) else request.full_url
    try:
        with opener.open(request, timeout=30) as response:
            return response.geturl(), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        raise SystemExit(f"audit: {url} answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        raise SystemExit(f"audit: {url} failed: {error}") from None


def create_result(base: str, comparison: str, answers: dict[str, str]) -> str:
    """Walk the wizard with these answers (unasked questions get "not sure"); the result URL."""
    jar = http.cookiejar.CookieJar(LocalCookiePolicy())
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [*opener.addheaders, *PROXY_HEADERS.items()]
    wizard = f"{base}/{comparison}/wizard/"
    answers = dict(answers)
    for _ in range(50):
        url, html = fetch(opener, wizard + "?" + urllib.parse.urlencode(answers))
        parser = FormParser()
        parser.feed(html)
        asking = next(
            (
                i
                for form in parser.forms
                for i in form["inputs"]
                if i["type"] == "radio" and i["name"] not in answers
            ),
            None,
        )
        if asking is not None:  # a question the scenario leaves open: answer "not sure"
            values = [
                i["value"]
                for form in parser.forms
                for i in form["inputs"]
                if i["type"] == "radio" and i["name"] == asking["name"]
            ]
            answers[asking["name"]] = "not-sure" if "not-sure" in values else values[0]
            continue
        review = next((f for f in parser.forms if f["method"] == "post"), None)
        if review is None:
            raise SystemExit(f"audit: {url} shows neither a question nor a review form")
        break
    else:
        raise SystemExit("audit: the wizard kept asking questions; giving up after 50 steps")

    token = next((c.value for c in jar if c.name == "csrftoken"), None)
    fields = [(i["name"], i["value"]) for i in review["inputs"] if i["type"] != "radio"]
    if token is None or not any(name == "csrfmiddlewaretoken" for name, _ in fields):
        raise SystemExit(f"audit: {url} gave no CSRF cookie or form token")
    # What a browser on the public https:// address sends; Django checks it against the host.
    public = "https://" + base.removeprefix("http://")
    request = urllib.request.Request(
        urllib.parse.urljoin(url, review["action"]),
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Referer": public + url.removeprefix(base), "Origin": public},
        method="POST",
    )
    result_url, _ = fetch(opener, request)  # follows the 302 to the permalink
    if "/results/" not in urllib.parse.urlsplit(result_url).path:
        raise SystemExit(f"audit: finishing the wizard led to {result_url}, not a result")
    return result_url


# --- Lighthouse --------------------------------------------------------------------------


def run_interruptibly(command: list[str], env: dict[str, str], timeout: float):
    """Run Lighthouse; if it times out or we are stopped, let it close its Chrome first.

    Lighthouse starts Chrome detached (its own process group), so killing Lighthouse would
    orphan the browser; on SIGINT Lighthouse kills Chrome itself and exits.
    """
    process = subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a Ctrl-C in the terminal reaches it only through us
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except BaseException:  # TimeoutExpired, KeyboardInterrupt, SystemExit from SIGTERM
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
        raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def run_lighthouse(page: Page, out: Path, chrome: str, attempts: int = 3) -> None:
    """Audit one page; a run that Lighthouse itself botches (such as NO_NAVSTART) is retried."""
    for attempt in range(1, attempts + 1):
        log(f"lighthouse {page.url}" + (f" (attempt {attempt})" if attempt > 1 else ""))
        started = time.monotonic()
        out.unlink(missing_ok=True)
        try:
            completed = run_interruptibly(
                [
                    str(LIGHTHOUSE),
                    page.url,
                    f"--chrome-flags={CHROME_FLAGS}",
                    "--only-categories=" + ",".join(CATEGORIES),
                    *([f"--skip-audits={','.join(page.skip)}"] if page.skip else []),
                    "--output=json",
                    f"--output-path={out}",
                    f"--extra-headers={json.dumps(PROXY_HEADERS)}",
                    "--quiet",
                ],
                env={**os.environ, "CHROME_PATH": chrome},
                timeout=300,
            )
        except subprocess.TimeoutExpired:
            problem = "timed out after 300 s"
        else:
            report = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
            error = report.get("runtimeError") or {}
            if completed.returncode == 0 and report and not error:
                page.report = report
                log(f"  done in {time.monotonic() - started:.0f} s")
                return
            problem = (
                f"{error.get('code')}: {error.get('message')}"
                if error
                else f"exit {completed.returncode}\n{completed.stdout}{completed.stderr}".strip()
            )
        log(f"  lighthouse failed: {problem}")
    raise SystemExit(f"audit: lighthouse failed on {page.url} {attempts} times; giving up")


def score(report: dict, category: str) -> int | None:
    value = report["categories"].get(category, {}).get("score")
    return None if value is None else round(value * 100)


def chromium_version(chrome: str) -> str:
    try:
        completed = subprocess.run(
            [chrome, "--version"], capture_output=True, text=True, timeout=30
        )
    except OSError:
        return "unknown"
    return completed.stdout.strip() or "unknown"


# --- docs/quality.md ---------------------------------------------------------------------


def code(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def describe_item(item: dict) -> list[str]:
    """The useful parts of one `details.items` entry: node selectors, snippets, URLs, text."""
    parts = []
    for key, value in item.items():
        if isinstance(value, dict) and value.get("type") == "node":
            label = "" if key == "node" else f"{key}: "
            if value.get("selector"):
                parts.append(f"{label}selector {code(value['selector'])}")
            if value.get("snippet"):
                parts.append(f"snippet {code(value['snippet'])}")
            if value.get("explanation"):
                parts.append(code(value["explanation"], 400))
        elif isinstance(value, dict) and value.get("type") == "source-location":
            parts.append(f"{key} {code(f'{value.get("url")}:{value.get("line")}')}")
        elif isinstance(value, dict) and "value" in value:  # url, text, code, numeric
            parts.append(f"{key} {code(value['value'])}")
        elif isinstance(value, str) and value and key not in {"type", "lhId", "path"}:
            parts.append(f"{key} {code(value)}")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            parts.append(f"{key} {round(value, 1):g}")
    if not parts:
        parts.append(code(json.dumps(item, ensure_ascii=False), 300))
    return parts


def network_chains(chains: dict, trail: tuple[str, ...] = ()) -> list[str]:
    """Each request chain of a `network-tree`, root to leaf, with when its last request ended."""
    lines = []
    for chain in chains.values():
        step = f"{chain['url']} ({chain.get('navStartToEndTime', 0):g} ms)"
        if chain.get("children"):
            lines += network_chains(chain["children"], (*trail, step))
        else:
            lines.append("chain " + code(" → ".join((*trail, step)), 600))
    return lines


def item_lines(details: dict) -> list[str]:
    """One line per entry of an audit's `details`: tables, lists, checklists, chains."""
    items = details.get("items") or []
    if details.get("type") == "checklist":
        return [f"✗ {entry['label']}" for entry in items.values() if not entry.get("value")]
    lines = []
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind in {"table", "opportunity", "list"}:
            lines += item_lines(item)
        elif kind == "list-section":
            value = item.get("value") or {}
            if value.get("type") == "network-tree":
                lines += network_chains(value.get("chains") or {})
            elif value.get("type") == "text":
                lines.append(f"{item.get('title', '')}: {value.get('value', '')}")
            else:
                lines += item_lines(value)
        else:
            lines.append("; ".join(describe_item(item)))
            for sub in (item.get("subItems") or {}).get("items") or []:
                lines.append("related: " + "; ".join(describe_item(sub)))
    return lines


def failing_audits(report: dict, category: str) -> list[dict]:
    refs = report["categories"][category]["auditRefs"]
    weights = {ref["id"]: ref.get("weight", 0) for ref in refs}
    failing = []
    for ref in refs:
        audit = report["audits"][ref["id"]]
        mode = audit.get("scoreDisplayMode")
        errored = mode == "error"
        # Performance: every metric and insight short of full marks; elsewhere what counts.
        counts = category == "performance" or weights[ref["id"]] > 0
        below = mode in SCORED_MODES and (audit.get("score") or 0) < 1 and counts
        if errored or below:
            failing.append({**audit, "weight": weights[ref["id"]]})
    failing.sort(key=lambda a: (-a["weight"], a.get("score") or 0))
    return failing


def audit_lines(audit: dict) -> list[str]:
    score_text = "error" if audit.get("score") is None else f"{round(audit['score'] * 100)}"
    head = f"- **`{audit['id']}`** — {audit['title']} (score {score_text}"
    head += f", weight {audit['weight']:.3g})" if audit["weight"] else ")"
    if audit.get("displayValue"):
        head += f": {audit['displayValue']}"
    lines = [head]
    for extra in ("explanation", "errorMessage"):
        if audit.get(extra):
            lines.append(f"  - {extra}: {code(audit[extra], 500)}")
    items = item_lines(audit.get("details") or {})
    for item in items[:MAX_ITEMS]:
        lines.append("  - " + item)
    if len(items) > MAX_ITEMS:
        lines.append(f"  - … and {len(items) - MAX_ITEMS} more")
    return lines


def render(pages: list[Page], scenario: dict, chrome: str, elapsed: float) -> str:
    first = pages[0].report
    config = first.get("configSettings", {})
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Quality: Lighthouse scores",
        "",
        "Generated by `make audit` (`scripts/audit.py`); do not edit by hand. The site runs as",
        "in production (gunicorn, `DEBUG=false`, whitenoise) on a fresh SQLite database loaded",
        "from `fixtures/*.yaml`. Accessibility, best practices and SEO must be 100 on every page;",
        "performance is recorded, not asserted.",
        "",
        f"- Date: {now}",
        f"- Lighthouse: {first.get('lighthouseVersion', 'unknown')}"
        f" (form factor `{config.get('formFactor', '?')}`,"
        f" throttling `{config.get('throttlingMethod', '?')}`)",
        f"- Chromium: {chromium_version(chrome)}",
        f"- Result page: the answers of scenario `{scenario['slug']}` ({scenario['name']})",
        f"- Run time: {elapsed:.0f} s",
        "",
        "| Page | Path | " + " | ".join(CATEGORY_NAMES[c] for c in CATEGORIES) + " |",
        "| --- | --- |" + " ---: |" * len(CATEGORIES),
    ]
    for page in pages:
        cells = []
        for category in CATEGORIES:
            value = score(page.report, category)
            text = "error" if value is None else str(value)
            cells.append(f"**{text}**" if category in ASSERTED and value != 100 else text)
        lines.append(f"| {page.name} | `{page.shown_path}` | " + " | ".join(cells) + " |")
    skipped = [f"{page.name}: `{', '.join(page.skip)}`" for page in pages if page.skip]
    if skipped:
        lines += [
            "",
            "Skipped by design (noindex pages are not meant to be crawled): "
            + "; ".join(skipped)
            + ".",
        ]
    lines += ["", "## Failing audits", ""]
    any_failing = False
    for page in pages:
        for category in CATEGORIES:
            value = score(page.report, category)
            if value == 100:
                continue
            any_failing = True
            lines.append(f"### {page.name} — {CATEGORY_NAMES[category]} {value}")
            lines.append("")
            audits = failing_audits(page.report, category)
            for audit in audits:
                lines.extend(audit_lines(audit))
            if not audits:
                lines.append("- (no single failing audit reported)")
            lines.append("")
    if not any_failing:
        lines += ["None: every page scores 100 in every category.", ""]
    return "\n".join(lines).rstrip() + "\n"


# --- main ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", help="fixture scenario whose answers make the result page")
    parser.add_argument("--reports", type=Path, help="also keep the Lighthouse JSON reports here")
    parser.add_argument(
        "--output",
        type=Path,
        default=OUTPUT,
        help=f"where to write the scores (default {OUTPUT.relative_to(BASE_DIR)}; CI writes "
        "elsewhere, so that it never rewrites a tracked file)",
    )
    args = parser.parse_args()
    # A terminated run still stops its server (the `finally` below), as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    chrome = os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not LIGHTHOUSE.exists():
        raise SystemExit(f"audit: {LIGHTHOUSE} is missing; run `npm ci` first")
    if not Path(chrome).exists():
        raise SystemExit(f"audit: no Chromium at {chrome}; apt-get install -y chromium")

    started = time.monotonic()
    scenario = pick_scenario(args.scenario)
    comparison = FIXTURE.stem
    tmp = Path(tempfile.mkdtemp(prefix="decision-audit-"))
    server = None
    try:
        env = server_env(tmp)
        manage(env, "migrate", "--noinput")
        manage(env, "load_content", *sorted(str(p) for p in (BASE_DIR / "fixtures").glob("*.yaml")))
        manage(env, "collectstatic", "--noinput")

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(env, port, tmp / "gunicorn.log")
        wait_until_up(server, base, tmp / "gunicorn.log")

        result_url = create_result(base, comparison, scenario["answers"])
        log(f"result page {result_url}")
        step = f"/{comparison}/wizard/?workload=event-driven&step=state"
        pages = [
            Page("Comparison", f"{base}/{comparison}/", f"/{comparison}/"),
            Page("Wizard step", base + step, step),
            # A visitor's own result is noindex on purpose: "is it crawlable?" does not apply.
            Page("Result", result_url, f"/{comparison}/results/<token>/", skip=("is-crawlable",)),
        ]
        for number, page in enumerate(pages, 1):
            run_lighthouse(page, tmp / f"lighthouse-{number}.json", chrome)
            if args.reports:
                args.reports.mkdir(parents=True, exist_ok=True)
                name = page.name.lower().replace(" ", "-")
                shutil.copy(tmp / f"lighthouse-{number}.json", args.reports / f"{name}.json")
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(tmp, ignore_errors=True)

    output = args.output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    # Without the random port and token, so that reruns only differ where the pages do.
    text = render(pages, scenario, chrome, time.monotonic() - started)
    text = text.replace(result_url, pages[-1].shown_path).replace(base, "")
    output.write_text(text, encoding="utf-8")
    log(f"wrote {output}")

    failures = []
    for page in pages:
        scores = {c: score(page.report, c) for c in CATEGORIES}
        log(f"{page.name:12} " + "  ".join(f"{CATEGORY_NAMES[c]} {scores[c]}" for c in CATEGORIES))
        failures += [
            f"{page.name} ({page.shown_path}): {CATEGORY_NAMES[c]} {scores[c]}"
            for c in ASSERTED
            if scores[c] != 100
        ]
    if failures:
        print("audit: FAILED, below 100:", *failures, sep="\n  ", file=sys.stderr)
        print(f"audit: the failing audits are listed in {output}")
        return 1
    log("accessibility, best practices and SEO are 100 on every page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
