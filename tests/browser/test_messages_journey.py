"""A buyer's order is shipped by the cooperative: the buyer's account shows the message, with
the carrier's note, and the outbox holds the mail (jobs run at once in tests)."""

import email
import re
from email import policy

from playwright.sync_api import expect


def log_in(page, live_server, address):
    page.goto(f"{live_server}/login")
    page.fill("#email", address)
    page.fill("#password", "demo1234")
    page.locator("main form button[type=submit]").click()


def test_the_buyer_reads_on_the_site_and_by_mail_that_the_order_ships(
    app, live_server, page, monkeypatch, tmp_path
):
    outbox = tmp_path / "outbox"
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", str(outbox))
    log_in(page, live_server, "buyer@ocop.demo")
    page.goto(f"{live_server}/products?q=ca+that+lat")
    page.locator("#results .add-to-cart button").first.click()
    expect(page.locator("#results .add-status").first).to_contain_text("Đã thêm vào giỏ")
    page.goto(f"{live_server}/checkout")
    page.fill("#name", "Trần Thị Mai")
    page.fill("#phone", "0912 345 678")
    page.select_option("#province", "Cần Thơ")
    page.select_option("#ward", "Phường Vị Thanh")
    page.fill("#street", "8 Ngô Quốc Trị")
    page.check("input[value=cod]")
    page.get_by_role("button", name="Xác nhận đặt hàng").click()
    expect(page).to_have_url(re.compile(r"/orders/HG-\d{4}-\d{6}"))
    code = page.locator(".order h2").first.inner_text().split(" ")[0]

    shop = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    shop_page = shop.new_page()
    log_in(shop_page, live_server, "htx.kynhu@ocop.demo")
    shop_page.goto(f"{live_server}/dashboard/orders")
    shop_page.get_by_role("link", name=code).click()
    shop_page.get_by_role("button", name="Xác nhận đơn").click()
    expect(shop_page.locator("h1")).to_contain_text("Đã xác nhận")
    shop_page.fill("#note-shipping", "GHTK S2611223")
    shop_page.get_by_role("button", name="Bắt đầu giao hàng").click()
    expect(shop_page.locator("h1")).to_contain_text("Đang giao")
    shop.close()

    page.goto(f"{live_server}/account")
    page.get_by_role("link", name="Tin nhắn").click()
    shipped = page.locator(".message", has_text="đang được giao").first
    expect(shipped.locator("h2")).to_contain_text(code)
    expect(shipped).to_contain_text("GHTK S2611223")
    expect(shipped).to_contain_text("Đã gửi")

    mails = [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in outbox.glob("*.eml")
    ]
    (mail,) = [m for m in mails if m["Subject"] == f"Đơn hàng {code} đang được giao"]
    assert mail["To"] == "buyer@ocop.demo"
    assert "GHTK S2611223" in mail.get_body(("html",)).get_content()
    assert page.problems == []
