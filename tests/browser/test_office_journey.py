"""The office approves a new cooperative, records a 4★ rating for one of its products, and
the plan dashboard's count of certified products goes up by one."""

import re

from playwright.sync_api import expect


def sign_in(page, live_server, email, password="demo1234"):
    page.goto(f"{live_server}/login?lang=vi")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).not_to_have_url(re.compile("/login"))


def certified_count(page, live_server) -> int:
    page.goto(f"{live_server}/admin/plan")
    card = page.locator("li.kh-goal", has=page.locator("#goal-certified"))
    return int(card.locator(".kh-goal-figure strong").inner_text().replace(".", ""))


def test_approve_rate_and_the_plan_counts_it(live_server, page):
    # A cooperative signs up.
    page.goto(f"{live_server}/register?lang=vi")
    page.check("input[value=cooperative]")
    page.fill("#name", "Phạm Thị Hoa")
    page.fill("#email", "htx.vithuy@example.vn")
    page.fill("#phone", "0987654321")
    page.fill("#password", "matkhau-hoa-1")
    page.fill("#password_confirm", "matkhau-hoa-1")
    page.fill("#cooperative_name", "HTX Nông sản Vị Thủy")
    page.select_option("#cooperative_kind", "cooperative")
    page.select_option("#district_id", label="Huyện Vị Thủy")
    page.get_by_role("button", name="Đăng ký").click()
    # A cooperative's account lands on its dashboard, which waits for the office.
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.locator("main")).to_contain_text(
        "HTX Nông sản Vị Thủy đang chờ Văn phòng OCOP duyệt"
    )
    page.get_by_role("button", name="Đăng xuất").click()

    # The office approves it.
    sign_in(page, live_server, "admin@ocop.demo")
    before = certified_count(page, live_server)
    page.goto(f"{live_server}/admin/cooperatives")
    pending = page.locator("article", has_text="HTX Nông sản Vị Thủy")
    pending.get_by_role("button", name="Duyệt").click()
    expect(page.locator(".flashes")).to_contain_text("đã được duyệt")
    page.get_by_role("button", name="Đăng xuất").click()

    # The cooperative lists a product.
    sign_in(page, live_server, "htx.vithuy@example.vn", "matkhau-hoa-1")
    page.goto(f"{live_server}/dashboard/products/new")
    page.fill("#name", "Mắm cá linh Vị Thủy")
    page.select_option("#group", "food")
    page.select_option("#unit", "hũ")
    page.fill("#price", "85000")
    page.fill("#stock", "40")
    page.get_by_role("button", name="Thêm sản phẩm").click()
    expect(page.locator(".flashes")).to_contain_text("Mắm cá linh Vị Thủy")
    page.get_by_role("button", name="Đăng xuất").click()

    # The office records a 4-star rating (148: 32 + 20 + 28 = 80 points).
    sign_in(page, live_server, "admin@ocop.demo")
    page.goto(f"{live_server}/admin/ratings")
    page.get_by_role("link", name="Mắm cá linh Vị Thủy").first.click()
    page.select_option("#criteria", "148")
    page.fill("#points_a", "32")
    page.fill("#points_b", "20")
    page.fill("#points_c", "28")
    page.select_option("#council_level", "province")
    page.fill("#decision_number", "1999/QĐ-UBND")
    page.fill("#recognised_on", page.evaluate("new Date().toISOString().slice(0, 10)"))
    page.get_by_role("button", name="Ghi nhận").click()
    expect(page.locator(".flashes")).to_contain_text("4 sao")

    assert certified_count(page, live_server) == before + 1
    page.goto(f"{live_server}/products/mam-ca-linh-vi-thuy")
    expect(page.locator(".stars-label")).to_have_text("4 sao OCOP")
    assert page.problems == []
