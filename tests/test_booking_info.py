"""A booking that tells the guest where to go (tourism.practical): the address, the map links,
the host's phone and Zalo, the times, the directions and what to bring, on the booking page,
in the mails and in the calendar file (tourism.ics, made with icalendar). Fixtures host,
homestay, tour: tests/tourism_fixtures.py."""

import re
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from core.db import write_transaction
from core.models import Message
from tests.test_tourism import form_data
from tests.tourism_fixtures import book
from tourism import bookings, practical
from tourism.models import Booking, Listing
from tourism.notifications import remind_arrivals, tell_booked

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
# Long enough that the calendar file must fold its LOCATION line.
ADDRESS = "Khu vực 4, đường đal ven mương Mương Đình, phường Hiệp Thành, TP Ngã Bảy, Hậu Giang"


@pytest.fixture()
def placed(db, host, homestay, tour):
    """The listings with their practical information, the host with its phone and Zalo."""
    host.phone, host.zalo_phone = "02933851234", "0912345678"
    homestay.address, homestay.latitude, homestay.longitude = ADDRESS, 9.8052, 105.8284
    homestay.check_in_time, homestay.check_out_time = time(15, 0), time(11, 30)
    homestay.directions = "Qua cầu Phụng Hiệp, rẽ vào đường đal dọc mương."
    homestay.directions_en = "Cross the Phụng Hiệp bridge, then take the lane along the canal."
    homestay.what_to_bring = "Thuốc chống muỗi"
    homestay.what_to_bring_en = "Mosquito repellent"
    homestay.languages = "Tiếng Việt, English"
    tour.address = "Nhà văn hóa ấp Thạnh Thắng, xã Hỏa Tiến, TP Vị Thanh, Hậu Giang"
    tour.latitude, tour.longitude = 9.7812, 105.4713
    tour.contact_phone = "0987654321"
    db.session.commit()
    return homestay, tour


def _ics(client, booking: Booking) -> bytes:
    response = client.get(f"/bookings/{booking.code}.ics?token={booking.access_token}")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return response.get_data()


def _event(body: bytes):
    calendar = Calendar.from_ical(body)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def _messages(db, event: str) -> list[Message]:
    db.session.rollback()
    return db.session.scalars(
        select(Message).where(Message.event == event).order_by(Message.id)
    ).all()


# --- the calendar file ----------------------------------------------------------------------


def test_the_calendar_file_parses_folds_and_names_its_timezone_place_and_times(
    client, placed, today
):
    homestay, _tour = placed
    arrive = today + timedelta(days=9)
    booking = book(homestay, arrive, arrive + timedelta(days=2))
    body = _ics(client, booking)
    lines = body.split(b"\r\n")
    assert body.endswith(b"\r\n") and all(len(line) <= 75 for line in lines), "not folded"
    assert any(line.startswith(b" ") for line in lines)  # the long address was folded
    calendar, event = _event(body)
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Ho_Chi_Minh"
    assert str(event["LOCATION"]) == ADDRESS  # unfolded and unescaped by the parser
    assert (event["GEO"].latitude, event["GEO"].longitude) == (9.8052, 105.8284)
    # The listing's own check-in and check-out times, in Vietnam's time.
    assert event.decoded("DTSTART") == datetime.combine(arrive, time(15, 0), HCM)
    assert event.decoded("DTEND") == datetime.combine(arrive + timedelta(days=2), time(11, 30), HCM)
    assert b"DTSTART;TZID=Asia/Ho_Chi_Minh:" in body
    text = str(event["DESCRIPTION"])
    assert "Qua cầu Phụng Hiệp" in text and "Thuốc chống muỗi" in text and "15:00" in text
    assert "0293 3851 234" in text and "https://zalo.me/0912345678" in text
    assert str(calendar["METHOD"]) == "PUBLISH" and str(event["STATUS"]) == "TENTATIVE"
    assert int(event["SEQUENCE"]) == 0


