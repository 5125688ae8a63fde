"""The host's tourism pages at /dashboard/tourism: access, listings, capacity and closed days,
bookings and their statuses, and the owner check on every route. The `host` fixture (no owner)
and its `homestay` and `tour` stand for another host here."""

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from core.db import TryAgain
from tests.concurrency import at_once
from tests.conftest import TEST_PASSWORD
from tests.tourism_fixtures import book, taken
from tourism import bookings, hosting
from tourism.availability import free_units
from tourism.models import Booking, BookingEvent, Listing, ListingImage, ListingReview, Slot

# --- helpers and fixtures ------------------------------------------------------------------


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, "login failed"


def text(response) -> str:
    return response.get_data(as_text=True)


def listing_form(**changes) -> dict:
    data = {
        "kind": "tour",
        "title": "Tour xuồng ba lá kênh Xà No",
        "title_en": "Xà No canal rowing boat tour",
        "description": "Chèo xuồng dọc kênh, ghé vườn khóm.",
        "description_en": "Row along the canal and visit a pineapple garden.",
        "price": "200.000",
        "capacity": "8",
        "max_guests": "4",
        "start_time": "07:30",
        "duration_minutes": "150",
        "meeting_point": "Bến xuồng Vị Thanh",
        "included": "Xuồng, nước uống",
        "what_to_bring": "Nón, kem chống nắng",
        "languages": "Tiếng Việt, English",
        "free_cancel_days": "2",
        "late_cancel_fee_percent": "50",
        "active": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture()
def stay(db, mine):
    listing = Listing(
        host=mine, kind="homestay", slug="homestay-hoa-tien", title="Homestay Hỏa Tiến",
        district_id=mine.district_id, price=400_000, capacity=3, max_guests=2,
        free_cancel_days=3, late_cancel_fee_percent=50,
    )  # fmt: skip
    db.session.add(listing)
    db.session.commit()
    return listing


@pytest.fixture()
def trip(db, mine):
    listing = Listing(
        host=mine, kind="tour", slug="tour-hoa-tien", title="Tour vườn khóm Hỏa Tiến",
        district_id=mine.district_id, price=150_000, capacity=10, max_guests=6,
        start_time=time(7, 0), duration_minutes=120, meeting_point="Nhà văn hóa ấp",
        free_cancel_days=2, late_cancel_fee_percent=100,
    )  # fmt: skip
    db.session.add(listing)
    db.session.commit()
    return listing


@pytest.fixture()
def signed_in(client, owner, mine):
    login(client, owner)
    return client


def booking_of(db, booking_id) -> Booking:
    db.session.rollback()
    return db.session.get(Booking, booking_id)


# --- who may come in -----------------------------------------------------------------------

GET_PAGES = ["/dashboard/tourism", "/dashboard/tourism/new", "/dashboard/tourism/bookings"]


def test_guest_is_sent_to_login(client, db):
    for url in GET_PAGES:
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["buyer", "admin"])
def test_buyers_and_admins_are_forbidden(client, make, role):
    login(client, make.user(role=role))
    for url in GET_PAGES:
        assert client.get(url).status_code == 403
    assert client.post("/dashboard/tourism/new", data=listing_form()).status_code == 403


def test_cooperative_account_without_cooperative_is_forbidden(client, make):
    login(client, make.user(role="cooperative"))
    assert client.get("/dashboard/tourism").status_code == 403


def test_pending_host_sees_the_waiting_page_and_cannot_add(client, make, db):
    user = make.user(role="cooperative")
    make.cooperative("HTX Mới", owner=user, approved=False)
    login(client, user)
    for url in GET_PAGES:
        response = client.get(url)
        assert response.status_code == 200
        assert "đang chờ Văn phòng OCOP duyệt" in text(response)
    response = client.post("/dashboard/tourism/new", data=listing_form())
    assert "đang chờ Văn phòng OCOP duyệt" in text(response)
    assert db.session.scalar(select(func.count(Listing.id))) == 0


# --- overview ------------------------------------------------------------------------------


def test_overview_lists_listings_guests_per_day_and_waiting_bookings(
    signed_in, db, stay, trip, homestay, today
):
    arrive = today + timedelta(days=2)
    waiting = book(stay, arrive, arrive + timedelta(days=2), guests=3, today=today)
    book(trip, arrive + timedelta(days=1), guests=4, today=today)
    confirmed = book(trip, arrive, guests=2, today=today)
    bookings.change_booking_status(confirmed.id, "confirmed", actor_id=None, today=today)
    book(homestay, arrive, arrive + timedelta(days=1), guests=2, today=today)  # another host's

    page = text(signed_in.get("/dashboard/tourism"))
    assert "Homestay Hỏa Tiến" in page and "Tour vườn khóm Hỏa Tiến" in page
    assert "Homestay Mương Đình" not in page
    assert f'href="/dashboard/tourism/{stay.id}"' in page and "400.000" in page
    # Waiting: the requested ones (the tours here wait too: no instant booking), with buttons.
    assert waiting.code in page and confirmed.code not in page.split('id="guests-title"')[0]
    assert 'name="to" value="confirmed"' in page and 'name="to" value="declined"' in page
    # Guests per day: the stay's 3 guests both nights, tour guests on their days.
    rows = re.findall(
        r'<tr class="host-guests-\w+">\s*<th scope="row">([^<]+)</th>\s*<td class="host-num">([^<]+)</td>',
        page,
    )
    assert len(rows) == 14
    counts = [value for _day, value in rows]
    assert counts[2] == "5" and counts[3] == "7" and counts[4] == "–" and counts[0] == "–"


