"""The booking calendar as a date picker (tourism/picker.py): what a tap picks, what it
refuses and why, and the pages: the htmx answer (calendar, the form's dates, the price), the
same without JavaScript (?pick= on the listing), the legend and the hint. Fixtures homestay
(2 rooms of 2 guests, 500,000 a night) and tour (10 seats): tests/tourism_fixtures.py."""

import re
from datetime import timedelta

import pytest

from tourism import picker
from tourism.bookings import BOOKING_HORIZON_DAYS, MAX_NIGHTS
from tourism.models import Slot

HTMX = {"HX-Request": "true"}


def _slot(db, listing, day, taken=0, closed=False):
    db.session.add(
        Slot(listing_id=listing.id, day=day, capacity=listing.capacity, taken=taken, closed=closed)
    )
    db.session.commit()


def _tap(listing, tapped, check_in=None, check_out=None, guests=2, today=None):
    return picker.pick(
        listing, picker.selection_from(listing, check_in, check_out, today), tapped, guests, today
    )


# --- the rules ------------------------------------------------------------------------------


def test_first_tap_sets_the_check_in_day(db, homestay, today):
    arrive = today + timedelta(days=10)
    assert _tap(homestay, arrive, today=today) == picker.Selection(arrive, None)


def test_a_second_tap_after_it_sets_the_check_out_day(db, homestay, today):
    arrive = today + timedelta(days=10)
    chosen = _tap(homestay, arrive + timedelta(days=3), check_in=arrive, today=today)
    assert chosen == picker.Selection(arrive, arrive + timedelta(days=3))
    assert chosen.nights == 3


@pytest.mark.parametrize("before", [0, 1, 4])
def test_a_tap_on_or_before_the_check_in_day_starts_again(db, homestay, today, before):
    arrive = today + timedelta(days=10)
    tapped = arrive - timedelta(days=before)
    assert _tap(homestay, tapped, check_in=arrive, today=today) == picker.Selection(tapped, None)


def test_a_tap_after_a_whole_stay_starts_again(db, homestay, today):
    arrive = today + timedelta(days=10)
    later = arrive + timedelta(days=5)
    chosen = _tap(homestay, later, arrive, arrive + timedelta(days=2), today=today)
    assert chosen == picker.Selection(later, None)


@pytest.mark.parametrize(
    ("state", "days"),
    [("full", 7), ("closed", 7), ("past", -1), ("ahead", BOOKING_HORIZON_DAYS + 1)],
)
def test_a_day_that_cannot_be_booked_is_refused_and_the_dates_stay(
    db, homestay, tour, today, state, days
):
    day = today + timedelta(days=days)
    chosen_before = today + timedelta(days=500)  # a tap before it is a check-in
    for listing in (homestay, tour):
        if state in ("full", "closed"):
            _slot(db, listing, day, taken=listing.capacity if state == "full" else 0,
                  closed=state == "closed")  # fmt: skip
        chosen = _tap(listing, day, check_in=chosen_before, today=today)
        assert chosen.refusal == picker.Refusal(state, day), listing.kind
        assert chosen.check_in == chosen_before  # what was chosen stays


def test_a_stay_across_a_full_night_is_refused_but_its_morning_is_a_check_out(db, homestay, today):
    arrive = today + timedelta(days=10)
    full = arrive + timedelta(days=2)
    _slot(db, homestay, full, taken=2)
    refused = _tap(homestay, full + timedelta(days=2), check_in=arrive, today=today)
    assert refused.refusal == picker.Refusal("blocked", full)
    assert (refused.check_in, refused.check_out) == (arrive, None)  # the check-in day stays
    # Leaving the morning of the full day takes no night of it.
    assert _tap(homestay, full, check_in=arrive, today=today) == picker.Selection(arrive, full)
    # A closed night blocks the same way.
    closed = arrive + timedelta(days=1)
    _slot(db, homestay, closed, closed=True)
    assert _tap(homestay, full, check_in=arrive, today=today).refusal == picker.Refusal(
        "blocked", closed
    )


