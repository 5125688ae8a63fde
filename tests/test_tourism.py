"""Community tourism: availability, booking rules, capacity under concurrency, the policy,
statuses and the pages. Fixtures host, homestay, tour: tests/tourism_fixtures.py."""

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.concurrency import at_once
from tests.tourism_fixtures import book, taken
from tourism import bookings
from tourism.availability import days_taken, free_units, month_calendar, units_needed
from tourism.models import Booking, Slot

# --- rules --------------------------------------------------------------------------------


def test_a_stay_takes_its_nights_and_not_the_check_out_night(db, homestay, today):
    arrive = today + timedelta(days=10)
    assert days_taken(homestay, arrive, arrive + timedelta(days=3)) == [
        arrive, arrive + timedelta(days=1), arrive + timedelta(days=2)
    ]  # fmt: skip
    booking = book(homestay, arrive, arrive + timedelta(days=3), guests=2, today=today)
    assert (booking.units, booking.total, booking.status) == (1, 1_500_000, "requested")
    assert [taken(db, homestay.id, arrive + timedelta(days=n)) for n in range(-1, 4)] == [
        0, 1, 1, 1, 0
    ]  # fmt: skip
    # The check-out night is free for the next guest, on both rooms.
    assert free_units(homestay, [arrive + timedelta(days=3)], today) == 2


def test_overlapping_stays_and_cancel_gives_each_night_back_once(db, homestay, today):
    arrive = today + timedelta(days=10)
    first = book(homestay, arrive, arrive + timedelta(days=3), today=today)
    book(homestay, arrive + timedelta(days=1), arrive + timedelta(days=2), today=today)
    assert [taken(db, homestay.id, arrive + timedelta(days=n)) for n in range(3)] == [1, 2, 1]
    with pytest.raises(bookings.DatesUnavailable) as raised:
        book(homestay, arrive, arrive + timedelta(days=2), today=today)
    assert raised.value.day == arrive + timedelta(days=1)
    assert [taken(db, homestay.id, arrive + timedelta(days=n)) for n in range(3)] == [1, 2, 1]
    bookings.change_booking_status(first.id, "cancelled", actor_id=None, today=today)
    with pytest.raises(bookings.IllegalBookingMove):
        bookings.change_booking_status(first.id, "cancelled", actor_id=None, today=today)
    assert [taken(db, homestay.id, arrive + timedelta(days=n)) for n in range(3)] == [0, 1, 0]


def test_rooms_needed_from_guests(homestay, tour):
    assert [units_needed(homestay, g) for g in (1, 2, 3, 4)] == [1, 1, 2, 2]
    assert units_needed(tour, 3) == 3


@pytest.mark.parametrize(
    ("arrive", "leave", "guests", "error"),
    [
        (-1, 2, 2, bookings.DatesInPast),
        (5, 5, 2, bookings.CheckOutNotAfterCheckIn),
        (5, 4, 2, bookings.CheckOutNotAfterCheckIn),
        (5, None, 2, bookings.CheckOutNotAfterCheckIn),
        (5, 40, 2, bookings.StayTooLong),
        (400, 401, 2, bookings.TooFarAhead),
        (5, 6, 5, bookings.TooManyGuests),
        (5, 6, 0, bookings.TooManyGuests),
    ],
)
def test_clear_refusals(db, homestay, today, arrive, leave, guests, error):
    check_out = today + timedelta(days=leave) if leave is not None else None
    with pytest.raises(error):
        book(homestay, today + timedelta(days=arrive), check_out, guests=guests, today=today)
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_closed_day_refused(db, tour, today):
    day = today + timedelta(days=7)
    db.session.add(Slot(listing_id=tour.id, day=day, capacity=10, closed=True))
    db.session.commit()
    with pytest.raises(bookings.DatesUnavailable):
        book(tour, day, guests=2, today=today)
    assert month_calendar(tour, day.year, day.month, today)


