"""The messages no click sends: reminders and warnings of the periodic jobs, run here with a
test clock, each written once however often its job runs; and the messages of the steps the
other side takes (a buyer or a guest cancelling, the office deciding a booth request)."""

from datetime import timedelta

from sqlalchemy import select

from core import clock
from core.db import write_transaction
from core.models import utcnow
from fairs import booths
from fairs.jobs import pass_on_expired_holds
from fairs.models import Booth
from marketplace import orders
from marketplace.jobs import warn_expiring_certificates_daily
from marketplace.models import Order
from programme import trainings
from programme.jobs import remind_trainings_daily
from tests.concurrency import at_once
from tests.test_dashboard import login
from tests.test_fairs import _fill, ask, coop_user, fair  # noqa: F401 - fixtures
from tests.test_notifications_events import (
    _book_in,
    _guest_checkout,
    assert_english,
    messages,
    owned,  # noqa: F401 - fixture
    owned_homestay,  # noqa: F401 - fixture
)
from tests.test_orders import add, checkout_form, two_coops  # noqa: F401 - fixture
from tourism import bookings
from tourism.jobs import remind_arrivals_daily


def run_on(monkeypatch, day, periodic_job) -> int:
    """Run a periodic job as the worker would on `day` (the test clock)."""
    monkeypatch.setattr(clock, "today", lambda: day)
    return periodic_job.call_local()


# --- the other side's steps -----------------------------------------------------------------


def test_a_buyer_cancelling_tells_the_cooperative_and_the_buyer_once(client, db, make, owned):  # noqa: F811
    pineapple, _fish = owned
    buyer = make.user(email="mai@example.vn")
    buyer.language = "en"
    db.session.commit()
    login(client, buyer)
    add(client, pineapple, 2)
    assert client.post("/checkout", data=checkout_form(client, email="")).status_code == 302
    order = db.session.scalar(select(Order))
    orders.cancel_by_buyer(order.id, buyer.id, reason="Đặt nhầm")
    (to_shop,) = messages("order.cancelled_by_buyer")
    owner = pineapple.cooperative.owner
    assert to_shop.user_id == owner.id and to_shop.language == "vi"
    assert "Đặt nhầm" in to_shop.text and "trả lại kho" in to_shop.text
    (to_buyer,) = messages("order.cancelled")
    assert to_buyer.user_id == buyer.id
    assert_english(to_buyer)
    assert "as you asked" in to_buyer.text and "not been paid" in to_buyer.text


def test_a_cooperative_cancelling_does_not_tell_itself_and_a_shipment_carries_its_note(
    client,
    db,
    owned,  # noqa: F811
):
    pineapple, _fish = owned
    _guest_checkout(client, pineapple, lang="en")
    order = db.session.scalar(select(Order))
    owner = pineapple.cooperative.owner
    orders.advance_order(order, "confirmed", actor_id=owner.id)
    orders.advance_order(  # by transfer, not paid yet: shipped knowingly
        order, "shipping", actor_id=owner.id, note="GHTK S123456", unpaid_confirmed=True
    )
    (shipped,) = messages("order.shipped")
    assert "GHTK S123456" in shipped.text
    assert_english(shipped)
    assert messages("order.cancelled_by_buyer") == []


def test_a_guest_cancelling_tells_the_host_and_a_host_cancelling_does_not(
    client,
    db,
    owned_homestay,  # noqa: F811
    today,
):
    owner = owned_homestay.host.owner
    by_guest = _book_in(client, owned_homestay, today, "en")
    bookings.change_booking_status(by_guest.id, "cancelled", actor_id=None, today=today)
    (told,) = messages("booking.cancelled_by_guest")
    assert told.user_id == owner.id and told.language == "vi" and by_guest.code in told.text
    by_host = _book_in(client, owned_homestay, today, "en")
    bookings.change_booking_status(
        by_host.id, "cancelled", actor_id=owner.id, today=today, note="Nhà đang sửa"
    )
    assert len(messages("booking.cancelled_by_guest")) == 1


def test_the_office_deciding_a_booth_request_tells_the_cooperative(db, fair, coop_user, today):  # noqa: F811
    approved, rejected, own = (
        ask(fair, code, coop_user(code), today) for code in ("A1", "A2", "A3")
    )
    booths.decide(approved.id, "approved", actor_id=None)
    booths.decide(rejected.id, "rejected", reason="Thiếu giấy chứng nhận", actor_id=None)
    booths.decide(own.id, "cancelled", actor_id=own.cooperative.owner_id)
    (yes,) = messages("fair.booth_approved")
    assert yes.user_id == approved.cooperative.owner_id and "A1" in yes.subject
    (no,) = messages("fair.booth_rejected")
    assert no.user_id == rejected.cooperative.owner_id and "Thiếu giấy chứng nhận" in no.text
    assert messages("fair.booth_cancelled") == []  # it cancelled its own: nothing to tell it
    booths.decide(approved.id, "approved", actor_id=None)  # the same decision again
    assert len(messages("fair.booth_approved")) == 1


# --- the periodic jobs, with a test clock ---------------------------------------------------