# --- creating and editing a listing --------------------------------------------------------


def test_create_a_listing_through_the_form_and_see_it_on_tourism(signed_in, db, mine):
    assert signed_in.get("/dashboard/tourism/new").status_code == 200
    response = signed_in.post("/dashboard/tourism/new", data=listing_form())
    assert response.status_code == 302
    listing = db.session.scalar(select(Listing))
    assert response.headers["Location"] == f"/dashboard/tourism/{listing.id}"
    assert (listing.host_id, listing.kind, listing.price, listing.capacity) == (
        mine.id, "tour", 200_000, 8
    )  # fmt: skip
    assert (listing.start_time, listing.duration_minutes, listing.active) == (
        time(7, 30),
        150,
        True,
    )
    assert listing.district_id == mine.district_id and not listing.instant_booking
    public = text(signed_in.get("/tourism"))
    assert "Tour xuồng ba lá kênh Xà No" in public
    page = text(signed_in.get(f"/tourism/{listing.slug}?lang=en"))
    assert "Xà No canal rowing boat tour" in page


def test_a_homestay_keeps_no_departure_time(signed_in, db):
    data = listing_form(kind="homestay", title="Nhà vườn Sáu Khóm", start_time="08:00",
                        duration_minutes="", meeting_point="")  # fmt: skip
    assert signed_in.post("/dashboard/tourism/new", data=data).status_code == 302
    listing = db.session.scalar(select(Listing))
    assert (listing.kind, listing.start_time, listing.duration_minutes) == ("homestay", None, None)


def test_an_unticked_box_saves_false(signed_in, db, trip):
    data = listing_form(active=None, instant_booking=None)
    assert signed_in.post(f"/dashboard/tourism/{trip.id}/edit", data=data).status_code == 302
    db.session.refresh(trip)
    assert (trip.active, trip.instant_booking) == (False, False)
    assert signed_in.get(f"/tourism/{trip.slug}").status_code == 404  # hidden from tourists


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"price": "0"}, "Giá là số nguyên lớn hơn 0"),
        ({"price": "abc"}, "Giá là số nguyên lớn hơn 0"),
        ({"price": "1.5"}, "Giá là số nguyên lớn hơn 0"),
        ({"price": ""}, "Vui lòng điền mục này."),
        ({"capacity": "0"}, "Sức chứa là số nguyên từ 1 đến 1.000."),
        ({"max_guests": "-2"}, "Số khách tối đa là số nguyên từ 1 đến 200."),
        ({"free_cancel_days": "61"}, "Số ngày hủy miễn phí là số nguyên từ 0 đến 60."),
        ({"late_cancel_fee_percent": "101"}, "Phí hủy muộn là số nguyên từ 0 đến 100"),
        ({"duration_minutes": "5"}, "Thời lượng là số phút từ 15 đến 1.440"),
        ({"start_time": ""}, "Tour và trải nghiệm cần giờ khởi hành"),
        ({"start_time": "25:99"}, "Giờ không hợp lệ, ví dụ 07:30."),
        ({"meeting_point": " "}, "Tour và trải nghiệm cần điểm hẹn"),
        ({"kind": "castle"}, "Vui lòng chọn loại hình."),
        ({"title": "  "}, "Vui lòng điền mục này."),
        ({"title": "x" * 161}, "Tối đa 160 ký tự."),
        ({"price": "2147483648"}, "Giá là số nguyên lớn hơn 0"),
        ({"price": "9" * 400}, "Giá là số nguyên lớn hơn 0"),
        ({"capacity": "-2147483649"}, "Sức chứa là số nguyên từ 1 đến 1.000."),
        ({"max_guests": str(10**20)}, "Số khách tối đa là số nguyên từ 1 đến 200."),
        ({"late_cancel_fee_percent": "1" * 10_000}, "Phí hủy muộn là số nguyên từ 0 đến 100"),
        ({"latitude": "105.47", "longitude": "9.78"}, "Vĩ độ là số độ trong khoảng 8 đến 23,5"),
        ({"latitude": "9.78", "longitude": "-105"}, "Kinh độ là số độ trong khoảng 102 đến 118"),
        ({"latitude": "bắc", "longitude": "105.47"}, "Vĩ độ là số độ trong khoảng 8 đến 23,5"),
        ({"latitude": "9" * 40, "longitude": "105.47"}, "Vĩ độ là số độ trong khoảng 8 đến 23,5"),
        ({"latitude": "nan", "longitude": "inf"}, "Vĩ độ là số độ trong khoảng 8 đến 23,5"),
        ({"latitude": "9.78"}, "Điền cả vĩ độ và kinh độ, hoặc để trống cả hai."),
        ({"longitude": "105.47"}, "Điền cả vĩ độ và kinh độ, hoặc để trống cả hai."),
        ({"contact_phone": "12345"}, "Số điện thoại"),
        ({"zalo_phone": "02933851234"}, "Zalo"),
        ({"address": "x" * 256}, "Tối đa 255 ký tự."),
        ({"kind": "homestay", "check_in_time": "14h"}, "Giờ không hợp lệ, ví dụ 07:30."),
    ],
)
def test_bad_input_is_explained_in_vietnamese(signed_in, db, changes, message):
    response = signed_in.post("/dashboard/tourism/new", data=listing_form(**changes))
    assert response.status_code == 200
    page = text(response)
    assert message in page and "Vui lòng sửa các mục được đánh dấu" in page
    assert db.session.scalar(select(func.count(Listing.id))) == 0


