"""Load benchmark of the flagship pages, served as production serves them.

Usage: .venv/bin/python bench/run.py [--quick] [--soak-seconds N] [--loadgen auto|wrk|python]
       (--help lists the rest: durations, rounds, connections, --wait-idle, --output)

Builds a throwaway SQLite database, loads fixtures/*.yaml and collects static files into a
temporary directory, then starts gunicorn (gunicorn.conf.py, two sync workers, DEBUG off) on
127.0.0.1. Against it, with wrk (or bench/loadgen.py when wrk is missing and cannot be
installed), it measures requests/second and latency of: a static file exactly as large as the
comparison page (the ceiling: the same server with nothing to compute), a Django view that
returns those bytes and does nothing else (the floor: a diagnostic), the comparison page, a
mid-wizard step and a saved result. It counts each page's SQL queries in-process (Django test
client, same database), sums the bytes a first visit transfers, soaks the three pages with 50
connections while sampling the workers' memory, and profiles any page below its target.

Writes docs/benchmarks.md (not with --quick, unless --output is given) and prints the same
table. Exits 1 when a target is missed: throughput against the ceiling, zero errors, the
wizard's first-visit weight, memory growth during the soak. Load only ever goes to
127.0.0.1, and every run is bounded in time.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import gzip
import http.client
import importlib.util
import json
import os
import platform
import pstats
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "bench"
OUTPUT = BASE_DIR / "docs" / "benchmarks.md"
VENV_BIN = Path(sys.executable).parent
COMPARISON = "kubernetes-vs-serverless"
WIZARD_STEP = (
    f"/{COMPARISON}/wizard/?workload=event-driven&state=stateless&duration=seconds&step=traffic"
)
CEILING_PATH = "bench/ceiling.html"  # inside STATIC_ROOT, so served at /static/bench/…
FLOOR_PATH = "bench/floor.html"  # matches none of the app's patterns
COLD_QUERIES = "--cold-queries-child"  # internal: count one request's queries in a new process

# Targets: each page's throughput as a share of the static ceiling's, measured in one run.
RATIO_TARGETS = {"comparison": 0.7, "wizard": 0.5, "result": 0.5}
FIRST_VISIT_LIMIT = 60_000  # bytes ("60 KB", read strictly as 1000-byte KB) for the wizard
RSS_GROWTH_LIMIT_MB = 25.0  # per worker, from after the soak's warm-up to its end
RSS_SAMPLE_SECONDS = 2.0
REQUEST_TIMEOUT = 2  # seconds; wrk's default, and the Python generator's
IDLE_SHARE = 0.9  # before starting, wait (bounded) until this much of the CPU is idle
DISTURBED_SHARE = 0.10  # of the machine's CPU taken by others: the report says so
GZIP_LEVEL = 6  # the "for reference" gzip size of HTML, as a typical proxy would compress it

# Settings of the caller's shell that would make the run depend on it.
IGNORED_ENV = {
    "REDIS_URL",
    "STATICFILES_BACKEND",
    "GUNICORN_CMD_ARGS",
    "WEB_CONCURRENCY",
    "PORT",
    "DJANGO_SETTINGS_MODULE",
    "DB_CONN_MAX_AGE",
}

# Two modules written into the run's temporary directory. The settings are decision.settings
# with two changes: STATIC_ROOT there (the checkout's staticfiles/ is neither touched nor
# relied on) and a URLconf that is the app's plus, after all of its patterns, one diagnostic
# URL: the "Django floor", a view with nothing to compute that returns the ceiling's bytes.
SETTINGS_MODULE = '''"""decision.settings, for bench/run.py."""

from decision.settings import *  # noqa: F403

STATIC_ROOT = {static_root!r}
ROOT_URLCONF = "bench_urls"
'''
URLS_MODULE = '''"""decision.urls, plus the benchmark's Django floor after every app pattern."""

import functools
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.urls import path

from decision.urls import urlpatterns as app_patterns


@functools.cache
def body() -> bytes:
    return (Path(settings.STATIC_ROOT) / {ceiling!r}).read_bytes()


def floor(request):
    """The same bytes as the static ceiling, through the whole middleware stack: no work."""
    return HttpResponse(body())