def test_a_cancelled_booking_gives_the_same_event_cancelled_with_a_higher_sequence(
    client, db, placed, today
):
    _homestay, tour = placed
    booking = book(tour, today + timedelta(days=6))  # instant: confirmed at once
    calendar, live = _event(_ics(client, booking))
    assert str(live["STATUS"]) == "CONFIRMED" and str(calendar["METHOD"]) == "PUBLISH"
    # A tour: its start time and duration, at the meeting place's address.
    assert live.decoded("DTSTART") == datetime.combine(booking.check_in, time(7, 30), HCM)
    assert live.decoded("DTEND") - live.decoded("DTSTART") == timedelta(minutes=180)
    assert str(live["LOCATION"]) == tour.address
    cancelled = client.post(
        f"/bookings/{booking.code}/cancel", data={"token": booking.access_token}
    )
    assert cancelled.status_code == 302
    calendar, gone = _event(_ics(client, booking))
    assert str(gone["STATUS"]) == "CANCELLED" and str(calendar["METHOD"]) == "CANCEL"
    assert str(gone["UID"]) == str(live["UID"])
    assert int(gone["SEQUENCE"]) > int(live["SEQUENCE"])


def test_every_status_move_raises_the_sequence_once(db, placed, today):
    homestay, _tour = placed
    arrive = today + timedelta(days=12)
    booking = book(homestay, arrive, arrive + timedelta(days=1))
    assert booking.sequence == 0
    moved = bookings.change_booking_status(booking.id, "confirmed", actor_id=None, today=today)
    assert moved.sequence == 1
    with pytest.raises(bookings.AlreadyMoved):  # pressed twice: nothing changes
        bookings.change_booking_status(booking.id, "confirmed", actor_id=None, today=today)
    db.session.rollback()
    assert db.session.get(Booking, booking.id).sequence == 1
    cancelled = bookings.change_booking_status(booking.id, "cancelled", actor_id=None, today=today)
    assert cancelled.sequence == 2


def test_the_calendar_files_link_opens_the_booking_for_its_guest_only(app, placed, today):
    _homestay, tour = placed
    booking = book(tour, today + timedelta(days=5))
    guest = app.test_client()  # nobody logged in
    _calendar, event = _event(_ics(guest, booking))
    url = urlsplit(str(event["URL"]))
    assert url.scheme in ("http", "https") and f"token={booking.access_token}" in url.query
    assert guest.get(f"{url.path}?{url.query}").status_code == 200
    wrong = url.query.replace(booking.access_token, "x" * len(booking.access_token))
    assert guest.get(f"{url.path}?{wrong}").status_code == 404
    assert guest.get(url.path).status_code == 404


def test_a_listing_without_coordinates_gives_no_geo_and_a_composed_place(client, db, placed, today):
    homestay, _tour = placed
    homestay.address, homestay.latitude, homestay.longitude = "", None, None
    db.session.commit()
    arrive = today + timedelta(days=3)
    _calendar, event = _event(_ics(client, book(homestay, arrive, arrive + timedelta(days=1))))
    assert "GEO" not in event
    assert str(event["LOCATION"]).endswith("Hậu Giang")


def test_a_composed_place_is_in_english_for_an_english_guest(client, db, placed, today):
    _homestay, tour = placed
    tour.address = ""
    tour.meeting_point, tour.meeting_point_en = "Bến đò Ngã Bảy", "Ngã Bảy ferry landing"
    tour.district.name_en = "Ngã Bảy City"
    db.session.commit()
    booking = book(tour, today + timedelta(days=3), guests=2)
    page = client.get(f"/bookings/{booking.code}?token={booking.access_token}&lang=en")
    assert "Ngã Bảy ferry landing, Ngã Bảy City" in page.get_data(as_text=True)
    _calendar, event = _event(_ics(client, booking))
    assert str(event["LOCATION"]).startswith("Ngã Bảy ferry landing, Ngã Bảy City")
    assert "Bến đò" not in str(event["LOCATION"])


# --- the booking page and the mails ---------------------------------------------------------


def _says_where_to_go(text: str, *, check_in: str) -> None:
    assert ADDRESS in text
    assert "https://www.openstreetmap.org/?mlat=9.8052&mlon=105.8284#map=16/9.8052/105.8284" in text
    assert "https://www.google.com/maps/search/?api=1&query=9.8052,105.8284" in text
    assert "tel:+842933851234" in text and "https://zalo.me/0912345678" in text
    assert check_in in text


