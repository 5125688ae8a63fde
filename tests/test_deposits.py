"""Booking deposits: the host's terms, a booking held while its deposit is awaited, the bank's
notice confirming it with no click, the release job giving unpaid holds back once (also
against a transfer at the same moment), refunds when a paid booking is cancelled or money
comes too late, and the host recording a refund."""

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.db import write_transaction
from core.extensions import db as _db
from core.models import utcnow
from payments.matching import BankLine, take_in
from payments.models import BankTransaction, Refund
from payments.references import reference_for
from payments.refunds import RefundError, record_refund, refunds_of
from tests.concurrency import at_once
from tests.test_notifications_events import messages
from tests.test_tourism import form_data
from tests.test_tourism_host import listing_form, login, text
from tests.tourism_fixtures import book, taken
from tourism import bookings, deposits, hosting
from tourism.availability import free_units
from tourism.jobs import release_unpaid_deposits
from tourism.models import Booking, BookingEvent, Listing
from tourism.payables import BookingPayable

BANK = {
    "bank_bin": "970405",
    "bank_account": "7700205123456",
    "bank_account_name": "HTX MUONG DINH",
}


@pytest.fixture()
def owner(make):
    return make.user(role="cooperative", name="Chị Út Mương Đình")


@pytest.fixture()
def banked(make, owner):
    """A host cooperative with a bank account (deposits are possible) and an owner to tell."""
    return make.cooperative("HTX Mương Đình", owner=owner, kind="household", **BANK)


@pytest.fixture()
def stay(db, banked):
    """A homestay of two rooms for one guest each at 500,000 a night, asking 30 % within 24
    hours: two guests for two nights take both rooms, 2,000,000, a deposit of 600,000."""
    listing = Listing(
        host=banked, kind="homestay", slug="homestay-coc", title="Homestay Mương Đình",
        district_id=banked.district_id, price=500_000, capacity=2, max_guests=1,
        free_cancel_days=3, late_cancel_fee_percent=10, deposit_kind="percent",
        deposit_value=30, deposit_hours=24,
    )  # fmt: skip
    db.session.add(listing)
    db.session.commit()
    return listing


def deposit_section(page: str) -> str:
    """The booking page's deposit part (the header has its own pictures: the cart icon)."""
    return re.search(r'<section class="deposit[" ].*?</section>', page, re.S)[0]


def stay_booking(stay, today, days=10, nights=2) -> Booking:
    arrive = today + timedelta(days=days)
    return book(stay, arrive, arrive + timedelta(days=nights), guests=2, today=today)


def bank_notice(booking, amount=None, *, text=None, external_id=None):
    """What SePay's webhook would hand payments: a credit to the host's account."""
    return take_in(
        booking.listing.host_id,
        BankLine(
            source="sepay",
            external_id=external_id or f"sepay-{booking.id}-{amount}",
            booked_at=utcnow(),
            amount=booking.deposit if amount is None else amount,
            direction="in",
            text=reference_for(booking.code) if text is None else text,
        ),
    )


def fresh(booking_id) -> Booking:
    _db.session.rollback()
    return _db.session.get(Booking, booking_id, populate_existing=True)


def move_the_clock(booking_id, hours=1) -> None:
    """The deadline passed: pay_by is put in the past."""
    with write_transaction():
        _db.session.get(Booking, booking_id).pay_by = utcnow() - timedelta(hours=hours)


def refunds(booking_id) -> list[tuple[int, str, str]]:
    _db.session.rollback()
    return [(r.amount, r.reason, r.status) for r in refunds_of("booking", [booking_id])]


def nights_taken(db, booking) -> list[int]:
    return [taken(db, booking.listing_id, booking.check_in + timedelta(days=n)) for n in range(2)]


# --- the terms ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "total", "expected"),
    [
        ("none", 0, 1_000_000, 0),
        ("percent", 30, 1_000_000, 300_000),
        ("percent", 30, 1_234_567, 371_000),  # 370,370.1 rounded up to whole thousands
        ("percent", 1, 50_000, 1_000),
        ("percent", 100, 1_234_567, 1_234_567),  # rounded up, but never above the total
        ("fixed", 200_000, 1_000_000, 200_000),
        ("fixed", 2_000_000, 1_000_000, 1_000_000),  # capped at the total
    ],
)
def test_the_deposit_of_a_total(stay, kind, value, total, expected):
    stay.deposit_kind, stay.deposit_value = kind, value
    assert deposits.deposit_amount(stay, total) == expected


