"""Gunicorn settings for every deployment: a container on Kubernetes or a serverless container.

Gunicorn manages the processes (how many, recycling, graceful shutdown); each worker runs
uvicorn's event loop and serves decision.asgi:application. The event loop reads a request's
whole body (and later writes the whole response) without tying up anything but a socket, so a
client that sends or reads slowly cannot hold a worker: Django runs, in one thread per process,
only on complete requests (decision/asgi_handler.py). With sync workers, two clients
trickling a POST body held both workers until the timeout and every other visitor waited.

Everything that differs between platforms comes from the environment, so one image runs on both:
PORT (Cloud Run and App Runner choose it) and WEB_CONCURRENCY (sized to the memory the platform
gives an instance). The command line and GUNICORN_CMD_ARGS still override anything set here.
"""

import datetime
import json
import logging
import os
import time
from pathlib import Path

from uvicorn_worker import UvicornWorker


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _available_cpus() -> float:
    """CPUs this container may use: the cgroup CPU quota if one is set, else the usable cores.

    os.cpu_count() reports every core of the host, which in a container with a CPU limit would
    start far more workers than the limit lets run.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:  # cgroup v2: "max 100000" (no limit) or "<quota> <period>" in microseconds
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            return min(cores or 1, int(quota) / int(period))
    except (OSError, ValueError):
        pass
    return float(cores or 1)


def _header(scope: dict, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return "-"


def json_access_log(app, logger: logging.Logger):
    """The ASGI app, logging one JSON object per response to `logger` (gunicorn's access log).

    The path is logged without the query string, which holds a visitor's wizard answers.
    "remote_addr" is the address the connection came from (the proxy in front, in production);
    "forwarded_for" is the X-Forwarded-For header as received. "bytes" counts the response
    body; "duration_ms" runs from the first byte of the request to the last of the response,
    so it includes the time a slow client took to send its body. "status" is null when the
    client went away before a response started.
    """

    async def logged(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        started = time.perf_counter()
        status, sent = None, 0

        async def counting_send(message):
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and scope["method"] != "HEAD":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await app(scope, receive, counting_send)
        except Exception:
            status = status or 500  # uvicorn answers 500 for the app
            raise
        finally:
            client = scope.get("client")
            path = scope.get("raw_path") or scope["path"].encode()
            record = {
                "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
                "remote_addr": client[0] if client else "-",
                "forwarded_for": _header(scope, b"x-forwarded-for"),
                "method": scope["method"],
                "path": path.decode("latin-1"),
                "status": status,
                "bytes": sent,
                "duration_ms": round((time.perf_counter() - started) * 1000),
                "request_id": _header(scope, b"x-request-id"),
                "user_agent": _header(scope, b"user-agent"),
            }
            logger.info(json.dumps(record, ensure_ascii=False))

    return logged


class Worker(UvicornWorker):
    """A uvicorn worker (uvloop and httptools when installed) with this site's access log.

    Uvicorn's own access line holds the query string, so it is off; json_access_log writes to
    gunicorn's access log instead (accesslog below, or --access-logfile), and not at all when
    gunicorn has no access log. Proxy headers are off: REMOTE_ADDR stays the address the
    connection came from, as it was under gunicorn's sync workers. Django alone reads what a
    proxy adds: the scheme from SECURE_PROXY_SSL_HEADER, the visitor's address from the
    client-address settings that count trusted proxies (decision/settings.py). Uvicorn's
    proxy headers would instead take the client from X-Forwarded-For for trusted peers, and
    with "*" trusted (as on Cloud Run) from its leftmost entry, which the visitor writes.
    """

    CONFIG_KWARGS = {
        **UvicornWorker.CONFIG_KWARGS,
        "access_log": False,
        "proxy_headers": False,
        "server_header": False,
        # On: at a graceful stop the app writes the analytics counts the worker still holds
        # (decision.asgi); uvicorn's SIGTERM handling never reaches Python's atexit.
        "lifespan": "on",
    }

    def load_wsgi(self) -> None:
        super().load_wsgi()
        access_log = self.log.access_log
        if access_log.handlers:
            self.wsgi = json_access_log(self.wsgi, access_log)


# Listen on every interface: the platform's proxy or the kubelet connects from outside the
# container. PORT is how Cloud Run, App Runner and Container Apps tell the container where.
bind = f"0.0.0.0:{_env_int('PORT', 8000)}"

# One event loop per process; Django runs the requests of a process in one thread, so a process
# still computes one page at a time and its memory stays predictable. Gunicorn's rule of thumb
# is 2 x cores + 1; capped at 8 because with no CPU limit (our Kubernetes Deployment sets none)
# the count would follow the node's cores and outgrow the memory limit. Deployments set
# WEB_CONCURRENCY explicitly to match their memory limit.
workers = _env_int("WEB_CONCURRENCY", min(int(_available_cpus()) * 2 + 1, 8))
worker_class = Worker

# A worker that stops answering gunicorn's heartbeat for this long is killed and replaced. The
# event loop keeps beating while a view runs in its thread, so this catches a stuck process,
# not a slow request.
timeout = 30
# On SIGTERM (a rolling update, a scale-in, Cloud Run stopping an instance) workers stop
# accepting and finish the requests they hold for up to this long. Kubernetes'
# terminationGracePeriodSeconds (35) covers the pre-stop pause (5) plus this.
graceful_timeout = 25
# Idle keep-alive connections are closed after this many seconds (uvicorn's
# timeout_keep_alive): longer than a typical load balancer's reuse window would be wasted.
keepalive = 5

# Workers are not recycled after a number of requests. A uvicorn worker at its limit closes the
# connections it has accepted but not yet read, so every recycle could drop a visitor's request
# (the benchmark's 2,000-request write run met one). The benchmark's soak shows no memory growth
# per worker, and the container's memory limit restarts a process that ever grows.
max_requests = 0

# The worker heartbeat file is touched constantly; on a disk-backed or overlay /tmp that can
# stall workers. /dev/shm is memory-backed and stays writable when the root filesystem is
# read-only (our Kubernetes pods).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Gunicorn 25.1+ opens a control socket under $HOME for `gunicornc`; containers are managed by
# the platform (scaling, restarts), and the non-root user has no writable home.
control_socket_disable = True

# Logs are streams, not files: the platform collects stdout and stderr. The access log is one
# JSON object per line on stdout (Worker and json_access_log above), so Cloud Logging,
# CloudWatch or Loki parse fields without a regex.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
