"""axe-core on every page: no serious or critical violations, on a phone (360 px) and a
desktop (1280 px).

The journeys below reach the pages a walk cannot (a filled cart, the checkout, a new order);
test_every_page walks every GET page of the url map as each role (tests/browser/walk.py).
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.walk import ROLES, browsing_as, pages_for, world, world_server  # noqa: F401

AXE = (Path(__file__).parent / "vendor/axe-core/axe.min.js").read_text(encoding="utf-8")
PUBLIC = [
    "/",
    "/products",
    "/products?q=khom",
    "/products/khom-cau-duc",
    "/cooperatives",
    "/cooperatives/htx-ky-nhu",
    "/tourism",
    "/tourism/tour-canh-dong-khom-cau-duc",
    "/tourism/homestay-muong-dinh?lang=en",
    "/fairs",
    "/fairs/hoi-cho-ocop-hau-giang",
    "/login",
    "/register",
    "/cart",
    "/khong-co-trang-nay",
]
COOPERATIVE = ["/dashboard", "/dashboard/products", "/dashboard/orders", "/dashboard/sales",
               "/dashboard/tourism", "/dashboard/fairs", "/dashboard/trainings",
               "/dashboard/payments"]  # fmt: skip
VIEWPORTS = {
    "phone": {"width": 360, "height": 780},
    "desktop": {"width": 1280, "height": 900},
}
ADMIN = ["/admin", "/admin/cooperatives", "/admin/ratings", "/admin/fairs", "/admin/trainings",
         "/admin/audit"]  # fmt: skip


def serious_violations(page) -> list[str]:
    page.evaluate(AXE)  # evaluate is not subject to the page's CSP
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {node['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
        for node in v["nodes"][:3]
    ]


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request):
    return VIEWPORTS[request.param]


@pytest.fixture()
def checked(live_server, browser, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    found = {}

    def check(path):
        page.goto(f"{live_server}{path}")
        problems = serious_violations(page)
        if problems:
            found[path] = problems

    yield page, check, found
    context.close()


def sign_in(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", "demo1234")
    page.get_by_role("button", name=re.compile("Đăng nhập")).click()
    expect(page).not_to_have_url(re.compile("/login"))


def test_public_and_buying_pages(live_server, checked):
    page, check, found = checked
    for path in PUBLIC:
        check(path)
    # A cart with something in it, the checkout, an order page, a booking page.
    page.goto(f"{live_server}/products/khom-cau-duc?lang=vi")
    page.locator(".product-info").get_by_role("button", name="Thêm vào giỏ").click()
    expect(page.locator("#cart-count")).to_have_text("1")
    check("/cart")
    check("/checkout")
    page.fill("#name", "Lan")
    page.fill("#phone", "0912345678")
    page.select_option("#province", "Cần Thơ")
    page.select_option("#ward", "Phường Ninh Kiều")
    page.fill("#street", "1 Ngô Quốc Trị")
    page.check("input[value=vietqr]")
    page.get_by_role("button", name="Xác nhận đặt hàng").click()
    check(page.url.removeprefix(live_server))
    assert found == {}


def test_cooperative_and_admin_pages(live_server, checked):
    page, check, found = checked
    sign_in(page, live_server, "htx.khomcauduc@ocop.demo")
    for path in COOPERATIVE:
        check(path)
    page.context.clear_cookies()
    sign_in(page, live_server, "admin@ocop.demo")
    for path in ADMIN:
        check(path)
    assert found == {}


@pytest.mark.parametrize("role", ROLES)
def test_every_page(app, world, world_server, browser, viewport, role):  # noqa: F811
    found = {}
    with browsing_as(browser, world_server, world, role, viewport) as (context, page):
        for path in pages_for(context, world_server, app, world):
            page.goto(f"{world_server}{path}")
            if problems := serious_violations(page):
                found[path] = problems
    assert found == {}, "\n".join(
        f"{path}: {problem}" for path, ps in found.items() for problem in ps
    )
