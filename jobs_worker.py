"""The worker's entry point: `huey_consumer jobs_worker.queue` (see the Makefile)."""

from app import create_app
from core.jobs import queue  # noqa: F401 - what huey_consumer runs

app = create_app()