def test_too_many_nights_or_too_few_places_are_refused(db, homestay, tour, today):
    arrive = today + timedelta(days=10)
    too_far = arrive + timedelta(days=MAX_NIGHTS + 1)
    assert _tap(homestay, too_far, check_in=arrive, today=today).refusal.reason == "too_long"
    _slot(db, homestay, arrive + timedelta(days=1), taken=1)  # one room of two left
    refused = _tap(homestay, arrive + timedelta(days=3), check_in=arrive, guests=3, today=today)
    assert refused.refusal == picker.Refusal("too_few", arrive + timedelta(days=1), free=1)
    assert _tap(homestay, arrive + timedelta(days=1), guests=4, today=today).refusal.free == 1
    _slot(db, tour, arrive, taken=8)
    assert _tap(tour, arrive, guests=3, today=today).refusal == picker.Refusal("too_few", arrive, 2)
    assert _tap(tour, arrive, guests=2, today=today) == picker.Selection(arrive, None)


def test_a_tour_takes_one_tap_and_has_no_check_out(db, tour, today):
    day = today + timedelta(days=6)
    assert _tap(tour, day, today=today) == picker.Selection(day, None)
    later = day + timedelta(days=3)  # a second tap moves the day
    assert _tap(tour, later, check_in=day, today=today) == picker.Selection(later, None)
    assert picker.selection_from(tour, day, later, today) == picker.Selection(day, None)


def test_what_each_day_offers(db, homestay, today):
    from tourism.availability import month_calendar

    arrive = today + timedelta(days=40)
    full = arrive + timedelta(days=2)
    _slot(db, homestay, full, taken=2)
    weeks = month_calendar(homestay, arrive.year, arrive.month, today)
    days = {
        d.day: d
        for week in picker.picker_weeks(homestay, weeks, picker.Selection(arrive), today)
        for d in week
        if d
    }
    assert (days[arrive].action, days[arrive].role) == ("check_in", "check_in")
    assert days[arrive].chosen
    if arrive - timedelta(days=1) in days:
        assert days[arrive - timedelta(days=1)].action == "check_in"
    assert days[full].action == "check_out"  # the morning after the last free night
    # After the full night: a day still offered, and a tap on it says why it cannot be.
    if full + timedelta(days=1) in days:
        assert days[full + timedelta(days=1)].action == "check_out"
    # With no check-in chosen, the full day cannot be picked at all.
    plain = picker.picker_weeks(homestay, weeks, picker.Selection(), today)
    assert next(d for w in plain for d in w if d and d.day == full).action is None
    # A whole stay: its nights marked, every bookable day starts again.
    stay = picker.Selection(arrive, full)
    offered = {d.day: d for w in picker.picker_weeks(homestay, weeks, stay, today) for d in w if d}
    assert offered[arrive + timedelta(days=1)].role == "night"
    assert offered[full].role == "check_out" and offered[full].action is None


# --- the pages ------------------------------------------------------------------------------


def shown(day):
    """A day as the calendar's buttons name it: without a leading zero, as its number shows."""
    return f"{day.day}/{day:%m/%Y}"