def new_listing_form(client) -> dict:
    """The new-listing form as the page gives it (its one-time token), filled in."""
    page = text(client.get("/dashboard/tourism/new"))
    token = re.search(r'id="form_token" name="form_token" type="hidden" value="([^"]+)"', page)
    assert token, "no form_token on the new-listing form"
    return listing_form(form_token=token.group(1))


def test_the_new_listing_form_posted_twice_is_one_listing(signed_in, db):
    data = new_listing_form(signed_in)
    first = signed_in.post("/dashboard/tourism/new", data=data)
    again = signed_in.post("/dashboard/tourism/new", data=data)  # a double click, a resend
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    listing = db.session.scalar(select(Listing))
    assert first.headers["Location"] == f"/dashboard/tourism/{listing.id}"
    assert db.session.scalar(select(func.count(Listing.id))) == 1
    # A new form (a new token) is a new listing, with a slug of its own.
    assert signed_in.post("/dashboard/tourism/new", data=new_listing_form(signed_in)).status_code
    slugs = db.session.scalars(select(Listing.slug).order_by(Listing.id)).all()
    assert slugs == ["tour-xuong-ba-la-kenh-xa-no", "tour-xuong-ba-la-kenh-xa-no-2"]


def test_the_new_listing_form_posted_twice_at_once_is_one_listing(app, signed_in, db):
    data = new_listing_form(signed_in)
    cookie = signed_in.get_cookie(app.config["SESSION_COOKIE_NAME"]).value

    def post():
        client = app.test_client()
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        response = client.post("/dashboard/tourism/new", data=data)
        return response.headers.get("Location", response.status_code)

    answers = at_once(app, post, post, post)
    db.session.rollback()
    listing = db.session.scalar(select(Listing))
    assert answers == [f"/dashboard/tourism/{listing.id}"] * 3, answers
    assert db.session.scalar(select(func.count(Listing.id))) == 1


@pytest.mark.parametrize("token", ["", "kurz", "t" * 500])
def test_a_new_listing_token_that_is_not_ours_still_makes_the_listing(signed_in, db, token):
    response = signed_in.post("/dashboard/tourism/new", data=listing_form(form_token=token))
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Listing.id))) == 1


def test_a_slug_taken_meanwhile_is_no_error_but_the_next_one(db, mine, trip, monkeypatch):
    """Another listing of the same name committed between our reading the free slugs and our
    writing (PostgreSQL: our insert waited for it): the next free slug is taken."""
    from core.accounts import unique_slug

    stale = iter(["tour-hoa-tien"])  # what was free when we looked; trip has it now
    monkeypatch.setattr(
        hosting, "unique_slug", lambda model, title: next(stale, None) or unique_slug(model, title)
    )
    fields = {
        "kind": "tour", "title": "Tour Hỏa Tiến", "price": 100_000, "capacity": 5,
        "max_guests": 5, "start_time": time(8, 0), "meeting_point": "Bến",
    }  # fmt: skip
    made = hosting.create_listing(mine.id, **fields)
    db.session.rollback()
    assert db.session.get(Listing, made.id).slug == "tour-hoa-tien-2"
    assert db.session.scalar(select(func.count(Listing.id))) == 2


def test_edit_with_a_bad_price_keeps_what_was_typed_and_saves_nothing(signed_in, db, trip):
    page = text(signed_in.get(f"/dashboard/tourism/{trip.id}/edit"))
    assert 'value="150.000"' in page and 'value="07:00"' in page
    data = listing_form(title="Tour mới đổi tên", price="mười ngàn", capacity="12")
    response = signed_in.post(f"/dashboard/tourism/{trip.id}/edit", data=data)
    assert response.status_code == 200
    page = text(response)
    assert "Giá là số nguyên lớn hơn 0" in page
    assert 'value="Tour mới đổi tên"' in page and 'value="mười ngàn"' in page
    assert 'value="12"' in page and "Chèo xuồng dọc kênh" in page
    db.session.refresh(trip)
    assert (trip.title, trip.price, trip.capacity) == ("Tour vườn khóm Hỏa Tiến", 150_000, 10)


