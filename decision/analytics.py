"""Counting what visitors do, without knowing who they are.

Each event adds one to a `DailyCount`: per comparison, content version, day, event and subject
(a question, "question/choice", an outcome, a vote's answer). Nothing about the visitor is
read beyond the User-Agent header, and only to leave bots and scripts uncounted; no cookie
is set, and no address or browser is stored.

Counting must not slow the wizard down, so a process adds its counts up in memory and writes
them in one statement (an upsert that adds to the stored count, so any number of processes
may write at once) with the first count made once the oldest waiting one is
`ANALYTICS_FLUSH_SECONDS` old or `ANALYTICS_FLUSH_SIZE` keys are waiting, and when the process
exits. A write that fails (any database error) puts its counts back to be written next time:
a count is never lost, only delayed, and the visitor's request never fails for it.

Where the wizard counts (decision.views), so that a reload counts nothing twice:
- a start: the first question asked for, with no answers yet, and not a revalidation
  (a browser reloading a page it holds sends If-None-Match or If-Modified-Since);
- an answer, and the next question shown (or the review page reached): when an answer to a
  question not answered before is submitted. Both ways the wizard moves on leave an address
  without the submission (htmx pushes the next step's address; without JavaScript the answer
  redirects), so reloading never submits it again;
- a result and its outcome: each finish (a POST, answered by a redirect);
- a vote and a lead: when one is stored.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from crawlerdetect import CrawlerDetect
from django.conf import settings
from django.db import Error, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import DailyCount

logger = logging.getLogger(__name__)

Event = DailyCount.Event
Key = tuple[str, str, date, str, str]  # comparison, version, day, event, subject

VERSION_LENGTH = 12
WRITE_BATCH = 500  # rows per statement: well under every database's parameter limit
_detector = CrawlerDetect()
_detector_lock = threading.Lock()


@lru_cache(maxsize=2048)
def is_bot(user_agent: str) -> bool:
    """True for crawlers, monitors, headless browsers and scripts; also for no User-Agent."""
    if not user_agent.strip():
        return True
    with _detector_lock:  # the detector keeps the agent it last looked at
        return bool(_detector.isCrawler(user_agent))


def counts_for(request: HttpRequest) -> bool:
    """Whether this request may be counted: analytics on, a person's browser, not a prefetch."""
    if not settings.ANALYTICS_ENABLED or request.method == "HEAD":  # HEAD: a check, not a visit
        return False
    meta = request.META
    if meta.get("HTTP_SEC_PURPOSE", "").startswith("prefetch") or "HTTP_PURPOSE" in meta:
        return False
    return not is_bot(meta.get("HTTP_USER_AGENT", "")[:512])


def is_revalidation(request: HttpRequest) -> bool:
    """A browser asking whether a page it already holds has changed: a reload, not a visit."""
    meta = request.META
    return "HTTP_IF_NONE_MATCH" in meta or "HTTP_IF_MODIFIED_SINCE" in meta


def record(
    request: HttpRequest, slug: str, version: str, events: Iterable[tuple[str, str]]
) -> None:
    """Count each (event, subject) once for this comparison and content version, today."""
    if not counts_for(request):
        return
    day = timezone.now().date()
    _TALLY.add((slug, version[:VERSION_LENGTH], day, event, subject) for event, subject in events)


def flush() -> None:
    """Write what this process has counted (the dashboard calls it before reading)."""
    _TALLY.flush()


def forget() -> None:
    """Drop what this process has counted and not written (tests start from nothing)."""
    _TALLY.discard()


def _flush_at_exit() -> None:
    try:
        flush()
    except Exception:  # the process is ending: say so, and end
        logger.exception("Counts not written at exit")


class Tally:
    """Counts waiting to be written, shared by the threads of one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[Key] = Counter()
        self._since: float | None = None  # when the oldest waiting count was made
        self._writing = threading.Lock()

    def add(self, keys: Iterable[Key]) -> None:
        with self._lock:
            self._counts.update(keys)
            if self._since is None:
                self._since = time.monotonic()
            due = (
                len(self._counts) >= settings.ANALYTICS_FLUSH_SIZE
                or time.monotonic() - self._since >= settings.ANALYTICS_FLUSH_SECONDS
            )
        if due and self._writing.acquire(blocking=False):  # one writer at a time; others go on
            try:
                self._write()
            finally:
                self._writing.release()

    def flush(self) -> None:
        with self._writing:
            self._write()

    def discard(self) -> None:
        with self._lock:
            self._counts, self._since = Counter(), None

    def pending(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def _write(self) -> None:
        with self._lock:
            counts, self._counts, self._since = self._counts, Counter(), None
        if not counts:
            return
        try:
            write_counts(counts)
        except Error:  # any database error, InterfaceError too: never the visitor's request
            logger.warning("Counts not written, kept for the next write", exc_info=True)
            with self._lock:
                self._counts.update(counts)
                self._since = self._since or time.monotonic()


def write_counts(counts: Counter[Key]) -> None:
    """Add the counts to the stored ones, in one statement that concurrent writers can share.

    `INSERT … ON CONFLICT … DO UPDATE SET count = count + excluded.count` is atomic per row on
    PostgreSQL and SQLite alike, so two processes adding to the same key both count.
    """
    table = DailyCount._meta.db_table
    quote = connection.ops.quote_name
    columns = ["comparison_slug", "version", "day", "event", "subject", "count"]
    key = ", ".join(quote(column) for column in columns[:-1])
    count = quote("count")
    rows = sorted(counts.items())  # one order for every writer: no deadlock between them
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), WRITE_BATCH):
            batch = rows[start : start + WRITE_BATCH]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO {quote(table)} ({key}, {count}) VALUES {placeholders} "
                f"ON CONFLICT ({key}) DO UPDATE SET {count} = "
                f"{quote(table)}.{count} + excluded.{count}",
                [value for row, n in batch for value in (*row, n)],
            )


_TALLY = Tally()
atexit.register(_flush_at_exit)
