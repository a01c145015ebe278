"""The soak: a long mixed load while the workers' resident memory is sampled."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.load import Load, run_load

RSS_GROWTH_LIMIT_MB = 25.0  # per worker, from after the soak's warm-up to its end
RSS_SAMPLE_SECONDS = 2.0


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