def _calendar(client, slug, **query):
    response = client.get(f"/tourism/{slug}/calendar", query_string=query, headers=HTMX)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _value(page, field):
    match = re.search(rf'<input[^>]*id="{field}"[^>]*>', page)
    assert match, field
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def test_a_tap_with_htmx_answers_the_calendar_the_dates_and_the_price(client, homestay, today):
    arrive = today + timedelta(days=40)
    month = f"{arrive:%Y-%m}"
    first = _calendar(client, "homestay-muong-dinh", month=month, pick=arrive, guests=3)
    assert first.startswith('<section id="calendar"')
    assert f'id="day-{arrive}"' in first and 'aria-pressed="true"' in first
    assert "Ngày nhận phòng: " + arrive.strftime("%d/%m/%Y") in first
    assert '<div id="booking-dates" class="booking-dates" hx-swap-oob="true">' in first
    assert _value(first, "check_in") == arrive.isoformat() and _value(first, "check_out") == ""
    assert 'id="quote"' in first and 'hx-swap-oob="true"' in first
    assert "Ngày đi phải sau ngày đến." not in first  # no price until the check-out day
    leave = arrive + timedelta(days=2)
    second = _calendar(
        client, "homestay-muong-dinh", month=month, pick=leave, check_in=arrive, guests=3
    )
    assert _value(second, "check_in") == arrive.isoformat()
    assert _value(second, "check_out") == leave.isoformat()
    assert "2.000.000" in second  # 2 rooms × 2 nights × 500,000
    assert "2 phòng × 2 đêm × 500.000" in second
    assert "2 đêm." in second and second.count('aria-pressed="true"') == 2
    # The chosen days say so to screen readers.
    assert "ngày nhận phòng đã chọn" in second and "ngày trả phòng đã chọn" in second


def test_a_tap_without_javascript_reloads_the_page_with_the_dates(client, homestay, today):
    arrive = today + timedelta(days=40)
    leave = arrive + timedelta(days=3)
    page = client.get(
        "/tourism/homestay-muong-dinh",
        query_string={"check_in": arrive, "pick": leave, "guests": 2, "month": f"{leave:%Y-%m}"},
    ).get_data(as_text=True)
    assert _value(page, "check_in") == arrive.isoformat()
    assert _value(page, "check_out") == leave.isoformat()
    assert "1.500.000" in page  # the quote: 1 room × 3 nights
    # The calendar is a GET form carrying the dates chosen, so the next tap keeps them.
    form = re.search(r'<form method="get" action="/tourism/homestay-muong-dinh#calendar".*?</form>',
                     page, re.S).group(0)  # fmt: skip
    assert f'name="check_in" value="{arrive}"' in form
    assert f'name="check_out" value="{leave}"' in form
    assert f'name="month" value="{leave:%Y-%m}"' in form
    assert 'name="pick"' in form and 'type="submit"' in form
    # The month arrows carry them too.
    assert re.search(rf'href="[^"]*check_in={arrive}[^"]*"[^>]*id="calendar-next"', page)


def test_a_refused_tap_says_why_and_keeps_the_check_in(client, db, homestay, today):
    arrive = today + timedelta(days=40)
    full = arrive + timedelta(days=1)
    _slot(db, homestay, full, taken=2)
    page = _calendar(
        client, "homestay-muong-dinh", pick=full + timedelta(days=3), check_in=arrive, guests=2
    )
    assert f"Đêm {full:%d/%m/%Y} đã hết chỗ hoặc đóng." in page
    assert f"ngày trả phòng muộn nhất là {full:%d/%m/%Y}" in page
    assert _value(page, "check_in") == arrive.isoformat() and _value(page, "check_out") == ""
    # A full day as check-in: refused, and the day is no button but says why.
    page = _calendar(client, "homestay-muong-dinh", pick=full, month=f"{full:%Y-%m}")
    assert f"Ngày {full:%d/%m/%Y} đã hết chỗ." in page
    assert f'id="day-{full}"' not in page
    assert f"{shown(full)}: Hết chỗ, không chọn được" in page
    closed = arrive + timedelta(days=5)
    _slot(db, homestay, closed, closed=True)
    page = _calendar(client, "homestay-muong-dinh", pick=closed, month=f"{closed:%Y-%m}")
    assert f"Ngày {closed:%d/%m/%Y} chủ nhà không nhận khách." in page


def test_a_tour_is_picked_with_one_tap(client, tour, today):
    day = today + timedelta(days=40)
    page = _calendar(client, "tour-khom", pick=day, guests=3, month=f"{day:%Y-%m}")
    assert _value(page, "check_in") == day.isoformat()
    assert 'id="check_out"' not in page
    assert "450.000" in page and f"Ngày đã chọn: {day:%d/%m/%Y}." in page
    assert f'aria-label="{shown(day)}: ngày đã chọn"' in page


