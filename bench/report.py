"""docs/benchmarks.md: the verdicts on every target, the tables, and how it was measured."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
from dataclasses import dataclass

from bench.counting import Counting
from bench.load import REQUEST_TIMEOUT, Load
from bench.machine import DISTURBED_SHARE, code_revision, cpu_model, memory_total, package_version
from bench.page_weight import GZIP_LEVEL
from bench.pages import (
    BROWSER,
    CEILING_PATH,
    COUNTING_LIMIT,
    FIRST_VISIT_LIMIT,
    FLOOR_PATH,
    WIZARD_ANSWER,
    WIZARD_START,
    WIZARD_STEP,
    Page,
)
from bench.server import PRODUCTION_COMMAND
from bench.slow_clients import BODY_BYTES, SlowClientsReport
from bench.soak import RSS_GROWTH_LIMIT_MB, RSS_SAMPLE_SECONDS, Soak
from bench.writes import WriteRun

SLOW_P99_LIMIT_MS = 1000.0


@dataclass
class SlowRun:
    """Load on the comparison page while slow clients hold POST bodies open."""

    load: Load
    clients: SlowClientsReport


@dataclass
class Measurements:
    ceiling: Page
    floor: Page
    pages: list[Page]
    soak: Soak | None
    slow: SlowRun | None
    writes: list[WriteRun]
    args: argparse.Namespace
    tool: str
    scenario: dict
    load_averages: tuple[tuple[float, ...], tuple[float, ...]]
    sharing: tuple[float, float] | None
    idle: tuple[float, float | None]
    problems: list[str]
    counting: Counting | None = None
    elapsed: float = 0.0

    @property
    def counted(self) -> list[Page]:
        """The counted requests' rows: counting on, then off."""
        return [self.counting.on, self.counting.off] if self.counting else []


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


def verdicts(m: Measurements) -> list[Verdict]:
    """Every target, met or missed."""
    ceiling, floor, pages, soak = m.ceiling, m.floor, m.pages, m.soak
    found = []
    for page in [*pages, *m.counted]:
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
    errors = sum(p.load.error_count for p in [ceiling, floor, *pages, *m.counted])
    found.append(Verdict("Errors, page runs", "0", str(errors), errors == 0))
    if m.counting is not None:
        found += counting_verdicts(m.counting)
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
    if m.slow is not None:
        load = m.slow.load
        found.append(
            Verdict(
                f"Comparison page with {m.slow.clients.opened} slow POST bodies open: p99",
                f"< {SLOW_P99_LIMIT_MS / 1000:g} s, no errors",
                f"{load.p99_ms:.1f} ms, {load.error_count} errors",
                load.p99_ms < SLOW_P99_LIMIT_MS and load.error_count == 0,
            )
        )
    for run in m.writes:
        odd = {k: v for k, v in run.statuses.items() if not k.startswith(("302", "429"))}
        found.append(
            Verdict(
                f"Writes, {run.name}: every finish answers 302 or 429",
                "all",
                "all" if not odd else ", ".join(f"{k}: {v}" for k, v in sorted(odd.items())),
                not odd,
            )
        )
        if run.snapshot_rows is not None:
            found.append(
                Verdict(
                    f"Writes, {run.name}: content snapshots stored (one content version)",
                    "≤ 1",
                    str(run.snapshot_rows),
                    run.snapshot_rows <= 1,
                )
            )
    found.append(
        Verdict("Server log: errors, tracebacks", "none", str(len(m.problems)), not m.problems)
    )
    return found


def counting_verdicts(counting: Counting) -> list[Verdict]:
    return [
        Verdict(
            "Wizard start, counted: throughput with counting on",
            f"≥ {COUNTING_LIMIT:.2f}x counting off",
            f"{counting.ratio:.3f}x",
            counting.ratio >= COUNTING_LIMIT,
        ),
        Verdict(
            "Wizard start, counted: counts written while serving (the load paid for the writes)",
            "> 0",
            f"{counting.counted_serving:,}",
            counting.counted_serving > 0,
        ),
        Verdict(
            "Wizard start, counted: every answered request stored, once the server stopped",
            f"{counting.answered:,} to {counting.answered + counting.unseen:,}",
            f"{counting.counted:,}",
            counting.honest,
        ),
    ]


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


