"""Start and stop the site as production runs it, on 127.0.0.1, for the benchmark and the audit.

One throwaway SQLite database and STATIC_ROOT per run (in a temporary directory), DEBUG off,
and the production command from the Dockerfile: `gunicorn decision.asgi:application --config
gunicorn.conf.py`, with only the address, the worker count and the logs changed.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# The Dockerfile's CMD, which every deployment runs (tests/test_deploy.py checks they agree).
PRODUCTION_COMMAND = ("gunicorn", "decision.asgi:application", "--config", "gunicorn.conf.py")
# Settings of the caller's shell that would make a run depend on it.
IGNORED_ENV = {
    "REDIS_URL",
    "STATICFILES_BACKEND",
    "GUNICORN_CMD_ARGS",
    "WEB_CONCURRENCY",
    "PORT",
    "DJANGO_SETTINGS_MODULE",
    "DB_CONN_MAX_AGE",
    "CLIENT_IP_HEADERS",
    "CLIENT_IP_PROXY_COUNT",
    "RESULTS_PER_CLIENT",
    "RESULTS_WINDOW_SECONDS",
    "ANALYTICS_ENABLED",
    "ANALYTICS_FLUSH_SECONDS",
    "ANALYTICS_FLUSH_SIZE",
}
LOG_TROUBLE = ('"level": "ERROR"', '"level": "CRITICAL"', "[ERROR]", "[CRITICAL]", "Traceback")


def log(who: str, message: str) -> None:
    print(f"{who}: {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(tmp: Path, **overrides: str) -> dict[str, str]:
    """This process's environment with production settings for a local run in `tmp`."""
    env = {k: v for k, v in os.environ.items() if k not in IGNORED_ENV}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'site.sqlite3'}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on loopback: nothing to redirect to. Requests that say
        # X-Forwarded-Proto: https are still answered as production answers them.
        SECURE_SSL_REDIRECT="false",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str, who: str, timeout: float = 300) -> None:
    """Run a manage.py command with these settings; stop with its output if it fails."""
    log(who, "manage.py " + " ".join(args))
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"{who}: manage.py {args[0]} failed (exit {completed.returncode})")


def prepare_site(env: dict[str, str], *, who: str, static: bool = True) -> None:
    """Migrate, load every fixture and (unless told not to) collect the static files."""
    manage(env, "migrate", "--noinput", who=who)
    fixtures = sorted(str(p) for p in (BASE_DIR / "fixtures").glob("*.yaml"))
    manage(env, "load_content", *fixtures, who=who)
    if static:
        manage(env, "collectstatic", "--noinput", who=who)


def server_command(port: int, *options: str, workers: int = 2) -> list[str]:
    """The production command, bound to 127.0.0.1:port with `workers` workers and `options`."""
    program, *arguments = PRODUCTION_COMMAND
    return [
        str(VENV_BIN / program),
        *arguments,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        *options,
    ]


def start_server(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """Start the server, its output appended to log_path, in a process group of its own."""
    with log_path.open("ab") as out:
        return subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so stopping its group stops the workers too
        )


def wait_until_up(
    server: subprocess.Popen, base: str, log_path: Path, *, who: str, timeout: float = 30
) -> None:
    """Wait for /healthz to answer 200; stop with the server's log if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.stderr.write(log_path.read_text(errors="replace"))
            raise SystemExit(f"{who}: the server exited early (exit {server.returncode})")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    sys.stderr.write(log_path.read_text(errors="replace"))
    raise SystemExit(f"{who}: {base}/healthz did not answer 200 within {timeout:.0f} s")


def stop_server(server: subprocess.Popen, grace: float = 10) -> None:
    """Stop the server and its workers (its process group): politely, then for good."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def server_problems(log_path: Path, limit: int = 20) -> list[str]:
    """Trouble in the server's log: errors and tracebacks, each as one line with its exception."""
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return []
    found = []
    for number, line in enumerate(lines):
        if not any(marker in line for marker in LOG_TROUBLE):
            continue
        if line.startswith("{"):  # Django's JSON log: the traceback is inside
            try:
                record = json.loads(line)
            except ValueError:
                record = {}
            last = (record.get("exception") or "").strip().splitlines()[-1:]
            found.append(" ".join([record.get("message", line), *last])[:300])
        elif line.startswith("Traceback"):  # the server's own: its last line is the exception
            following = [x for x in lines[number + 1 :] if x and not x.startswith(" ")]
            found.append(("Traceback: " + (following[0] if following else "?"))[:300])
        else:
            found.append(line[:300])
    return found[:limit]