def test_edit_saves(signed_in, db, trip):
    data = listing_form(title="Tour vườn khóm (mới)", price="175000", instant_booking="y")
    response = signed_in.post(f"/dashboard/tourism/{trip.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(trip)
    assert (trip.title, trip.price, trip.instant_booking) == ("Tour vườn khóm (mới)", 175_000, True)
    assert trip.slug == "tour-hoa-tien"  # links already shared keep working


def test_the_practical_information_is_saved_normalised_and_shown_back(signed_in, db, stay):
    """The block "Thông tin cho khách": address, coordinates (a comma or a point), phones as
    stored (core.text.normalise_phone), a stay's own times, directions in both languages."""
    page = text(signed_in.get(f"/dashboard/tourism/{stay.id}/edit"))
    assert "Thông tin cho khách" in page
    assert 'value="14:00"' in page and 'value="12:00"' in page  # the usual times proposed
    data = listing_form(
        kind="homestay", title="Homestay Hỏa Tiến", start_time="", meeting_point="",
        address="Ấp Thạnh Thắng, xã Hỏa Tiến, TP Vị Thanh, Hậu Giang",
        latitude="9,7768", longitude=" 105.4671 ", contact_phone="+84 293 3851 234",
        zalo_phone="0912.345.678", check_in_time="15:30", check_out_time="10:00",
        directions="Qua nhà văn hóa 500 m.", directions_en="500 m past the community hall.",
    )  # fmt: skip
    assert signed_in.post(f"/dashboard/tourism/{stay.id}/edit", data=data).status_code == 302
    db.session.refresh(stay)
    assert (stay.latitude, stay.longitude) == (9.7768, 105.4671)
    assert (stay.contact_phone, stay.zalo_phone) == ("02933851234", "0912345678")
    assert (stay.check_in_time, stay.check_out_time) == (time(15, 30), time(10, 0))
    assert stay.directions_en == "500 m past the community hall."
    page = text(signed_in.get(f"/dashboard/tourism/{stay.id}/edit"))
    assert 'value="9.7768"' in page and 'value="15:30"' in page and 'value="0912345678"' in page


def test_a_bad_coordinate_keeps_what_was_typed(signed_in, db, trip):
    data = listing_form(latitude="19,78", longitude="95.47", address="Bến xuồng Vị Thanh")
    response = signed_in.post(f"/dashboard/tourism/{trip.id}/edit", data=data)
    assert response.status_code == 200
    page = text(response)
    assert 'value="19,78"' in page and 'value="95.47"' in page
    assert "Kinh độ là số độ trong khoảng 102 đến 118" in page
    db.session.refresh(trip)
    assert (trip.latitude, trip.longitude, trip.address) == (None, None, "")


def test_kind_stays_while_bookings_are_to_come(signed_in, db, stay, today):
    arrive = today + timedelta(days=5)
    booking = book(stay, arrive, arrive + timedelta(days=2), today=today)
    data = listing_form(kind="tour", title="Homestay Hỏa Tiến")
    page = text(signed_in.post(f"/dashboard/tourism/{stay.id}/edit", data=data))
    assert "chưa đổi được loại hình" in page
    db.session.refresh(stay)
    assert stay.kind == "homestay"
    bookings.change_booking_status(booking.id, "declined", actor_id=None, today=today)
    assert signed_in.post(f"/dashboard/tourism/{stay.id}/edit", data=data).status_code == 302
    db.session.refresh(stay)
    assert stay.kind == "tour"


# --- calendar, capacity, closed days -------------------------------------------------------


def test_listing_page_shows_calendar_forms_and_its_bookings(signed_in, db, trip, today):
    day = today + timedelta(days=1)
    booking = book(trip, day, guests=3, today=today)
    page = text(signed_in.get(f"/dashboard/tourism/{trip.id}?month={day:%Y-%m}"))
    assert 'id="host-calendar"' in page and "3/10" in page
    assert 'name="cap-capacity"' in page and 'name="close-action"' in page
    assert booking.code in page and "Anna Schmidt" in page and "+4915123456789" in page


def test_calendar_moves_between_months_with_htmx(signed_in, trip, today):
    following = today.replace(day=1) + timedelta(days=40)
    url = f"/dashboard/tourism/{trip.id}?month={following:%Y-%m}"
    fragment = text(signed_in.get(url, headers={"HX-Request": "true"}))
    assert fragment.startswith('<section id="host-calendar"') and "<html" not in fragment
    assert "0/10" in fragment
    full = text(signed_in.get(url))
    assert full.lstrip().lower().startswith("<!doctype html>")
    assert signed_in.get(f"/dashboard/tourism/{trip.id}?month=9999-99").status_code == 200


def test_set_capacity_through_the_page(signed_in, db, trip, today):
    first = today + timedelta(days=3)
    response = signed_in.post(
        f"/dashboard/tourism/{trip.id}/capacity",
        data={
            "cap-first": first.isoformat(),
            "cap-last": (first + timedelta(days=2)).isoformat(),
            "cap-capacity": "4",
        },  # fmt: skip
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/dashboard/tourism/{trip.id}?month={first:%Y-%m}"
    assert "Đã đặt sức chứa 4" in text(signed_in.get(response.headers["Location"]))
    db.session.rollback()
    assert free_units(trip, [first, first + timedelta(days=2)], today) == 4
    assert free_units(trip, [first + timedelta(days=3)], today) == 10


def test_capacity_below_what_is_booked_is_refused_with_the_day_and_count(
    signed_in, db, trip, today
):
    day = today + timedelta(days=4)
    book(trip, day, guests=5, today=today)
    response = signed_in.post(
        f"/dashboard/tourism/{trip.id}/capacity",
        data={
            "cap-first": (day - timedelta(days=1)).isoformat(),
            "cap-last": day.isoformat(),
            "cap-capacity": "3",
        },  # fmt: skip
    )
    assert response.status_code == 200
    page = text(response)
    assert f"ngày {day:%d/%m/%Y} đã có 5 chỗ được đặt" in page
    assert f'value="{day.isoformat()}"' in page and 'value="3"' in page  # the form keeps it
    db.session.rollback()
    assert free_units(trip, [day], today) == 5
    assert free_units(trip, [day - timedelta(days=1)], today) == 10


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"cap-first": 14, "cap-last": 10, "cap-capacity": "3"},
         "Ngày cuối phải bằng hoặc sau ngày đầu"),
        ({"cap-first": 10, "cap-last": 400, "cap-capacity": "3"}, "mỗi lần tối đa 366 ngày"),
        ({"cap-first": "hôm qua", "cap-last": 10, "cap-capacity": "3"}, "Ngày không hợp lệ."),
        ({"cap-first": 10, "cap-last": 10, "cap-capacity": "-1"},
         "Sức chứa là số nguyên từ 0 đến 1.000."),
        ({"cap-first": 10, "cap-last": 10, "cap-capacity": "9" * 40},
         "Sức chứa là số nguyên từ 0 đến 1.000."),
        ({"cap-first": "", "cap-last": 10, "cap-capacity": "3"}, "Vui lòng điền mục này."),
        ({"cap-first": "9999-12-31", "cap-last": "9999-12-31", "cap-capacity": "3"},
         "Vui lòng chọn ngày từ"),
        ({"cap-first": 10, "cap-last": 1000, "cap-capacity": "3"}, "Vui lòng chọn ngày từ"),
    ],
)  # fmt: skip
def test_bad_capacity_input_is_explained(signed_in, db, trip, today, data, message):
    """Days are given as days from today where they are numbers."""
    data = {
        name: (today + timedelta(days=value)).isoformat() if isinstance(value, int) else value
        for name, value in data.items()
    }
    response = signed_in.post(f"/dashboard/tourism/{trip.id}/capacity", data=data)
    assert response.status_code == 200
    page = text(response)
    assert message in page
    for typed in data.values():  # the form keeps what was typed
        assert f'value="{typed}"' in page
    assert db.session.scalar(select(func.count(Slot.id))) == 0


