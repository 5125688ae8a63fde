"""Every HTML page of the url map, as each role, in a real browser.

The rules and their arguments come from tests/test_routes.py (`world`, `fill`, `walked_rules`):
the same four people and what they own. `world_server` serves that world with the demo data
beside it (a 4 × 6 fair plan, 42 products, the listings), and `pages_for` yields the GET
addresses that answer this role with a whole HTML page (200, text/html, a <!doctype>):
files, pictures, .ics, JSON, htmx fragments, redirects, 403 and 404 are left out.
"""

import re
import threading
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.conftest import TEST_PASSWORD
from tests.test_routes import ROLES, fill, path_for, walked_rules, world  # noqa: F401

# Demo pages the walk's own world has no match for: a wide fair plan, a product page with
# related products, a listing with its calendar.
DEMO_PAGES = (
    "/fairs/hoi-cho-ocop-hau-giang",
    "/products/khom-cau-duc",
    "/products?q=khom",
    "/tourism/homestay-lang-khom-hoa-tien",
    "/cooperatives/htx-ky-nhu",
)


@contextmanager
def serving(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture()
def world_server(app, db, world, today):  # noqa: F811 (world is test_routes' fixture)
    """test_routes' world and the demo data, served on a free port."""
    from fairs.demo import seed_fairs
    from marketplace.demo import seed_marketplace
    from tourism.demo import seed_tourism

    seed_marketplace()
    seed_tourism()
    seed_fairs(today)
    db.session.commit()
    db.session.remove()
    with serving(app) as url:
        yield url


def sign_in(page, base: str, email: str) -> None:
    """Through the real login form."""
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", TEST_PASSWORD)
    page.locator("main").get_by_role("button", name=re.compile("Đăng nhập")).click()
    expect(page).not_to_have_url(re.compile("/login"))


def addresses(app, world) -> list[str]:  # noqa: F811
    """Every GET rule of the url map, filled from the world, then the demo pages."""
    found = [
        path_for(rule, fill(rule, world))
        for rule in walked_rules(app)
        if "GET" in rule.methods and fill(rule, world) is not None
    ]
    return list(dict.fromkeys([*found, *DEMO_PAGES]))


def pages_for(context, base: str, app, world):  # noqa: F811
    """The addresses that answer the context's person with a whole HTML page."""
    for path in addresses(app, world):
        response = context.request.get(f"{base}{path}", max_redirects=0)
        if response.status != 200:
            continue  # turned away (302, 403, 404) or not a page
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue  # a file, a picture, a calendar, JSON
        if not response.text().lstrip()[:15].lower().startswith("<!doctype html"):
            continue  # an htmx fragment
        yield path


@contextmanager
def browsing_as(browser, base: str, world, role: str, viewport: dict):  # noqa: F811
    """A browser context of this size, logged in as the role (a guest stays logged out)."""
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    try:
        if role != "guest":
            sign_in(page, base, world.emails[role])
        yield context, page
    finally:
        context.close()
