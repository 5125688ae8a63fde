"""Recalls: a lot taken off sale, its buyers told once in their language, the stock kept as the
selling lots' units left, the cooperative's and the office's pages, the audit record."""

import itertools
from datetime import date

import pytest
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.extensions import db as _db
from core.models import Message
from marketplace import checkout as checkouts
from marketplace import recalls
from marketplace.lots import record_lot
from marketplace.models import Checkout, Lot, Order, OrderLine, OrderLineLot, Product
from tests.concurrency import at_once
from tests.test_dashboard import login
from tests.test_orders import FEES, details

_numbers = itertools.count(1)
# Sentences of the Vietnamese recall mail: none may appear in the English one.
VIETNAMESE = ("Xin chào", "thu hồi", "Lý do", "ngừng sử dụng", "Liên hệ", "Đơn hàng", "của bạn")


def buy(lot, quantity, *, buyer=None, email=None, language="vi", name=None, status="delivered"):
    """An order of `quantity` units of the lot, written by hand as the checkout writes it
    (any status, any lot, no stock rules in the way); `check_out` below goes through the
    real checkout."""
    n = next(_numbers)
    name = name or (buyer.name if buyer else "Khách")
    product = lot.product
    checkout = Checkout(
        code=f"HG-2026-{n:06d}", form_token=f"recall-{n}", access_token=f"token-{n}",
        buyer_id=buyer.id if buyer else None, language=language, name=name,
        phone="0912345678", email=email, province="Cần Thơ", ward="Phường Vị Thanh",
        street="1 Trần Hưng Đạo", payment_method="cod",
    )  # fmt: skip
    line = OrderLine(
        product_id=product.id, name=product.name, unit=product.unit,
        unit_price=product.price, quantity=quantity,
    )  # fmt: skip
    order = Order(
        checkout=checkout, cooperative_id=product.cooperative_id, code=f"{checkout.code}-1",
        status=status, subtotal=product.price * quantity, delivery_fee=0,
        total=product.price * quantity, lines=[line],
    )  # fmt: skip
    _db.session.add(order)
    _db.session.flush()
    _db.session.add(OrderLineLot(order_line_id=line.id, lot_id=lot.id, quantity=quantity))
    lot.units_left -= quantity
    product.stock -= quantity
    _db.session.commit()
    return order


@pytest.fixture()
def owner(make):
    return make.user(role="cooperative", name="Nguyễn Văn Như")


@pytest.fixture()
def coop(make, owner):
    return make.cooperative("HTX Kỳ Như", owner=owner, phone="0912345678")


@pytest.fixture()
def admin(make):
    return make.user(role="admin", name="Văn Phòng OCOP")


@pytest.fixture()
def product(make, coop):
    return make.product("Cá thát lát rút xương", coop, stock=0, name_en="Boneless featherback")


@pytest.fixture()
def lot(product):
    return record_lot(product, quantity=40, packed_on=date(2026, 11, 20), code="261120-1")


def stock_invariant(product_id: int) -> None:
    _db.session.rollback()
    product = _db.session.get(Product, product_id)
    selling = _db.session.scalar(
        select(func.coalesce(func.sum(Lot.units_left), 0)).where(
            Lot.product_id == product_id, Lot.status == "selling"
        )
    )
    assert product.stock == selling


def buyer_messages() -> list[Message]:
    _db.session.rollback()
    return _db.session.scalars(
        select(Message).where(Message.event == recalls.BUYER_EVENT).order_by(Message.id)
    ).all()


@pytest.fixture()
def five_buyers(make, product, lot):
    """Five buyers of the product, three of them of the lot: two accounts (vi, en) and a
    guest by email (en); the other two (a guest, an account) bought another lot."""
    other = record_lot(product, quantity=10, packed_on=date(2026, 11, 25), code="261125-1")
    vi = make.user(email="vi@example.vn", name="Trần Văn Vi")
    en = make.user(email="en@example.com", name="Anna Smith")
    en.language = "en"
    _db.session.commit()
    bought = [
        buy(lot, 2, buyer=vi),
        buy(lot, 1, buyer=en),
        buy(lot, 3, email="guest@example.com", language="en", name="John Guest"),
    ]
    buy(other, 1, email="other-lot@example.vn")
    buy(other, 2, buyer=make.user(email="other-account@example.vn"))
    return bought