def test_close_and_reopen_days_through_the_page(signed_in, db, trip, today):
    first = today + timedelta(days=6)
    last = first + timedelta(days=1)
    response = signed_in.post(
        f"/dashboard/tourism/{trip.id}/closed",
        data={
            "close-first": first.isoformat(),
            "close-last": last.isoformat(),
            "close-action": "close",
        },  # fmt: skip
    )
    assert response.status_code == 302
    db.session.rollback()
    assert free_units(trip, [first], today) == 0 and free_units(trip, [last], today) == 0
    assert free_units(trip, [last + timedelta(days=1)], today) == 10
    with pytest.raises(bookings.DatesUnavailable):
        book(trip, first, guests=1, today=today)
    page = text(signed_in.get(response.headers["Location"]))
    assert "Đã đóng các ngày" in page and "host-day-closed" in page

    response = signed_in.post(
        f"/dashboard/tourism/{trip.id}/closed",
        data={
            "close-first": first.isoformat(),
            "close-last": first.isoformat(),
            "close-action": "open",
        },  # fmt: skip
    )
    assert response.status_code == 302
    db.session.rollback()
    assert free_units(trip, [first], today) == 10 and free_units(trip, [last], today) == 0


def test_closing_needs_a_known_action(signed_in, db, trip, today):
    response = signed_in.post(
        f"/dashboard/tourism/{trip.id}/closed",
        data={
            "close-first": today.isoformat(),
            "close-last": today.isoformat(),
            "close-action": "explode",
        },  # fmt: skip
    )
    assert response.status_code == 200 and "Vui lòng chọn đóng hoặc mở." in text(response)
    assert db.session.scalar(select(func.count(Slot.id))) == 0


