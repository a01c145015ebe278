"""Send one request through the production ASGI application, as uvicorn would."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from decision.asgi import application


def run(coroutine):
    """Run a coroutine to its end in a thread of its own.

    The browser tests' Playwright keeps an event loop running in the main thread for the whole
    session, where asyncio.run and async_to_sync refuse to start another.
    """
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def asgi_request(method: str, path: str, *, query: bytes = b"", headers=(), body: bytes = b""):
    """(status, headers, body) of the application's answer."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent = []
    received = [{"type": "http.request", "body": body, "more_body": False}]

    async def exchange():
        done = asyncio.Event()

        async def receive():
            if received:
                return received.pop(0)
            await done.wait()  # the client stays connected until the answer is complete
            return {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        await application(scope, receive, send)

    run(exchange())
    start = next(m for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), content
