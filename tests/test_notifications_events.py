"""The messages of orders, bookings and the office's decisions: one to each right person, in
their language, written with the change (a rolled-back change tells no one) and sent after its
commit (jobs run at once in tests, so the outbox still gets its .eml file)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import write_transaction
from core.extensions import db as _db
from core.models import Message
from marketplace import orders
from marketplace.models import Checkout, Order, Product
from tests.test_dashboard import login
from tests.test_mail import outbox  # noqa: F401 - fixture
from tests.test_orders import add, checkout_form, two_coops  # noqa: F401 - fixture
from tests.test_tourism import form_data
from tourism import bookings
from tourism.models import Booking

# Sentences of the Vietnamese mails: none may appear in an English one.
VIETNAMESE = ("Cảm ơn", "Xin chào", "đặt chỗ", "Số khách", "Tổng tiền", "Đơn hàng", "của bạn")


def messages(event=None) -> list[Message]:
    _db.session.rollback()
    query = select(Message).order_by(Message.id)
    if event:
        query = query.where(Message.event == event)
    return _db.session.scalars(query).all()


def assert_english(message: Message) -> None:
    assert message.language == "en"
    for words in VIETNAMESE:
        assert words not in message.text, words
        assert words not in message.subject, words


def mails_in(folder) -> int:
    return len(list(folder.glob("*.eml"))) if folder.exists() else 0


# --- orders -------------------------------------------------------------------------------


@pytest.fixture()
def owned(make, two_coops):  # noqa: F811
    """The two products, their cooperatives with owners (who read Vietnamese)."""
    for product in two_coops:
        product.cooperative.owner = make.user(role="cooperative")
    _db.session.commit()
    return two_coops


def _guest_checkout(client, product, lang="vi", **changes) -> Checkout:
    client.get(f"/?lang={lang}")
    add(client, product, 2)
    assert client.post("/checkout", data=checkout_form(client, **changes)).status_code == 302
    _db.session.rollback()
    return _db.session.scalar(select(Checkout).order_by(Checkout.id.desc()))


def test_an_english_guests_order_tells_them_in_english_and_the_cooperative_in_vietnamese(
    client,
    db,
    owned,
    outbox,  # noqa: F811
):
    pineapple, _fish = owned
    checkout = _guest_checkout(client, pineapple, lang="en")
    assert checkout.language == "en"
    (placed,) = messages("order.placed")
    assert placed.address == "lan@example.vn" and placed.user_id is None
    assert_english(placed)
    assert "Thank you" in placed.text and checkout.code in placed.subject
    (new,) = messages("order.new")
    owner = pineapple.cooperative.owner
    assert new.user_id == owner.id and new.address == owner.email and new.language == "vi"
    assert "Hợp tác xã có đơn hàng mới" in new.text
    assert len(messages()) == 2 and mails_in(outbox) == 2
    assert {m.status for m in messages()} == {"sent"}


def test_each_step_of_an_order_tells_the_buyers_account_once(client, db, make, owned):
    pineapple, _fish = owned
    buyer = make.user(email="mai@example.vn")
    buyer.language = "en"
    db.session.commit()
    login(client, buyer)
    add(client, pineapple, 2)
    assert client.post("/checkout", data=checkout_form(client, email="")).status_code == 302
    order = db.session.scalar(select(Order))
    owner = pineapple.cooperative.owner
    for status, event in (
        ("confirmed", "order.confirmed"),
        ("shipping", "order.shipped"),
        ("delivered", "order.delivered"),
    ):
        orders.advance_order(  # shipped unpaid (by transfer): said knowingly
            db.session.get(Order, order.id), status, actor_id=owner.id, unpaid_confirmed=True
        )
        (told,) = messages(event)
        assert told.user_id == buyer.id and told.address == "mai@example.vn"
        assert_english(told)
        assert order.code in told.text
    assert [m.event for m in messages() if m.user_id == buyer.id] == [
        "order.placed", "order.confirmed", "order.shipped", "order.delivered",
    ]  # fmt: skip
    with pytest.raises(orders.AlreadyInStatus):  # the same click twice tells no one again
        orders.advance_order(db.session.get(Order, order.id), "delivered", actor_id=owner.id)
    assert len(messages("order.delivered")) == 1


def test_a_cancelled_order_tells_the_guest_the_reason_and_whether_money_goes_back(
    client, db, owned
):
    pineapple, _fish = owned
    _guest_checkout(client, pineapple, lang="en")
    order = db.session.scalar(select(Order))
    owner = pineapple.cooperative.owner
    orders.cancel_order(order, "Hết hàng do mưa bão", actor_id=owner.id)
    (told,) = messages("order.cancelled")
    assert told.address == "lan@example.vn" and told.language == "en"
    assert "Hết hàng do mưa bão" in told.text  # the reason, as the cooperative wrote it
    assert "The cooperative cancelled" in told.text and "cancelled" in told.subject
    assert "not been paid" in told.text
    assert db.session.get(Product, pineapple.id).stock == 50


def test_a_vietnamese_guest_is_told_in_vietnamese_and_one_without_email_not_at_all(
    client, db, owned
):
    pineapple, fish = owned
    _guest_checkout(client, pineapple)
    (placed,) = messages("order.placed")
    assert placed.language == "vi" and "Cảm ơn Nguyễn Thị Lan" in placed.text
    checkout = _guest_checkout(client, fish, email="")
    assert [m.event for m in messages() if checkout.code in m.subject] == ["order.new"]
    order = checkout.orders[0]
    orders.advance_order(order, "confirmed", actor_id=fish.cooperative.owner.id)
    assert messages("order.confirmed") == []


def test_a_step_rolled_back_tells_no_one_and_a_step_is_sent_only_after_its_commit(
    client,
    db,
    owned,
    outbox,  # noqa: F811
):
    pineapple, _fish = owned
    _guest_checkout(client, pineapple)
    order_id = db.session.scalar(select(Order.id))
    actor = pineapple.cooperative.owner.id
    before = mails_in(outbox)

    with pytest.raises(RuntimeError), write_transaction():
        orders.change_status(order_id, "confirmed", actor_id=actor)
        assert db.session.scalar(select(func.count(Message.id)).where(Message.event == "order.confirmed")) == 1  # fmt: skip
        raise RuntimeError("something later in the change failed")
    assert messages("order.confirmed") == [] and mails_in(outbox) == before
    assert db.session.get(Order, order_id).status == "pending"

    with write_transaction():
        orders.change_status(order_id, "confirmed", actor_id=actor)
        assert mails_in(outbox) == before  # written, not yet sent
    (told,) = messages("order.confirmed")
    assert told.status == "sent" and mails_in(outbox) == before + 1


# --- bookings -----------------------------------------------------------------------------


@pytest.fixture()
def owned_homestay(db, make, homestay):
    homestay.host.owner = make.user(role="cooperative")
    db.session.commit()
    return homestay


def _book_in(client, listing, today, lang) -> Booking:
    client.get(f"/tourism/{listing.slug}?lang={lang}")
    check_in = today + timedelta(days=10)
    data = form_data(
        client,
        f"/tourism/{listing.slug}",
        check_in=check_in.isoformat(),
        check_out=(check_in + timedelta(days=2)).isoformat(),
        guests="2",
    )
    assert client.post(f"/tourism/{listing.slug}/book", data=data).status_code == 302
    _db.session.rollback()
    return _db.session.scalar(select(Booking).order_by(Booking.id.desc()))


def test_an_english_guests_booking_tells_them_in_english_and_the_host_in_vietnamese(
    client,
    db,
    owned_homestay,
    today,
    outbox,  # noqa: F811
):
    booking = _book_in(client, owned_homestay, today, "en")
    assert booking.language == "en" and booking.status == "requested"
    (asked,) = messages("booking.requested")
    assert asked.address == "anna@example.de" and asked.user_id is None
    assert_english(asked)
    assert "Thank you" in asked.text and booking.code in asked.text
    (new,) = messages("booking.new")
    owner = owned_homestay.host.owner
    assert new.user_id == owner.id and new.language == "vi" and "Đặt chỗ mới" in new.text
    assert len(messages()) == 2 and mails_in(outbox) == 2


def test_a_booking_confirmed_tells_the_english_guest_in_english(client, db, owned_homestay, today):
    booking = _book_in(client, owned_homestay, today, "en")
    owner = owned_homestay.host.owner
    bookings.change_booking_status(booking.id, "confirmed", actor_id=owner.id, today=today)
    (told,) = messages("booking.confirmed")
    assert told.address == "anna@example.de"
    assert_english(told)
    assert "confirmed" in told.text and booking.code in told.subject
    with pytest.raises(bookings.AlreadyMoved):
        bookings.change_booking_status(booking.id, "confirmed", actor_id=owner.id, today=today)
    assert len(messages("booking.confirmed")) == 1


def test_a_booking_declined_or_cancelled_tells_the_guest_once(client, db, owned_homestay, today):
    owner = owned_homestay.host.owner
    declined = _book_in(client, owned_homestay, today, "en")
    bookings.change_booking_status(
        declined.id, "declined", actor_id=owner.id, today=today, note="Fully booked, sorry"
    )
    (told,) = messages("booking.declined")
    assert told.address == "anna@example.de"
    assert_english(told)
    assert "Fully booked, sorry" in told.text

    cancelled = _book_in(client, owned_homestay, today, "vi")
    bookings.change_booking_status(
        cancelled.id, "cancelled", actor_id=owner.id, today=today, note="Nhà đang sửa"
    )
    (told,) = messages("booking.cancelled")
    assert told.language == "vi" and "Chủ nhà đã hủy" in told.text and "Nhà đang sửa" in told.text


def test_a_guest_cancelling_is_told_it_is_done_and_a_rollback_tells_no_one(
    client, db, owned_homestay, today
):
    booking = _book_in(client, owned_homestay, today, "en")
    with pytest.raises(RuntimeError), write_transaction():
        bookings.change_booking_status(booking.id, "cancelled", actor_id=None, today=today)
        raise RuntimeError("rolled back")
    assert messages("booking.cancelled") == []
    response = client.post(f"/bookings/{booking.code}/cancel?token={booking.access_token}")
    assert response.status_code == 302
    (told,) = messages("booking.cancelled")
    assert_english(told)
    assert "as you asked" in told.text


# --- the office's decisions, told to the cooperative ------------------------------------------


def test_a_hidden_product_is_told_to_its_owner_in_their_language(client, db, make):
    owner = make.user(role="cooperative")
    owner.language = "en"
    product = make.product("Khóm Cầu Đúc", make.cooperative(owner=owner))
    login(client, make.user(role="admin"))
    url = f"/admin/products/{product.id}/hide"
    assert client.post(url, data={"reason": "Ảnh sai"}).status_code == 302
    assert client.post(url, data={"reason": "Ảnh sai"}).status_code == 302  # twice: told once
    (told,) = messages("product.hidden")
    assert told.user_id == owner.id and told.language == "en"
    assert "Khóm Cầu Đúc" in told.text and "Ảnh sai" in told.text and "bị ẩn" not in told.text


def test_an_english_owner_reads_the_products_english_name_in_its_mail(client, db, make):
    owner = make.user(role="cooperative")
    owner.language = "en"
    product = make.product("Khóm Cầu Đúc", make.cooperative(owner=owner))
    product.name_en = "Cầu Đúc pineapple"
    db.session.commit()
    login(client, make.user(role="admin"))
    assert (
        client.post(f"/admin/products/{product.id}/hide", data={"reason": "x"}).status_code == 302
    )
    (told,) = messages("product.hidden")
    assert "Cầu Đúc pineapple" in told.text and "Khóm Cầu Đúc" not in told.text