# --- bookings and their statuses -----------------------------------------------------------


def move(client, booking, to, **extra):
    return client.post(f"/dashboard/tourism/bookings/{booking.id}/status", data={"to": to, **extra})


def test_confirm_then_complete_through_the_page(signed_in, db, owner, stay, today):
    arrive = today + timedelta(days=3)
    booking = book(stay, arrive, arrive + timedelta(days=2), guests=3, today=today)
    response = move(signed_in, booking, "confirmed", next="/dashboard/tourism")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/dashboard/tourism#booking-{booking.id}"
    page = text(signed_in.get("/dashboard/tourism"))
    assert f"Đặt chỗ {booking.code}: “Chờ chủ nhà xác nhận” → “Đã xác nhận”." in page
    assert booking_of(db, booking.id).status == "confirmed"
    assert taken(db, stay.id, arrive) == 2  # confirming keeps the two rooms
    assert move(signed_in, booking, "completed").status_code == 302
    done = booking_of(db, booking.id)
    assert done.status == "completed"
    assert [(e.from_status, e.to_status, e.actor_id) for e in done.events] == [
        (None, "requested", None),
        ("requested", "confirmed", owner.id),
        ("confirmed", "completed", owner.id),
    ]
    assert taken(db, stay.id, arrive) == 2


def test_decline_gives_the_rooms_back(signed_in, db, stay, today):
    arrive = today + timedelta(days=3)
    booking = book(stay, arrive, arrive + timedelta(days=2), guests=4, today=today)
    assert taken(db, stay.id, arrive + timedelta(days=1)) == 2
    assert move(signed_in, booking, "declined").status_code == 302
    assert booking_of(db, booking.id).status == "declined"
    assert taken(db, stay.id, arrive) == 0 and taken(db, stay.id, arrive + timedelta(days=1)) == 0


def test_cancel_needs_a_reason_and_gives_the_seats_back(signed_in, db, trip, today):
    day = today + timedelta(days=10)
    booking = book(trip, day, guests=4, today=today)
    bookings.change_booking_status(booking.id, "confirmed", actor_id=None, today=today)
    response = move(signed_in, booking, "cancelled", note="  ")
    assert "Vui lòng ghi lý do hủy" in text(signed_in.get(response.headers["Location"]))
    assert booking_of(db, booking.id).status == "confirmed" and taken(db, trip.id, day) == 4
    assert (
        move(signed_in, booking, "cancelled", note="Nước lên, kênh không đi được").status_code
        == 302
    )
    cancelled = booking_of(db, booking.id)
    assert (cancelled.status, cancelled.cancel_fee) == ("cancelled", 0)
    assert cancelled.events[-1].note == "Nước lên, kênh không đi được"
    assert taken(db, trip.id, day) == 0
    page = text(signed_in.get("/dashboard/tourism/bookings?status=cancelled"))
    assert booking.code in page


def test_a_move_pressed_twice_is_one_move_with_a_clear_message(signed_in, db, stay, today):
    arrive = today + timedelta(days=4)
    booking = book(stay, arrive, arrive + timedelta(days=1), guests=2, today=today)
    assert move(signed_in, booking, "confirmed").status_code == 302
    response = move(signed_in, booking, "confirmed", next="/dashboard/tourism")
    assert response.status_code == 302
    page = text(signed_in.get(response.headers["Location"]))
    assert f"Đặt chỗ {booking.code} đã ở trạng thái “Đã xác nhận”" in page
    again = booking_of(db, booking.id)
    assert [e.to_status for e in again.events] == ["requested", "confirmed"]
    # Declining twice gives the rooms back once.
    other = book(stay, arrive, arrive + timedelta(days=1), guests=2, today=today)
    for _ in range(2):
        assert move(signed_in, other, "declined").status_code == 302
    assert [e.to_status for e in booking_of(db, other.id).events] == ["requested", "declined"]
    assert taken(db, stay.id, arrive) == 1


def test_a_move_made_already_is_already_moved(db, stay, today):
    arrive = today + timedelta(days=4)
    booking = book(stay, arrive, arrive + timedelta(days=1), guests=2, today=today)
    bookings.change_booking_status(booking.id, "declined", actor_id=None, today=today)
    with pytest.raises(bookings.AlreadyMoved) as raised:
        bookings.change_booking_status(booking.id, "declined", actor_id=None, today=today)
    assert raised.value.status == "declined"
    assert db.session.scalar(select(func.count(BookingEvent.id))) == 2


