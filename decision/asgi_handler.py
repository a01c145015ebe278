"""The application production serves: Django's synchronous handler behind a buffering front.

Uvicorn's event loop reads a request's whole body, one thread per process then runs Django's
plain WSGI handler on it and collects the whole response, and the loop writes it out. So:

- a client that sends or reads slowly holds a socket, never the thread that runs Django;
- a request crosses from the loop to that thread once. Django's own ASGI handler, for a site
  whose views and middleware are synchronous, crosses five or six times (for each request
  signal, at each boundary between sync and async middleware, and for the view);
- the one thread keeps one database connection open, as a sync worker did;
- a body larger than MAX_BODY_BYTES is refused with 413 before it is read.

The body is buffered like asgiref's WsgiToAsgi does (in memory, on disk past 64 KB), and its
environ builder is reused; unlike it, the response is collected in the thread and sent after,
so a client that reads slowly cannot keep the thread waiting.
"""

from __future__ import annotations

import logging
from tempfile import SpooledTemporaryFile

from asgiref.sync import sync_to_async
from asgiref.wsgi import WsgiToAsgiInstance
from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.utils.csp import build_policy

from .errors import unreadable_request_page

logger = logging.getLogger("django.request")
MAX_BODY_BYTES = 4 * 1024 * 1024  # the largest form this site takes is a few KB


def answer_unreadable_requests(app):
    """A WSGI application that answers 400 when Django cannot even build the request.

    Django builds the request object before its error handling starts, and that can fail on
    the client's input: a Content-Type naming a charset makes it re-read the query string,
    which raises TooManyFieldsSent past DATA_UPLOAD_MAX_NUMBER_FIELDS, and an over-long
    Content-Type raises BadRequest. Anything else is answered by Django's own handling.
    """

    def application(environ, start_response):
        try:
            return app(environ, start_response)
        except (BadRequest, SuspiciousOperation) as error:
            logger.warning(
                "Bad Request: %s",
                environ.get("PATH_INFO", ""),
                extra={"status_code": 400, "reason": str(error)},
            )
            headers = [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Security-Policy", build_policy(settings.SECURE_CSP)),
                ("X-Content-Type-Options", "nosniff"),
                ("Cache-Control", "no-store"),
            ]
            start_response("400 Bad Request", headers)
            return [unreadable_request_page().encode()]

    return application


class BufferedWsgi:
    """An ASGI application running a WSGI application on complete requests, in one thread.

    `on_shutdown` runs in that thread when the server stops the process gracefully (the ASGI
    lifespan's shutdown): what the process still holds to write is written then.
    """

    def __init__(self, wsgi_application, max_body: int = MAX_BODY_BYTES, on_shutdown=None):
        self.wsgi_application = wsgi_application
        self.max_body = max_body
        self.on_shutdown = on_shutdown

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise ValueError(f"Only HTTP is served, not {scope['type']}.")
        with SpooledTemporaryFile(max_size=65536) as body:
            match await self._read_body(scope, receive, body):
                case "gone":  # the client left before its request was complete: nothing to do
                    return
                case "too large":
                    await _send(send, _too_large(), head=False)
                    return
            body.seek(0)
            response = await self._run(scope, body)
        await _send(send, response, head=scope["method"] == "HEAD")

    async def _read_body(self, scope, receive, body) -> str:
        """Read the whole body into `body`: "complete", "too large" (or said so) or "gone"."""
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.max_body:
            return "too large"
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return "gone"
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return "too large"
            body.write(chunk)
            if not message.get("more_body"):
                return "complete"

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self._shut_down()
                await send({"type": "lifespan.shutdown.complete"})
                return

    @sync_to_async  # in the requests' thread, with its database connection
    def _shut_down(self) -> None:
        if self.on_shutdown is None:
            return
        try:
            self.on_shutdown()
        except Exception:  # stopping anyway: say what was not done, and stop
            logger.exception("Shutdown work failed")

    @sync_to_async  # thread-sensitive: every request of this process runs in one thread
    def _run(self, scope, body) -> tuple[dict, bytes]:
        adapter = WsgiToAsgiInstance(self.wsgi_application)
        adapter.scope = scope
        try:
            environ = adapter.build_environ(scope, body)
        except ValueError:  # too many copies of one header
            return _bad_request()
        result = self.wsgi_application(environ, adapter.start_response)
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()  # Django's request_finished: closes what the request opened
        return adapter.response_start, content


async def _send(send, response: tuple[dict, bytes], *, head: bool) -> None:
    start, content = response
    if not any(name == b"content-length" for name, _ in start["headers"]):
        start["headers"] = [*start["headers"], (b"content-length", str(len(content)).encode())]
    await send(start)
    await send({"type": "http.response.body", "body": b"" if head else content})


def _too_large() -> tuple[dict, bytes]:
    body = b"Request body too large."
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
    return {"type": "http.response.start", "status": 413, "headers": headers}, body


def _bad_request() -> tuple[dict, bytes]:
    headers = [(b"content-type", b"text/html; charset=utf-8")]
    start = {"type": "http.response.start", "status": 400, "headers": headers}
    return start, unreadable_request_page().encode()
