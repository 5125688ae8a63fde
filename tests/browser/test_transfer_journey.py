"""On a phone, a guest orders from two cooperatives by transfer and is walked through the two
transfers: saves the first QR, copies the amount, sees each transfer arrive without reloading
(the page polls) until all are paid and the polling stops; the cooperative sees it paid."""

import io
import json
import re
import urllib.request
from datetime import timedelta

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from core.extensions import db
from core.models import utcnow
from marketplace.models import Order
from payments.feeds import feed_of
from payments.references import reference_for
from tests.browser.test_messages_journey import log_in
from tests.browser.test_order_journey import add_first_result

PHONE = {"width": 360, "height": 780}


def bank_notice(app, live_server, code: str, number: int) -> None:
    """SePay telling the live server of the buyer's transfer: its webhook, with the
    cooperative's address token and API key as shown on /dashboard/payments."""
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.code == code))
        feed = feed_of(order.cooperative_id)
        notice = {
            "id": 900_000 + number, "gateway": "Vietcombank",
            "transactionDate": (utcnow() + timedelta(hours=7, seconds=1)).strftime("%Y-%m-%d %H:%M:%S"),
            "accountNumber": order.cooperative.bank_account, "code": None,
            "content": f"{reference_for(code)} chuyen khoan", "transferType": "in",
            "transferAmount": order.total, "accumulated": 0, "subAccount": None,
            "referenceCode": f"FT2633{number:08d}", "description": "",
        }  # fmt: skip
        url, key = f"{live_server}/payments/webhooks/sepay/{feed.token}", feed.api_key
        db.session.remove()
    request = urllib.request.Request(
        url,
        data=json.dumps(notice).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Apikey {key}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert json.load(answer) == {"success": True}


def test_a_guest_pays_two_cooperatives_by_transfer_on_a_phone(app, live_server, browser, tmp_path):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    polls = []
    page.on(
        "request",
        lambda request: polls.append(request.url) if request.headers.get("hx-request") else None,
    )

    add_first_result(page, live_server, "khom+cau+duc")
    add_first_result(page, live_server, "ca+that+lat+rut+xuong")
    page.goto(f"{live_server}/checkout")
    page.fill("#name", "Nguyễn Thị Lan")
    page.fill("#phone", "0912 345 678")
    page.select_option("#province", "Cần Thơ")
    page.select_option("#ward", "Phường Ninh Kiều")
    page.fill("#street", "12 Hai Bà Trưng")
    page.check("input[value=vietqr]")
    # The summary follows the way to pay (htmx): wait for it, so the button does not move
    # under the click.
    expect(page.locator("#checkout-parcels")).to_contain_text("lần chuyển khoản")
    page.get_by_role("button", name="Xác nhận đặt hàng").click()
    expect(page).to_have_url(re.compile(r"/orders/HG-\d{4}-\d{6}\?token="))

    transfers = page.locator("#transfers")
    steps = transfers.locator(".transfer-step")
    expect(steps).to_have_count(2)
    first, second = steps.nth(0), steps.nth(1)
    expect(first.locator("h3")).to_contain_text("Chuyển khoản 1/2")
    expect(second.locator("h3")).to_contain_text("Chuyển khoản 2/2")
    expect(first).to_contain_text("Chờ chuyển khoản")
    expect(second).to_contain_text("Chờ chuyển khoản")
    codes = [
        page.locator(".order h2").nth(i).inner_text().split(" ")[0] for i in range(2)
    ]  # the orders' codes, in the steps' order
    # The page fits the phone: nothing wider than its 360 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    image = first.locator(".qr img")
    expect(image).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", image.element_handle()) >= 300

    with page.expect_download() as saved:
        first.get_by_role("link", name="Lưu mã QR").click()
    download = saved.value
    assert download.suggested_filename == f"vietqr-{codes[0]}.png"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with Image.open(io.BytesIO(path.read_bytes())) as picture:
        assert picture.format == "PNG"

    copy = first.get_by_role("button", name="Chép số tiền")
    expect(copy).to_be_visible()  # shown by copy.js (hidden without JavaScript)
    copy.click()
    expect(copy).to_have_text("Đã chép")
    amount = page.evaluate("navigator.clipboard.readText()")
    assert re.fullmatch(r"\d+", amount)

    bank_notice(app, live_server, codes[0], 1)
    expect(first).to_contain_text("Đã nhận đủ", timeout=10_000)  # polled, no reload
    expect(transfers).to_contain_text("Đã nhận đủ 1/2 khoản chuyển")
    expect(first.locator(".qr img")).to_have_count(0)
    expect(second).to_contain_text("Chờ chuyển khoản")
    expect(transfers).to_have_attribute("hx-trigger", "every 4s")

    bank_notice(app, live_server, codes[1], 2)
    expect(transfers).to_contain_text("Đã nhận đủ tất cả các khoản chuyển", timeout=10_000)
    expect(page.locator("#transfers .transfer-paid")).to_have_count(2)
    expect(transfers).not_to_have_attribute("hx-trigger", re.compile(".*"))
    asked = len(polls)
    page.wait_for_timeout(5_000)
    assert len(polls) == asked, "the page still polls once everything is paid"

    shop = browser.new_context(viewport=PHONE, locale="vi-VN").new_page()
    log_in(shop, live_server, "htx.kynhu@ocop.demo")
    shop.goto(f"{live_server}/dashboard/orders")
    fish = page.locator(".order", has_text="HTX Kỳ Như").locator("h2").inner_text().split(" ")[0]
    shop.get_by_role("link", name=fish).click()
    expect(shop.locator(".dash-paid")).to_contain_text("Đã nhận tiền lúc")
    expect(shop.locator(".dash-warning")).to_have_count(0)  # paid: shipping needs no warning
    shop.context.close()
    assert problems == []
    context.close()
