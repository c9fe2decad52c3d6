"""Structured logs: one JSON object per line (``LOG_FORMAT=json``).

Log collectors (journald, Loki, Elasticsearch, a cloud's log service) parse these
lines without regular expressions; a multi-line traceback stays inside its record.
The request id ties every line of one request together, across the proxy, gunicorn's
access log and the application.

This module is loaded by ``logging.config`` from the settings and by gunicorn's
configuration, so it imports nothing from Django's ORM.
"""

import contextvars
import datetime as dt
import json
import logging
from collections.abc import Mapping

# Set by ``leitbild.ops.middleware.RequestIdMiddleware`` for the duration of a request.
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "leitbild_request_id", default=None
)

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", (), None)).keys()
) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "process", "request_id"?, "exception"?, …}``.

    Fields passed with ``extra=`` are kept (as strings when JSON cannot hold them).
    gunicorn's access records become an ``http`` object — method, path without the
    query string (confirmation links carry secrets there), status, duration, size —
    and carry no client address: the proxy's log is the place for that, under its own
    retention rules.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        current = request_id.get()
        if current:
            entry["request_id"] = current
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            entry.update(self._access_fields(record.args))
        for key, value in vars(record).items():
            if key in _RECORD_ATTRIBUTES or key.startswith("_") or key in entry:
                continue
            if key == "request":
                # Django's request loggers attach the HttpRequest (runserver: a socket).
                if hasattr(value, "method") and hasattr(value, "path"):
                    entry["http"] = {"method": value.method, "path": value.path}
                continue
            entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

    @staticmethod
    def _access_fields(atoms: Mapping) -> dict[str, object]:
        def atom(key):
            try:
                value = atoms[key]
            except KeyError:
                return None
            return None if value in ("-", None) else value

        fields: dict[str, object] = {
            "http": {
                "method": atom("m"),
                "path": atom("U"),
                "status": int(atom("s")) if str(atom("s") or "").isdigit() else atom("s"),
                "duration_ms": round((atom("D") or 0) / 1000, 1),
                "bytes": atom("B"),
            }
        }
        # The request id the application answered with (see RequestIdMiddleware).
        if response_id := atom("{x-request-id}o"):
            fields["request_id"] = response_id
        return fields