def test_a_recall_tells_exactly_the_buyers_of_the_lot_in_their_language(
    app, db, lot, admin, five_buyers
):
    with app.test_request_context():
        told = recalls.recall_lot(lot.id, reason="Bao bì bị hở", actor=admin)
    assert sorted(b.order_id for b in told) == sorted(o.id for o in five_buyers)
    mails = [m for m in buyer_messages() if m.channel == "mail"]
    assert sorted(m.address for m in mails) == [
        "en@example.com", "guest@example.com", "vi@example.vn",
    ]  # fmt: skip
    by_address = {m.address: m for m in mails}
    vietnamese = by_address["vi@example.vn"]
    assert vietnamese.language == "vi"
    assert "Bao bì bị hở" in vietnamese.text and "261120-1" in vietnamese.text
    assert "ngừng sử dụng" in vietnamese.text and "tel:+84912345678" in vietnamese.text
    assert f"/t/{lot.trace_code}" in vietnamese.text
    for address in ("en@example.com", "guest@example.com"):
        english = by_address[address]
        assert english.language == "en"
        assert "Boneless featherback" in english.subject
        assert "Stop using" in english.text or "stop using" in english.text
        for words in VIETNAMESE:
            assert words not in english.text, words
            assert words not in english.subject, words
    guest = by_address["guest@example.com"].text  # the guest's units
    assert f"Your order {five_buyers[2].code} has 3 items from this lot." in guest


# --- through the real checkout ---------------------------------------------------------


def check_out(product, quantity, *, email, name, buyer=None, language="vi"):
    """A checkout as the checkout page makes one: the stock taken first-expiring-first by
    marketplace.checkout, which records the lots each line took."""
    return checkouts.place_order(
        {product.id: quantity}, details(email=email, name=name, payment_method="cod"),
        buyer_id=buyer.id if buyer else None, form_token=checkouts.new_form_token(),
        fees=FEES, free_from=500_000, language=language,
    ).orders[0]  # fmt: skip


def test_buyers_who_checked_out_are_told_when_the_lot_they_took_is_recalled(
    app, db, make, product, admin
):
    """Five buyers check out; the first-expiring lot runs out during the third one's order,
    whose line takes from both lots. Recalling that lot tells exactly the first three, once
    each, in their own language, with the units each took from it."""
    sooner = record_lot(
        product, quantity=6, packed_on=date(2026, 11, 20), expires_on=date(2027, 1, 10),
        code="261120-2",
    )  # fmt: skip
    later = record_lot(
        product, quantity=20, packed_on=date(2026, 11, 28), expires_on=date(2027, 3, 1),
        code="261128-1",
    )  # fmt: skip
    vi = make.user(email="vi@example.vn", name="Trần Văn Vi")
    en = make.user(email="en@example.com", name="Anna Smith")
    en.language = "en"
    late = make.user(email="late@example.vn", name="Lê Văn Sau")
    _db.session.commit()
    first = check_out(product, 2, email=vi.email, name=vi.name, buyer=vi)
    second = check_out(product, 1, email=en.email, name=en.name, buyer=en, language="en")
    third = check_out(product, 5, email="guest@example.com", name="John Guest", language="en")
    check_out(product, 1, email="after@example.vn", name="Khách Sau")
    check_out(product, 2, email=late.email, name=late.name, buyer=late)

    took = dict(
        _db.session.execute(
            select(Order.id, func.sum(OrderLineLot.quantity))
            .join(OrderLine, OrderLine.order_id == Order.id)
            .join(OrderLineLot, OrderLineLot.order_line_id == OrderLine.id)
            .where(OrderLineLot.lot_id == sooner.id)
            .group_by(Order.id)
        ).all()
    )
    assert took == {first.id: 2, second.id: 1, third.id: 3}  # the checkout's FEFO
    assert _db.session.get(Lot, later.id).units_left == 20 - 2 - 1 - 2

    with app.test_request_context():
        told = recalls.recall_lot(sooner.id, reason="Bao bì bị hở", actor=admin)
    assert sorted(b.order_id for b in told) == sorted([first.id, second.id, third.id])
    messages = buyer_messages()
    mails = [m for m in messages if m.channel == "mail"]
    assert sorted(m.address for m in mails) == [
        "en@example.com", "guest@example.com", "vi@example.vn",
    ]  # fmt: skip
    # Once each, whatever the channel: one message per order and channel.
    assert len({(m.once_key, m.channel) for m in messages}) == len(messages)
    assert {m.user_id for m in messages if m.user_id} <= {vi.id, en.id}
    by_address = {m.address: m for m in mails}
    assert by_address["vi@example.vn"].language == "vi"
    assert f"Đơn hàng {first.code} của bạn có 2 sản phẩm thuộc lô này." in (
        by_address["vi@example.vn"].text
    )
    for address, order, units in (("en@example.com", second, 1), ("guest@example.com", third, 3)):
        english = by_address[address]
        assert english.language == "en" and "Boneless featherback" in english.subject
        item = "item" if units == 1 else "items"
        assert f"Your order {order.code} has {units} {item} from this lot." in english.text
        for words in VIETNAMESE:
            assert words not in english.text, words
    stock_invariant(product.id)
    assert _db.session.get(Product, product.id).stock == 15  # the later lot's units left


