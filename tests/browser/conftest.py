"""Real-browser tests: Playwright driving Debian's Chromium against pytest-django's live_server."""

import os
from pathlib import Path

import pytest

from tests.factories import load_flagship

# Playwright's sync API runs an event loop in the test thread; Django's ORM then refuses to
# run there unless told that this synchronous use is intended.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"

# Recorded in every page before its own scripts run: CSP violations the browser reports.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(item.fspath).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does this)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def site(live_server, transactional_db):
    """The live server's base URL, with the flagship comparison loaded."""
    load_flagship()
    return live_server.url


class PageProblems:
    """Console errors and CSP violations seen by a page, checked at the end of a test."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(WATCH_CSP)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))

    def _on_console(self, message):
        if message.type == "error":
            self.console.append(f"{message.text} ({self.page.url})")

    def csp_violations(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations || []")


@pytest.fixture
def problems(page):
    return PageProblems(page)


@pytest.fixture(autouse=True)
def _fail_fast(request):
    """A broken page should fail in seconds, not after Playwright's 30-second default."""
    if "page" in request.fixturenames:
        request.getfixturevalue("page").set_default_timeout(10_000)
