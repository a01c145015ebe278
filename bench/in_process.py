"""In-process measurements with the Django test client, on the benchmark's own database.

SQL queries of a warm request and of a cold one (a fresh process), the median time of a warm
request, and a cProfile of where a page's time goes. Run as `python -m bench.in_process HOST
PATH` it is the fresh process: it prints the query count of one request.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.pages import Page
from bench.server import BASE_DIR


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
        [sys.executable, "-m", "bench.in_process", host, page.path],
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


if __name__ == "__main__":
    sys.exit(cold_queries_child(*sys.argv[1:3]))
