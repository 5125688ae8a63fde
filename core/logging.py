"""Structured logs: a request id for every request, and one JSON object per log line.

configure_logging(app), called once in create_app:

- every request gets an id: the incoming `X-Request-ID` header when it is a safe short token
  (the reverse proxy sets one, see README), otherwise a new random one. It is kept in
  `g.request_id` and sent back in the `X-Request-ID` response header;
- after each request the app writes one access line (logger "<app>.access": method, path
  without the query string, since that may hold an order's secret token, and with a secret
  that is part of the path, a password reset link's token, replaced by "<token>"; status,
  duration);
- with LOG_JSON (the default outside tests) every log line, the app's and any library's that
  reaches the root logger, is written to stderr as one JSON object:

    {"time": "2026-05-01T08:30:00.123Z", "level": "INFO", "logger": "app.access",
     "message": "GET /products 200", "request_id": "4f0c…", "method": "GET",
     "path": "/products", "status": 200, "duration_ms": 12.3}

  Lines written outside a request have null request fields. A log call's `extra` values are
  added as fields; an exception comes as "exception" (the traceback as text);
- with LOG_FORMAT "text" (`make run`, FLASK_DEBUG; core.config.log_format) the same lines are
  written for a person reading a terminal, one a line, the access line with its duration:

    19:41:19 INFO POST /login 302 (9.8 ms)
    19:41:20 WARNING app: the mail server did not answer

In both the development server's own request lines ('127.0.0.1 - - [...] "GET / HTTP/1.1"
200 -') are left out: the app's access line says the same, with the request id and duration.
Its other lines (" * Running on http://127.0.0.1:5000") stay.
"""

import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime

from flask import Flask, current_app, g, has_request_context, request
from flask.logging import default_handler

REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits and . _ - only, at most 64: safe to echo in a header and to log as it is.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
REQUEST_FIELDS = ("request_id", "method", "path", "status", "duration_ms")
# Arguments of a route that are secrets (/account/reset/<token>): never logged.
SECRET_PATH_ARGUMENTS = ("token",)
# Attributes every LogRecord has; anything else on a record came from `extra`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
}


def configure_logging(app: Flask) -> None:
    """Request ids and access lines always; JSON or readable lines by app.config["LOG_FORMAT"]
    (LOG_JSON: the JSON ones); under tests ("") Flask's own handler."""
    app.before_request(start_request)
    app.after_request(finish_request)
    if app.config.get("LOG_JSON") or app.config.get("LOG_FORMAT") == "json":
        install_json_logging(app)
    elif app.config.get("LOG_FORMAT") == "text":
        install_text_logging(app)


def request_id_from(value: str | None) -> str:
    """The incoming id when it is a safe short token, else a new random one."""
    if value and _SAFE_REQUEST_ID.fullmatch(value):
        return value
    return secrets.token_hex(16)


def start_request() -> None:
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()


def finish_request(response):
    if "request_id" not in g:  # an earlier before_request function answered first
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    response.headers[REQUEST_ID_HEADER] = g.request_id
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    path = logged_path()
    access_logger(current_app).info(
        "%s %s %s",
        request.method,
        path,
        response.status_code,
        extra={
            "request_id": g.request_id,
            "method": request.method,
            "path": path,
            "status": response.status_code,
            "duration_ms": duration_ms,
        },
    )
    return response


def logged_path() -> str:
    """The request's path as logs show it: a secret argument of its route replaced by its name."""
    path = request.path
    arguments = request.view_args or {}
    for name in SECRET_PATH_ARGUMENTS:
        value = arguments.get(name)
        if isinstance(value, str) and value:
            path = path.replace(value, f"<{name}>")
    return path


def access_logger(app: Flask) -> logging.Logger:
    return app.logger.getChild("access")


class JsonFormatter(logging.Formatter):
    """One JSON object per record, with the request's fields when there is a request."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in REQUEST_FIELDS:
            entry[field] = getattr(record, field, None)
        if has_request_context():
            if entry["request_id"] is None:
                entry["request_id"] = g.get("request_id")
            entry["method"] = entry["method"] or request.method
            entry["path"] = entry["path"] or logged_path()
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """One readable line per record: local time, level, the message; the app's access lines
    with their duration, any other logger's lines with its name."""

    def format(self, record: logging.LogRecord) -> str:
        moment = time.strftime("%H:%M:%S", time.localtime(record.created))
        message = record.getMessage()
        if record.name.endswith(".access"):
            duration = getattr(record, "duration_ms", None)
            line = f"{moment} {record.levelname} {message}"
            if duration is not None:
                line += f" ({duration} ms)"
        else:
            line = f"{moment} {record.levelname} {record.name}: {message}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line


def not_a_dev_server_request_line(record: logging.LogRecord) -> bool:
    """False for werkzeug's own line of a request: the app's access line says it already."""
    return not (record.name == "werkzeug" and " - - [" in str(record.msg))


class _StderrHandler(logging.StreamHandler):
    """Lines to whatever sys.stderr is when a line is written (as logging's last-resort
    handler does), so a replaced stderr (a test's capture, a daemon's redirect) is followed."""

    formatter_class = logging.Formatter

    def __init__(self, level: int = logging.NOTSET):
        super().__init__()
        self.setLevel(level)
        self.setFormatter(self.formatter_class())
        self.addFilter(not_a_dev_server_request_line)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


class JsonHandler(_StderrHandler):
    """JSON lines to stderr."""

    formatter_class = JsonFormatter


class TextHandler(_StderrHandler):
    """Readable lines to stderr."""

    formatter_class = TextFormatter


def _install(app: Flask, handler: logging.Handler) -> logging.Handler:
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old, _StderrHandler):
            root.removeHandler(old)
    root.addHandler(handler)
    app.logger.removeHandler(default_handler)
    app.logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    return handler


def install_text_logging(app: Flask) -> TextHandler:
    """As install_json_logging, with readable lines."""
    return _install(app, TextHandler())


def install_json_logging(app: Flask) -> JsonHandler:
    """One JsonHandler on the root logger (replacing one an earlier app put there), the
    app's logger at LOG_LEVEL without Flask's plain handler.

    The root logger's level stays as it is (WARNING): raising it to INFO would make SQLAlchemy
    log every statement, which it does when its logger is enabled for INFO.
    """
    return _install(app, JsonHandler())


def leave_to_json(logger_name: str) -> None:
    """Take off the plain stderr handler a library gave its own logger, so that its lines reach
    stderr once, as JSON, through the root's JsonHandler. (huey_consumer gives "huey" one:
    with JSON logs every line of the worker came twice, plain and as JSON.) A handler that
    writes elsewhere, e.g. huey_consumer's --logfile, stays."""
    logger = logging.getLogger(logger_name)
    for handler in list(logger.handlers):
        if type(handler) is logging.StreamHandler and handler.stream in (
            sys.stderr,
            sys.__stderr__,
        ):
            logger.removeHandler(handler)
    logger.propagate = True
