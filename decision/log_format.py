"""Log records as one JSON object per line, so log pipelines need no parsing rules.

Client errors are the client's problem, not ours: a record about a 4xx response (a disallowed
Host, a malformed request) is logged as one WARNING line without a traceback. Objects attached
to a record (Django's request, runserver's socket) are logged as what they say about the
request (method and path), never as their repr.
"""

import json
import logging
from datetime import UTC, datetime

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class ClientErrorsAreWarnings(logging.Filter):
    """Records about a 4xx response lose their traceback and become warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500 and record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key in _STANDARD or key.startswith("_"):
                continue
            if isinstance(value, str | int | float | bool) or value is None:
                entry[key] = value
            elif key == "request" and hasattr(value, "method"):
                entry["method"], entry["path"] = value.method, getattr(value, "path", "")
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