def test_a_cancelled_order_s_buyer_is_not_told(app, db, lot, admin, make):
    buy(lot, 2, email="kept@example.vn")
    cancelled = buy(lot, 1, email="cancelled@example.vn", status="cancelled")
    with app.test_request_context():
        told = recalls.recall_lot(lot.id, reason="Nhiễm khuẩn", actor=admin)
    assert cancelled.id not in [b.order_id for b in told]
    assert [m.address for m in buyer_messages() if m.channel == "mail"] == ["kept@example.vn"]


def test_a_second_recall_is_the_same_recall(app, db, lot, admin, owner, five_buyers):
    with app.test_request_context():
        recalls.recall_lot(lot.id, reason="Bao bì bị hở", actor=owner)
        with pytest.raises(recalls.AlreadyRecalled):
            recalls.recall_lot(lot.id, reason="Lý do khác", actor=admin)
    _db.session.rollback()
    assert _db.session.get(Lot, lot.id).recall_reason == "Bao bì bị hở"
    assert len([m for m in buyer_messages() if m.channel == "mail"]) == 3


def test_two_recalls_at_once_are_one(app, db, lot, admin, owner, five_buyers):
    # Plain ids: the threads must not touch this session's objects.
    lot_id, owner_id, admin_id, product_id = lot.id, owner.id, admin.id, lot.product_id
    user_model = type(admin)

    def recall(actor_id):
        with app.test_request_context():
            actor = _db.session.get(user_model, actor_id)
            try:
                recalls.recall_lot(lot_id, reason=f"Lý do {actor_id}", actor=actor)
                return "recalled"
            except recalls.AlreadyRecalled:
                return "already"
            finally:
                _db.session.remove()

    outcomes = at_once(app, lambda: recall(owner_id), lambda: recall(admin_id))
    assert sorted(map(str, outcomes)) == ["already", "recalled"]
    assert len([m for m in buyer_messages() if m.channel == "mail"]) == 3
    assert _db.session.scalar(select(func.count()).where(AuditEvent.action == "lot.recall")) == 1
    stock_invariant(product_id)


def test_the_stock_keeps_to_the_selling_lots(app, db, product, lot, admin, five_buyers):
    stock_invariant(product.id)
    before = _db.session.get(Product, product.id).stock
    left = _db.session.get(Lot, lot.id).units_left
    with app.test_request_context():
        recalls.recall_lot(lot.id, reason="Bao bì bị hở", actor=admin)
    stock_invariant(product.id)
    assert _db.session.get(Product, product.id).stock == before - left


def test_an_expired_lot_is_recalled_without_touching_the_stock(app, db, product, lot, admin):
    lot.status = "expired"
    product.stock -= lot.units_left  # the expiry took them out
    _db.session.commit()
    with app.test_request_context():
        recalls.recall_lot(lot.id, reason="Nhiễm khuẩn", actor=admin)
    stock_invariant(product.id)
    assert _db.session.get(Lot, lot.id).status == "recalled"


def test_a_reason_is_required(app, db, lot, admin):
    with pytest.raises(recalls.ReasonRequired):
        recalls.recall_lot(lot.id, reason="   ", actor=admin)
    assert _db.session.get(Lot, lot.id).status == "selling"


def test_the_other_side_is_told_and_the_recall_audited(app, db, lot, admin, owner):
    with app.test_request_context():
        recalls.recall_lot(lot.id, reason="Bao bì bị hở", actor=owner)
    _db.session.rollback()
    staff = _db.session.scalars(
        select(Message).where(Message.event == recalls.STAFF_EVENT, Message.channel == "mail")
    ).all()
    assert [m.address for m in staff] == [admin.email]  # the cooperative recalled: the office
    event = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "lot.recall"))
    assert (event.actor_id, event.subject_type, event.subject_id) == (owner.id, "lot", lot.id)
    assert "Bao bì bị hở" in event.detail


def test_the_office_recalling_tells_the_cooperative(app, db, lot, admin, owner):
    with app.test_request_context():
        recalls.recall_lot(lot.id, reason="Bao bì bị hở", actor=admin)
    _db.session.rollback()
    staff = _db.session.scalars(select(Message).where(Message.event == recalls.STAFF_EVENT))
    assert {m.address for m in staff} == {owner.email}


# --- the cooperative's page -------------------------------------------------------------------


