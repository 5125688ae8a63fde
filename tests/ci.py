"""What a test needs from the machine (a browser, zbar, Redis, gunicorn): without it the test is
skipped with a message saying what to install, except in CI (CI=true), where it is a failure."""

import os

import pytest


def not_available(message: str):
    """Skip: what the test needs is not on this machine. In CI (CI=true) that is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
