"""A request through the ASGI application in-process: its time and its thread switches.

The Django test client runs the middleware and the view synchronously, as under WSGI; the
server instead runs decision.asgi.application, which moves between the event loop and the
views' thread (asgiref's sync_to_async and async_to_sync). Each switch costs time the test
client never shows, so this counts them per request and times the whole ASGI path.
"""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from contextlib import contextmanager

from asgiref.sync import AsyncToSync, SyncToAsync

from bench.pages import Page


@contextmanager
def counted_switches():
    """Count calls of sync_to_async and async_to_sync while the block runs."""
    counts = {"sync_to_async": 0, "async_to_sync": 0}
    to_async, to_sync = SyncToAsync.__call__, AsyncToSync.__call__

    async def counting_to_async(self, *args, **kwargs):
        counts["sync_to_async"] += 1
        return await to_async(self, *args, **kwargs)

    def counting_to_sync(self, *args, **kwargs):
        counts["async_to_sync"] += 1
        return to_sync(self, *args, **kwargs)

    SyncToAsync.__call__, AsyncToSync.__call__ = counting_to_async, counting_to_sync
    try:
        yield counts
    finally:
        SyncToAsync.__call__, AsyncToSync.__call__ = to_async, to_sync


async def asgi_get(application, host: str, target: str) -> int:
    """GET target through the ASGI application; the response status."""
    parts = urllib.parse.urlsplit(target)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": parts.path,
        "raw_path": parts.path.encode(),
        "query_string": parts.query.encode(),
        "root_path": "",
        "headers": [(b"host", host.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    requested = False
    statuses = []

    async def receive():
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays connected

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await application(scope, receive, send)
    return statuses[0]


def measure_asgi_path(pages: list[Page], host: str, repeats: int) -> None:
    """Fill in each page's median time through the ASGI path and its switches per request."""
    from decision.asgi import application

    async def measure() -> None:
        for page in pages:
            await asgi_get(application, host, page.path)  # warm
            samples = []
            with counted_switches() as counts:
                for _ in range(repeats):
                    started = time.perf_counter()
                    status = await asgi_get(application, host, page.path)
                    samples.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise SystemExit(f"bench: {page.path} answered {status} through ASGI")
            page.asgi_ms = sorted(samples)[len(samples) // 2]
            page.switches = (counts["sync_to_async"] / repeats, counts["async_to_sync"] / repeats)

    asyncio.run(measure())
