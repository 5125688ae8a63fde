"""axe-core on every kind of page: no serious or critical violations."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

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


@pytest.fixture()
def checked(live_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
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
    page.get_by_role("button", name="Thêm vào giỏ").first.click()
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
    page.get_by_role("button", name="Đăng xuất").click()
    sign_in(page, live_server, "admin@ocop.demo")
    for path in ADMIN:
        check(path)
    assert found == {}
