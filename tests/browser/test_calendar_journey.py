"""On a phone (360 × 780, touch): the booking calendar is a date picker. Two taps choose a
stay's dates, one tap a tour's day; the form's dates and the price follow (htmx), and the
booking goes through. Without JavaScript the same taps reload the page with the dates."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core.clock import today

PHONE = {"viewport": {"width": 360, "height": 780}, "has_touch": True, "is_mobile": True}


@pytest.fixture()
def phone(browser):
    context = browser.new_context(**PHONE, locale="vi-VN")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
    )
    page.problems = problems
    yield page
    context.close()


def next_month_day(day_of_month: int):
    """A day of next month: 9 to 40 days ahead, so that a deposit rule never depends on the
    hour the test runs at."""
    return (today().replace(day=1) + timedelta(days=32)).replace(day=day_of_month)


def settled(page):
    """htmx has swapped and settled what the last tap asked for. A person types long after;
    a test that fills a field sooner may do so before htmx listens to the field it put there."""
    page.wait_for_function(
        "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def show_month_of(page, day):
    """Move the calendar on to the month of `day` with its arrow."""
    title = page.locator("#calendar-title")
    for _ in range(3):
        if page.locator(f"#day-{day.isoformat()}").count():
            return
        shown = title.text_content()
        page.locator("#calendar-next").tap()
        expect(title).not_to_have_text(shown)
    expect(page.locator(f"#day-{day.isoformat()}")).to_be_visible()


def fill_contact(page):
    page.fill("#name", "Nguyễn Thị Mai")
    page.fill("#phone", "0912345678")
    page.fill("#email", "mai@example.vn")


def test_two_taps_choose_a_stay_and_book_it(live_server, phone):
    page = phone
    arrive, leave = next_month_day(10), next_month_day(12)
    page.goto(f"{live_server}/tourism/homestay-muong-dinh")
    fits_the_phone(page)
    expect(page.locator(".calendar-legend")).to_be_visible()
    expect(page.locator(".calendar-how")).to_contain_text("số phòng còn trống")
    show_month_of(page, arrive)
    day = page.locator(f"#day-{arrive.isoformat()}")
    # Each day is a 44 px target and shows the rooms left, not only a colour.
    box = day.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, box
    expect(page.locator(f"td:has(#day-{arrive.isoformat()}) .day-mark")).to_have_text(
        re.compile(r"^\d+$")
    )
    expect(day).to_have_attribute(
        "aria-label", re.compile(f"^Chọn {arrive:%d/%m/%Y} làm ngày nhận phòng")
    )

    day.tap()
    expect(page.locator("#check_in")).to_have_value(arrive.isoformat())
    expect(page.locator("#calendar-status")).to_contain_text(
        f"Ngày nhận phòng: {arrive:%d/%m/%Y}. Hãy chọn ngày trả phòng."
    )
    expect(page.locator(f"#day-{arrive.isoformat()}")).to_have_attribute("aria-pressed", "true")
    page.locator(f"#day-{leave.isoformat()}").tap()
    expect(page.locator("#check_out")).to_have_value(leave.isoformat())
    expect(page.locator("#check_in")).to_have_value(arrive.isoformat())
    quote = page.locator("#quote")
    expect(quote).to_contain_text("1.100.000 ₫")
    expect(quote).to_contain_text("1 phòng × 2 đêm × 550.000 ₫")
    expect(page.locator("#calendar-status")).to_contain_text("2 đêm")
    expect(page.locator("#announcer")).to_contain_text("2 đêm")
    fits_the_phone(page)

    # The price follows the guests as before; then the booking.
    page.fill("#guests", "4")  # rooms of at most 3 guests
    expect(quote).to_contain_text("2 phòng × 2 đêm × 550.000 ₫")
    fill_contact(page)
    page.get_by_role("button", name="Gửi yêu cầu đặt chỗ").tap()
    expect(page).to_have_url(re.compile(r"/bookings/BK-\d{4}-\d{6}\?token="))
    expect(page.locator("main")).to_contain_text("(2 đêm)")
    expect(page.locator("main")).to_contain_text("Nguyễn Thị Mai")
    assert page.problems == []


def test_a_tap_before_the_check_in_starts_again_and_typed_dates_show_on_the_calendar(
    live_server, phone
):
    page = phone
    arrive = next_month_day(14)
    page.goto(f"{live_server}/tourism/homestay-muong-dinh")
    show_month_of(page, arrive)
    page.locator(f"#day-{arrive.isoformat()}").tap()
    expect(page.locator("#check_in")).to_have_value(arrive.isoformat())
    earlier = arrive - timedelta(days=3)
    page.locator(f"#day-{earlier.isoformat()}").tap()
    expect(page.locator("#check_in")).to_have_value(earlier.isoformat())
    expect(page.locator(f"#day-{arrive.isoformat()}")).to_have_attribute("aria-pressed", "false")
    # Dates typed into the form: the calendar marks them too.
    settled(page)
    page.fill("#check_out", (earlier + timedelta(days=2)).isoformat())
    expect(page.locator("td.day-night")).to_have_count(1)
    expect(page.locator("td.day-chosen")).to_have_count(2)
    expect(page.locator("#quote")).to_contain_text("2 đêm")
    assert page.problems == []


def test_one_tap_chooses_a_tour_day_and_books_it(live_server, phone):
    page = phone
    day = next_month_day(16)
    page.goto(f"{live_server}/tourism/tour-canh-dong-khom-cau-duc")
    fits_the_phone(page)
    expect(page.locator(".calendar-how")).to_contain_text("số chỗ còn trống")
    show_month_of(page, day)
    page.locator(f"#day-{day.isoformat()}").tap()
    expect(page.locator("#check_in")).to_have_value(day.isoformat())
    expect(page.locator("#quote")).to_contain_text("300.000 ₫")  # 2 people × 150,000
    expect(page.locator("#calendar-status")).to_contain_text(f"Ngày đã chọn: {day:%d/%m/%Y}.")
    fill_contact(page)
    page.get_by_role("button", name="Đặt ngay").tap()
    expect(page).to_have_url(re.compile(r"/bookings/BK-\d{4}-\d{6}\?token="))
    expect(page.locator(".status")).to_have_text("Đã xác nhận")
    fits_the_phone(page)
    assert page.problems == []


def test_without_javascript_the_taps_reload_the_page_with_the_dates(live_server, browser):
    context = browser.new_context(**PHONE, java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    arrive, leave = next_month_day(20), next_month_day(23)
    page.goto(f"{live_server}/tourism/homestay-muong-dinh")
    show_month_of(page, arrive)
    page.locator(f"#day-{arrive.isoformat()}").tap()
    expect(page).to_have_url(re.compile(f"pick={arrive.isoformat()}"))
    expect(page.locator("#check_in")).to_have_value(arrive.isoformat())
    page.locator(f"#day-{leave.isoformat()}").tap()
    expect(page.locator("#check_out")).to_have_value(leave.isoformat())
    expect(page.locator("#check_in")).to_have_value(arrive.isoformat())
    expect(page.locator("#quote")).to_contain_text("1.650.000 ₫")  # 1 room × 3 nights
    fits_the_phone(page)
    fill_contact(page)
    page.get_by_role("button", name="Gửi yêu cầu đặt chỗ").tap()
    expect(page).to_have_url(re.compile(r"/bookings/BK-\d{4}-\d{6}\?token="))
    context.close()