def test_no_bank_account_no_deposit(db, stay):
    stay.host.bank_account = None
    assert deposits.deposit_amount(stay, 1_000_000) == 0


def test_the_deadline_is_the_hours_but_never_after_the_check_in_day_starts(stay, today):
    now = datetime(2026, 12, 1, 3, 0)  # 10:00 in Vietnam
    far = now.date() + timedelta(days=10)
    assert deposits.deposit_terms(stay, 1_000_000, far, now) == (300_000, now + timedelta(hours=24))
    tomorrow = now.date() + timedelta(days=1)  # starts at 17:00 UTC today: 14 hours away
    assert deposits.deposit_terms(stay, 1_000_000, tomorrow, now) == (
        300_000,
        datetime(2026, 12, 1, 17, 0),
    )
    late = datetime(2026, 12, 1, 16, 30)  # 23:30 in Vietnam: half an hour to pay is too little
    assert deposits.deposit_terms(stay, 1_000_000, tomorrow, late) == (0, None)


@pytest.mark.parametrize(
    ("paid", "owed_back", "fee", "refund"),
    [(300_000, 0, 100_000, 200_000), (300_000, 0, 500_000, 0), (300_000, 50_000, 0, 250_000),
     (0, 0, 100_000, 0), (300_000, 300_000, 0, 0)],
)  # fmt: skip
def test_what_a_cancellation_refunds(paid, owed_back, fee, refund):
    assert deposits.cancel_refund(paid, owed_back, fee) == refund


# --- booking, paying --------------------------------------------------------------------------


def test_a_booking_awaits_its_deposit_with_its_nights_held(db, stay, today):
    booking = stay_booking(stay, today)
    assert (booking.status, booking.total, booking.deposit) == (
        "awaiting_deposit",
        2_000_000,
        600_000,
    )
    assert booking.pay_by == booking.created_at + timedelta(hours=24)
    assert nights_taken(db, booking) == [2, 2]
    assert free_units(stay, [booking.check_in], today) == 0


def test_a_listing_without_deposit_books_as_before(db, stay, today):
    stay.deposit_kind = "none"
    db.session.commit()
    booking = stay_booking(stay, today)
    assert (booking.status, booking.deposit, booking.pay_by) == ("requested", 0, None)


def test_the_booking_form_leads_to_the_deposit_and_its_mail(client, db, stay, today):
    arrive = today + timedelta(days=10)
    page = client.get(f"/tourism/{stay.slug}").get_data(as_text=True)
    assert "Giữ chỗ và đặt cọc" in page and "30% tổng tiền" in page
    quote = client.get(
        f"/tourism/{stay.slug}/quote?check_in={arrive}&check_out={arrive + timedelta(days=2)}"
        "&guests=2"
    ).get_data(as_text=True)
    assert "Đặt cọc 600.000" in quote
    data = form_data(
        client, f"/tourism/{stay.slug}", check_in=arrive.isoformat(),
        check_out=(arrive + timedelta(days=2)).isoformat(), guests="2",
    )  # fmt: skip
    response = client.post(f"/tourism/{stay.slug}/book", data=data)
    assert response.status_code == 302
    booking = db.session.scalar(select(Booking))
    (mail,) = messages("booking.awaiting_deposit")
    assert mail.address == "anna@example.de"
    for shown in ("Agribank", "7700205123456", "HTX MUONG DINH", "600.000",
                  reference_for(booking.code), "Hạn chuyển"):  # fmt: skip
        assert shown in mail.text, shown
    (to_host,) = messages("booking.new")
    assert "600.000" in to_host.text and "tự động" in to_host.text

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã giữ chỗ" in page and "Chờ đặt cọc" in page
    assert "<svg" in deposit_section(page) and reference_for(booking.code) in page  # its QR
    assert re.search(r"Số tiền</dt><dd><strong>600\.000\s₫", page)
    assert 'hx-trigger="every 4s"' in page