def test_the_legend_and_the_hint_say_what_is_shown(client, db, homestay, tour, today):
    page = client.get("/tourism/homestay-muong-dinh").get_data(as_text=True)
    legend = re.search(r'<ul class="calendar-legend".*?</ul>', page, re.S).group(0)
    for name in ("Còn chỗ", "Sắp hết", "Hết chỗ", "Đóng", "Đã qua", "Ngày đã chọn"):
        assert name in legend, name
    assert "Số trong mỗi ngày là số phòng còn trống." in page
    assert "Chọn ngày nhận phòng, rồi ngày trả phòng." in page
    assert "Số sau mỗi ngày" not in page  # the old hint, of names hidden on a phone
    page = client.get("/tourism/tour-khom").get_data(as_text=True)
    assert "Số trong mỗi ngày là số chỗ còn trống." in page and 'class="calendar-legend"' in page
    # A free day shows its count; a full one ×; beyond the booking horizon: not yet open.
    day = today + timedelta(days=8)
    _slot(db, tour, day, taken=10)
    page = _calendar(client, "tour-khom", month=f"{day:%Y-%m}")
    cell = re.search(rf'<td class="day day-full">((?!</td>).)*{day:%d/%m/%Y}.*?</td>', page, re.S)
    assert '<span class="day-mark">×</span>' in cell.group(0)
    far = today + timedelta(days=BOOKING_HORIZON_DAYS + 40)
    page = _calendar(client, "tour-khom", month=f"{far:%Y-%m}")
    assert "Chưa nhận đặt" in page and f'id="day-{far}"' not in page


def test_the_quote_asks_the_calendar_to_follow_the_dates_typed(client, homestay, today):
    arrive = today + timedelta(days=10)
    response = client.get(
        "/tourism/homestay-muong-dinh/quote",
        query_string={"check_in": arrive, "check_out": arrive + timedelta(days=2), "guests": 2},
        headers=HTMX,
    )
    assert response.headers["HX-Trigger"] == "tourism-dates"
    # The calendar asked again by itself shows the dates, and reads nothing out.
    page = client.get(
        "/tourism/homestay-muong-dinh/calendar",
        query_string={"check_in": arrive, "check_out": arrive + timedelta(days=2),
                      "month": f"{arrive:%Y-%m}"},
        headers={**HTMX, "HX-Trigger": "calendar"},
    ).get_data(as_text=True)  # fmt: skip
    assert "data-announce" not in page and 'aria-pressed="true"' in page
    assert "booking-dates" not in page  # no tap: the form's dates are left alone


def test_the_calendar_without_htmx_is_the_page_with_the_same_dates(client, homestay, today):
    arrive = today + timedelta(days=10)
    response = client.get(
        "/tourism/homestay-muong-dinh/calendar",
        query_string={"pick": arrive, "month": f"{arrive:%Y-%m}", "guests": 2},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert f"check_in={arrive}" in location and location.endswith("#calendar")


@pytest.mark.parametrize(
    "query",
    [
        "pick=9999-99-99",
        "check_in=9999-99-99&pick=9999-12-31",
        "check_in=9999-12-31&check_out=0001-01-01&pick=9999-12-30",
        "pick=0001-01-01&guests=2147483648",
        "pick=2026-02-30&month=9999-99",
        "check_in=x&check_out=y&pick=z&guests=-1",
    ],
)
def test_junk_in_the_address_is_ignored(client, homestay, tour, query):
    for slug in ("homestay-muong-dinh", "tour-khom"):
        assert client.get(f"/tourism/{slug}?{query}").status_code == 200, query
        assert client.get(f"/tourism/{slug}/calendar?{query}", headers=HTMX).status_code == 200, (
            query
        )
        assert client.get(f"/tourism/{slug}/calendar?{query}").status_code == 302, query
