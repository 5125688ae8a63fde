"""In English: a tourist filters by date, books the pineapple tour for 3, downloads the .ics
and cancels."""

import re
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect

from core.clock import today
from tests.browser.guests import book_as_anna


def test_tourist_books_the_pineapple_tour_in_english(live_server, page):
    day = today() + timedelta(days=9)
    page.goto(f"{live_server}/tourism?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.fill("#date", day.isoformat())
    page.fill("#guests", "3")
    page.select_option("#kind", "tour")
    page.get_by_role("button", name="Find free places").click()
    tour = page.get_by_role("link", name="Cầu Đúc pineapple fields tour")
    expect(tour).to_be_visible()
    tour.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Cầu Đúc pineapple fields tour")
    expect(page.locator("#check_in")).to_have_value(day.isoformat())
    expect(page.locator("#guests")).to_have_value("3")
    page.fill("#guests", "4")
    page.fill("#guests", "3")
    expect(page.locator("#quote")).to_contain_text("₫450,000")  # 3 people × ₫150,000
    book_as_anna(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    ics = download_info.value
    content = Path(ics.path()).read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in content and f"{day:%Y%m%d}T073000" in content

    code = re.search(r"BK-\d{4}-\d{6}", page.url).group(0)
    # Before cancelling, the host sees the booking and 3 of 20 seats taken that day.
    host = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    desk = host.new_page()
    desk.goto(f"{live_server}/login")
    desk.fill("#email", "htx.khomcauduc@ocop.demo")
    desk.fill("#password", "demo1234")
    desk.get_by_role("button", name="Đăng nhập").click()
    desk.goto(f"{live_server}/dashboard/tourism/bookings")
    expect(desk.locator("main")).to_contain_text(code)
    expect(desk.locator("main")).to_contain_text("Anna Schmidt")

    # Cancelling asks first: the button opens what cancelling does; confirming cancels.
    page.locator("summary", has_text="Cancel booking").click()
    expect(page.locator(".confirm-body")).to_be_visible()
    expect(page.locator(".status")).not_to_have_text("Cancelled")
    page.locator(".confirm-yes").click()
    expect(page.locator(".status")).to_have_text("Cancelled")

    # The host sees it cancelled, and the seats free again on the tour's calendar.
    desk.goto(f"{live_server}/dashboard/tourism/bookings?status=cancelled")
    expect(desk.locator("main")).to_contain_text(code)
    desk.goto(f"{live_server}/dashboard/tourism")
    desk.get_by_role("link", name="Tour cánh đồng khóm Cầu Đúc").first.click()
    desk.goto(f"{desk.url.split('?')[0]}?month={day:%Y-%m}")
    cell = desk.locator(
        "td.host-day", has=desk.locator(".day-number", has_text=re.compile(f"^{day.day}$"))
    )
    expect(cell.locator(".host-day-use")).to_have_text("0/20")
    host.close()
    assert page.problems == []
