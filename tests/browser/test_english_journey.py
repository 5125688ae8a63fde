"""In English, as a tourist would: search "pineapple", buy it, book the pineapple-field tour from
the product's page, and read on the booking page where to go and whom to call."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from core.clock import today
from core.text import normalise_phone
from marketplace.models import Cooperative
from tests.browser.guests import book_as_anna
from tourism.demo_data import PRACTICAL

TOUR = "Tour cánh đồng khóm Cầu Đúc"


def test_a_tourist_buys_pineapple_and_books_its_field_tour_in_english(live_server, page, db):
    host = db.session.scalars(
        select(Cooperative).where(Cooperative.name == "HTX Khóm Cầu Đúc Hỏa Tiến")
    ).one()
    host_phone = normalise_phone(host.phone)
    db.session.remove()

    page.goto(f"{live_server}/?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    search = page.get_by_role("searchbox").first
    search.fill("pineapple")
    search.press("Enter")
    results = page.locator("#results")
    expect(results).to_contain_text("Cầu Đúc pineapple")
    # The English name, not the Vietnamese one.
    expect(results.get_by_role("heading", name="Khóm Cầu Đúc", exact=True)).to_have_count(0)
    results.get_by_role("link", name="Cầu Đúc pineapple", exact=True).first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Cầu Đúc pineapple")
    page.locator(".buy-box").get_by_role("button", name="Add to cart").click()
    expect(page.locator("#cart-count")).to_have_text("1")
    product_url = page.url

    page.goto(f"{live_server}/cart")
    expect(page.locator(".cart-group")).to_contain_text("Cầu Đúc pineapple")
    page.get_by_role("link", name="Place order").click()
    page.fill("#name", "Anna Schmidt")
    page.fill("#phone", "0912 345 678")
    page.select_option("#province", "Cần Thơ")
    page.select_option("#ward", index=1)
    page.fill("#street", "Hotel Ninh Kiều, 2 Hai Bà Trưng")
    page.fill("#email", "anna@example.de")
    page.get_by_role("button", name="Confirm order").click()
    expect(page).to_have_url(re.compile(r"/orders/HG-\d{4}-\d{6}\?token="))
    expect(page.locator(".order").first).to_contain_text("Cầu Đúc pineapple")
    expect(page.locator(".order .status").first).to_have_text("Awaiting confirmation")

    # From the product's page to the tour of the fields where it grows.
    page.goto(product_url)
    page.get_by_role("link", name="Cầu Đúc pineapple fields tour").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cầu Đúc pineapple fields tour")
    day = today() + timedelta(days=10)
    page.fill("#check_in", day.isoformat())
    page.fill("#guests", "2")
    expect(page.locator("#quote")).to_contain_text("₫300,000")  # 2 people × ₫150,000
    book_as_anna(page)
    arrival = page.locator(".arrival")
    expect(arrival).to_contain_text(PRACTICAL[TOUR]["address"])
    expect(arrival).to_contain_text(PRACTICAL[TOUR]["directions_en"])
    call = arrival.get_by_role("link", name=re.compile("Call the host"))
    expect(call).to_have_attribute("href", "tel:+84" + host_phone[1:])
    expect(arrival.get_by_role("link", name="OpenStreetMap")).to_have_attribute(
        "href", re.compile(r"openstreetmap\.org/\?mlat=9\.78")
    )
    assert page.problems == []