def test_the_cooperative_confirms_then_recalls(client, db, lot, owner, five_buyers):
    login(client, owner)
    page = client.get(f"/dashboard/lots/{lot.id}/recall").get_data(as_text=True)
    assert "3 người mua của 3 đơn hàng" in page
    empty = client.post(f"/dashboard/lots/{lot.id}/recall", data={"reason": ""})
    assert empty.status_code == 200
    assert _db.session.get(Lot, lot.id).status == "selling"
    response = client.post(f"/dashboard/lots/{lot.id}/recall", data={"reason": "Bao bì bị hở"})
    assert response.status_code == 302
    _db.session.rollback()
    assert _db.session.get(Lot, lot.id).status == "recalled"
    assert _db.session.get(Lot, lot.id).recalled_by_id == owner.id


def test_another_cooperative_s_lot_is_a_404_and_a_buyer_is_refused(client, db, make, lot):
    stranger = make.user(role="cooperative")
    make.cooperative("HTX Khác", owner=stranger)
    login(client, stranger)
    assert client.get(f"/dashboard/lots/{lot.id}/recall").status_code == 404
    assert client.post(f"/dashboard/lots/{lot.id}/recall", data={"reason": "x"}).status_code == 404
    client.post("/logout")
    login(client, make.user())
    assert client.get(f"/dashboard/lots/{lot.id}/recall").status_code == 403
    assert client.get("/admin/recalls").status_code == 403
    assert _db.session.get(Lot, lot.id).status == "selling"


def test_a_suspended_cooperative_cannot_recall(client, db, coop, lot, owner):
    coop.suspended, coop.moderation_reason = True, "Kiểm tra"
    _db.session.commit()
    login(client, owner)
    response = client.post(f"/dashboard/lots/{lot.id}/recall", data={"reason": "Bao bì bị hở"})
    assert response.status_code == 302
    assert _db.session.get(Lot, lot.id).status == "selling"


# --- the office's pages -----------------------------------------------------------------------


def test_the_office_finds_recalls_and_lists_who_was_told(client, db, lot, admin, five_buyers):
    unreachable = buy(lot, 1, name="Khách Không Email")
    login(client, admin)
    found = client.get(f"/admin/recalls?trace={lot.trace_code.lower()}")
    assert found.headers["Location"].endswith(f"/admin/recalls/{lot.id}")
    by_code = client.get(f"/admin/recalls?product={lot.product_id}&lot=261120-1")
    assert by_code.headers["Location"].endswith(f"/admin/recalls/{lot.id}")
    assert "Không tìm thấy" in client.get("/admin/recalls?trace=ZZZZ").get_data(as_text=True)
    confirm = client.get(f"/admin/recalls/{lot.id}").get_data(as_text=True)
    assert "1 đơn của khách không để lại email" in confirm
    assert (
        client.post(f"/admin/recalls/{lot.id}", data={"reason": "Bao bì bị hở"}).status_code == 302
    )
    _db.session.rollback()
    # The test's queue delivers at once: all three were sent; one is made to have failed.
    failed = _db.session.scalars(select(Message).where(Message.address == "vi@example.vn")).one()
    failed.status = "failed"
    _db.session.commit()
    listing = client.get("/admin/recalls").get_data(as_text=True)
    assert "Cá thát lát rút xương" in listing and "Bao bì bị hở" in listing
    assert recalls.told(lot.id) == recalls.Told(buyers=4, sent=2, waiting=0, failed=1)
    assert recalls.told_of([lot.id, lot.id + 1000]) == {
        lot.id: recalls.Told(buyers=4, sent=2, waiting=0, failed=1),
        lot.id + 1000: recalls.Told(buyers=0),
    }
    buyers = client.get(f"/admin/recalls/{lot.id}").get_data(as_text=True)
    for order in [*five_buyers, unreachable]:
        assert order.code in buyers
    assert "Trần Văn Vi" in buyers and "guest@example.com" in buyers
    assert "Không có email: hãy gọi điện" in buyers
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "Thu hồi lô sản phẩm" in audit


def test_the_offices_list_reads_every_recall_in_the_same_statements(
    app, client, db, product, admin, count_queries
):
    def recall_a_lot(day: int) -> None:
        lot = record_lot(product, quantity=5, packed_on=date(2026, 11, day), code=f"2611{day}-9")
        buy(lot, 1, email=f"buyer{day}@example.vn")
        buy(lot, 2, email=f"other{day}@example.vn")
        with app.test_request_context():
            recalls.recall_lot(lot.id, reason=f"Lý do {day}", actor=admin)

    def statements() -> int:
        client.get("/admin/recalls")
        with count_queries() as counter:
            page = client.get("/admin/recalls")
        assert page.status_code == 200
        return counter.count

    login(client, admin)
    recall_a_lot(10)
    one = statements()
    for day in (11, 12, 13):
        recall_a_lot(day)
    assert statements() == one
    told = recalls.told_of([lot.id for lot in recalls.recalls()])
    assert [t.buyers for t in told.values()] == [2, 2, 2, 2]
    assert all(t.sent == 2 for t in told.values())  # the test's queue sends at once
