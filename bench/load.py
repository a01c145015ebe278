"""Load on the server: wrk (or bench/loadgen.py without it), one URL or a mix, as a histogram."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REQUEST_TIMEOUT = 2  # seconds; wrk's default, and the Python generator's


def log(message: str) -> None:
    print(f"bench: {message}", flush=True)


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
    headers: dict[str, str] | None = None,
) -> Load:
    """Load on `paths` (taking turns when several), each request with `headers` added."""
    urls = [base + path for path in paths]
    only_loopback(urls)
    header_lines = [f"{name}: {value}" for name, value in (headers or {}).items()]
    if wrk is None:
        completed = subprocess.run(
            [
                sys.executable,
                str(BENCH_DIR / "loadgen.py"),
                f"--connections={connections}",
                f"--duration={seconds}",
                f"--processes={threads}",
                f"--timeout={REQUEST_TIMEOUT}",
                *(f"--header={line}" for line in header_lines),
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
            *(f"--header={line}" for line in header_lines),
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
