"""On a phone (360 × 780), a guest who ordered from two cooperatives by transfer cancels one of
the two orders: tapping "Hủy đơn này" cancels nothing and shows what cancelling does (no fee,
the goods back to the cooperative, nothing to refund since nothing was paid, the checkout's
total without it); "Không hủy" closes it; "Xác nhận hủy" cancels, and the header's total and
the amount left to transfer drop to the other cooperative's order."""

import os
import re

from playwright.sync_api import expect
from sqlalchemy import select

from core.extensions import db
from marketplace.models import Cooperative, Order
from tests.browser.test_order_journey import add_first_result

PHONE = {"width": 360, "height": 780}


def vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + "\xa0₫"


def money(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _orders(app, code: str) -> list[tuple[str, str, int]]:
    with app.app_context():
        found = db.session.execute(
            select(Order.code, Order.status, Order.total)
            .where(Order.code.like(f"{code}%"))
            .order_by(Order.id)
        ).all()
        db.session.remove()
    return [tuple(row) for row in found]


def fish_order_code(app, code: str) -> str:
    """The code of the checkout's order from HTX Kỳ Như (the featherback)."""
    with app.app_context():
        found = db.session.scalar(
            select(Order.code)
            .join(Cooperative, Cooperative.id == Order.cooperative_id)
            .where(Order.code.like(f"{code}%"), Cooperative.name == "HTX Kỳ Như")
        )
        db.session.remove()
    return found


def _tap_target(locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44, box


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def _picture(page, name: str, full_page: bool = False) -> None:
    """With SCREENSHOTS=<folder>, what the phone showed, to look at."""
    if folder := os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.path.join(folder, name), full_page=full_page)


def test_cancelling_one_of_two_orders_asks_first_and_the_total_follows(app, live_server, browser):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", has_touch=True, is_mobile=True)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    page.goto(f"{live_server}/")
    add_first_result(page, live_server, "khom+cau+duc")
    add_first_result(page, live_server, "ca+that+lat+rut+xuong")
    page.goto(f"{live_server}/checkout")
    page.fill("#name", "Nguyễn Thị Lan")
    page.fill("#phone", "0912 345 678")
    page.select_option("#province", "Hà Nội")
    # The ward list follows the province (htmx).
    expect(page.locator("#ward option[value='Phường Hoàn Kiếm']")).to_have_count(1)
    page.select_option("#ward", "Phường Hoàn Kiếm")
    page.fill("#street", "12 Hàng Bạc")
    page.check("input[value=vietqr]")
    expect(page.locator("#checkout-parcels")).to_contain_text("lần chuyển khoản")
    page.get_by_role("button", name="Xác nhận đặt hàng").click()
    expect(page).to_have_url(re.compile(r"/orders/HG-\d{4}-\d{6}\?token="))
    code = re.search(r"HG-\d{4}-\d{6}", page.url).group(0)
    placed = _orders(app, code)
    fish_code = fish_order_code(app, code)
    (first_code, _, first_total), (_, _, fish_total) = sorted(
        placed, key=lambda o: o[0] == fish_code
    )
    expect(page.locator(".transfer-step")).to_have_count(2)
    total = page.locator(".order-total-now")
    expect(total).to_have_text(vnd(first_total + fish_total))
    expect(page.locator(".transfers-left")).to_contain_text(vnd(first_total + fish_total))
    _fits(page)

    fish = page.locator(".order", has_text="HTX Kỳ Như")
    open_button = fish.locator("summary", has_text="Hủy đơn này")
    _tap_target(open_button)
    open_button.tap()  # opens the confirmation: nothing is cancelled
    confirmation = fish.locator(".confirm-body")
    expect(confirmation).to_be_visible()
    expect(confirmation).to_contain_text("Không mất phí hủy.")
    expect(confirmation).to_contain_text("được trả lại cho HTX Kỳ Như")
    expect(confirmation).to_contain_text("Bạn chưa chuyển khoản cho đơn này: đừng chuyển nữa.")
    expect(confirmation).to_contain_text(f"Tổng cộng của mã đơn {code} còn {vnd(first_total)}.")
    expect(confirmation).to_contain_text(f"Còn phải chuyển khoản: {vnd(first_total)}.")
    assert [status for _c, status, _t in _orders(app, code)] == ["pending", "pending"]
    yes, no = confirmation.locator(".confirm-yes"), confirmation.locator(".confirm-no")
    _tap_target(yes)
    _tap_target(no)
    _fits(page)
    _picture(page, "cancel-confirm.png")

    no.tap()  # "Không hủy": closed again, still nothing cancelled
    expect(confirmation).to_be_hidden()
    assert [status for _c, status, _t in _orders(app, code)] == ["pending", "pending"]

    open_button.tap()
    fish.locator("input[name=reason]").fill("Đặt nhầm")
    fish.locator(".confirm-yes").tap()
    expect(page.locator(".flash")).to_contain_text(f"Đã hủy đơn {fish_code}.")
    assert sorted(_orders(app, code)) == sorted(
        [(first_code, "pending", first_total), (fish_code, "cancelled", fish_total)]
    )

    # The header: the checkout's old total struck, the new one without the cancelled order.
    expect(page.locator(".order-total-before")).to_have_text(vnd(first_total + fish_total))
    expect(total).to_have_text(vnd(first_total))
    expect(page.locator(".order-head")).to_contain_text(f"Không tính {vnd(fish_total)}")
    assert money(total.inner_text()) == first_total
    expect(page.locator(".transfers-left")).to_contain_text(vnd(first_total))
    expect(page.locator(".transfer-step")).to_have_count(1)
    cancelled = page.locator(".order-cancelled")
    expect(cancelled).to_contain_text("Đã hủy, không tính vào tổng cộng")
    expect(cancelled.locator("summary")).to_have_count(0)  # nothing more to cancel there
    _fits(page)
    _picture(page, "cancel-after.png", full_page=True)
    context.close()
    assert problems == []
