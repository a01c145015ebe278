"""What finishing the wizard 1,000 times writes: rows, statuses, database growth.

Each finish is what a browser does: GET the review page (its CSRF cookie and form token), then
POST to /<slug>/wizard/finish/, not following the redirect. A 302 to a permalink not seen
before is a new result; to one seen before, the existing result of identical answers. A 429 is
the limit on new results per client. Runs on a copy of the benchmark's database, with its own
server, so the page measurements never see these rows.
"""

from __future__ import annotations

import collections
import shutil
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.server import free_port, server_command, start_server, stop_server, wait_until_up
from bench.wizard_client import answer_sets, finish_request, review_form, visitor

RESULTS_TABLE = "decision_result"
SNAPSHOT_TABLE = "decision_contentsnapshot"
# One finish at a time: the figures are about what is written, and SQLite takes one writer at a
# time (concurrent finishes from two processes can fail with "database is locked").
THREADS = 1


@dataclass
class WriteRun:
    name: str
    clients: int
    posts: int
    distinct: int
    env: dict[str, str]  # the settings this run changed
    statuses: collections.Counter = field(default_factory=collections.Counter)
    result_rows: int = 0
    snapshot_rows: int | None = None  # None: no such table
    file_growth: int = 0
    table_bytes: dict[str, int] = field(default_factory=dict)  # dbstat: table and its indexes
    seconds: float = 0.0

    @property
    def stored_bytes(self) -> int:
        return sum(self.table_bytes.values())

    def per_result(self, value: int) -> float | None:
        return value / self.result_rows if self.result_rows else None


def sqlite_path(database_url: str) -> Path:
    return Path(urllib.parse.urlsplit(database_url).path)


def table_figures(path: Path) -> tuple[int, int | None, dict[str, int]]:
    """Rows of the results and snapshot tables; bytes of each with its indexes (dbstat)."""
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        results = db.execute(f"SELECT COUNT(*) FROM {RESULTS_TABLE}").fetchone()[0]
        snapshots = None
        if SNAPSHOT_TABLE in tables:
            snapshots = db.execute(f"SELECT COUNT(*) FROM {SNAPSHOT_TABLE}").fetchone()[0]
        sizes = {}
        for table in (RESULTS_TABLE, SNAPSHOT_TABLE):
            if table not in tables:
                continue
            names = [
                row[0]
                for row in db.execute("SELECT name FROM sqlite_master WHERE tbl_name = ?", (table,))
            ]
            marks = ",".join("?" * len(names))
            query = f"SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name IN ({marks})"
            sizes[table] = db.execute(query, names).fetchone()[0]
    return results, snapshots, sizes


def database_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def client_address(number: int) -> str:
    """An address in 198.18.0.0/15, the range set aside for benchmarks (RFC 2544)."""
    return f"198.18.{number // 250}.{number % 250 + 1}"


def run_writes(
    run: WriteRun,
    *,
    template: Path,
    tmp: Path,
    env: dict[str, str],
    comparison: str,
    forwarded: bool,
) -> WriteRun:
    """Finish the wizard run.posts times from run.clients clients; fill in the figures.

    Post n comes from client n mod clients, with answer set n mod distinct: the sets after
    the first `distinct` posts repeat earlier ones. With `forwarded`, each client is told apart
    by the X-Forwarded-For header the server is configured to trust (run.env); without, they
    all share 127.0.0.1.
    """
    database = tmp / f"writes-{run.clients}.sqlite3"
    shutil.copy(template, database)
    env = {**env, **run.env, "DATABASE_URL": f"sqlite:///{database}"}
    port, log_path = free_port(), tmp / f"writes-{run.clients}.log"
    base = f"http://127.0.0.1:{port}"
    rows_before, snapshots_before, _ = table_figures(database)
    size_before = database_bytes(database)
    sets = answer_sets(run.distinct, seed=run.clients)
    server = start_server(
        server_command(port, "--access-logfile", "/dev/null"), env, log_path=log_path
    )
    lock = threading.Lock()
    seen: set[str] = set()

    def post_in_turn(thread: int) -> None:
        openers = {}  # one visitor (its own cookies) per client address
        for post in range(thread, run.posts, THREADS):
            number = post % run.clients
            if number not in openers:
                headers = {"X-Forwarded-For": client_address(number)} if forwarded else {}
                openers[number] = visitor(follow_redirects=False, headers=headers)
            opener = openers[number]
            url, form = review_form(opener, base, comparison, sets[post % run.distinct])
            try:
                with opener.open(finish_request(opener, base, url, form), timeout=30) as answer:
                    status, location = answer.status, answer.headers.get("Location")
            except urllib.error.HTTPError as error:
                status, location = error.code, error.headers.get("Location")
            with lock:
                key = str(status)
                if status == 302 and location:
                    key = "302 existing" if location in seen else "302 new"
                    seen.add(location)
                run.statuses[key] += 1

    try:
        wait_until_up(server, base, log_path, who="bench")
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            list(pool.map(post_in_turn, range(THREADS)))
        run.seconds = time.monotonic() - started
    finally:
        stop_server(server, grace=30)
    rows, snapshots, run.table_bytes = table_figures(database)
    run.result_rows = rows - rows_before
    if snapshots is not None:
        run.snapshot_rows = snapshots - (snapshots_before or 0)
    run.file_growth = database_bytes(database) - size_before
    return run
