"""Send one request through the production ASGI application, as uvicorn would."""

import asyncio

from asgiref.sync import async_to_sync

from decision.asgi import application


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

    async def run():
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

    async_to_sync(run)()
    start = next(m for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), content
