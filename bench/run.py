"""Load benchmark of the flagship pages, served as production serves them.

Usage: .venv/bin/python bench/run.py [--quick] [--output FILE] [--soak-seconds N] …
       (`make bench`; --help lists the rest: durations, rounds, connections, writes, --wait-idle)

Builds a throwaway SQLite database, loads fixtures/*.yaml and collects static files into a
temporary directory, then starts the production command (bench/server.py: gunicorn with uvicorn
workers, two of them, DEBUG off) on 127.0.0.1. Against it, with wrk (or bench/loadgen.py when
wrk is missing and cannot be installed), it measures requests/second and latency of: a static
file exactly as large as the comparison page (the ceiling), a Django view that returns those
bytes and does nothing else (the floor: a diagnostic), the comparison page, a mid-wizard step
and a saved result; and the wizard's requests that count visitors (a start and an answer, sent
as a browser) there and on a second server with counting off (bench/counting.py), whose stored
counts it checks after the run. Then the comparison page again while slow clients hold POST
bodies open; a soak with memory sampling; SQL queries in-process; first-visit bytes; and what
finishing the wizard 1,000 times writes, from one client and from many. It profiles any page
below its target.

Writes docs/benchmarks.md (not with --quick, unless --output is given) and prints the tables.
Exits 1 when a target is missed. Load only ever goes to 127.0.0.1; every run is bounded in time.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

if __package__ in (None, ""):  # run as a file (python bench/run.py): the checkout's packages
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import in_process
from bench.asgi_path import measure_asgi_path
from bench.counting import (
    Counting,
    check_counted,
    counted_pages,
    paired_ratios,
    profile_counted,
    stored_counts,
)
from bench.floor import bench_settings
from bench.load import Load, find_wrk, log, run_load, wrk_version
from bench.machine import DISTURBED_SHARE, cpu_sharing, cpu_ticks, own_ticks, wait_for_idle
from bench.page_weight import check_page, http_get, measure_first_visit
from bench.pages import (
    CEILING_PATH,
    COMPARISON,
    COMPARISON_PATH,
    COUNTING_LIMIT,
    FLOOR_PATH,
    RATIO_TARGETS,
    WIZARD_STEP,
    Page,
)
from bench.report import Measurements, SlowRun, render, results_table, verdict_lines, verdicts
from bench.server import (
    BASE_DIR,
    free_port,
    prepare_site,
    server_command,
    server_env,
    server_problems,
    start_server,
    stop_server,
    wait_until_up,
)
from bench.slow_clients import SlowClients
from bench.soak import run_soak
from bench.wizard_client import create_result, pick_scenario, review_form, visitor
from bench.writes import WriteRun, run_writes

OUTPUT = BASE_DIR / "docs" / "benchmarks.md"
WHO = "bench"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs: a smoke test")
    parser.add_argument("--duration", type=int, help="measured seconds per URL (default 20)")
    parser.add_argument("--warmup", type=int, help="warm-up seconds per URL (default 3)")
    parser.add_argument(
        "--rounds", type=int, help="interleaved slices the duration is cut into (default 5)"
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
    parser.add_argument("--slow-clients", type=int, default=20, help="trickling POST bodies")
    parser.add_argument("--slow-seconds", type=int, help="load while they trickle (default 10)")
    parser.add_argument("--writes", type=int, help="wizard finishes per write run (default 1000)")
    parser.add_argument(
        "--write-clients", type=int, default=200, help="clients of the second write run"
    )
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
    defaults = {
        "duration": (3, 20),
        "warmup": (1, 3),
        "wait_idle": (0, 120),
        "rounds": (1, 5),
        "soak_seconds": (10, 60),
        "slow_seconds": (3, 10),
        "writes": (100, 1000),
    }
    for name, (quick, full) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    args.repeats = 20 if args.quick else 100  # in-process requests timed / profiled
    for name in ("duration", "warmup", "soak_seconds", "wait_idle", "slow_seconds"):
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
    if not 0 <= args.slow_clients <= 200 or not 0 <= args.writes <= 5000:
        parser.error("--slow-clients must be 0 to 200, --writes 0 to 5000")
    if not 1 <= args.write_clients <= 10_000:
        parser.error("--write-clients must be between 1 and 10000")
    if args.output is None and not args.quick:
        args.output = OUTPUT
    return args


def write_ceiling(tmp: Path, size: int) -> None:
    """Random text (compression would not help it) exactly `size` bytes long."""
    ceiling = tmp / "static" / CEILING_PATH
    ceiling.parent.mkdir(parents=True, exist_ok=True)
    ceiling.write_text(secrets.token_urlsafe(size)[:size], encoding="ascii")


def write_runs(args: argparse.Namespace) -> list[WriteRun]:
    distinct = max(1, args.writes * 3 // 4)
    return [
        WriteRun("one client", 1, args.writes, distinct, {}),
        WriteRun(
            f"{args.write_clients} clients",
            args.write_clients,
            args.writes,
            distinct,
            {"CLIENT_IP_HEADERS": "HTTP_X_FORWARDED_FOR,REMOTE_ADDR"},
        ),
    ]


def main() -> int:
    args = parse_args()
    # A terminated run still stops its servers (the `finally` below), as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    started = time.monotonic()
    waited, idle = wait_for_idle(args.wait_idle) if args.wait_idle else (0.0, None)
    load_before = os.getloadavg()
    scenario = pick_scenario(args.scenario)
    wrk = find_wrk(args.loadgen)
    if args.loadgen == "wrk" and wrk is None:
        raise SystemExit("bench: --loadgen wrk, but wrk is not installed and could not be")
    tool = wrk_version(wrk) if wrk else "bench/loadgen.py (Python, asyncio)"
    tmp = Path(tempfile.mkdtemp(prefix="decision-bench-"))
    log_path = tmp / "server.log"
    server = server_on = server_off = None
    counting = None
    soak = slow = None
    writes: list[WriteRun] = []
    try:
        env = server_env(tmp, **bench_settings(tmp), ANALYTICS_ENABLED="true")
        prepare_site(env, who=WHO)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        host = f"127.0.0.1:{port}"  # the HTML holds absolute URLs: same host, same length
        options = ("--access-logfile", "/dev/null", "--max-requests", str(args.max_requests))

        def start() -> None:
            nonlocal server
            log(f"starting the server on {host} (2 uvicorn workers)")
            server = start_server(server_command(port, *options), env, log_path)
            wait_until_up(server, base, log_path, who=WHO)

        # The ceiling must exist before the server starts (whitenoise indexes files then), and
        # must be as long as the comparison page: render that once in-process first.
        in_process.setup_django(env, tmp)
        status, html = in_process.get(in_process.make_client(host), COMPARISON_PATH)
        if status != 200:
            raise SystemExit(f"bench: in-process {COMPARISON_PATH} answered {status}")
        write_ceiling(tmp, len(html))
        start()
        comparison_bytes = check_page(port, COMPARISON_PATH)
        if comparison_bytes != len(html):
            log(f"the comparison page is {comparison_bytes} bytes over HTTP; resizing the ceiling")
            stop_server(server, grace=30)
            write_ceiling(tmp, comparison_bytes)
            start()

        # The counted step's two servers, counting on and off: each serves that step alone,
        # both started now, so that their workers have the same history when the load begins
        # (the server above also serves every other page, which would weigh on one side only).
        twins = {}
        for key, enabled in (("on", "true"), ("off", "false")):
            twin_port = free_port()
            twin_log = tmp / f"server-{key}.log"
            log(f"starting a server on 127.0.0.1:{twin_port}, counting {key}")
            twin_env = {**env, "ANALYTICS_ENABLED": enabled}
            twin = start_server(server_command(twin_port, *options), twin_env, twin_log)
            twin_base = f"http://127.0.0.1:{twin_port}"
            wait_until_up(twin, twin_base, twin_log, who=WHO)
            twins[key] = (twin, twin_base)
        server_on, base_on = twins["on"]
        server_off, base_off = twins["off"]

        result_url = create_result(base, COMPARISON, scenario["answers"])
        result_path = urllib.parse.urlsplit(result_url).path
        log(f"result page {result_path}")
        status, _, body, _ = http_get(port, result_path, {})
        if status != 200 or b'id="estimate"' not in body:
            raise SystemExit(f"bench: {result_path} answered {status} without its cost estimate")
        ceiling_path = f"/static/{CEILING_PATH}"
        ceiling = Page("ceiling", "Static ceiling", ceiling_path, ceiling_path)
        floor = Page("floor", "Django floor (diagnostic)", f"/{FLOOR_PATH}", f"/{FLOOR_PATH}")
        pages = [
            Page("comparison", "Comparison", COMPARISON_PATH, COMPARISON_PATH),
            Page("wizard", "Wizard step", WIZARD_STEP, WIZARD_STEP),
            Page(
                "result",
                "Result (with its estimate)",
                result_path,
                f"/{COMPARISON}/results/<token>/",
            ),
        ]
        for page in pages:
            page.target = RATIO_TARGETS[page.key]
        measured = [ceiling, floor, *pages]
        for page in measured:
            page.html_bytes = check_page(port, page.path)
        counting = Counting(*counted_pages(base_on, base_off, RATIO_TARGETS["wizard"]))
        counting.connections = args.connections
        counted = [counting.on, counting.off]
        for page in counted:
            page.html_bytes = check_counted(page.base or base)
        if not ceiling.html_bytes == floor.html_bytes == pages[0].html_bytes:
            raise SystemExit(
                f"bench: ceiling {ceiling.html_bytes} bytes, floor {floor.html_bytes},"
                f" comparison {pages[0].html_bytes}: they must be equal"
            )

        log("SQL queries and in-process time (Django test client)")
        client = in_process.make_client(host)  # a new one: its whitenoise sees the ceiling
        for page in measured:
            in_process.measure_queries(client, page, env)
            in_process.time_in_process(client, page, args.repeats)
        measure_asgi_path(measured, host, args.repeats)
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

        def load_page(page: Page, seconds: int) -> Load:
            done = run_load(
                wrk,
                tmp,
                page.base or base,
                list(page.mix or [page.path]),
                threads=args.threads,
                connections=args.connections,
                seconds=seconds,
                headers=page.headers,
            )
            if page is counting.on:
                counting.loads_on.append(done)
            return done

        ticks_before = (cpu_ticks(), own_ticks(server.pid, server_on.pid, server_off.pid))
        if args.warmup:
            log(f"warm-up: {args.warmup} s per URL")
            for page in [*measured, *counted]:
                load_page(page, args.warmup)
        # Interleaved slices, so that a change in what else the machine runs hits every URL;
        # counting on and off in half slices, on-off-off-on, so that it hits both alike.
        slices: dict[str, list[Load]] = {page.key: [] for page in [*measured, *counted]}
        half = max(1, args.slice // 2)
        for _ in range(args.rounds):
            for page in measured:
                slices[page.key].append(load_page(page, args.slice))
            for page in [*counted, *reversed(counted)]:
                slices[page.key].append(load_page(page, half))
        counting.serving = stored_counts(env["DATABASE_URL"])
        counting.round_ratios = paired_ratios(
            slices[counting.on.key], slices[counting.off.key], per_round=2
        )
        for page in [*measured, *counted]:
            page.load = Load.merge(slices[page.key])
            log(
                f"{page.name:26} {page.load.rps:6.0f} req/s  p50 {page.load.p50_ms:6.1f} ms"
                f"  p99 {page.load.p99_ms:6.1f} ms  errors {page.load.error_count}"
            )

        if args.slow_clients and args.slow_seconds:
            opener = visitor()
            review_form(opener, base, COMPARISON, scenario["answers"])
            cookie = next(c.value for c in opener.jar if c.name == "csrftoken")
            finish = f"/{COMPARISON}/wizard/finish/"
            log(f"slow clients: {args.slow_clients} trickling POST bodies, {args.slow_seconds} s")
            with SlowClients(
                port, finish, cookie, count=args.slow_clients, per_second=4
            ) as trickling:
                slow_load = load([COMPARISON_PATH], args.slow_seconds, args.connections)
            slow = SlowRun(slow_load, trickling.report)
            log(
                f"slow clients: comparison p99 {slow_load.p99_ms:.1f} ms,"
                f" errors {slow_load.error_count}, {trickling.report.still_waiting}"
                f" of {trickling.report.opened} still waiting at the end"
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
        sharing = cpu_sharing(
            ticks_before, (cpu_ticks(), own_ticks(server.pid, server_on.pid, server_off.pid))
        )
        if sharing and sum(sharing) >= DISTURBED_SHARE:
            log(f"warning: other work took {sum(sharing):.0%} of the CPU during the measurements")
        for page in measured:  # still healthy afterwards
            check_page(port, page.path)
        for page in counted:
            check_counted(page.base or base)

        for page in pages:
            if page.load.rps / ceiling.load.rps < page.target:
                log(f"profiling {page.name} (below its target)")
                in_process.profile_page(client, page, args.repeats)
        stop_server(server_off, grace=30)
        stop_server(server_on, grace=30)  # its workers write what they counted as they stop
        stop_server(server, grace=30)
        counting.stored = stored_counts(env["DATABASE_URL"])
        log(
            f"counting: {counting.answered} counted requests answered (up to {counting.unseen}"
            f" more unseen); stored: {counting.counted_serving} while serving,"
            f" {counting.counted} once stopped"
        )
        to_ceiling = counting.on.load.rps / ceiling.load.rps
        if counting.ratio < COUNTING_LIMIT or to_ceiling < counting.on.target:
            log("profiling the counted requests (below their target)")
            counting.profile = profile_counted(host, args.repeats)

        if args.writes:
            template = Path(urllib.parse.urlsplit(env["DATABASE_URL"]).path)
            for run in write_runs(args):
                log(f"writes: {run.posts} wizard finishes from {run.name}")
                run_writes(
                    run,
                    template=template,
                    tmp=tmp,
                    env=env,
                    comparison=COMPARISON,
                    forwarded=run.clients > 1,
                )
                statuses = ", ".join(f"{k}: {v}" for k, v in sorted(run.statuses.items()))
                log(
                    f"writes ({run.name}): {statuses}; {run.result_rows} result rows,"
                    f" snapshot rows {run.snapshot_rows}, file +{run.file_growth:,} bytes"
                )
                writes.append(run)
    finally:
        for running in (server_off, server_on, server):
            if running is not None:
                stop_server(running, grace=30)
        problems = [line for path in sorted(tmp.glob("*.log")) for line in server_problems(path)]
        shutil.rmtree(tmp, ignore_errors=True)

    measurements = Measurements(
        ceiling=ceiling,
        floor=floor,
        pages=pages,
        soak=soak,
        slow=slow,
        writes=writes,
        args=args,
        tool=tool,
        scenario=scenario,
        load_averages=(load_before, load_soak),
        sharing=sharing,
        idle=(waited, idle),
        problems=problems,
        counting=counting,
    )
    found = verdicts(measurements)
    measurements.elapsed = time.monotonic() - started
    text = render(measurements, found)
    text = text.replace(result_path, pages[-1].shown_path).replace(host, "127.0.0.1:PORT")
    table = "\n".join(results_table(ceiling, [floor, *pages, counting.on, counting.off]))
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
