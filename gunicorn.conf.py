"""Gunicorn settings for every deployment: a container on Kubernetes or a serverless container.

Everything that differs between platforms comes from the environment, so one image runs on both:
PORT (Cloud Run and App Runner choose it), WEB_CONCURRENCY (sized to the memory the platform
gives an instance) and FORWARDED_ALLOW_IPS (who may tell us the original scheme). The command
line and GUNICORN_CMD_ARGS still override anything set here.
"""

import os
from pathlib import Path


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


# Listen on every interface: the platform's proxy or the kubelet connects from outside the
# container. PORT is how Cloud Run, App Runner and Container Apps tell the container where.
bind = f"0.0.0.0:{_env_int('PORT', 8000)}"

# Sync workers: the pages are short, CPU-light Django views with a few quick queries, and one
# request per process keeps the memory of each worker predictable. Gunicorn's rule of thumb is
# 2 x cores + 1; capped at 8 because with no CPU limit (our Kubernetes Deployment sets none) the
# count would follow the node's cores and outgrow the memory limit. Deployments set
# WEB_CONCURRENCY explicitly to match their memory limit.
workers = _env_int("WEB_CONCURRENCY", min(int(_available_cpus()) * 2 + 1, 8))
worker_class = "sync"

# A request that takes longer than this is stuck (every page is a few milliseconds of work):
# the worker is killed and replaced instead of holding a slot forever.
timeout = 30
# On SIGTERM (a rolling update, a scale-in, Cloud Run stopping an instance) workers finish the
# requests they hold for up to this long. Kubernetes' terminationGracePeriodSeconds (35) covers
# the pre-stop pause (5) plus this.
graceful_timeout = 25
# Idle keep-alive for workers that hold connections open (gthread, if switched to via
# GUNICORN_CMD_ARGS): longer than a typical load balancer's reuse window. Sync workers close
# each connection after its response and ignore this.
keepalive = 5

# Recycle each worker after about a thousand requests so slow memory growth (caches, fragmented
# heaps) can never reach the container's memory limit; the jitter stops all workers restarting
# at the same moment.
max_requests = 1000
max_requests_jitter = 100

# The worker heartbeat file is touched constantly; on a disk-backed or overlay /tmp that can
# stall workers. /dev/shm is memory-backed and stays writable when the root filesystem is
# read-only (our Kubernetes pods).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Gunicorn 25.1+ opens a control socket under $HOME for `gunicornc`; containers are managed by
# the platform (scaling, restarts), and the non-root user has no writable home.
control_socket_disable = True

# Proxies whose X-Forwarded-Proto gunicorn believes (it sets wsgi.url_scheme from it only for
# connections from these addresses). Kubernetes: the ingress controller's pod range. Serverless
# containers are reachable only through the platform's front end, so "*" is safe there. Django
# also reads the header itself when SECURE_PROXY_SSL_HEADER is set (decision/settings.py).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs are streams, not files: the platform collects stdout and stderr.
# Access log: one JSON object per line on stdout, so Cloud Logging, CloudWatch or Loki parse
# fields without a regex. Gunicorn escapes double quotes in values; "-" marks an absent header.
# The path is logged without the query string, which holds a visitor's wizard answers.
# "bytes" counts the body gunicorn wrote itself: static files it hands to sendfile() log 0.
accesslog = "-"
access_log_format = (
    '{"time": "%(t)s", "remote_addr": "%(h)s", "forwarded_for": "%({x-forwarded-for}i)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": %(B)s, '
    '"duration_ms": %(M)s, "request_id": "%({x-request-id}i)s", "user_agent": "%(a)s"}'
)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