def render(m: Measurements, found: list[Verdict]) -> str:
    ceiling, floor, pages, soak, args, tool = m.ceiling, m.floor, m.pages, m.soak, m.args, m.tool
    scenario, sharing, idle, problems = m.scenario, m.sharing, m.idle, m.problems
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    passed = all(v.ok for v in found)
    workers = "threads" if tool.startswith("wrk") else "processes"
    bad_status = "an HTTP status of 400 or more (wrk's rule)"
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
    before, at_soak = (" / ".join(f"{x:.2f}" for x in avg) for avg in m.load_averages)
    if args.max_requests == 0:
        recycling = (
            "`--max-requests 0`, as in gunicorn.conf.py: workers are never recycled, so the"
            " soak sees any growth of a worker's memory."
        )
    else:
        recycling = (
            f"Workers are recycled after {args.max_requests} requests (plus gunicorn.conf.py's"
            " jitter): worker start-up is part of the numbers and the memory check is weak."
        )
    lines = [
        "# Benchmarks: throughput, slow clients, writes, queries, page weight, memory",
        "",
        "Generated by `make bench` (`.venv/bin/python -m bench.run`); do not edit by hand.",
        "The site runs as in production: the Dockerfile's command (gunicorn with uvicorn",
        "workers, here two; `DEBUG=false`, whitenoise) on a fresh SQLite database loaded from",
        "`fixtures/*.yaml`.",
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
        f" gunicorn {package_version('gunicorn')}, uvicorn {package_version('uvicorn')}"
        f" (uvicorn-worker {package_version('uvicorn-worker')}, uvloop"
        f" {package_version('uvloop')}, httptools {package_version('httptools')}), whitenoise"
        f" {package_version('whitenoise')}; load generator {tool}",
        f"- Run time: {m.elapsed:.0f} s (`python -m bench.run"
        + (" --quick" if args.quick else "")
        + f" --soak-seconds {args.soak_seconds}`)",
        "",
        "## Results",
        "",
        *results_table(ceiling, [floor, *pages, *m.counted]),
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
        f"- Server: `{' '.join(PRODUCTION_COMMAND)}"
        " --bind 127.0.0.1:PORT --workers 2 --access-logfile /dev/null"
        f" --max-requests {args.max_requests}`: the Dockerfile's command (uvicorn workers with"
        " uvloop and httptools; Django's synchronous handler behind a buffering ASGI front, one"
        " thread per worker: `decision/asgi_handler.py`) with the address, the worker count,"
        " the recycling and the access log changed.",
        "  - The access log goes to `/dev/null`: its JSON line per request is still formatted"
        " and written, as in production, but not kept; the error log is kept.",
        f"  - {recycling}",
        "- Environment: `DEBUG=false`, a random `SECRET_KEY`,"
        " `ALLOWED_HOSTS=127.0.0.1,localhost`, `SECURE_SSL_REDIRECT=false` (plain HTTP on"
        " loopback; the load carries no `X-Forwarded-Proto`), a throwaway SQLite"
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
        " middleware chain; under ASGI, Django reads the file in its thread and the event loop"
        " sends it (there is no `sendfile()`).",
        f"- Django floor (diagnostic, no target): `/{FLOOR_PATH}`, a view that returns the"
        " ceiling's bytes through the whole middleware stack and does nothing else. The gap"
        " between the ceiling and the floor is the fixed cost of a Django response of that"
        " size; the gap between the floor and a page is the page's own work.",
        f"- Wizard step: `{WIZARD_STEP}` (three answers given, two parts picked, the hardware"
        " question on screen).",
        "- Result: saved by walking the wizard over HTTP (as `make audit` does) with the answers"
        f" of scenario `{scenario['slug']}` ({scenario['name']}); questions the scenario leaves"
        ' open are answered "not sure".',
        "- SQL queries: counted in-process with the Django test client and"
        " `django.test.utils.CaptureQueriesContext` on the same database: *warm* is a repeat"
        " request in this script's process, *cold* the first request of a new process (so no"
        " cache, shared or process-local, holds anything). The test client runs the whole"
        f" middleware stack; *in-process ms* is the median of {args.repeats} warm requests.",
        "- First visit: the page and what its HTML links (stylesheet, icon, scripts), requested"
        " with `Accept-Encoding: gzip, br`; bytes on the wire, headers included, each in the"
        " encoding the server chose (the *Encoding* column). The HTML's own gzip size (level"
        f" {GZIP_LEVEL}) is shown for reference. KB = 1000 bytes.",
        *method_extra_lines(m),
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
            *load_table(load),
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
    with_errors = [p for p in [ceiling, floor, *pages, *m.counted] if p.load.error_count]
    if with_errors or (soak and soak.load.error_count):
        lines += ["## Errors by kind", ""]
        lines += [f"- {page.name}: {page.load.errors}" for page in with_errors]
        if soak and soak.load.error_count:
            lines.append(f"- Soak: {soak.load.errors}")
        lines.append("")
    lines += counting_lines(m) + slow_lines(m) + writes_lines(m)
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
            "| Page | x ceiling | Target | In-process ms | Over the floor, ms"
            " | Through ASGI, ms | sync_to_async / async_to_sync per request |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for page in [ceiling, floor, *pages]:
            target = "—" if page.target is None else f"{page.target:.2f}"
            lines.append(
                f"| {page.name} | {page.load.rps / ceiling.load.rps:.3f} | {target}"
                f" | {page.in_process_ms:.2f} | {page.in_process_ms - floor.in_process_ms:.2f}"
                f" | {optional(page.asgi_ms, '{:.2f}')}"
                f" | {'—' if page.switches is None else '{:g} / {:g}'.format(*page.switches)} |"
            )
        lines += [
            "",
            "*In-process ms* is the Django test client (middleware and view run synchronously,"
            " as under WSGI); *through ASGI* is the same request sent to `decision.asgi`'s"
            " application in-process, median of the same number of requests, with the switches"
            " between the event loop and the views' thread it made (asgiref's `sync_to_async`"
            " and `async_to_sync`). The difference between the two columns is what serving"
            " over ASGI adds; a page that switches more than the ceiling pays for each extra"
            " switch.",
            "",
        ]
        for page in missed:
            lines += [f"### {page.name}", "", *page.profile, ""]
    return "\n".join(lines).rstrip() + "\n"


def counting_lines(m: Measurements) -> list[str]:
    counting = m.counting
    if counting is None:
        return []
    on, off = counting.on, counting.off
    lines = [
        "## Counting visitors: its cost to the wizard",
        "",
        "The wizard's first step, which counts (`decision.analytics`), sent as a browser sends"
        " it to two servers started together that serve nothing else, on the same database:"
        " one counting, one with `ANALYTICS_ENABLED=false`, in the same rounds.",
        "",
        "| Counting | req/s | p50 ms | p99 ms | Errors | x ceiling | x counting off |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in (on, off):
        lines.append(
            f"| {'on' if page is on else 'off'} | {page.load.rps:.0f} | {page.load.p50_ms:.1f}"
            f" | {page.load.p99_ms:.1f} | {page.load.error_count}"
            f" | {page.load.rps / m.ceiling.load.rps:.3f}"
            f" | {page.load.rps / off.load.rps:.3f} |"
        )
    rounds = ", ".join(f"{ratio:.3f}" for ratio in counting.round_ratios)
    lines += [
        "",
        f"Counting on over off, round by round: {rounds}; the verdict takes their median,"
        f" {counting.ratio:.3f}x (all slices added up: {counting.merged_ratio:.3f}x).",
    ]
    starts = counting.stored.get(("start", ""), 0)
    lines += [
        "",
        f"Stored by the counting server's workers: {counting.counted_serving:,} counted requests"
        " while they served (they write every `ANALYTICS_FLUSH_SECONDS`), and"
        f" {counting.counted:,} once the server had stopped ({starts:,} starts and"
        f" {counting.counted - starts:,} answers; a worker writes what it holds as it exits)."
        f" The load generator saw {counting.answered:,} of these requests answered (warm-up"
        f" included); up to {counting.unseen:,} more may have been answered unseen (in flight"
        " when a run stopped, or past the timeout).",
        "",
    ]
    if counting.counted < counting.answered:
        lines += [
            f"**{counting.answered - counting.counted:,} answered requests were never stored:**"
            " what the workers still held when they were stopped (SIGTERM) was not written.",
            "",
        ]
    if counting.profile:
        lines += [
            "### Where the counted requests' time goes (below their target)",
            "",
            *counting.profile,
        ]
    return lines


def method_extra_lines(m: Measurements) -> list[str]:
    lines = []
    if m.counting is not None:
        lines.append(
            f"- Wizard start, counted: `{WIZARD_START}`, the wizard's first step (cached whole"
            " like every step), with a browser's"
            f" `User-Agent: {BROWSER['User-Agent']}` (counting leaves bots and scripts out):"
            " every request counts a start and its question shown. The wizard step above counts"
            " nothing (a step shown again is never counted). An answer counts through the same"
            f" call; `{WIZARD_ANSWER}` is checked to answer (a redirect), not loaded. The"
            " servers, counting on and off, are the same command on two more ports, started"
            " together and serving this step alone. In each round,"
            " after the pages"
            " above, the two get half a slice each, twice, in the order on, off, off, on. Its"
            " target: the wizard step's ratio to the ceiling, and at least"
            f" {COUNTING_LIMIT:.2f}x the same step with"
            " counting off."
        )
    if m.slow is not None:
        lines.append(
            f"- Slow clients: {m.slow.clients.opened} connections each send the headers of a"
            " wizard finish POST (a real CSRF cookie, `Content-Length:"
            f" {BODY_BYTES}`) and then {m.slow.clients.bytes_per_second} bytes of body a"
            " second; while they are open, the comparison page gets the same load as above"
            f" for {m.args.slow_seconds} s."
        )
    if m.writes:
        lines.append(
            "- Writes: each finish GETs the review page of an answer set (for the CSRF cookie"
            " and form token, as `make audit` does) and POSTs it to `/<slug>/wizard/finish/`"
            " without following the redirect, one at a time, against a copy of this run's"
            " database served by a server of its own. Answer sets are drawn at random from the"
            " fixture's choices (follow-up questions only when shown); after the first"
            " *distinct* POSTs the sets repeat. Database bytes: the SQLite file's growth, and"
            " `dbstat` pages of the results and snapshot tables with their indexes. These"
            " servers run gunicorn.conf.py as it is and, without `REDIS_URL`, count the limit on"
            " new results in each worker's own memory, as a deployment without Redis would."
        )
    return lines


def slow_lines(m: Measurements) -> list[str]:
    if m.slow is None:
        return []
    load, clients = m.slow.load, m.slow.clients
    return [
        "## Slow clients",
        "",
        f"The comparison page under load while {clients.opened} connections trickle POST"
        f" bodies; {clients.still_waiting} of them were still open and unanswered at the end"
        " (held by the event loop, not by a worker).",
        "",
        *load_table(load),
        "",
    ]


def optional(value: float | int | None, form: str = "{:,.0f}") -> str:
    return "—" if value is None else form.format(value)


def writes_lines(m: Measurements) -> list[str]:
    if not m.writes:
        return []
    lines = [
        f"## Writes: finishing the wizard {m.args.writes:,} times",
        "",
        "| Run | Settings | POSTs | Distinct answer sets | 302 new | 302 existing | 429"
        " | Other | Result rows | Snapshot rows | File growth bytes | Bytes / result (file)"
        " | Table bytes (dbstat) | Bytes / result (dbstat) | Seconds |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---:"
        " | ---: | ---: |",
    ]
    for run in m.writes:
        statuses = run.statuses
        other = sum(v for k, v in statuses.items() if not k.startswith(("302", "429")))
        settings = ", ".join(f"`{k}={v}`" for k, v in run.env.items()) or "defaults"
        lines.append(
            f"| {run.name} | {settings} | {run.posts:,} | {run.distinct:,}"
            f" | {statuses['302 new']:,} | {statuses['302 existing']:,} | {statuses['429']:,}"
            f" | {other:,} | {run.result_rows:,} | {optional(run.snapshot_rows)}"
            f" | {run.file_growth:,} | {optional(run.per_result(run.file_growth))}"
            f" | {run.stored_bytes:,} | {optional(run.per_result(run.stored_bytes))}"
            f" | {run.seconds:.1f} |"
        )
    lines += [
        "",
        "*Snapshot rows*: new rows in `decision_contentsnapshot` (— when the table does not"
        " exist). *Table bytes*: pages (`dbstat`) of `decision_result` and"
        " `decision_contentsnapshot` with their indexes after the run, the rows already there"
        " included; the file grows in whole pages, so the two per-result figures differ.",
        "",
    ]
    return lines


def load_table(load) -> list[str]:
    """One load run as a Markdown table: throughput, latency percentiles, errors."""
    return [
        "| req/s | Requests | p50 ms | p90 ms | p99 ms | max ms | Errors |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {load.rps:.0f} | {load.requests:,} | {load.p50_ms:.1f} | {load.p90_ms:.1f}"
        f" | {load.p99_ms:.1f} | {load.max_ms:.1f} | {load.error_count} |",
    ]
