"""What counting visitors (decision.analytics) costs the wizard, and proof that it counted.

The same counted step (the wizard's first, WIZARD_START, with a browser's User-Agent: a start
and its question shown on every request) goes to two servers of its own on the benchmark's
database, one counting and one with `ANALYTICS_ENABLED=false`. The counting server's
workers write what they counted while they serve (every ANALYTICS_FLUSH_SECONDS), so the
measurement includes the writes, and as they stop (the ASGI lifespan's shutdown): once it has
stopped, the stored starts must match the requests the load generator saw answered.
"""

from __future__ import annotations

import sqlite3
import statistics
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from bench import in_process
from bench.load import Load
from bench.page_weight import http_get
from bench.pages import BROWSER, COMPARISON, WIZARD_ANSWER, WIZARD_START, Page

ANSWERED = WIZARD_ANSWER.rsplit("from=", 1)[1]  # the question the answer request answers


@dataclass
class Counting:
    on: Page
    off: Page
    loads_on: list[Load] = field(default_factory=list)  # every run on the counting server
    connections: int = 0
    serving: dict[tuple[str, str], int] = field(default_factory=dict)  # stored before the stop
    stored: dict[tuple[str, str], int] = field(default_factory=dict)  # (event, subject): count
    profile: list[str] = field(default_factory=list)

    round_ratios: list[float] = field(default_factory=list)  # on over off, round by round

    @property
    def merged_ratio(self) -> float:
        """Throughput with counting on over that with it off, every slice added up."""
        return self.on.load.rps / self.off.load.rps if self.off.load.rps else 0.0

    @property
    def ratio(self) -> float:
        """Counting on over off: the median of the rounds, each comparing the slices run side
        by side (on, off, off, on), so one disturbed slice moves one round, not the verdict."""
        if not self.round_ratios:
            return self.merged_ratio
        return statistics.median(self.round_ratios)

    @property
    def answered(self) -> int:
        """Counted requests the load generator saw answered, warm-up included."""
        return sum(load.requests for load in self.loads_on)

    @property
    def unseen(self) -> int:
        """Requests that may have been answered unseen: in flight as a run ended, or late."""
        return sum(self.connections + load.error_count for load in self.loads_on)

    @property
    def counted(self) -> int:
        """Requests the stored counts record: starts, and answers to the answered question."""
        return requests_in(self.stored)

    @property
    def counted_serving(self) -> int:
        """The same, stored while the server was still serving."""
        return requests_in(self.serving)

    @property
    def honest(self) -> bool:
        return self.answered > 0 and self.answered <= self.counted <= self.answered + self.unseen


def requests_in(stored: dict[tuple[str, str], int]) -> int:
    return stored.get(("start", ""), 0) + stored.get(("answered", ANSWERED), 0)


def counted_pages(base_on: str, base_off: str, target: float) -> tuple[Page, Page]:
    """The counted step, on the counting server (with the wizard's target) and off.

    The wizard's first step: cached whole like every step, and counted on every request (a
    start and its question shown), so the load measures counting and nothing else. An answer
    counts through the same call (decision.analytics.record) with a few more keys; it is
    checked to answer (`check_counted`), not loaded.
    """
    pages = []
    for key, name, base in (("on", "counting on", base_on), ("off", "counting off", base_off)):
        pages.append(
            Page(
                f"counted-{key}",
                f"Wizard start, counted: {name}",
                WIZARD_START,
                WIZARD_START,
                headers=dict(BROWSER),
                base=base,
            )
        )
    pages[0].target = target
    return pages[0], pages[1]


def stored_counts(database_url: str) -> dict[tuple[str, str], int]:
    """The flagship's stored counts, every version and day, from the run's SQLite file."""
    db = sqlite3.connect(Path(urllib.parse.urlsplit(database_url).path))
    try:
        rows = db.execute(
            "SELECT event, subject, SUM(count) FROM decision_dailycount"
            " WHERE comparison_slug = ? GROUP BY event, subject",
            [COMPARISON],
        ).fetchall()
    finally:
        db.close()
    return {(event, subject): total for event, subject, total in rows}


def check_counted(base: str) -> int:
    """The counted requests answer as they should: the start page 200, the answer a redirect
    to the next step. Sent without a User-Agent, so they count nothing. The start's bytes."""
    port = urllib.parse.urlsplit(base).port
    status, _, body, _ = http_get(port, WIZARD_START, {})
    answer, headers, _, _ = http_get(port, WIZARD_ANSWER, {})
    if status != 200 or answer != 302 or "step=" not in headers.get("Location", ""):
        raise SystemExit(f"bench: {base}: the start answered {status}, the answer {answer}")
    return len(body)


def profile_counted(host: str, repeats: int) -> list[str]:
    """Where the counted requests spend their time in-process, counting on and off."""
    from django.test import Client, override_settings

    from decision import analytics

    client = Client(HTTP_HOST=host, HTTP_USER_AGENT=BROWSER["User-Agent"])
    lines = []
    for path in (WIZARD_START, WIZARD_ANSWER):
        page = Page("profiled", path, path, path)
        times = {}
        for enabled in (True, False):
            with override_settings(ANALYTICS_ENABLED=enabled):
                in_process.time_in_process(client, page, repeats)
                times[enabled] = page.in_process_ms
        in_process.profile_page(client, page, repeats)
        lines += [
            f"#### `{path}`",
            "",
            f"In-process median of {repeats} warm requests: {times[True]:.3f} ms counting,"
            f" {times[False]:.3f} ms not counting.",
            "",
            *page.profile,
            "",
        ]
    analytics.forget()  # this process counted for the profile only
    return lines


def paired_ratios(on: list[Load], off: list[Load], per_round: int) -> list[float]:
    """Each round's throughput with counting on over off (`per_round` slices of each)."""
    ratios = []
    for start in range(0, min(len(on), len(off)), per_round):
        served_on = sum(load.rps for load in on[start : start + per_round])
        served_off = sum(load.rps for load in off[start : start + per_round])
        if served_off:
            ratios.append(served_on / served_off)
    return ratios