def test_tour_books_seats_and_instant_booking_confirms(db, tour, today):
    day = today + timedelta(days=5)
    booking = book(tour, day, guests=3, today=today)
    assert (booking.units, booking.total, booking.status) == (3, 450_000, "confirmed")
    assert booking.check_out == day + timedelta(days=1)
    assert taken(db, tour.id, day) == 3


def test_same_form_token_twice_is_one_booking(db, tour, today):
    day = today + timedelta(days=5)
    first = book(tour, day, guests=2, token="once", today=today)
    again = book(tour, day, guests=2, token="once", today=today)
    assert first.id == again.id and taken(db, tour.id, day) == 2


@pytest.mark.parametrize(
    ("days_before", "fee"),
    [(10, 0), (3, 0), (2, 750_000), (1, 750_000), (0, 750_000)],
)
def test_cancellation_policy_boundaries(db, homestay, today, days_before, fee):
    booking = book(homestay, today + timedelta(days=days_before),
                   today + timedelta(days=days_before + 3), today=today)  # fmt: skip
    assert bookings.cancellation_fee(booking, today) == fee
    cancelled = bookings.change_booking_status(booking.id, "cancelled", actor_id=None, today=today)
    assert cancelled.cancel_fee == fee


def test_no_cancel_after_the_start(db, tour, today):
    booking = book(tour, today, guests=1, today=today)
    later = today + timedelta(days=1)
    assert not bookings.can_cancel(booking, later)
    with pytest.raises(bookings.IllegalBookingMove):
        bookings.change_booking_status(booking.id, "cancelled", actor_id=None, today=later)


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ((), "completed"),
        (("declined",), "confirmed"),
        (("confirmed", "completed"), "cancelled"),
        (("cancelled",), "confirmed"),
        (("confirmed",), "declined"),
        (("confirmed",), "requested"),
    ],
)
def test_illegal_status_moves_refused(db, homestay, today, path, illegal):
    booking = book(homestay, today + timedelta(days=9), today + timedelta(days=10), today=today)
    for step in path:
        bookings.change_booking_status(booking.id, step, actor_id=None, today=today)
    with pytest.raises(bookings.IllegalBookingMove):
        bookings.change_booking_status(booking.id, illegal, actor_id=None, today=today)


def test_decline_gives_the_capacity_back(db, homestay, today):
    arrive = today + timedelta(days=4)
    booking = book(homestay, arrive, arrive + timedelta(days=1), today=today)
    bookings.change_booking_status(booking.id, "declined", actor_id=None, today=today)
    assert taken(db, homestay.id, arrive) == 0


# --- concurrency --------------------------------------------------------------------------


def test_20_concurrent_bookings_for_the_last_2_rooms(app, db, homestay, today):
    arrive = today + timedelta(days=20)
    listing_id = homestay.id
    barrier = threading.Barrier(20)
    results = []

    def run(n):
        with app.app_context():
            barrier.wait()
            try:
                results.append(book(listing_id, arrive, arrive + timedelta(days=1), guests=1,
                                    token=f"t{n}", today=today).code)  # fmt: skip
            except bookings.DatesUnavailable as error:
                results.append(error)
            finally:
                from core.extensions import db as _db

                _db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    codes = [r for r in results if isinstance(r, str)]
    assert len(codes) == 2, results
    assert sum(isinstance(r, bookings.DatesUnavailable) for r in results) == 18
    assert taken(db, listing_id, arrive) == 2


# --- pages --------------------------------------------------------------------------------


def form_data(client, url, **changes):
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'id="form_token" name="form_token" type="hidden" value="([^"]+)"', page)
    data = {
        "form_token": token.group(1),
        "guests": "3",
        "name": "Anna Schmidt",
        "phone": "+49 151 2345 6789",
        "email": "anna@example.de",
        "country": "Germany",
    }
    data.update(changes)
    return data