def test_the_deposit_part_is_asked_again_until_the_booking_moves_on(client, db, stay, today):
    booking = stay_booking(stay, today)
    url = f"/bookings/{booking.code}/deposit?token={booking.access_token}"
    waiting = client.get(url, headers={"HX-Request": "true"})
    assert waiting.status_code == 200 and "HX-Refresh" not in waiting.headers
    assert 'hx-trigger="every 4s"' in waiting.get_data(as_text=True)
    assert "Thêm vào lịch" in client.get(url).get_data(as_text=True)  # without htmx: the page
    bank_notice(booking)
    paid = client.get(url, headers={"HX-Request": "true"})
    assert paid.headers["HX-Refresh"] == "true"
    assert "every 4s" not in paid.get_data(as_text=True)
    other = client.get(f"/bookings/{booking.code}/deposit?token=wrong")
    assert other.status_code == 404


def test_a_bank_notice_confirms_it_and_tells_the_guest_and_the_host(client, db, stay, owner, today):
    booking = stay_booking(stay, today)
    transaction = bank_notice(booking)
    assert transaction.status == "matched"
    booking = fresh(booking.id)
    assert (booking.status, booking.paid_amount) == ("confirmed", 600_000)
    assert [(e.from_status, e.to_status, e.actor_id) for e in booking.events] == [
        (None, "awaiting_deposit", None),
        ("awaiting_deposit", "confirmed", None),
    ]
    assert nights_taken(db, booking) == [2, 2]
    assert refunds(booking.id) == []
    (to_guest,) = messages("booking.deposit_paid")
    assert to_guest.address == "anna@example.de" and "600.000" in to_guest.text
    assert "1.400.000" in to_guest.text  # the rest, paid on arrival
    (to_host,) = messages("booking.deposit_paid_host")
    assert to_host.user_id == owner.id and booking.code in to_host.text
    page = client.get(f"/bookings/{booking.code}?token={booking.access_token}")
    page = page.get_data(as_text=True)
    assert "Đã nhận 600.000" in page and "every 4s" not in page
    assert "<svg" not in deposit_section(page)  # no QR once it is paid


def test_the_same_notice_again_changes_nothing(db, stay, today):
    booking = stay_booking(stay, today)
    bank_notice(booking, external_id="92704")
    assert bank_notice(booking, external_id="92704") is None
    assert fresh(booking.id).paid_amount == 600_000
    assert len(messages("booking.deposit_paid")) == 1


def test_a_transfer_without_reference_pays_the_one_deposit_of_that_amount(db, stay, today):
    booking = stay_booking(stay, today)
    bank_notice(booking, text="chuyen tien coc homestay")
    assert fresh(booking.id).status == "confirmed"


def test_part_paid_then_the_rest(client, db, stay, today):
    booking = stay_booking(stay, today)
    bank_notice(booking, 200_000)
    booking = fresh(booking.id)
    assert (booking.status, booking.paid_amount) == ("awaiting_deposit", 200_000)
    (told,) = messages("booking.deposit_part_paid")
    assert "400.000" in told.text
    page = client.get(f"/bookings/{booking.code}?token={booking.access_token}")
    assert re.search(r"Số tiền</dt><dd><strong>400\.000", page.get_data(as_text=True))
    bank_notice(booking, 400_000)
    assert fresh(booking.id).status == "confirmed"


def test_paid_twice_the_second_is_a_refund_due(db, stay, today):
    booking = stay_booking(stay, today)
    bank_notice(booking, external_id="first")
    bank_notice(booking, external_id="second")
    assert refunds(booking.id) == [(600_000, "paid_twice", "due")]
    assert fresh(booking.id).status == "confirmed"


def test_nobody_confirms_or_expires_an_awaiting_booking_by_hand(db, stay, today):
    booking = stay_booking(stay, today)
    for to in ("confirmed", "expired"):
        with pytest.raises(bookings.IllegalBookingMove):
            bookings.change_booking_status(booking.id, to, actor_id=None, today=today)
    assert hosting.host_moves(fresh(booking.id), today) == ("cancelled",)


# --- the release job --------------------------------------------------------------------------


def test_unpaid_past_pay_by_is_expired_once_and_its_nights_freed(db, stay, today):
    booking = stay_booking(stay, today)
    other = stay_booking(stay, today, days=20)  # its deadline is still ahead
    assert release_unpaid_deposits.call_local() == 0
    move_the_clock(booking.id)
    assert release_unpaid_deposits.call_local() == 1
    assert release_unpaid_deposits.call_local() == 0  # the job ran twice: nothing more
    booking = fresh(booking.id)
    assert booking.status == "expired"
    assert nights_taken(db, booking) == [0, 0]
    assert free_units(stay, [booking.check_in, booking.check_in + timedelta(days=1)], today) == 2
    assert fresh(other.id).status == "awaiting_deposit"
    (told,) = messages("booking.expired")
    assert told.address == "anna@example.de" and booking.code in told.text
    assert db.session.scalar(
        select(func.count(BookingEvent.id)).where(BookingEvent.to_status == "expired")
    ) == 1  # fmt: skip
    assert refunds(booking.id) == []


