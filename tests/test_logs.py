"""Logs: one JSON line per record, client errors as warnings without tracebacks, no reprs."""

import io
import json
import logging
import socket

import pytest
from django.test import Client


@pytest.fixture
def log_lines():
    """What the site writes to stdout during the test, as parsed JSON lines."""
    handler = logging.getLogger("django").handlers[0]
    stream = io.StringIO()
    old = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(old)


@pytest.mark.django_db
def test_a_disallowed_host_is_one_warning_line_without_a_traceback(log_lines):
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    (line,) = log_lines()
    assert line["level"] == "WARNING"
    assert line["logger"] == "django.security.DisallowedHost"
    assert "evil.example" in line["message"]
    assert "exception" not in line
    assert (line["method"], line["path"]) == ("GET", "/")


@pytest.mark.django_db
def test_a_missing_page_logs_the_request_by_method_and_path_not_by_repr(log_lines):
    Client().head("/no-such-page/")
    (line,) = log_lines()
    assert line["level"] == "WARNING" and line["status_code"] == 404
    assert (line["method"], line["path"]) == ("HEAD", "/no-such-page/")
    assert "<" not in json.dumps(line)  # no object reprs such as <WSGIRequest …>


def test_server_request_lines_carry_no_socket_repr(log_lines):
    with socket.socket() as sock:
        logging.getLogger("django.server").info(
            '"GET / HTTP/1.1" 200 5', extra={"request": sock, "status_code": 200}
        )
    (line,) = log_lines()
    assert line["message"] == '"GET / HTTP/1.1" 200 5' and line["status_code"] == 200
    assert "socket" not in json.dumps(line) and "request" not in line


def test_server_errors_keep_their_traceback(log_lines):
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("django.request").error(
            "Internal Server Error: /", exc_info=True, extra={"status_code": 500}
        )
    (line,) = log_lines()
    assert line["level"] == "ERROR" and "RuntimeError: boom" in line["exception"]