def test_an_illegal_move_is_refused_and_changes_nothing(signed_in, db, trip, today):
    day = today + timedelta(days=5)
    booking = book(trip, day, guests=2, today=today)
    response = move(signed_in, booking, "completed", next="/dashboard/tourism/bookings")
    page = text(signed_in.get(response.headers["Location"]))
    assert (
        f"Không thể chuyển đặt chỗ {booking.code} từ “Chờ chủ nhà xác nhận” sang “Đã hoàn thành”"
        in page
    )
    move(signed_in, booking, "requested")
    move(signed_in, booking, "nonsense")
    again = booking_of(db, booking.id)
    assert again.status == "requested" and len(again.events) == 1
    assert taken(db, trip.id, day) == 2


def test_a_finished_booking_offers_no_buttons(signed_in, db, trip, today):
    booking = book(trip, today + timedelta(days=5), guests=2, today=today)
    bookings.change_booking_status(booking.id, "declined", actor_id=None, today=today)
    page = text(signed_in.get("/dashboard/tourism/bookings"))
    row = page.split(f'id="booking-{booking.id}"')[1].split("</li>")[0]
    assert "Chủ nhà từ chối" in row and 'name="to"' not in row


def test_status_change_with_htmx_answers_the_row_with_the_message(signed_in, db, trip, today):
    booking = book(trip, today + timedelta(days=5), guests=2, today=today)
    response = signed_in.post(
        f"/dashboard/tourism/bookings/{booking.id}/status",
        data={"to": "confirmed", "show_listing": "1", "next": "/dashboard/tourism"},
        headers={"HX-Request": "true"},
    )
    fragment = text(response)
    assert fragment.startswith(
        f'<li class="card host-booking host-booking-confirmed" id="booking-{booking.id}"'
    )
    assert "“Đã xác nhận”." in fragment and "Tour vườn khóm Hỏa Tiến" in fragment
    assert 'value="completed"' in fragment and 'value="confirmed"' not in fragment
    # The message went into the row, not into the next page.
    assert "→" not in text(signed_in.get("/dashboard/tourism"))
    refused = text(signed_in.post(
        f"/dashboard/tourism/bookings/{booking.id}/status", data={"to": "declined"},
        headers={"HX-Request": "true"},
    ))  # fmt: skip
    assert "Không thể chuyển đặt chỗ" in refused and "host-message-error" in refused


def test_busy_database_gives_a_try_again_message(signed_in, db, trip, today, monkeypatch):
    booking = book(trip, today + timedelta(days=5), guests=2, today=today)

    def busy(*_args, **_kwargs):
        raise TryAgain()

    monkeypatch.setattr("tourism.bookings.change_booking_status", busy)
    response = move(signed_in, booking, "confirmed")
    assert "Hệ thống đang bận" in text(signed_in.get(response.headers["Location"]))
    assert booking_of(db, booking.id).status == "requested"


def test_redirect_back_only_to_our_own_pages(signed_in, db, trip, today):
    booking = book(trip, today + timedelta(days=5), guests=2, today=today)
    for target in ("https://evil.example/", "//evil.example/dashboard/tourism", "/account"):
        response = move(signed_in, booking, "nonsense", next=target)
        assert response.headers["Location"] == f"/dashboard/tourism/bookings#booking-{booking.id}"


def test_bookings_page_filters_by_status(signed_in, db, stay, trip, tour, today):
    first = book(stay, today + timedelta(days=3), today + timedelta(days=4), today=today)
    second = book(trip, today + timedelta(days=3), guests=1, today=today)
    bookings.change_booking_status(second.id, "confirmed", actor_id=None, today=today)
    theirs = book(tour, today + timedelta(days=3), guests=1, today=today)
    page = text(signed_in.get("/dashboard/tourism/bookings"))
    assert first.code in page and second.code in page and theirs.code not in page
    assert "Anna Schmidt" in page and "anna@example.de" in page and "Germany" in page
    page = text(signed_in.get("/dashboard/tourism/bookings?status=confirmed"))
    assert second.code in page and first.code not in page
    page = text(signed_in.get("/dashboard/tourism/bookings?status=<script>"))
    assert first.code in page and second.code in page and "<script>" not in page


# --- the rules added to tourism.hosting ----------------------------------------------------


def test_host_moves_follow_the_transitions_and_the_start_day(db, trip, today):
    booking = book(trip, today + timedelta(days=1), guests=1, today=today)
    assert hosting.host_moves(booking, today) == ("confirmed", "declined", "cancelled")
    assert hosting.host_moves(booking, today + timedelta(days=2)) == ("confirmed", "declined")
    bookings.change_booking_status(booking.id, "confirmed", actor_id=None, today=today)
    assert hosting.host_moves(booking, today) == ("completed", "cancelled")
    bookings.change_booking_status(booking.id, "completed", actor_id=None, today=today)
    assert hosting.host_moves(booking, today) == ()


def test_host_note():
    assert hosting.host_note("confirmed", None) == ""
    assert hosting.host_note("cancelled", "  Mưa bão ") == "Mưa bão"
    assert len(hosting.host_note("cancelled", "x" * 500)) == hosting.HOST_NOTE_LENGTH
    with pytest.raises(hosting.ReasonRequired):
        hosting.host_note("cancelled", " ")