def test_money_after_the_release_is_a_refund_due(db, stay, today):
    booking = stay_booking(stay, today)
    move_the_clock(booking.id)
    release_unpaid_deposits.call_local()
    transaction = bank_notice(booking)
    booking = fresh(booking.id)
    assert (booking.status, booking.paid_amount) == ("expired", 600_000)
    assert refunds(booking.id) == [(600_000, "released", "due")]
    assert db.session.get(Refund, refunds_of("booking", [booking.id])[0].id).transaction_id == (
        transaction.id
    )
    assert nights_taken(db, booking) == [0, 0]  # nothing taken again
    assert messages("booking.deposit_paid") == []


def test_a_part_paid_hold_that_runs_out_owes_back_what_came(db, stay, today):
    booking = stay_booking(stay, today)
    bank_notice(booking, 200_000)
    move_the_clock(booking.id)
    release_unpaid_deposits.call_local()
    assert refunds(booking.id) == [(200_000, "released", "due")]
    (told,) = messages("booking.expired")
    assert "200.000" in told.text


def test_paid_at_the_last_second_against_the_release_job_20_times(app, db, stay, today):
    """A transfer and the release job at the same moment: either the booking is paid and
    kept, or released with the money due back; never both, never the nights given twice."""
    outcomes = []
    for run in range(20):
        booking = stay_booking(stay, today, days=5 + 2 * run)
        move_the_clock(booking.id, hours=0)  # the deadline is now
        booking_id, check_in = booking.id, booking.check_in
        line = BankLine(
            source="sepay", external_id=f"race-{run}", booked_at=utcnow(),
            amount=booking.deposit, direction="in", text=reference_for(booking.code),
        )  # fmt: skip
        results = at_once(
            app,
            lambda line=line, payee=stay.host_id: take_in(payee, line),
            lambda: bookings.release_unpaid_deposits(utcnow()),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        booking = fresh(booking_id)
        held = [taken(db, stay.id, check_in + timedelta(days=n)) for n in range(2)]
        due = refunds(booking_id)
        if booking.status == "confirmed":
            assert held == [2, 2] and due == [], (run, held, due)
        else:
            assert booking.status == "expired", run
            assert held == [0, 0] and due == [(600_000, "released", "due")], (run, held, due)
        assert booking.paid_amount == 600_000
        outcomes.append(booking.status)
    assert set(outcomes) <= {"confirmed", "expired"}
    assert db.session.scalar(select(func.count(BankTransaction.id))) == 20


def test_two_workers_releasing_at_the_same_moment_release_once(app, db, stay, today):
    booking = stay_booking(stay, today)
    move_the_clock(booking.id)
    results = at_once(app, *[lambda: bookings.release_unpaid_deposits(utcnow())] * 2)
    assert sorted(results) == [0, 1], results
    assert nights_taken(db, fresh(booking.id)) == [0, 0]
    assert len(messages("booking.expired")) == 1


# --- cancelling, refunding ----------------------------------------------------------------


def test_cancelling_while_awaiting_the_deposit_is_free(db, stay, today):
    # Two days before: inside the late period, and a deposit is asked whatever the hour.
    booking = stay_booking(stay, today, days=2)
    cancelled = bookings.change_booking_status(booking.id, "cancelled", actor_id=None, today=today)
    assert (cancelled.status, cancelled.cancel_fee) == ("cancelled", 0)
    assert nights_taken(db, cancelled) == [0, 0]
    bank_notice(cancelled)  # came after all: all of it back
    assert refunds(booking.id) == [(600_000, "cancelled", "due")]


def test_a_late_cancellation_refunds_what_was_paid_less_the_fee(client, db, stay, today, owner):
    booking = stay_booking(stay, today, days=2)  # 2 days before: the late fee of 10 %
    bank_notice(booking)
    cancelled = bookings.change_booking_status(booking.id, "cancelled", actor_id=None, today=today)
    assert cancelled.cancel_fee == 200_000
    assert refunds(booking.id) == [(400_000, "cancelled", "due")]
    (to_guest,) = messages("booking.cancelled")
    assert "400.000" in to_guest.text
    (to_host,) = messages("booking.cancelled_by_guest")
    assert "Cần hoàn lại cho khách: 400.000" in to_host.text
    page = client.get(f"/bookings/{booking.code}?token={booking.access_token}")
    page = page.get_data(as_text=True)
    assert "400.000" in page and "Chủ nhà sẽ hoàn lại" in page

    # The host transfers it back and records the bank's reference, once.
    login(client, owner)
    host_page = text(client.get(f"/dashboard/tourism/bookings/{booking.id}"))
    assert "Hoàn tiền cho khách" in host_page and "400.000" in host_page
    overview = text(client.get("/dashboard/tourism"))
    assert "Cần hoàn tiền cho khách" in overview and booking.code in overview
    (refund,) = refunds_of("booking", [booking.id])
    form = {"refund_id": str(refund.id), "bank_reference": "FT26336000123"}
    url = f"/dashboard/tourism/bookings/{booking.id}/refund"
    response = client.post(url, data=form, follow_redirects=True)
    assert "Đã ghi nhận hoàn 400.000" in text(response)
    again = client.post(url, data=form, follow_redirects=True)
    assert "đã được ghi nhận" in text(again)
    assert refunds(booking.id) == [(400_000, "cancelled", "refunded")]
    assert fresh(booking.id).refunded_amount == 400_000
    (told,) = messages("booking.refunded")
    assert "FT26336000123" in told.text and told.address == "anna@example.de"
    page = client.get(f"/bookings/{booking.code}?token={booking.access_token}")
    assert "mã giao dịch FT26336000123" in page.get_data(as_text=True)


def test_a_fee_above_the_deposit_keeps_the_deposit(db, stay, today):
    stay.late_cancel_fee_percent = 50
    db.session.commit()
    booking = stay_booking(stay, today, days=2)
    bank_notice(booking)
    bookings.change_booking_status(booking.id, "cancelled", actor_id=None, today=today)
    assert refunds(booking.id) == []
    (to_guest,) = messages("booking.cancelled")
    assert "giữ làm phí hủy" in to_guest.text


def test_the_host_cancelling_refunds_everything(db, stay, today, owner):
    booking = stay_booking(stay, today, days=2)
    bank_notice(booking)
    cancelled = bookings.change_booking_status(
        booking.id, "cancelled", actor_id=owner.id, today=today, note="Nhà có việc"
    )
    assert cancelled.cancel_fee == 0
    assert refunds(booking.id) == [(600_000, "cancelled", "due")]


def test_an_overpayment_is_not_refunded_twice_on_cancelling(db, stay, today):
    booking = stay_booking(stay, today)
    bank_notice(booking, 700_000)  # 100,000 too much: due back already
    bookings.change_booking_status(booking.id, "cancelled", actor_id=None, today=today)
    assert sorted(refunds(booking.id)) == [
        (100_000, "overpaid", "due"),
        (600_000, "cancelled", "due"),
    ]


def test_a_refund_is_recorded_once_and_never_beyond_what_came(db, stay, today, owner):
    booking = stay_booking(stay, today)
    bank_notice(booking)
    bookings.change_booking_status(booking.id, "cancelled", actor_id=None, today=today)
    (refund,) = refunds_of("booking", [booking.id])
    hosting.record_refund(stay.host_id, booking.id, refund.id, "FT1", owner.id)
    with pytest.raises(RefundError):
        hosting.record_refund(stay.host_id, booking.id, refund.id, "FT1", owner.id)
    with pytest.raises(RefundError), write_transaction():
        BookingPayable().give_back(booking.id, 1)
    assert fresh(booking.id).refunded_amount == 600_000
    with pytest.raises(hosting.NotFound):  # another host's booking, or a refund not of it
        hosting.record_refund(stay.host_id + 1000, booking.id, refund.id, "FT2", owner.id)
    with pytest.raises(RefundError):
        record_refund(refund.id, stay.host_id, "  ", owner.id)


def test_recording_a_refund_needs_the_bank_reference(client, db, stay, today, owner):
    booking = stay_booking(stay, today)
    bank_notice(booking)
    bookings.change_booking_status(booking.id, "cancelled", actor_id=None, today=today)
    (refund,) = refunds_of("booking", [booking.id])
    login(client, owner)
    url = f"/dashboard/tourism/bookings/{booking.id}/refund"
    page = text(client.post(url, data={"refund_id": str(refund.id), "bank_reference": " "}))
    assert "Ghi mã giao dịch của lần chuyển trả" in page
    other = client.post(url, data={"refund_id": "999999", "bank_reference": "FT9"})
    assert other.status_code == 404
    assert refunds(booking.id) == [(600_000, "cancelled", "due")]


# --- the host's listing form ------------------------------------------------------------------


@pytest.fixture()
def host_client(client, owner, banked):
    login(client, owner)
    return client


def deposit_form(**changes):
    data = {
        "kind": "homestay", "start_time": "", "duration_minutes": "", "meeting_point": "",
        "deposit_kind": "percent", "deposit_percent": "30", "deposit_hours": "24",
    }  # fmt: skip
    data.update(changes)
    return listing_form(**data)


@pytest.mark.parametrize(
    ("changes", "message", "kept"),
    [
        ({"deposit_percent": "0"}, "Phần trăm đặt cọc là số nguyên từ 1 đến 100.", 'value="0"'),
        ({"deposit_percent": "101"}, "Phần trăm đặt cọc là số nguyên từ 1 đến 100.", 'value="101"'),
        ({"deposit_percent": ""}, "Phần trăm đặt cọc là số nguyên từ 1 đến 100.", None),
        ({"deposit_hours": "0"}, "Hạn chuyển cọc là số giờ từ 1 đến 168 (7 ngày).", 'value="0"'),
        ({"deposit_hours": "200"}, "Hạn chuyển cọc là số giờ từ 1 đến 168", 'value="200"'),
        ({"deposit_kind": "fixed", "deposit_amount": "0"}, "Số tiền cọc là số nguyên lớn hơn 0",
         'value="0"'),
        ({"deposit_kind": "fixed"}, "Số tiền cọc là số nguyên lớn hơn 0", None),
        ({"deposit_kind": "all"}, "Vui lòng chọn có đặt cọc hay không.", None),
    ],
)  # fmt: skip
def test_bad_deposit_terms_are_refused_and_what_was_typed_stays(
    host_client, db, changes, message, kept
):
    response = host_client.post("/dashboard/tourism/new", data=deposit_form(**changes))
    page = text(response)
    assert response.status_code == 200 and message in page
    assert "Vui lòng sửa các mục được đánh dấu" in page
    assert 'value="Tour xuồng ba lá kênh Xà No"' in page  # the rest stays as typed
    if kept:
        assert kept in page
    assert db.session.scalar(select(func.count(Listing.id))) == 0


def test_the_deposit_terms_are_saved_and_shown_again(host_client, db):
    response = host_client.post(
        "/dashboard/tourism/new", data=deposit_form(deposit_hours="48", deposit_amount="junk")
    )
    assert response.status_code == 302  # the amount is not the kind chosen: ignored
    listing = db.session.scalar(select(Listing))
    assert (listing.deposit_kind, listing.deposit_value, listing.deposit_hours) == (
        "percent",
        30,
        48,
    )
    page = text(host_client.get(f"/dashboard/tourism/{listing.id}/edit"))
    assert re.search(r'id="deposit_percent"[^>]*value="30"', page)
    assert 'value="percent" checked' in page or 'checked id="deposit_kind-1"' in page
    saved = host_client.post(
        f"/dashboard/tourism/{listing.id}/edit",
        data=deposit_form(deposit_kind="fixed", deposit_amount="200.000"),
    )
    assert saved.status_code == 302
    db.session.refresh(listing)
    assert (listing.deposit_kind, listing.deposit_value) == ("fixed", 200_000)


def test_without_a_bank_account_the_deposit_is_disabled_and_explained(client, db, make):
    owner = make.user(role="cooperative")
    make.cooperative("HTX Chưa Có Ngân Hàng", owner=owner, kind="household")
    login(client, owner)
    page = text(client.get("/dashboard/tourism/new"))
    assert 'id="deposit" disabled' in page and "chưa khai báo ngân hàng" in page
    response = client.post(
        "/dashboard/tourism/new", data=deposit_form(deposit_percent="500", deposit_hours="0")
    )
    assert response.status_code == 302  # what the disabled fields sent is ignored
    listing = db.session.scalar(select(Listing))
    assert (listing.deposit_kind, listing.deposit_value, listing.deposit_hours) == ("none", 0, 24)
