"""Trust you can scan, end to end: a cooperative packs a lot and prints its labels; a phone reads
the QR off the printed sheet and opens the lot's trace page; the person buys from there, and
once the parcel has come reviews the product with a photo, which the product page then shows."""

import re
from datetime import timedelta

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from core.clock import today
from marketplace.models import Lot, OrderLine, OrderLineLot
from tests.qr_reading import codes_per_label

PHONE = {"width": 360, "height": 780}
PRODUCT = "Cá thát lát rút xương tẩm gia vị"  # HTX Kỳ Như's; its demo lots keep 140 days more


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", "demo1234")
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile("/login"))


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_packed_lot_is_scanned_bought_and_reviewed(
    live_server, page, browser, db, zbarimg, tmp_path
):
    # The cooperative packs a lot that expires before its others: the next order takes it.
    shop = page
    sign_in(shop, live_server, "htx.kynhu@ocop.demo")
    shop.goto(f"{live_server}/dashboard/lots")
    shop.get_by_role("link", name="Ghi lô mới").first.click()
    shop.select_option("#product", label=PRODUCT)
    shop.fill("#quantity", "40")
    expires = today() + timedelta(days=30)
    shop.fill("#expires_on", expires.isoformat())
    shop.fill("#area_code", "93-PHG-AO-07")
    shop.fill("#standard", "HACCP")
    shop.get_by_role("button", name="Ghi lô").click()
    expect(shop).to_have_url(re.compile(r"/dashboard/lots#lot-\d+$"))
    lot_id = int(shop.url.rsplit("-", 1)[1])
    row = shop.locator(f"#lot-{lot_id}")
    expect(row).to_contain_text(PRODUCT)
    expect(row).to_contain_text("93-PHG-AO-07")

    # Its label sheet, as the printer gets it: every sticker's QR reads the same address.
    labels = row.get_by_role("link", name="In nhãn").get_attribute("href")
    sheet = shop.request.get(f"{live_server}{labels}")
    assert sheet.ok and sheet.headers["content-type"] == "application/pdf"
    found = codes_per_label(zbarimg, sheet.body())
    uri = found[0][0]
    assert found == [[uri]] * len(found) and len(found) == 24
    assert uri.startswith(live_server)

    # A phone opens what the QR says: the lot's trace page, which fits the screen.
    phone_context = browser.new_context(
        viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True
    )
    phone = phone_context.new_page()
    phone.goto(uri)
    lot_code = db.session.get(Lot, lot_id).code
    expect(phone.locator("h1")).to_contain_text(PRODUCT)
    expect(phone.locator("main")).to_contain_text(lot_code)
    expect(phone.locator("main")).to_contain_text("93-PHG-AO-07")
    expect(phone.locator("main")).to_contain_text(f"{expires:%d/%m/%Y}")
    expect(phone.locator("main")).to_contain_text("HTX Kỳ Như")
    fits_the_phone(phone)

    # From there the person buys it again, paying on delivery.
    phone.get_by_role("button", name=re.compile("Mua lại")).tap()
    expect(phone).to_have_url(re.compile("/cart"))
    phone.get_by_role("link", name="Đặt hàng").tap()
    phone.fill("#name", "Trần Văn Hùng")
    phone.fill("#phone", "0918 222 333")
    phone.select_option("#province", "Cần Thơ")  # Hậu Giang's since July 2025
    phone.select_option("#ward", "Phường Vị Thanh")
    phone.fill("#street", "15 Trần Hưng Đạo")
    phone.check("input[value=cod]")
    phone.locator("#place-order").tap()
    expect(phone).to_have_url(re.compile(r"/orders/HG-\d{4}-\d{6}\?token="))
    order_page = phone.url
    code = phone.locator(".order h2").first.inner_text().split(" ")[0]

    # The order's line took its unit from that lot, first-expiring-first.
    db.session.remove()
    line = db.session.scalar(
        select(OrderLine).where(OrderLine.name == PRODUCT).order_by(OrderLine.id.desc())
    )
    taken = db.session.execute(
        select(OrderLineLot.lot_id, OrderLineLot.quantity).where(
            OrderLineLot.order_line_id == line.id
        )
    ).all()
    assert [tuple(row) for row in taken] == [(lot_id, 1)]

    # The cooperative confirms and ships; the buyer says the parcel has come.
    shop.goto(f"{live_server}/dashboard/orders")
    shop.get_by_role("link", name=code).click()
    shop.get_by_role("button", name="Xác nhận đơn").click()
    expect(shop.locator("h1")).to_contain_text("Đã xác nhận")
    shop.get_by_role("button", name="Bắt đầu giao hàng").click()
    expect(shop.locator("h1")).to_contain_text("Đang giao")

    phone.goto(order_page)
    phone.get_by_role("button", name="Đã nhận hàng").tap()
    phone.get_by_role("link", name="Viết đánh giá").tap()

    # The review, with a photo taken of the pack.
    photo = tmp_path / "goi-ca.jpg"
    Image.new("RGB", (800, 600), (214, 180, 120)).save(photo, "JPEG")
    phone.get_by_label("5 sao").check()
    phone.fill("#body", "Cá ngon, đóng gói hút chân không kỹ, đúng lô in trên nhãn.")
    phone.set_input_files("#photos", str(photo))
    phone.get_by_role("button", name="Gửi đánh giá").tap()
    expect(phone.locator("main")).to_contain_text(f"Cảm ơn bạn đã đánh giá {PRODUCT}")
    fits_the_phone(phone)

    # The product page shows it, with its photo and the verified mark, to everyone.
    visitor = browser.new_context(viewport=PHONE, locale="vi-VN").new_page()
    visitor.goto(f"{live_server}/products?q=ca+that+lat+rut+xuong")
    visitor.get_by_role("link", name=PRODUCT).first.click()
    reviews = visitor.locator("#reviews")
    expect(reviews).to_contain_text("đúng lô in trên nhãn")
    expect(reviews).to_contain_text("Hùng T.")
    expect(reviews).to_contain_text("Đã mua hàng")
    expect(reviews.locator(".review-photos img")).to_have_count(1)
    fits_the_phone(visitor)

    # The cooperative sees that its label was scanned once.
    shop.goto(f"{live_server}/dashboard/lots")
    expect(shop.locator(f"#lot-{lot_id} td[data-label='Lượt quét']")).to_have_text("1")
    assert page.problems == []
    phone_context.close()
