"""The job queue: work done off the request path, once the change that caused it commits.

Huey, a kept task queue: with REDIS_URL the queue lives in Redis and any number of workers on
any machines take jobs from it; without it, in a SQLite file for the one machine of `make run`
(instance/jobs.db, or the file JOBS_FILE names: the mail bench keeps its queue apart so).
`make run` starts a worker beside the web server (Procfile); `make worker` starts one alone.
In tests (JOBS_IMMEDIATE) a job runs at once, where it is enqueued.

A job is enqueued with `enqueue(job, *args)` inside the write transaction of the change, and
goes to the queue only after the commit (core.db.after_commit): a change that is rolled back
enqueues nothing. Periodic jobs (`periodic`) replace checks that waited for a page view.
"""

import functools
import os
from pathlib import Path

from flask import Flask, has_app_context
from huey import RedisHuey, SqliteHuey, crontab  # noqa: F401 - crontab is for the areas

from core.db import after_commit

INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def _make_queue():
    # The queue is made when this module is imported (Huey's decorators need it then), so it
    # reads the environment, as the worker and the web server share it.
    if os.environ.get("REDIS_URL"):
        return RedisHuey("ocop", url=os.environ["REDIS_URL"], results=False)
    filename = os.environ.get("JOBS_FILE")
    if not filename:
        INSTANCE.mkdir(exist_ok=True)
        filename = str(INSTANCE / "jobs.db")
    return SqliteHuey("ocop", filename=filename, results=False)


queue = _make_queue()
_apps: list[Flask] = []


def init_app(app: Flask) -> None:
    """Jobs run in the app's context; tests run them at once."""
    _apps.append(app)
    queue.immediate = bool(app.config.get("JOBS_IMMEDIATE"))


def _in_app_context(function):
    @functools.wraps(function)
    def run(*args, **kwargs):
        if has_app_context():
            return function(*args, **kwargs)
        with _apps[-1].app_context():
            return function(*args, **kwargs)

    return run


def job(**options):
    """A function that runs in the worker (retries, retry_delay, retry_backoff, context…)."""

    def decorate(function):
        name = function.__qualname__  # Huey puts the module before it
        return queue.task(name=name, **options)(_in_app_context(function))

    return decorate


def periodic(schedule, **options):
    """A job the worker runs on a schedule: periodic(crontab(minute="*/5"))."""

    def decorate(function):
        name = function.__qualname__  # Huey puts the module before it
        return queue.periodic_task(schedule, name=name, **options)(_in_app_context(function))

    return decorate


def enqueue(task, *args) -> None:
    """Put task(*args) on the queue once the current write transaction has committed."""
    after_commit(lambda: task(*args))
