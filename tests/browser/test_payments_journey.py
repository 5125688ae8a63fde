"""A cooperative on a phone uploads its bank's statement the first time: it picks the
columns, the buyer's transfer pays the order, another credit waits and is dismissed."""

import re
from datetime import datetime

from playwright.sync_api import expect
from sqlalchemy import select

from core.clock import VIETNAM
from marketplace.models import Order
from payments.references import reference_for


def test_a_cooperative_imports_its_first_statement_on_a_phone(live_server, page, tmp_path, db):
    page.goto(f"{live_server}/products?q=ca+that+lat+rut+xuong")
    page.locator("#results .add-to-cart button").first.click()
    expect(page.locator("#cart-count")).to_have_text("1")
    page.goto(f"{live_server}/checkout")
    page.fill("#name", "Nguyễn Thị Lan")
    page.fill("#phone", "0912 345 678")
    page.select_option("#province", "Cần Thơ")
    page.select_option("#ward", "Phường Vị Thanh")
    page.fill("#street", "1 Ngô Quốc Trị")
    page.check("input[value=vietqr]")
    page.get_by_role("button", name="Xác nhận đặt hàng").click()
    expect(page).to_have_url(re.compile(r"/orders/HG-"))
    order = page.locator(".order", has_text="HTX Kỳ Như")
    code = order.locator("h2").inner_text().split(" ")[0]
    db.session.rollback()
    total = db.session.scalar(select(Order.total).where(Order.code == code))

    today = datetime.now(VIETNAM).strftime("%d/%m/%Y")
    statement = tmp_path / "sao-ke.csv"
    statement.write_text(
        "SAO KÊ TÀI KHOẢN;;;;\nSố tài khoản: 74010000123456;;;;\n;;;;\n"
        "STT;Ngày giao dịch;Số tham chiếu;Số tiền ghi có;Mô tả\n"
        f"1;{today};FT1;{total};CK {reference_for(code)} Nguyen Thi Lan\n"
        f"2;{today};FT2;25.000;tien ai gui\n",
        encoding="utf-8-sig",
    )

    phone = page.context.browser.new_context(viewport={"width": 360, "height": 800})
    shop = phone.new_page()
    shop.goto(f"{live_server}/login")
    shop.fill("#email", "htx.kynhu@ocop.demo")
    shop.fill("#password", "demo1234")
    shop.get_by_role("button", name="Đăng nhập").click()
    shop.goto(f"{live_server}/dashboard/payments")
    expect(shop.get_by_role("heading", name="Thanh toán chuyển khoản")).to_be_visible()
    assert shop.evaluate("document.documentElement.scrollWidth") <= 360

    shop.set_input_files("input[name=statement]", str(statement))
    shop.get_by_role("button", name="Tải lên và nhập").click()
    expect(shop.locator(".dash-pay-preview")).to_contain_text("Ngày giao dịch")
    expect(shop.locator("#header")).to_have_value("4")  # the heading row, found under the bank's
    expect(shop.locator("#amount")).to_have_value("Số tiền ghi có")
    assert shop.evaluate("document.documentElement.scrollWidth") <= 360
    shop.get_by_role("button", name="Lưu cách đọc và nhập sao kê").click()
    expect(shop.locator(".flash")).to_contain_text(
        "2 khoản tiền vào mới, 1 khớp với đơn, 1 chờ bạn xử lý"
    )
    waiting = shop.locator(".dash-pay-line", has_text="tien ai gui")
    waiting.get_by_role("button", name="Không phải tiền của cửa hàng").click()
    expect(shop.locator(".flash")).to_contain_text("không phải tiền của cửa hàng")
    expect(shop.locator("#queue")).to_contain_text("Không có khoản tiền nào chờ xử lý.")
    expect(shop.locator("#recent")).to_contain_text(code)
    phone.close()

    db.session.rollback()
    assert db.session.scalar(select(Order.paid_amount).where(Order.code == code)) == total
    assert page.problems == []