def test_a_guest_is_reminded_the_day_before_once_with_the_hosts_phone(
    client,
    db,
    monkeypatch,
    owned_homestay,  # noqa: F811
    today,
):
    owned_homestay.host.phone = "0293 3851 234"
    db.session.commit()
    booking = _book_in(client, owned_homestay, today, "en")
    waiting = _book_in(client, owned_homestay, today, "vi")  # never confirmed: not reminded
    owner = owned_homestay.host.owner
    bookings.change_booking_status(booking.id, "confirmed", actor_id=owner.id, today=today)
    eve = booking.check_in - timedelta(days=1)
    assert run_on(monkeypatch, eve - timedelta(days=1), remind_arrivals_daily) == 0
    assert run_on(monkeypatch, eve, remind_arrivals_daily) == 1
    assert run_on(monkeypatch, eve, remind_arrivals_daily) == 0  # the job ran twice
    (reminder,) = messages("booking.reminder")
    assert reminder.address == booking.email and waiting.code not in reminder.text
    assert_english(reminder)
    assert "0293 3851 234" in reminder.text and "14:00" in reminder.text
    assert booking.code in reminder.subject


def test_an_expiring_certificate_warns_the_cooperative_and_the_office_at_90_and_30_days(
    db, make, monkeypatch, today
):
    owner = make.user(role="cooperative")
    owner.language = "en"
    officer = make.user(role="admin")
    product = make.product("Khóm Cầu Đúc", make.cooperative(owner=owner))
    product.stars, product.stars_valid_until = 4, today + timedelta(days=100)
    db.session.commit()
    ends = product.stars_valid_until
    assert run_on(monkeypatch, ends - timedelta(days=91), warn_expiring_certificates_daily) == 0
    assert run_on(monkeypatch, ends - timedelta(days=90), warn_expiring_certificates_daily) == 2
    for day in (89, 60, 31):  # every later day until the 30-day warning writes nothing
        assert (
            run_on(monkeypatch, ends - timedelta(days=day), warn_expiring_certificates_daily) == 0
        )
    assert run_on(monkeypatch, ends - timedelta(days=30), warn_expiring_certificates_daily) == 2
    assert run_on(monkeypatch, ends - timedelta(days=10), warn_expiring_certificates_daily) == 0
    far, near = messages("certificate.expiring_90"), messages("certificate.expiring_30")
    assert {m.user_id for m in far} == {m.user_id for m in near} == {owner.id, officer.id}
    to_owner = next(m for m in near if m.user_id == owner.id)
    assert_english(to_owner)
    assert "30 days" in to_owner.text and "Khóm Cầu Đúc" in to_owner.subject
    to_office = next(m for m in far if m.user_id == officer.id)
    assert to_office.language == "vi" and "90 ngày" in to_office.text


def test_a_hold_about_to_end_is_told_once_and_then_passes_on_without_a_page_view(
    db,
    fair,  # noqa: F811
    coop_user,  # noqa: F811
    today,
):
    requests = _fill(fair, coop_user, today)
    first, second = coop_user("h1"), coop_user("h2")
    booths.join_waitlist(fair, first, utcnow(), today)
    booths.join_waitlist(fair, second, utcnow(), today)
    booths.decide(requests[0].id, "cancelled")
    freed = db.session.get(Booth, requests[0].booth_id)
    assert pass_on_expired_holds.call_local() == 0 and messages("fair.hold_ending") == []
    freed.held_until = utcnow() + timedelta(hours=5)  # under a quarter of the 48 hours left
    db.session.commit()
    pass_on_expired_holds.call_local()
    pass_on_expired_holds.call_local()
    (warning,) = messages("fair.hold_ending")
    assert warning.user_id == first.owner_id and freed.code in warning.subject
    freed = db.session.get(Booth, freed.id)
    freed.held_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert pass_on_expired_holds.call_local() == 1
    offers = messages("fair.booth_offered")
    assert [m.user_id for m in offers] == [first.owner_id, second.owner_id]


def test_a_training_registration_is_confirmed_and_reminded_the_day_before_once(
    db, make, monkeypatch, today
):
    owner = make.user(role="cooperative")
    cooperative = make.cooperative(owner=owner)
    training = trainings.create_training(
        topic="Quản trị hợp tác xã", trainer="TS. Lê Văn Hòa", place="Vị Thanh",
        day=today + timedelta(days=5), seats=20, actor_id=None,
    )  # fmt: skip
    trainings.register(training.id, cooperative.id, "Chị Lan", today)
    (registered,) = messages("training.registered")
    assert registered.user_id == owner.id and "Quản trị hợp tác xã" in registered.subject
    eve = training.day - timedelta(days=1)
    assert run_on(monkeypatch, eve, remind_trainings_daily) == 1
    assert run_on(monkeypatch, eve, remind_trainings_daily) == 0
    (reminder,) = messages("training.reminder")
    assert reminder.user_id == owner.id and "Chị Lan" in reminder.text


def test_two_workers_reminding_at_the_same_moment_write_one_reminder(app, db, make, today):
    """The same job run by two workers at once: the once-only key lets one message in."""
    owner = make.user(role="cooperative")
    cooperative = make.cooperative(owner=owner)
    training = trainings.create_training(
        topic="Chuyển đổi số", trainer="ThS. Trần Minh", place="Ngã Bảy",
        day=today + timedelta(days=1), seats=20, actor_id=None,
    )  # fmt: skip
    trainings.register(training.id, cooperative.id, "Anh Tâm", today)
    day = training.day  # read here: the threads have sessions of their own

    def remind():
        with write_transaction():
            return trainings.remind_attendees(day)

    assert sorted(at_once(app, remind, remind)) == [0, 1]
    assert len(messages("training.reminder")) == 1