def test_check_kind_change(db, stay, today):
    hosting.check_kind_change(None, "tour")
    hosting.check_kind_change(stay, "tour")  # no bookings yet
    booking = book(stay, today + timedelta(days=2), today + timedelta(days=3), today=today)
    hosting.check_kind_change(stay, "homestay")
    with pytest.raises(hosting.KindLocked):
        hosting.check_kind_change(stay, "tour")
    bookings.change_booking_status(booking.id, "cancelled", actor_id=None, today=today)
    hosting.check_kind_change(stay, "tour")


# --- the owner check on every route --------------------------------------------------------

LISTING_ROUTES = [
    ("get", "/dashboard/tourism/{listing}"),
    ("get", "/dashboard/tourism/{listing}/edit"),
    ("post", "/dashboard/tourism/{listing}/edit"),
    ("post", "/dashboard/tourism/{listing}/capacity"),
    ("post", "/dashboard/tourism/{listing}/closed"),
    # its photos (tests/test_listing_photos.py checks nothing of theirs changed)
    ("get", "/dashboard/tourism/{listing}/photos"),
    ("post", "/dashboard/tourism/{listing}/photos"),
    ("post", "/dashboard/tourism/{listing}/photos/{photo}/move"),
    ("post", "/dashboard/tourism/{listing}/photos/{photo}/cover"),
    ("post", "/dashboard/tourism/{listing}/photos/{photo}/delete"),
    ("post", "/dashboard/tourism/{listing}/photos/{photo}/alt"),
]
BOOKING_ROUTES = [
    ("get", "/dashboard/tourism/bookings/{booking}"),
    ("post", "/dashboard/tourism/bookings/{booking}/status"),
    ("post", "/dashboard/tourism/bookings/{booking}/refund"),
    # a guest's review of the booking: the one reply is the host's own
    ("post", "/dashboard/tourism/reviews/{review}/reply"),
]


@pytest.fixture()
def theirs(db, homestay, today):
    booking = book(homestay, today + timedelta(days=5), today + timedelta(days=6), today=today)
    photo = ListingImage(listing_id=homestay.id, path="img/tourism/homestay.svg", alt="Nhà")
    db.session.add(photo)
    review = ListingReview(
        booking_id=booking.id, listing_id=homestay.id, author_name="Schmidt A.", stars=5
    )
    db.session.add(review)
    db.session.commit()
    return {
        "listing": homestay.id, "booking": booking.id, "photo": photo.id, "review": review.id
    }  # fmt: skip


@pytest.mark.parametrize(("method", "url"), LISTING_ROUTES + BOOKING_ROUTES)
@pytest.mark.parametrize("htmx", [False, True])
def test_another_hosts_listing_and_booking_are_not_found(
    signed_in, db, trip, theirs, today, method, url, htmx
):
    data = {
        **listing_form(title="Đã bị đổi"),
        "cap-first": today.isoformat(),
        "cap-last": (today + timedelta(days=9)).isoformat(),
        "cap-capacity": "0",
        "close-first": today.isoformat(),
        "close-last": (today + timedelta(days=9)).isoformat(),
        "close-action": "close",
        "to": "declined",
        "note": "thử",
        "reply": "Cảm ơn",
    }
    kwargs = {"data": data} if method == "post" else {}
    headers = {"HX-Request": "true"} if htmx else {}
    response = getattr(signed_in, method)(url.format(**theirs), headers=headers, **kwargs)
    assert response.status_code == 404

    db.session.rollback()
    listing = db.session.get(Listing, theirs["listing"])
    booking = db.session.get(Booking, theirs["booking"])
    assert (listing.title, listing.price, listing.kind) == (
        "Homestay Mương Đình",
        500_000,
        "homestay",
    )
    assert booking.status == "requested"
    assert db.session.scalar(select(func.count(BookingEvent.id))) == 1
    slots = db.session.scalars(select(Slot).where(Slot.listing_id == listing.id)).all()
    assert [(s.capacity, s.taken, s.closed) for s in slots] == [(2, 1, False)]
    assert [(i.id, i.alt) for i in listing.images] == [(theirs["photo"], "Nhà")]
    assert db.session.get(ListingReview, theirs["review"]).reply == ""


def test_ids_that_do_not_exist_are_not_found(signed_in):
    assert signed_in.get("/dashboard/tourism/999999").status_code == 404
    assert (
        signed_in.post(
            "/dashboard/tourism/bookings/999999/status", data={"to": "confirmed"}
        ).status_code
        == 404
    )


def test_every_host_route_with_an_id_is_in_the_owner_check(app):
    """A new tourism host route taking an id must be added to the lists above."""
    listed = {(method.upper(), url) for method, url in LISTING_ROUTES + BOOKING_ROUTES}
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("tourism_host.") and rule.arguments:
            url = re.sub(r"<(?:int:)?(\w+)_id>", r"{\1}", rule.rule)
            found |= {(method, url) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert found == listed
