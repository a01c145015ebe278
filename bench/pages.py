"""What the benchmark measures: the pages, their targets, and what is recorded about each."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.load import Load

COMPARISON = "kubernetes-vs-serverless"
COMPARISON_PATH = f"/{COMPARISON}/"
WIZARD_STEP = (
    f"/{COMPARISON}/wizard/?location=one-cloud&regulation=standard&parts=web-api&parts=events"
    "&step=hardware"
)
# Requests that count (decision.analytics): a start, and the answer to the step above, which
# redirects to the next one. A mid-wizard step shown again counts nothing, by design.
WIZARD_START = f"/{COMPARISON}/wizard/"
WIZARD_ANSWER = WIZARD_STEP.replace("&step=hardware", "&hardware=none&from=hardware")
# Counting leaves bots and scripts out, so the counted runs send a browser's User-Agent.
BROWSER = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0.0.0 Safari/537.36"
}
CEILING_PATH = "bench/ceiling.html"  # inside STATIC_ROOT, so served at /static/bench/…
FLOOR_PATH = "bench/floor.html"  # matches none of the app's patterns

# Each page's throughput as a share of the static ceiling's, measured in the same run.
RATIO_TARGETS = {"comparison": 0.85, "wizard": 0.70, "result": 0.70}
COUNTING_LIMIT = 0.90  # the counted wizard's throughput with counting on, over that with it off
FIRST_VISIT_LIMIT = 40_000  # bytes ("40 KB", read strictly as 1000-byte KB) for the wizard


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
    mix: tuple[str, ...] = ()  # paths the load takes turns on; empty: `path` alone
    headers: dict[str, str] = field(default_factory=dict)  # sent with each request of the load
    base: str = ""  # the server it is measured on; empty: the benchmark's main one
    html_bytes: int = 0
    load: Load | None = None
    queries_cold: int | None = None
    queries_warm: int | None = None
    sql_warm: list[str] = field(default_factory=list)
    in_process_ms: float | None = None
    asgi_ms: float | None = None  # the same request through decision.asgi, in-process
    switches: tuple[float, float] | None = None  # sync_to_async, async_to_sync per request
    first_visit: list[Resource] = field(default_factory=list)
    html_gzip: int | None = None
    profile: list[str] = field(default_factory=list)

    @property
    def first_visit_total(self) -> int:
        return sum(r.body + r.headers for r in self.first_visit)