def test_the_booking_page_tells_where_to_go_phone_first(client, placed, today):
    homestay, _tour = placed
    arrive = today + timedelta(days=9)
    booking = book(homestay, arrive, arrive + timedelta(days=2))
    page = client.get(f"/bookings/{booking.code}?token={booking.access_token}")
    html = page.get_data(as_text=True).replace("&amp;", "&")
    _says_where_to_go(html, check_in="15:00")
    assert "11:30" in html and "Qua cầu Phụng Hiệp" in html and "Thuốc chống muỗi" in html
    # The call button comes before the facts, so a phone shows it first.
    assert html.index('href="tel:+842933851234"') < html.index(ADDRESS)
    english = client.get(f"/bookings/{booking.code}?token={booking.access_token}&lang=en")
    english = english.get_data(as_text=True)
    assert "Cross the Phụng Hiệp bridge" in english and "Mosquito repellent" in english


def test_a_tours_page_gives_its_start_meeting_point_and_own_phone(client, placed, today):
    _homestay, tour = placed
    booking = book(tour, today + timedelta(days=4))
    html = client.get(f"/bookings/{booking.code}?token={booking.access_token}").get_data(
        as_text=True
    )
    assert "07:30" in html and "Ấp Thạnh Thắng" in html
    assert 'href="tel:+84987654321"' in html  # the listing's own number before the host's
    assert "https://zalo.me/0912345678" in html  # its Zalo: the cooperative's


def test_the_confirmation_and_the_reminder_tell_where_to_go(db, placed, today):
    homestay, _tour = placed
    arrive = today + timedelta(days=1)
    booking = bookings.book(
        homestay.id, check_in=arrive, check_out=arrive + timedelta(days=2), guests=2,
        contact=bookings.Contact("Anna Schmidt", "+4915123456789", "anna@example.de", "Germany"),
        user_id=None, form_token=bookings.new_form_token(), today=today,
    )  # fmt: skip
    bookings.change_booking_status(booking.id, "confirmed", actor_id=None, today=today)
    (confirmed,) = [m for m in _messages(db, "booking.confirmed") if m.channel == "mail"]
    _says_where_to_go(confirmed.text, check_in="15:00")
    html = confirmed.html.replace("&amp;", "&")
    assert 'href="tel:+842933851234"' in html and 'href="https://zalo.me/0912345678"' in html
    assert "https://www.openstreetmap.org/?mlat=9.8052" in html
    with write_transaction():  # as the daily job runs it (tourism.jobs)
        assert remind_arrivals(arrive) == 1
    (reminder,) = [m for m in _messages(db, "booking.reminder") if m.channel == "mail"]
    _says_where_to_go(reminder.text, check_in="15:00")
    assert "Qua cầu Phụng Hiệp" in reminder.text and "Thuốc chống muỗi" in reminder.text


# --- true messages and counts ---------------------------------------------------------------


