"""The worker's entry point: `huey_consumer jobs_worker.queue` (see the Makefile)."""

from app import create_app
from core.jobs import queue  # what huey_consumer runs
from core.logging import leave_to_json

app = create_app()

_create_consumer = queue.create_consumer


def _consumer_with_json_logs(**options):
    # huey_consumer imports this module, then gives the "huey" logger a plain stderr handler
    # of its own, then makes the consumer: here. With JSON logs the root logger's handler
    # writes huey's lines already, so the plain one goes (each line was written twice). The
    # same with readable lines (LOG_FORMAT=text, `make run`).
    if app.config["LOG_FORMAT"] in ("json", "text"):
        leave_to_json("huey")
    return _create_consumer(**options)


queue.create_consumer = _consumer_with_json_logs
