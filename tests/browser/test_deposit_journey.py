"""On a phone: a guest books the pineapple village homestay, which asks a 30 % deposit; the
booking page shows the VietQR to pay it and waits; the bank's notice arrives (the webhook,
simulated here) and the page, asking every few seconds, shows the booking confirmed."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from core.clock import today
from core.extensions import db
from core.models import utcnow
from payments.matching import BankLine, take_in
from payments.references import reference_for
from tourism.models import Booking, Listing

PHONE = {"width": 360, "height": 740}
HOMESTAY = "Homestay làng khóm Hỏa Tiến"  # HTX Khóm Cầu Đúc Hỏa Tiến's, 450,000 a room a night


def _ask_a_deposit(app) -> int:
    with app.app_context():
        listing = db.session.scalar(select(Listing).where(Listing.title == HOMESTAY))
        listing.deposit_kind, listing.deposit_value, listing.deposit_hours = "percent", 30, 24
        db.session.commit()
        return listing.id


def _bank_notice(app, code: str, amount: int) -> None:
    """What SePay's webhook hands payments, in the test's process (the live server is a
    thread of it)."""
    with app.app_context():
        booking = db.session.scalar(select(Booking).where(Booking.code == code))
        take_in(
            booking.listing.host_id,
            BankLine(
                source="sepay", external_id=f"journey-{code}", booked_at=utcnow(), amount=amount,
                direction="in", text=f"MBVCB.123.{reference_for(code)}.CT tu 0912345678",
            ),
        )  # fmt: skip
        db.session.remove()


def test_a_guest_pays_the_deposit_on_a_phone_and_the_booking_confirms_itself(
    app, live_server, browser
):
    _ask_a_deposit(app)
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    arrive = today() + timedelta(days=12)
    page.goto(f"{live_server}/tourism")
    page.get_by_role("link", name=HOMESTAY).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HOMESTAY)
    expect(page.locator(".facts")).to_contain_text("30% tổng tiền")
    page.fill("#check_in", arrive.isoformat())
    page.fill("#check_out", (arrive + timedelta(days=2)).isoformat())
    page.fill("#guests", "2")
    page.locator("#check_out").dispatch_event("change")
    # 1 room × 2 nights × 450,000 = 900,000; 30 % = 270,000.
    expect(page.locator("#quote")).to_contain_text("900.000")
    expect(page.locator("#quote")).to_contain_text("Đặt cọc 270.000")
    page.fill("#name", "Nguyễn Thị Lan")
    page.fill("#phone", "0912 345 678")
    page.fill("#email", "lan@example.vn")
    page.get_by_role("button", name="Giữ chỗ và đặt cọc").click()

    expect(page).to_have_url(re.compile(r"/bookings/BK-\d{4}-\d{6}\?token="))
    code = re.search(r"BK-\d{4}-\d{6}", page.url).group(0)
    expect(page.locator("h2 .status")).to_have_text("Chờ đặt cọc")
    deposit = page.locator("#deposit")
    expect(deposit.locator("svg")).to_be_visible()
    expect(deposit).to_contain_text("270.000")
    expect(deposit).to_contain_text("Agribank")
    expect(deposit).to_contain_text(reference_for(code))
    # Nothing wider than the phone: the QR and the account number fit.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    _bank_notice(app, code, 270_000)
    # The deposit part asks every 4 s; the booking moved on, so the page loads again.
    expect(page.locator("h2 .status")).to_have_text("Đã xác nhận", timeout=15_000)
    expect(page.locator("#deposit")).to_contain_text("Đã nhận 270.000")
    expect(page.locator("#deposit svg")).to_have_count(0)
    expect(page.locator(".timeline")).to_contain_text("Đã xác nhận")
    context.close()
    assert problems == []
