"""The office creates a fair with a 4 × 6 grid; a cooperative books A3; after approval the
public plan shows A3 taken by it."""

from datetime import timedelta

from playwright.sync_api import expect

from core.clock import today


def sign_in(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", "demo1234")
    page.get_by_role("button", name="Đăng nhập").click()


def test_fair_from_grid_to_taken_booth(live_server, page):
    start = today() + timedelta(days=60)
    sign_in(page, live_server, "admin@ocop.demo")
    page.goto(f"{live_server}/admin/fairs/new")
    page.fill("#name", "Hội chợ Xuân OCOP")
    page.fill("#venue", "Nhà văn hóa tỉnh")
    page.fill("#address", "TP Vị Thanh")
    page.fill("#starts_on", start.isoformat())
    page.fill("#ends_on", (start + timedelta(days=3)).isoformat())
    page.fill("#registration_deadline", (start - timedelta(days=7)).isoformat())
    page.fill("#grid-rows", "4")
    page.fill("#grid-cols", "6")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".flashes")).to_contain_text("24 gian hàng")
    page.get_by_role("button", name="Đăng xuất").click()

    sign_in(page, live_server, "htx.kynhu@ocop.demo")
    page.goto(f"{live_server}/fairs/hoi-cho-xuan-ocop")
    page.get_by_role("link", name="A3").click()  # htmx opens the booth panel
    panel = page.locator("#booth-panel")
    expect(panel).to_contain_text("Gian A3")
    panel.get_by_label("Cá thát lát rút xương tẩm gia vị").check()
    panel.get_by_role("button", name="Đăng ký gian A3").click()
    expect(page.locator(".flashes")).to_contain_text("Đã đăng ký gian hàng A3")
    page.get_by_role("button", name="Đăng xuất").click()

    sign_in(page, live_server, "admin@ocop.demo")
    page.goto(f"{live_server}/admin/fairs")
    page.get_by_role("link", name="Hội chợ Xuân OCOP").click()
    page.get_by_role("button", name="Duyệt").click()
    page.get_by_role("button", name="Đăng xuất").click()

    page.goto(f"{live_server}/fairs/hoi-cho-xuan-ocop")
    booth = page.locator("a.booth", has_text="A3")
    expect(booth).to_have_class("booth booth-taken")
    expect(booth).to_contain_text("HTX Kỳ Như")
    expect(page.locator(".exhibitors")).to_contain_text("Cá thát lát rút xương tẩm gia vị")
    assert page.problems == []