def test_listing_page_calendar_and_month_with_htmx(client, tour, today):
    page = client.get("/tourism/tour-khom").get_data(as_text=True)
    assert "Tour cánh đồng khóm Cầu Đúc" in page and 'id="calendar"' in page
    nxt = today.replace(day=1) + timedelta(days=40)
    fragment = client.get(
        f"/tourism/tour-khom/calendar?month={nxt:%Y-%m}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert fragment.startswith('<section id="calendar"') and "<html" not in fragment
    assert client.get("/tourism/tour-khom/calendar?month=x").status_code == 302
    assert client.get("/tourism/tour-khom?month=9999-99").status_code == 200


def test_english_readers_see_the_english_title(client, tour):
    page = client.get("/tourism/tour-khom?lang=en").get_data(as_text=True)
    assert "Cầu Đúc pineapple fields tour" in page


def test_price_updates_live(client, homestay, today):
    arrive = today + timedelta(days=10)
    url = (
        f"/tourism/homestay-muong-dinh/quote?check_in={arrive}"
        f"&check_out={arrive + timedelta(days=3)}&guests=3"
    )
    fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "3.000.000" in fragment  # 2 rooms × 3 nights × 500,000
    bad = client.get(
        f"/tourism/homestay-muong-dinh/quote?check_in={arrive}&check_out={arrive}&guests=2"
    ).get_data(as_text=True)
    assert "Ngày đi phải sau ngày đến." in bad


def test_filter_by_date_and_guests_shows_only_what_is_free(client, db, tour, homestay, today):
    day = today + timedelta(days=6)
    db.session.add(Slot(listing_id=tour.id, day=day, capacity=10, taken=9))
    db.session.commit()
    page = client.get(f"/tourism?date={day}&guests=3").get_data(as_text=True)
    assert "Homestay Mương Đình" in page and "Tour cánh đồng khóm" not in page
    page = client.get(f"/tourism?date={day}&guests=1&kind=tour").get_data(as_text=True)
    assert "Tour cánh đồng khóm" in page and "Homestay Mương Đình" not in page
    for bad in ("date=abc", "guests=-4", "max_price=x", "kind=<script>"):
        assert client.get(f"/tourism?{bad}").status_code == 200


def test_book_page_to_booking_page_ics_and_cancel(app, client, db, make, tour, today):
    day = today + timedelta(days=8)
    data = form_data(client, "/tourism/tour-khom", check_in=day.isoformat())
    response = client.post("/tourism/tour-khom/book", data=data)
    assert response.status_code == 302
    location = response.headers["Location"]
    code, token = re.match(r"/bookings/(BK-\d{4}-\d{6})\?token=(.+)", location).groups()
    page = client.get(location).get_data(as_text=True)
    assert code in page and "450.000" in page and "Đã xác nhận" in page
    ics = client.get(f"/bookings/{code}.ics?token={token}")
    assert ics.mimetype == "text/calendar"
    body = ics.get_data(as_text=True)
    assert "BEGIN:VEVENT" in body and f"DTSTART;TZID=Asia/Ho_Chi_Minh:{day:%Y%m%d}T073000" in body
    assert client.get(f"/bookings/{code}").status_code == 404  # no token, no account
    assert client.get(f"/bookings/{code}.ics?token=nope").status_code == 404
    from email import message_from_bytes, policy
    from pathlib import Path

    mails = [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in Path(app.config["MAIL_OUTBOX"]).glob("*.eml")
    ]
    guest = [m for m in mails if m["To"] == "anna@example.de" and code in m["Subject"]]
    assert any(token in m.get_body().get_content() for m in guest)
    assert client.post(f"/bookings/{code}/cancel", data={"token": token}).status_code == 302
    assert taken(db, tour.id, day) == 0
    assert "Đã hủy" in client.get(location).get_data(as_text=True)


def test_booking_errors_keep_what_was_typed(client, tour, today):
    data = form_data(client, "/tourism/tour-khom", check_in=(today - timedelta(days=1)).isoformat(),
                     name="Nguyễn Văn Bình")  # fmt: skip
    page = client.post("/tourism/tour-khom/book", data=data).get_data(as_text=True)
    assert "Ngày đến đã qua" in page and 'value="Nguyễn Văn Bình"' in page
    data = form_data(client, "/tourism/tour-khom", check_in="not-a-date", phone="12")
    page = client.post("/tourism/tour-khom/book", data=data).get_data(as_text=True)
    assert "Ngày không hợp lệ." in page and "Số điện thoại chưa đúng" in page


def test_listing_and_product_link_both_ways(client, db, make, tour):
    product = make.product("Khóm Cầu Đúc", tour.host)
    tour.products.append(product)
    db.session.commit()
    assert "/products/khom-cau-duc" in client.get("/tourism/tour-khom").get_data(as_text=True)
    assert "/tourism/tour-khom" in client.get("/products/khom-cau-duc").get_data(as_text=True)


# --- the same form twice, and input out of range ------------------------------------------


def _mails(app) -> set:
    from pathlib import Path

    return set(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"))


def test_the_same_booking_form_twice_shows_the_same_booking_and_mails_once(
    app, client, db, tour, today
):
    day = today + timedelta(days=8)
    data = form_data(client, "/tourism/tour-khom", check_in=day.isoformat(), guests="2")
    mails_before = _mails(app)
    first = client.post("/tourism/tour-khom/book", data=data)
    again = client.post("/tourism/tour-khom/book", data=data)  # a reload, a second click
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    code = re.match(r"/bookings/(BK-\d{4}-\d{6})", first.headers["Location"]).group(1)
    assert db.session.scalar(select(func.count(Booking.id))) == 1
    assert taken(db, tour.id, day) == 2
    new_mails = [p.read_text() for p in _mails(app) - mails_before]
    assert len(new_mails) == 1 and code in new_mails[0]  # the guest's, once (no host owner)
    assert code in client.get(again.headers["Location"]).get_data(as_text=True)


def test_the_same_token_twice_at_once_is_one_booking(app, db, tour, today):
    day = today + timedelta(days=6)
    listing_id = tour.id
    results = at_once(
        app, *[lambda: book(listing_id, day, guests=3, token="x" * 32, today=today).id] * 2
    )
    assert len(results) == 2 and results[0] == results[1], results
    db.session.rollback()  # read what the threads committed
    assert db.session.scalar(select(func.count(Booking.id))) == 1
    assert taken(db, listing_id, day) == 3  # the seats taken once


@pytest.mark.parametrize("token", ["", "kurz", "t" * 65, "t" * 500, "<script>-" * 4])
def test_a_token_that_is_not_ours_is_never_stored(client, db, tour, today, token):
    day = today + timedelta(days=8)
    data = form_data(client, "/tourism/tour-khom", check_in=day.isoformat(), form_token=token)
    assert client.post("/tourism/tour-khom/book", data=data).status_code == 302
    stored = db.session.scalar(select(Booking.form_token))
    assert stored != token and 16 <= len(stored) <= 64  # a fresh one of ours


def test_a_far_date_is_a_message_on_the_form_and_what_was_typed_stays(client, db, tour, today):
    for far in ("9999-12-31", "0001-01-01", f"{today.year + 50}-01-01"):
        data = form_data(client, "/tourism/tour-khom", check_in=far, name="Nguyễn Văn Bình")
        response = client.post("/tourism/tour-khom/book", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "Vui lòng chọn ngày từ" in page, far
        assert f'value="{far}"' in page and 'value="Nguyễn Văn Bình"' in page
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_a_far_date_on_the_quote_is_its_message(client, homestay, today):
    arrive = (today + timedelta(days=5)).isoformat()
    for asked in (
        {"check_in": "9999-12-31", "check_out": "9999-12-31"},
        {"check_in": arrive, "check_out": "9999-12-31"},
        {"check_in": "0001-01-01", "check_out": arrive},
    ):
        page = client.get(
            "/tourism/homestay-muong-dinh/quote",
            query_string={**asked, "guests": "2"},
            headers={"HX-Request": "true"},
        ).get_data(as_text=True)
        assert "Vui lòng chọn ngày từ" in page, asked
    page = client.get(
        "/tourism/homestay-muong-dinh/quote",
        query_string={"check_in": arrive, "guests": "2147483648"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "Số khách từ 1 đến 200." in page


def test_the_quote_is_too_far_ahead_before_any_date_arithmetic(tour, homestay, today):
    from datetime import date

    for listing in (tour, homestay):
        with pytest.raises(bookings.TooFarAhead):
            bookings.quote(listing, date.max, date.max, 2, today)


def test_far_and_huge_filters_are_ignored_or_clamped(client, tour, homestay):
    for query in ("date=9999-12-31", "date=0001-01-01", "max_price=2147483648",
                  "max_price=" + "9" * 400, "guests=2147483648"):  # fmt: skip
        response = client.get(f"/tourism?{query}")
        assert response.status_code == 200, query
    page = client.get("/tourism?date=9999-12-31").get_data(as_text=True)
    assert "Tour cánh đồng khóm" in page  # the date is ignored, not "nothing free"
    page = client.get("/tourism?max_price=2147483648").get_data(as_text=True)
    assert "Tour cánh đồng khóm" in page and "Homestay Mương Đình" in page
    for query in ("date=9999-12-31", "month=9999-12", "month=2147483648-01", "guests=99999"):
        assert client.get(f"/tourism/tour-khom?{query}").status_code == 200, query


def test_a_month_out_of_range_shows_this_month(today):
    from tourism.availability import month_from_arg

    this_month = (today.year, today.month)
    assert month_from_arg(f"{today.year + 1}-{today.month:02d}", today) == (
        today.year + 1, today.month
    )  # fmt: skip
    for far in ("9999-12", "0000-01", "0001-01", f"{today.year + 3}-01", "2026-13", "x", None):
        assert month_from_arg(far, today) == this_month, far


def test_a_repeated_cancel_is_shown_as_done_and_gives_back_once(client, db, homestay, today):
    arrive = today + timedelta(days=10)
    booking = book(homestay, arrive, arrive + timedelta(days=1), guests=2, today=today)
    url = f"/bookings/{booking.code}/cancel"
    for _ in range(2):
        response = client.post(url, data={"token": booking.access_token})
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert f"Đã hủy đặt chỗ {booking.code}." in page
    db.session.rollback()
    again = db.session.get(Booking, booking.id)
    assert [e.to_status for e in again.events] == ["requested", "cancelled"]
    assert taken(db, homestay.id, arrive) == 0


BOOKING_LIMITS = """
import sys
sys.path.insert(0, {root!r})
from app import create_app
app = create_app({{
    "SQLALCHEMY_DATABASE_URI": {url!r}, "SECRET_KEY": "test", "TESTING": True,
    "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_BOOKING": "3 per minute", "RATELIMIT_BOOKING_PER_ADDRESS": "100 per minute",
}})
first, second = app.test_client(), app.test_client()  # two guests behind one address
for client in (first, first, first, first, second):
    print(client.post("/tourism/tour-khom/book", data={{"guests": "2"}}).status_code)
"""


def test_the_booking_limit_counts_each_guest_not_the_address(app, db, tour):
    """limited("BOOKING"): a guest who posts too often is stopped; another guest behind the
    same address (a fair's Wi-Fi, a carrier's NAT) still books. In a process of its own, as
    in tests/test_rate_limits.py: the limiter is one object per process."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    script = BOOKING_LIMITS.format(root=str(root), url=app.config["SQLALCHEMY_DATABASE_URI"])
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=root
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["200", "200", "200", "429", "200"]
