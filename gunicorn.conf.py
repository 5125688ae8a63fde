"""gunicorn settings for `make serve` (production)."""

import multiprocessing
import os

from core.logging import JsonHandler

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 2))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Logs, all JSON lines on stderr. One access line per request comes from the app itself
# (core.logging: request id, method, path, status, duration), so gunicorn's own access log is
# off: it would repeat each request without the id, and its access_log_format cannot escape
# values (a backslash in a User-Agent would break a JSON line). gunicorn's error log (worker
# starts and exits, timeouts) uses the app's JSON format too (its level: --log-level).
accesslog = None
errorlog = "-"
logconfig_dict = {
    # The app's configure_logging replaces this root handler with its own (the same kind).
    "root": {"level": "WARNING", "handlers": ["json"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["json"], "propagate": False},
        # With a logconfig_dict gunicorn writes access lines regardless; nobody takes them.
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
    },
    "handlers": {"json": {"()": JsonHandler}},
    "formatters": {},
}
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