def test_an_instant_booking_says_it_is_confirmed(client, db, placed, today):
    data = form_data(client, "/tourism/tour-khom", check_in=(today + timedelta(days=8)).isoformat())
    response = client.post("/tourism/tour-khom/book", data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "đã được xác nhận" in page and "Đã gửi yêu cầu" not in page
    (told,) = [m for m in _messages(db, "booking.confirmed") if m.channel == "mail"]
    assert "xác nhận" in told.subject and "Yêu cầu" not in told.subject


def test_a_request_says_it_waits_for_the_host(client, placed, today):
    arrive = today + timedelta(days=8)
    data = form_data(client, "/tourism/homestay-muong-dinh", check_in=arrive.isoformat(),
                     check_out=(arrive + timedelta(days=1)).isoformat(), guests="2")  # fmt: skip
    page = client.post("/tourism/homestay-muong-dinh/book", data=data, follow_redirects=True)
    page = page.get_data(as_text=True)
    assert "Đã gửi yêu cầu đặt chỗ" in page and "đã được xác nhận" not in page


@pytest.mark.parametrize(
    ("guests", "nights", "expected"),
    [(2, 1, "1 room × 1 night"), (3, 3, "2 rooms × 3 nights"), (1, 2, "1 room × 2 nights")],
)
def test_rooms_and_nights_are_counted_in_english(client, placed, today, guests, nights, expected):
    arrive = today + timedelta(days=10)
    fragment = client.get(
        f"/tourism/homestay-muong-dinh/quote?check_in={arrive}"
        f"&check_out={arrive + timedelta(days=nights)}&guests={guests}&lang=en",
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert expected in re.sub(r"\s+", " ", fragment)


def test_the_languages_are_named_in_the_readers_language(client, placed):
    english = client.get("/tourism/homestay-muong-dinh?lang=en").get_data(as_text=True)
    assert "Vietnamese, English" in english and "Tiếng Việt, English" not in english
    vietnamese = client.get("/tourism/homestay-muong-dinh?lang=vi").get_data(as_text=True)
    assert "Tiếng Việt, Tiếng Anh" in vietnamese


@pytest.mark.parametrize(
    ("typed", "reader", "shown"),
    [
        ("Tiếng Việt, English", "en", "Vietnamese, English"),
        ("tieng viet; tiếng Anh", "vi", "Tiếng Việt, Tiếng Anh"),
        ("English, Khmer, Tiếng Việt", "en", "English, Khmer, Vietnamese"),
        ("Tiếng Việt, Klingon", "en", "Vietnamese, Klingon"),
        ("", "en", ""),
    ],
)
def test_spoken_languages(typed, reader, shown):
    assert practical.spoken_languages(typed, reader) == shown


# --- the rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "inside"),
    [(9.78, 105.47, True), (105.47, 9.78, False), (None, 105.4, False), (-9.78, 105.47, False),
     (8.0, 102.0, True), (23.5, 118.0, True), (23.6, 105.0, False)],
)  # fmt: skip
def test_coordinates_must_be_in_vietnam(lat, lon, inside):
    assert practical.within_vietnam(lat, lon) is inside


def test_the_phone_and_zalo_default_to_the_cooperatives(db, placed):
    homestay, tour = placed
    assert practical.contact_phone(homestay) == "02933851234"
    assert practical.contact_phone(tour) == "0987654321"
    assert practical.contact_zalo(homestay) == "0912345678"
    homestay.host.zalo_phone = ""
    assert practical.contact_zalo(homestay) == ""  # a landline has no Zalo
    assert practical.contact_zalo(tour) == "0987654321"  # the listing's mobile then


def test_map_links():
    assert practical.osm_link(9.78, 105.47) == (
        "https://www.openstreetmap.org/?mlat=9.78&mlon=105.47#map=16/9.78/105.47"
    )
    assert practical.google_maps_link(9.7, 105.67) == (
        "https://www.google.com/maps/search/?api=1&query=9.7,105.67"
    )


# --- the demo data --------------------------------------------------------------------------


def test_the_seeded_places_are_in_hau_giang_with_english_directions(app, db):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    listings = db.session.scalars(select(Listing)).all()
    assert len(listings) >= 8
    for listing in listings:
        with app.test_request_context():
            facts = practical.arrival(listing)
        # Hậu Giang lies about 9.5–10.1 N, 105.2–106.0 E.
        assert 9.5 <= listing.latitude <= 10.1 and 105.2 <= listing.longitude <= 106.0
        assert "Hậu Giang" in listing.address and facts.has_map and facts.phone
        assert listing.directions and listing.directions_en and listing.what_to_bring_en
        if listing.is_stay:
            assert listing.check_in_time is not None and listing.check_out_time is not None
    pineapple = next(item for item in listings if item.title == "Tour cánh đồng khóm Cầu Đúc")
    assert round(pineapple.latitude, 1) == 9.8 and round(pineapple.longitude, 1) == 105.5


def test_an_english_guests_mail_counts_nights_and_guests(db, placed, today):
    homestay, _tour = placed
    arrive = today + timedelta(days=7)
    for guests, nights, later in ((1, 1, 0), (3, 2, 5)):  # on other nights: 2 rooms
        bookings.book(
            homestay.id, check_in=arrive + timedelta(days=later),
            check_out=arrive + timedelta(days=later + nights),
            guests=guests, contact=bookings.Contact("Anna", "+4915123456789", "a@example.de", "DE"),
            user_id=None, form_token=bookings.new_form_token(), today=today, language="en",
            tell=tell_booked,
        )  # fmt: skip
    one, three = [m for m in _messages(db, "booking.requested") if m.channel == "mail"]
    assert "(1 night) · 1 guest\n" in one.text
    assert "(2 nights) · 3 guests\n" in three.text
