"""On a phone (360 × 780): the checkout's total stays beside the order button, the ward list
follows the province (htmx, the library's wards), the cart fits and its remove button is big
enough to press; a buyer saves an address in the address book and orders with it, at 1280 px
and at 360 px."""

import re

import pytest
from playwright.sync_api import expect
from vietnam_provinces import Province, Ward

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}


def library_wards(province_name: str) -> set[str]:
    (province,) = [p for p in Province.iter_all() if p.name.endswith(province_name)]
    return {" ".join(w.name.split()) for w in Ward.iter_by_province(province.code)}


def ward_options(page) -> set[str]:
    values = page.locator("#ward option").evaluate_all("options => options.map(o => o.value)")
    return {value for value in values if value}


def on_screen(page, selector: str) -> dict:
    """The element's box, asserted wholly inside the viewport as it is scrolled now."""
    box = page.locator(selector).bounding_box()
    height = page.viewport_size["height"]
    assert box is not None, f"{selector} is not shown"
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"{selector} off screen: {box}"
    return box


def phone_page(browser):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.problems = problems
    return context, page


def test_on_a_phone_the_total_is_beside_the_order_button_and_wards_follow(live_server, browser):
    context, page = phone_page(browser)
    page.goto(f"{live_server}/products/khom-cau-duc")
    page.get_by_role("button", name="Thêm vào giỏ").first.click()
    expect(page.locator("#cart-count")).to_have_text("1")

    page.goto(f"{live_server}/cart")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    remove = page.locator("[id^=remove-]").first.bounding_box()
    assert remove["width"] >= 44 and remove["height"] >= 44, remove
    # The parcel's fee for a province chosen on the cart (htmx; kept for the checkout).
    page.select_option("#cart-province", "Cần Thơ")
    expect(page.locator("#cart .cart-parcel-fee").first).to_contain_text(
        "Phí giao gói này đến Cần Thơ: 20.000 ₫"
    )
    page.reload()
    expect(page.locator("#cart-province")).to_have_value("Cần Thơ")
    page.select_option("#cart-province", "")  # the checkout starts with none chosen below
    expect(page.locator("#cart .cart-parcel-fee").first).to_contain_text("tùy nơi nhận")

    page.goto(f"{live_server}/checkout")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # At the top of the form, and after scrolling through it: the total and the button are
    # on the screen together.
    for field in ("#name", "#province", "#street", "#note"):
        page.locator(field).scroll_into_view_if_needed()
        total, button = on_screen(page, "#checkout-total"), on_screen(page, "#place-order")
        assert abs(total["y"] - button["y"]) < 120  # side by side in the bar
    expect(page.locator("#checkout-total")).to_contain_text("chọn tỉnh / thành để tính")
    assert ward_options(page) == set()

    page.fill("#name", "Nguyễn Thị Lan")
    page.fill("#phone", "0293 3876 543")  # a Hậu Giang landline
    url = page.url
    page.select_option("#province", "Cần Thơ")
    # The wards of Cần Thơ, from the library, swapped in by htmx (the page did not reload).
    expect(page.locator("#ward option[value='Xã Hỏa Lựu']")).to_have_count(1)
    assert ward_options(page) == library_wards("Cần Thơ") and page.url == url
    expect(page.locator("#checkout-total")).to_contain_text("20.000 ₫")
    page.select_option("#province", "Hà Nội")
    expect(page.locator("#ward option[value='Phường Hoàn Kiếm']")).to_have_count(1)
    assert ward_options(page) == library_wards("Hà Nội")
    expect(page.locator("#checkout-total")).to_contain_text("45.000 ₫")
    page.select_option("#province", "Cần Thơ")
    page.select_option("#ward", "Phường Vị Thanh")
    page.fill("#street", "8 Ngô Quốc Trị")
    page.locator("#street").scroll_into_view_if_needed()
    on_screen(page, "#checkout-total")
    on_screen(page, "#place-order")
    page.locator("#place-order").click()
    expect(page).to_have_url(re.compile(r"/orders/HG-\d{4}-\d{6}\?token="))
    expect(page.locator("body")).to_contain_text("02933876543")
    assert page.problems == []
    context.close()


def fits_across(page) -> None:
    """Nothing widens the page past the screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "360px"])
def test_a_buyer_saves_an_address_and_orders_with_it(live_server, page, viewport):
    page.set_viewport_size(viewport)
    page.goto(f"{live_server}/login")
    page.fill("#email", "buyer@ocop.demo")
    page.fill("#password", "demo1234")
    page.get_by_role("button", name=re.compile("Đăng nhập")).click()
    page.goto(f"{live_server}/account")
    page.get_by_role("link", name=re.compile("Sổ địa chỉ")).click()
    expect(page).to_have_url(re.compile("/account/addresses$"))
    fits_across(page)

    page.fill("#phone", "84 912 345 678")
    page.select_option("#province", "Cần Thơ")
    expect(page.locator("#ward option[value='Xã Hỏa Lựu']")).to_have_count(1)
    assert ward_options(page) == library_wards("Cần Thơ")
    page.select_option("#ward", "Xã Hỏa Lựu")
    page.fill("#street", "Ấp Thạnh Mỹ")
    page.get_by_role("button", name="Lưu địa chỉ").click()
    saved = page.locator(".address-item")
    expect(saved).to_have_count(1)
    expect(saved).to_contain_text("Xã Hỏa Lựu, Cần Thơ")
    expect(saved).to_contain_text("0912 345 678")
    expect(saved.locator(".badge")).to_have_text("Mặc định")
    fits_across(page)

    page.goto(f"{live_server}/products/khom-cau-duc")
    page.get_by_role("button", name="Thêm vào giỏ").first.click()
    expect(page.locator("#cart-count")).to_have_text("1")
    page.goto(f"{live_server}/cart")
    expect(page.locator("#cart .cart-parcel-fee").first).to_contain_text("đến Cần Thơ")
    page.goto(f"{live_server}/checkout")
    expect(page.locator("#street")).to_have_value("Ấp Thạnh Mỹ")
    expect(page.locator("#ward")).to_have_value("Xã Hỏa Lựu")
    expect(page.locator("#checkout-total")).to_contain_text("20.000 ₫")
    fits_across(page)
    page.get_by_role("button", name="Xác nhận đặt hàng").click()
    expect(page).to_have_url(re.compile(r"/orders/HG-\d{4}-\d{6}"))
    expect(page.locator("body")).to_contain_text("Xã Hỏa Lựu")
    assert page.problems == []
