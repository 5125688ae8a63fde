"""A live server on a free port and the system Chromium driven by Playwright.

Where no Chromium is found the browser tests skip with a message, except in CI (CI=true),
where a missing browser is a failure.
"""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.ci import not_available

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and (
            path := shutil.which(candidate) or (os.path.exists(candidate) and candidate)
        ):
            return path
    return None


@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if path is None:
        message = (
            "No Chromium found (looked for $CHROMIUM, chromium, chromium-browser): browser "
            "tests skipped. Install it with `apt-get install chromium`."
        )
        not_available(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture()
def live_server(app, db):
    """The app served on 127.0.0.1 in a thread, with the demo data loaded."""
    from marketplace.demo import seed_marketplace
    from tourism.demo import seed_tourism

    seed_marketplace()
    seed_tourism()
    db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.problems = problems
    yield page
    context.close()
