"""A small, bounded HTTP load generator: the fallback of bench/run.py when wrk is missing.

Usage: python bench/loadgen.py --connections 16 --duration 10 [--processes 2]
       [--header "Name: value" ...] URL [URL ...]

Keeps CONNECTIONS requests in flight against 127.0.0.1 (and nowhere else) for DURATION
seconds, spread over PROCESSES processes (asyncio inside each, so the GIL of one process does
not cap the rate), rotating through the URLs. Every request opens its own connection and sends
`Connection: close` (wrk keeps connections alive: another reason to compare only within one
tool), and any `--header` (one replaces the default User-Agent). Prints one JSON object on
stdout with the same fields bench/run.py reads from wrk: requests, duration, bytes, errors by
kind (connect, read, write, timeout, status: 400 or more, wrk's rule) and latency percentiles.

It is slower than wrk (it is Python), so it caps the request rate lower: compare only ratios
measured with the same tool in one run. Standard library only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import time
import urllib.parse
from dataclasses import dataclass, field

ALLOWED_HOSTS = {"127.0.0.1", "localhost"}


@dataclass
class Tally:
    requests: int = 0
    bytes: int = 0
    errors: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("connect", "read", "write", "timeout", "status"), 0)
    )
    latencies_us: list[int] = field(default_factory=list)
    elapsed: float = 0.0  # seconds from the first request to the last response


def loopback_target(urls: list[str]) -> tuple[str, int, list[str]]:
    """Host, port and request targets (path + query) of URLs that all point at one local server."""
    parts = [urllib.parse.urlsplit(url) for url in urls]
    hosts = {(p.scheme, p.hostname, p.port or 80) for p in parts}
    if len(hosts) != 1:
        raise SystemExit("loadgen: all URLs must point at the same server")
    scheme, host, port = hosts.pop()
    if scheme != "http" or host not in ALLOWED_HOSTS:
        raise SystemExit(f"loadgen: only http://127.0.0.1 is allowed as a target, not {urls[0]}")
    targets = [(p.path or "/") + (f"?{p.query}" if p.query else "") for p in parts]
    return host, port, targets


async def one_connection(
    host: str,
    port: int,
    requests: list[bytes],
    first: int,
    deadline: float,
    timeout: float,
    tally: Tally,
) -> None:
    """Send requests one after another, each on a new connection, until the deadline."""
    index = first
    while time.monotonic() < deadline:
        request = requests[index % len(requests)]
        index += 1
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        except TimeoutError:
            tally.errors["timeout"] += 1
            continue
        except OSError:
            tally.errors["connect"] += 1
            await asyncio.sleep(0.01)  # do not spin on a refused port
            continue
        try:
            try:
                writer.write(request)
                await asyncio.wait_for(writer.drain(), timeout)
            except OSError:
                tally.errors["write"] += 1
                continue
            remaining = max(0.001, timeout - (time.perf_counter() - started))
            try:
                data = await asyncio.wait_for(reader.read(), remaining)  # until the server closes
            except OSError:
                tally.errors["read"] += 1
                continue
        except TimeoutError:
            tally.errors["timeout"] += 1
            continue
        finally:
            writer.close()
        elapsed_us = int((time.perf_counter() - started) * 1_000_000)
        if not data.startswith(b"HTTP/1."):
            tally.errors["read"] += 1
            continue
        tally.requests += 1
        tally.bytes += len(data)
        tally.latencies_us.append(elapsed_us)
        if data[9:10] not in (b"2", b"3"):  # "HTTP/1.1 200": as wrk, 4xx and 5xx are errors
            tally.errors["status"] += 1


async def drive(
    host: str,
    port: int,
    targets: list[str],
    connections: int,
    offset: int,
    duration: float,
    timeout: float,
    headers: tuple[str, ...] = (),
) -> Tally:
    named = {line.split(":", 1)[0].strip().lower() for line in headers}
    default = () if "user-agent" in named else ("User-Agent: decision-bench",)
    extra = "".join(f"{line}\r\n" for line in (*default, *headers))
    requests = [
        (
            f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}"
            "Accept: text/html,*/*\r\nConnection: close\r\n\r\n"
        ).encode()
        for target in targets
    ]
    tally = Tally()
    started = time.monotonic()
    deadline = started + duration
    await asyncio.gather(
        *(
            one_connection(host, port, requests, offset + n, deadline, timeout, tally)
            for n in range(connections)
        )
    )
    tally.elapsed = time.monotonic() - started
    return tally


def process_main(args: tuple) -> dict:
    tally = asyncio.run(drive(*args))
    return {
        "requests": tally.requests,
        "bytes": tally.bytes,
        "errors": tally.errors,
        "latencies_us": tally.latencies_us,
        "elapsed": tally.elapsed,
    }


def percentile(ordered: list[int], share: float) -> int:
    if not ordered:
        return 0
    return ordered[min(len(ordered) - 1, int(share / 100 * len(ordered)))]


def run(
    urls: list[str],
    *,
    connections: int,
    duration: float,
    processes: int = 2,
    timeout: float = 2.0,
    headers: tuple[str, ...] = (),
) -> dict:
    """Drive the URLs; the summary, in the same shape bench/run.py builds from wrk's output."""
    if any("\r" in line or "\n" in line or ":" not in line for line in headers):
        raise SystemExit('loadgen: a --header is one line, "Name: value"')
    host, port, targets = loopback_target(urls)
    processes = max(1, min(processes, connections))
    shares = [connections // processes + (n < connections % processes) for n in range(processes)]
    jobs = []
    offset = 0
    for share in shares:
        jobs.append((host, port, targets, share, offset, duration, timeout, headers))
        offset += share
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        # Bounded: every connection stops at the deadline plus at most one request timeout.
        parts = pool.map_async(process_main, jobs).get(timeout=duration + timeout + 30)
    latencies = sorted(value for part in parts for value in part["latencies_us"])
    hist: dict[int, int] = {}
    for value in latencies:
        hist[value] = hist.get(value, 0) + 1
    errors = {kind: sum(part["errors"][kind] for part in parts) for kind in parts[0]["errors"]}
    return {
        "tool": "python",
        "requests": sum(part["requests"] for part in parts),
        "duration_s": max(part["elapsed"] for part in parts),
        "bytes": sum(part["bytes"] for part in parts),
        "errors": errors,
        "p50_ms": percentile(latencies, 50) / 1000,
        "p90_ms": percentile(latencies, 90) / 1000,
        "p99_ms": percentile(latencies, 99) / 1000,
        "max_ms": (latencies[-1] if latencies else 0) / 1000,
        "hist": sorted(hist.items()),  # (microseconds, count), as bench/run.py merges them
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+", metavar="URL")
    parser.add_argument("--connections", "-c", type=int, default=16)
    parser.add_argument("--duration", "-d", type=float, default=10.0, help="seconds")
    parser.add_argument("--processes", "-p", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds per request")
    parser.add_argument(
        "--header", action="append", default=[], help='"Name: value", sent with every request'
    )
    args = parser.parse_args()
    if not 0 < args.duration <= 600:
        raise SystemExit("loadgen: --duration must be between 0 and 600 seconds")
    if not 0 < args.connections <= 256:
        raise SystemExit("loadgen: --connections must be between 1 and 256")
    summary = run(
        args.urls,
        connections=args.connections,
        duration=args.duration,
        processes=args.processes,
        timeout=args.timeout,
        headers=tuple(args.header),
    )
    json.dump(summary, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
