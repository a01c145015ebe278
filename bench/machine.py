"""The machine and the run: CPU, memory, versions, and whether others shared the CPU."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench.load import log
from bench.server import BASE_DIR
from bench.soak import children

IDLE_SHARE = 0.9  # before starting, wait (bounded) until this much of the CPU is idle
DISTURBED_SHARE = 0.10  # of the machine's CPU taken by others: the report says so


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


def own_ticks(*masters: int) -> int:
    """CPU ticks of the gunicorn servers (masters, workers), this script and the load
    generators it ran."""
    times = os.times()
    mine = (times.user + times.system + times.children_user + times.children_system) * os.sysconf(
        "SC_CLK_TCK"
    )
    return int(mine) + process_ticks([pid for m in masters for pid in (m, *children(m))])


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


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=BASE_DIR, capture_output=True, text=True, timeout=10
    ).stdout.strip()


def code_revision() -> str:
    try:
        head = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except OSError:
        return "unknown"
    if not head:
        return "unknown"
    return f"`{head}`" + (" with uncommitted changes" if dirty else "")