urlpatterns = [*app_patterns, path({floor!r}, floor)]
'''

# wrk prints its summary in a fixed text layout; this makes it print JSON instead, with the
# whole latency histogram (microseconds, count) so that runs in slices can be merged exactly.
LUA_DONE = """
done = function(summary, latency, requests)
  local hist = {}
  for i = 1, #latency do
    local value, count = latency(i)
    hist[#hist + 1] = string.format("[%d, %d]", value, count)
  end
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "hist": [%s]}\\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    table.concat(hist, ", ")))
end
"""
LUA_ROTATE = """
local paths = {{{paths}}}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
"""


def log(message: str) -> None:
    print(f"bench: {message}", flush=True)


@dataclass
class Load:
    """Load on one URL (or a mix): throughput, errors and the latency histogram."""

    tool: str
    requests: int
    seconds: float
    errors: dict[str, int]
    hist: list[tuple[int, int]]  # (latency in microseconds, how many requests), ascending

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def percentile_ms(self, share: float) -> float:
        total = sum(count for _, count in self.hist)
        seen = 0
        for value, count in self.hist:
            seen += count
            if seen >= share / 100 * total:
                return value / 1000
        return 0.0

    @property
    def p50_ms(self) -> float:
        return self.percentile_ms(50)

    @property
    def p90_ms(self) -> float:
        return self.percentile_ms(90)

    @property
    def p99_ms(self) -> float:
        return self.percentile_ms(99)

    @property
    def max_ms(self) -> float:
        return self.hist[-1][0] / 1000 if self.hist else 0.0

    @classmethod
    def merge(cls, slices: list[Load]) -> Load:
        hist: dict[int, int] = {}
        for part in slices:
            for value, count in part.hist:
                hist[value] = hist.get(value, 0) + count
        return cls(
            slices[0].tool,
            sum(part.requests for part in slices),
            sum(part.seconds for part in slices),
            {kind: sum(part.errors[kind] for part in slices) for kind in slices[0].errors},
            sorted(hist.items()),
        )


@dataclass
class Resource:
    path: str
    status: int
    encoding: str
    body: int
    headers: int


@dataclass
class Page:
    key: str
    name: str
    path: str  # what is requested
    shown_path: str  # what the report prints (the result token changes every run)
    target: float | None = None  # minimum ratio to the ceiling
    html_bytes: int = 0
    load: Load | None = None
    queries_cold: int | None = None
    queries_warm: int | None = None
    sql_warm: list[str] = field(default_factory=list)
    in_process_ms: float | None = None
    first_visit: list[Resource] = field(default_factory=list)
    html_gzip: int | None = None
    profile: list[str] = field(default_factory=list)

    @property
    def first_visit_total(self) -> int:
        return sum(r.body + r.headers for r in self.first_visit)


# --- environment, server -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(tmp: Path) -> dict[str, str]:
    (tmp / "bench_settings.py").write_text(
        SETTINGS_MODULE.format(static_root=str(tmp / "static")), encoding="utf-8"
    )
    (tmp / "bench_urls.py").write_text(
        URLS_MODULE.format(ceiling=CEILING_PATH, floor=FLOOR_PATH), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k not in IGNORED_ENV}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback, no TLS proxy in front
        DJANGO_SETTINGS_MODULE="bench_settings",
        PYTHONPATH=os.pathsep.join(
            [str(tmp), str(BASE_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
        PYTHONUNBUFFERED="1",
    )
    return env


def gunicorn_command(port: int, max_requests: int) -> list[str]:
    return [
        str(VENV_BIN / "gunicorn"),
        "decision.wsgi:application",
        "--config",
        "gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        # One JSON line per request written to a file would be part of what we measure;
        # production ships it to a collector. Errors still go to the log below.
        "--access-logfile",
        "/dev/null",
        "--max-requests",
        str(max_requests),
    ]


def start_server(env: dict[str, str], port: int, max_requests: int, log_path: Path):
    log(f"starting gunicorn on 127.0.0.1:{port} (2 workers)")
    with log_path.open("ab") as out:
        return subprocess.Popen(
            gunicorn_command(port, max_requests),
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stopping it stops the workers
        )


def server_problems(log_path: Path, limit: int = 20) -> list[str]:
    """Lines of the server's log that tell of trouble: errors, timeouts, killed workers."""
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return []
    markers = ('"level": "ERROR"', '"level": "CRITICAL"', "[ERROR]", "[CRITICAL]", "Traceback")
    return [line[:300] for line in text.splitlines() if any(m in line for m in markers)][:limit]


def load_audit_module():
    """scripts/audit.py, for its wizard walk to a saved result (one way to do it, not two)."""
    spec = importlib.util.spec_from_file_location("audit", BASE_DIR / "scripts" / "audit.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


# --- in-process measurements (Django test client on the same database) --------------------


def setup_django(env: dict[str, str], tmp: Path) -> None:
    os.environ.update(env)
    for path in (str(BASE_DIR), str(tmp)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()


def make_client(host: str):
    # A new client loads the middleware again, so whitenoise sees files written since.
    from django.test import Client

    return Client(HTTP_HOST=host)


def get(client, path: str):
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    response.close()
    return response.status_code, body


def measure_queries(client, page: Page, env: dict[str, str]) -> None:
    """Queries of a page's first request in a fresh process, and of a warm request here."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    get(client, page.path)
    with CaptureQueriesContext(connection) as warm:
        status, _ = get(client, page.path)
    if status != 200:
        raise SystemExit(f"bench: in-process {page.path} answered {status}")
    page.queries_warm = len(warm.captured_queries)
    page.sql_warm = [q["sql"] for q in warm.captured_queries]
    host = client.defaults["HTTP_HOST"]
    completed = subprocess.run(
        [sys.executable, __file__, COLD_QUERIES, host, page.path],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    last = (completed.stdout.strip().splitlines() or [""])[-1]
    if completed.returncode != 0 or not last.isdigit():
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"bench: counting the cold queries of {page.path} failed")
    page.queries_cold = int(last)


def cold_queries_child(host: str, path: str) -> int:
    """In a fresh process (every cache empty): the number of queries of one request."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as cold:
        status, _ = get(Client(HTTP_HOST=host), path)
    if status != 200:
        print(f"bench: {path} answered {status}", file=sys.stderr)
        return 1
    print(len(cold.captured_queries))
    return 0


def time_in_process(client, page: Page, repeats: int) -> None:
    get(client, page.path)  # warm
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        get(client, page.path)
        samples.append((time.perf_counter() - started) * 1000)
    page.in_process_ms = statistics.median(samples)


def short_location(filename: str, line: int, name: str) -> str:
    path = filename
    for root in ("site-packages/", str(BASE_DIR) + "/"):
        if root in path:
            path = path.split(root, 1)[1]
            break
    else:
        if "/lib/python3" in path:  # the standard library
            path = path.split("/lib/python3", 1)[1].split("/", 1)[-1]
    name = re.sub(r" at 0x[0-9a-f]+", "", name)  # addresses change from run to run
    return f"{name} ({path}:{line})" if line else name


def profile_page(client, page: Page, repeats: int) -> None:
    """Where a warm request of the page spends its time, from cProfile over `repeats` of them."""
    get(client, page.path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeats):
        get(client, page.path)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # {(file, line, name): (cc, calls, own, cum, callers)}
    total = max(cumulative for (_, _, _, cumulative, _) in stats.values())
    rows = [
        (cumulative, own, calls, short_location(filename, line, name))
        for (filename, line, name), (_, calls, own, cumulative, _) in stats.items()
    ]
    per = 1000 / repeats  # seconds over all repeats -> ms per request

    def row(cumulative: float, own: float, calls: int, location: str) -> str:
        return (
            f"| `{location}` | {cumulative * per:.3f} | {cumulative / total:.0%}"
            f" | {own * per:.3f} | {calls / repeats:g} |"
        )

    header = [
        "| Function | Cumulative ms | Share | Own ms | Calls |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    # From the view down (above it: the test client, the handler, the middleware chain). A
    # call whose time is within 5 % of the one listed before it is a wrapper of the same work
    # (the template engine nests a dozen); it is skipped unless it is our code.
    view = max((r[0] for r in rows if "decision/views.py" in r[3]), default=total)
    inner = []
    for entry in sorted((r for r in rows if r[0] <= view), reverse=True):
        ours = entry[3].split("(", 1)[-1].startswith("decision/")
        if inner and not ours and entry[0] > 0.95 * inner[-1][0]:
            continue
        inner.append(entry)
        if len(inner) == 15:
            break
    hot = sorted(rows, key=lambda r: -r[1])[:8]
    page.profile = [
        f"cProfile over {repeats} warm requests through the Django test client:"
        f" {total * per:.2f} ms per request with the profiler on (it inflates small calls;"
        " read the shares). Per request:",
        "",
        "By cumulative time, from the view down (nested wrappers of the same work folded):",
        "",
        *header,
        *(row(*r) for r in inner),
        "",
        "By own time (the hot spots):",
        "",
        *header,
        *(row(*r) for r in hot),
    ]


# --- over HTTP: status, first-visit bytes -------------------------------------------------


class AssetParser(HTMLParser):
    """What a browser fetches on a first visit: stylesheets, icons, scripts, images."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        rel = set((attributes.get("rel") or "").lower().split())
        url = None
        if tag == "link" and rel & {"stylesheet", "icon", "preload", "modulepreload"}:
            url = attributes.get("href")
        elif tag in {"script", "img"}:
            url = attributes.get("src")
        if url and url not in self.urls:
            self.urls.append(url)


def http_get(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict, bytes, int]:
    """Status, headers, the body exactly as sent (not decoded) and the header bytes."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        header_bytes = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + 2
        header_bytes += sum(len(f"{name}: {value}\r\n") for name, value in response.getheaders())
        return response.status, dict(response.getheaders()), body, header_bytes
    finally:
        connection.close()


def check_page(port: int, path: str) -> int:
    """The page answers 200 over HTTP; its body length without compression."""
    status, _, body, _ = http_get(port, path, {})
    if status != 200:
        raise SystemExit(f"bench: {path} answered {status}, not 200")
    return len(body)


def measure_first_visit(port: int, page: Page) -> None:
    browser = {"Accept-Encoding": "gzip, br", "Accept": "text/html,*/*"}
    status, headers, body, header_bytes = http_get(port, page.path, browser)
    encoding = headers.get("Content-Encoding", "identity")
    resources = [Resource(page.shown_path, status, encoding, len(body), header_bytes)]
    html = body if encoding == "identity" else gzip.decompress(body)
    page.html_gzip = len(gzip.compress(html, compresslevel=GZIP_LEVEL))
    parser = AssetParser()
    parser.feed(html.decode("utf-8"))
    for url in parser.urls:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme or parts.netloc:  # nothing should come from elsewhere; count it apart
            resources.append(Resource(url, 0, "external, not fetched", 0, 0))
            continue
        target = urllib.parse.urljoin(page.path, url)
        status, headers, body, header_bytes = http_get(port, target, browser)
        resources.append(
            Resource(
                target, status, headers.get("Content-Encoding", "identity"), len(body), header_bytes
            )
        )
    page.first_visit = resources


# --- load ---------------------------------------------------------------------------------


def find_wrk(choice: str) -> str | None:
    if choice == "python":
        return None
    found = shutil.which("wrk")
    if found or choice == "wrk-no-install":
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("wrk is missing; trying apt-get install -y wrk")
        try:
            subprocess.run(
                ["apt-get", "install", "-y", "wrk"],
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                capture_output=True,
                timeout=180,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            log(f"apt-get failed: {error}")
        found = shutil.which("wrk")
    if not found:
        log("no wrk: using the Python load generator (bench/loadgen.py)")
    return found


def wrk_version(wrk: str) -> str:
    completed = subprocess.run([wrk, "--version"], capture_output=True, text=True, timeout=10)
    return (completed.stdout.splitlines() or ["wrk"])[0].split(" Copyright")[0].strip()


def only_loopback(urls: list[str]) -> None:
    for url in urls:
        if urllib.parse.urlsplit(url).hostname != "127.0.0.1":
            raise SystemExit(f"bench: refusing to aim load at {url}: only 127.0.0.1")


def run_load(
    wrk: str | None,
    tmp: Path,
    base: str,
    paths: list[str],
    *,
    threads: int,
    connections: int,
    seconds: int,
) -> Load:
    urls = [base + path for path in paths]
    only_loopback(urls)
    if wrk is None:
        completed = subprocess.run(
            [
                sys.executable,
                str(BENCH_DIR / "loadgen.py"),
                f"--connections={connections}",
                f"--duration={seconds}",
                f"--processes={threads}",
                f"--timeout={REQUEST_TIMEOUT}",
                *urls,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
        if completed.returncode != 0:
            sys.stderr.write(completed.stdout + completed.stderr)
            raise SystemExit("bench: the Python load generator failed")
        data = json.loads(completed.stdout.strip().splitlines()[-1])
        return Load(
            "python",
            data["requests"],
            data["duration_s"],
            data["errors"],
            [tuple(pair) for pair in data["hist"]],
        )

    script = tmp / "bench.lua"
    lua = LUA_DONE
    if len(paths) > 1:
        lua = LUA_ROTATE.format(paths=", ".join(json.dumps(p) for p in paths)) + lua
    script.write_text(lua, encoding="utf-8")
    completed = subprocess.run(
        [
            wrk,
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={seconds}s",
            f"--timeout={REQUEST_TIMEOUT}s",
            f"--script={script}",
            urls[0],
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    line = next((x for x in completed.stdout.splitlines() if x.startswith("BENCH ")), None)
    if completed.returncode != 0 or line is None:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"bench: wrk failed on {urls[0]} (exit {completed.returncode})")
    data = json.loads(line.removeprefix("BENCH "))
    return Load(
        "wrk",
        data["requests"],
        data["duration_us"] / 1e6,
        {kind: data[kind] for kind in ("connect", "read", "write", "timeout", "status")},
        [tuple(pair) for pair in data["hist"]],
    )


# --- memory -------------------------------------------------------------------------------


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(x) for x in (task / "children").read_text().split()]
        return sorted(set(found))
    except OSError:
        pass
    for entry in Path("/proc").iterdir():  # kernels without the children file
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


class MemorySampler(threading.Thread):
    """Every few seconds: seconds since start, master RSS and each worker's RSS (MB)."""

    def __init__(self, master: int, interval: float):
        super().__init__(daemon=True)
        self.master = master
        self.interval = interval
        self.samples: list[tuple[float, float | None, dict[int, float]]] = []
        self.stopping = threading.Event()
        self.started_at = time.monotonic()

    def sample(self) -> None:
        workers = {}
        for pid in children(self.master):
            value = rss_mb(pid)
            if value is not None:
                workers[pid] = value
        elapsed = time.monotonic() - self.started_at
        self.samples.append((elapsed, rss_mb(self.master), workers))

    def run(self) -> None:
        self.sample()
        while not self.stopping.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self.stopping.set()
        self.join()
        self.sample()


@dataclass
class Soak:
    seconds: int
    warmup: float
    connections: int
    load: Load
    rows: list[dict]  # per process: name, pid, start, after_warmup, peak, end, growth
    replaced: bool
    samples: int

    @property
    def max_growth(self) -> float:
        return max((r["growth"] for r in self.rows if r["name"] != "master"), default=0.0)


def run_soak(wrk, tmp, base, paths, master, *, seconds, connections, threads) -> Soak:
    warmup = min(10.0, seconds / 6)
    sampler = MemorySampler(master, RSS_SAMPLE_SECONDS)
    sampler.start()
    try:
        load = run_load(
            wrk, tmp, base, paths, threads=threads, connections=connections, seconds=seconds
        )
    finally:
        sampler.stop()
    samples = sampler.samples
    first_workers = set(samples[0][2])
    last_workers = set(samples[-1][2])
    replaced = first_workers != last_workers or any(set(s[2]) != first_workers for s in samples)
    after = next((s for s in samples if s[0] >= warmup), samples[-1])
    rows = [
        {
            "name": "master",
            "pid": master,
            "start": samples[0][1] or 0.0,
            "after_warmup": after[1] or 0.0,
            "peak": max(s[1] or 0.0 for s in samples),
            "end": samples[-1][1] or 0.0,
        }
    ]
    for number, pid in enumerate(sorted(first_workers | last_workers), 1):
        series = [s[2][pid] for s in samples if pid in s[2]]
        rows.append(
            {
                "name": f"worker {number}",
                "pid": pid,
                "start": samples[0][2].get(pid, float("nan")),
                "after_warmup": after[2].get(pid, float("nan")),
                "peak": max(series),
                "end": samples[-1][2].get(pid, float("nan")),
            }
        )
    for row in rows:
        row["growth"] = row["end"] - row["after_warmup"]
    return Soak(seconds, warmup, connections, load, rows, replaced, len(samples))


# --- report -------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_ticks() -> list[int]:
    """The machine's CPU time so far (/proc/stat): user, nice, system, idle, …, steal."""
    try:
        return [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    except (OSError, ValueError, IndexError):
        return []


def process_ticks(pids: list[int]) -> int:
    """CPU time (user + system, in clock ticks) the processes have used so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    return total


def own_ticks(master: int) -> int:
    """CPU ticks of gunicorn (master, workers), this script and the load generators it ran."""
    times = os.times()
    mine = (times.user + times.system + times.children_user + times.children_system) * os.sysconf(
        "SC_CLK_TCK"
    )
    return int(mine) + process_ticks([master, *children(master)])


def wait_for_idle(limit: float, interval: float = 5.0) -> tuple[float, float]:
    """Wait (at most `limit` seconds) until the machine is nearly idle: seconds waited, idle."""
    started = time.monotonic()
    idle = 0.0
    while True:
        before = cpu_ticks()
        time.sleep(interval)
        after = cpu_ticks()
        if len(before) < 8 or len(after) < 8:
            return time.monotonic() - started, 0.0
        delta = [b - a for a, b in zip(before, after, strict=True)]
        idle = (delta[3] + delta[4]) / max(1, sum(delta))
        waited = time.monotonic() - started
        if idle >= IDLE_SHARE or waited + interval > limit:
            return waited, idle
        log(f"the machine is busy ({1 - idle:.0%} of the CPU in use); waiting for it to settle")


def cpu_sharing(
    before: tuple[list[int], int], after: tuple[list[int], int]
) -> tuple[float, float] | None:
    """Shares of the machine's CPU time others took while we measured: processes, steal."""
    (machine_before, ours_before), (machine_after, ours_after) = before, after
    if len(machine_before) < 8 or len(machine_after) < 8:
        return None
    delta = [b - a for a, b in zip(machine_before, machine_after, strict=True)]
    total = max(1, sum(delta))
    busy = total - delta[3] - delta[4]  # minus idle and iowait
    others = max(0, busy - delta[7] - (ours_after - ours_before))
    return others / total, delta[7] / total


def memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def code_revision() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except OSError:
        return "unknown"
    if not head:
        return "unknown"
    return f"`{head}`" + (" with uncommitted changes" if dirty else "")


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def kb(value: int) -> str:
    return f"{value / 1000:.1f} KB"


@dataclass
class Verdict:
    name: str
    wanted: str
    got: str
    ok: bool


def verdicts(ceiling: Page, floor: Page, pages: list[Page], soak: Soak | None) -> list[Verdict]:
    found = []
    for page in pages:
        if page.target is None:
            continue
        ratio = page.load.rps / ceiling.load.rps
        found.append(
            Verdict(
                f"{page.name}: throughput",
                f"≥ {page.target:.2f}x the ceiling",
                f"{ratio:.3f}x",
                ratio >= page.target,
            )
        )
    errors = sum(p.load.error_count for p in [ceiling, floor, *pages])
    found.append(Verdict("Errors, page runs", "0", str(errors), errors == 0))
    broken = [r.path for p in pages for r in p.first_visit if r.status != 200]
    found.append(
        Verdict(
            "First visits: every resource answers 200",
            "all",
            "all" if not broken else "not: " + ", ".join(f"`{b}`" for b in broken),
            not broken,
        )
    )
    wizard = next(p for p in pages if p.key == "wizard")
    found.append(
        Verdict(
            "Wizard step: first visit, compressed",
            f"≤ {kb(FIRST_VISIT_LIMIT)}",
            kb(wizard.first_visit_total),
            wizard.first_visit_total <= FIRST_VISIT_LIMIT,
        )
    )
    if soak is not None:
        found.append(
            Verdict(
                "Soak: errors",
                "0",
                str(soak.load.error_count),
                soak.load.error_count == 0,
            )
        )
        found.append(
            Verdict(
                "Soak: RSS growth per worker (after warm-up → end)",
                f"≤ {RSS_GROWTH_LIMIT_MB:g} MB, no worker replaced",
                f"{soak.max_growth:+.1f} MB" + (", a worker was replaced" if soak.replaced else ""),
                soak.max_growth <= RSS_GROWTH_LIMIT_MB and not soak.replaced,
            )
        )
    return found


def results_table(ceiling: Page, pages: list[Page]) -> list[str]:
    lines = [
        "| Page | Path | req/s | p50 ms | p99 ms | Errors | x ceiling | Target "
        "| SQL queries warm (cold) | In-process ms | HTML bytes | First visit |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for page in [ceiling, *pages]:
        load = page.load
        ratio = load.rps / ceiling.load.rps
        target = "—"
        if page.target is not None:
            target = f"≥ {page.target:.2f} {mark(ratio >= page.target)}"
        queries = "—"
        if page.queries_warm is not None:
            queries = f"{page.queries_warm} ({page.queries_cold})"
        first = kb(page.first_visit_total) if page.first_visit else "—"
        in_process = "—" if page.in_process_ms is None else f"{page.in_process_ms:.2f}"
        lines.append(
            f"| {page.name} | `{page.shown_path}` | {load.rps:.0f} | {load.p50_ms:.1f}"
            f" | {load.p99_ms:.1f} | {load.error_count} | {ratio:.3f} | {target} | {queries}"
            f" | {in_process} | {page.html_bytes:,} | {first} |"
        )
    return lines


def verdict_lines(found: list[Verdict]) -> list[str]:
    lines = ["| Target | Wanted | Measured | |", "| --- | --- | --- | :---: |"]
    for v in found:
        lines.append(f"| {v.name} | {v.wanted} | {v.got} | {mark(v.ok)} |")
    return lines


def render(
    *,
    ceiling: Page,
    floor: Page,
    pages: list[Page],
    soak: Soak | None,
    found: list[Verdict],
    args: argparse.Namespace,
    tool: str,
    scenario: dict,
    load_averages: tuple[tuple[float, ...], tuple[float, ...]],
    sharing: tuple[float, float] | None,
    idle: tuple[float, float | None],
    problems: list[str],
    elapsed: float,
) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    passed = all(v.ok for v in found)
    if tool.startswith("wrk"):
        workers, bad_status = "threads", "an HTTP status of 400 or more (wrk's rule)"
    else:
        workers, bad_status = "processes", "any HTTP status but 2xx"
    if sharing is None:
        shared, disturbed = "unknown", []
    else:
        shared = f"other processes {sharing[0]:.0%}, hypervisor steal {sharing[1]:.0%}"
        disturbed = []
        if sum(sharing) >= DISTURBED_SHARE:
            disturbed = [
                f"**Disturbed run:** other work took {sum(sharing):.0%} of the machine's CPU"
                " while this ran; the ratios are less reliable than usual.",
                "",
            ]
    waited_text = ""
    if idle[1] is not None:
        waited_text = (
            f"; before starting, waited {idle[0]:.0f} s for an idle machine"
            f" ({idle[1]:.0%} idle then)"
        )
    before, at_soak = (" / ".join(f"{x:.2f}" for x in avg) for avg in load_averages)
    if args.max_requests == 0:
        recycling = (
            "`--max-requests 0` turns off gunicorn.conf.py's recycling of each worker after"
            " about 1000 requests: at these rates a worker would restart every second or two,"
            " so the numbers would measure worker start-up (importing Django) rather than the"
            " pages, and the soak could not see a leak."
        )
    else:
        recycling = (
            f"Workers are recycled after {args.max_requests} requests (plus gunicorn.conf.py's"
            " jitter): worker start-up is part of the numbers and the memory check is weak."
        )
    lines = [
        "# Benchmarks: throughput, queries, page weight, memory",
        "",
        "Generated by `make bench` (`.venv/bin/python bench/run.py`); do not edit by hand.",
        "The site runs as in production (gunicorn with `gunicorn.conf.py`, two sync workers,",
        "`DEBUG=false`, whitenoise) on a fresh SQLite database loaded from `fixtures/*.yaml`.",
        "The load generator shares the two cores with the server, so compare the **ratios**",
        "of one run, never absolute numbers across runs or machines.",
        "",
        f"**Result: {'every target met' if passed else 'targets missed'}.**",
        "",
        *disturbed,
        f"- Date: {now}",
        f"- Code: {code_revision()}",
        f"- Machine: {os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable),"
        f" {cpu_model()}, {memory_total()} RAM, Linux {platform.release()}; load average"
        f" (1/5/15 min) {before} before the run, {at_soak} before the soak; CPU time taken by"
        f" others during the load runs and the soak: {shared}{waited_text}",
        f"- Software: Python {platform.python_version()}, Django {package_version('django')},"
        f" gunicorn {package_version('gunicorn')}, whitenoise {package_version('whitenoise')};"
        f" load generator {tool}",
        f"- Run time: {elapsed:.0f} s (`bench/run.py"
        + (" --quick" if args.quick else "")
        + f" --soak-seconds {args.soak_seconds}`)",
        "",
        "## Results",
        "",
        *results_table(ceiling, [floor, *pages]),
        "",
        "*x ceiling*: the row's req/s divided by the static ceiling's, measured in this run.",
        "*SQL queries*: a warm request (page and content caches filled), and in brackets a",
        "cold one (the first request of a fresh process: every cache empty). *In-process ms*:",
        "median of one warm request through the Django test client. *First visit*: the page plus",
        "everything its HTML makes a browser fetch, compressed as a browser receives it.",
        "",
        "## Targets",
        "",
        *verdict_lines(found),
        "",
        "## Method",
        "",
        "- Server: `gunicorn decision.wsgi:application --config gunicorn.conf.py"
        " --bind 127.0.0.1:PORT --workers 2 --access-logfile /dev/null"
        f" --max-requests {args.max_requests}`.",
        "  - The access log goes to `/dev/null` so that writing one JSON line per request is not"
        " part of what is measured (production ships it to a log collector); the error log is"
        " kept.",
        f"  - {recycling}",
        "- Environment: `DEBUG=false`, a random `SECRET_KEY`,"
        " `ALLOWED_HOSTS=127.0.0.1,localhost`, `SECURE_SSL_REDIRECT=false` (plain HTTP on"
        " loopback, no TLS proxy in front, so no `X-Forwarded-Proto`), a throwaway SQLite"
        " database. Static files are collected with `CompressedManifestStaticFilesStorage` into"
        " the run's temporary directory: a settings module there imports `decision.settings`"
        " and changes only `STATIC_ROOT` and `ROOT_URLCONF` (the app's URLconf plus the floor"
        " URL after all of its patterns), so the checkout's `staticfiles/` is untouched.",
        f"- Load: {tool}, {args.threads} {workers}, {args.connections} connections, one URL"
        f" at a time. Each URL first gets {args.warmup} s of warm-up; then the URLs take turns"
        f" in {args.rounds} round(s) of {args.slice} s each ({args.duration} s per URL in all),"
        " so that a change in what else the machine runs falls on every URL alike. Latency"
        " percentiles come from the merged histograms. An error is a socket error, a timeout"
        f" ({REQUEST_TIMEOUT} s) or {bad_status}; every URL was checked to answer 200 before"
        " and after the load.",
        f"- Static ceiling: `/static/{CEILING_PATH}`, random text exactly as long as the"
        f" comparison page's HTML ({ceiling.html_bytes:,} bytes), served by whitenoise through"
        " the same gunicorn and requested, like the pages, without `Accept-Encoding`: the same"
        " bytes on the wire, with nothing to compute. Whitenoise answers it early in the"
        " middleware chain and gunicorn sends it with `sendfile()`.",
        f"- Django floor (diagnostic, no target): `/{FLOOR_PATH}`, a view that returns the"
        " ceiling's bytes through the whole middleware stack and does nothing else. The gap"
        " between the ceiling and the floor is the fixed cost of a Django response of that"
        " size; the gap between the floor and a page is the page's own work.",
        f"- Wizard step: `{WIZARD_STEP}` (three answers given, the traffic question on screen).",
        "- Result: saved by walking the wizard over HTTP (as `make audit` does) with the answers"
        f" of scenario `{scenario['slug']}` ({scenario['name']}); questions the scenario leaves"
        ' open are answered "not sure".',
        "- SQL queries: counted in-process with the Django test client and"
        " `django.test.utils.CaptureQueriesContext` on the same database: *warm* is a repeat"
        " request in this script's process, *cold* the first request of a new process (so no"
        " cache, shared or process-local, holds anything). The test client runs the whole"
        f" middleware stack; *in-process ms* is the median of {args.repeats} warm requests.",
        "- First visit: the page and what its HTML links (stylesheet, icon, scripts), requested"
        " from gunicorn with `Accept-Encoding: gzip, br`; bytes on the wire, headers included."
        " Whitenoise serves the precompressed static files (gzip: there are no `.br` files"
        " without the `brotli` package). The app does not compress HTML, so the page counts as"
        f" served; its gzip size (level {GZIP_LEVEL}) is shown for reference. KB = 1000 bytes.",
        "",
    ]
    if soak is not None:
        load = soak.load
        lines += [
            "## Soak",
            "",
            f"{soak.seconds} s, {soak.connections} connections, {args.threads} {workers},"
            " rotating through the wizard step, the comparison page and the result page.",
            "",
            "| req/s | Requests | p50 ms | p90 ms | p99 ms | max ms | Errors |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| {load.rps:.0f} | {load.requests:,} | {load.p50_ms:.1f} | {load.p90_ms:.1f}"
            f" | {load.p99_ms:.1f} | {load.max_ms:.1f} | {load.error_count} |",
            "",
            "Resident memory (`VmRSS` in `/proc/<pid>/status`) of the gunicorn master and its"
            f" workers, sampled every {RSS_SAMPLE_SECONDS:g} s ({soak.samples} samples). The"
            " workers had already served the runs above when the soak began. *After warm-up* is"
            f" the first sample {soak.warmup:.0f} s or more into the soak; a worker may grow by"
            f" at most {RSS_GROWTH_LIMIT_MB:g} MB from there to the end, and none may be"
            " replaced.",
            "",
            "| Process | Start MB | After warm-up MB | Peak MB | End MB | Growth MB |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in soak.rows:
            lines.append(
                f"| {row['name']} | {row['start']:.1f} | {row['after_warmup']:.1f}"
                f" | {row['peak']:.1f} | {row['end']:.1f} | {row['growth']:+.1f} |"
            )
        if soak.replaced:
            lines += ["", "**A worker was replaced during the soak** (a crash or a timeout)."]
        lines.append("")
    with_errors = [p for p in [ceiling, floor, *pages] if p.load.error_count]
    if with_errors or (soak and soak.load.error_count):
        lines += ["## Errors by kind", ""]
        lines += [f"- {page.name}: {page.load.errors}" for page in with_errors]
        if soak and soak.load.error_count:
            lines.append(f"- Soak: {soak.load.errors}")
        lines.append("")
    if problems:
        lines += ["## Trouble in the server log", "", "```", *problems, "```", ""]
    lines += ["## First visit, resource by resource", ""]
    for page in pages:
        lines += [
            f"### {page.name}: {kb(page.first_visit_total)}",
            "",
            "| Resource | Status | Encoding | Body bytes | Header bytes |",
            "| --- | ---: | --- | ---: | ---: |",
        ]
        lines += [
            f"| `{r.path}` | {r.status} | {r.encoding} | {r.body:,} | {r.headers:,} |"
            for r in page.first_visit
        ]
        lines += [
            "",
            f"The HTML gzip-compressed would be {page.html_gzip:,} bytes"
            f" (served: {page.first_visit[0].body:,}).",
            "",
        ]
    lines += ["## SQL of a warm request", ""]
    for page in pages:
        lines.append(
            f"- {page.name}: {page.queries_warm} quer{'y' if page.queries_warm == 1 else 'ies'}"
        )
        lines += [f"  - `{' '.join(sql.split())[:300]}`" for sql in page.sql_warm]
    lines.append("")
    missed = [p for p in pages if p.profile]
    if missed:
        floor_ratio = floor.load.rps / ceiling.load.rps
        lines += [
            "## Where the time goes (pages below their target)",
            "",
            f"The Django floor reaches {floor_ratio:.2f}x the ceiling: that is what a response of"
            " this size costs through gunicorn and the middleware stack with no view work"
            f" ({floor.in_process_ms:.2f} ms in-process, against {ceiling.in_process_ms:.2f} ms"
            " for the static file). Everything below the floor is the pages' own work:",
            "",
            "| Page | x ceiling | Target | In-process ms | Over the floor, ms |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for page in pages:
            lines.append(
                f"| {page.name} | {page.load.rps / ceiling.load.rps:.3f} | {page.target:.2f}"
                f" | {page.in_process_ms:.2f} | {page.in_process_ms - floor.in_process_ms:.2f} |"
            )
        lines.append("")
        for page in missed:
            lines += [f"### {page.name}", "", *page.profile, ""]
    return "\n".join(lines).rstrip() + "\n"


# --- main ---------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs: a smoke test")
    parser.add_argument("--duration", type=int, help="measured seconds per URL (default 10)")
    parser.add_argument("--warmup", type=int, help="warm-up seconds per URL (default 3)")
    parser.add_argument(
        "--rounds", type=int, help="interleaved slices the duration is cut into (default 2)"
    )
    parser.add_argument("--soak-seconds", type=int, help="soak length; 0 skips it (default 60)")
    parser.add_argument(
        "--wait-idle",
        type=int,
        help="at most this many seconds to wait for an idle machine first (default 120; 0 skips)",
    )
    parser.add_argument("--threads", type=int, default=2, help="load generator threads")
    parser.add_argument("--connections", type=int, default=16, help="per-URL runs")
    parser.add_argument("--soak-connections", type=int, default=50)
    parser.add_argument(
        "--max-requests",
        type=int,
        default=0,
        help="gunicorn --max-requests (default 0: no worker recycling during the run)",
    )
    parser.add_argument(
        "--loadgen",
        choices=("auto", "wrk", "wrk-no-install", "python"),
        default="auto",
        help="auto: wrk, installed with apt-get when missing and possible, else Python",
    )
    parser.add_argument("--scenario", help="fixture scenario whose answers make the result page")
    parser.add_argument(
        "--output", type=Path, help="report path (default docs/benchmarks.md; none with --quick)"
    )
    args = parser.parse_args()
    if args.duration is None:
        args.duration = 3 if args.quick else 10
    if args.warmup is None:
        args.warmup = 1 if args.quick else 3
    if args.wait_idle is None:
        args.wait_idle = 0 if args.quick else 120
    if args.rounds is None:
        args.rounds = 1 if args.quick else 2
    if args.soak_seconds is None:
        args.soak_seconds = 10 if args.quick else 60
    args.repeats = 20 if args.quick else 100  # in-process requests timed / profiled
    for name in ("duration", "warmup", "soak_seconds", "wait_idle"):
        if not 0 <= getattr(args, name) <= 600:
            parser.error(f"--{name.replace('_', '-')} must be between 0 and 600 seconds")
    if not 1 <= args.rounds <= args.duration:
        parser.error("--rounds must be between 1 and --duration")
    args.slice = args.duration // args.rounds  # whole seconds: wrk's unit
    args.duration = args.slice * args.rounds
    if not 1 <= args.connections <= 256 or not 1 <= args.soak_connections <= 256:
        parser.error("connections must be between 1 and 256")
    if not 1 <= args.threads <= min(args.connections, args.soak_connections):
        parser.error("--threads must be at least 1 and at most the connections")
    if args.output is None and not args.quick:
        args.output = OUTPUT
    return args


def main() -> int:
    if sys.argv[1:2] == [COLD_QUERIES]:  # the child process of measure_queries
        return cold_queries_child(*sys.argv[2:4])
    args = parse_args()
    # A terminated run still stops its server (the `finally` below), as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    started = time.monotonic()
    waited, idle = wait_for_idle(args.wait_idle) if args.wait_idle else (0.0, None)
    load_before = os.getloadavg()
    audit = load_audit_module()
    scenario = audit.pick_scenario(args.scenario)
    wrk = find_wrk(args.loadgen)
    if args.loadgen == "wrk" and wrk is None:
        raise SystemExit("bench: --loadgen wrk, but wrk is not installed and could not be")
    tool = wrk_version(wrk) if wrk else "bench/loadgen.py (Python, asyncio)"
    tmp = Path(tempfile.mkdtemp(prefix="decision-bench-"))
    log_path = tmp / "gunicorn.log"
    server = None
    soak = None
    try:
        env = server_env(tmp)
        fixtures = sorted(str(p) for p in (BASE_DIR / "fixtures").glob("*.yaml"))
        audit.manage(env, "migrate", "--noinput", who="bench")
        audit.manage(env, "load_content", *fixtures, who="bench")
        audit.manage(env, "collectstatic", "--noinput", who="bench")

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        host = f"127.0.0.1:{port}"  # the HTML holds absolute URLs: same host, same length
        comparison_path = f"/{COMPARISON}/"

        # The ceiling must exist before gunicorn starts (whitenoise indexes files then), and
        # must be as long as the comparison page: render that once in-process first.
        setup_django(env, tmp)
        status, html = get(make_client(host), comparison_path)
        if status != 200:
            raise SystemExit(f"bench: in-process {comparison_path} answered {status}")
        ceiling_file = tmp / "static" / CEILING_PATH

        def write_ceiling(size: int) -> None:
            ceiling_file.parent.mkdir(parents=True, exist_ok=True)
            text = secrets.token_urlsafe(size)[:size]  # random, so compression would not help
            ceiling_file.write_text(text, encoding="ascii")

        write_ceiling(len(html))
        server = start_server(env, port, args.max_requests, log_path)
        audit.wait_until_up(server, base, log_path, who="bench")
        comparison_bytes = check_page(port, comparison_path)
        if comparison_bytes != len(html):
            log(f"the comparison page is {comparison_bytes} bytes over HTTP; resizing the ceiling")
            audit.stop_server(server, grace=30)
            write_ceiling(comparison_bytes)
            server = start_server(env, port, args.max_requests, log_path)
            audit.wait_until_up(server, base, log_path, who="bench")

        result_url = audit.create_result(base, COMPARISON, scenario["answers"])
        result_path = urllib.parse.urlsplit(result_url).path
        log(f"result page {result_path}")
        ceiling_path = f"/static/{CEILING_PATH}"
        ceiling = Page("ceiling", "Static ceiling", ceiling_path, ceiling_path)
        floor = Page("floor", "Django floor (diagnostic)", f"/{FLOOR_PATH}", f"/{FLOOR_PATH}")
        pages = [
            Page("comparison", "Comparison", comparison_path, comparison_path),
            Page("wizard", "Wizard step", WIZARD_STEP, WIZARD_STEP),
            Page("result", "Result", result_path, f"/{COMPARISON}/results/<token>/"),
        ]
        for page in pages:
            page.target = RATIO_TARGETS[page.key]
        measured = [ceiling, floor, *pages]
        for page in measured:
            page.html_bytes = check_page(port, page.path)
        if not ceiling.html_bytes == floor.html_bytes == pages[0].html_bytes:
            raise SystemExit(
                f"bench: ceiling {ceiling.html_bytes} bytes, floor {floor.html_bytes},"
                f" comparison {pages[0].html_bytes}: they must be equal"
            )

        log("SQL queries and in-process time (Django test client)")
        client = make_client(host)  # a new one: its whitenoise sees the ceiling
        for page in measured:
            measure_queries(client, page, env)
            time_in_process(client, page, args.repeats)
        log("first-visit bytes")
        for page in pages:
            measure_first_visit(port, page)

        def load(paths: list[str], seconds: int, connections: int) -> Load:
            return run_load(
                wrk,
                tmp,
                base,
                paths,
                threads=args.threads,
                connections=connections,
                seconds=seconds,
            )

        ticks_before = (cpu_ticks(), own_ticks(server.pid))
        if args.warmup:
            log(f"warm-up: {args.warmup} s per URL")
            for page in measured:
                load([page.path], args.warmup, args.connections)
        # Interleaved slices, so that a change in what else the machine runs hits every URL.
        slices: dict[str, list[Load]] = {page.key: [] for page in measured}
        for _ in range(args.rounds):
            for page in measured:
                slices[page.key].append(load([page.path], args.slice, args.connections))
        for page in measured:
            page.load = Load.merge(slices[page.key])
            log(
                f"{page.name:26} {page.load.rps:6.0f} req/s  p50 {page.load.p50_ms:6.1f} ms"
                f"  p99 {page.load.p99_ms:6.1f} ms  errors {page.load.error_count}"
            )

        load_soak = os.getloadavg()
        if args.soak_seconds:
            log(f"soak: {args.soak_seconds} s, {args.soak_connections} connections")
            soak = run_soak(
                wrk,
                tmp,
                base,
                [p.path for p in pages],
                server.pid,
                seconds=args.soak_seconds,
                connections=args.soak_connections,
                threads=args.threads,
            )
            log(
                f"soak: {soak.load.rps:.0f} req/s, errors {soak.load.error_count},"
                f" worst worker growth {soak.max_growth:+.1f} MB"
            )
        sharing = cpu_sharing(ticks_before, (cpu_ticks(), own_ticks(server.pid)))
        if sharing and sum(sharing) >= DISTURBED_SHARE:
            log(f"warning: other work took {sum(sharing):.0%} of the CPU during the measurements")
        for page in measured:  # still healthy afterwards
            check_page(port, page.path)

        for page in pages:
            if page.load.rps / ceiling.load.rps < page.target:
                log(f"profiling {page.name} (below its target)")
                profile_page(client, page, args.repeats)
    finally:
        if server is not None:
            audit.stop_server(server, grace=30)
        problems = server_problems(log_path)
        shutil.rmtree(tmp, ignore_errors=True)

    found = verdicts(ceiling, floor, pages, soak)
    found.append(Verdict("Server log: errors, timeouts", "none", str(len(problems)), not problems))
    text = render(
        ceiling=ceiling,
        floor=floor,
        pages=pages,
        soak=soak,
        found=found,
        args=args,
        tool=tool,
        scenario=scenario,
        load_averages=(load_before, load_soak),
        sharing=sharing,
        idle=(waited, idle),
        problems=problems,
        elapsed=time.monotonic() - started,
    )
    text = text.replace(result_path, pages[-1].shown_path).replace(host, "127.0.0.1:PORT")
    table = "\n".join(results_table(ceiling, [floor, *pages]))
    print(f"\n{table.replace(result_path, pages[-1].shown_path)}\n")
    print("\n".join(verdict_lines(found)) + "\n")
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        log(f"wrote {args.output}")
    log(f"run time {time.monotonic() - started:.0f} s")
    missed = [v for v in found if not v.ok]
    if missed:
        print(
            "bench: FAILED:",
            *(f"{v.name}: {v.got} (wanted {v.wanted})" for v in missed),
            sep="\n  ",
            file=sys.stderr,
        )
        return 1
    log("every target met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
